"""Tests of speaker-independent evaluation (make_cv, evaluate) and its reports."""

import json
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, StratifiedKFold

from sklearn_audiodigit.evaluation import (
    CV_CHOICES,
    EvaluationReport,
    SpeakerLeakWarning,
    evaluate,
    evaluate_cross_corpus,
    make_cv,
    score_model,
)
from sklearn_audiodigit.pipelines import make_svc_pipeline
from sklearn_audiodigit.reporting import format_report


def _synthetic_meta(n_speakers=4, n_digits=10, n_takes=10):
    speaker, digit, take = np.meshgrid(
        [f"spk{i}" for i in range(n_speakers)],
        np.arange(n_digits),
        np.arange(n_takes),
        indexing="ij",
    )
    return speaker.ravel(), digit.ravel(), take.ravel()


# -- make_cv ----------------------------------------------------------------------------


def test_speaker_cv_leaves_one_speaker_out(fsdd_sample):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SpeakerLeakWarning)
        cv, groups, desc = make_cv("speaker", speaker=fsdd_sample.speaker)
    assert isinstance(cv, LeaveOneGroupOut)
    np.testing.assert_array_equal(groups, fsdd_sample.speaker)
    assert "speaker" in desc
    speakers = np.asarray(fsdd_sample.speaker)
    folds = list(cv.split(fsdd_sample.data, fsdd_sample.target, groups))
    assert len(folds) == len(np.unique(speakers)) == 6
    held_out = []
    for train, test in folds:
        assert not set(speakers[train]) & set(speakers[test])
        assert len(set(speakers[test])) == 1
        assert len(train) + len(test) == 300
        held_out.append(speakers[test][0])
    assert sorted(held_out) == sorted(np.unique(speakers))


def test_speaker_cv_is_the_default():
    speaker, _, _ = _synthetic_meta()
    cv, groups, _ = make_cv(speaker=speaker)
    assert isinstance(cv, LeaveOneGroupOut)
    np.testing.assert_array_equal(groups, speaker)


def test_random_cv_warns_about_leaking_speakers():
    speaker, digit, _ = _synthetic_meta()
    with pytest.warns(SpeakerLeakWarning, match="speaker"):
        cv, groups, desc = make_cv("random", speaker=speaker, n_splits=4)
    assert isinstance(cv, StratifiedKFold)
    assert groups is None
    assert "leak" in desc
    folds = list(cv.split(np.zeros(len(digit)), digit))
    assert len(folds) == 4
    # the leak is real: every speaker is on both sides of every fold
    for train, test in folds:
        assert set(speaker[train]) == set(speaker[test]) == set(speaker)


def test_official_cv_tests_on_takes_0_to_4():
    speaker, digit, take = _synthetic_meta()
    with pytest.warns(SpeakerLeakWarning):
        cv, groups, desc = make_cv("official", speaker=speaker, take=take)
    assert groups is None
    assert "official" in desc
    folds = list(cv.split(np.zeros(len(digit)), digit, groups))
    assert len(folds) == 1
    train, test = folds[0]
    np.testing.assert_array_equal(np.sort(test), np.flatnonzero(take <= 4))
    np.testing.assert_array_equal(np.sort(train), np.flatnonzero(take >= 5))


def test_official_cv_on_the_sample_says_there_is_nothing_to_train_on(fsdd_sample):
    # the bundled sample is takes 0-4, i.e. exactly FSDD's official test set
    with pytest.raises(ValueError, match="takes"):
        make_cv("official", speaker=fsdd_sample.speaker, take=fsdd_sample.take)


def test_speaker_target_splits_by_take(fsdd_sample):
    speakers = np.asarray(fsdd_sample.speaker)
    takes = np.asarray(fsdd_sample.take)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cv, groups, desc = make_cv("speaker", speaker=speakers, take=takes, target="speaker")
    assert isinstance(cv, GroupKFold)
    np.testing.assert_array_equal(groups, takes)
    assert "take" in desc
    folds = list(cv.split(fsdd_sample.data, speakers, groups))
    assert len(folds) == 5
    for train, test in folds:
        assert not set(takes[train]) & set(takes[test])
        assert set(speakers[train]) == set(speakers)  # every speaker known in training
        assert set(speakers[test]) == set(speakers)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "leave-one-out"}, "cv must be"),
        ({"kind": "official"}, "take"),
        ({"target": "gender"}, "target"),
        ({"target": "speaker"}, "take"),
    ],
)
def test_make_cv_errors(kwargs, match):
    speaker, _, _ = _synthetic_meta()
    with pytest.raises(ValueError, match=match):
        make_cv(speaker=speaker, **kwargs)


def test_make_cv_needs_two_speakers():
    with pytest.raises(ValueError, match="2 speakers"):
        make_cv("speaker", speaker=["alice"] * 10)


def test_cv_choices():
    assert set(CV_CHOICES) == {"speaker", "random", "official"}


# -- evaluate ---------------------------------------------------------------------------


def test_evaluate_on_sample_is_consistent(sample_report, fsdd_sample):
    report, cv, groups = sample_report
    y = np.asarray(fsdd_sample.target)
    folds = list(cv.split(fsdd_sample.data, y, groups))

    assert isinstance(report, EvaluationReport)
    assert report.n_clips == 300
    assert len(report.fold_accuracies) == len(report.fold_f1_macro) == 6
    assert len(report.fold_seconds) == 6 and all(s > 0 for s in report.fold_seconds)
    assert report.fold_test_groups == [[s] for s in sorted(np.unique(fsdd_sample.speaker))]
    np.testing.assert_array_equal(report.labels, np.arange(10))

    # y_true is the folds' test labels in order; recompute every score from it
    np.testing.assert_array_equal(report.y_true, np.concatenate([y[te] for _, te in folds]))
    assert report.y_pred.shape == report.y_true.shape
    start = 0
    for k, (_, test) in enumerate(folds):
        stop = start + len(test)
        yt, yp = report.y_true[start:stop], report.y_pred[start:stop]
        assert report.fold_accuracies[k] == pytest.approx(np.mean(yt == yp))
        assert report.fold_f1_macro[k] == pytest.approx(
            f1_score(yt, yp, labels=np.arange(10), average="macro", zero_division=0)
        )
        start = stop
    assert report.accuracy_mean == pytest.approx(np.mean(report.fold_accuracies))
    assert report.accuracy_std == pytest.approx(np.std(report.fold_accuracies))
    assert report.f1_macro_mean == pytest.approx(np.mean(report.fold_f1_macro))

    # the default model does much better than chance on unseen speakers
    assert report.accuracy_mean > 0.6
    assert accuracy_score(report.y_true, report.y_pred) > 0.6


def test_report_confusion_and_per_class(sample_report):
    report, _, _ = sample_report
    cm = report.confusion_matrix()
    assert cm.shape == (10, 10)
    assert cm.sum() == 300
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(report.y_true, minlength=10))
    assert np.trace(cm) == np.sum(report.y_true == report.y_pred)
    per_class = report.per_class_accuracy()
    for c in range(10):
        mask = report.y_true == c
        assert per_class[c] == pytest.approx(np.mean(report.y_pred[mask] == c))
    text = report.classification_report()
    assert "macro avg" in text


def test_report_to_dict_is_json_serialisable(sample_report):
    report, _, _ = sample_report
    report.extra["model"] = "svc"
    d = json.loads(json.dumps(report.to_dict()))
    for key in (
        "accuracy_mean",
        "accuracy_std",
        "f1_macro_mean",
        "f1_macro_std",
        "fold_accuracies",
        "fold_f1_macro",
        "n_clips",
        "cv",
        "labels",
        "per_class_accuracy",
        "confusion_matrix",
        "fold_test_groups",
    ):
        assert key in d
    assert d["n_clips"] == 300
    assert d["fold_accuracies"] == pytest.approx(report.fold_accuracies)
    assert d["labels"] == list(range(10))
    assert d["confusion_matrix"] == report.confusion_matrix().tolist()
    assert d["extra"]["model"] == "svc"
    assert "speaker" in d["cv"]


def test_to_dict_with_string_labels_and_untested_class():
    report = EvaluationReport(
        fold_accuracies=[np.float64(0.5)],
        fold_f1_macro=[np.float64(0.4)],
        fold_seconds=[0.1],
        fold_test_groups=[["a"]],
        y_true=np.array(["x", "y"]),
        y_pred=np.array(["x", "x"]),
        labels=np.array(["x", "y", "z"]),
        n_clips=np.int64(2),
        cv="test",
    )
    d = json.loads(json.dumps(report.to_dict()))
    assert d["labels"] == ["x", "y", "z"]
    assert d["per_class_accuracy"] == [1.0, 0.0, None]  # z never tested


class _RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; records the groups it was fitted with."""

    seen = []

    def fit(self, X, y, groups=None):
        type(self).seen.append(None if groups is None else np.asarray(groups).copy())
        values, counts = np.unique(y, return_counts=True)
        self.classes_ = values
        self.majority_ = values[counts.argmax()]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def test_evaluate_passes_each_folds_training_groups_to_fit():
    speaker, digit, _ = _synthetic_meta(n_speakers=3, n_takes=2)
    X = np.zeros((len(digit), 4))
    _RecordingClassifier.seen = []
    cv, groups, _ = make_cv("speaker", speaker=speaker)
    report = evaluate(
        _RecordingClassifier(), X, digit, cv=cv, groups=groups, fit_groups=("groups", speaker)
    )
    assert len(_RecordingClassifier.seen) == 3
    for seen, held in zip(_RecordingClassifier.seen, report.fold_test_groups, strict=True):
        assert held[0] not in set(seen)
        assert len(seen) == 2 * len(digit) // 3
    assert report.cv == "LeaveOneGroupOut"  # no description given


def test_evaluate_errors():
    speaker, digit, _ = _synthetic_meta(n_speakers=2, n_takes=1)
    cv, groups, _ = make_cv("speaker", speaker=speaker)
    with pytest.raises(ValueError, match="labels"):
        evaluate(_RecordingClassifier(), np.zeros((5, 2)), digit, cv=cv, groups=groups)


def test_evaluate_rejects_an_empty_training_fold(fsdd_sample):
    from sklearn.model_selection import PredefinedSplit

    cv = PredefinedSplit(np.zeros(20, dtype=int))  # everything is test
    with pytest.raises(ValueError, match="empty training"):
        evaluate(_RecordingClassifier(), np.zeros((20, 2)), np.arange(20) % 2, cv=cv)


# -- reporting --------------------------------------------------------------------------


# -- per speaker, and cross-corpus ------------------------------------------------------


def test_leave_one_speaker_out_reports_every_speaker(sample_report):
    report, _, _ = sample_report
    per = report.per_group_accuracy()
    # one speaker per fold: each speaker's accuracy is its fold's
    for held, acc in zip(report.fold_test_groups, report.fold_accuracies, strict=True):
        (speaker,) = held
        assert per[speaker] == pytest.approx(acc)
    worst = report.worst_group()
    assert worst == (min(per, key=per.get), min(per.values()))
    d = report.to_dict()
    assert d["per_speaker"] == per
    assert d["worst_speaker"] == {"speaker": worst[0], "accuracy": worst[1]}
    text = format_report(report)
    assert f"worst speaker: {worst[0]}" in text


def test_score_model_on_another_set(fsdd_sample):
    X, y, spk = fsdd_sample.data, np.asarray(fsdd_sample.target), np.asarray(fsdd_sample.speaker)
    test_speakers = np.unique(spk)[:2]
    test = np.isin(spk, test_speakers)
    Xtr = [x for x, t in zip(X, test, strict=True) if not t]
    Xte = [x for x, t in zip(X, test, strict=True) if t]
    model = make_svc_pipeline(augment=False, random_state=0).fit(Xtr, y[~test])
    report = score_model(model, Xte, y[test], groups=spk[test], description="two speakers")
    pred = model.predict(Xte)
    assert report.fold_accuracies == [pytest.approx(accuracy_score(y[test], pred))]
    assert report.cv == "two speakers" and report.n_clips == test.sum()
    per = report.per_group_accuracy()
    assert set(per) == set(test_speakers)
    for s_ in test_speakers:
        m = spk[test] == s_
        assert per[s_] == pytest.approx(accuracy_score(y[test][m], pred[m]))
    assert report.confusion_matrix().sum() == test.sum()
    json.dumps(report.to_dict())
    # without groups: no per-speaker figures
    bare = score_model(model, Xte[:20], y[test][:20])
    assert bare.per_group_accuracy() == {} and bare.worst_group() is None
    with pytest.raises(ValueError, match="labels"):
        score_model(model, Xte[:3], y[:2])


def test_evaluate_cross_corpus_fits_a_copy(fsdd_sample):
    X, y, spk = fsdd_sample.data, np.asarray(fsdd_sample.target), np.asarray(fsdd_sample.speaker)
    last = spk == np.unique(spk)[-1]
    Xtr = [x for x, t in zip(X, last, strict=True) if not t]
    Xte = [x for x, t in zip(X, last, strict=True) if t]
    model = make_svc_pipeline(augment=False, random_state=0)
    report = evaluate_cross_corpus(model, Xtr, y[~last], Xte, y[last], test_groups=spk[last])
    assert not hasattr(model, "classes_")  # the model given is left unfitted
    expected = make_svc_pipeline(augment=False, random_state=0).fit(Xtr, y[~last]).predict(Xte)
    np.testing.assert_array_equal(report.y_pred, expected)
    assert list(report.per_group_accuracy()) == [np.unique(spk)[-1]]
    with pytest.raises(ValueError, match="training set"):
        evaluate_cross_corpus(model, [], [], Xte, y[last])


def test_speaker_leak_warning_lives_in_exceptions_and_keeps_its_old_path():
    from sklearn_audiodigit import evaluation, exceptions
    from sklearn_audiodigit.exceptions import AudioDigitError

    assert evaluation.SpeakerLeakWarning is exceptions.SpeakerLeakWarning
    assert issubclass(exceptions.SpeakerLeakWarning, UserWarning)
    assert not issubclass(exceptions.SpeakerLeakWarning, AudioDigitError)


# -- evaluation without the calibration that cannot change a prediction ----------------


def test_temperature_calibration_is_left_out_of_the_folds():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    from sklearn_audiodigit.evaluation import _prediction_model

    model = make_svc_pipeline()
    assert _prediction_model(model) is model.estimator
    # sigmoid (per-class maps) and ensembles of folds can change the argmax: kept
    sigmoid = CalibratedClassifierCV(SVC(), method="sigmoid", ensemble=False)
    assert _prediction_model(sigmoid) is sigmoid
    ensemble = CalibratedClassifierCV(SVC(), method="temperature", ensemble=True)
    assert _prediction_model(ensemble) is ensemble
    plain = make_svc_pipeline(augment=False)
    assert _prediction_model(plain) is plain


def test_evaluate_predicts_as_the_calibrated_model_does(fsdd_sample):
    """One fold: evaluate's prediction equals the full calibrated model's own."""
    from sklearn.model_selection import PredefinedSplit

    keep = np.isin(fsdd_sample.speaker, ["george", "jackson", "theo"])
    X, y = fsdd_sample.data[keep], np.asarray(fsdd_sample.target[keep])
    test = np.asarray(fsdd_sample.speaker[keep]) == "theo"
    model = make_svc_pipeline(random_state=0)
    report = evaluate(model, X, y, cv=PredefinedSplit(np.where(test, 0, -1)))
    full = make_svc_pipeline(random_state=0).fit(X[~test], y[~test])
    np.testing.assert_array_equal(report.y_pred, full.predict(X[test]))


def test_parallel_folds_with_progress_match_sequential(fsdd_sample, capsys):
    cv, groups, _ = make_cv("speaker", speaker=fsdd_sample.speaker)
    X, y = fsdd_sample.data, fsdd_sample.target
    model = make_svc_pipeline(augment=False, random_state=0)
    one = evaluate(model, X, y, cv=cv, groups=groups, n_jobs=1)
    two = evaluate(model, X, y, cv=cv, groups=groups, n_jobs=2, progress=True)
    np.testing.assert_array_equal(two.y_pred, one.y_pred)
    assert two.fold_test_groups == one.fold_test_groups
    assert "6/6" in capsys.readouterr().err  # the bar counted every fold
