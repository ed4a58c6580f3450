"""A catalogue of bad and awkward audio input, shared by the tests of every public entry point.

Each case of the catalogue goes through the public API (``read_audio`` in
tests/test_io.py, the transformers in tests/test_preprocessing.py and
tests/test_features.py, ``load_audio_folder`` in tests/datasets/test_folder.py, a
fitted model in tests/test_pipelines.py) and, for files, through ``audiodigit
predict`` (tests/cli/test_predict.py). Either it works and the result is checked, or
it raises an error that derives from :class:`AudioDigitError` *and* from the
matching built-in (``ValueError``, ``OSError``, ``TypeError``), whose message names
the file or the parameter (issue 6). The fixtures that build the files
(``catalogue``, ``digit``, ``model_file``, ``model_from_file``) are in
tests/conftest.py.

Already covered elsewhere, not repeated here: each WAV subtype's exact samples
(tests/test_io.py::test_read_wav_subtypes), FLAC/OGG decoding and the format read
from the contents (test_io.py), max_duration checked before decoding
(test_io.py::test_max_duration_checked_before_decoding), predict on a folder with
bad files (tests/cli/test_predict.py), the folder loader's on_error policies on
hidden, text, misnamed and random files (tests/datasets/test_folder.py).
"""

import warnings

import numpy as np
import pytest
import soundfile as sf

from sklearn_audiodigit import AudioDigitError, AudioLoadError, AudioTypeError, AudioValueError
from sklearn_audiodigit.preprocessing import Resampler

SR = 8000
BUILTIN = {AudioLoadError: OSError, AudioValueError: ValueError, AudioTypeError: TypeError}


def _check_error(excinfo, error, *names):
    """The error is documented (library base + built-in) and names what is wrong."""
    err = excinfo.value
    assert isinstance(err, AudioDigitError)
    assert isinstance(err, BUILTIN.get(error, error))
    for name in names:
        assert str(name) in str(err), (name, str(err))


def _write(path, y, sr=SR, **kw):
    sf.write(path, y, sr, **kw)
    return path


def _tone(n, sr=SR, freq=440.0, amp=0.5):
    return (amp * np.sin(2 * np.pi * freq * np.arange(n) / sr)).astype(np.float32)


# The file catalogue: name -> (maker(folder, digit) -> path, outcome). Outcome is "ok"
# or ("error", words the message must hold besides the file's name).
def _empty(d, x):
    p = d / "empty.wav"
    p.write_bytes(b"")
    return p


def _zero_frames(d, x):
    return _write(d / "zero_frames.wav", np.zeros(0, np.float32))


def _short(n):
    def make(d, x):
        return _write(d / f"short_{n}.wav", x[len(x) // 2 : len(x) // 2 + n])

    return make


def _one_sample_44k(d, x):
    return _write(d / "one_sample_44k.wav", np.array([0.3]), 44100)


def _silent(d, x):
    return _write(d / "silent.wav", np.zeros(4000, np.int16), subtype="PCM_16")


def _nonfinite(value):
    def make(d, x):
        y = x.copy()
        y[100] = value
        return _write(d / f"nonfinite_{value}.wav", y, subtype="FLOAT")

    return make


def _huge(d, x):
    return _write(d / "huge.wav", x * np.float32(2e30), subtype="FLOAT")


def _hot(d, x):
    return _write(d / "peak_1.5.wav", 3 * x, subtype="FLOAT")


def _clipped(d, x):
    return _write(d / "clipped.wav", np.clip(20 * x, -1, 1), subtype="PCM_16")


def _channels(n):
    def make(d, x):
        return _write(
            d / f"channels_{n}.wav",
            np.tile(x[:, None], (1, n)) * np.linspace(0.5, 1.0, n, dtype=np.float32),
        )

    return make


def _subtype(subtype, fmt="WAV", ext="wav", name=None):
    def make(d, x):
        return _write(d / (name or f"{subtype}.{ext}"), x, format=fmt, subtype=subtype)

    return make


def _rate(sr):
    def make(d, x):
        import soxr

        return _write(d / f"rate_{sr}.wav", soxr.resample(x, SR, sr), sr, subtype="PCM_16")

    return make


def _ten_minutes(d, x):
    return _write(d / "ten_minutes.wav", np.zeros(600 * SR, np.int16), subtype="PCM_16")


def _cut_header(d, x):
    p = _write(d / "cut_header.wav", x, subtype="PCM_16")
    p.write_bytes(p.read_bytes()[:20])
    return p


def _bytes(name, content):
    def make(d, x):
        p = d / name
        p.write_bytes(content)
        return p

    return make


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
NOT_AUDIO = ("not a readable audio file",)

FILE_CASES = {
    "empty file": (_empty, ("error", "empty file")),
    "header with 0 frames": (_zero_frames, ("error", "no samples")),
    "fewer samples than n_fft": (_short(200), "ok"),
    "a few samples": (_short(3), "ok"),
    "one sample at 44.1 kHz": (_one_sample_44k, ("error", "too short to resample")),
    "all-zero clip": (_silent, "ok"),
    "NaN samples": (_nonfinite(np.nan), ("error", "NaN")),
    "inf samples": (_nonfinite(np.inf), ("error", "infinite")),
    "huge finite samples": (_huge, ("error", "magnitude")),
    "peak above 1": (_hot, "ok"),
    "clipped PCM": (_clipped, "ok"),
    "stereo": (_channels(2), "ok"),
    "6 channels": (_channels(6), "ok"),
    **{
        f"WAV {s}": (_subtype(s), "ok")
        for s in (
            "PCM_U8",
            "PCM_16",
            "PCM_24",
            "PCM_32",
            "FLOAT",
            "DOUBLE",
            "ULAW",
            "ALAW",
            "IMA_ADPCM",
            "MS_ADPCM",
        )
    },
    **{f"{sr} Hz": (_rate(sr), "ok") for sr in (8000, 16000, 44100, 48000)},
    "10-minute file": (_ten_minutes, ("error", "exceeds max_duration")),
    "header cut to 20 bytes": (_cut_header, ("error",) + NOT_AUDIO),
    "text named .wav": (_bytes("text.wav", b"RIFF? no, a shopping list\n"), ("error",) + NOT_AUDIO),
    "PNG named .wav": (_bytes("image.wav", PNG), ("error",) + NOT_AUDIO),
    "random bytes named .wav": (
        _bytes("random.wav", np.random.default_rng(0).bytes(3000)),
        ("error",) + NOT_AUDIO,
    ),
    "MP3": (_subtype("MPEG_LAYER_III", "MP3", "mp3"), "ok"),
    "FLAC": (_subtype("PCM_16", "FLAC", "flac", name="flac.flac"), "ok"),
    "OGG": (_subtype("VORBIS", "OGG", "ogg"), "ok"),
    "MP3 named .wav": (_subtype("MPEG_LAYER_III", "MP3", name="mp3_as.wav"), "ok"),
    "FLAC named .wav": (_subtype("PCM_16", "FLAC", name="flac_as.wav"), "ok"),
    "OGG named .wav": (_subtype("VORBIS", "OGG", name="ogg_as.wav"), "ok"),
    "missing path": (lambda d, x: d / "missing.wav", ("error", "no such file")),
    "dangling link": (
        lambda d, x: (d / "dangling.wav").symlink_to(d / "gone.wav") or d / "dangling.wav",
        ("error", "dangling"),
    ),
}

# decoding accuracy (dB SNR against the written signal) for the lossy cases
MIN_SNR = {
    "WAV PCM_U8": 25,
    "WAV ULAW": 30,
    "WAV ALAW": 30,
    "WAV IMA_ADPCM": 15,
    "WAV MS_ADPCM": 12,
    "MP3": 10,
    "MP3 named .wav": 10,
    "OGG": 10,
    "OGG named .wav": 10,
    "peak above 1": 200,
    "clipped PCM": -100,  # changed on purpose
    "stereo": -100,
    "6 channels": -100,
}


def _snr(x, y):
    n = min(len(x), len(y))
    noise = np.sum((x[:n] - y[:n]) ** 2)
    return 10 * np.log10(np.sum(x[:n] ** 2) / max(noise, 1e-30))


# ------------------------------------------------------------------ arrays, transformers
BAD_ARRAYS = {
    # name: (X, error type, words in the message)
    "0-d array": (np.float32(0.5), AudioValueError, ("X", "scalar")),
    "1-D array": (np.zeros(800, np.float32), AudioValueError, ("X", "Reshape your data")),
    "3-D array": (np.zeros((2, 2, 800), np.float32), AudioValueError, ("X", "dim 3")),
    "empty list": ([], AudioValueError, ("X",)),
    "empty clip": ([np.zeros(0), np.zeros(5)], AudioValueError, ("clip 0", "empty")),
    "object array of strings": (
        np.array([[0.1, "a"], [0.2, 0.3]], dtype=object),
        AudioValueError,
        ("X", "could not convert"),
    ),
    "a dict among the samples": (
        np.array([[0.1, {"a": 1}], [0.2, 0.3]], dtype=object),
        AudioTypeError,
        ("X", "dict"),
    ),
    "file paths": (["a.wav", "b.wav"], AudioTypeError, ("X", "a.wav", "AudioReader")),
    "complex": (np.ones((2, 800), complex), AudioValueError, ("X", "Complex")),
    "NaN": (np.full((2, 800), np.nan, np.float32), AudioValueError, ("X", "NaN")),
    "inf in a ragged clip": (
        [np.zeros(800), np.array([0.1, np.inf])],
        AudioValueError,
        ("clip 1", "infinite"),
    ),
    "huge float64": (np.full((2, 800), 1e39), AudioValueError, ("clip 0", "magnitude")),
    "huge float32": (
        np.vstack([np.zeros(800), np.full(800, 1e30)]).astype(np.float32),
        AudioValueError,
        ("clip 1", "magnitude"),
    ),
    "huge ragged": ([np.full(800, 1e20), np.zeros(5)], AudioValueError, ("clip 0", "magnitude")),
    "stereo as (n_samples, 2)": (
        np.zeros((8000, 2), np.float32),
        AudioValueError,
        ("X", "(8000, 2)", "n_channels"),
    ),
    "6 channels as (n_samples, 6)": (
        np.zeros((4000, 6), np.float32),
        AudioValueError,
        ("(n_samples, n_channels)",),
    ),
    "stereo clip in a ragged batch": (
        [np.zeros((800, 2)), np.zeros(5)],
        AudioValueError,
        ("clip 0", "mono"),
    ),
}


def check_bad_array(est, case):
    """``fit_transform`` and ``transform`` of ``est`` raise the documented error for ``case``."""
    X, error, words = BAD_ARRAYS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way to the error
        for method in ("fit_transform", "transform"):
            with pytest.raises(error) as excinfo:
                getattr(est, method)(X)
            _check_error(excinfo, error, *words)


def _finite_result(out, n_clips):
    if out.dtype == object:
        assert len(out) == n_clips
        for clip in out:
            assert clip.dtype == np.float32 and clip.ndim == 1 and len(clip) >= 1
            assert np.isfinite(clip).all()
    else:
        assert out.dtype == np.float32 and len(out) == n_clips and np.isfinite(out).all()


def check_arrays_that_work(est, rng):
    """int PCM, float64, object arrays, lists and ragged lists give the float32 result."""
    x = (_tone(800) + rng.normal(0, 0.01, 800)).astype(np.float32)
    ref = est.fit_transform(x[None, :])
    _finite_result(ref, 1)
    cases = {
        "int16 PCM": (np.round(x * 32767) / 32768 * 32768).astype(np.int16)[None, :],
        "int32 PCM": (x.astype(np.float64) * 2**31).astype(np.int32)[None, :],
        "float64": x.astype(np.float64)[None, :],
        "object array of numbers": x[None, :].astype(object),
        "list of lists": [x.tolist()],
        "ragged list": [x, x[:500]],
    }
    for name, X in cases.items():
        out = est.fit_transform(X)
        _finite_result(out, len(X))
        first = np.asarray(out[0] if out.dtype == object else out[0], np.float64)
        ref0 = np.asarray(ref[0], np.float64)
        # int PCM is quantised (1/32768): a few hundredths of a dB on the features
        atol = 5e-2 if name == "int16 PCM" else 2e-3
        np.testing.assert_allclose(first.ravel(), ref0.ravel(), atol=atol, err_msg=name)


# awkward but valid batches, and their test ids
AWKWARD_CLIPS = [
    [np.array([0.3], np.float32)],  # one sample
    [np.array([0.3, -0.2, 0.1], np.float32)],  # a few samples
    np.zeros((2, 100), np.float32),  # silence, shorter than n_fft
    np.full((1, 300), 1.0, np.float32),  # DC at full scale
    np.vstack([np.zeros(800), 5 * np.sin(np.arange(800))]).astype(np.float32),  # peak 5
    np.full((1, 800), 2.0**31, np.float64),  # the largest accepted magnitude
]
AWKWARD_IDS = ["one sample", "a few samples", "silence", "DC", "peak above 1", "2**31"]


def check_awkward_clip(est, X):
    """A valid but awkward batch ``X`` gives finite float32 output without a RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _finite_result(est.fit_transform(X), len(X))


def array_input_tests(estimators):
    """The three tests of bad, valid and awkward arrays over ``estimators``, for a test module.

    A test module binds them to its own names, so that each module checks its own
    estimators: ``test_bad_arrays_raise_documented_errors,
    test_arrays_that_work_give_the_float_result,
    test_awkward_but_valid_clips_give_finite_output = array_input_tests([...])``.
    """
    ids = [type(e).__name__ for e in estimators]

    @pytest.mark.parametrize("case", list(BAD_ARRAYS))
    @pytest.mark.parametrize("est", estimators, ids=ids)
    def test_bad_arrays_raise_documented_errors(est, case):
        check_bad_array(est, case)

    @pytest.mark.parametrize("est", estimators, ids=ids)
    def test_arrays_that_work_give_the_float_result(est, rng):
        check_arrays_that_work(est, rng)

    @pytest.mark.parametrize("est", estimators, ids=ids)
    @pytest.mark.parametrize("X", AWKWARD_CLIPS, ids=AWKWARD_IDS)
    def test_awkward_but_valid_clips_give_finite_output(est, X):
        if isinstance(est, Resampler) and len(X[0]) < 2:
            pytest.skip(
                "one sample at 16 kHz resamples to nothing: "
                "tests/test_preprocessing.py::test_resampling_to_nothing_is_an_error"
            )
        check_awkward_clip(est, X)

    return (
        test_bad_arrays_raise_documented_errors,
        test_arrays_that_work_give_the_float_result,
        test_awkward_but_valid_clips_give_finite_output,
    )
