"""The per-clip cache of training-copy features (augmentation._cache) on real audio.

A fit of SpeedPerturbedClassifier featurises each speed/tilt copy of a clip once per
process; a later fit on overlapping clips (a cross-validation fold) reads them back.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier, WaveformAugmenter
from sklearn_audiodigit.augmentation._cache import (
    _CACHE,
    _RowCache,
    clear_cache,
    clip_digest,
    stateless_prefix,
)
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.preprocessing import TrimSilence

SEEN = {"rows": 0}


class CountingMFCC(MFCCExtractor):
    """MFCCExtractor that counts the clips it featurises (module level: picklable)."""

    def transform(self, X):
        SEEN["rows"] += len(X)
        return super().transform(X)


def _pipeline(**features):
    return Pipeline(
        [
            ("trim", TrimSilence(top_db=30.0)),
            ("features", CountingMFCC(n_mels=16, deltas=1, output="grid", **features)),
            ("scale", StandardScaler()),
            ("classifier", SVC(C=10.0)),
        ]
    )


@pytest.fixture(autouse=True)
def empty_cache():
    clear_cache()
    SEEN["rows"] = 0
    yield
    clear_cache()


@pytest.fixture(scope="module")
def clips(fsdd_sample):
    keep = np.flatnonzero(fsdd_sample.speaker != "theo")[::2]
    return fsdd_sample.data[keep], np.asarray(fsdd_sample.target[keep])


def _model(**kw):
    return SpeedPerturbedClassifier(_pipeline(), factors=(0.9, 1.0, 1.1), tilts=(0.7,), **kw)


def test_overlapping_fits_featurise_each_copy_once(clips):
    X, y = clips
    n = len(y)
    first, second = np.arange(n) < 2 * n // 3, np.arange(n) >= n // 3
    _model().fit(X[first], y[first])
    assert SEEN["rows"] == 4 * first.sum()  # 3 speeds + 1 tilt of every clip
    SEEN["rows"] = 0
    _model().fit(X[second], y[second])
    # only the clips the first fit did not see are featurised
    assert SEEN["rows"] == 4 * (second & ~first).sum()
    SEEN["rows"] = 0
    _model().fit(X[second], y[second])
    assert SEEN["rows"] == 0


def test_cached_fit_predicts_as_an_uncached_one(clips, fsdd_sample):
    X, y = clips
    test = fsdd_sample.speaker == "theo"
    cold = _model(feature_cache=False).fit(X, y)
    # warm the cache with other batches (two halves), then fit on all the clips
    _model().fit(X[::2], y[::2])
    _model().fit(X[1::2], y[1::2])
    warm = _model().fit(X, y)
    assert SEEN["rows"] > 0
    d_cold = cold.decision_function(fsdd_sample.data[test])
    d_warm = warm.decision_function(fsdd_sample.data[test])
    # features from other batches agree to float32 rounding, not bit for bit; the SVC's
    # decision values (about 1-10) carry that rounding at a few 1e-5
    np.testing.assert_allclose(d_warm, d_cold, atol=1e-4, rtol=1e-5)
    np.testing.assert_array_equal(
        warm.predict(fsdd_sample.data[test]), cold.predict(fsdd_sample.data[test])
    )


def test_prediction_never_reads_the_cache(clips):
    X, y = clips
    clf = _model().fit(X, y)
    SEEN["rows"] = 0
    clf.predict(X[:10])
    assert SEEN["rows"] == 3 * 10  # the three speed copies, featurised again


def test_feature_cache_false_featurises_every_fit(clips):
    X, y = clips
    _model(feature_cache=False).fit(X, y)
    _model(feature_cache=False).fit(X, y)
    assert SEEN["rows"] == 2 * 4 * len(y)


def test_changed_parameters_or_samples_miss_the_cache(clips):
    X, y = clips
    X, y = X[:30], y[:30]
    _model().fit(X, y)
    SEEN["rows"] = 0
    SpeedPerturbedClassifier(_pipeline(n_mfcc=12), factors=(0.9, 1.0, 1.1), tilts=(0.7,)).fit(X, y)
    assert SEEN["rows"] == 4 * 30
    SEEN["rows"] = 0
    changed = list(X)
    changed[0] = changed[0].copy()
    changed[0][100] += 0.01
    _model().fit(changed, y)
    assert SEEN["rows"] == 4  # the changed clip's four copies
    SEEN["rows"] = 0
    # another tilt is another copy
    SpeedPerturbedClassifier(_pipeline(), factors=(0.9, 1.0, 1.1), tilts=(-0.7,)).fit(X, y)
    assert SEEN["rows"] == 30


def test_random_augmenter_copies_are_never_cached(clips):
    X, y = clips
    X, y = X[:30], y[:30]
    aug = WaveformAugmenter(rt60_range=None, random_state=0)
    kw = dict(factors=(1.0,), augmenter=aug, n_augment=2)
    SpeedPerturbedClassifier(_pipeline(), **kw).fit(X, y)
    assert SEEN["rows"] == 3 * 30
    SEEN["rows"] = 0
    clf = SpeedPerturbedClassifier(_pipeline(), **kw).fit(X, y)
    assert SEEN["rows"] == 2 * 30  # the original clips come from the cache
    cold = SpeedPerturbedClassifier(_pipeline(), feature_cache=False, **kw).fit(X, y)
    # the same seeded copies in both fits: the same classifier, up to float32 rounding
    # of the features (amplified by an SVC on 30 clips; other copies would differ by 0.1)
    np.testing.assert_allclose(
        clf.decision_function(X[:10]), cold.decision_function(X[:10]), atol=1e-3
    )
    np.testing.assert_array_equal(clf.predict(X[:10]), cold.predict(X[:10]))


def test_stateless_prefix():
    assert stateless_prefix(_pipeline()) == 2  # trim and MFCCs; the scaler learns
    assert stateless_prefix(_pipeline().set_params(memory="unused")) == 0
    assert stateless_prefix(SVC()) == 0
    only = Pipeline([("features", MFCCExtractor()), ("classifier", SVC())])
    assert stateless_prefix(only) == 1
    learner_first = Pipeline([("scale", StandardScaler()), ("classifier", SVC())])
    assert stateless_prefix(learner_first) == 0


def _summary(X):
    return np.array([[np.mean(x), np.sqrt(np.mean(np.square(x)))] for x in X])


def test_what_the_cache_cannot_identify_or_hold_is_not_cached(clips):
    """A function parameter stops the prefix; ragged output (trimmed clips) is not kept."""
    X, y = clips
    with_function = Pipeline(
        [
            ("trim", TrimSilence()),
            ("summary", FunctionTransformer(_summary)),
            ("classifier", LogisticRegression()),
        ]
    )
    assert stateless_prefix(with_function) == 1
    clf = SpeedPerturbedClassifier(with_function, factors=(0.9, 1.0)).fit(X[:40], y[:40])
    assert len(_CACHE) == 0
    cold = SpeedPerturbedClassifier(with_function, factors=(0.9, 1.0), feature_cache=False)
    np.testing.assert_array_equal(
        clf.decision_function(X[:10]), cold.fit(X[:40], y[:40]).decision_function(X[:10])
    )


def test_clip_digest_sees_samples_dtype_and_length():
    x = np.zeros(100, np.float32)
    assert clip_digest(x) == clip_digest(x.copy())
    assert clip_digest(x) != clip_digest(np.zeros(101, np.float32))
    assert clip_digest(x) != clip_digest(np.zeros(100, np.float64))
    y = x.copy()
    y[3] = 1e-7
    assert clip_digest(x) != clip_digest(y)


def test_row_cache_drops_the_least_recently_used():
    cache = _RowCache(max_bytes=3 * 80)
    for k in range(3):
        cache.put(k, np.full(10, k, np.float64))
    assert cache.get(0)[0] == 0  # 0 is now the most recently used
    cache.put(3, np.zeros(10))
    assert cache.get(1) is None and cache.get(0) is not None and len(cache) == 3
    row = cache.get(3)
    with pytest.raises(ValueError):
        row[0] = 1.0  # read-only: a caller cannot corrupt the cache
