"""Tests of sklearn_audiodigit.datasets: FSDD names, the bundled sample, fetch_fsdd."""

import csv
import functools
import hashlib
import http.server
import os
import shutil
import sys
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_audiodigit.datasets import (
    _fsdd,
    fetch_fsdd,
    load_fsdd_sample,
    parse_fsdd_filename,
)
from sklearn_audiodigit.exceptions import DatasetError

# The full local copy of FSDD: $AUDIODIGIT_DATA, else ../shared/data next to the repository.
SHARED_DATA = Path(
    os.environ.get("AUDIODIGIT_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
FULL_RECORDINGS = SHARED_DATA / "fsdd" / "recordings"
requires_full_fsdd = pytest.mark.skipif(
    not FULL_RECORDINGS.is_dir(), reason=f"full FSDD copy not found at {FULL_RECORDINGS}"
)

SAMPLE_DIR = _fsdd._SAMPLE_DIR
SPEAKERS = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
TOP = "free-spoken-digit-dataset-1.0.10"  # top folder of GitHub's archive


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest():
    with open(_fsdd.FSDD_MANIFEST, newline="", encoding="utf-8") as f:
        return {row["filename"]: row["sha256"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def sample():
    return load_fsdd_sample()


@pytest.fixture
def subset_files():
    """Twelve bundled recordings: 2 speakers x 3 digits x 2 takes."""
    names = [f"{d}_{s}_{t}.wav" for s in ("jackson", "theo") for d in (0, 4, 9) for t in (0, 3)]
    return [SAMPLE_DIR / n for n in names]


@pytest.fixture
def subset_manifest(tmp_path, monkeypatch, subset_files):
    """Point fetch_fsdd at a manifest of ``subset_files`` (rows taken from the real one)."""
    full = read_manifest()
    path = tmp_path / "manifest.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["filename", "sha256"])
        for p in subset_files:
            writer.writerow([p.name, full[p.name]])
    monkeypatch.setattr(_fsdd, "FSDD_MANIFEST", path)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serve ``tmp_path / "www"`` on 127.0.0.1 and point FSDD_URL at ``v1.0.10.zip`` there."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1.0.10.zip"
    monkeypatch.setattr(_fsdd, "FSDD_URL", url)
    try:
        yield root / "v1.0.10.zip"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def make_archive(path, files, *, corrupt=(), extra=None):
    """Write a zip laid out like GitHub's FSDD archive.

    ``files`` go to ``TOP/recordings/``; names in ``corrupt`` get one byte flipped;
    ``extra`` maps further member names to bytes.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{TOP}/README.md", "# FSDD\n")
        zf.writestr(f"{TOP}/recordings/", "")
        for p in files:
            data = bytearray(Path(p).read_bytes())
            if Path(p).name in corrupt:
                data[len(data) // 2] ^= 0xFF
            zf.writestr(f"{TOP}/recordings/{Path(p).name}", bytes(data))
        # A wav outside recordings/ must be ignored.
        zf.writestr(f"{TOP}/utils/9_theo_0.wav", b"not a recording")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)


def assert_nothing_installed(data_home):
    fsdd_home = data_home / "fsdd"
    assert not (fsdd_home / "recordings").exists()
    assert not (fsdd_home / "speakers.csv").exists()
    assert list(fsdd_home.iterdir()) == []  # no temporary folder or archive left


# --------------------------------------------------------------------------- names


# ---------------------------------------------------------------------- data home


# ------------------------------------------------------------------ bundled sample


def test_load_fsdd_sample(sample):
    assert sample.sr == 8000
    assert sample.data.shape == (300,)
    assert sample.data.dtype == object
    assert all(y.dtype == np.float32 and y.ndim == 1 for y in sample.data)
    assert all(np.abs(y).max() <= 1.0 for y in sample.data)
    assert len({len(y) for y in sample.data}) > 100  # ragged
    assert sample.target.dtype == np.int64
    assert sample.take.dtype == np.int64
    np.testing.assert_array_equal(sample.target_names, [str(d) for d in range(10)])
    assert sorted(set(sample.speaker)) == SPEAKERS
    assert sorted(set(sample.target)) == list(range(10))
    for s in SPEAKERS:
        for d in range(10):
            takes = sample.take[(sample.speaker == s) & (sample.target == d)]
            assert sorted(takes) == [0, 1, 2, 3, 4]
    assert sample.frame is None


def test_load_fsdd_sample_order_and_metadata(sample):
    keys = list(zip(sample.speaker, sample.target, sample.take, strict=True))
    assert keys == sorted(keys)
    with open(SAMPLE_DIR / "speakers.csv", newline="", encoding="utf-8") as f:
        meta = {row["speaker"]: row for row in csv.DictReader(f)}
    for i in (0, 137, 299):
        path = Path(sample.filenames[i])
        assert path.is_absolute() and path.is_file()
        assert parse_fsdd_filename(path) == {
            "digit": sample.target[i],
            "speaker": sample.speaker[i],
            "take": sample.take[i],
        }
        assert sample.gender[i] == meta[sample.speaker[i]]["gender"]
        assert sample.accent[i] == meta[sample.speaker[i]]["accent"]
        expected, rate = sf.read(path, dtype="float32")
        assert rate == 8000
        np.testing.assert_array_equal(sample.data[i], expected)
    assert set(sample.accent) >= {"USA/neutral", "DEU/German"}


def test_load_fsdd_sample_resamples(sample):
    up = load_fsdd_sample(sr=16000)
    assert up.sr == 16000
    n8 = np.array([len(y) for y in sample.data])
    n16 = np.array([len(y) for y in up.data])
    np.testing.assert_allclose(n16, 2 * n8, atol=2)
    assert all(y.dtype == np.float32 for y in up.data)
    np.testing.assert_array_equal(up.filenames, sample.filenames)

    native = load_fsdd_sample(sr=None)
    assert native.sr == 8000
    np.testing.assert_array_equal(native.data[5], sample.data[5])


@pytest.mark.parametrize("sr", [0, -8000, 8000.5, "8000", True])
def test_load_fsdd_sample_bad_sr(sr):
    with pytest.raises(ValueError, match="sr must be"):
        load_fsdd_sample(sr=sr)


def test_load_fsdd_sample_return_X_y(sample):
    X, y = load_fsdd_sample(return_X_y=True)
    assert X.shape == y.shape == (300,)
    np.testing.assert_array_equal(y, sample.target)
    for a, b in zip(X[:10], sample.data[:10], strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_fsdd_sample_as_frame(sample):
    pd = pytest.importorskip("pandas")
    bunch = load_fsdd_sample(as_frame=True)
    frame = bunch.frame
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "filename",
        "digit",
        "speaker",
        "take",
        "gender",
        "accent",
        "n_samples",
        "duration_s",
    ]
    assert frame.shape == (300, 8)
    np.testing.assert_array_equal(frame["filename"].to_numpy(), bunch.filenames)
    np.testing.assert_array_equal(frame["digit"].to_numpy(), sample.target)
    np.testing.assert_array_equal(frame["speaker"].to_numpy(), sample.speaker)
    np.testing.assert_array_equal(frame["n_samples"], [len(y) for y in bunch.data])
    np.testing.assert_allclose(frame["duration_s"], frame["n_samples"] / 8000)
    assert 0.1 < frame["duration_s"].min() < frame["duration_s"].max() < 2.5


def test_as_frame_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes "import pandas" fail
    with pytest.raises(ImportError, match="as_frame=True requires pandas"):
        load_fsdd_sample(as_frame=True)


def test_descr_and_license(sample):
    descr = sample.DESCR
    assert "CC BY-SA 4.0" in descr
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in descr
    assert "Zohar Jackson" in descr and "v1.0.10" in descr
    assert "not speaker-independent" in descr.replace("**", "")
    assert "takes 0 to 4" in descr
    license_text = (SAMPLE_DIR / "LICENSE").read_text(encoding="utf-8")
    for needle in (
        "Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "https://github.com/Jakobovski/free-spoken-digit-dataset",
        "Zohar Jackson, César Souza, Jason Flaks, Yuxin Pan, Hereman Nicolas",
        "Adhish Thite and contributors",
        "v1.0.10",
    ):
        assert needle in license_text
    assert "takes 0 to 4" in (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")


def test_manifest_and_bundled_sample_agree():
    manifest = read_manifest()
    assert len(manifest) == 3000
    fields = [parse_fsdd_filename(name) for name in manifest]
    assert sorted({f["speaker"] for f in fields}) == SPEAKERS
    assert {f["take"] for f in fields} == set(range(50))
    assert all(len(h) == 64 for h in manifest.values())
    # The bundled sample is a byte-for-byte copy of takes 0-4.
    wavs = sorted(SAMPLE_DIR.glob("*.wav"))
    assert len(wavs) == 300
    for p in wavs:
        assert parse_fsdd_filename(p)["take"] < 5
        assert sha256(p) == manifest[p.name], p.name


# ------------------------------------------------------------- fetch: local copy


def _local_copy(data_home, files):
    recordings = data_home / "fsdd" / "recordings"
    recordings.mkdir(parents=True)
    for p in files:
        shutil.copy(p, recordings / p.name)
    return recordings


def test_fetch_fsdd_uses_local_copy(tmp_path, subset_files):
    recordings = _local_copy(tmp_path, subset_files)
    with pytest.warns(UserWarning, match="holds 12 of the 3000"):
        bunch = fetch_fsdd(data_home=tmp_path, download_if_missing=False)
    assert bunch.data.shape == (12,)
    assert bunch.sr == 8000
    assert sorted(set(bunch.speaker)) == ["jackson", "theo"]
    assert all(Path(f).parent == recordings for f in bunch.filenames)
    assert set(bunch.gender) == {"male"}  # metadata from the packaged speakers.csv
    with pytest.warns(UserWarning, match="holds 12 of the 3000"):
        X, y = fetch_fsdd(data_home=tmp_path, return_X_y=True, sr=16000)
    np.testing.assert_array_equal(y, bunch.target)
    assert len(X[0]) > 1.9 * len(bunch.data[0])


def test_fetch_fsdd_data_home_from_env(tmp_path, monkeypatch, subset_files):
    _local_copy(tmp_path, subset_files[:3])
    monkeypatch.setenv("AUDIODIGIT_DATA", str(tmp_path))
    with pytest.warns(UserWarning):
        bunch = fetch_fsdd(download_if_missing=False)
    assert len(bunch.data) == 3


def test_fetch_fsdd_verify_local_copy(tmp_path, subset_files, subset_manifest):
    recordings = _local_copy(tmp_path, subset_files)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # complete against the (subset) manifest: no warning
        assert len(fetch_fsdd(data_home=tmp_path, verify=True).data) == 12
    victim = recordings / subset_files[4].name
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0x01
    victim.write_bytes(bytes(data))
    assert len(fetch_fsdd(data_home=tmp_path).data) == 12  # not hashed without verify
    with pytest.raises(DatasetError, match=f"1 corrupted \\({victim.name}\\)"):
        fetch_fsdd(data_home=tmp_path, verify=True)
    victim.unlink()
    with pytest.raises(DatasetError, match=f"1 missing \\({victim.name}\\)"):
        fetch_fsdd(data_home=tmp_path, verify=True)


def test_fetch_fsdd_rejects_foreign_files(tmp_path, subset_files):
    recordings = _local_copy(tmp_path, subset_files[:2])
    (recordings / "3_bob_0.wav").write_bytes(subset_files[0].read_bytes())
    with pytest.raises(DatasetError, match="unexpected \\(3_bob_0.wav\\)"):
        fetch_fsdd(data_home=tmp_path, download_if_missing=False)


@pytest.mark.parametrize("with_empty_folder", [False, True])
def test_fetch_fsdd_missing_no_download(tmp_path, with_empty_folder):
    if with_empty_folder:
        (tmp_path / "fsdd" / "recordings").mkdir(parents=True)
    with pytest.raises(DatasetError, match="FSDD not found") as excinfo:
        fetch_fsdd(data_home=tmp_path, download_if_missing=False)
    assert isinstance(excinfo.value, OSError)
    message = str(excinfo.value)
    assert str(tmp_path / "fsdd" / "recordings") in message
    assert "download_if_missing=True" in message and "AUDIODIGIT_DATA" in message


def test_fetch_fsdd_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="sr must be"):
        fetch_fsdd(data_home=tmp_path, sr=-1)
    with pytest.raises(ValueError, match="n_retries"):
        fetch_fsdd(data_home=tmp_path, n_retries=-1)


@requires_full_fsdd
def test_fetch_fsdd_full_local_copy(monkeypatch):
    monkeypatch.setenv("AUDIODIGIT_DATA", str(SHARED_DATA))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bunch = fetch_fsdd(download_if_missing=False, verify=True)
    assert bunch.data.shape == bunch.target.shape == (3000,)
    assert bunch.sr == 8000
    assert sorted(set(bunch.speaker)) == SPEAKERS
    assert np.bincount(bunch.target).tolist() == [300] * 10
    assert set(bunch.take) == set(range(50))
    assert (bunch.take < 5).sum() == 300  # the official test split
    lengths = [len(y) for y in bunch.data]
    assert min(lengths) == 1148 and max(lengths) == 18262


# --------------------------------------------------------------- fetch: download


def test_fetch_fsdd_download(tmp_path, server, subset_files, subset_manifest):
    make_archive(server, subset_files, extra={f"{TOP}/recordings/notes.txt": b"x"})
    data_home = tmp_path / "home"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bunch = fetch_fsdd(data_home=data_home, as_frame=True)
    fsdd_home = data_home / "fsdd"
    recordings = fsdd_home / "recordings"
    assert sorted(p.name for p in recordings.iterdir()) == sorted(p.name for p in subset_files)
    manifest = read_manifest()
    assert all(sha256(p) == manifest[p.name] for p in recordings.iterdir())
    assert (fsdd_home / "speakers.csv").read_bytes() == (SAMPLE_DIR / "speakers.csv").read_bytes()
    assert sorted(p.name for p in fsdd_home.iterdir()) == ["recordings", "speakers.csv"]
    assert bunch.data.shape == (12,) and bunch.frame.shape == (12, 8)
    assert all(Path(f).parent == recordings for f in bunch.filenames)

    # The second call reuses the verified copy without touching the network.
    server.unlink()
    again = fetch_fsdd(data_home=data_home, verify=True)
    np.testing.assert_array_equal(again.filenames, bunch.filenames)


def test_fetch_fsdd_download_replaces_empty_folder(tmp_path, server, subset_files, subset_manifest):
    make_archive(server, subset_files)
    (tmp_path / "fsdd" / "recordings").mkdir(parents=True)
    assert len(fetch_fsdd(data_home=tmp_path, verbose=True).data) == 12


@pytest.mark.parametrize(
    "defect, message",
    [
        ("corrupt", "1 corrupted \\(4_jackson_3.wav\\)"),
        ("missing", "1 missing \\(4_jackson_3.wav\\)"),
        ("foreign", "1 unexpected \\(4_bob_3.wav\\)"),
        ("bad_name", "1 unexpected \\(4_jackson_3.wav.bak.wav\\)"),
    ],
)
def test_fetch_fsdd_download_fails_verification(
    tmp_path, server, subset_files, subset_manifest, defect, message
):
    victim = SAMPLE_DIR / "4_jackson_3.wav"
    assert victim in subset_files
    files, corrupt, extra = list(subset_files), (), {}
    if defect == "corrupt":
        corrupt = (victim.name,)
    elif defect == "missing":
        files.remove(victim)
    elif defect == "foreign":
        extra = {f"{TOP}/recordings/4_bob_3.wav": victim.read_bytes()}
    else:
        extra = {f"{TOP}/recordings/4_jackson_3.wav.bak.wav": victim.read_bytes()}
    make_archive(server, files, corrupt=corrupt, extra=extra)
    with pytest.raises(DatasetError, match=message) as excinfo:
        fetch_fsdd(data_home=tmp_path)
    assert isinstance(excinfo.value, OSError)
    assert "Nothing was installed" in str(excinfo.value)
    assert_nothing_installed(tmp_path)


def test_fetch_fsdd_download_not_a_zip(tmp_path, server, subset_manifest):
    server.write_bytes(b"<html>rate limited</html>")
    with pytest.raises(DatasetError, match="not a valid zip archive"):
        fetch_fsdd(data_home=tmp_path)
    assert_nothing_installed(tmp_path)


def test_fetch_fsdd_download_http_error(tmp_path, server, subset_manifest):
    # Nothing is served: every attempt gets a 404.
    with pytest.raises(DatasetError, match="could not download FSDD .*1 attempt"):
        fetch_fsdd(data_home=tmp_path, n_retries=0)
    assert_nothing_installed(tmp_path)
    with pytest.warns(UserWarning, match="retrying in 0 s"):
        with pytest.raises(DatasetError, match="2 attempt"):
            fetch_fsdd(data_home=tmp_path, n_retries=1, delay=0)
    assert_nothing_installed(tmp_path)


@requires_full_fsdd
def test_fetch_fsdd_download_full(tmp_path, server):
    """End to end with all 3000 recordings and the real manifest."""
    make_archive(server, sorted(FULL_RECORDINGS.glob("*.wav")))
    bunch = fetch_fsdd(data_home=tmp_path / "home", return_X_y=False)
    recordings = tmp_path / "home" / "fsdd" / "recordings"
    assert len(list(recordings.glob("*.wav"))) == 3000
    assert bunch.data.shape == (3000,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fetch_fsdd(data_home=tmp_path / "home", verify=True, return_X_y=True)
