"""fetch_audiomnist on small trees in the published layout, its download, and its splits."""

import functools
import http.server
import json
import math
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_audiodigit.datasets import (
    AudioMNISTSplit,
    clean_audiomnist_metadata,
    fetch_audiomnist,
    load_audio_folder,
)
from sklearn_audiodigit.datasets import _audiomnist as amn
from sklearn_audiodigit.exceptions import DatasetError

# In the style of the published audioMNIST_meta.txt: ages as ints and strings, one
# "1234", rooms differing by case and typos, accents by case.
MESSY_META = {
    "01": {
        "accent": "german",
        "age": 30,
        "gender": "male",
        "native speaker": "no",
        "origin": "Europe, Germany, Wuerzburg",
        "recordingdate": "17-06-22-11-04-28",
        "recordingroom": "Kino",
    },
    "02": {
        "accent": "German",
        "age": "25",
        "gender": "Female",
        "native speaker": "yes",
        "origin": "Europe, Germany, Hamburg",
        "recordingdate": "17-06-26-17-57-29",
        "recordingroom": "VR-Room",
    },
    "03": {
        "accent": "Egyptian_American?",
        "age": "1234",
        "gender": "male",
        "native speaker": "no",
        "origin": "Africa, Egypt, Alexandria",
        "recordingdate": "17-08-21-12-44-56",
        "recordingroom": "vr-romm",
    },
}
# Female speakers according to the published metadata (12 of 60).
FEMALE = {12, 26, 28, 36, 43, 47, 52, 56, 57, 58, 59, 60}


def _tone(freq, sr=48000, n=2400):
    return (0.3 * np.sin(2 * np.pi * freq * np.arange(n) / sr)).astype(np.float32)


def _make_tree(data_dir, speakers=("01", "02", "03", "04"), takes=2, meta=MESSY_META):
    """``data_dir/<speaker>/<digit>_<speaker>_<take>.wav`` (48 kHz) and the metadata."""
    for s in speakers:
        (data_dir / s).mkdir(parents=True, exist_ok=True)
        for d in range(10):
            for t in range(takes):
                sf.write(data_dir / s / f"{d}_{s}_{t}.wav", _tone(200 + 50 * d), 48000)
    (data_dir / "audioMNIST_meta.txt").write_text(json.dumps(meta, indent=4))
    return data_dir


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A data home holding a four-speaker tree; speaker 04 has no metadata."""
    root = tmp_path_factory.mktemp("home")
    _make_tree(root / "audiomnist" / "data")
    return root


# ------------------------------------------------------------------ metadata
def test_clean_metadata_of_the_messy_file():
    raw = {
        **MESSY_META,
        "4": {"age": "", "gender": "?", "native speaker": "maybe", "recordingroom": " "},
        "05": {"age": "twenty", "recordingroom": "Vr_Room"},
        "06": {"age": 61.0, "accent": "  South   African ", "native speaker": True},
    }
    meta = clean_audiomnist_metadata(raw)
    assert [meta[s]["age"] for s in ("01", "02", "06")] == [30.0, 25.0, 61.0]
    for s in ("03", "04", "05"):
        assert math.isnan(meta[s]["age"])
    assert [meta[s]["room"] for s in ("01", "02", "03", "04", "05")] == [
        "kino",
        "vr-room",
        "vr-room",
        None,
        "vr-room",
    ]
    assert [meta[s]["gender"] for s in ("01", "02", "04")] == ["male", "female", None]
    assert [meta[s]["native_speaker"] for s in ("01", "02", "04", "06")] == [
        False,
        True,
        None,
        True,
    ]
    assert meta["01"]["accent"] == meta["02"]["accent"] == "german"
    assert meta["06"]["accent"] == "south african"
    assert meta["03"]["origin"] == "Africa, Egypt, Alexandria"
    assert meta["04"]["accent"] is None  # "4" became "04"
    with pytest.raises(ValueError, match="speaker"):
        clean_audiomnist_metadata({"x1": {}})
    with pytest.raises(ValueError):
        clean_audiomnist_metadata([1, 2])


# ------------------------------------------------------------------ local copy
def test_fetch_local_copy(home):
    with pytest.warns(UserWarning) as record:
        bunch = fetch_audiomnist(data_home=home, download_if_missing=False)
    messages = sorted(str(w.message) for w in record)
    assert len(messages) == 2
    assert "holds 4 of the 60 AudioMNIST speakers" in messages[0]
    assert "no entry for speaker(s) 04" in messages[1]
    assert len(bunch.data) == 4 * 10 * 2 and bunch.sr == 8000
    assert all(x.dtype == np.float32 and len(x) == 400 for x in bunch.data)  # 48 -> 8 kHz
    assert list(bunch.speaker[:3]) == ["01", "01", "01"]
    assert list(bunch.target[:4]) == [0, 0, 1, 1]
    assert list(bunch.take[:2]) == [0, 1]
    first = {s: i for i, s in reversed(list(enumerate(bunch.speaker)))}
    assert [bunch.gender[first[s]] for s in ("01", "02", "03", "04")] == [
        "male",
        "female",
        "male",
        "",
    ]
    assert bunch.age[first["01"]] == 30.0 and bunch.age[first["02"]] == 25.0
    assert math.isnan(bunch.age[first["03"]]) and math.isnan(bunch.age[first["04"]])
    assert [bunch.room[first[s]] for s in ("01", "02", "03", "04")] == [
        "kino",
        "vr-room",
        "vr-room",
        "",
    ]
    assert bunch.native_speaker[first["02"]] is True
    assert bunch.native_speaker[first["04"]] is None
    assert bunch.accent[first["03"]] == "egyptian_american?"
    assert "AudioMNIST" in bunch.DESCR and "MIT" in bunch.DESCR
    assert set(bunch.speakers) == {"01", "02", "03", "04"}


def test_fetch_subset_native_rate_frame_and_X_y(home):
    pd = pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # speakers 01, 02 have metadata: no warning
        bunch = fetch_audiomnist(
            data_home=home, speakers=[2, "01"], sr=None, as_frame=True, download_if_missing=False
        )
    assert sorted(set(bunch.speaker)) == ["01", "02"] and bunch.sr == 48000
    assert len(bunch.data[0]) == 2400
    frame = bunch.frame
    assert list(frame.columns)[:4] == ["filename", "digit", "speaker", "take"]
    assert str(frame["age"].dtype) == "Float64"
    assert str(frame["native_speaker"].dtype) == "boolean"
    assert frame.groupby("speaker")["gender"].first().tolist() == ["male", "female"]
    with pytest.warns(UserWarning):
        frame = fetch_audiomnist(data_home=home, speakers=[3, 4], as_frame=True).frame
    assert frame["age"].isna().all() and pd.isna(frame["gender"]).sum() == 20
    X, y = fetch_audiomnist(data_home=home, speakers=1, return_X_y=True)
    assert len(X) == len(y) == 20
    with pytest.raises(DatasetError, match="07"):
        fetch_audiomnist(data_home=home, speakers=[7], download_if_missing=False)
    with pytest.raises(ValueError, match="speakers"):
        fetch_audiomnist(data_home=home, speakers=["one"])


def test_missing_data_without_download(tmp_path):
    with pytest.raises(DatasetError, match="download_if_missing") as exc:
        fetch_audiomnist(data_home=tmp_path, download_if_missing=False)
    assert isinstance(exc.value, OSError)


def test_local_copy_with_bad_names_is_refused(tmp_path):
    data = _make_tree(tmp_path / "audiomnist" / "data", speakers=("01",), takes=1)
    (data / "01" / "0_02_0.wav").write_bytes(b"")  # wrong speaker folder
    with pytest.raises(DatasetError, match="0_02_0.wav"):
        fetch_audiomnist(data_home=tmp_path, download_if_missing=False)


# ------------------------------------------------------------------ download
@pytest.fixture
def small_layout(monkeypatch):
    """Pretend the published layout is 2 speakers x 10 digits x 2 takes."""
    monkeypatch.setattr(amn, "_N_SPEAKERS", 2)
    monkeypatch.setattr(amn, "_N_TAKES", 2)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def _make_archive(path, tmp, *, drop=None, extra=()):
    """A zip like GitHub's: ``AudioMNIST-master/`` with code, docs and ``data/``."""
    data = _make_tree(tmp / "src" / "data", speakers=("01", "02"), takes=2)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("AudioMNIST-master/README.md", "# AudioMNIST\n")
        zf.writestr("AudioMNIST-master/audiomnist/train/splits.py", "splits = {}\n")
        for f in sorted(data.rglob("*")):
            if f.is_file() and f.name != drop:
                zf.write(f, "AudioMNIST-master/data/" + f.relative_to(data).as_posix())
        for name in extra:
            zf.writestr(name, b"x")
    return path


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 (a free port) serving ``tmp_path / "www"``."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(www))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_from_a_local_server(tmp_path, small_layout, server, monkeypatch):
    www, base = server
    _make_archive(www / "master.zip", tmp_path)
    monkeypatch.setattr(amn, "AUDIOMNIST_URL", f"{base}/master.zip")
    home = tmp_path / "home"
    bunch = fetch_audiomnist(data_home=home, n_retries=0)
    assert len(bunch.data) == 40 and bunch.gender[0] == "male"
    data = home / "audiomnist" / "data"
    assert sorted(p.name for p in data.iterdir()) == ["01", "02", "audioMNIST_meta.txt"]
    assert not (data / "README.md").exists()
    assert [p.name for p in (home / "audiomnist").iterdir()] == ["data"]  # no leftovers
    (www / "master.zip").unlink()  # a second call reads the local copy
    assert len(fetch_audiomnist(data_home=home, speakers=[1]).data) == 20


@pytest.mark.parametrize(
    "drop, extra",
    [
        ("3_02_1.wav", ()),  # one recording missing
        ("audioMNIST_meta.txt", ()),
        (None, ("AudioMNIST-master/data/01/7_01_9.wav",)),  # a take outside the grid
        (None, ("AudioMNIST-master/data/../../evil.wav",)),  # path traversal
        (None, ("AudioMNIST-master/data/03/0_03_0.wav",)),  # a speaker too many
    ],
    ids=["missing", "no-metadata", "extra-take", "traversal", "extra-speaker"],
)
def test_download_with_wrong_layout_installs_nothing(
    tmp_path, small_layout, server, monkeypatch, drop, extra
):
    www, base = server
    _make_archive(www / "master.zip", tmp_path, drop=drop, extra=extra)
    monkeypatch.setattr(amn, "AUDIOMNIST_URL", f"{base}/master.zip")
    home = tmp_path / "home"
    with pytest.raises(DatasetError, match="Nothing was installed"):
        fetch_audiomnist(data_home=home, n_retries=0)
    assert list((home / "audiomnist").iterdir()) == []
    assert not (tmp_path / "evil.wav").exists() and not (home / "evil.wav").exists()


def test_download_failure_retries_then_raises(tmp_path, small_layout, server, monkeypatch):
    _, base = server
    monkeypatch.setattr(amn, "AUDIOMNIST_URL", f"{base}/nothing-here.zip")  # 404
    with pytest.warns(UserWarning, match="retrying"):
        with pytest.raises(DatasetError, match="could not download AudioMNIST"):
            fetch_audiomnist(data_home=tmp_path / "home", n_retries=1, delay=0)
    assert list((tmp_path / "home" / "audiomnist").iterdir()) == []


# ------------------------------------------------------------------ splits
def test_paper_splits_digit():
    speaker = np.repeat([f"{s:02d}" for s in range(1, 61)], 3)
    cv = AudioMNISTSplit()
    assert cv.get_n_splits() == 5
    tested = []
    for train, valid, test in cv.split_with_validation(speaker, groups=speaker):
        tr, va, te = (set(speaker[i]) for i in (train, valid, test))
        assert (len(tr), len(va), len(te)) == (36, 12, 12)
        assert not (tr & va or tr & te or va & te)
        tested += sorted(te)
    assert sorted(tested) == sorted(set(speaker))  # every speaker tested exactly once
    for train, test in cv.split(speaker, groups=speaker):
        assert len(set(speaker[train])) == 48 and not set(speaker[train]) & set(speaker[test])
    excl = AudioMNISTSplit(validation="exclude")
    assert all(len(set(speaker[tr])) == 36 for tr, _ in excl.split(speaker, groups=speaker))
    ints = np.repeat(np.arange(1, 61), 3)  # int speakers work too
    a = [t.tolist() for _, t in cv.split(ints, groups=ints)]
    b = [t.tolist() for _, t in cv.split(speaker, groups=speaker)]
    assert a == b


def test_paper_splits_gender_are_balanced():
    speaker = np.arange(1, 61)
    cv = AudioMNISTSplit("gender")
    assert cv.get_n_splits() == 4
    for train, valid, test in cv.split_with_validation(speaker, groups=speaker):
        assert (len(train), len(valid), len(test)) == (12, 6, 6)
        for idx in (train, valid, test):
            assert sum(int(s) in FEMALE for s in speaker[idx]) * 2 == len(idx)


def test_paper_splits_with_cross_val_score_and_errors():
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import cross_val_score

    speaker = np.repeat(np.arange(1, 61), 2)
    X = np.zeros((len(speaker), 1))
    y = np.arange(len(speaker)) % 10
    scores = cross_val_score(DummyClassifier(), X, y, groups=speaker, cv=AudioMNISTSplit())
    assert len(scores) == 5
    subset = speaker[np.isin(speaker, [28, 56, 7])]  # all in one block of the paper
    with pytest.raises(ValueError, match="GroupKFold"):
        list(AudioMNISTSplit().split(subset, groups=subset))
    with pytest.raises(ValueError, match="groups"):
        list(AudioMNISTSplit().split(speaker))
    with pytest.raises(ValueError, match="task"):
        AudioMNISTSplit("age").get_n_splits()


# ------------------------------------------------------------------ load_audio_folder
@pytest.fixture
def messy_tree(tmp_path):
    data = _make_tree(tmp_path / "data", speakers=("01", "02"), takes=1)
    (data / "01" / ".DS_Store").write_bytes(b"\x00\x01")
    (data / "02" / "5_02_9.wav").write_bytes(b"RIFF junk")  # unreadable
    return data


def test_load_audio_folder_on_the_audiomnist_layout(messy_tree):
    bad = {"audioMNIST_meta.txt", ".DS_Store", "5_02_9.wav"}
    with pytest.raises(DatasetError, match="audioMNIST_meta.txt|DS_Store"):
        load_audio_folder(messy_tree, pattern="audiomnist")
    with pytest.warns(UserWarning) as record:
        bunch = load_audio_folder(messy_tree, pattern="audiomnist", on_error="warn")
    (message,) = [str(w.message) for w in record]
    assert all(name in message for name in bad)
    assert {Path(f).name for f, _ in bunch.skipped} == bad
    assert len(bunch.data) == 20 and sorted(set(bunch.speaker)) == ["01", "02"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = load_audio_folder(messy_tree, pattern="audiomnist", on_error="skip")
    assert list(quiet.filenames) == list(bunch.filenames)
    assert {Path(f).name for f, _ in quiet.skipped} == bad
    # Not recursive on request: the speaker folders are not read.
    with pytest.raises(DatasetError, match="no recording"):
        load_audio_folder(messy_tree, pattern="audiomnist", on_error="skip", recursive=False)


def test_split_is_a_scikit_learn_cross_validator_that_requests_groups():
    from sklearn.model_selection import BaseCrossValidator, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    speaker = np.repeat([f"{s:02d}" for s in range(1, 61)], 2)
    X = np.arange(len(speaker), dtype=float)[:, None]
    y = np.tile([0, 1], 60)
    cv = AudioMNISTSplit()
    assert isinstance(cv, BaseCrossValidator)
    assert repr(cv) == "AudioMNISTSplit(task='digit', validation='train')"
    assert cv.get_metadata_routing().split.requests["groups"] is True
    scores = cross_val_score(KNeighborsClassifier(1), X, y, groups=speaker, cv=cv)
    assert scores.shape == (5,)
