"""Tests of speed perturbation, spectral tilt and SpeedPerturbedClassifier on real and
synthetic audio (the bundled FSDD sample)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from sklearn_audiodigit.augmentation import (
    SpeedPerturbedClassifier,
    spectral_tilt,
    speed_perturb,
)
from sklearn_audiodigit.pipelines import make_svc_pipeline

SR = 8000


def _peak_hz(x, sr=SR):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / sr)[np.argmax(spec)]


@pytest.mark.parametrize("factor", [0.9, 1.1, 1.25])
def test_speed_perturb_scales_duration_and_pitch(factor):
    t = np.arange(SR) / SR
    x = (0.5 * np.sin(2 * np.pi * 500 * t)).astype(np.float32)
    (y,) = speed_perturb([x, x[:100]], factor)[:1]
    assert y.dtype == np.float32
    assert abs(len(y) - round(SR / factor)) <= 1
    assert _peak_hz(y) == pytest.approx(500 * factor, rel=0.01)


def test_speed_perturb_factor_one_is_identity_and_bad_factor_raises():
    x = np.random.default_rng(0).uniform(-1, 1, 300).astype(np.float32)
    np.testing.assert_array_equal(speed_perturb([x], 1.0)[0], x)
    with pytest.raises(ValueError, match="factor"):
        speed_perturb([x], 0.0)


# -- spectral_tilt ----------------------------------------------------------------------


@pytest.mark.parametrize("coef", [-0.7, 0.3, 0.7])
@pytest.mark.parametrize("freq", [250.0, 1000.0, 3500.0])
def test_spectral_tilt_gain_is_the_first_order_filter_response(tone, coef, freq):
    x = tone(freq, duration=0.5)
    (y,) = spectral_tilt([x], coef)
    assert y.dtype == np.float32 and y.shape == x.shape
    w = 2 * np.pi * freq / SR
    expected = abs(1 - coef * np.exp(-1j * w))
    # steady state, away from the first sample
    rms = np.sqrt(np.mean(y[400:] ** 2)) / np.sqrt(np.mean(x[400:] ** 2))
    assert rms == pytest.approx(expected, rel=0.02)


def test_spectral_tilt_on_real_clips_keeps_lengths(fsdd_clips):
    out = spectral_tilt(fsdd_clips, -0.7)
    assert out.dtype == object and len(out) == len(fsdd_clips)
    for x, y in zip(fsdd_clips, out, strict=True):
        assert y.dtype == np.float32 and y.shape == x.shape
        np.testing.assert_allclose(y[1:], x[1:] + 0.7 * x[:-1], atol=1e-6)
        assert y[0] == x[0]


def test_spectral_tilt_zero_is_identity_and_bad_coef_raises(fsdd_clips):
    np.testing.assert_array_equal(spectral_tilt(fsdd_clips[:1], 0.0)[0], fsdd_clips[0])
    for bad in (1.0, -1.0, 2.0, np.nan):
        with pytest.raises(ValueError, match="coef"):
            spectral_tilt(fsdd_clips[:1], bad)


# -- SpeedPerturbedClassifier -----------------------------------------------------------


@pytest.fixture(scope="module")
def split(fsdd_sample):
    X, y = fsdd_sample.data, fsdd_sample.target
    train = fsdd_sample.speaker != "theo"
    return X[train], y[train], X[~train], y[~train]


@pytest.fixture(scope="module")
def fitted(split):
    """The default model (speed + tilt copies, temperature) on 5 speakers of the sample."""
    X, y, X_test, y_test = split
    return make_svc_pipeline(random_state=0).fit(X, y), X_test, y_test


def _augmented(model):
    """The fitted SpeedPerturbedClassifier inside the default model's calibration."""
    (calibrated,) = model.calibrated_classifiers_
    return calibrated.estimator


def _temperature(model):
    return 1.0 / float(model.calibrated_classifiers_[0].calibrators[0].beta_)


def test_default_is_the_augmented_pipeline():
    calibrated = make_svc_pipeline()
    assert isinstance(calibrated, CalibratedClassifierCV)
    assert calibrated.method == "temperature" and calibrated.cv == 3
    assert calibrated.ensemble is False
    model = calibrated.estimator
    assert isinstance(model, SpeedPerturbedClassifier)
    assert model.factors == (0.9, 1.0, 1.1) and model.tilts == (-0.7, 0.7)
    assert model.calibration is None and model.test_time
    assert [name for name, _ in model.estimator.steps] == [
        "trim",
        "features",
        "scale",
        "classifier",
    ]
    plain = make_svc_pipeline(augment=False)
    assert isinstance(plain, Pipeline)
    assert type(plain[-1]).__name__ == "CalibratedClassifierCV"
    assert (
        plain[:-1].get_params(deep=False).keys()
        == model.estimator[:-1].get_params(deep=False).keys()
    )


def test_default_predicts_an_unseen_speaker(fitted):
    clf, X_test, y_test = fitted
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = clf.predict(X_test)
    assert pred.shape == (len(X_test),)
    # one temperature for every class keeps the argmax of the decision values
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    scores = _augmented(clf).decision_function(X_test)
    assert scores.shape == (len(X_test), 10)
    np.testing.assert_array_equal(pred, clf.classes_[scores.argmax(axis=1)])
    np.testing.assert_array_equal(pred, _augmented(clf).predict(X_test))
    assert _temperature(clf) > 0
    assert clf.score(X_test, y_test) > 0.1  # far above chance on 50 clips; no threshold


def test_predictions_average_the_speed_copies(fitted):
    model, X_test, _ = fitted
    clf = _augmented(model)
    by_hand = np.mean(
        [clf.estimator_.decision_function(speed_perturb(X_test, f)) for f in (0.9, 1.0, 1.1)],
        axis=0,
    )
    # the copies are featurised in one batch there and one by one here: float32 features
    # agree within ~1e-7 relative (the feature contract is a tolerance), not bit for bit
    np.testing.assert_allclose(clf.decision_function(X_test), by_hand, rtol=1e-6)
    z = by_hand / _temperature(model)
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X_test), expected, rtol=1e-6)


def test_fit_is_deterministic(split, fitted):
    X, y, X_test, _ = split
    clf, _, _ = fitted
    again = make_svc_pipeline(random_state=0).fit(X, y)
    assert _temperature(again) == _temperature(clf)
    np.testing.assert_array_equal(again.predict_proba(X_test), clf.predict_proba(X_test))


class _Recorder(LogisticRegression):
    """Records the features seen by fit and by decision_function."""

    def fit(self, X, y, sample_weight=None):
        self.fit_X_ = X
        self.fit_weights_ = sample_weight
        return super().fit(X, y, sample_weight=sample_weight)

    def decision_function(self, X):
        self.calls_ = getattr(self, "calls_", []) + [X]
        return super().decision_function(X)


def _summary(X):
    """Waveforms -> [mean, rms, duration in s]: features that show which copy is seen."""
    return np.array([[np.mean(x), np.sqrt(np.mean(np.square(x))), len(x) / SR] for x in X])


def _inner():
    return make_pipeline(FunctionTransformer(_summary), _Recorder(max_iter=1000))


def test_copies_speed_and_tilt_in_fit_speed_only_in_predict(fsdd_sample):
    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    clf = SpeedPerturbedClassifier(_inner(), factors=(0.9, 1.0, 1.1), tilts=(-0.7, 0.7))
    weights = np.arange(40, dtype=float)
    clf.fit(X, y, _recorder__sample_weight=weights)
    rec = clf.estimator_[-1]
    # 3 speeds, then 2 tilts at the original speed; weights repeated for each copy
    expected = np.concatenate(
        [_summary(speed_perturb(X, f)) for f in (0.9, 1.0, 1.1)]
        + [_summary(spectral_tilt(X, t)) for t in (-0.7, 0.7)]
    )
    np.testing.assert_array_equal(rec.fit_X_, expected)
    np.testing.assert_array_equal(rec.fit_weights_, np.concatenate([weights] * 5))
    # prediction: one copy per speed factor, never a tilted one, in one call
    rec.calls_ = []
    clf.predict(X[:5])
    assert len(rec.calls_) == 1
    expected = np.concatenate([_summary(speed_perturb(X[:5], f)) for f in (0.9, 1.0, 1.1)])
    np.testing.assert_array_equal(rec.calls_[0], expected)
    clf.set_params(test_time=False)
    rec.calls_ = []
    clf.predict(X[:5])
    assert len(rec.calls_) == 1
    np.testing.assert_array_equal(rec.calls_[0], _summary(X[:5]))


def test_test_time_false_predicts_on_the_clips_as_they_are(fitted):
    model, X_test, _ = fitted
    clf = _augmented(model)
    plain = clone(clf).set_params(test_time=False)
    plain.estimator_ = clf.estimator_
    plain.classes_ = clf.classes_
    np.testing.assert_allclose(
        plain.decision_function(X_test), clf.estimator_.decision_function(X_test)
    )


def test_without_calibration_probabilities_average_the_inner_ones(split):
    X, y, X_test, _ = split
    inner = make_svc_pipeline(augment=False)
    clf = SpeedPerturbedClassifier(inner, factors=(0.95, 1.0)).fit(X[::2], y[::2])
    assert not hasattr(clf, "temperature_")
    by_hand = np.mean(
        [clf.estimator_.predict_proba(speed_perturb(X_test, f)) for f in (0.95, 1.0)], axis=0
    )
    # the wrapper featurises both speeds in one batch, by hand one at a time: float32
    # products that round by ~1e-7 relative with the batch (tests/test_common.py)
    np.testing.assert_allclose(clf.predict_proba(X_test), by_hand, rtol=1e-6)
    # the inner calibrated SVC has no decision_function: predict uses the probabilities
    assert not hasattr(clf, "decision_function")
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[by_hand.argmax(axis=1)])


def test_binary_problem_with_temperature(fsdd_sample):
    keep = np.isin(fsdd_sample.target, [3, 6])
    X, y = fsdd_sample.data[keep], fsdd_sample.target[keep]
    clf = make_svc_pipeline().fit(X[::2], y[::2])
    scores = _augmented(clf).decision_function(X[1::2])
    assert scores.shape == (len(X[1::2]),)
    proba = clf.predict_proba(X[1::2])
    assert proba.shape == (len(X[1::2]), 2)
    # scikit-learn's binary logits are (-d, d): softmax gives sigmoid(2 d / T)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-2 * scores / _temperature(clf))))
    np.testing.assert_array_equal(clf.predict(X[1::2]), clf.classes_[(scores > 0).astype(int)])


def test_invalid_parameters_and_lengths(fsdd_sample):
    X, y = fsdd_sample.data[:30], fsdd_sample.target[:30]
    inner = make_svc_pipeline(augment=False)
    with pytest.raises(ValueError, match="factors"):
        SpeedPerturbedClassifier(inner, factors=(1.0, -0.5)).fit(X, y)
    with pytest.raises(ValueError, match="tilts"):
        SpeedPerturbedClassifier(inner, tilts=(1.5,)).fit(X, y)
    with pytest.raises(ValueError, match="labels"):
        SpeedPerturbedClassifier(inner).fit(X, y[:-1])
    with pytest.raises(ValueError, match="calibration"):
        SpeedPerturbedClassifier(inner, calibration="isotonic").fit(X, y)
    # the calibrated SVC of the plain pipeline has no decision_function
    with (
        pytest.raises(ValueError, match="decision_function"),
        pytest.warns(FutureWarning, match="deprecated"),
    ):
        SpeedPerturbedClassifier(inner, calibration="temperature").fit(X, y)
    # 3 calibration folds need 3 clips of every class
    few = np.r_[np.flatnonzero(fsdd_sample.target == 0)[:2], np.flatnonzero(y == 1)[:5]]
    with pytest.raises(ValueError, match="less than 3 examples"):
        make_svc_pipeline().fit(fsdd_sample.data[few], fsdd_sample.target[few])


def test_safe_round_trip(tmp_path, fitted):
    from sklearn_audiodigit.persistence import load_model, read_model_metadata, save_model

    clf, X_test, _ = fitted
    save_model(clf, tmp_path / "speed.model")
    meta = read_model_metadata(tmp_path / "speed.model")
    assert meta["sr"] == 8000
    assert meta["estimator"].startswith(
        "CalibratedClassifierCV(SpeedPerturbedClassifier(Pipeline(trim=TrimSilence"
    )
    assert meta["feature_settings"]["wrapper"]["params"]["tilts"] == [-0.7, 0.7]
    assert meta["feature_settings"]["calibration"]["params"]["method"] == "temperature"
    assert meta["feature_settings"]["features"]["params"]["n_mels"] == 16
    loaded = load_model(tmp_path / "speed.model")
    np.testing.assert_array_equal(loaded.predict(X_test), clf.predict(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))


# --- metadata routing, the composed calibration and the deprecated one -------------


class _WaveRecorder(_Recorder):
    """A classifier on waveforms (summarised inside) that records its fit weights."""

    def fit(self, X, y, sample_weight=None):
        return super().fit(_summary(X), y, sample_weight=sample_weight)

    def decision_function(self, X):
        return super().decision_function(_summary(X))

    def predict(self, X):
        return super().predict(_summary(X))

    def predict_proba(self, X):
        return super().predict_proba(_summary(X))


def _routed_inner():
    return make_pipeline(
        FunctionTransformer(_summary),
        _Recorder(max_iter=1000).set_fit_request(sample_weight=True),
    )


def test_routing_repeats_sample_weight_for_every_copy(fsdd_sample):
    import sklearn

    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    weights = np.linspace(0.5, 2.0, 40)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = SpeedPerturbedClassifier(_routed_inner(), factors=(0.9, 1.0), tilts=(0.5,))
        clf.fit(X, y, sample_weight=weights)
        routing = clf.get_metadata_routing()
    np.testing.assert_array_equal(clf.estimator_[-1].fit_weights_, np.tile(weights, 3))
    assert "sample_weight" in str(routing)


def test_routing_refuses_metadata_nobody_requested(fsdd_sample):
    import sklearn
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    with sklearn.config_context(enable_metadata_routing=True):
        clf = SpeedPerturbedClassifier(_inner(), factors=(1.0,))
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            clf.fit(X, y, sample_weight=np.ones(40))
        # without metadata, nothing is routed and the fit works
        assert clf.fit(X, y).estimator_[-1].fit_weights_ is None


def test_routing_through_the_calibration_splits_then_repeats(fsdd_sample):
    """CalibratedClassifierCV splits the clips' weights by fold; each fit repeats its own."""
    import sklearn

    X, y = fsdd_sample.data[:60], fsdd_sample.target[:60]
    weights = np.arange(1, 61, dtype=float)
    with sklearn.config_context(enable_metadata_routing=True):
        model = CalibratedClassifierCV(
            SpeedPerturbedClassifier(_routed_inner(), factors=(0.9, 1.1)),
            method="temperature",
            cv=3,
            ensemble=False,
        ).fit(X, y, sample_weight=weights)
    final = model.calibrated_classifiers_[0].estimator
    np.testing.assert_array_equal(final.estimator_[-1].fit_weights_, np.tile(weights, 2))


def test_without_routing_sample_weight_goes_to_the_inner_fit(fsdd_sample):
    X, y = fsdd_sample.data[:60], fsdd_sample.target[:60]
    weights = np.arange(1, 61, dtype=float)
    clf = SpeedPerturbedClassifier(_WaveRecorder(max_iter=1000), factors=(0.9, 1.0, 1.1))
    clf.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(clf.estimator_.fit_weights_, np.tile(weights, 3))
    # scikit-learn's CalibratedClassifierCV passes it on (fit takes sample_weight)
    model = CalibratedClassifierCV(clone(clf), method="temperature", ensemble=False)
    model.fit(X, y, sample_weight=weights)
    final = model.calibrated_classifiers_[0].estimator
    np.testing.assert_array_equal(final.estimator_.fit_weights_, np.tile(weights, 3))


def test_composed_calibration_keeps_predict_and_splits_original_clips(split):
    """The folds of CalibratedClassifierCV hold original clips; every fold fit copies its own."""
    X, y, X_test, _ = split
    fold_sizes = []

    class Counting(SpeedPerturbedClassifier):
        def fit(self, X, y, sample_weight=None, **fit_params):
            fold_sizes.append(len(X))
            return super().fit(X, y, sample_weight=sample_weight, **fit_params)

    inner = make_svc_pipeline(augment=False).set_params(classifier=SVC(C=10.0))
    augmented = Counting(inner, factors=(0.9, 1.0, 1.1), tilts=(-0.7, 0.7))
    model = CalibratedClassifierCV(augmented, method="temperature", cv=3, ensemble=False)
    model.fit(X, y)
    # 3 calibration fits on 2/3 of the original clips each, then one on all of them
    assert sorted(fold_sizes)[-1] == len(X) and len(fold_sizes) == 4
    assert sum(fold_sizes[:3]) == 2 * len(X)
    fitted = model.calibrated_classifiers_[0].estimator
    assert fitted.estimator_[-1].shape_fit_[0] == 5 * len(X)  # the copies, made in fit
    alone = clone(augmented).fit(X, y)
    np.testing.assert_array_equal(model.predict(X_test), alone.predict(X_test))
    proba = model.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], alone.predict(X_test))


def test_deprecated_calibration_still_works_and_matches_the_composition(split):
    X, y, X_test, _ = split
    inner = make_svc_pipeline(augment=False).set_params(classifier=SVC(C=10.0))
    old = SpeedPerturbedClassifier(inner, factors=(0.9, 1.1), calibration="temperature")
    with pytest.warns(FutureWarning, match="CalibratedClassifierCV"):
        old.fit(X, y)
    new = CalibratedClassifierCV(
        SpeedPerturbedClassifier(inner, factors=(0.9, 1.1)),
        method="temperature",
        cv=3,
        ensemble=False,
    ).fit(X, y)
    # the same folds (stratified, unshuffled), the same log loss: the same temperature
    beta = float(new.calibrated_classifiers_[0].calibrators[0].beta_)
    assert old.temperature_ == pytest.approx(1.0 / beta, rel=1e-3)
    np.testing.assert_array_equal(old.predict(X_test), new.predict(X_test))
    np.testing.assert_allclose(old.predict_proba(X_test), new.predict_proba(X_test), atol=1e-3)


def test_a_file_of_the_self_calibrating_layout_still_loads(tmp_path, fsdd_sample):
    """Files saved before the composition: the wrapper calibrated itself, no feature_cache."""
    from sklearn_audiodigit.persistence import load_model, save_model

    X, y = fsdd_sample.data[::3], fsdd_sample.target[::3]
    inner = make_svc_pipeline(augment=False).set_params(classifier=SVC(C=10.0))
    with pytest.warns(FutureWarning):
        old = SpeedPerturbedClassifier(inner, factors=(0.9, 1.1), calibration="temperature")
        old.fit(X, y)
    save_model(old, tmp_path / "old.model")
    loaded = load_model(tmp_path / "old.model")
    assert loaded.calibration == "temperature" and loaded.temperature_ == old.temperature_
    np.testing.assert_array_equal(loaded.predict(X[:20]), old.predict(X[:20]))
    np.testing.assert_allclose(loaded.predict_proba(X[:20]), old.predict_proba(X[:20]))
    # the older class had no feature_cache: its state loads with the default
    state = old.__getstate__()
    del state["feature_cache"]
    older = SpeedPerturbedClassifier.__new__(SpeedPerturbedClassifier)
    older.__setstate__(state)
    assert older.feature_cache is True
    np.testing.assert_allclose(older.predict_proba(X[:20]), old.predict_proba(X[:20]))
