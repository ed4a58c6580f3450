"""``audiodigit train/predict/info`` with safe model files and anyone's recordings."""

import json
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from _bad_inputs import FILE_CASES, SR, _write
from _cli_output import _assert_one_error_line

from sklearn_audiodigit.cli import main
from sklearn_audiodigit.persistence import read_model_metadata, save_model

# the command line's mechanics, with the MFCC svc as the default model whether or not
# the speech embedding is installed (tests/cli/test_pretrained.py covers that default)
pytestmark = pytest.mark.usefixtures("svc_default")


def _records(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _error_lines(err):
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("audiodigit: error: ")]


@pytest.fixture(scope="module")
def model(digit_model_file):
    """The default svc trained by ``audiodigit train`` on two takes of the sample (read-only)."""
    return digit_model_file


@pytest.fixture(scope="module")
def clip(fsdd_sample):
    """A recording of a "3" (not in the training folder) and the file it comes from."""
    path = next(f for f in fsdd_sample.filenames if Path(f).name == "3_theo_4.wav")
    y, sr = sf.read(path, dtype="float64")
    return path, y, sr


def test_train_writes_the_safe_format_by_default(model):
    with zipfile.ZipFile(model) as zf:
        assert "metadata.json" in zf.namelist()
    meta = read_model_metadata(model)
    assert meta["model_name"] == "svc" and meta["target"] == "digit" and meta["sr"] == 8000
    assert meta["training_data"]["n_clips"] == 120
    assert meta["training_data"]["n_groups"] == 6
    assert meta["classes"] == list(range(10))


def test_predict_any_format_and_rate(capsys, tmp_path, model, clip):
    path, y, sr = clip
    y48 = soxr.resample(y, sr, 48000)
    stereo = np.stack([y48, 0.5 * y48], axis=1)
    files = {
        "wav48k24bit": tmp_path / "stereo48k.wav",
        "flac": tmp_path / "clip.flac",
        "ogg": tmp_path / "clip.ogg",
    }
    sf.write(files["wav48k24bit"], stereo, 48000, subtype="PCM_24")
    sf.write(files["flac"], soxr.resample(y, sr, 16000), 16000, format="FLAC")
    sf.write(files["ogg"], soxr.resample(y, sr, 22050), 22050, format="OGG", subtype="VORBIS")
    info = sf.info(files["wav48k24bit"])
    assert (info.samplerate, info.channels, info.subtype) == (48000, 2, "PCM_24")

    argv = ["predict", str(model), path, *map(str, files.values()), "--json", "--top-k", "3"]
    assert main(argv) == 0
    records = _records(capsys.readouterr().out)
    assert [r["file"] for r in records] == [path, *map(str, files.values())]
    for r in records:
        assert set(r) == {"file", "no_speech", "label", "confidence", "top_k"}
        assert r["no_speech"] is False
        assert len(r["top_k"]) == 3
        probs = [t["probability"] for t in r["top_k"]]
        assert probs == sorted(probs, reverse=True)
        assert r["top_k"][0] == {"label": r["label"], "probability": r["confidence"]}
        assert r["label"] == 3  # a clean "3"; every copy must say so


def test_predict_text_output_with_top_k(capsys, model, clip):
    assert main(["predict", str(model), clip[0], "--top-k", "2"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    file, label, conf, top = line.split("\t")
    assert (file, label) == (clip[0], "3")
    assert 0 < float(conf) <= 1
    assert top.startswith("3=") and len(top.split()) == 2


def test_predict_folder_reports_bad_files_and_predicts_the_rest(capsys, tmp_path, model, clip):
    folder = tmp_path / "recordings"
    (folder / "more").mkdir(parents=True)
    shutil.copy(clip[0], folder / "a.wav")
    shutil.copy(clip[0], folder / "more" / "b.wav")
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (folder / "empty.flac").write_bytes(b"")
    (folder / "._a.wav").write_bytes(b"\x00" * 10)  # macOS resource fork: ignored
    (folder / "notes.txt").write_text("not audio")  # not an audio extension: ignored
    long = tmp_path / "long.wav"
    sf.write(long, np.zeros(8000 * 3, dtype=np.float32), 8000)

    argv = ["predict", str(model), str(folder), str(long), "--json", "--max-duration", "2"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    by_name = {Path(r["file"]).name: r for r in _records(captured.out)}
    assert set(by_name) == {"a.wav", "b.wav", "broken.wav", "empty.flac", "long.wav"}
    for name in ("a.wav", "b.wav"):
        assert by_name[name]["label"] == 3
    for name in ("broken.wav", "empty.flac", "long.wav"):
        assert set(by_name[name]) == {"file", "error"}
        assert name in by_name[name]["error"]
    assert "max_duration" in by_name["long.wav"]["error"]


def test_predict_empty_folder_and_bad_model(capsys, tmp_path, model):
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert main(["predict", str(model), str(empty)]) == 1
    (line,) = _error_lines(capsys.readouterr().err)
    assert "nothing" in line and "no audio file" in line

    junk = tmp_path / "junk.model"
    junk.write_bytes(b"PK\x03\x04 truncated")
    assert main(["predict", str(junk), str(empty)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = _error_lines(captured.err)
    assert "junk.model" in line


def test_pickles_need_trust(capsys, tmp_path, small_data, clip):
    path = tmp_path / "digits.joblib"
    argv = ["train", "--data", str(small_data), "--output", str(path), "--format", "joblib"]
    assert main([*argv, "--quiet"]) == 0
    capsys.readouterr()
    for command in (["predict", str(path), clip[0]], ["info", str(path)]):
        assert main(command) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        (line,) = _error_lines(captured.err)
        assert "digits.joblib" in line and "--trust" in line
    assert main(["predict", str(path), clip[0], "--trust", "--json"]) == 0
    assert _records(capsys.readouterr().out)[0]["label"] == 3
    assert main(["info", str(path), "--trust"]) == 0
    assert "pickle" in capsys.readouterr().out


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def test_malicious_pickle_does_not_run(capsys, tmp_path, clip):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps(_Evil(marker)))
    assert main(["predict", str(path), clip[0]]) == 1
    assert main(["info", str(path)]) == 1
    assert not marker.exists()
    assert len(_error_lines(capsys.readouterr().err)) == 2


def test_info(capsys, model):
    assert main(["info", str(model)]) == 0
    out = capsys.readouterr().out
    for text in ("safe", "8000 Hz", "scikit-learn", "120 clips", "MFCCExtractor", "svc"):
        assert text in out
    assert main(["info", str(model), "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["format"] == "sklearn-audiodigit-model"
    assert meta["training_data"]["n_clips"] == 120


def test_predict_with_a_network(capsys, tmp_path, fsdd_sample, clip):
    pytest.importorskip("skorch")
    from sklearn_audiodigit.persistence import save_model
    from sklearn_audiodigit.pipelines import make_model

    X, y = fsdd_sample.data[::4], fsdd_sample.target[::4]
    net = make_model("mlp", random_state=0, max_epochs=2, hidden_layer_sizes=(16,)).fit(X, y)
    path = tmp_path / "mlp.model"
    save_model(net, path, metadata={"model_name": "mlp"})
    assert main(["predict", str(path), clip[0], "--json", "--top-k", "10"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert sorted(t["label"] for t in record["top_k"]) == list(range(10))
    assert sum(t["probability"] for t in record["top_k"]) == pytest.approx(1.0, abs=1e-4)
    assert main(["info", str(path)]) == 0
    assert "FeedForwardClassifier" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--top-k", "0"], ["--top-k", "x"]])
def test_bad_top_k_is_a_usage_error(capsys, model, clip, argv):
    assert main(["predict", str(model), clip[0], *argv]) == 2
    assert "usage" in capsys.readouterr().err.lower()


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
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


def test_predict_reads_files_at_the_model_rate(
    capsys, tmp_path, model_file, model_from_file, digit
):
    import soxr

    paths = {}
    for sr in (8000, 16000, 44100):
        paths[sr] = _write(tmp_path / f"d_{sr}.wav", soxr.resample(digit, SR, sr), sr)
    assert main(["predict", str(model_file), *map(str, paths.values()), "--json"]) == 0
    labels = [json.loads(line)["label"] for line in capsys.readouterr().out.splitlines()]
    assert labels == [int(model_from_file.predict([digit])[0])] * 3


def test_predict_model_without_a_recorded_rate_needs_sr(
    capsys, tmp_path, model_from_file, catalogue
):
    # e.g. a custom pipeline whose steps name no sr: its file records none
    path = tmp_path / "norate.model"
    save_model(model_from_file, path, metadata={"sr": None})
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


# ------------------------------------------ predict with the default model (audiodigit train)
@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "sub" / "m.joblib"
    assert main(["train", "--output", str(path), "--quiet"]) == 0
    return path


def test_predict_json(capsys, trained_model, fsdd_sample):
    files = list(fsdd_sample.filenames[::30])  # one file per digit, several speakers
    assert main(["predict", str(trained_model), *files, "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["file"] for r in records] == files
    for r in records:
        assert set(r) == {"file", "no_speech", "label", "confidence"}
        assert r["no_speech"] is False
        assert 0.0 <= r["confidence"] <= 1.0
    truth = [int(Path(f).name.split("_")[0]) for f in files]
    correct = sum(r["label"] == t for r, t in zip(records, truth, strict=True))
    assert correct >= 8  # clips seen in training: mostly right


def test_predict_text_output(capsys, trained_model, fsdd_sample, tmp_path, tone):
    import soundfile as sf

    # a 16 kHz stereo copy of a sample file: resampled and mixed down on the way in
    y, _ = sf.read(fsdd_sample.filenames[5])
    import soxr

    y16 = soxr.resample(y, 8000, 16000)
    path = tmp_path / "stereo16k.wav"
    sf.write(path, np.stack([y16, y16], axis=1), 16000)
    assert main(["predict", str(trained_model), str(path), fsdd_sample.filenames[5]]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    fields = [line.split("\t") for line in lines]
    assert fields[0][0] == str(path)
    assert fields[0][1] == fields[1][1]  # same recording, same label
    assert 0.0 <= float(fields[0][2]) <= 1.0


def test_predict_missing_file_gives_an_error_record(capsys, trained_model, fsdd_sample, tmp_path):
    good = [fsdd_sample.filenames[0], fsdd_sample.filenames[299]]
    missing = str(tmp_path / "missing.wav")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"\x00\x01" * 50)
    argv = ["predict", str(trained_model), good[0], missing, str(junk), good[1], "--json"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["file"] for r in records] == [good[0], missing, str(junk), good[1]]
    assert "missing.wav" in records[1]["error"]
    assert "junk.wav" in records[2]["error"]
    for r in (records[0], records[3]):
        assert "error" not in r
        assert isinstance(r["label"], int)
    assert "Traceback" not in captured.err


def test_predict_missing_file_text_mode(capsys, trained_model, fsdd_sample, tmp_path):
    missing = str(tmp_path / "missing.wav")
    assert main(["predict", str(trained_model), missing, fsdd_sample.filenames[0]]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1  # the good file is still predicted
    line = _assert_one_error_line(captured.err)
    assert "missing.wav" in line


@pytest.mark.parametrize("kind", ["missing", "text", "other_pickle"])
def test_predict_bad_model_file_is_one_error_line(capsys, tmp_path, fsdd_sample, kind):
    model = tmp_path / "model.joblib"
    if kind == "text":
        model.write_text("not a model\n")
    elif kind == "other_pickle":
        import joblib

        joblib.dump({"weights": [1, 2, 3]}, model)
    status = main(["predict", str(model), fsdd_sample.filenames[0]])
    captured = capsys.readouterr()
    assert status != 0
    assert captured.out == ""
    line = _assert_one_error_line(captured.err)
    assert "model.joblib" in line


# -- usage ------------------------------------------------------------------------------
