"""Tests of the ``audiodigit`` command, called through ``main(argv)``."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sklearn_audiodigit import __version__
from sklearn_audiodigit.cli import main

# the command line's mechanics, with the MFCC svc as the default model whether or not
# the speech embedding is installed (tests/cli/test_pretrained.py covers that default)
pytestmark = pytest.mark.usefixtures("svc_default")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _json(out):
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    return json.loads(lines[0])


def _assert_one_error_line(err):
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("audiodigit: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "sub" / "m.joblib"
    assert main(["train", "--output", str(path), "--quiet"]) == 0
    return path


# -- evaluate ---------------------------------------------------------------------------


def test_evaluate_json(capsys, fsdd_sample):
    assert main(["evaluate", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    report = _json(captured.out)
    for key in ("accuracy_mean", "accuracy_std", "f1_macro_mean", "fold_accuracies", "cv"):
        assert key in report
    assert report["n_clips"] == 300
    assert len(report["fold_accuracies"]) == 6
    assert "speaker" in report["cv"]
    assert report["accuracy_mean"] == pytest.approx(np.mean(report["fold_accuracies"]))
    assert report["accuracy_std"] == pytest.approx(np.std(report["fold_accuracies"]))
    assert all(0.0 <= a <= 1.0 for a in report["fold_accuracies"])
    assert report["accuracy_mean"] > 0.6  # unseen speakers, chance is 0.1
    held = sorted(g for fold in report["fold_test_groups"] for g in fold)
    assert held == sorted(np.unique(fsdd_sample.speaker))
    assert "warning" not in captured.err


def test_evaluate_random_cv_warns_on_stderr(capsys):
    assert main(["evaluate", "--cv", "random", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    report = _json(captured.out)
    assert "random" in report["cv"]
    assert len(report["fold_accuracies"]) == 5
    err = captured.err.lower()
    assert "warning" in err
    assert "speakers" in err
    assert "Traceback" not in captured.err


def test_evaluate_official_cv_on_the_sample_is_a_clear_error(capsys):
    assert main(["evaluate", "--cv", "official", "--json", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _assert_one_error_line(captured.err)
    assert "takes" in line


def test_evaluate_target_speaker(capsys, fsdd_sample):
    assert main(["evaluate", "--target", "speaker", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    report = _json(captured.out)
    assert report["labels"] == sorted(np.unique(fsdd_sample.speaker))
    assert len(report["fold_accuracies"]) == 5  # one fold per take
    assert "take" in report["cv"]
    assert report["extra"]["target"] == "speaker"
    assert report["accuracy_mean"] > 0.5  # chance is 1/6


def test_evaluate_out_dir_and_text_report(capsys, tmp_path):
    out_dir = tmp_path / "results"
    assert main(["evaluate", "--quiet", "--out", str(out_dir)]) == 0
    captured = capsys.readouterr()
    assert "mean accuracy" in captured.out
    assert "Confusion matrix" in captured.out
    assert "macro avg" in captured.out
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["n_clips"] == 300
    assert f"{metrics['accuracy_mean']:.4f}" in captured.out
    for name in ("confusion_matrix.png", "per_class_accuracy.png"):
        content = (out_dir / name).read_bytes()
        assert content.startswith(PNG_SIGNATURE), name
        assert len(content) > 1000


def test_evaluate_data_folder(capsys, tmp_path, fsdd_sample):
    folder = tmp_path / "my recordings"
    folder.mkdir()
    chosen = [
        f
        for f, spk, take in zip(
            fsdd_sample.filenames, fsdd_sample.speaker, fsdd_sample.take, strict=True
        )
        if spk in ("george", "jackson", "theo") and take < 2
    ]
    for f in chosen:
        shutil.copy(f, folder)
    assert len(chosen) == 60
    assert main(["evaluate", "--data", str(folder), "--json", "--quiet"]) == 0
    report = _json(capsys.readouterr().out)
    assert report["n_clips"] == 60
    assert len(report["fold_accuracies"]) == 3
    assert report["fold_test_groups"] == [["george"], ["jackson"], ["theo"]]
    assert str(folder) in report["extra"]["dataset"]


def test_evaluate_data_folder_with_a_stray_hidden_file(capsys, tmp_path, fsdd_sample):
    folder = tmp_path / "copied_from_a_mac"
    folder.mkdir()
    for f, take in zip(fsdd_sample.filenames, fsdd_sample.take, strict=True):
        if take == 0:
            shutil.copy(f, folder)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(50))
    status = main(["evaluate", "--data", str(folder), "--json", "--quiet"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert _json(captured.out)["n_clips"] == 60
    assert ".DS_Store" in captured.err  # reported, not silently dropped
    status = main(["evaluate", "--data", str(folder), "--on-error", "raise", "--quiet"])
    captured = capsys.readouterr()
    assert status == 1
    assert ".DS_Store" in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("kind", ["missing", "file", "empty", "bad_wav"])
def test_evaluate_bad_data_folder_is_one_error_line(capsys, tmp_path, kind):
    folder = tmp_path / "data"
    if kind == "file":
        folder.write_text("not a folder")
    elif kind in ("empty", "bad_wav"):
        folder.mkdir()
    if kind == "bad_wav":
        (folder / "1_ann_0.wav").write_bytes(b"RIFF" + bytes(40))
    status = main(["evaluate", "--data", str(folder), "--json", "--quiet"])
    captured = capsys.readouterr()
    assert status != 0
    assert captured.out == ""
    line = _assert_one_error_line(captured.err)
    assert "data" in line


# -- train and predict ------------------------------------------------------------------


def test_train_writes_a_model(capsys, tmp_path):
    path = tmp_path / "new" / "model.file"
    assert main(["train", "--output", str(path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert path.is_file() and path.stat().st_size > 0
    assert "300 clips" in captured.out
    assert str(path) in captured.out
    assert "Traceback" not in captured.err


def test_train_emits_no_future_warning(tmp_path):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["train", "--output", str(tmp_path / "m.joblib"), "--quiet"]) == 0
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]


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


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["evaluate", "--cv", "leaky"], ["predict"], ["train"]],
    ids=["none", "unknown", "bad-choice", "predict-no-args", "train-no-output"],
)
def test_usage_errors_return_2(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "usage" in captured.err.lower()


def test_console_script():
    exe = shutil.which("audiodigit")
    if exe is None:
        pytest.skip("the audiodigit console script is not on PATH (package not installed)")
    result = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
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
