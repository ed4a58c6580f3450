"""The random channel filter of FrameAugmenter and the CNN's default recipe."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.datasets import load_fsdd_sample  # noqa: E402
from sklearn_audiodigit.nn import CNNClassifier, FrameAugmenter, make_nn_pipeline  # noqa: E402
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
        lowpass_db=24.0, tilt_db=6.0, p_channel=1.0, freq_warp=0.0, time_stretch=0.0,
        time_shift=0.0, gain_db=0.0, freq_mask=0, time_mask=0,
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
