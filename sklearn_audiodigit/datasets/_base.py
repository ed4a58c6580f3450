"""Shared dataset utilities: the data home, FSDD file names, and Bunch assembly."""

import csv
import logging
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..exceptions import AudioLoadError, DatasetError
from ..io import read_audio
from ..utils._validation import check_sr

__all__ = ["get_data_home", "parse_fsdd_filename", "FSDD_PATTERN"]

#: Environment variable naming the folder where datasets are stored.
DATA_HOME_ENV = "AUDIODIGIT_DATA"

#: The FSDD file name ``{digit}_{speaker}_{take}.wav``, matched against the *whole*
#: name with :meth:`re.Pattern.fullmatch` (``"7_jackson_32.wav"``).
FSDD_PATTERN = re.compile(r"(?P<digit>[0-9])_(?P<speaker>[a-z]+)_(?P<take>[0-9]+)\.wav")

#: An AudioMNIST recording's name: the same with a two-digit speaker (``"7_03_12.wav"``).
AUDIOMNIST_PATTERN = re.compile(r"(?P<digit>[0-9])_(?P<speaker>[0-9]{2})_(?P<take>[0-9]+)\.wav")

_DATA_DIR = Path(__file__).resolve().parent / "data"
_DESCR_DIR = Path(__file__).resolve().parent / "descr"

#: Columns of ``frame`` when ``as_frame=True``, in order.
_FRAME_COLUMNS = (
    "filename",
    "digit",
    "speaker",
    "take",
    "gender",
    "accent",
    "n_samples",
    "duration_s",
)


def get_data_home(data_home=None):
    """Return the folder where downloaded datasets are stored, creating it if needed.

    The folder is, in order of precedence, ``data_home`` when given, else the
    value of the ``AUDIODIGIT_DATA`` environment variable when set and not empty,
    else ``~/audiodigit_data``. A leading ``~`` is expanded in all three.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder to use. ``None`` falls back to ``AUDIODIGIT_DATA``, then to
        ``~/audiodigit_data``.

    Returns
    -------
    data_home : pathlib.Path
        The folder, as an absolute path. It exists when this function returns.

    Raises
    ------
    TypeError
        If ``data_home`` is not ``None``, a str or an :class:`os.PathLike`.
    OSError
        If the folder cannot be created (for example a file of that name exists,
        or permission is denied).

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_audiodigit.datasets import get_data_home
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     home = get_data_home(tmp)
    ...     home.is_dir()
    True
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or Path("~") / "audiodigit_data"
    elif not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(
            f"data_home must be None, a str or an os.PathLike, got "
            f"{type(data_home).__name__}: {data_home!r}"
        )
    path = Path(data_home).expanduser().absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def parse_fsdd_filename(name):
    """Parse an FSDD file name ``{digit}_{speaker}_{take}.wav``.

    The whole name must match :data:`FSDD_PATTERN`: one digit ``0``-``9``, a
    lower-case speaker name, a take number and the ``.wav`` extension, separated
    by underscores. Nothing is inferred from a part of a name that does not match.

    Parameters
    ----------
    name : str or os.PathLike
        A file name such as ``"7_jackson_32.wav"``. A path is accepted; only its
        last component is parsed.

    Returns
    -------
    fields : dict
        ``{"digit": int, "speaker": str, "take": int}``.

    Raises
    ------
    TypeError
        If ``name`` is not a str or an :class:`os.PathLike`.
    ValueError
        If the name does not match the pattern. The message names the file.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import parse_fsdd_filename
    >>> parse_fsdd_filename("7_jackson_32.wav")
    {'digit': 7, 'speaker': 'jackson', 'take': 32}
    >>> parse_fsdd_filename("7_jackson_32.wav.bak")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: '7_jackson_32.wav.bak' is not an FSDD file name: ...
    """
    if not isinstance(name, (str, os.PathLike)):
        raise TypeError(
            f"name must be a str or an os.PathLike, got {type(name).__name__}: {name!r}"
        )
    base = Path(name).name
    match = FSDD_PATTERN.fullmatch(base)
    if match is None:
        raise ValueError(
            f"{base!r} is not an FSDD file name: expected '{{digit}}_{{speaker}}_{{take}}.wav' "
            f"with one digit 0-9, a lower-case speaker name and a take number, "
            f"for example '7_jackson_32.wav'"
        )
    return {
        "digit": int(match["digit"]),
        "speaker": match["speaker"],
        "take": int(match["take"]),
    }


def _check_sr(sr):
    """The loaders' rate check: a whole number of Hz or ``None`` (native)."""
    return check_sr(sr, integer=True, allow_none=True)


def _check_retries(n_retries, delay):
    """The ``fetch_*`` download arguments: ``ValueError`` naming the one that is negative."""
    if n_retries < 0:
        raise ValueError(f"n_retries must be >= 0, got {n_retries!r}")
    if delay < 0:
        raise ValueError(f"delay must be >= 0 seconds, got {delay!r}")


def _read_clips(paths, *, sr, desc, verbose, skipped=None, where=None):
    """Read every file at one rate: the loop every loader shares.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        The files, in the order wanted.
    sr : int or None
        Rate to resample to; ``None`` keeps the native rate, which must then be
        the same for every file.
    desc : str
        Label of the progress bar (shown when ``verbose``).
    verbose : bool
        Show a tqdm progress bar.
    skipped : list or None, default=None
        ``None``: a file that cannot be read raises. A list: the file's
        ``(path, reason)`` is appended to it and the file is left out.
    where : str or None, default=None
        Prefix of the different-rates message (the folder read).

    Returns
    -------
    data : ndarray of shape (n_read,), dtype object
        One float32 1-D array per file read.
    sr : int or None
        The rate of every clip; None when no file was read.
    kept : list of int
        Index in ``paths`` of each clip of ``data``.

    Raises
    ------
    AudioLoadError
        If a file cannot be read and ``skipped`` is None.
    DatasetError
        If the clips have different rates (``sr=None``).
    """
    clips, kept, rates = [], [], set()
    items = _progress(paths, total=len(paths), desc=desc, verbose=verbose)
    for i, p in enumerate(items):
        try:
            y, rate = read_audio(p, sr=sr)
        except AudioLoadError as err:
            if skipped is None:
                raise
            # the error already starts with the file's name: keep only the reason
            skipped.append((str(p), str(err).removeprefix(f"{p}: ")))
            continue
        clips.append(y)
        rates.add(rate)
        kept.append(i)
    if len(rates) > 1:
        raise DatasetError(
            f"{f'{where}: ' if where else ''}the recordings have different sampling rates "
            f"{sorted(rates)} Hz (their native rates); pass sr=<rate> to resample them to "
            "one rate"
        )
    data = np.empty(len(clips), dtype=object)
    data[:] = clips
    return data, (int(rates.pop()) if rates else None), kept


def _load_descr(name):
    """Return the text of ``descr/<name>``."""
    return (_DESCR_DIR / name).read_text(encoding="utf-8")


def _read_speakers(path):
    """Read a ``speakers.csv`` (speaker, gender, accent, language) into a dict.

    Returns
    -------
    speakers : dict of str to dict
        ``{speaker: {"gender": str, "accent": str, "language": str}}``.

    Raises
    ------
    DatasetError
        If the file is missing or lacks a required column.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = {"speaker", "gender", "accent"} - set(reader.fieldnames or ())
            if missing:
                raise DatasetError(f"{path}: missing column(s) {sorted(missing)}")
            return {
                row["speaker"]: {k: v for k, v in row.items() if k != "speaker"} for row in reader
            }
    except FileNotFoundError as err:
        raise DatasetError(f"{path}: speaker metadata not found") from err


def _progress(iterable, *, total, desc, verbose):
    """Wrap ``iterable`` in a tqdm progress bar (tqdm is a dependency) when ``verbose``."""
    if not verbose:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="file")


def _make_frame(columns):
    """Build the ``frame`` DataFrame, importing pandas lazily."""
    try:
        import pandas as pd
    except ImportError as err:
        raise ImportError(
            "as_frame=True requires pandas, which is not installed; install it with "
            "'pip install pandas' (or the 'dev' extra of sklearn-audiodigit)"
        ) from err
    return pd.DataFrame({name: columns[name] for name in _FRAME_COLUMNS})


def _load_fsdd_bunch(
    paths,
    *,
    sr,
    speakers_csv,
    descr,
    return_X_y=False,
    as_frame=False,
    verbose=False,
):
    """Read FSDD recordings into a :class:`~sklearn.utils.Bunch`.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        Recordings named ``{digit}_{speaker}_{take}.wav``, in any order. They are
        sorted by (speaker, digit, take).
    sr : int or None
        Sampling rate of the returned waveforms, in Hz; ``None`` keeps the native
        rate, which must then be the same for every file.
    speakers_csv : str or os.PathLike
        Speaker metadata with columns ``speaker``, ``gender`` and ``accent``.
    descr : str
        The ``DESCR`` text.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of the Bunch.
    as_frame : bool, default=False
        Add a pandas DataFrame of per-clip metadata as ``frame``.
    verbose : bool, default=False
        Show a progress bar (tqdm) while reading.

    Returns
    -------
    bunch : Bunch or tuple of (ndarray, ndarray)
        See :func:`~sklearn_audiodigit.datasets.load_fsdd_sample`.

    Raises
    ------
    ValueError
        If a file name is not an FSDD name, or ``sr`` is not a positive integer.
    DatasetError
        If a speaker is missing from ``speakers_csv``, no path is given, or
        ``sr=None`` and the native rates differ.
    AudioLoadError
        If a file cannot be read as audio.
    """
    sr = _check_sr(sr)
    records = []
    for p in paths:
        p = Path(p).absolute()
        records.append((parse_fsdd_filename(p.name), p))
    if not records:
        raise DatasetError("no FSDD recording to load")
    records.sort(key=lambda r: (r[0]["speaker"], r[0]["digit"], r[0]["take"]))

    speakers = _read_speakers(speakers_csv)
    unknown = sorted({f["speaker"] for f, _ in records} - set(speakers))
    if unknown:
        raise DatasetError(f"{speakers_csv}: no metadata for speaker(s) {unknown}")

    data, out_sr, _ = _read_clips(
        [p for _, p in records], sr=sr, desc="Reading FSDD", verbose=verbose
    )

    fields = [f for f, _ in records]
    target = np.array([f["digit"] for f in fields], dtype=np.int64)
    speaker = np.array([f["speaker"] for f in fields], dtype=str)
    take = np.array([f["take"] for f in fields], dtype=np.int64)
    gender = np.array([speakers[s]["gender"] for s in speaker], dtype=str)
    accent = np.array([speakers[s]["accent"] for s in speaker], dtype=str)
    filenames = np.array([str(p) for _, p in records], dtype=str)

    frame = None
    if as_frame:
        n_samples = np.array([len(y) for y in data], dtype=np.int64)
        frame = _make_frame(
            {
                "filename": filenames,
                "digit": target,
                "speaker": speaker,
                "take": take,
                "gender": gender,
                "accent": accent,
                "n_samples": n_samples,
                "duration_s": n_samples / out_sr,
            }
        )

    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.array([str(d) for d in range(10)]),
        speaker=speaker,
        take=take,
        gender=gender,
        accent=accent,
        filenames=filenames,
        sr=out_sr,
        frame=frame,
        DESCR=descr,
    )


@contextmanager
def _pooch_log_level(verbose):
    """Silence pooch's INFO messages unless ``verbose``."""
    import pooch

    logger = pooch.get_logger()
    previous = logger.level
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _progressbar_available():
    """Whether pooch can show a progress bar: stderr is a terminal (tqdm is a dependency)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _fetch_archive(url, folder, *, fname, what, n_retries, delay, verbose):
    """Download ``url`` to ``folder/fname`` with pooch, retrying on network errors.

    GitHub archives are not byte-stable, so no hash is checked here: the callers
    verify what they extract (FSDD against its SHA-256 manifest, AudioMNIST by
    layout and count).

    Raises
    ------
    DatasetError
        Naming ``what`` and ``url`` when every attempt failed.
    """
    import pooch

    progressbar = _progressbar_available()
    for attempt in range(n_retries + 1):
        try:
            with _pooch_log_level(verbose):
                path = pooch.retrieve(
                    url=url, known_hash=None, fname=fname, path=folder, progressbar=progressbar
                )
            return Path(path)
        except OSError as err:  # requests' exceptions derive from OSError
            if attempt == n_retries:
                raise DatasetError(
                    f"could not download {what} from {url} ({n_retries + 1} attempt(s)): {err}"
                ) from err
            warnings.warn(
                f"downloading {url} failed ({err}); retrying in {delay} s",
                UserWarning,
                stacklevel=4,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _download_and_install(
    url, home, *, dest, what, fname, extract, check, installed, n_retries, delay, verbose
):
    """Download an archive, extract it, check it, and move it to ``home/dest`` in one step.

    The routine every ``fetch_*`` shares: everything happens in a temporary folder
    under ``home`` (removed at the end, whatever happens), and only a checked
    folder is moved into place, with :func:`os.replace`.

    Parameters
    ----------
    url : str
        The archive's address.
    home : pathlib.Path
        The dataset's folder; created if needed.
    dest : str
        Name of the installed folder under ``home``.
    what : str
        The dataset's name, for messages.
    fname : str
        File name of the downloaded archive.
    extract : callable
        ``extract(archive, staged) -> rejected``: fills the folder ``staged`` and
        returns the names it refused.
    check : callable
        ``check(staged, rejected) -> str or None``: what is wrong with the
        extracted folder (completing "the <what> archive downloaded from <url> "),
        or None.
    installed : callable
        ``installed(path) -> bool``: whether ``path`` holds an installed copy
        (when the move fails because another process installed one meanwhile).
    n_retries, delay, verbose
        As for :func:`_fetch_archive`.

    Raises
    ------
    DatasetError
        If the download fails, the archive is not what it should be (nothing is
        installed then), or the checked folder cannot be moved into place.
    """
    home.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{what.lower()}-download-", dir=home))
    target = home / dest
    try:
        archive = _fetch_archive(
            url, tmp, fname=fname, what=what, n_retries=n_retries, delay=delay, verbose=verbose
        )
        staged = tmp / dest
        staged.mkdir()
        rejected = extract(archive, staged)
        archive.unlink()
        problem = check(staged, rejected)
        if problem:
            raise DatasetError(
                f"the {what} archive downloaded from {url} {problem}. Nothing was installed "
                f"in {home}"
            )
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()  # an empty leftover; os.replace cannot overwrite it everywhere
        try:
            os.replace(staged, target)
        except OSError as err:
            if not installed(target):  # else another process installed it meanwhile
                raise DatasetError(
                    f"could not move the verified recordings to {target} ({err}); "
                    "remove whatever is at that path and try again"
                ) from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
