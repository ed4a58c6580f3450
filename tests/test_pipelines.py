"""Pipeline(memory=...) caches the feature extraction of our Pipelines.

A second ``fit`` that changes only the classifier's parameters must reuse the
cached features: the extractor's ``transform`` is not called again.
"""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.features import MFCCExtractor
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
