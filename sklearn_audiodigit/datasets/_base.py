"""Shared dataset utilities: the data home, FSDD file names, and Bunch assembly."""

import csv
import logging
import numbers
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..exceptions import DatasetError
from ..io import read_audio

__all__ = ["get_data_home", "parse_fsdd_filename", "FSDD_PATTERN"]

#: Environment variable naming the folder where datasets are stored.
DATA_HOME_ENV = "AUDIODIGIT_DATA"

#: The FSDD file name ``{digit}_{speaker}_{take}.wav``, matched against the *whole*
#: name with :meth:`re.Pattern.fullmatch` (``"7_jackson_32.wav"``).
FSDD_PATTERN = re.compile(r"(?P<digit>[0-9])_(?P<speaker>[a-z]+)_(?P<take>[0-9]+)\.wav")

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
    """Raise ``ValueError`` unless ``sr`` is ``None`` or a positive integer (Hz)."""
    if sr is None:
        return None
    if isinstance(sr, bool) or not isinstance(sr, numbers.Integral) or sr <= 0:
        raise ValueError(f"sr must be a positive integer number of Hz or None, got {sr!r}")
    return int(sr)


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
    """Wrap ``iterable`` in a tqdm progress bar when ``verbose`` and tqdm is installed."""
    if not verbose:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
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

    n = len(records)
    data = np.empty(n, dtype=object)
    rates = set()
    for i, (_, p) in enumerate(_progress(records, total=n, desc="Reading FSDD", verbose=verbose)):
        data[i], rate = read_audio(p, sr=sr)
        rates.add(rate)
    if len(rates) > 1:
        raise DatasetError(
            f"the recordings have different native sampling rates {sorted(rates)} Hz; "
            f"pass sr=<rate> to resample them to one rate"
        )
    out_sr = rates.pop()

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
    """Whether pooch can show a progress bar: tqdm installed and stderr a terminal."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
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
