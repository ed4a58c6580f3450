"""The random channel filter of FrameAugmenter and the CNN's default recipe."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.datasets import load_fsdd_sample  # noqa: E402
from sklearn_audiodigit.nn import (  # noqa: E402
    CNNClassifier,
    FrameAugmenter,
    SeedEnsembleClassifier,
    make_nn_pipeline,
)
from sklearn_audiodigit.nn._augmentation import channel_filter  # noqa: E402


@pytest.fixture(scope="module")
def frames():
    """Log-mel frames (dB, 45 dB floor) of 16 real clips of the bundled sample."""
    bunch = load_fsdd_sample()
    front = make_nn_pipeline("cnn")[:-1]
    X = front.fit_transform(bunch.data[:16])
    return torch.from_numpy(np.ascontiguousarray(X))


def test_channel_filter_is_an_offset_per_band(frames):
    gen = torch.Generator().manual_seed(0)
    out = channel_filter(frames, 24.0, 6.0, floor_db=None, generator=gen)
    assert out.shape == frames.shape and out.dtype == frames.dtype
    diff = out - frames
    # a linear filter is a constant offset per band: the same in every frame
    assert torch.allclose(diff, diff[:, :, :1].expand_as(diff), atol=1e-4)
    # the shelf only attenuates; the tilt is at most +-3 dB at either end
    assert diff.max() <= 3.0 + 1e-4
    assert diff.min() >= -(24.0 + 3.0) - 1e-4
    # and it is not the identity
    assert diff.abs().max() > 0.5


def test_channel_filter_floor(frames):
    gen = torch.Generator().manual_seed(1)
    out = channel_filter(frames, 40.0, 0.0, floor_db=45.0, generator=gen)
    span = out.amax(dim=(1, 2)) - out.amin(dim=(1, 2))
    assert torch.all(span <= 45.0 + 1e-3)


def test_channel_filter_off_and_probability(frames):
    assert channel_filter(frames, 0.0, 0.0) is frames
    assert channel_filter(frames, 24.0, 6.0, p=0.0) is frames
    gen = torch.Generator().manual_seed(2)
    out = channel_filter(frames, 24.0, 6.0, p=0.5, generator=gen)
    changed = (out - frames).abs().amax(dim=(1, 2)) > 0
    assert 0 < int(changed.sum()) < frames.shape[0]


def test_channel_filter_reproducible(frames):
    a = channel_filter(frames, 24.0, 6.0, generator=torch.Generator().manual_seed(3))
    b = channel_filter(frames, 24.0, 6.0, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert not frames.requires_grad


def test_frame_augmenter_channel_params(frames):
    aug = FrameAugmenter(
        lowpass_db=24.0,
        tilt_db=6.0,
        p_channel=1.0,
        freq_warp=0.0,
        time_stretch=0.0,
        time_shift=0.0,
        gain_db=0.0,
        freq_mask=0,
        time_mask=0,
    )
    out, perm, lam = aug(frames, generator=torch.Generator().manual_seed(0))
    assert perm is None and lam == 1.0
    # every other augmentation is off, so this is exactly the channel filter
    expected = channel_filter(
        frames, 24.0, 6.0, floor_db=45.0, p=1.0, generator=torch.Generator().manual_seed(0)
    )
    assert torch.equal(out, expected)
    assert (out - frames).abs().max() > 0.5
    off = FrameAugmenter(lowpass_db=0.0, tilt_db=0.0)
    assert off.get_params()["lowpass_db"] == 0.0


def test_cnn_default_recipe():
    clf = CNNClassifier()
    assert clf.normalize == "clip"
    aug = clf._augmenter()
    assert isinstance(aug, FrameAugmenter)
    assert aug.lowpass_db == 24.0 and aug.tilt_db == 6.0 and aug.p_channel == 0.5


# ---------------------------------------------------------------- SeedEnsembleClassifier
def _tiny_cnn():
    return CNNClassifier(channels=(4, 8), max_epochs=2, batch_size=8)


@pytest.fixture(scope="module")
def digits(frames):
    y = np.asarray(load_fsdd_sample().target[:16])
    return frames.numpy(), y


def test_seed_ensemble_averages_its_copies(digits):
    X, y = digits
    ens = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=3, random_state=0).fit(X, y)
    assert len(ens.estimators_) == 3 and len(set(ens.seeds_.tolist())) == 3
    assert [e.random_state for e in ens.estimators_] == ens.seeds_.tolist()
    np.testing.assert_array_equal(ens.classes_, np.unique(y))
    proba = ens.predict_proba(X)
    assert proba.shape == (len(X), len(ens.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    expected = np.mean([e.predict_proba(X) for e in ens.estimators_], axis=0)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    np.testing.assert_array_equal(ens.predict(X), ens.classes_[expected.argmax(axis=1)])


def test_seed_ensemble_is_reproducible_and_forwards_fit_params(digits):
    X, y = digits
    groups = np.asarray(load_fsdd_sample().speaker[:16])
    a = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=1).fit(X, y)
    b = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=1).fit(X, y, groups=groups)
    np.testing.assert_array_equal(a.seeds_, b.seeds_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_seed_ensemble_in_a_pipeline_on_waveforms():
    bunch = load_fsdd_sample()
    pipe = make_nn_pipeline("cnn")
    pipe.set_params(net=SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=0))
    X, y = bunch.data[:40], bunch.target[:40]
    pred = pipe.fit(X, y, net__groups=bunch.speaker[:40]).predict(X)
    assert pred.shape == (40,) and set(pred) <= set(y)


def test_seed_ensemble_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="n_estimators"):
        SeedEnsembleClassifier(_tiny_cnn(), n_estimators=0).fit(X, y)
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import FunctionTransformer

    with pytest.raises(ValueError, match="random_state"):
        SeedEnsembleClassifier(KNeighborsClassifier(3)).fit(X.reshape(len(X), -1), y)
    with pytest.raises(ValueError, match="estimator"):
        SeedEnsembleClassifier(FunctionTransformer()).fit(X.reshape(len(X), -1), y)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SeedEnsembleClassifier(_tiny_cnn()).predict(X)
    assert isinstance(SeedEnsembleClassifier()._base(), CNNClassifier)
