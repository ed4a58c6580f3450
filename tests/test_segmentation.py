"""Voice activity, word segments and speech detection, on real FSDD strings and built signals."""

import numpy as np
import pytest
import soundfile as sf
import soxr

from sklearn_audiodigit.io import read_audio
from sklearn_audiodigit.segmentation import (
    detect_speech,
    frame_levels,
    segment_words,
    voice_activity,
    voiced_duration,
)

SR = 8000


def _noise_at_snr(y, spans, snr_db, rng):
    """White noise ``snr_db`` below the power of the quietest word of y (its loud part)."""
    powers = []
    for a, b in spans:
        word = y[int(a * SR) : int(b * SR)].astype(np.float64)
        powers.append(np.mean(word[np.abs(word) > 0.05 * np.abs(word).max()] ** 2))
    power = min(powers) / 10 ** (snr_db / 10)
    return (rng.standard_normal(len(y)) * np.sqrt(power)).astype(np.float32)


def _overlap(a, b):
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _assert_words_found(segments, spans):
    """One segment per clip, each centred within its clip (clips hold their own silence)."""
    assert len(segments) == len(spans), (segments, spans)
    for seg, span in zip(segments, spans, strict=True):
        assert span[0] <= seg.mean() <= span[1], (seg, span)


def test_words_of_real_digit_strings(digit_strings):
    for y, _digits, spans in digit_strings:
        segments = segment_words(y, sr=SR)
        _assert_words_found(segments, spans)
        assert np.all(np.diff(segments.ravel()) >= 0)  # in time order, not overlapping


def test_steady_noise_at_10_db_snr_makes_no_extra_words(digit_strings):
    rng = np.random.default_rng(1)
    for y, _digits, spans in digit_strings:
        noisy = y + _noise_at_snr(y, spans, 10.0, rng)
        _assert_words_found(segment_words(noisy, sr=SR), spans)


def test_lead_in_tail_clicks_and_breaths_are_not_words(digit_strings, rng):
    y, digits, spans = digit_strings[2]
    pad = np.zeros(SR, np.float32)
    x = np.concatenate([pad, y, pad])
    clicks = [int(0.5 * SR), len(x) - int(0.2 * SR)]
    x[clicks] = 0.9  # one-sample clicks in the lead-in and the tail
    # a breath: 0.3 s of noise whose power is 45 dB below the loudest 25 ms of
    # speech (more than max_drop_db=40 below), in the tail
    start = len(x) - int(0.9 * SR)
    breath = rng.standard_normal(int(0.3 * SR)).astype(np.float32)
    loudest = frame_levels(y, sr=SR).max()
    x[start : start + len(breath)] += breath * np.float32(10 ** ((loudest - 45) / 20))
    shifted = [(a + 1.0, b + 1.0) for a, b in spans]
    _assert_words_found(segment_words(x, sr=SR), shifted)


@pytest.mark.parametrize("sr", [8000, 11025, 16000, 22050, 44100, 48000])
def test_any_rate_gives_the_same_words(digit_strings, sr):
    y, digits, spans = digit_strings[3]
    x = soxr.resample(y, SR, sr) if sr != SR else y
    segments = segment_words(x, sr=sr)
    _assert_words_found(segments, spans)
    np.testing.assert_allclose(segments, segment_words(y, sr=SR), atol=0.03)


def test_stereo_file_is_mixed_down_by_read_audio(digit_strings, tmp_path):
    y, digits, spans = digit_strings[0]
    path = tmp_path / "stereo48k.wav"
    y48 = soxr.resample(y, SR, 48000)
    sf.write(path, np.stack([y48, 0.5 * y48], axis=1), 48000, subtype="PCM_24")
    mono, sr = read_audio(path, sr=None)
    assert sr == 48000 and mono.ndim == 1
    _assert_words_found(segment_words(mono, sr=sr), spans)
    with pytest.raises(ValueError, match="1-D"):
        segment_words(np.stack([y, y]), sr=SR)


def test_words_without_pauses_are_split_at_energy_minima(fsdd_sample):
    clips = [fsdd_sample.data[i] for i in (3, 40, 77)]
    y = np.concatenate(clips)  # no pause at all: one run of voice activity or close
    bounds = np.cumsum([0] + [len(c) / SR for c in clips])
    spans = list(zip(bounds[:-1], bounds[1:], strict=True))
    segments = segment_words(y, sr=SR, min_segments=3)
    assert len(segments) == 3
    for seg, span in zip(segments, spans, strict=True):
        assert _overlap(seg, span) > 0.4 * (span[1] - span[0])


def test_a_segment_longer_than_a_word_is_split(rng):
    # 2 s of tone whose loudness dips to -20 dB every 0.5 s, between silences
    t = np.arange(2 * SR) / SR
    envelope = 0.1 + 0.9 * np.abs(np.sin(np.pi * t / 0.5))
    tone = (0.3 * envelope * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    pad = np.zeros(SR // 4, np.float32)
    segments = segment_words(np.concatenate([pad, tone, pad]), sr=SR, max_word_duration=0.8)
    assert len(segments) >= 3
    assert np.all(segments[:, 1] - segments[:, 0] <= 0.8 + 1e-9)
    # the splits fall in the dips (multiples of 0.5 s after the tone's start)
    cuts = segments[1:, 0] - 0.25
    assert np.all(np.abs(cuts / 0.5 - np.round(cuts / 0.5)) * 0.5 <= 0.06)


def test_no_words_in_silence_and_noise(rng):
    assert segment_words(np.zeros(SR, np.float32), sr=SR).shape == (0, 2)
    assert segment_words(1e-4 * rng.standard_normal(SR), sr=SR).shape == (0, 2)
    assert segment_words(0.2 * rng.standard_normal(60 * SR), sr=SR).shape == (0, 2)
    assert segment_words(np.zeros(5, np.float32), sr=SR).shape == (0, 2)  # < one frame


def test_voice_activity_hysteresis():
    # silence, then a level 12 dB above the floor, then 6 dB, then silence:
    # speech starts at +12 dB (above on_db=8) and goes on through +6 dB (above off_db=4)
    rng = np.random.default_rng(0)
    floor = 0.01 * rng.standard_normal(3 * SR)
    x = floor.copy()
    x[SR : 2 * SR] *= 10 ** (12 / 20)
    x[2 * SR : int(2.5 * SR)] *= 10 ** (6 / 20)
    active, floor_db = voice_activity(x.astype(np.float32), sr=SR)
    assert abs(floor_db - 10 * np.log10(1e-4)) < 2
    times = np.flatnonzero(active) * 0.01
    assert 0.95 <= times.min() <= 1.02 and 2.45 <= times.max() <= 2.52
    # without the +12 dB part, +6 dB alone never starts speech
    x[SR : 2 * SR] = floor[SR : 2 * SR]
    assert not voice_activity(x.astype(np.float32), sr=SR)[0].any()


def test_frame_levels_units(tone):
    levels = frame_levels(tone(440.0, 1.0, SR, 0.5), sr=SR)
    assert levels.shape == (1 + (SR - 200) // 80,)
    # a sine of amplitude 0.5 has power 0.125: -9.03 dB
    np.testing.assert_allclose(levels[5:-5], 10 * np.log10(0.125), atol=0.1)
    assert frame_levels(np.zeros(100, np.float32), sr=SR).tolist() == [-120.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"on_db": 3.0, "off_db": 5.0}, "off_db"),
        ({"min_word_duration": 0}, "min_word_duration"),
        ({"max_word_duration": 0.1}, "max_word_duration"),
        ({"min_segments": 0}, "min_segments"),
        ({"length_db": -3}, "length_db"),
        ({"sr": -1}, "sr"),
    ],
)
def test_segment_words_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        segment_words(np.zeros(SR, np.float32), **kwargs)


def test_no_real_digit_of_the_sample_is_taken_for_silence(fsdd_sample):
    has_speech = detect_speech(fsdd_sample.data, sr=fsdd_sample.sr)
    assert has_speech.shape == (300,)
    assert has_speech.sum() == 300  # 0 of 300 rejected


def test_silence_near_silence_and_noise_have_no_speech(rng):
    clips = [
        np.zeros(SR, np.float32),  # digital silence
        (1e-4 * rng.standard_normal(SR)).astype(np.float32),  # dither, -80 dBFS
        (1e-3 * rng.standard_normal(2 * SR)).astype(np.float32),  # hiss, -60 dBFS
        (0.1 * rng.standard_normal(SR)).astype(np.float32),  # white noise, -20 dBFS
        (0.1 * rng.standard_normal(30 * SR)).astype(np.float32),  # 30 s of it
        np.clip(0.6 * rng.standard_normal(SR), -1, 1).astype(np.float32),  # clipped noise
    ]
    assert not detect_speech(clips, sr=SR).any()


def test_a_click_in_silence_is_not_speech():
    x = np.zeros(SR, np.float32)
    x[4000] = 1.0
    assert not detect_speech([x], sr=SR)[0]


def test_the_eight_channel_192_khz_silent_flac_has_no_speech(tmp_path):
    # issue 18's audio bomb, shortened from 59 s to 4 s (8 channels at 192 kHz:
    # 6.1 M samples decoded, 25 MB of float32)
    path = tmp_path / "silence.flac"
    sf.write(path, np.zeros((4 * 192000, 8), np.int16), 192000, format="FLAC")
    y, sr = read_audio(path, sr=SR)
    assert not detect_speech([y], sr=sr)[0]


def test_detect_speech_rates_and_errors(fsdd_sample):
    clip = fsdd_sample.data[0]
    assert detect_speech([soxr.resample(clip, SR, 44100)], sr=44100)[0]
    with pytest.raises(ValueError, match="threshold_db"):
        detect_speech([clip], threshold_db=-1)
    with pytest.raises(ValueError):
        detect_speech([])


@pytest.mark.parametrize("gap", [0.115, 0.13, 0.2])
def test_a_pause_of_min_pause_or_more_separates_words(tone, gap):
    # two loud words, exactly `gap` s of digital silence between them: a frame that
    # reaches into a word is speech, so the silent frames lie inside the pause and
    # the pause is measured as at least their span, not less
    word = tone(300.0, 0.3, SR, 0.5)
    pad = np.zeros(SR // 4, np.float32)
    y = np.concatenate([pad, word, np.zeros(int(round(gap * SR)), np.float32), word, pad])
    segments = segment_words(y, sr=SR, min_pause=0.1)
    assert len(segments) == 2, segments
    assert segments[0, 1] <= 0.25 + 0.3 + gap / 2 <= segments[1, 0]


@pytest.mark.parametrize("gap", [0.03, 0.06, 0.085])
def test_a_pause_shorter_than_min_pause_is_part_of_the_word(tone, gap):
    # the closure before the plosive of "eight" or "six"
    word = tone(300.0, 0.2, SR, 0.5)
    pad = np.zeros(SR // 4, np.float32)
    y = np.concatenate([pad, word, np.zeros(int(round(gap * SR)), np.float32), word, pad])
    ((start, end),) = segment_words(y, sr=SR, min_pause=0.1)
    assert abs(start - 0.25) < 0.03 and abs(end - (0.65 + gap)) < 0.03


def test_a_faint_tail_does_not_make_a_word_too_long(tone, rng):
    # a 0.5 s word whose 0.5 s tail (a fricative's hiss, a room's decay) lies 45 dB
    # below it (more than length_db=40, above the absolute floor): 1 s in all, but
    # one word, and the segment keeps the tail
    word = tone(300.0, 0.5, SR, 0.5)  # power 0.125
    tail = (np.sqrt(0.125 * 10 ** (-45 / 10)) * rng.standard_normal(SR // 2)).astype(np.float32)
    pad = np.zeros(SR // 4, np.float32)
    y = np.concatenate([pad, word, tail, pad])
    ((start, end),) = segment_words(y, sr=SR)
    assert abs(start - 0.25) < 0.03 and end > 1.2
    # measured over its whole length, it is longer than max_word_duration: split
    assert len(segment_words(y, sr=SR, length_db=None)) == 2


def test_trim_db_leaves_faint_ends_out(tone):
    # a 0.3 s word followed by a 0.3 s tail 35 dB below it, between silences
    word, tail = tone(300.0, 0.3, SR, 0.5), tone(300.0, 0.3, SR, 0.5 * 10 ** (-35 / 20))
    pad = np.zeros(SR // 4, np.float32)
    y = np.concatenate([pad, word, tail, pad])
    ((start, end),) = segment_words(y, sr=SR)
    assert end > 0.8  # the tail is above the absolute floor: part of the word
    ((start, end),) = segment_words(y, sr=SR, trim_db=30.0)
    assert abs(start - 0.25) < 0.03 and abs(end - 0.55) < 0.03


# ----------------------------------------------------------------- voicing
def _bursts(rng, n):
    """Cough- and click-like bursts: white or brown noise, 0.05-0.5 s, decaying."""
    out = []
    for k in range(n):
        m = int(rng.uniform(0.05, 0.5) * 8000)
        x = rng.standard_normal(m)
        if k % 2:  # brown: most of its power low, as a cough's
            x = np.cumsum(x)
            x -= np.linspace(x[0], x[-1], m)
        x *= np.exp(-np.arange(m) / (rng.uniform(0.2, 0.6) * m))
        out.append((0.05 * x / np.sqrt(np.mean(x**2))).astype(np.float32))
    return out


def test_every_sample_digit_is_voiced_and_most_bursts_are_not(fsdd_sample, rng):
    digits = np.array([voiced_duration(x) for x in fsdd_sample.data])
    assert digits.min() >= 0.05  # every digit holds a vowel of 50 ms or more
    bursts = np.array([voiced_duration(x) for x in _bursts(rng, 40)])
    assert np.mean(bursts < 0.02) >= 0.7  # 83 % of 200 in the benchmark


def test_voicing_holds_at_10_db_snr(fsdd_sample, rng):
    voiced = []
    for x in fsdd_sample.data[::3]:
        p = np.mean(x.astype(np.float64) ** 2)
        noisy = x + (rng.standard_normal(len(x)) * np.sqrt(p / 10)).astype(np.float32)
        voiced.append(voiced_duration(noisy))
    assert np.mean(np.array(voiced) >= 0.02) >= 0.99


def test_a_tone_is_voiced_and_silence_is_not(tone):
    y = tone(150.0, duration=1.0)  # periodic from start to end, at a voice's pitch
    assert voiced_duration(y) >= 0.9
    assert voiced_duration(np.zeros(8000, np.float32)) == 0.0
    assert voiced_duration(np.zeros(10, np.float32)) == 0.0  # shorter than a frame


@pytest.mark.parametrize("sr", [8000, 16000, 48000])
def test_voicing_at_any_rate(fsdd_sample, sr):
    x = fsdd_sample.data[0]
    at_sr = soxr.resample(x, 8000, sr) if sr != 8000 else x
    assert abs(voiced_duration(at_sr, sr=sr) - voiced_duration(x)) <= 0.05


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"threshold": 0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": True}, "threshold"),
        ({"floor_db": -3}, "floor_db"),
    ],
)
def test_voicing_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        voiced_duration(np.zeros(800, np.float32), **kwargs)
