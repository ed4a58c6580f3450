"""Tests of the waveform transformers on ragged lists and 2-D arrays."""

import numpy as np
import pytest
import soundfile as sf
import soxr
from _bad_inputs import _check_error, array_input_tests
from sklearn.pipeline import make_pipeline

from sklearn_audiodigit.exceptions import AudioLoadError, AudioTypeError, AudioValueError
from sklearn_audiodigit.preprocessing import (
    AudioReader,
    PadTrim,
    PeakNormalizer,
    Resampler,
    TrimSilence,
)


def _embedded(tone_clip, before, after):
    return np.concatenate([np.zeros(before, np.float32), tone_clip, np.zeros(after, np.float32)])


# -- AudioReader ------------------------------------------------------------------------


def test_audio_reader_equals_sample_data(fsdd_sample):
    idx = np.arange(0, 300, 7)
    paths = fsdd_sample.filenames[idx]
    clips = AudioReader().fit_transform(paths)
    assert clips.dtype == object
    assert clips.shape == (len(idx),)
    for got, i in zip(clips, idx, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, fsdd_sample.data[i])


def test_audio_reader_threads_and_column_input(fsdd_sample):
    paths = list(fsdd_sample.filenames[:12])
    serial = AudioReader().fit_transform(paths)
    threaded = AudioReader(n_jobs=2).fit_transform(np.asarray(paths)[:, None])
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a, b)


def test_audio_reader_resamples_to_its_rate(tmp_path, tone):
    path = tmp_path / "a16k.wav"
    sf.write(path, tone(440.0, duration=0.5, sr=16000), 16000)
    (clip,) = AudioReader(sr=8000).fit_transform([path])
    assert len(clip) == 4000
    (native,) = AudioReader(sr=16000).fit_transform([str(path)])
    assert len(native) == 8000


def test_audio_reader_errors(tmp_path, tone):
    good = tmp_path / "good.wav"
    sf.write(good, tone(duration=0.1), 8000)
    with pytest.raises(AudioLoadError, match="missing.wav"):
        AudioReader().fit_transform([good, tmp_path / "missing.wav"])
    with pytest.raises(TypeError, match="path"):
        AudioReader().fit([good, 3])
    with pytest.raises(AudioLoadError, match="max_duration"):
        AudioReader(max_duration=0.05).transform([good])


# -- Resampler --------------------------------------------------------------------------


def test_resampler_2d_and_ragged_agree(tone, chirp):
    a = tone(440.0, duration=0.5, sr=16000)
    b = chirp(duration=0.5, sr=16000)
    X = np.stack([a, b])
    ragged = np.empty(2, dtype=object)
    ragged[:] = [a, b]

    out2d = Resampler(orig_sr=16000, target_sr=8000).fit_transform(X)
    outr = Resampler(orig_sr=16000, target_sr=8000).fit_transform(ragged)

    assert out2d.shape == (2, 4000)
    assert out2d.dtype == np.float32
    assert outr.dtype == object
    for row, clip in zip(out2d, outr, strict=True):
        np.testing.assert_allclose(row, clip, atol=1e-6)


def test_resampler_ragged_lengths_and_frequency(tone, peak_frequency):
    clips = [tone(1000.0, duration=d, sr=16000) for d in (0.25, 0.5, 0.3)]
    out = Resampler(orig_sr=16000, target_sr=8000).fit_transform(clips)
    assert [len(x) for x in out] == [2000, 4000, 2400]
    for x, clip in zip(out, clips, strict=True):
        assert x.dtype == np.float32
        assert peak_frequency(x, 8000) == pytest.approx(1000.0, abs=8000 / len(x))
        # each ragged clip is resampled on its own
        np.testing.assert_allclose(x, soxr.resample(clip, 16000, 8000, quality="HQ"), atol=1e-6)


def test_resampler_same_rate_is_identity(tone):
    X = np.stack([tone(300.0), tone(600.0)])
    np.testing.assert_array_equal(Resampler().fit_transform(X), X)


def test_resampler_44k(tone, peak_frequency):
    X = np.stack([tone(440.0, duration=0.5, sr=44100)] * 2)
    out = Resampler(orig_sr=44100, target_sr=8000).fit_transform(X)
    assert out.shape == (2, 4000)
    assert peak_frequency(out[1], 8000) == pytest.approx(440.0, abs=2.0)


# -- TrimSilence ------------------------------------------------------------------------


def test_trim_silence_removes_leading_and_trailing_silence(tone):
    burst = tone(440.0, duration=0.25, amplitude=0.5)
    x = _embedded(burst, 3000, 5000)
    (out,) = TrimSilence().fit_transform([x])
    assert out.dtype == np.float32
    assert len(burst) <= len(out) < len(burst) + 1000
    # a contiguous piece of the input that contains the whole burst
    windows = np.lib.stride_tricks.sliding_window_view(x, len(out))
    (starts,) = np.nonzero((windows == out).all(axis=1))
    assert len(starts) >= 1
    start = int(starts[0])
    assert start <= 3000 and start + len(out) >= 3000 + len(burst)


def test_trim_silence_relative_to_each_clip_peak(tone):
    loud = _embedded(tone(440.0, duration=0.25, amplitude=1.0), 2000, 2000)
    quiet = loud * np.float32(0.01)  # FSDD peaks go down to 0.01
    out = TrimSilence(top_db=40).fit_transform([loud, quiet])
    assert len(out[1]) >= 2000  # the quiet tone is kept...
    assert len(out[1]) == len(out[0])  # ...exactly as the loud one is
    np.testing.assert_allclose(out[1], out[0] * np.float32(0.01), atol=1e-7)
    assert np.abs(out[1]).max() == pytest.approx(0.01, rel=1e-3)


def test_trim_silence_never_empty():
    silent = np.zeros(4000, np.float32)
    impulse = np.zeros(4000, np.float32)
    impulse[2000] = 0.3
    out = TrimSilence().fit_transform([silent, impulse, np.array([0.0], np.float32)])
    np.testing.assert_array_equal(out[0], silent)  # silent clip unchanged
    assert 1 <= len(out[1]) < 4000
    assert 0.3 in out[1]
    assert len(out[2]) == 1
    assert all(len(x) > 0 for x in out)


def test_trim_silence_2d_input_and_no_input_change(tone):
    X = np.stack([_embedded(tone(440.0, duration=0.1), 1000, 2200), np.zeros(4000, np.float32)])
    before = X.copy()
    out = TrimSilence().fit_transform(X)
    np.testing.assert_array_equal(X, before)
    assert out.dtype == object and out.shape == (2,)
    assert len(out[0]) < 4000
    assert len(out[1]) == 4000


def test_trim_silence_on_fsdd_keeps_the_digit(fsdd_clips):
    out = TrimSilence().fit_transform(fsdd_clips)
    for x, y in zip(fsdd_clips, out, strict=True):
        assert 0 < len(y) <= len(x)
        # the loudest sample of the digit survives trimming
        assert np.abs(y).max() == np.abs(x).max()


@pytest.mark.parametrize(
    ("top_db", "frame_length", "hop_length"), [(30, 256, 64), (40, 256, 64), (60, 2048, 512)]
)
def test_trim_silence_cuts_where_librosa_does(fsdd_sample, top_db, frame_length, hop_length):
    """Every clip of the sample, quiet copies and short noise: librosa's cut points."""
    librosa = pytest.importorskip("librosa")
    rng = np.random.default_rng(0)
    clips = list(fsdd_sample.data) + [(x * np.float32(1e-3)) for x in fsdd_sample.data[::10]]
    clips += [(rng.normal(size=n) * np.linspace(0, 1, n) ** 6).astype(np.float32) for n in (7, 300)]
    est = TrimSilence(top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    out = est.fit_transform(clips)
    for x, y in zip(clips, out, strict=True):
        ref, _ = librosa.effects.trim(
            x, top_db=top_db, frame_length=frame_length, hop_length=hop_length
        )
        np.testing.assert_array_equal(y, ref if ref.size else x)


# -- PadTrim ----------------------------------------------------------------------------


def test_pad_trim_left():
    clips = [np.arange(1, 4, dtype=np.float32), np.arange(1, 11, dtype=np.float32)]
    out = PadTrim(length=6, align="left").fit_transform(clips)
    expected = np.array([[1, 2, 3, 0, 0, 0], [1, 2, 3, 4, 5, 6]], np.float32)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float32


def test_pad_trim_center():
    clips = [
        np.arange(1, 4, dtype=np.float32),  # 3 -> 7: two zeros before, two after
        np.arange(1, 11, dtype=np.float32),  # 10 -> 7: cut 1 before, 2 after
        np.arange(1, 8, dtype=np.float32),  # already 7
    ]
    out = PadTrim(length=7, align="center").fit_transform(clips)
    expected = np.array(
        [[0, 0, 1, 2, 3, 0, 0], [2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7]], np.float32
    )
    np.testing.assert_array_equal(out, expected)


def test_pad_trim_center_keeps_the_middle(tone):
    x = tone(duration=0.3)
    (out,) = PadTrim(length=1000).fit_transform([x])
    middle = len(x) // 2
    np.testing.assert_array_equal(out, x[middle - 500 : middle + 500])
    (padded,) = PadTrim(length=4000).fit_transform([x])
    assert np.count_nonzero(padded[:600]) == 0 and np.count_nonzero(padded[-600:]) == 0
    np.testing.assert_array_equal(padded[800:3200], x)


@pytest.mark.parametrize(
    ("kwargs", "n"),
    [
        ({}, 8000),  # one second at the default 8 kHz
        ({"duration": 0.5}, 4000),
        ({"duration": 0.5, "sr": 16000}, 8000),
        ({"length": 1234, "duration": 0.5}, 1234),  # length wins
    ],
)
def test_pad_trim_samples_vs_duration(fsdd_clips, kwargs, n):
    est = PadTrim(**kwargs)
    out = est.fit_transform(fsdd_clips)
    assert out.shape == (len(fsdd_clips), n)
    assert len(est.get_feature_names_out()) == n


def test_pad_trim_2d_input():
    X = np.arange(20, dtype=np.float32).reshape(2, 10)
    out = PadTrim(length=4, align="left").fit_transform(X)
    np.testing.assert_array_equal(out, X[:, :4])
    out = PadTrim(length=12, align="center").fit_transform(X)
    np.testing.assert_array_equal(out[:, 1:11], X)
    assert (out[:, [0, 11]] == 0).all()


def test_pad_trim_too_short_duration():
    with pytest.raises(ValueError, match="duration"):
        PadTrim(duration=1e-6).fit_transform([np.ones(5, np.float32)])


# -- PeakNormalizer ---------------------------------------------------------------------


def test_peak_normalizer_2d(rng):
    X = rng.uniform(-0.3, 0.3, size=(3, 500)).astype(np.float32)
    X[1] *= 0.01
    X[2] = 0.0
    before = X.copy()
    out = PeakNormalizer().fit_transform(X)
    np.testing.assert_array_equal(X, before)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.abs(out[:2]).max(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(out[2], 0.0)  # silence left alone, no NaN
    # a pure gain: signs and ratios are kept
    np.testing.assert_allclose(out[0] * np.abs(X[0]).max(), X[0], rtol=1e-5, atol=1e-7)


def test_peak_normalizer_ragged(fsdd_clips):
    clips = [*fsdd_clips, np.zeros(100, np.float32)]
    out = PeakNormalizer(peak=0.5).fit_transform(clips)
    assert out.dtype == object
    for x, y in zip(clips, out, strict=True):
        assert len(x) == len(y)
        assert y.dtype == np.float32
        assert np.isfinite(y).all()
        if np.any(x):
            assert np.abs(y).max() == pytest.approx(0.5, rel=1e-6)
        else:
            np.testing.assert_array_equal(y, x)


# -- shared behaviour -------------------------------------------------------------------


@pytest.mark.parametrize(
    "est",
    [
        Resampler(orig_sr=8000, target_sr=16000),
        TrimSilence(),
        PadTrim(length=3000),
        PeakNormalizer(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transformers_accept_ragged_and_2d(est, fsdd_clips):
    ragged = [x.copy() for x in fsdd_clips]
    out_r = est.fit_transform(ragged)
    assert len(out_r) == len(ragged)
    for x, y in zip(fsdd_clips, ragged, strict=True):
        np.testing.assert_array_equal(x, y)  # input untouched
    X = PadTrim(length=2000).fit_transform(fsdd_clips)
    out_2d = est.fit_transform(X)
    assert len(out_2d) == len(X)
    # a 2-D batch gives, row by row, what the same rows give as a ragged batch
    rows = np.empty(len(X), dtype=object)
    rows[:] = list(X)
    out_rows = est.fit_transform(rows)
    for a, b in zip(out_2d, out_rows, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


@pytest.mark.parametrize("est", [TrimSilence(), PadTrim(length=10), PeakNormalizer()])
def test_transformers_reject_nan_and_empty(est):
    with pytest.raises(ValueError):
        est.fit_transform([np.array([0.1, np.nan], np.float32), np.ones(3, np.float32)])
    with pytest.raises(ValueError):
        est.fit_transform([np.ones(3, np.float32), np.zeros(0, np.float32)])


def test_int16_input_is_scaled():
    x = (np.array([[0, 16384, -32768, 8192]])).astype(np.int16)
    out = PeakNormalizer(peak=1.0).fit_transform(x)
    np.testing.assert_allclose(out, [[0, 0.5, -1.0, 0.25]])
    padded = PadTrim(length=6, align="left").fit_transform(x)
    np.testing.assert_allclose(padded, [[0, 0.5, -1.0, 0.25, 0, 0]])


def test_pipeline_of_waveform_transformers(fsdd_sample):
    pipe = make_pipeline(AudioReader(), TrimSilence(), PeakNormalizer(), PadTrim(duration=0.75))
    out = pipe.fit_transform(fsdd_sample.filenames[:10])
    assert out.shape == (10, 6000)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.abs(out).max(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("n", [999, 1003, 1006, 1010])
def test_resampler_output_length_is_close_to_the_ratio(n):
    out = Resampler(orig_sr=44100, target_sr=8000).fit_transform(np.zeros((1, n), np.float32))
    assert abs(out.shape[1] - n * 8000 / 44100) <= 1


@pytest.mark.parametrize("n", [1010, 1013, 1016, 999, 7])
def test_resampler_output_length_as_documented(n):
    out = Resampler(orig_sr=44100, target_sr=8000).fit_transform(np.zeros((1, n), np.float32))
    assert out.shape[1] == round(n * 8000 / 44100)


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
def test_audio_reader_goes_through_the_same_checks(catalogue):
    good = [catalogue["WAV PCM_16"], catalogue["48000 Hz"]]
    clips = AudioReader(max_duration=60).fit_transform(good)
    assert [len(c) > 1000 for c in clips] == [True, True]
    with pytest.raises(AudioLoadError) as excinfo:
        AudioReader(max_duration=60).fit_transform(good + [catalogue["NaN samples"]])
    _check_error(excinfo, AudioLoadError, "nonfinite_nan.wav")
    with pytest.raises(AudioTypeError) as excinfo:
        AudioReader().fit_transform(str(good[0]))  # one path, not a list of paths
    _check_error(excinfo, TypeError, "[path]")
    with pytest.raises(AudioTypeError):
        AudioReader().fit_transform([good[0], 3])


# bad, valid and awkward arrays through every waveform transformer
(
    test_bad_arrays_raise_documented_errors,
    test_arrays_that_work_give_the_float_result,
    test_awkward_but_valid_clips_give_finite_output,
) = array_input_tests(
    [TrimSilence(), PadTrim(length=800), PeakNormalizer(), Resampler(orig_sr=16000)]
)


def test_resampling_to_nothing_is_an_error():
    for X in ([np.ones(1, np.float32)], np.ones((2, 1), np.float32)):
        with pytest.raises(AudioValueError) as excinfo:
            Resampler(orig_sr=44100, target_sr=8000).fit_transform(X)
        _check_error(excinfo, ValueError, "clip 0", "orig_sr=44100", "target_sr=8000")


# -- PeakNormalizer's feature names: scikit-learn's one-to-one rule --------------------------
def test_peak_normalizer_names_are_one_to_one(fsdd_sample):
    import pandas as pd
    from sklearn.base import OneToOneFeatureMixin

    assert issubclass(PeakNormalizer, OneToOneFeatureMixin)
    X = PadTrim(length=5).fit_transform(fsdd_sample.data[:4])
    est = PeakNormalizer().fit(X)
    np.testing.assert_array_equal(est.get_feature_names_out(), ["x0", "x1", "x2", "x3", "x4"])
    given = ["a", "b", "c", "d", "e"]
    np.testing.assert_array_equal(est.get_feature_names_out(given), given)
    with pytest.raises(ValueError, match="input_features"):
        est.get_feature_names_out(["a", "b"])
    # a DataFrame's column names pass through, as in scikit-learn's scalers
    frame = pd.DataFrame(X, columns=given)
    out = PeakNormalizer().set_output(transform="pandas").fit_transform(frame)
    assert list(out.columns) == given
    # after PadTrim in a pipeline, its sample names are kept
    pipe = make_pipeline(PadTrim(length=5), PeakNormalizer()).fit(fsdd_sample.data[:4])
    np.testing.assert_array_equal(pipe.get_feature_names_out(), [f"sample{i}" for i in range(5)])
