"""The Free Spoken Digit Dataset (FSDD): bundled sample and full download."""

import csv
import hashlib
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

from .._config import DEFAULT_SR
from .._docstring import fill_doc
from ..exceptions import DatasetError
from ._base import (
    _DATA_DIR,
    DATA_HOME_ENV,
    FSDD_PATTERN,
    _check_retries,
    _check_sr,
    _download_and_install,
    _load_descr,
    _load_fsdd_bunch,
    get_data_home,
)

__all__ = ["load_fsdd_sample", "fetch_fsdd"]

#: Release of FSDD that :func:`fetch_fsdd` downloads and verifies.
FSDD_VERSION = "v1.0.10"

#: GitHub archive of the release. Its bytes are generated on the fly and are not
#: stable, so the recordings inside it are verified, not the archive.
FSDD_URL = (
    f"https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/{FSDD_VERSION}.zip"
)

#: ``filename,sha256`` of every recording of the release (3000 rows).
FSDD_MANIFEST = _DATA_DIR / "fsdd_manifest.csv"

_SAMPLE_DIR = _DATA_DIR / "fsdd_sample"
_SPEAKERS_CSV = _SAMPLE_DIR / "speakers.csv"
_ARCHIVE_NAME = f"free-spoken-digit-dataset-{FSDD_VERSION}.zip"
_MAX_LISTED = 10  # problems listed in an error message


@fill_doc
def load_fsdd_sample(*, return_X_y=False, as_frame=False, sr=DEFAULT_SR):
    """Load the sample of the Free Spoken Digit Dataset bundled with the package.

    The sample is takes 0 to 4 of every speaker and digit of FSDD v1.0.10: 300
    recordings, 6 speakers x 10 digits x 5 takes, which is exactly the dataset's
    official test split. It needs no download. Use :func:`fetch_fsdd` for all
    3,000 recordings.

    =================   ==========================
    Classes             10 (digits 0-9)
    Speakers            6
    Samples total       300 (30 per digit)
    Native rate         8000 Hz, mono, 16-bit PCM
    Duration per clip   about 0.14 s to 2.3 s
    =================   ==========================

    The recordings are licensed CC BY-SA 4.0; see ``DESCR`` for the attribution.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``frame`` is a :class:`pandas.DataFrame` of per-clip metadata
        (pandas must be installed). The waveforms stay in ``data`` either way,
        and ``return_X_y=True`` still returns the two arrays.
    %(sr_load)s
        FSDD's native rate is 8000 Hz.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes, one entry per clip,
        sorted by (speaker, digit, take).

        data : ndarray of shape (n_clips,), dtype object
            The waveforms: each a 1-D float32 ndarray of shape (n_samples_i,),
            nominally in [-1, 1], at ``sr``. Clips differ in length.
        target : ndarray of shape (n_clips,), dtype int64
            The spoken digit, 0 to 9.
        target_names : ndarray of shape (10,), dtype str
            ``"0"`` to ``"9"``.
        speaker : ndarray of shape (n_clips,), dtype str
            Speaker name; use it as ``groups`` for speaker-independent evaluation.
        take : ndarray of shape (n_clips,), dtype int64
            Take number (0 to 4 in the sample, 0 to 49 in the full dataset).
        gender, accent : ndarray of shape (n_clips,), dtype str
            The speaker's gender and accent, from the dataset's metadata.
        filenames : ndarray of shape (n_clips,), dtype str
            Absolute path of each recording.
        sr : int
            Sampling rate of ``data``, in Hz.
        frame : pandas.DataFrame of shape (n_clips, 8) or None
            Only when ``as_frame=True``, else None. Columns ``filename`` (absolute
            path), ``digit``, ``speaker``, ``take``, ``gender``, ``accent``,
            ``n_samples`` (at ``sr``) and ``duration_s`` (seconds).
        DESCR : str
            Description of the dataset, with its license and attribution.

    (data, target) : tuple if ``return_X_y`` is True
        ``data`` of shape (n_clips,), dtype object, and ``target`` of shape
        (n_clips,), dtype int64, as above.

    Raises
    ------
    ValueError
        If ``sr`` is not a positive integer or None.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    See Also
    --------
    fetch_fsdd : The full dataset (3,000 recordings), downloaded once.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> fsdd = load_fsdd_sample()
    >>> fsdd.data.shape, fsdd.target.shape, fsdd.sr
    ((300,), (300,), 8000)
    >>> fsdd.data[0].dtype, fsdd.data[0].ndim
    (dtype('float32'), 1)
    >>> print(*sorted(set(fsdd.speaker)))
    george jackson lucas nicolas theo yweweler
    >>> X, y = load_fsdd_sample(return_X_y=True, sr=16000)
    >>> len(X), y[:3]
    (300, array([0, 0, 0]))
    """
    paths = sorted(_SAMPLE_DIR.glob("*.wav"))
    return _load_fsdd_bunch(
        paths,
        sr=sr,
        speakers_csv=_SPEAKERS_CSV,
        descr=_load_descr("fsdd.rst"),
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


@fill_doc
def fetch_fsdd(
    *,
    data_home=None,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
    sr=DEFAULT_SR,
    verify=False,
    n_retries=3,
    delay=1.0,
    verbose=False,
):
    """Load the full Free Spoken Digit Dataset, downloading it if needed.

    The 3,000 recordings of FSDD v1.0.10 (6 speakers x 10 digits x 50 takes) are
    kept in ``<data_home>/fsdd/recordings/``. When that folder holds recordings
    they are read from there; otherwise the release archive is downloaded from
    GitHub (about 15 MB), only its ``recordings/*.wav`` are extracted into a
    temporary folder, each recording is checked against the SHA-256 manifest
    shipped with the package, and only then is the folder moved into place in one
    atomic step. A failed download leaves nothing behind.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder that holds (or will hold) ``fsdd/recordings``. ``None`` uses the
        ``AUDIODIGIT_DATA`` environment variable, else ``~/audiodigit_data``; see
        :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False, raise a :class:`~sklearn_audiodigit.exceptions.DatasetError`
        when the recordings are not there instead of downloading them.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``frame`` is a :class:`pandas.DataFrame` of per-clip metadata.
    %(sr_load)s
        FSDD's native rate is 8000 Hz.
    verify : bool, default=False
        If True, check an existing local copy against the manifest: all 3,000
        recordings present, each with the expected SHA-256 (about 0.1 s). A fresh
        download is always verified, whatever this says.
    n_retries : int, default=3
        Number of further attempts when the download fails with a network error.
    delay : float, default=1.0
        Seconds to wait between attempts.
    verbose : bool, default=False
        Log the download and show a progress bar (tqdm) while reading the files.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` (ndarray of shape (n_clips,), dtype
        object, of 1-D float32 waveforms at ``sr``), ``target`` (int64 digits),
        ``target_names``, ``speaker``, ``take``, ``gender``, ``accent``,
        ``filenames``, ``sr``, ``frame`` and ``DESCR``, sorted by (speaker, digit,
        take); described in :func:`load_fsdd_sample`. ``n_clips`` is 3000 for a
        complete copy.
    (data, target) : tuple if ``return_X_y`` is True
        ``data`` of shape (n_clips,), dtype object, and ``target`` of shape
        (n_clips,), dtype int64.

    Raises
    ------
    DatasetError
        (a subclass of :class:`OSError`) if the recordings are missing and
        ``download_if_missing=False``; if the download fails after ``n_retries``
        retries; if the downloaded recordings do not match the manifest (count or
        SHA-256); if the local folder holds files that are not FSDD v1.0.10
        recordings; or if ``verify=True`` and a recording is missing or differs
        from the manifest. The message names the folder or the first bad files.
    ValueError
        If ``sr`` is not a positive integer or None, or ``n_retries`` or ``delay``
        is negative.
    ImportError
        If ``as_frame=True`` and pandas is not installed.

    Warns
    -----
    UserWarning
        If the local copy holds fewer recordings than the release (it is used as
        it is), and before each retry of a failed download.

    See Also
    --------
    load_fsdd_sample : The bundled 300-recording sample; no download.

    Notes
    -----
    The official split of FSDD (takes 0-4 for testing) is not speaker-independent;
    group by ``speaker`` for an estimate on unseen voices.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import fetch_fsdd
    >>> fsdd = fetch_fsdd()  # doctest: +SKIP
    >>> fsdd.data.shape, fsdd.sr  # doctest: +SKIP
    ((3000,), 8000)
    >>> is_test = fsdd.take < 5  # doctest: +SKIP
    """
    sr = _check_sr(sr)
    _check_retries(n_retries, delay)
    fsdd_home = get_data_home(data_home) / "fsdd"
    recordings = fsdd_home / "recordings"
    manifest = _read_manifest()

    paths = _find_recordings(recordings)
    if paths:
        _check_local_copy(recordings, paths, manifest, verify=verify)
    elif not download_if_missing:
        raise DatasetError(
            f"FSDD not found: no recordings in {recordings}. Call "
            f"fetch_fsdd(download_if_missing=True) to download it, or unpack the "
            f"'recordings' folder of {FSDD_URL} there, or set {DATA_HOME_ENV} (or "
            f"data_home) to a folder that holds fsdd/recordings/*.wav"
        )
    else:
        _download_fsdd(fsdd_home, manifest, n_retries=n_retries, delay=delay, verbose=verbose)
        paths = _find_recordings(recordings)

    speakers_csv = fsdd_home / "speakers.csv"
    if not speakers_csv.is_file():
        speakers_csv = _SPEAKERS_CSV
    return _load_fsdd_bunch(
        paths,
        sr=sr,
        speakers_csv=speakers_csv,
        descr=_load_descr("fsdd.rst"),
        return_X_y=return_X_y,
        as_frame=as_frame,
        verbose=verbose,
    )


def _read_manifest(path=None):
    """Read ``filename,sha256`` rows into a dict ``{filename: sha256}``."""
    path = FSDD_MANIFEST if path is None else Path(path)
    with open(path, newline="", encoding="utf-8") as f:
        return {row["filename"]: row["sha256"].lower() for row in csv.DictReader(f)}


def _find_recordings(folder):
    """Return the sorted ``*.wav`` files directly inside ``folder`` (empty if none)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.wav") if p.is_file())


def _sha256(path):
    """Return the hexadecimal SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _compare_with_manifest(paths, manifest, *, hashes=True):
    """List how ``paths`` differ from ``manifest``.

    Returns
    -------
    problems : dict of str to list of str
        ``"unexpected"`` (names not in the manifest), ``"missing"`` (manifest names
        not found) and, if ``hashes``, ``"corrupted"`` (SHA-256 differs).
    """
    by_name = {p.name: p for p in paths}
    problems = {
        "unexpected": sorted(set(by_name) - set(manifest)),
        "missing": sorted(set(manifest) - set(by_name)),
        "corrupted": [],
    }
    if hashes:
        problems["corrupted"] = [
            name
            for name, p in sorted(by_name.items())
            if name in manifest and _sha256(p) != manifest[name]
        ]
    return problems


def _describe(problems):
    """Format the non-empty lists of ``problems`` for an error message."""
    parts = []
    for kind, names in problems.items():
        if names:
            shown = ", ".join(names[:_MAX_LISTED])
            more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
            parts.append(f"{len(names)} {kind} ({shown}{more})")
    return "; ".join(parts)


def _check_local_copy(recordings, paths, manifest, *, verify):
    """Check the file names (always) and the contents (``verify=True``) of a local copy."""
    problems = _compare_with_manifest(paths, manifest, hashes=verify)
    if not verify:
        problems["missing"] = []  # an incomplete copy only warns, below
    if any(problems.values()):
        raise DatasetError(
            f"{recordings} does not hold the FSDD {FSDD_VERSION} recordings: "
            f"{_describe(problems)}. Delete that folder and call fetch_fsdd() again to "
            f"download a verified copy"
        )
    if len(paths) < len(manifest):
        warnings.warn(
            f"{recordings} holds {len(paths)} of the {len(manifest)} FSDD recordings; "
            f"using them as they are (pass verify=True to make this an error, or delete "
            f"the folder to download a complete copy)",
            UserWarning,
            stacklevel=3,
        )


def _extract_recordings(archive, dest):
    """Extract ``*/recordings/*.wav`` of the zip ``archive`` into the folder ``dest``.

    Only members exactly one folder below the archive's top folder are taken, by
    their base name, so that no member can be written outside ``dest``.

    Returns
    -------
    rejected : list of str
        Names in ``recordings/`` that end in ``.wav`` but are not FSDD names or
        appear twice; they are not extracted.
    """
    rejected = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                parts = PurePosixPath(info.filename).parts
                if (
                    info.is_dir()
                    or len(parts) != 3
                    or parts[1] != "recordings"
                    or not parts[2].endswith(".wav")
                ):
                    continue
                name = parts[2]
                target = dest / name
                if not FSDD_PATTERN.fullmatch(name) or target.exists():
                    rejected.append(name)
                    continue
                with zf.open(info) as src, open(target, "xb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile as err:
        raise DatasetError(f"{archive}: the download is not a valid zip archive ({err})") from err
    return rejected


def _download_fsdd(fsdd_home, manifest, *, n_retries, delay, verbose):
    """Download, extract, verify and atomically install the recordings under ``fsdd_home``."""

    def check(staged, rejected):
        problems = _compare_with_manifest(_find_recordings(staged), manifest)
        problems["unexpected"] = sorted(problems["unexpected"] + rejected)
        if any(problems.values()):
            return (
                f"does not match the manifest of {len(manifest)} recordings: {_describe(problems)}"
            )
        return None

    _download_and_install(
        FSDD_URL,
        fsdd_home,
        dest="recordings",
        what="FSDD",
        fname=_ARCHIVE_NAME,
        extract=_extract_recordings,
        check=check,
        installed=_find_recordings,
        n_retries=n_retries,
        delay=delay,
        verbose=verbose,
    )
    _copy_atomic(_SPEAKERS_CSV, fsdd_home / "speakers.csv")


def _copy_atomic(src, dst):
    """Copy ``src`` to ``dst`` through a temporary file beside it and ``os.replace``."""
    fd, staged = tempfile.mkstemp(prefix=f".{dst.name}.", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, staged)
        os.replace(staged, dst)
    finally:
        Path(staged).unlink(missing_ok=True)
