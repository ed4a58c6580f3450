"""Tests of sklearn_audiodigit.io: read_audio and audio_info."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from _bad_inputs import FILE_CASES, MIN_SNR, SR, _check_error, _snr

from sklearn_audiodigit.exceptions import AudioDigitError, AudioLoadError, AudioTypeError
from sklearn_audiodigit.io import audio_info, read_audio

# largest quantisation error of each subtype for a signal in [-1, 1]
WAV_SUBTYPES = {
    "PCM_U8": 1 / 64,
    "PCM_16": 1 / 2**14,
    "PCM_24": 1 / 2**22,
    "PCM_32": 1e-6,
    "FLOAT": 1e-7,
    "DOUBLE": 1e-7,
}


@pytest.mark.parametrize("subtype", list(WAV_SUBTYPES))
def test_read_wav_subtypes(tmp_path, tone, subtype):
    y = tone(440.0, duration=0.25, amplitude=0.8)
    path = tmp_path / f"tone_{subtype}.wav"
    sf.write(path, y, 8000, subtype=subtype, format="WAV")
    assert sf.info(str(path)).subtype == subtype

    out, sr = read_audio(path)

    assert sr == 8000
    assert out.dtype == np.float32
    assert out.shape == y.shape
    np.testing.assert_allclose(out, y, atol=WAV_SUBTYPES[subtype])


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
def test_read_flac(tmp_path, tone, subtype):
    y = tone(440.0, duration=0.25)
    path = tmp_path / "tone.flac"
    sf.write(path, y, 8000, subtype=subtype, format="FLAC")
    out, sr = read_audio(path)
    assert (sr, out.dtype, out.shape) == (8000, np.float32, y.shape)
    np.testing.assert_allclose(out, y, atol=1 / 2**14)


def test_read_ogg_vorbis(tmp_path, tone, peak_frequency):
    y = tone(1000.0, duration=1.0, sr=16000, amplitude=0.5)
    path = tmp_path / "tone.ogg"
    sf.write(path, y, 16000, format="OGG", subtype="VORBIS")
    out, sr = read_audio(path, sr=None)
    assert sr == 16000
    assert out.dtype == np.float32
    assert abs(len(out) - len(y)) <= 1
    # lossy: the waveform is not exact, but the tone is there
    assert peak_frequency(out, sr) == pytest.approx(1000.0, abs=2.0)
    assert np.abs(out).max() == pytest.approx(0.5, abs=0.05)


def test_format_is_read_from_contents_not_extension(tmp_path, tone):
    y = tone(440.0, duration=0.1)
    path = tmp_path / "really_flac.wav"
    sf.write(path, y, 8000, format="FLAC", subtype="PCM_16")
    out, _ = read_audio(path)
    np.testing.assert_allclose(out, y, atol=1 / 2**14)


def test_stereo_is_averaged_to_mono(tmp_path, tone):
    left = tone(440.0, duration=0.25, amplitude=0.6)
    right = tone(1000.0, duration=0.25, amplitude=0.2)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 8000, subtype="FLOAT")

    mono, sr = read_audio(path)
    assert mono.shape == left.shape
    assert mono.dtype == np.float32
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-6)

    both, sr2 = read_audio(path, mono=False)
    assert sr2 == 8000
    assert both.dtype == np.float32
    assert both.shape == (2, len(left))  # channels first
    np.testing.assert_allclose(both[0], left, atol=1e-7)
    np.testing.assert_allclose(both[1], right, atol=1e-7)


def test_mono_false_on_mono_file_gives_one_channel(tmp_path, tone):
    y = tone(duration=0.1)
    path = tmp_path / "mono.wav"
    sf.write(path, y, 8000, subtype="FLOAT")
    out, _ = read_audio(path, mono=False)
    assert out.shape == (1, len(y))


def test_stereo_resampled_keeps_channels(tmp_path, tone):
    left = tone(440.0, duration=0.5, sr=16000)
    right = tone(880.0, duration=0.5, sr=16000)
    path = tmp_path / "stereo16k.wav"
    sf.write(path, np.stack([left, right], axis=1), 16000, subtype="PCM_16")
    out, sr = read_audio(path, mono=False)
    assert sr == 8000
    assert out.shape == (2, 4000)


@pytest.mark.parametrize(
    ("native_sr", "duration", "freq"),
    [(16000, 1.0, 1000.0), (44100, 0.5, 440.0), (22050, 0.4, 2500.0)],
)
def test_resampled_to_8k_keeps_length_ratio_and_frequency(
    tmp_path, tone, peak_frequency, native_sr, duration, freq
):
    y = tone(freq, duration=duration, sr=native_sr, amplitude=0.5)
    path = tmp_path / f"tone_{native_sr}.wav"
    sf.write(path, y, native_sr, subtype="PCM_16")

    out, sr = read_audio(path, sr=8000)

    assert sr == 8000
    assert out.dtype == np.float32
    assert abs(len(out) - len(y) * 8000 / native_sr) <= 1
    assert peak_frequency(out, 8000) == pytest.approx(freq, abs=8000 / len(out) + 1e-9)
    # amplitude of an in-band tone survives resampling (look away from the edges)
    middle = out[len(out) // 4 : -len(out) // 4]
    assert np.abs(middle).max() == pytest.approx(0.5, abs=0.02)


def test_upsampling(tmp_path, tone, peak_frequency):
    y = tone(500.0, duration=0.5, sr=8000)
    path = tmp_path / "tone8k.wav"
    sf.write(path, y, 8000, subtype="FLOAT")
    out, sr = read_audio(path, sr=16000)
    assert sr == 16000
    assert len(out) == 2 * len(y)
    assert peak_frequency(out, 16000) == pytest.approx(500.0, abs=2.0)


@pytest.mark.parametrize("native_sr", [8000, 16000, 44100])
def test_sr_none_keeps_native_rate(tmp_path, tone, native_sr):
    y = tone(440.0, duration=0.2, sr=native_sr)
    path = tmp_path / "native.wav"
    sf.write(path, y, native_sr, subtype="FLOAT")
    out, sr = read_audio(path, sr=None)
    assert sr == native_sr
    assert isinstance(sr, int)
    np.testing.assert_array_equal(out, y)


def test_default_rate_is_8k_and_matches_fsdd(fsdd_sample):
    out, sr = read_audio(fsdd_sample.filenames[0])
    assert sr == 8000 == fsdd_sample.sr
    np.testing.assert_array_equal(out, fsdd_sample.data[0])


def test_accepts_str_and_pathlike(tmp_path, tone):
    y = tone(duration=0.05)
    path = tmp_path / "a.wav"
    sf.write(path, y, 8000, subtype="FLOAT")
    a, _ = read_audio(path)
    b, _ = read_audio(str(path))
    np.testing.assert_array_equal(a, b)


def test_audio_info(tmp_path, tone):
    y = tone(duration=0.5, sr=16000)
    path = tmp_path / "info.wav"
    sf.write(path, np.stack([y, y], axis=1), 16000, subtype="PCM_24")
    info = audio_info(path)
    assert info.samplerate == 16000
    assert info.frames == len(y)
    assert info.channels == 2
    assert info.subtype == "PCM_24"


# -- errors -----------------------------------------------------------------------------


def _assert_load_error(excinfo, path):
    err = excinfo.value
    assert isinstance(err, AudioLoadError)
    assert isinstance(err, OSError)
    assert isinstance(err, AudioDigitError)
    assert path.name in str(err)


def test_missing_file(tmp_path):
    path = tmp_path / "missing.wav"
    with pytest.raises(AudioLoadError) as excinfo:
        read_audio(path)
    _assert_load_error(excinfo, path)
    # also catchable as the built-in error
    with pytest.raises(OSError, match="missing.wav"):
        read_audio(path)


def test_directory(tmp_path):
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    with pytest.raises(AudioLoadError, match="directory") as excinfo:
        read_audio(folder)
    _assert_load_error(excinfo, folder)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioLoadError, match="empty") as excinfo:
        read_audio(path)
    _assert_load_error(excinfo, path)


def test_text_file_named_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio\n" * 20)
    with pytest.raises(AudioLoadError) as excinfo:
        read_audio(path)
    _assert_load_error(excinfo, path)
    with pytest.raises(AudioLoadError, match="notes.wav"):
        audio_info(path)


def test_zero_frame_wav(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 8000, subtype="PCM_16")
    assert sf.info(str(path)).frames == 0
    with pytest.raises(AudioLoadError, match="no samples") as excinfo:
        read_audio(path)
    _assert_load_error(excinfo, path)


def test_max_duration_exceeded(tmp_path, tone):
    path = tmp_path / "long.wav"
    sf.write(path, tone(duration=2.0), 8000, subtype="PCM_16")
    with pytest.raises(AudioLoadError, match="max_duration") as excinfo:
        read_audio(path, max_duration=1.0)
    _assert_load_error(excinfo, path)
    # within the cap it reads
    y, _ = read_audio(path, max_duration=2.5)
    assert len(y) == 16000


def test_max_duration_checked_before_decoding(tmp_path, tone, monkeypatch):
    path = tmp_path / "long.wav"
    sf.write(path, tone(duration=2.0), 8000, subtype="PCM_16")

    def no_decoding(*args, **kwargs):
        raise AssertionError("the samples were decoded")

    monkeypatch.setattr(sf, "read", no_decoding)
    with pytest.raises(AudioLoadError, match="max_duration"):
        read_audio(path, max_duration=1.0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_samples_in_float_wav(tmp_path, tone, bad):
    y = tone(duration=0.1)
    y[100] = bad
    path = tmp_path / "nan.wav"
    sf.write(path, y, 8000, subtype="FLOAT")
    with pytest.raises(AudioLoadError, match="NaN or infinite") as excinfo:
        read_audio(path)
    _assert_load_error(excinfo, path)


def test_dangling_symlink(tmp_path):
    link = tmp_path / "link.wav"
    link.symlink_to(tmp_path / "nowhere.wav")
    with pytest.raises(AudioLoadError, match="link.wav"):
        read_audio(link)


@pytest.mark.parametrize("kwargs", [{"sr": 0}, {"sr": -8000}, {"max_duration": 0}])
def test_invalid_arguments(tmp_path, tone, kwargs):
    path = tmp_path / "a.wav"
    sf.write(path, tone(duration=0.1), 8000)
    with pytest.raises(ValueError):
        read_audio(path, **kwargs)


def test_path_of_wrong_type():
    with pytest.raises(TypeError, match="path"):
        read_audio(123)


# ------------------------------------------------------------------ bounds (issue 18)
@pytest.fixture(scope="module")
def flac_bomb_file(tmp_path_factory):
    """The issue's audio bomb: 59 s of silence, 8 channels at 192 kHz, about 92 KB."""
    from _untrusted_files import flac_bomb

    return flac_bomb(tmp_path_factory.mktemp("bomb") / "silence.flac")


def test_flac_bomb_is_refused_from_its_header(flac_bomb_file):
    assert flac_bomb_file.stat().st_size < 200_000
    with pytest.raises(AudioLoadError, match=r"silence.flac.*8 channel.*max_samples=67,108,864"):
        read_audio(flac_bomb_file, max_duration=60)


def test_flac_bomb_decodes_blockwise_in_memory_of_the_mono_output(flac_bomb_file):
    import tracemalloc

    tracemalloc.start()
    try:
        y, sr = read_audio(flac_bomb_file, max_duration=60, max_samples=None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (sr, y.shape) == (8000, (472_000,))
    assert np.abs(y).max() == 0
    # 8 channels decoded at once would be 363 MB of float32; the mono output is 45 MB
    assert peak < 150e6


def test_blockwise_mixing_equals_whole_file_mixing(tmp_path, rng, monkeypatch):
    import sklearn_audiodigit.io as io_module

    data = (0.3 * rng.standard_normal((5000, 3))).astype(np.float32)
    path = tmp_path / "three.wav"
    sf.write(path, data, 8000, subtype="FLOAT")
    whole, _ = read_audio(path)
    monkeypatch.setattr(io_module, "_BLOCKWISE", 100)
    monkeypatch.setattr(io_module, "_BLOCK", 1000)
    blocks, _ = read_audio(path)
    np.testing.assert_allclose(blocks, whole, atol=1e-7)
    np.testing.assert_allclose(blocks, data.mean(axis=1), atol=1e-6)


def test_blockwise_decoding_still_refuses_non_finite_samples(tmp_path, monkeypatch):
    import sklearn_audiodigit.io as io_module

    data = np.zeros((3000, 2), dtype=np.float32)
    data[2500, 1] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, data, 8000, subtype="FLOAT")
    monkeypatch.setattr(io_module, "_BLOCKWISE", 100)
    monkeypatch.setattr(io_module, "_BLOCK", 1000)
    with pytest.raises(AudioLoadError, match="nan.wav.*NaN"):
        read_audio(path)


def test_resampled_length_is_bounded_too(tmp_path):
    # 2,000 frames at 1 Hz would become 16 million samples at 8 kHz
    path = tmp_path / "one_hz.wav"
    sf.write(path, np.zeros(2000, dtype=np.float32), 1, subtype="FLOAT")
    with pytest.raises(AudioLoadError, match=r"one_hz.wav.*16,000,000 samples.*max_samples"):
        read_audio(path, max_samples=1_000_000)


@pytest.mark.parametrize("max_samples", [0, -1, 1.5, True])
def test_invalid_max_samples(tmp_path, tone, max_samples):
    path = tmp_path / "t.wav"
    sf.write(path, tone(), 8000)
    with pytest.raises(ValueError, match="max_samples"):
        read_audio(path, max_samples=max_samples)


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
@pytest.mark.parametrize("case", list(FILE_CASES))
def test_file_catalogue_read_audio(case, catalogue, digit):
    path = catalogue[case]
    outcome = FILE_CASES[case][1]
    if outcome != "ok":
        with pytest.raises(AudioLoadError) as excinfo:
            read_audio(path, max_duration=60)
        _check_error(excinfo, AudioLoadError, Path(path).name, *outcome[1:])
        return
    y, sr = read_audio(path, max_duration=60)
    assert sr == SR and y.dtype == np.float32 and y.ndim == 1 and len(y) >= 1
    assert np.isfinite(y).all()
    if case.startswith("fewer") or case.startswith("a few"):
        n = 200 if case.startswith("fewer") else 3
        np.testing.assert_allclose(y, digit[len(digit) // 2 : len(digit) // 2 + n], atol=1e-4)
    elif case == "all-zero clip":
        assert not y.any()
    elif case == "peak above 1":
        assert np.abs(y).max() == pytest.approx(1.5, rel=1e-6)  # kept, not clipped
    elif case == "clipped PCM":
        assert np.abs(y).max() == pytest.approx(1.0, abs=1e-4)
    elif case in ("stereo", "6 channels"):
        n = 2 if case == "stereo" else 6
        np.testing.assert_allclose(y, digit * np.linspace(0.5, 1.0, n).mean(), atol=1e-4)
    elif case.endswith("Hz"):
        assert abs(len(y) - len(digit)) <= 2
        assert _snr(digit[50:-50], y[50:-50]) > 25
    else:  # formats and subtypes decode to the written signal
        assert len(y) >= len(digit) and len(y) <= len(digit) + 600  # ADPCM block padding
        assert _snr(digit, y) > MIN_SNR.get(case, 60), case


def test_ten_minute_file_works_without_a_cap(catalogue):
    y, _ = read_audio(catalogue["10-minute file"], max_duration=None)
    assert len(y) == 600 * SR


def test_directory_is_an_error(tmp_path):
    with pytest.raises(AudioLoadError) as excinfo:
        read_audio(tmp_path)
    _check_error(excinfo, AudioLoadError, tmp_path.name, "directory")


def test_path_of_wrong_type_is_a_type_error():
    with pytest.raises(AudioTypeError) as excinfo:
        read_audio(3.5)
    _check_error(excinfo, TypeError, "path", "float")
