"""Tests of the channel transforms (noise, band limit, EQ, clipping, reverberation).

On tones, noise and the bundled FSDD sample.
"""

import numpy as np
import pytest
from _clips import _rms, _same

from sklearn_audiodigit.augmentation import (
    add_noise,
    band_limit,
    hard_clip,
    random_eq,
    resample_through,
    reverberate,
    room_impulse_response,
)

SR = 8000


@pytest.mark.parametrize("snr", [5.0, 10.0, 20.0])
@pytest.mark.parametrize("kind", ["white", "pink", "hum", "babble"])
def test_add_noise_at_the_asked_ratio(fsdd_sample, snr, kind):
    X = [x * 0.3 for x in fsdd_sample.data[:6]]
    noise = fsdd_sample.data[100:120] if kind == "babble" else None
    out = add_noise(X, snr, kind=kind, noise=noise, random_state=0)
    for x, y in zip(X, out, strict=True):
        assert y.dtype == np.float32 and y.shape == x.shape
        n = y.astype(np.float64) - x
        assert 10 * np.log10(_rms(x) ** 2 / _rms(n) ** 2) == pytest.approx(snr, abs=0.05)


def test_hum_is_at_the_mains_frequency(peak_frequency):
    x = np.zeros(SR, dtype=np.float32)
    x[::97] = 0.01  # some signal power
    (y,) = add_noise([x], 0.0, kind="hum", hum_hz=60.0, random_state=1)
    assert peak_frequency(y - x, SR) == pytest.approx(60.0, abs=2)


def test_pink_noise_loses_3_db_per_octave():
    x = np.zeros(4 * SR, dtype=np.float32)
    x[::97] = 0.01  # some signal power
    (y,) = add_noise([x], 0.0, kind="pink", random_state=2)
    power = np.abs(np.fft.rfft(y.astype(np.float64) - x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)

    def band_db(low):  # mean power density of the octave [low, 2 low)
        return 10 * np.log10(power[(freqs >= low) & (freqs < 2 * low)].mean())

    slopes = [band_db(2 * f) - band_db(f) for f in (100.0, 200.0, 400.0, 800.0, 1600.0)]
    assert np.mean(slopes) == pytest.approx(-3.0, abs=0.5)


def test_add_noise_draws_ratios_from_a_range_and_is_seeded(fsdd_clips):
    a = add_noise(fsdd_clips, (5.0, 20.0), random_state=3)
    b = add_noise(fsdd_clips, (5.0, 20.0), random_state=3)
    c = add_noise(fsdd_clips, (5.0, 20.0), random_state=4)
    assert _same(a, b) and not _same(a, c)
    for x, y in zip(fsdd_clips, a, strict=True):
        ratio = 10 * np.log10(_rms(x) ** 2 / _rms(y.astype(np.float64) - x) ** 2)
        assert 5.0 - 0.05 <= ratio <= 20.0 + 0.05 or np.abs(y).max() == pytest.approx(1.0)


def test_band_limit_is_the_telephone_band(tone):
    def gain(freq):
        x = tone(freq, duration=1.0)
        return _rms(band_limit([x])[0][2000:]) / _rms(x[2000:])

    assert gain(1000.0) == pytest.approx(1.0, abs=0.02)
    assert gain(100.0) < 0.05 and gain(3900.0) < 0.3
    low = band_limit([tone(3000.0)], low_hz=None, high_hz=1000.0)[0]
    assert _rms(low[1000:]) < 0.01


def test_random_eq_stays_within_its_gains_and_is_seeded(tone):
    x = tone(1000.0, duration=1.0, amplitude=0.1)
    a = random_eq([x] * 5, max_gain_db=6.0, random_state=0)
    assert _same(a, random_eq([x] * 5, max_gain_db=6.0, random_state=0))
    gains = [20 * np.log10(_rms(y[500:-500]) / _rms(x[500:-500])) for y in a]
    assert all(-6.5 < g < 6.5 for g in gains) and np.ptp(gains) > 0.5
    assert all(y.dtype == np.float32 and y.shape == x.shape for y in a)


def test_hard_clip_and_resample_through(fsdd_clips, tone):
    for x, y in zip(fsdd_clips, hard_clip(fsdd_clips, 0.3), strict=True):
        assert np.abs(y).max() == pytest.approx(0.3 * np.abs(x).max(), rel=1e-6)
    x = tone(1000.0, duration=0.5)
    for through in (16000, 48000, 11025):
        (y,) = resample_through([x], through)
        assert y.dtype == np.float32 and y.shape == x.shape
        assert np.corrcoef(x[200:-200], y[200:-200])[0, 1] > 0.99
    assert resample_through([x], 16000, res_type="polyphase")[0].shape == x.shape


def test_reverberate_adds_a_seeded_room_tail(fsdd_clips):
    pytest.importorskip("pyroomacoustics")
    out = reverberate(fsdd_clips, 0.4, random_state=0)
    assert _same(out, reverberate(fsdd_clips, 0.4, random_state=0))
    assert not _same(out, reverberate(fsdd_clips, 0.4, random_state=1))
    for x, y in zip(fsdd_clips, out, strict=True):
        assert y.dtype == np.float32 and len(y) == len(x) + round(0.4 * SR / 2)
        assert np.abs(y).max() == pytest.approx(np.abs(x).max(), rel=1e-5)
    rir = room_impulse_response(0.6, sr=16000, random_state=0)
    assert rir.dtype == np.float32 and abs(rir[0]) == pytest.approx(1.0)
    # a longer reverberation time decays more slowly
    short = room_impulse_response(0.2, random_state=0)
    energy = [
        np.sum(h[400:].astype(np.float64) ** 2) / np.sum(h.astype(np.float64) ** 2)
        for h in (short, room_impulse_response(0.8, random_state=0))
    ]
    assert energy[1] > energy[0]


def test_reverberation_without_its_extra_names_it(monkeypatch, fsdd_clips):
    import sys

    monkeypatch.setitem(sys.modules, "pyroomacoustics", None)
    with pytest.raises(ImportError, match=r"sklearn-audiodigit\[augment\]"):
        reverberate(fsdd_clips, 0.3)
