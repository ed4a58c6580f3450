"""Tests of datasets._base: FSDD file names, the data home."""

from pathlib import Path

import pytest

from sklearn_audiodigit.datasets import (
    FSDD_PATTERN,
    get_data_home,
    parse_fsdd_filename,
)


def test_parse_fsdd_filename():
    assert parse_fsdd_filename("7_jackson_32.wav") == {
        "digit": 7,
        "speaker": "jackson",
        "take": 32,
    }
    assert parse_fsdd_filename(Path("/some/dir/0_theo_0.wav")) == {
        "digit": 0,
        "speaker": "theo",
        "take": 0,
    }


@pytest.mark.parametrize(
    "name",
    [
        "7_jackson_32.wav.bak",
        "a_b_c.wav",
        "10_x_1.wav",
        "7_Jackson_32.wav",
        "7_jackson_32.WAV",
        "7_jackson_.wav",
        "7__32.wav",
        "_jackson_32.wav",
        " 7_jackson_32.wav",
        "7_jackson_32.wav\n",
        "7_jackson_32.flac",
        "",
    ],
)
def test_parse_fsdd_filename_rejects(name):
    with pytest.raises(ValueError, match="is not an FSDD file name") as excinfo:
        parse_fsdd_filename(name)
    assert repr(name) in str(excinfo.value)


def test_parse_fsdd_filename_type():
    with pytest.raises(TypeError, match="str or an os.PathLike"):
        parse_fsdd_filename(7)


def test_fsdd_pattern_is_full_string():
    assert FSDD_PATTERN.fullmatch("3_lucas_49.wav")["speaker"] == "lucas"
    assert FSDD_PATTERN.fullmatch("x3_lucas_49.wav") is None


def test_get_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIODIGIT_DATA", str(tmp_path / "from_env"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # The argument wins over the environment variable, and is created.
    assert get_data_home(tmp_path / "arg" / "nested") == tmp_path / "arg" / "nested"
    assert (tmp_path / "arg" / "nested").is_dir()
    assert get_data_home(str(tmp_path / "s")) == tmp_path / "s"
    # Then the environment variable.
    assert get_data_home() == tmp_path / "from_env"
    assert (tmp_path / "from_env").is_dir()
    # Then ~/audiodigit_data; an empty variable counts as unset.
    monkeypatch.setenv("AUDIODIGIT_DATA", "")
    assert get_data_home() == tmp_path / "home" / "audiodigit_data"
    monkeypatch.delenv("AUDIODIGIT_DATA")
    assert get_data_home() == tmp_path / "home" / "audiodigit_data"
    assert (tmp_path / "home" / "audiodigit_data").is_dir()
    # "~" is expanded in an argument too.
    assert get_data_home("~/other") == tmp_path / "home" / "other"


def test_get_data_home_errors(tmp_path):
    with pytest.raises(TypeError, match="data_home"):
        get_data_home(3)
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OSError):
        get_data_home(tmp_path / "a_file")
