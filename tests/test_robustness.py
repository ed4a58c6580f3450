"""Robustness (issue 6): every bad input gets a clear, documented outcome.

Each case of the catalogue goes through the public API (``read_audio``, the
transformers, ``load_audio_folder``, a fitted model) and, for files, through
``audiodigit predict``. Either it works and the result is checked, or it raises an
error that derives from :class:`AudioDigitError` *and* from the matching built-in
(``ValueError``, ``OSError``, ``TypeError``), whose message names the file or the
parameter.

Already covered elsewhere, not repeated here: each WAV subtype's exact samples
(tests/test_io.py::test_read_wav_subtypes), FLAC/OGG decoding and the format read
from the contents (test_io.py), max_duration checked before decoding
(test_io.py::test_max_duration_checked_before_decoding), predict on a folder with
bad files (test_predict_cli.py), the folder loader's on_error policies on hidden,
text, misnamed and random files (test_folder.py).
"""

import ast
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import sklearn_audiodigit
from sklearn_audiodigit import (
    AudioDigitError,
    AudioLoadError,
    AudioTypeError,
    AudioValueError,
    DatasetError,
)
from sklearn_audiodigit.cli import main
from sklearn_audiodigit.datasets import load_audio_folder
from sklearn_audiodigit.features import (
    ChromaExtractor,
    LogMelExtractor,
    MFCCExtractor,
    SpectrogramExtractor,
)
from sklearn_audiodigit.io import read_audio
from sklearn_audiodigit.persistence import load_model, save_model
from sklearn_audiodigit.pipelines import make_svc_pipeline
from sklearn_audiodigit.preprocessing import (
    AudioReader,
    PadTrim,
    PeakNormalizer,
    Resampler,
    TrimSilence,
)

SR = 8000
BUILTIN = {AudioLoadError: OSError, AudioValueError: ValueError, AudioTypeError: TypeError}


def _check_error(excinfo, error, *names):
    """The error is documented (library base + built-in) and names what is wrong."""
    err = excinfo.value
    assert isinstance(err, AudioDigitError)
    assert isinstance(err, BUILTIN.get(error, error))
    for name in names:
        assert str(name) in str(err), (name, str(err))


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def digit(fsdd_sample):
    """A recording of a "3" not in the training data, scaled to peak 0.5."""
    i = next(i for i, f in enumerate(fsdd_sample.filenames) if f.endswith("3_theo_4.wav"))
    x = fsdd_sample.data[i]
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fsdd_sample):
    """The default SVC pipeline fitted on take 0 of every digit and speaker (60 clips)."""
    keep = fsdd_sample.take == 0
    model = make_svc_pipeline(random_state=0).fit(fsdd_sample.data[keep], fsdd_sample.target[keep])
    path = tmp_path_factory.mktemp("model") / "digits.model"
    save_model(model, path)  # the safe format; records sr=8000 read from the model
    return path


@pytest.fixture(scope="module")
def model(model_file):
    return load_model(model_file)


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


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory, digit):
    folder = tmp_path_factory.mktemp("catalogue")
    return {case: make(folder, digit) for case, (make, _) in FILE_CASES.items()}


def _snr(x, y):
    n = min(len(x), len(y))
    noise = np.sum((x[:n] - y[:n]) ** 2)
    return 10 * np.log10(np.sum(x[:n] ** 2) / max(noise, 1e-30))


# ------------------------------------------------------------------- files, public API
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


# ---------------------------------------------------------- files, audiodigit predict
# readable files that hold no speech: audiodigit predict says "no speech" for them
NO_SPEECH_CASES = {"all-zero clip", "a few samples", "fewer samples than n_fft"}


def test_file_catalogue_audiodigit_predict(capsys, catalogue, model_file, tmp_path):
    cases = list(FILE_CASES)
    argv = ["predict", str(model_file), *(str(catalogue[c]) for c in cases), str(tmp_path)]
    status = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(cases) + 1
    assert status == 1  # some files failed; the others were still predicted
    reference = None
    for case, record in zip(cases, records, strict=False):
        outcome = FILE_CASES[case][1]
        assert record["file"] == str(catalogue[case])
        if outcome == "ok" and case in NO_SPEECH_CASES:
            # readable, but silence or shorter than the 60 ms speech needs (issue 18)
            assert record["no_speech"] is True and record["label"] is None, (case, record)
        elif outcome == "ok":
            assert "error" not in record, (case, record)
            assert record["no_speech"] is False, (case, record)
            assert record["label"] in range(10) and 0 <= record["confidence"] <= 1
            if case == "WAV PCM_16":
                reference = record["label"]
        else:
            assert Path(catalogue[case]).name in record["error"], case
            for word in outcome[1:]:
                assert word in record["error"], (case, record["error"])
    # a directory argument holding no audio file is one error record, not a crash
    no_audio = f"{tmp_path}: folder holds no audio file"
    assert records[-1] == {"file": str(tmp_path), "error": no_audio}
    # the same recording in any format, rate or channel count gets the same label
    same = [c for c in cases if FILE_CASES[c][1] == "ok" and c.startswith(("WAV", "FLAC", "8000"))]
    by_case = dict(zip(cases, records, strict=False))
    assert reference is not None
    assert {by_case[c]["label"] for c in same} == {reference}


def test_predict_text_mode_prints_one_error_line_per_bad_file(capsys, catalogue, model_file):
    bad = [catalogue[c] for c in ("empty file", "PNG named .wav", "missing path")]
    status = main(["predict", str(model_file), str(catalogue["WAV PCM_16"]), *map(str, bad)])
    out, err = capsys.readouterr()
    assert status == 1 and "Traceback" not in err
    assert len(out.splitlines()) == 1 and out.startswith(str(catalogue["WAV PCM_16"]))
    lines = err.splitlines()
    for p in bad:
        assert sum(line.startswith("audiodigit: error: ") and str(p) in line for line in lines) == 1


def test_predict_max_duration_is_an_option(capsys, catalogue, model_file):
    f = str(catalogue["10-minute file"])
    assert main(["predict", str(model_file), f, "--json", "--max-duration", "700"]) == 0
    assert "label" in json.loads(capsys.readouterr().out)
    for bad in ("0", "-1", "nan", "ten"):
        assert main(["predict", str(model_file), f, "--max-duration", bad]) == 2
        assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------ arrays, transformers
def _extractors():
    return [MFCCExtractor(), LogMelExtractor(), SpectrogramExtractor(), ChromaExtractor()]


def _waveform_transformers():
    return [TrimSilence(), PadTrim(length=800), PeakNormalizer(), Resampler(orig_sr=16000)]


ALL = _extractors() + _waveform_transformers()
IDS = [type(e).__name__ for e in ALL]

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


@pytest.mark.parametrize("case", list(BAD_ARRAYS))
@pytest.mark.parametrize("est", ALL, ids=IDS)
def test_bad_arrays_raise_documented_errors(est, case):
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


@pytest.mark.parametrize("est", ALL, ids=IDS)
def test_arrays_that_work_give_the_float_result(est, rng):
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


@pytest.mark.parametrize("est", ALL, ids=IDS)
@pytest.mark.parametrize(
    "X",
    [
        [np.array([0.3], np.float32)],  # one sample
        [np.array([0.3, -0.2, 0.1], np.float32)],  # a few samples
        np.zeros((2, 100), np.float32),  # silence, shorter than n_fft
        np.full((1, 300), 1.0, np.float32),  # DC at full scale
        np.vstack([np.zeros(800), 5 * np.sin(np.arange(800))]).astype(np.float32),  # peak 5
        np.full((1, 800), 2.0**31, np.float64),  # the largest accepted magnitude
    ],
    ids=["one sample", "a few samples", "silence", "DC", "peak above 1", "2**31"],
)
def test_awkward_but_valid_clips_give_finite_output(est, X):
    if isinstance(est, Resampler) and len(X[0]) < 2:
        pytest.skip("one sample at 16 kHz resamples to nothing: tested below")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _finite_result(est.fit_transform(X), len(X))


def test_resampling_to_nothing_is_an_error():
    for X in ([np.ones(1, np.float32)], np.ones((2, 1), np.float32)):
        with pytest.raises(AudioValueError) as excinfo:
            Resampler(orig_sr=44100, target_sr=8000).fit_transform(X)
        _check_error(excinfo, ValueError, "clip 0", "orig_sr=44100", "target_sr=8000")


def test_silence_features_are_the_floor(digit):
    # an all-zero clip has every mel band at the amin floor: -100 dB, no NaN, std 0
    out = LogMelExtractor().fit_transform(np.zeros((1, 800), np.float32))
    np.testing.assert_allclose(out[0, ::2], -100.0)
    np.testing.assert_allclose(out[0, 1::2], 0.0)


# ------------------------------------------------------------------------ the model API
def test_model_predicts_or_raises_on_the_catalogue_arrays(model, digit):
    labels = model.predict([digit, digit[:3], np.zeros(50, np.float32), 3 * digit])
    assert labels.shape == (4,) and set(labels) <= set(range(10))
    assert labels[0] == model.predict(digit[None, :])[0]  # 2-D and ragged agree
    for X, error in [
        ([digit, np.full(10, np.nan)], AudioValueError),
        ([digit * np.float32(1e35)], AudioValueError),
        (["3_theo_4.wav"], AudioTypeError),
        (np.float32(1.0), AudioValueError),
    ]:
        with pytest.raises(error) as excinfo:
            model.predict(X)
        _check_error(excinfo, error, "X" if not isinstance(X, list) or len(X) == 1 else "clip 1")


# ------------------------------------------------------------------------ sampling rates
def test_extractor_fitted_at_one_rate_refuses_another(digit):
    X = np.vstack([digit[:800], digit[800:1600]])
    for est in (MFCCExtractor(sr=8000), PadTrim(sr=8000), Resampler(orig_sr=8000)):
        est.fit(X)
        name = "orig_sr" if isinstance(est, Resampler) else "sr"
        est.set_params(**{name: 16000})
        with pytest.raises(AudioValueError) as excinfo:
            est.transform(X)
        _check_error(excinfo, ValueError, f"{name}=8000", f"{name}=16000", type(est).__name__)
        est.fit(X)  # refitting at the new rate is fine
        est.transform(X)


def test_fitted_extractor_refuses_2d_clips_of_another_length(digit):
    # one second at 16 kHz has twice the samples of one second at 8 kHz
    est = MFCCExtractor().fit(np.zeros((2, 8000), np.float32))
    with pytest.raises(AudioValueError) as excinfo:
        est.transform(np.zeros((2, 16000), np.float32))
    _check_error(excinfo, ValueError, "16000", "8000")


def test_fitted_pipeline_refuses_a_changed_rate(model, digit):
    import copy

    # the default model: its own rate, then the rate of the fitted pipeline inside it
    changed = copy.deepcopy(model).set_params(sr=16000)
    with pytest.raises(AudioValueError, match="sr=8000 Hz at fit but sr=16000 Hz"):
        changed.predict([digit])
    changed = copy.deepcopy(model)
    changed.estimator_.set_params(features__sr=16000)
    with pytest.raises(AudioValueError, match="features|MFCCExtractor"):
        changed.predict([digit])


def test_predict_reads_files_at_the_model_rate(capsys, tmp_path, model_file, model, digit):
    import soxr

    paths = {}
    for sr in (8000, 16000, 44100):
        paths[sr] = _write(tmp_path / f"d_{sr}.wav", soxr.resample(digit, SR, sr), sr)
    assert main(["predict", str(model_file), *map(str, paths.values()), "--json"]) == 0
    labels = [json.loads(line)["label"] for line in capsys.readouterr().out.splitlines()]
    assert labels == [int(model.predict([digit])[0])] * 3


def test_predict_model_without_a_recorded_rate_needs_sr(capsys, tmp_path, model, catalogue):
    # e.g. a custom pipeline whose steps name no sr: its file records none
    path = tmp_path / "norate.model"
    save_model(model, path, metadata={"sr": None})
    f = str(catalogue["WAV PCM_16"])
    assert main(["predict", str(path), f]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--sr" in err and "norate.model" in err
    assert main(["predict", str(path), f, "--sr", "8000"]) == 0
    capsys.readouterr()


def test_predict_conflicting_sr_is_an_error(capsys, model_file, catalogue):
    assert main(["predict", str(model_file), str(catalogue["WAV PCM_16"]), "--sr", "16000"]) == 1
    err = capsys.readouterr().err
    assert "8000 Hz" in err and "--sr 16000" in err and "Traceback" not in err


# ------------------------------------------------------------------------------ folders
def test_folder_on_error_warn_reports_every_bad_file_and_keeps_every_good_one(
    tmp_path, digit, catalogue
):
    good = {
        "0_alice_0.wav": _subtype("PCM_16"),
        "1_alice_0.WAV": _subtype("PCM_16"),  # upper-case extension: audio
        "2_bob_0.wav": _rate(44100),
        "3_bob_1.wav": _subtype("VORBIS", "OGG"),  # OGG content, .wav name
        "4_bob_2.wav": _channels(6),
        "5_bob_3.wav": _short(3),
    }
    bad = {
        "._0_alice_0.wav": _bytes("x", b"\x00\x05\x16\x07" + b"\x00" * 60),  # macOS
        "alice_zero.wav": _subtype("PCM_16"),  # name does not match
        "6_carol_0.wav": _empty,
        "7_carol_0.wav": _zero_frames,
        "8_carol_0.wav": _nonfinite(np.nan),
        "9_carol_0.wav": _huge,
        "0_carol_1.wav": _cut_header,
        "1_carol_1.wav": _bytes("x", PNG),
        "2_carol_1.wav": _one_sample_44k,
        "notes.txt": _bytes("x", b"kitchen\n"),
    }
    folder = tmp_path / "data"
    folder.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    for name, make in {**good, **bad}.items():
        os.replace(make(scratch, digit), folder / name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bunch = load_audio_folder(folder, on_error="warn")
    assert len(caught) == 1
    message = str(caught[0].message)
    for name in bad:
        assert sum(f"/{name}: " in line for line in message.splitlines()) == 1, name
    assert sorted(Path(f).name for f in bunch.filenames) == sorted(good)
    assert sorted(Path(f).name for f, _ in bunch.skipped) == sorted(bad)
    by_name = dict(zip((Path(f).name for f in bunch.filenames), bunch.data, strict=True))
    assert len(by_name["5_bob_3.wav"]) == 3
    assert bunch.target[list(by_name).index("1_alice_0.WAV")] == 1
    with pytest.raises(DatasetError) as excinfo:
        load_audio_folder(folder, on_error="raise")
    _check_error(excinfo, OSError, "on_error")


# ------------------------------------------------------------------------------ librosa
GUARDED_LIBROSA_CALLS = {
    "filters.chroma",
    "pcen",
    "stft",
    "istft",
    "effects.pitch_shift",
    "resample",
}


def _librosa_calls():
    root = Path(sklearn_audiodigit.__file__).parent
    calls = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                parts, f = [], node.func
                while isinstance(f, ast.Attribute):
                    parts.append(f.attr)
                    f = f.value
                if isinstance(f, ast.Name) and f.id == "librosa":
                    calls.add((".".join(reversed(parts)), path.name))
    return calls


def test_every_librosa_call_is_guarded():
    # a new librosa call must be wrapped (ParameterError -> AudioValueError) and listed here
    assert {name for name, _ in _librosa_calls()} <= GUARDED_LIBROSA_CALLS


@pytest.mark.parametrize(
    "target, est",
    [
        ("filters.chroma", ChromaExtractor(n_chroma=11)),
        (".pcen", MFCCExtractor(compression="pcen")),
    ],
)
def test_parameter_error_never_escapes(monkeypatch, target, est, digit):
    import librosa
    from librosa.util.exceptions import ParameterError

    from sklearn_audiodigit import _spectral

    def boom(*args, **kwargs):
        raise ParameterError("simulated librosa failure")

    module, name = target.split(".")
    monkeypatch.setattr(getattr(librosa, module) if module else librosa, name, boom)
    _spectral.chroma_basis.cache_clear()
    with pytest.raises(AudioValueError) as excinfo:
        est.fit_transform([digit])
    _check_error(excinfo, ValueError, "simulated librosa failure")
    assert not isinstance(excinfo.value, ParameterError)
    _spectral.chroma_basis.cache_clear()


# ------------------------------------------------------------------ command line, process
def _run(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_audiodigit.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_command_line_process_exit_statuses(tmp_path, model_file, catalogue):
    # two processes only (each start imports scikit-learn); main() is tested above
    good, bad = catalogue["WAV PCM_16"], catalogue["random bytes named .wav"]
    run = _run("predict", str(model_file), str(good), str(bad), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.startswith(str(good)) and len(run.stdout.splitlines()) == 1
    assert re.search(r"^audiodigit: error: .*random\.wav", run.stderr, re.M)
    usage = _run("predict", str(model_file), "--max-duration", "-1", "x.wav", cwd=tmp_path)
    assert usage.returncode == 2 and "usage:" in usage.stderr
