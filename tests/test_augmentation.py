"""Tests of speed perturbation and SpeedPerturbedClassifier on real and synthetic audio."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_audiodigit import MFCCExtractor
from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier, speed_perturb
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


@pytest.fixture(scope="module")
def fitted(fsdd_sample):
    X, y = fsdd_sample.data, fsdd_sample.target
    train = fsdd_sample.speaker != "theo"
    clf = SpeedPerturbedClassifier(make_svc_pipeline(random_state=0)).fit(X[train], y[train])
    return clf, X[~train], y[~train]


def test_classifier_predicts_unseen_speaker(fitted):
    clf, X_test, y_test = fitted
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    pred = clf.predict(X_test)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # a held-out speaker, 50 clips: far above the 0.1 of chance
    assert (pred == y_test).mean() > 0.6


def test_inner_model_is_trained_on_every_copy(fsdd_sample):
    seen = {}

    class Recorder(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen["n"] = len(X)
            seen["sw"] = sample_weight
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    inner = make_pipeline(MFCCExtractor(output="grid"), Recorder(max_iter=200))
    weights = np.arange(40, dtype=float)
    clf = SpeedPerturbedClassifier(inner, factors=(0.9, 1.0, 1.1))
    clf.fit(X, y, recorder__sample_weight=weights)
    assert seen["n"] == 120
    np.testing.assert_array_equal(seen["sw"], np.concatenate([weights] * 3))


def test_test_time_false_predicts_on_the_clips_as_they_are(fitted):
    clf, X_test, _ = fitted
    plain = clone(clf).set_params(test_time=False)
    plain.estimator_ = clf.estimator_
    plain.classes_ = clf.classes_
    np.testing.assert_allclose(plain.predict_proba(X_test), clf.estimator_.predict_proba(X_test))


def test_invalid_factors_and_lengths(fsdd_sample):
    X, y = fsdd_sample.data[:20], fsdd_sample.target[:20]
    with pytest.raises(ValueError, match="factors"):
        SpeedPerturbedClassifier(make_svc_pipeline(), factors=(1.0, -0.5)).fit(X, y)
    with pytest.raises(ValueError, match="labels"):
        SpeedPerturbedClassifier(make_svc_pipeline()).fit(X, y[:-1])


def test_safe_round_trip(tmp_path, fitted):
    from sklearn_audiodigit.persistence import load_model, save_model

    clf, X_test, _ = fitted
    save_model(clf, tmp_path / "speed.model")
    loaded = load_model(tmp_path / "speed.model")
    np.testing.assert_array_equal(loaded.predict(X_test), clf.predict(X_test))
