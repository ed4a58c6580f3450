"""Tests of the voice transforms (vtlp, pitch_shift) on tones and the bundled FSDD sample."""

import numpy as np
import pytest
from _clips import _same

from sklearn_audiodigit.augmentation import (
    pitch_shift,
    vtlp,
)

SR = 8000


@pytest.mark.parametrize("alpha", [0.8, 1.2])
@pytest.mark.parametrize("sr", [8000, 16000])
def test_vtlp_moves_a_tone_by_alpha_below_the_boundary(tone, peak_frequency, alpha, sr):
    x = tone(1000.0, duration=0.5, sr=sr)
    (y,) = vtlp([x], alpha, sr=sr)
    assert y.dtype == np.float32 and y.shape == x.shape
    bin_hz = sr / 256 if sr == 8000 else sr / 512
    assert abs(peak_frequency(y, sr) - 1000 * alpha) < bin_hz


def test_vtlp_one_is_identity_and_keeps_real_clip_lengths(fsdd_clips):
    out = vtlp(fsdd_clips, 1.0)
    assert _same(out, fsdd_clips)
    for x, y in zip(fsdd_clips, vtlp(fsdd_clips, 1.15), strict=True):
        assert y.dtype == np.float32 and y.shape == x.shape and np.isfinite(y).all()
    # a clip shorter than the frame
    assert vtlp([np.ones(100, dtype=np.float32) * 0.1], 0.9)[0].shape == (100,)


def test_pitch_shift_by_semitones(tone, peak_frequency):
    x = tone(500.0, duration=0.5)
    (y,) = pitch_shift([x], 4.0)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert peak_frequency(y, SR) == pytest.approx(500 * 2 ** (4 / 12), abs=SR / 256)
    assert _same(pitch_shift([x], 0), [x])
