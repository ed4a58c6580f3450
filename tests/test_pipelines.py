"""Pipeline(memory=...) caches the feature extraction of our Pipelines.

A second ``fit`` that changes only the classifier's parameters must reuse the
cached features: the extractor's ``transform`` is not called again.
"""

import numpy as np
import pytest
from _bad_inputs import _check_error
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.exceptions import AudioTypeError, AudioValueError
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.pipelines import make_svc_pipeline
from sklearn_audiodigit.preprocessing import TrimSilence

CALLS = {"transform": 0}


class CountingMFCC(MFCCExtractor):
    """MFCCExtractor that counts its transform calls (module level: picklable)."""

    def transform(self, X):
        CALLS["transform"] += 1
        return super().transform(X)


def _pipeline(memory, C):
    return Pipeline(
        [
            ("trim", TrimSilence(top_db=30.0)),
            ("features", CountingMFCC(n_mels=16, deltas=1, output="grid")),
            ("scale", StandardScaler()),
            ("classifier", SVC(C=C)),
        ],
        memory=memory,
    )


@pytest.fixture(scope="module")
def data(fsdd_sample):
    return list(fsdd_sample.data[:120]), fsdd_sample.target[:120]


def test_second_fit_with_new_classifier_params_skips_features(tmp_path, data):
    X, y = data
    CALLS["transform"] = 0
    first = _pipeline(str(tmp_path), C=1.0).fit(X, y)
    n_first = CALLS["transform"]
    assert n_first >= 1
    second = _pipeline(str(tmp_path), C=100.0).fit(X, y)
    assert CALLS["transform"] == n_first, "feature extraction ran again despite the cache"
    # the cached features are the real ones: same transformed data, both fitted
    Xt1 = first[:-1].transform(X[:10])
    Xt2 = second[:-1].transform(X[:10])
    np.testing.assert_array_equal(Xt1, Xt2)
    # a changed *feature* parameter misses the cache and extracts again
    changed = _pipeline(str(tmp_path), C=1.0).set_params(features__n_mels=20)
    n_before = CALLS["transform"]
    changed.fit(X, y)
    assert CALLS["transform"] == n_before + 1


def test_without_memory_every_fit_extracts(data):
    X, y = data
    CALLS["transform"] = 0
    _pipeline(None, C=1.0).fit(X, y)
    _pipeline(None, C=100.0).fit(X, y)
    assert CALLS["transform"] == 2


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
def test_model_predicts_or_raises_on_the_catalogue_arrays(model_from_file, digit):
    labels = model_from_file.predict([digit, digit[:3], np.zeros(50, np.float32), 3 * digit])
    assert labels.shape == (4,) and set(labels) <= set(range(10))
    assert labels[0] == model_from_file.predict(digit[None, :])[0]  # 2-D and ragged agree
    for X, error in [
        ([digit, np.full(10, np.nan)], AudioValueError),
        ([digit * np.float32(1e35)], AudioValueError),
        (["3_theo_4.wav"], AudioTypeError),
        (np.float32(1.0), AudioValueError),
    ]:
        if np.isscalar(X) and type(model_from_file).__name__ == "CalibratedClassifierCV":
            # scikit-learn's calibration (around the svc) counts the clips first
            with pytest.raises(TypeError, match="scalar"):
                model_from_file.predict(X)
            continue
        with pytest.raises(error) as excinfo:
            model_from_file.predict(X)
        _check_error(excinfo, error, "X" if not isinstance(X, list) or len(X) == 1 else "clip 1")


def test_fitted_pipeline_refuses_a_changed_rate(model_from_file, digit):
    import copy

    # the default model (the augmenting wrapper inside the calibration): the wrapper's
    # own rate, then the rate of the fitted pipeline inside it
    changed = copy.deepcopy(model_from_file)
    changed.calibrated_classifiers_[0].estimator.set_params(sr=16000)
    with pytest.raises(AudioValueError, match="sr=8000 Hz at fit but sr=16000 Hz"):
        changed.predict([digit])
    changed = copy.deepcopy(model_from_file)
    changed.calibrated_classifiers_[0].estimator.estimator_.set_params(features__sr=16000)
    with pytest.raises(AudioValueError, match="features|MFCCExtractor"):
        changed.predict([digit])


# --------------------------------------------- the default SVC pipeline (with log_duration)
def test_default_svc_pipeline_uses_duration(synthetic_clips):
    # the pipeline inside the augmenting wrapper, inside the calibration
    model = make_svc_pipeline().estimator.estimator
    features = model.named_steps["features"]
    assert features.log_duration and features.n_mels == 16 and features.output == "grid"
    Z = clone(model[:-1]).fit_transform(synthetic_clips)
    # 13 MFCCs + 13 deltas on 8 segments, then the weighted duration column
    assert Z.shape == (len(synthetic_clips), 26 * 8 + 1)
    np.testing.assert_allclose(Z[:, :-1].mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z[:, -1].std(), 3.0, rtol=1e-5)


def test_default_svc_pipeline_fits_and_predicts(synthetic_clips):
    y = np.array([0, 1, 0, 1])
    model = make_svc_pipeline(random_state=0)
    model.fit(synthetic_clips * 3, np.tile(y, 3))
    assert model.predict(synthetic_clips).shape == (len(synthetic_clips),)
