"""Tests of load_audio_folder: file-name patterns, folders, and bad files."""

import os
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from _bad_inputs import (
    PNG,
    _bytes,
    _channels,
    _check_error,
    _cut_header,
    _empty,
    _huge,
    _nonfinite,
    _one_sample_44k,
    _rate,
    _short,
    _subtype,
    _zero_frames,
)

from sklearn_audiodigit.datasets import load_audio_folder
from sklearn_audiodigit.exceptions import DatasetError

GOOD = {
    # name: (digit, speaker, take, frequency)
    "0_alice_0.wav": (0, "alice", 0, 300.0),
    "0_alice_1.wav": (0, "alice", 1, 320.0),
    "3_bob_0.wav": (3, "bob", 0, 500.0),
    "7_bob_12.wav": (7, "bob", 12, 700.0),
    "9_carol_3.wav": (9, "carol", 3, 900.0),
}


def _write(path, tone, freq, sr=8000, duration=0.2):
    path.parent.mkdir(parents=True, exist_ok=True)
    y = tone(freq, duration=duration, sr=sr)
    sf.write(path, y, sr, subtype="PCM_16")
    return y


@pytest.fixture
def fsdd_folder(tmp_path, tone):
    root = tmp_path / "recordings"
    for name, (*_, freq) in GOOD.items():
        _write(root / name, tone, freq)
    return root


def _add_bad_files(root):
    bad = {
        "._0_alice_0.wav": b"\x00\x05\x16\x07" + b"\x00" * 60,  # macOS resource fork
        "notes.txt": b"recorded in the kitchen\n",
        "hello_world.wav": None,  # audio, but a name that does not match
        "5_dave_0.wav": np.random.default_rng(0).bytes(2000),  # unreadable
    }
    for name, content in bad.items():
        if content is None:
            shutil.copy(root / "0_alice_0.wav", root / name)
        else:
            (root / name).write_bytes(content)
    return sorted(bad)


def test_fsdd_pattern(fsdd_folder):
    bunch = load_audio_folder(fsdd_folder)
    names = [Path(f).name for f in bunch.filenames]
    assert names == sorted(GOOD)
    assert bunch.sr == 8000
    assert bunch.data.dtype == object and len(bunch.data) == len(GOOD)
    assert bunch.target.dtype == np.int64
    for i, name in enumerate(names):
        digit, speaker, take, _ = GOOD[name]
        assert bunch.target[i] == digit
        assert bunch.speaker[i] == speaker
        assert bunch.take[i] == take
        assert bunch.data[i].dtype == np.float32
        assert len(bunch.data[i]) == 1600
    assert list(bunch.target_names) == ["0", "3", "7", "9"]
    assert bunch.skipped == []


def test_waveforms_equal_the_files(fsdd_folder, tone):
    bunch = load_audio_folder(fsdd_folder)
    i = list(bunch.filenames).index(str(fsdd_folder / "3_bob_0.wav"))
    np.testing.assert_allclose(bunch.data[i], tone(500.0, duration=0.2), atol=1 / 2**14)


def test_resampling_and_native_rate(tmp_path, tone):
    root = tmp_path / "mixed"
    _write(root / "1_ann_0.wav", tone, 440.0, sr=16000, duration=0.5)
    _write(root / "2_ann_0.wav", tone, 440.0, sr=8000, duration=0.5)
    bunch = load_audio_folder(root)
    assert bunch.sr == 8000
    assert [len(x) for x in bunch.data] == [4000, 4000]
    with pytest.raises(DatasetError, match="different sampling rates"):
        load_audio_folder(root, sr=None)


def test_the_bundled_sample_folder(fsdd_sample):
    root = Path(fsdd_sample.filenames[0]).parent
    # the folder also holds LICENSE, README.md and speakers.csv
    with pytest.warns(UserWarning, match="skipped 3 file"):
        bunch = load_audio_folder(root, on_error="warn")
    assert len(bunch.data) == 300
    order = np.argsort(fsdd_sample.filenames)
    np.testing.assert_array_equal(bunch.filenames, np.asarray(fsdd_sample.filenames)[order])
    np.testing.assert_array_equal(bunch.target, np.asarray(fsdd_sample.target)[order])
    np.testing.assert_array_equal(bunch.speaker, np.asarray(fsdd_sample.speaker)[order])
    for j in range(0, 300, 37):
        np.testing.assert_array_equal(bunch.data[j], fsdd_sample.data[order[j]])


def test_user_regex_with_named_groups(tmp_path, tone):
    root = tmp_path / "custom"
    _write(root / "spk-ann_digit-4_rep-2.wav", tone, 400.0)
    _write(root / "spk-ben_digit-8_rep-10.wav", tone, 800.0)
    pattern = r"spk-(?P<speaker>[a-z]+)_digit-(?P<digit>\d)_rep-(?P<take>\d+)\.wav"
    for p in (pattern, re.compile(pattern)):
        bunch = load_audio_folder(root, pattern=p)
        assert list(bunch.target) == [4, 8]
        assert list(bunch.speaker) == ["ann", "ben"]
        assert list(bunch.take) == [2, 10]


def test_regex_with_label_group_and_no_speaker(tmp_path, tone):
    root = tmp_path / "words"
    _write(root / "yes_01.wav", tone, 400.0)
    _write(root / "no_02.wav", tone, 800.0)
    bunch = load_audio_folder(root, pattern=r"(?P<label>[a-z]+)_\d+\.wav")
    assert list(bunch.target) == ["no", "yes"]
    assert list(bunch.speaker) == ["", ""]
    assert list(bunch.take) == [-1, -1]


def test_regex_must_match_the_whole_name(tmp_path, tone):
    root = tmp_path / "full"
    _write(root / "1_ann_0.wav", tone, 400.0)
    _write(root / "x1_ann_0.wav.wav", tone, 400.0)
    bunch = load_audio_folder(root, on_error="skip")
    assert [Path(f).name for f in bunch.filenames] == ["1_ann_0.wav"]
    assert [Path(f).name for f, _ in bunch.skipped] == ["x1_ann_0.wav.wav"]


def test_pattern_folders(tmp_path, tone):
    root = tmp_path / "classes"
    _write(root / "yes" / "a.wav", tone, 400.0)
    _write(root / "yes" / "b.flac", tone, 420.0)
    _write(root / "no" / "deep" / "c.wav", tone, 800.0)
    bunch = load_audio_folder(root, pattern="folders")
    labels = dict(zip((Path(f).name for f in bunch.filenames), bunch.target, strict=True))
    assert labels == {"a.wav": "yes", "b.flac": "yes", "c.wav": "no"}
    assert list(bunch.target_names) == ["no", "yes"]
    assert set(bunch.speaker) == {""}


def test_pattern_folders_with_a_file_at_the_top(tmp_path, tone):
    root = tmp_path / "classes"
    _write(root / "yes" / "a.wav", tone, 400.0)
    _write(root / "stray.wav", tone, 400.0)
    with pytest.raises(DatasetError, match="stray.wav"):
        load_audio_folder(root, pattern="folders")
    bunch = load_audio_folder(root, pattern="folders", on_error="skip")
    assert list(bunch.target) == ["yes"]


@pytest.mark.parametrize(
    "name", ["._0_alice_2.wav", "readme.txt", "alice_zero.wav"], ids=["hidden", "text", "name"]
)
def test_each_kind_of_bad_file_raises_naming_it(fsdd_folder, name):
    (fsdd_folder / name).write_bytes(b"x" * 100)
    with pytest.raises(DatasetError, match=re.escape(name)) as excinfo:
        load_audio_folder(fsdd_folder)
    assert isinstance(excinfo.value, OSError)


def test_unreadable_wav_raises_naming_it(fsdd_folder):
    (fsdd_folder / "5_dave_0.wav").write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(DatasetError, match="5_dave_0.wav") as excinfo:
        load_audio_folder(fsdd_folder)
    assert isinstance(excinfo.value, OSError)


def test_on_error_warn_lists_every_bad_file_once(fsdd_folder):
    bad = _add_bad_files(fsdd_folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bunch = load_audio_folder(fsdd_folder, on_error="warn")
    assert len(caught) == 1
    message = str(caught[0].message)
    for name in bad:
        assert name in message
    for name in GOOD:
        assert f"/{name}" not in message
    # each line is "path: reason", the path not repeated in the reason
    assert f"5_dave_0.wav: {fsdd_folder}" not in message
    assert sorted(Path(f).name for f in bunch.filenames) == sorted(GOOD)
    assert sorted(Path(f).name for f, _ in bunch.skipped) == bad


def test_on_error_skip_is_silent(fsdd_folder):
    bad = _add_bad_files(fsdd_folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bunch = load_audio_folder(fsdd_folder, on_error="skip")
    assert sorted(Path(f).name for f in bunch.filenames) == sorted(GOOD)
    assert sorted(Path(f).name for f, _ in bunch.skipped) == bad
    assert all(reason for _, reason in bunch.skipped)


def test_on_error_raise_with_mixed_bad_files(fsdd_folder):
    _add_bad_files(fsdd_folder)
    with pytest.raises(DatasetError, match="on_error"):
        load_audio_folder(fsdd_folder, on_error="raise")


def test_recursive(tmp_path, tone):
    root = tmp_path / "nested"
    _write(root / "1_ann_0.wav", tone, 400.0)
    _write(root / "sub" / "2_ann_0.wav", tone, 400.0)
    assert len(load_audio_folder(root).data) == 1
    assert sorted(load_audio_folder(root, recursive=True).target) == [1, 2]


def test_folder_errors(tmp_path, fsdd_folder):
    with pytest.raises(DatasetError, match="not a folder"):
        load_audio_folder(tmp_path / "missing")
    with pytest.raises(DatasetError, match="not a folder"):
        load_audio_folder(fsdd_folder / "0_alice_0.wav")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match="no recording"):
        load_audio_folder(empty)
    with pytest.raises(ValueError, match="on_error"):
        load_audio_folder(fsdd_folder, on_error="ignore")
    with pytest.raises(ValueError, match="digit"):
        load_audio_folder(fsdd_folder, pattern=r"(?P<speaker>\w+)\.wav")
    with pytest.raises(ValueError, match="regular expression"):
        load_audio_folder(fsdd_folder, pattern=r"(?P<digit>[")


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
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
