"""Tests of speed perturbation, spectral tilt and SpeedPerturbedClassifier on real and
synthetic audio (the bundled FSDD sample)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

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


def test_default_is_the_augmented_pipeline():
    model = make_svc_pipeline()
    assert isinstance(model, SpeedPerturbedClassifier)
    assert model.factors == (0.9, 1.0, 1.1) and model.tilts == (-0.7, 0.7)
    assert model.calibration == "temperature" and model.test_time
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
    scores = clf.decision_function(X_test)
    assert scores.shape == (len(X_test), 10)
    np.testing.assert_array_equal(pred, clf.classes_[scores.argmax(axis=1)])
    assert clf.temperature_ > 0
    assert clf.score(X_test, y_test) > 0.1  # far above chance on 50 clips; no threshold


def test_predictions_average_the_speed_copies(fitted):
    clf, X_test, _ = fitted
    by_hand = np.mean(
        [clf.estimator_.decision_function(speed_perturb(X_test, f)) for f in (0.9, 1.0, 1.1)],
        axis=0,
    )
    # the copies are featurised in one batch there and one by one here: float32 features
    # agree within ~1e-7 relative (the feature contract is a tolerance), not bit for bit
    np.testing.assert_allclose(clf.decision_function(X_test), by_hand, rtol=1e-6)
    z = by_hand / clf.temperature_
    expected = np.exp(z - z.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-6)


def test_fit_is_deterministic(split, fitted):
    X, y, X_test, _ = split
    clf, _, _ = fitted
    again = make_svc_pipeline(random_state=0).fit(X, y)
    assert again.temperature_ == clf.temperature_
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
    clf, X_test, _ = fitted
    plain = clone(clf).set_params(test_time=False)
    plain.estimator_ = clf.estimator_
    plain.classes_ = clf.classes_
    plain.temperature_ = clf.temperature_
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
    np.testing.assert_allclose(clf.predict_proba(X_test), by_hand)
    # the inner calibrated SVC has no decision_function: predict uses the probabilities
    assert not hasattr(clf, "decision_function")
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[by_hand.argmax(axis=1)])


def test_binary_problem_with_temperature(fsdd_sample):
    keep = np.isin(fsdd_sample.target, [3, 6])
    X, y = fsdd_sample.data[keep], fsdd_sample.target[keep]
    clf = make_svc_pipeline().fit(X[::2], y[::2])
    scores = clf.decision_function(X[1::2])
    assert scores.shape == (len(X[1::2]),)
    proba = clf.predict_proba(X[1::2])
    assert proba.shape == (len(X[1::2]), 2)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores / clf.temperature_)))
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
    with pytest.raises(ValueError, match="decision_function"):
        SpeedPerturbedClassifier(inner, calibration="temperature").fit(X, y)
    # 3 calibration folds need 3 clips of every class
    few = np.r_[np.flatnonzero(fsdd_sample.target == 0)[:2], np.flatnonzero(y == 1)[:5]]
    with pytest.raises(ValueError, match="at least 3 clips"):
        make_svc_pipeline().fit(fsdd_sample.data[few], fsdd_sample.target[few])


def test_safe_round_trip(tmp_path, fitted):
    from sklearn_audiodigit.persistence import load_model, read_model_metadata, save_model

    clf, X_test, _ = fitted
    save_model(clf, tmp_path / "speed.model")
    meta = read_model_metadata(tmp_path / "speed.model")
    assert meta["sr"] == 8000
    assert meta["estimator"].startswith("SpeedPerturbedClassifier(Pipeline(trim=TrimSilence")
    assert meta["feature_settings"]["wrapper"]["params"]["tilts"] == [-0.7, 0.7]
    assert meta["feature_settings"]["features"]["params"]["n_mels"] == 16
    loaded = load_model(tmp_path / "speed.model")
    np.testing.assert_array_equal(loaded.predict(X_test), clf.predict(X_test))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
