"""``audiodigit transcribe`` and the ``no speech`` outcome of ``audiodigit predict``."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_audiodigit.cli import main

SR = 8000


def _records(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def string_files(tmp_path_factory, digit_strings):
    folder = tmp_path_factory.mktemp("strings")
    paths = []
    for k, (y, digits, _) in enumerate(digit_strings[:3]):
        path = folder / f"string{k}_{digits}.wav"
        sf.write(path, y, SR)
        paths.append(path)
    return folder, paths


def test_transcribe_plain_and_json(capsys, digit_model_file, string_files, digit_strings):
    folder, paths = string_files
    assert main(["transcribe", str(digit_model_file), *map(str, paths)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines] == list(map(str, paths))
    digits = [line.split(": ")[1] for line in lines]
    assert [len(d) for d in digits] == [len(s[1]) for s in digit_strings[:3]]

    assert main(["transcribe", str(digit_model_file), str(folder), "--json"]) == 0
    records = _records(capsys.readouterr().out)
    assert [r["file"] for r in records] == list(map(str, paths))  # folder: sorted
    for record, expected in zip(records, digits, strict=True):
        assert record["digits"] == expected
        assert {"file", "digits", "segments", "rejected", "duration"} <= set(record)
        assert record["digits"] == "".join(str(s["label"]) for s in record["segments"])
        for seg in record["segments"]:
            assert set(seg) == {"start", "end", "label", "confidence"}
            assert 0 <= seg["start"] < seg["end"] <= record["duration"]


def test_transcribe_pin_options(capsys, digit_model_file, string_files):
    path = str(string_files[1][-1])
    assert main(["transcribe", str(digit_model_file), path, "--n-digits", "2", "--json"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert len(record["digits"]) == 2
    assert main(["transcribe", str(digit_model_file), path, "--reject-threshold", "2"]) == 2
    assert "reject-threshold" in capsys.readouterr().err
    # a voiced-sound requirement longer than any word rejects every word
    args = ["transcribe", str(digit_model_file), path, "--min-voiced", "30", "--json"]
    assert main(args) == 0
    (record,) = _records(capsys.readouterr().out)
    assert record["digits"] == "" and len(record["rejected"]) >= 2
    assert main(["transcribe", str(digit_model_file), path, "--min-voiced", "-1"]) == 2
    assert "min-voiced" in capsys.readouterr().err


def test_transcribe_bad_input(capsys, tmp_path, digit_model_file, string_files, fsdd_sample, rng):
    """Empty file, silence, 60 s of noise, one long word, clipping: a result or a named error."""
    folder, paths = string_files
    y, _ = sf.read(paths[0], dtype="float32")
    files = {
        "empty.wav": None,
        "silence.wav": np.zeros(3 * SR, np.float32),
        "noise60.wav": (0.1 * rng.standard_normal(60 * SR)).astype(np.float32),
        # one word stretched to 3 s (a drawn-out "ohhh"): played 6 times slower
        "longword.wav": np.interp(
            np.arange(0, len(fsdd_sample.data[5]), 1 / 6),
            np.arange(len(fsdd_sample.data[5])),
            fsdd_sample.data[5],
        ).astype(np.float32),
        "clipped.wav": np.clip(20 * y / np.abs(y).max(), -1, 1).astype(np.float32),
    }
    for name, samples in files.items():
        if samples is None:
            (tmp_path / name).write_bytes(b"")
        else:
            sf.write(tmp_path / name, samples, SR)
    argv = ["transcribe", str(digit_model_file), *(str(tmp_path / n) for n in files), "--json"]
    assert main(argv) == 1  # the empty file
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    by_name = {Path(r["file"]).name: r for r in _records(captured.out)}
    assert set(by_name["empty.wav"]) == {"file", "error"}
    assert "empty.wav" in by_name["empty.wav"]["error"]
    for name in ("silence.wav", "noise60.wav"):
        assert by_name[name]["digits"] == "" and by_name[name]["segments"] == []
    # a 3.4 s word is cut into parts no longer than a digit can be (0.8 s), not slivers
    long_word = by_name["longword.wav"]["segments"] + by_name["longword.wav"]["rejected"]
    assert 4 <= len(long_word) <= 8
    assert all(s["end"] - s["start"] <= 0.8 for s in long_word)
    assert sum(s["end"] - s["start"] >= 0.25 for s in long_word) >= 4
    assert len(by_name["clipped.wav"]["digits"]) == len(paths[0].stem.split("_")[1])

    argv = ["transcribe", str(digit_model_file), *(str(tmp_path / n) for n in files)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path / 'silence.wav'}: no digits found" in captured.out.splitlines()
    assert f"{tmp_path / 'noise60.wav'}: no digits found" in captured.out.splitlines()
    (error,) = [line for line in captured.err.splitlines() if "error" in line]
    assert "empty.wav" in error


def test_transcribe_max_duration(capsys, tmp_path, digit_model_file):
    path = tmp_path / "long.wav"
    sf.write(path, np.zeros(125 * SR, np.float32), SR)
    assert main(["transcribe", str(digit_model_file), str(path), "--json"]) == 1
    (record,) = _records(capsys.readouterr().out)
    assert "max_duration=120" in record["error"] and "long.wav" in record["error"]
    assert main(["transcribe", str(digit_model_file), str(path), "--max-duration", "130"]) == 0
    assert capsys.readouterr().out.strip().endswith("no digits found")


def test_transcribe_refuses_a_speaker_model(capsys, tmp_path, small_data, string_files):
    model = tmp_path / "speaker.model"
    argv = ["train", "--data", str(small_data), "--target", "speaker", "-o", str(model), "--quiet"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["transcribe", str(model), str(string_files[1][0])]) == 1
    err = capsys.readouterr().err
    assert "not digits" in err and "Traceback" not in err


def test_predict_reports_no_speech(capsys, tmp_path, digit_model_file, fsdd_sample, rng):
    clip = next(f for f in fsdd_sample.filenames if Path(f).name == "3_theo_4.wav")
    silent = {
        "digital_silence.wav": np.zeros(SR, np.float32),
        "near_silence.wav": (1e-4 * rng.standard_normal(SR)).astype(np.float32),
        "white_noise.wav": (0.1 * rng.standard_normal(2 * SR)).astype(np.float32),
    }
    for name, samples in silent.items():
        sf.write(tmp_path / name, samples, SR)
    # issue 18's FLAC: 8 channels at 192 kHz of silence (4 s here, not 59 s)
    flac = tmp_path / "eight_channels.flac"
    sf.write(flac, np.zeros((4 * 192000, 8), np.int16), 192000, format="FLAC")
    files = [clip, *(str(tmp_path / n) for n in silent), str(flac)]

    assert main(["predict", str(digit_model_file), *files, "--json", "--top-k", "2"]) == 0
    records = _records(capsys.readouterr().out)
    assert records[0]["no_speech"] is False and records[0]["label"] == 3
    for record in records[1:]:
        assert record == {
            "file": record["file"],
            "no_speech": True,
            "label": None,
            "confidence": None,
            "top_k": [],
        }

    assert main(["predict", str(digit_model_file), *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:2] == [clip, "3"]
    assert lines[1:] == [f"{f}\tno speech" for f in files[1:]]


def test_transcribe_lattice_segmentation(capsys, tmp_path, digit_model_file, fsdd_sample):
    """--segmentation lattice splits digits spoken without a pause; --n-digits fixes the count."""
    clips = [fsdd_sample.data[i] for i in (2, 60, 118)]
    silence = np.zeros(SR // 4, np.float32)
    path = tmp_path / "fluent.wav"
    sf.write(path, np.concatenate([silence, *clips, silence]), SR)
    model = str(digit_model_file)
    argv = ["transcribe", model, str(path), "--segmentation", "lattice", "--n-digits", "3"]
    assert main([*argv, "--json"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert len(record["segments"]) == 3
    starts = [s["start"] for s in record["segments"]]
    assert starts == sorted(starts)
    assert main(["transcribe", model, str(path), "--segmentation", "dp"]) == 2
    assert "--segmentation" in capsys.readouterr().err
