"""``audiodigit evaluate``: speaker-independent evaluation from the command line."""

import json
import shutil

import numpy as np
import pytest
from _cli_output import PNG_SIGNATURE, _assert_one_error_line, _json

from sklearn_audiodigit.cli import main

# the command line's mechanics, with the MFCC svc as the default model whether or not
# the speech embedding is installed (tests/cli/test_pretrained.py covers that default)
pytestmark = pytest.mark.usefixtures("svc_default")


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
