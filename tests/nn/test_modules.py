"""The networks' torch modules: FrameNormalization."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.nn import FrameNormalization  # noqa: E402

# One thread: on shared, over-subscribed CPUs two torch threads spin-wait for each
# other and run many times slower (benchmarks/README.md).
torch.set_num_threads(1)


def test_frame_normalization():
    gen = torch.Generator().manual_seed(0)
    speech = torch.randn(3, 8, 10, generator=gen) * 5 + 2
    floor = torch.full((3, 8, 6), -80.0)
    padded = torch.cat([floor[:, :, :3], speech, floor[:, :, 3:]], dim=2)
    centred = speech - speech.mean(dim=2, keepdim=True)
    expected = {
        "utterance": centred / centred.std(dim=(1, 2), keepdim=True, unbiased=False),
        "band": centred / centred.std(dim=2, keepdim=True, unbiased=False),
        "clip": (speech - speech.mean(dim=(1, 2), keepdim=True))
        / speech.std(dim=(1, 2), keepdim=True, unbiased=False),
    }
    for mode, ref in expected.items():
        norm = FrameNormalization(mode, active_threshold=0.0)
        out = norm(padded)
        # the padding at the floor does not enter the statistics
        torch.testing.assert_close(out[:, :, 3:13], ref, rtol=1e-4, atol=1e-4)
        # a clip's output does not depend on its batch neighbours
        torch.testing.assert_close(norm(padded[:1]), out[:1])
    # one frame per clip (2-D input): normalised over the bands, not zeroed
    single = FrameNormalization()(speech[:, :, :1])
    assert single.abs().sum() > 0
    assert FrameNormalization(None)(speech) is speech
    with pytest.raises(ValueError, match="mode"):
        FrameNormalization("batch")


@pytest.mark.parametrize("mode", ["utterance", "band", "clip"])
def test_frame_normalization_does_not_blow_up_flat_clips(mode):
    import torch

    rng = np.random.default_rng(0)
    flat = np.full((2, 40, 51), -50.0, dtype=np.float32)
    flat[0] += rng.normal(0, 1e-3, flat[0].shape).astype(np.float32)  # nearly constant
    flat[1, :, :3] = -10.0  # a short burst, then a constant tail
    out = FrameNormalization(mode)(torch.as_tensor(flat)).numpy()
    assert np.isfinite(out).all()
    # with the 1 dB floor the deviations (at most 40 dB) stay of their own size
    assert np.abs(out).max() <= 41.0
