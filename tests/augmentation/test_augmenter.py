"""Tests of WaveformAugmenter on the bundled FSDD sample: seeded copies, bad parameters,
training through it, and its model files."""

import zipfile

import numpy as np
import pytest
from _clips import _same
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_audiodigit.augmentation import (
    SpeedPerturbedClassifier,
    WaveformAugmenter,
)

SR = 8000


def test_augmenter_is_seeded_and_keeps_dtype_and_length(fsdd_sample):
    pytest.importorskip("pyroomacoustics")
    X = fsdd_sample.data[:30]
    aug = WaveformAugmenter(p=0.5, pitch_range=(-1.0, 1.0), random_state=0)
    a = aug.augment(X)
    assert _same(a, aug.augment(X))
    assert not _same(a, aug.set_params(random_state=1).augment(X))
    changed = 0
    for x, y in zip(X, a, strict=True):
        assert y.dtype == np.float32 and np.isfinite(y).all() and np.abs(y).max() <= 1.0
        assert len(y) >= len(x)
        changed += not (len(y) == len(x) and np.array_equal(x, y))
    assert changed > 20  # with 7 transforms at p=0.5, nearly every clip changes


def test_augmenter_off_returns_the_clips(fsdd_clips):
    assert _same(WaveformAugmenter(p=0.0, random_state=0).augment(fsdd_clips), fsdd_clips)
    off = WaveformAugmenter(
        vtlp_range=None,
        rt60_range=None,
        band=None,
        eq_db=None,
        snr_range=None,
        clip_range=None,
        p=1.0,
    )
    assert _same(off.augment(fsdd_clips), fsdd_clips)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"vtlp_range": (0.8,)}, "vtlp_range"),
        ({"vtlp_range": (1.2, 0.8)}, "vtlp_range"),
        ({"snr_range": (5, 200)}, "snr_range"),
        ({"band": (300, 5000)}, "band"),
        ({"noise_kinds": ("brown",)}, "noise_kinds"),
        ({"p": 2.0}, "p"),
        ({"clip_range": (0.0, 0.5)}, "clip_range"),
    ],
)
def test_augmenter_bad_parameters_are_named(fsdd_clips, params, name):
    with pytest.raises(ValueError, match=name):
        WaveformAugmenter(**params).augment(fsdd_clips)


class _LengthRecorder(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        self.fit_X_ = X
        return super().fit(X, y, sample_weight=sample_weight)


def _summary(X):
    return np.array([[np.sqrt(np.mean(np.square(x))), len(x) / SR] for x in X])


def test_classifier_trains_on_augmented_copies(fsdd_sample):
    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    aug = WaveformAugmenter(rt60_range=None, p=0.5, random_state=0)
    inner = make_pipeline(FunctionTransformer(_summary), _LengthRecorder(max_iter=1000))
    clf = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=aug, n_augment=2)
    clf.fit(X, y)
    seen = clf.estimator_[-1].fit_X_
    assert seen.shape == (40 * 3, 2)
    np.testing.assert_array_equal(seen[:40], _summary(X))
    # two different random copies, the same at every fit
    assert not np.array_equal(seen[40:80], seen[80:])
    again = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=aug, n_augment=2).fit(X, y)
    np.testing.assert_array_equal(again.estimator_[-1].fit_X_, seen)
    with pytest.raises(ValueError, match="augmenter"):
        SpeedPerturbedClassifier(inner, augmenter="reverb").fit(X, y)


def test_model_files_name_the_public_module_path(tmp_path, fsdd_sample):
    """Earlier releases stored sklearn_audiodigit.augmentation.SpeedPerturbedClassifier:
    files written now name the same path, so both old and new files load."""
    from skops.io import get_untrusted_types

    from sklearn_audiodigit.persistence import TRUSTED_TYPES, load_model, save_model
    from sklearn_audiodigit.pipelines import make_svc_pipeline

    X, y = fsdd_sample.data[::4], fsdd_sample.target[::4]
    clf = make_svc_pipeline()
    clf.set_params(
        estimator__augmenter=WaveformAugmenter(rt60_range=None, random_state=0),
        estimator__n_augment=1,
    )
    clf.fit(X, y)
    path = tmp_path / "aug.model"
    save_model(clf, path)
    with zipfile.ZipFile(path) as zf:
        types = get_untrusted_types(data=zf.read("model.skops"))
    assert "sklearn_audiodigit.augmentation.SpeedPerturbedClassifier" in types
    assert "sklearn_audiodigit.augmentation.WaveformAugmenter" in types
    assert set(types) <= set(TRUSTED_TYPES)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X[:10]), clf.predict(X[:10]))
    assert loaded.estimator.augmenter.get_params() == clf.estimator.augmenter.get_params()


def test_state_of_an_earlier_release_loads_with_the_defaults(fsdd_sample):
    """Files of releases before ``augmenter`` existed hold no such attribute."""
    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    inner = make_pipeline(FunctionTransformer(_summary), LogisticRegression(max_iter=500))
    clf = SpeedPerturbedClassifier(inner, factors=(0.9, 1.0)).fit(X, y)
    state = clf.__getstate__()
    del state["augmenter"], state["n_augment"]
    old = SpeedPerturbedClassifier.__new__(SpeedPerturbedClassifier)
    old.__setstate__(state)
    assert old.augmenter is None and old.n_augment == 1
    np.testing.assert_array_equal(old.predict(X), clf.predict(X))
    assert old.get_params()["augmenter"] is None


def test_a_network_trains_on_augmented_copies(fsdd_sample):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sklearn_audiodigit.nn import make_nn_pipeline

    X, y = fsdd_sample.data[::5], fsdd_sample.target[::5]
    net = make_nn_pipeline("mlp", random_state=0, max_epochs=2)
    aug = WaveformAugmenter(rt60_range=None, p=0.5, random_state=0)
    clf = SpeedPerturbedClassifier(
        net, factors=(1.0,), augmenter=aug, n_augment=1, test_time=False
    ).fit(X, y)
    assert clf.predict_proba(X[:7]).shape == (7, 10)
    assert len(clf.estimator_[-1].history) == 2


def test_a_list_of_augmenters_draws_copies_from_each(fsdd_sample):
    X, y = fsdd_sample.data[:30], fsdd_sample.target[:30]
    pink = WaveformAugmenter(
        vtlp_range=None,
        rt60_range=None,
        band=None,
        eq_db=None,
        clip_range=None,
        snr_range=(0.0, 20.0),
        noise_kinds=("pink",),
        p=1.0,
        random_state=0,
    )
    tele = WaveformAugmenter(
        vtlp_range=None,
        rt60_range=None,
        eq_db=None,
        clip_range=None,
        snr_range=None,
        p=1.0,
        random_state=0,
    )
    inner = make_pipeline(FunctionTransformer(_summary), _LengthRecorder(max_iter=1000))
    clf = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=[pink, tele], n_augment=1)
    seen = clf.fit(X, y).estimator_[-1].fit_X_
    assert seen.shape == (30 * 3, 2)
    # the first list element gives the same copies as when it is the only augmenter
    alone = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=pink).fit(X, y)
    np.testing.assert_array_equal(alone.estimator_[-1].fit_X_, seen[:60])
    assert not np.array_equal(seen[30:60], seen[60:])
    again = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=(pink, tele)).fit(X, y)
    np.testing.assert_array_equal(again.estimator_[-1].fit_X_, seen)
    with pytest.raises(ValueError, match="augment"):
        SpeedPerturbedClassifier(inner, augmenter=[pink, "reverb"]).fit(X, y)
