"""The networks' frame augmentations: time shift, frequency warp, time stretch,
SpecAugment, mixup, and the random channel filter of FrameAugmenter."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.nn import FrameAugmenter  # noqa: E402
from sklearn_audiodigit.nn._augmentation import (  # noqa: E402
    channel_filter,
    frequency_warp,
    spec_augment,
    time_shift,
    time_stretch,
)


def test_channel_filter_is_an_offset_per_band(fsdd_frames):
    gen = torch.Generator().manual_seed(0)
    out = channel_filter(fsdd_frames, 24.0, 6.0, floor_db=None, generator=gen)
    assert out.shape == fsdd_frames.shape and out.dtype == fsdd_frames.dtype
    diff = out - fsdd_frames
    # a linear filter is a constant offset per band: the same in every frame
    assert torch.allclose(diff, diff[:, :, :1].expand_as(diff), atol=1e-4)
    # the shelf only attenuates; the tilt is at most +-3 dB at either end
    assert diff.max() <= 3.0 + 1e-4
    assert diff.min() >= -(24.0 + 3.0) - 1e-4
    # and it is not the identity
    assert diff.abs().max() > 0.5


def test_channel_filter_floor(fsdd_frames):
    gen = torch.Generator().manual_seed(1)
    out = channel_filter(fsdd_frames, 40.0, 0.0, floor_db=45.0, generator=gen)
    span = out.amax(dim=(1, 2)) - out.amin(dim=(1, 2))
    assert torch.all(span <= 45.0 + 1e-3)


def test_channel_filter_off_and_probability(fsdd_frames):
    assert channel_filter(fsdd_frames, 0.0, 0.0) is fsdd_frames
    assert channel_filter(fsdd_frames, 24.0, 6.0, p=0.0) is fsdd_frames
    gen = torch.Generator().manual_seed(2)
    out = channel_filter(fsdd_frames, 24.0, 6.0, p=0.5, generator=gen)
    changed = (out - fsdd_frames).abs().amax(dim=(1, 2)) > 0
    assert 0 < int(changed.sum()) < fsdd_frames.shape[0]


def test_channel_filter_reproducible(fsdd_frames):
    a = channel_filter(fsdd_frames, 24.0, 6.0, generator=torch.Generator().manual_seed(3))
    b = channel_filter(fsdd_frames, 24.0, 6.0, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert not fsdd_frames.requires_grad


def test_frame_augmenter_channel_params(fsdd_frames):
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
    out, perm, lam = aug(fsdd_frames, generator=torch.Generator().manual_seed(0))
    assert perm is None and lam == 1.0
    # every other augmentation is off, so this is exactly the channel filter
    expected = channel_filter(
        fsdd_frames, 24.0, 6.0, floor_db=45.0, p=1.0, generator=torch.Generator().manual_seed(0)
    )
    assert torch.equal(out, expected)
    assert (out - fsdd_frames).abs().max() > 0.5
    off = FrameAugmenter(lowpass_db=0.0, tilt_db=0.0)
    assert off.get_params()["lowpass_db"] == 0.0


# ---------------------------------------------------------------- SeedEnsembleClassifier


def test_augmentation_functions_shapes_and_ranges():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, 16, 20)
    for out in (
        time_shift(x, 0.2, generator=gen),
        frequency_warp(x, 0.2, generator=gen),
        time_stretch(x, 0.2, generator=gen),
        spec_augment(x, freq_mask=4, time_mask=5, generator=gen),
    ):
        assert out.shape == x.shape and out.dtype == x.dtype
        assert torch.isfinite(out).all()
    # warp factor 1 is the identity; values stay within the clip's range
    assert torch.equal(frequency_warp(x, 0.0), x)
    w = frequency_warp(x, 0.2, generator=gen)
    assert w.max() <= x.max() + 1e-6 and w.min() >= x.min() - 1e-6
    x_aug, perm, lam = FrameAugmenter(mixup_alpha=0.2)(x, generator=gen)
    assert perm.shape == (5,) and 0.5 <= lam <= 1.0
