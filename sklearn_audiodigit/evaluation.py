"""Honest evaluation: speaker-independent cross-validation and its report.

A digit recogniser is meant for people it has never heard, so the default split
keeps every speaker's clips on one side (leave one speaker out). A random split
or FSDD's official split puts every speaker in both training and test sets and
measures something easier; :func:`make_cv` warns when asked for one.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score
from sklearn.model_selection import (
    GroupKFold,
    LeaveOneGroupOut,
    PredefinedSplit,
    StratifiedKFold,
)
from sklearn.utils import _safe_indexing

from ._docstring import fill_doc
from .exceptions import SpeakerLeakWarning
from .utils._json import jsonable as _jsonable

# SpeakerLeakWarning lives in exceptions (documented there); imported above, so
# ``from sklearn_audiodigit.evaluation import SpeakerLeakWarning`` keeps working.
__all__ = [
    "CV_CHOICES",
    "make_cv",
    "EvaluationReport",
    "evaluate",
    "edit_distance",
    "digit_error_rate",
    "string_accuracy",
    "score_model",
    "evaluate_cross_corpus",
]

#: The cross-validation schemes of :func:`make_cv` (and ``audiodigit evaluate --cv``):
#: ``"speaker"``, leave one speaker out (the default, the honest estimate for new
#: speakers); ``"random"``, stratified ``n_splits``-fold; ``"official"``, FSDD's split by take
#: (takes 0-4 test). The last two put the same speakers in training and test.
CV_CHOICES = ("speaker", "random", "official")


@fill_doc
def make_cv(kind="speaker", *, speaker, take=None, target="digit", n_splits=5, random_state=0):
    """Build a cross-validation splitter and the ``groups`` it needs.

    Parameters
    ----------
    kind : {"speaker", "random", "official"}, default="speaker"
        ``"speaker"``: :class:`~sklearn.model_selection.LeaveOneGroupOut` over
        speakers, the speaker-independent estimate. ``"random"``: stratified
        ``n_splits``-fold over clips. ``"official"``: FSDD's published split, takes
        0-4 for testing and the rest for training. The last two warn with
        :class:`~sklearn_audiodigit.exceptions.SpeakerLeakWarning`. Ignored when
        ``target="speaker"``.
    speaker : array-like of shape (n_clips,)
        Speaker of each clip.
    take : array-like of shape (n_clips,) of int, default=None
        Take (repetition) number of each clip; needed by ``"official"`` and by
        ``target="speaker"``.
    target : {"digit", "speaker"}, default="digit"
        What is predicted. Speaker identification must see every speaker in
        training, so it is split by take instead:
        :class:`~sklearn.model_selection.GroupKFold` with the
        takes as groups (``n_splits`` folds), no take in both sets.
    n_splits : int, default=5
        Folds of the ``"random"`` and take-grouped splits.
    %(random_state)s
        Here: the seed of the ``"random"`` split's shuffle.

    Returns
    -------
    cv : cross-validation splitter
        Ready for ``cv.split(X, y, groups)``.
    groups : ndarray of shape (n_clips,) or None
        The groups to pass with it.
    description : str
        One line naming the split, for reports.

    Raises
    ------
    ValueError
        If ``kind`` or ``target`` is unknown, ``take`` is missing where needed,
        there are fewer than two speakers for ``"speaker"``, or ``"official"`` would
        leave its training or test set empty (the bundled sample holds takes 0-4
        only).
    """
    speaker = np.asarray(speaker)
    if target not in ("digit", "speaker"):
        raise ValueError(f"target must be 'digit' or 'speaker', got {target!r}")
    if target == "speaker":
        if take is None:
            raise ValueError("speaker identification is split by take: pass take=...")
        take = np.asarray(take)
        n = min(n_splits, len(np.unique(take)))
        return GroupKFold(n_splits=n), take, f"{n}-fold by take (every speaker in every fold)"
    if kind == "speaker":
        n_speakers = len(np.unique(speaker))
        if n_speakers < 2:
            raise ValueError(
                f"speaker-independent evaluation needs at least 2 speakers, got {n_speakers}"
            )
        return LeaveOneGroupOut(), speaker, f"leave one speaker out ({n_speakers} folds)"
    if kind == "random":
        warnings.warn(
            "cv='random' puts clips of the same speakers in training and test sets: "
            "the score overstates accuracy on new speakers (use cv='speaker')",
            SpeakerLeakWarning,
            stacklevel=2,
        )
        cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        return cv, None, f"random stratified {n_splits}-fold (speakers leak)"
    if kind == "official":
        if take is None:
            raise ValueError("the official split needs take=...")
        test_fold = np.where(np.asarray(take) < 5, 0, -1)
        if test_fold.min() == 0 and test_fold.max() == 0:
            raise ValueError(
                "the official split trains on takes >= 5, but every clip has a take in "
                "0-4 (the bundled sample is exactly FSDD's official test set); use "
                "cv='speaker', or the full data set"
            )
        if test_fold.min() == -1 and test_fold.max() == -1:
            raise ValueError("the official split tests on takes 0-4, but no clip has one")
        warnings.warn(
            "cv='official' (FSDD takes 0-4 as test) has every speaker in both training "
            "and test sets: the score overstates accuracy on new speakers (use cv='speaker')",
            SpeakerLeakWarning,
            stacklevel=2,
        )
        return PredefinedSplit(test_fold), None, "official split: takes 0-4 test (speakers leak)"
    raise ValueError(f"cv must be one of {CV_CHOICES}, got {kind!r}")


@dataclass
class EvaluationReport:
    """The outcome of :func:`evaluate`.

    Attributes
    ----------
    fold_accuracies : list of float
        Accuracy on each test fold.
    fold_f1_macro : list of float
        Macro-averaged F1 on each test fold.
    fold_seconds : list of float
        Wall-clock seconds to fit and predict each fold.
    fold_test_groups : list of list of str
        The groups (speakers, takes) held out in each fold, when groups were given.
    y_true, y_pred : ndarray of shape (n_tested,)
        Out-of-fold labels and predictions, every fold concatenated.
    labels : ndarray of shape (n_classes,)
        The sorted class labels.
    n_clips : int
        Clips in the data set.
    cv : str
        Description of the split.
    extra : dict
        Free-form description (model, data set, ...), kept in :meth:`to_dict`.
    groups : ndarray of shape (n_tested,) or None
        The group (speaker) of every tested clip, in ``y_true`` order, when groups
        were given: :meth:`per_group_accuracy` uses it.
    """

    fold_accuracies: list
    fold_f1_macro: list
    fold_seconds: list
    fold_test_groups: list
    y_true: np.ndarray
    y_pred: np.ndarray
    labels: np.ndarray
    n_clips: int
    cv: str
    extra: dict = field(default_factory=dict)
    groups: np.ndarray | None = None

    @property
    def accuracy_mean(self):
        """Mean of the per-fold accuracies."""
        return float(np.mean(self.fold_accuracies))

    @property
    def accuracy_std(self):
        """Standard deviation of the per-fold accuracies."""
        return float(np.std(self.fold_accuracies))

    @property
    def f1_macro_mean(self):
        """Mean of the per-fold macro-F1 scores."""
        return float(np.mean(self.fold_f1_macro))

    @property
    def f1_macro_std(self):
        """Standard deviation of the per-fold macro-F1 scores."""
        return float(np.std(self.fold_f1_macro))

    def confusion_matrix(self):
        """Confusion matrix of the out-of-fold predictions.

        Returns
        -------
        cm : ndarray of shape (n_classes, n_classes), dtype int64
            Rows are true labels, columns predicted labels, in ``labels`` order.
        """
        return confusion_matrix(self.y_true, self.y_pred, labels=self.labels)

    def per_class_accuracy(self):
        """Recall of each class over the out-of-fold predictions.

        Returns
        -------
        accuracy : ndarray of shape (n_classes,), dtype float64
            Fraction of each class's clips predicted correctly (NaN for a class
            that was never tested).
        """
        cm = self.confusion_matrix()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.diag(cm) / cm.sum(axis=1)

    def per_group_accuracy(self):
        """Accuracy on each group (speaker) of the tested clips.

        Returns
        -------
        accuracy : dict of str to float
            Group name to the fraction of its clips predicted correctly, in sorted
            group order; empty when the report has no groups.
        """
        if self.groups is None:
            return {}
        groups = np.asarray(self.groups).astype(str)
        ok = np.asarray(self.y_true) == np.asarray(self.y_pred)
        return {g: float(ok[groups == g].mean()) for g in np.unique(groups)}

    def worst_group(self):
        """The group (speaker) with the lowest accuracy, and that accuracy.

        Returns
        -------
        worst : tuple of (str, float) or None
            ``(group, accuracy)``; None when the report has no groups.
        """
        per = self.per_group_accuracy()
        if not per:
            return None
        name = min(per, key=per.get)
        return name, per[name]

    def classification_report(self):
        """Text classification report (scikit-learn's) of the out-of-fold predictions.

        Returns
        -------
        report : str
            Precision, recall, F1 and support per class.
        """
        return classification_report(
            self.y_true, self.y_pred, labels=self.labels, digits=3, zero_division=0
        )

    def to_dict(self):
        """The report as JSON-ready data.

        Returns
        -------
        report : dict
            ``accuracy_mean``, ``accuracy_std``, ``f1_macro_mean``,
            ``f1_macro_std``, ``fold_accuracies``, ``fold_f1_macro``,
            ``fold_seconds``, ``fold_test_groups``, ``n_clips``, ``cv``,
            ``labels``, ``per_class_accuracy``, ``confusion_matrix``,
            ``per_speaker`` (group name to accuracy; empty without groups),
            ``worst_speaker`` (``{"speaker": name, "accuracy": a}`` or None) and
            ``extra``.
        """
        worst = self.worst_group()
        return {
            "accuracy_mean": self.accuracy_mean,
            "accuracy_std": self.accuracy_std,
            "f1_macro_mean": self.f1_macro_mean,
            "f1_macro_std": self.f1_macro_std,
            "fold_accuracies": [float(a) for a in self.fold_accuracies],
            "fold_f1_macro": [float(a) for a in self.fold_f1_macro],
            "fold_seconds": [round(float(s), 3) for s in self.fold_seconds],
            "fold_test_groups": self.fold_test_groups,
            "n_clips": int(self.n_clips),
            "cv": self.cv,
            "labels": [_jsonable(v) for v in self.labels],
            "per_class_accuracy": [
                None if np.isnan(a) else float(a) for a in self.per_class_accuracy()
            ],
            "confusion_matrix": self.confusion_matrix().tolist(),
            "per_speaker": self.per_group_accuracy(),
            "worst_speaker": None if worst is None else {"speaker": worst[0], "accuracy": worst[1]},
            "extra": self.extra,
        }


def _prediction_model(model):
    """``model`` without the calibration that cannot change its predictions.

    A ``CalibratedClassifierCV(method="temperature", ensemble=False)`` predicts the
    argmax of the softmax of its estimator's decision values divided by one
    positive temperature, that is the argmax of those decision values, from one
    fit of the estimator on all the data: the estimator alone predicts the same
    labels (up to exact ties) without the calibration folds.
    """
    from sklearn.calibration import CalibratedClassifierCV

    if (
        isinstance(model, CalibratedClassifierCV)
        and model.method == "temperature"
        and model.ensemble is False
    ):
        return model.estimator
    return model


def _fit_predict_fold(model, X, y, train, test, fit_params, fit_groups):
    start = time.perf_counter()
    est = clone(model)
    fit_params = dict(fit_params)
    if fit_groups is not None:
        name, groups = fit_groups
        fit_params[name] = groups[train]
    est.fit(_safe_indexing(X, train), y[train], **fit_params)
    pred = est.predict(_safe_indexing(X, test))
    return pred, time.perf_counter() - start


@fill_doc
def evaluate(
    model,
    X,
    y,
    *,
    cv,
    groups=None,
    n_jobs=None,
    fit_params=None,
    fit_groups=None,
    progress=False,
    description=None,
):
    """Cross-validate ``model`` and keep everything a report needs.

    Parameters
    ----------
    model : estimator
        Unfitted classifier or pipeline taking ``X``.
    X : array-like or sequence of length n_clips
        Model input (waveforms, paths or features).
    y : array-like of shape (n_clips,)
        Labels.
    cv : cross-validation splitter
        E.g. from :func:`make_cv`.
    groups : array-like of shape (n_clips,) or None, default=None
        Groups for the splitter (speakers for leave-one-speaker-out).
    %(n_jobs)s
        Here: folds fitted in parallel (joblib processes; the progress bar then
        advances as folds finish, in order).
    fit_params : dict or None, default=None
        Passed to ``model.fit`` on every fold.
    fit_groups : tuple of (str, array-like of shape (n_clips,)) or None, default=None
        ``(name, groups)``: each fold's fit also gets ``name=groups[train]``, the
        groups of its own training clips (e.g. speakers, so that a network's
        early-stopping split inside the fold is speaker-independent too).
    progress : bool, default=False
        Show a tqdm progress bar over the folds.
    description : str or None, default=None
        Description of the split stored in the report.

    Returns
    -------
    report : EvaluationReport
        Per-fold scores and the out-of-fold predictions.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` differ in length, the splitter yields no fold, or a
        fold has an empty training or test set.

    Notes
    -----
    The report needs predicted labels only, never probabilities, so a ``model``
    that is a ``CalibratedClassifierCV(method="temperature", ensemble=False)`` (the
    ``"svc"`` and ``"embed-svc"`` models of :func:`~sklearn_audiodigit.pipelines.make_model`)
    is evaluated through its ``estimator`` alone: temperature scaling divides the
    decision values by one positive number, which keeps their argmax, so the
    calibration folds (three extra fits per fold) would not change a prediction.
    """
    from joblib import Parallel, delayed

    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} clips but y has {len(y)} labels")
    splits = list(cv.split(np.zeros(len(y)), y, groups))
    if not splits:
        raise ValueError("the cross-validation splitter yielded no fold")
    for i, (train, test) in enumerate(splits):
        if len(train) == 0 or len(test) == 0:
            side = "training" if len(train) == 0 else "test"
            raise ValueError(f"fold {i + 1} of the cross-validation has an empty {side} set")
    fit_params = fit_params or {}
    if fit_groups is not None:
        fit_groups = (fit_groups[0], np.asarray(fit_groups[1]))
    model = _prediction_model(model)
    jobs = (
        delayed(_fit_predict_fold)(model, X, y, tr, te, fit_params, fit_groups) for tr, te in splits
    )
    if n_jobs in (None, 1):
        iterator = (fn(*args, **kw) for fn, args, kw in jobs)
    else:
        iterator = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, total=len(splits), desc="Cross-validation", unit="fold")
    results = list(iterator)
    labels = np.unique(y)
    accs, f1s, secs, held, yt, yp = [], [], [], [], [], []
    for (_, test), (pred, sec) in zip(splits, results, strict=True):
        accs.append(accuracy_score(y[test], pred))
        f1s.append(f1_score(y[test], pred, labels=labels, average="macro", zero_division=0))
        secs.append(sec)
        held.append([] if groups is None else sorted(map(str, np.unique(np.asarray(groups)[test]))))
        yt.append(y[test])
        yp.append(pred)
    return EvaluationReport(
        fold_accuracies=accs,
        fold_f1_macro=f1s,
        fold_seconds=secs,
        fold_test_groups=held,
        y_true=np.concatenate(yt),
        y_pred=np.concatenate(yp),
        labels=labels,
        n_clips=len(y),
        cv=description or type(cv).__name__,
        groups=None
        if groups is None
        else np.concatenate([np.asarray(groups)[te] for _, te in splits]),
    )


def edit_distance(reference, hypothesis):
    """Levenshtein distance between two sequences: substitutions + deletions + insertions.

    Parameters
    ----------
    reference, hypothesis : str or sequence
        Two digit strings (``"4155"``) or sequences of labels.

    Returns
    -------
    distance : int
        The fewest single-item edits that turn ``reference`` into
        ``hypothesis``.

    Examples
    --------
    >>> edit_distance("4155550199", "415550199")
    1
    """
    ref, hyp = list(reference), list(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def _check_pairs(y_true, y_pred):
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must hold as many strings: {len(y_true)} != {len(y_pred)}"
        )
    if not y_true:
        raise ValueError("y_true and y_pred are empty")
    return y_true, y_pred


def digit_error_rate(y_true, y_pred):
    """Digit error rate of transcribed digit strings (the word error rate of digits).

    The edit distance between each reference and its transcription (digits
    substituted, deleted and inserted), summed over all strings and divided by
    the number of reference digits, as the word error rate of speech
    recognition is (NIST sclite).

    Parameters
    ----------
    y_true : sequence of str, length n_strings
        Reference digit strings, e.g. ``["4155550199", "1234"]``.
    y_pred : sequence of str, length n_strings
        Transcribed digit strings (``""`` for a recording where none was found).

    Returns
    -------
    rate : float
        Errors per reference digit; 0 is perfect and the rate can exceed 1 when
        digits are inserted.

    Raises
    ------
    ValueError
        If the two sequences differ in length, are empty, or the references hold
        no digit.

    Examples
    --------
    >>> digit_error_rate(["4155", "1234"], ["415", "1284"])
    0.25
    """
    y_true, y_pred = _check_pairs(y_true, y_pred)
    n_ref = sum(len(t) for t in y_true)
    if n_ref == 0:
        raise ValueError("the reference strings hold no digit")
    return sum(edit_distance(t, p) for t, p in zip(y_true, y_pred, strict=True)) / n_ref


def string_accuracy(y_true, y_pred):
    """Fraction of digit strings transcribed exactly (every digit, nothing more).

    Parameters
    ----------
    y_true : sequence of str, length n_strings
        Reference digit strings.
    y_pred : sequence of str, length n_strings
        Transcribed digit strings.

    Returns
    -------
    accuracy : float
        In [0, 1].

    Raises
    ------
    ValueError
        If the two sequences differ in length or are empty.

    Examples
    --------
    >>> string_accuracy(["4155", "1234"], ["4155", "1284"])
    0.5
    """
    y_true, y_pred = _check_pairs(y_true, y_pred)
    return float(np.mean([str(t) == str(p) for t, p in zip(y_true, y_pred, strict=True)]))


def score_model(model, X, y, *, groups=None, description="held-out test set"):
    """Score a fitted model on a labelled test set, e.g. another corpus.

    The cross-corpus protocol: a model trained on one corpus (say FSDD) is
    scored on recordings of other people and microphones. The report has one
    "fold" (the whole test set) and, with ``groups``, the accuracy of every
    speaker and the worst one.

    Parameters
    ----------
    model : fitted estimator
        A classifier taking ``X`` (e.g. loaded with
        :func:`~sklearn_audiodigit.persistence.load_model`).
    X : array-like or sequence of length n_clips
        Model input (waveforms at the model's rate, paths or features).
    y : array-like of shape (n_clips,)
        True labels.
    groups : array-like of shape (n_clips,) or None, default=None
        Speaker of every clip, for the per-speaker accuracies.
    description : str, default="held-out test set"
        Description of the test set stored in the report (``cv``).

    Returns
    -------
    report : EvaluationReport
        Accuracy, macro-F1, confusion matrix, per-speaker accuracy (with
        ``groups``); ``fold_seconds`` holds the prediction time. Labels that the
        model predicts but the test set lacks are among ``labels``.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` differ in length or are empty.
    """
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} clips but y has {len(y)} labels")
    if len(y) == 0:
        raise ValueError("the test set is empty")
    start = time.perf_counter()
    pred = np.asarray(model.predict(X))
    seconds = time.perf_counter() - start
    labels = np.unique(np.concatenate([y, pred]))
    held = [] if groups is None else sorted(map(str, np.unique(np.asarray(groups))))
    return EvaluationReport(
        fold_accuracies=[accuracy_score(y, pred)],
        fold_f1_macro=[f1_score(y, pred, labels=np.unique(y), average="macro", zero_division=0)],
        fold_seconds=[seconds],
        fold_test_groups=[held],
        y_true=y,
        y_pred=pred,
        labels=labels,
        n_clips=len(y),
        cv=description,
        groups=None if groups is None else np.asarray(groups),
    )


def evaluate_cross_corpus(
    model,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    test_groups=None,
    fit_params=None,
    description="train on one corpus, test on another",
):
    """Train a copy of ``model`` on one corpus and score it on another.

    Parameters
    ----------
    model : estimator
        Unfitted classifier or pipeline (it is cloned). A
        ``CalibratedClassifierCV(method="temperature", ensemble=False)`` is trained
        without its calibration, which cannot change a label (see :func:`evaluate`).
    X_train : array-like or sequence of length n_train
        Training input (e.g. FSDD waveforms).
    y_train : array-like of shape (n_train,)
        Training labels.
    X_test : array-like or sequence of length n_test
        Test input from the other corpus, at the same rate.
    y_test : array-like of shape (n_test,)
        Test labels.
    test_groups : array-like of shape (n_test,) or None, default=None
        Speaker of every test clip, for the per-speaker accuracies.
    fit_params : dict or None, default=None
        Passed to ``fit``.
    description : str, default="train on one corpus, test on another"
        Stored in the report (``cv``).

    Returns
    -------
    report : EvaluationReport
        As :func:`score_model`; ``fold_seconds`` holds fit plus prediction time.

    Raises
    ------
    ValueError
        If a training or test set is empty or its input and labels differ in
        length.
    """
    y_train = np.asarray(y_train)
    if len(X_train) != len(y_train) or len(y_train) == 0:
        raise ValueError(
            f"the training set has {len(X_train)} clips and {len(y_train)} labels; "
            "it must be non-empty and of equal lengths"
        )
    start = time.perf_counter()
    # labels only: a temperature calibration would not change one (see evaluate)
    est = clone(_prediction_model(model)).fit(X_train, y_train, **(fit_params or {}))
    report = score_model(est, X_test, y_test, groups=test_groups, description=description)
    report.fold_seconds = [time.perf_counter() - start]
    return report
