"""AudioMNIST: 30,000 recordings of spoken digits by 60 speakers, with speaker metadata."""

import json
import math
import numbers
import re
import shutil
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils import Bunch

from .._docstring import fill_doc
from ..exceptions import DatasetError
from ._base import (
    AUDIOMNIST_PATTERN,
    DATA_HOME_ENV,
    _check_retries,
    _check_sr,
    _download_and_install,
    _load_descr,
    _read_clips,
    get_data_home,
)

__all__ = ["fetch_audiomnist", "AudioMNISTSplit", "clean_audiomnist_metadata"]

#: The GitHub archive of the AudioMNIST repository (about 1 GB), which holds the data.
AUDIOMNIST_URL = "https://github.com/soerenab/AudioMNIST/archive/refs/heads/master.zip"


_META_NAME = "audioMNIST_meta.txt"
# The published layout: speakers 01..60, digits 0..9, takes 0..49 (30,000 files).
_N_SPEAKERS = 60
_N_TAKES = 50
_ARCHIVE_NAME = "AudioMNIST-master.zip"
_MAX_AGE = 120  # ages above this are entry errors (the file has "1234")
_ROOM_TYPOS = {"vr-romm": "vr-room", "vrroom": "vr-room"}

#: Columns of ``frame`` when ``as_frame=True``, in order.
_FRAME_COLUMNS = (
    "filename",
    "digit",
    "speaker",
    "take",
    "gender",
    "age",
    "accent",
    "native_speaker",
    "room",
    "origin",
    "n_samples",
    "duration_s",
)


def _n_expected():
    return 10 * _N_SPEAKERS * _N_TAKES


# --------------------------------------------------------------------------- metadata
def _clean_str(value):
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _clean_age(value):
    """Age in years as a float, NaN when missing, not a number or implausible."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, numbers.Real):
        age = float(value)
    else:
        try:
            age = float(str(value).strip())
        except ValueError:
            return math.nan
    if not math.isfinite(age) or age <= 0 or age > _MAX_AGE:
        return math.nan
    return age


def _clean_bool(value):
    if isinstance(value, bool):
        return value
    text = (_clean_str(value) or "").casefold()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    return None


def _clean_room(value):
    text = (_clean_str(value) or "").casefold().replace("_", "-").replace(" ", "-")
    if not text:
        return None
    return _ROOM_TYPOS.get(text, text)


def clean_audiomnist_metadata(raw):
    """Clean the speaker metadata of AudioMNIST (``audioMNIST_meta.txt``).

    The published file is a JSON object keyed by speaker (``"01"`` ...) whose
    values are inconsistent: ages are integers or strings and one is ``"1234"``,
    room names differ by case and typos (``"VR-Room"``, ``"vr-room"``,
    ``"vr-romm"``), and accents by case (``"german"``, ``"German"``).

    Parameters
    ----------
    raw : dict
        The parsed JSON object: ``{speaker: {"accent", "age", "gender",
        "native speaker", "origin", "recordingdate", "recordingroom"}}``.

    Returns
    -------
    speakers : dict of str to dict
        Keyed by two-digit speaker, each with ``gender`` (``"female"``, ``"male"``
        or None), ``age`` (float years; NaN when missing, not a number, or above
        120), ``accent`` (lower case, or None), ``native_speaker`` (bool or None),
        ``room`` (lower case, ``-`` for spaces and underscores, known typos
        corrected: ``"vr-romm"`` becomes ``"vr-room"``; or None), ``origin`` (str or
        None) and ``recording_date`` (str or None).

    Raises
    ------
    ValueError
        If ``raw`` is not a dict of dicts keyed by numbers.

    Examples
    --------
    >>> meta = clean_audiomnist_metadata(
    ...     {"45": {"age": "1234", "gender": "Male", "recordingroom": "vr-romm",
    ...             "native speaker": "no", "accent": "German"}})
    >>> meta["45"]["age"], meta["45"]["room"], meta["45"]["native_speaker"]
    (nan, 'vr-room', False)
    >>> meta["45"]["gender"], meta["45"]["accent"]
    ('male', 'german')
    """
    if not isinstance(raw, dict):
        raise ValueError(f"AudioMNIST metadata must be a JSON object, got {type(raw).__name__}")
    speakers = {}
    for key, entry in raw.items():
        if not str(key).strip().isdigit() or not isinstance(entry, dict):
            raise ValueError(f"AudioMNIST metadata: bad entry for speaker {key!r}")
        entry = {str(k).strip().casefold(): v for k, v in entry.items()}
        gender = (_clean_str(entry.get("gender")) or "").casefold()
        accent = _clean_str(entry.get("accent"))
        speakers[f"{int(key):02d}"] = {
            "gender": gender if gender in ("female", "male") else None,
            "age": _clean_age(entry.get("age")),
            "accent": accent.casefold() if accent else None,
            "native_speaker": _clean_bool(entry.get("native speaker")),
            "room": _clean_room(entry.get("recordingroom")),
            "origin": _clean_str(entry.get("origin")),
            "recording_date": _clean_str(entry.get("recordingdate")),
        }
    return speakers


def _read_metadata(path):
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return clean_audiomnist_metadata(raw)
    except FileNotFoundError as err:
        raise DatasetError(f"{path}: the AudioMNIST speaker metadata is missing") from err
    except ValueError as err:  # JSONDecodeError is a ValueError
        raise DatasetError(f"{path}: not valid AudioMNIST metadata ({err})") from err


# --------------------------------------------------------------------------- local copy
def _scan(data_dir):
    """Recordings of ``data_dir``: ``{speaker: [(path, digit, take), ...]}`` and bad names."""
    found, bad = {}, []
    for sub in sorted(data_dir.iterdir()):
        if sub.name.startswith(".") or not sub.is_dir():
            continue
        if not re.fullmatch(r"[0-9]{2}", sub.name):
            bad.append(str(sub))
            continue
        for p in sorted(sub.iterdir()):
            if p.name.startswith("."):
                continue
            m = AUDIOMNIST_PATTERN.fullmatch(p.name)
            if m is None or m["speaker"] != sub.name or not p.is_file():
                bad.append(str(p))
                continue
            found.setdefault(sub.name, []).append((p, int(m["digit"]), int(m["take"])))
    return found, bad


def _layout_problems(found, bad, meta_ok):
    """Differences from the published layout, as a list of str (empty if none)."""
    problems = []
    if bad:
        problems.append(f"{len(bad)} unexpected name(s) ({', '.join(bad[:5])})")
    if not meta_ok:
        problems.append(f"no {_META_NAME}")
    expected = {f"{s:02d}" for s in range(1, _N_SPEAKERS + 1)}
    if set(found) != expected:
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        if missing:
            problems.append(f"speaker folder(s) missing: {', '.join(missing[:10])}")
        if extra:
            problems.append(f"unexpected speaker folder(s): {', '.join(extra[:10])}")
    grid = {(d, t) for d in range(10) for t in range(_N_TAKES)}
    for speaker, items in sorted(found.items()):
        have = {(d, t) for _, d, t in items}
        if have != grid:
            problems.append(
                f"speaker {speaker} has {len(have & grid)} of the {len(grid)} recordings "
                f"digit 0-9 x take 0-{_N_TAKES - 1}"
                + (f" and {len(have - grid)} others" if have - grid else "")
            )
    n = sum(len(v) for v in found.values())
    if n != _n_expected():
        problems.append(f"{n} recordings instead of {_n_expected()}")
    return problems


# --------------------------------------------------------------------------- download
def _extract(archive, dest):
    """Extract ``<top>/data/<NN>/<name>.wav`` and ``<top>/data/audioMNIST_meta.txt``.

    Members are written by validated names only (two-digit folder, recording
    pattern with the same speaker), so nothing can land outside ``dest``. Returns
    the names under ``data/`` that were not extracted because they do not fit.
    """
    rejected = []
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                parts = PurePosixPath(info.filename).parts
                if info.is_dir() or len(parts) < 3 or parts[1] != "data":
                    continue
                rel = "/".join(parts[2:])
                if len(parts) == 3 and parts[2] == _META_NAME:
                    target = dest / _META_NAME
                elif (
                    len(parts) == 4
                    and re.fullmatch(r"[0-9]{2}", parts[2])
                    and (m := AUDIOMNIST_PATTERN.fullmatch(parts[3])) is not None
                    and m["speaker"] == parts[2]
                ):
                    target = dest / parts[2] / parts[3]
                    target.parent.mkdir(exist_ok=True)
                else:
                    rejected.append(rel)
                    continue
                with zf.open(info) as src, open(target, "xb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile as err:
        raise DatasetError(f"{archive}: the download is not a valid zip archive ({err})") from err
    except FileExistsError as err:
        raise DatasetError(f"{archive}: the archive holds {err.filename} twice") from err
    return rejected


def _download(home, *, n_retries, delay, verbose):
    """Download, extract, verify and atomically install ``home/data``."""

    def check(staged, rejected):
        found, bad = _scan(staged)
        problems = _layout_problems(found, bad + rejected, (staged / _META_NAME).is_file())
        if problems:
            return f"does not have the published layout: {'; '.join(problems)}"
        _read_metadata(staged / _META_NAME)  # must parse
        return None

    _download_and_install(
        AUDIOMNIST_URL,
        home,
        dest="data",
        what="AudioMNIST",
        fname=_ARCHIVE_NAME,
        extract=_extract,
        check=check,
        installed=lambda data_dir: (data_dir / _META_NAME).is_file(),
        n_retries=n_retries,
        delay=delay,
        verbose=verbose,
    )


# --------------------------------------------------------------------------- loading
def _check_speakers(speakers):
    if speakers is None:
        return None
    if isinstance(speakers, (str, numbers.Integral)):
        speakers = [speakers]
    out = []
    for s in speakers:
        text = str(s).strip()
        if isinstance(s, bool) or not text.isdigit() or not 1 <= int(text) <= 99:
            raise ValueError(f"speakers must be numbers 1-60 (or '01'-'60'), got {s!r}")
        out.append(f"{int(text):02d}")
    if not out:
        raise ValueError("speakers must not be empty")
    return sorted(set(out))


@fill_doc
def fetch_audiomnist(
    *,
    data_home=None,
    download_if_missing=True,
    sr=8000,
    speakers=None,
    return_X_y=False,
    as_frame=False,
    verbose=False,
    n_retries=3,
    delay=1.0,
):
    """Load AudioMNIST (60 speakers x 10 digits x 50 takes), downloading it if needed.

    AudioMNIST (Becker et al., 2018) holds 30,000 recordings of the digits 0-9,
    50 of each digit by each of 60 speakers of many accents, recorded at 48 kHz,
    with each speaker's gender, age, accent, native language and recording room.
    The data are kept in ``<data_home>/audiomnist/data/<speaker>/<digit>_<speaker>_<take>.wav``
    with ``<data_home>/audiomnist/data/audioMNIST_meta.txt``, the published
    layout. When that folder exists it is used as it is; otherwise the GitHub
    archive of the project (about 1 GB, :data:`AUDIOMNIST_URL`) is downloaded,
    only ``data/`` is extracted, into a temporary folder, the layout is verified
    (every speaker, digit and take: 30,000 files, and the metadata), and only then
    is the folder moved into place in one step. A failed download leaves nothing
    behind. No checksum manifest is possible: the archive's bytes are not stable.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder that holds (or will hold) ``audiomnist/data``; see
        :func:`get_data_home`.
    download_if_missing : bool, default=True
        If False, raise a :class:`~sklearn_audiodigit.exceptions.DatasetError`
        when the data are not there instead of downloading them.
    %(sr_load)s
        AudioMNIST's native rate is 48,000 Hz (six times the memory of 8 kHz:
        about 1.7 GB of float32 for all clips).
    speakers : sequence of int or str, default=None
        Load only these speakers (``[1, 2]`` or ``["01", "02"]``); None loads all
        60. Reading is the slow part (about 2 ms per clip), and at 8 kHz all
        30,000 clips take about 0.6 GB.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``frame`` is a :class:`pandas.DataFrame` of per-clip metadata
        (``age`` as a nullable float, ``native_speaker`` as pandas' nullable
        ``boolean``).
    verbose : bool, default=False
        Log the download and show a progress bar (tqdm) while reading.
    n_retries : int, default=3
        Further attempts when the download fails with a network error.
    delay : float, default=1.0
        Seconds to wait between attempts.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Sorted by (speaker, digit, take), with

        data : ndarray of shape (n_clips,), dtype object
            1-D float32 waveforms at ``sr``.
        target : ndarray of shape (n_clips,), dtype int64
            The digit.
        target_names : ndarray of str
            ``"0"`` ... ``"9"``.
        speaker : ndarray of str
            Two-digit speaker ``"01"`` ... ``"60"``: the groups for
            speaker-independent evaluation.
        take : ndarray of int64
            Take (repetition) number, 0 to 49.
        gender : ndarray of str
            ``"female"``, ``"male"``, or ``""`` when unknown; a target too.
        age : ndarray of float64
            Years; NaN when unknown or invalid in the metadata.
        accent : ndarray of str
            Lower case; ``""`` when unknown.
        native_speaker : ndarray of object
            True, False or None.
        room : ndarray of str
            Recording room, normalised (``"vr-room"``, ``"kino"``, ...); ``""``
            when unknown.
        origin : ndarray of str
            Where the speaker comes from, as written in the metadata.
        filenames : ndarray of str
            Absolute path of each recording.
        sr : int
            Sampling rate of ``data``, in Hz.
        speakers : dict
            The cleaned metadata of every speaker
            (:func:`clean_audiomnist_metadata`).
        frame : pandas.DataFrame or None
            Per-clip metadata when ``as_frame=True``.
        DESCR : str
            Description of the dataset.

    (data, target) : tuple if ``return_X_y`` is True
        The waveforms and the digits, as ``data.data`` and ``data.target``.

    Raises
    ------
    DatasetError
        (an :class:`OSError`) if the data are missing and
        ``download_if_missing=False``, the download fails after ``n_retries``
        retries, the archive or local folder does not have the published layout,
        the metadata cannot be read, or a requested speaker has no recordings.
    ValueError
        If ``sr``, ``speakers``, ``n_retries`` or ``delay`` is invalid.

    Warns
    -----
    UserWarning
        If a speaker has no entry in the metadata (its columns are then unknown).

    See Also
    --------
    AudioMNISTSplit : The speaker-disjoint splits of the AudioMNIST paper.
    load_audio_folder : Any folder of recordings (``pattern="audiomnist"``).

    References
    ----------
    .. [1] S. Becker, M. Ackermann, S. Lapuschkin, K.-R. Müller, W. Samek,
       "Interpreting and Explaining Deep Neural Networks for Classification of
       Audio Signals", arXiv:1807.03418, 2018. https://github.com/soerenab/AudioMNIST

    Examples
    --------
    >>> from sklearn.model_selection import GroupKFold, cross_val_score
    >>> from sklearn_audiodigit import make_svc_pipeline
    >>> from sklearn_audiodigit.datasets import fetch_audiomnist
    >>> amn = fetch_audiomnist(speakers=range(1, 13))  # doctest: +SKIP
    >>> cross_val_score(make_svc_pipeline(), amn.data, amn.target,
    ...                 groups=amn.speaker, cv=GroupKFold(4))  # doctest: +SKIP
    >>> is_female = amn.gender == "female"  # doctest: +SKIP
    """
    sr = _check_sr(sr)
    wanted = _check_speakers(speakers)
    _check_retries(n_retries, delay)
    home = get_data_home(data_home) / "audiomnist"
    data_dir = home / "data"
    if not (data_dir.is_dir() and any(data_dir.iterdir())):
        if not download_if_missing:
            raise DatasetError(
                f"AudioMNIST not found: no recordings in {data_dir}. Call "
                "fetch_audiomnist(download_if_missing=True) to download it (about 1 GB), "
                f"or unpack the 'data' folder of {AUDIOMNIST_URL} there, or set "
                f"{DATA_HOME_ENV} (or data_home) to a folder holding audiomnist/data"
            )
        _download(home, n_retries=n_retries, delay=delay, verbose=verbose)

    found, bad = _scan(data_dir)
    if bad:
        raise DatasetError(
            f"{data_dir} does not have the AudioMNIST layout "
            f"<speaker>/<digit>_<speaker>_<take>.wav: {len(bad)} unexpected name(s) "
            f"({', '.join(bad[:5])})"
        )
    meta = _read_metadata(data_dir / _META_NAME)
    if wanted is not None:
        missing = [s for s in wanted if s not in found]
        if missing:
            raise DatasetError(f"{data_dir}: no recordings of speaker(s) {', '.join(missing)}")
        found = {s: found[s] for s in wanted}
    elif len(found) < _N_SPEAKERS:
        warnings.warn(
            f"{data_dir} holds {len(found)} of the {_N_SPEAKERS} AudioMNIST speakers; using "
            "them as they are",
            UserWarning,
            stacklevel=2,
        )
    unknown = sorted(s for s in found if s not in meta)
    if unknown:
        warnings.warn(
            f"{data_dir / _META_NAME} has no entry for speaker(s) {', '.join(unknown)}; "
            "their gender, age, accent and room are unknown",
            UserWarning,
            stacklevel=2,
        )
    records = sorted(
        ((s, d, t, p) for s, items in found.items() for p, d, t in items),
        key=lambda r: r[:3],
    )
    return _make_bunch(
        records, meta, sr=sr, return_X_y=return_X_y, as_frame=as_frame, verbose=verbose
    )


def _make_bunch(records, meta, *, sr, return_X_y, as_frame, verbose):
    n = len(records)
    if n == 0:
        raise DatasetError("no AudioMNIST recording to load")
    data, out_sr, _ = _read_clips(
        [r[3] for r in records], sr=sr, desc="Reading AudioMNIST", verbose=verbose
    )
    empty = {
        "gender": None,
        "age": math.nan,
        "accent": None,
        "native_speaker": None,
        "room": None,
        "origin": None,
    }
    info = [meta.get(s, empty) for s, *_ in records]
    columns = {
        "filename": np.array([str(r[3]) for r in records], dtype=str),
        "digit": np.array([r[1] for r in records], dtype=np.int64),
        "speaker": np.array([r[0] for r in records], dtype=str),
        "take": np.array([r[2] for r in records], dtype=np.int64),
        "age": np.array([m["age"] for m in info], dtype=np.float64),
    }
    for key in ("gender", "accent", "room", "origin"):
        columns[key] = np.array([m[key] or "" for m in info], dtype=str)
    native = np.empty(n, dtype=object)
    native[:] = [m["native_speaker"] for m in info]
    columns["native_speaker"] = native

    frame = None
    if as_frame:
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError(
                "as_frame=True requires pandas, which is not installed; install it with "
                "'pip install pandas'"
            ) from err
        n_samples = np.array([len(y) for y in data], dtype=np.int64)
        frame = pd.DataFrame(
            {
                **{k: columns[k] for k in _FRAME_COLUMNS if k in columns},
                "n_samples": n_samples,
                "duration_s": n_samples / out_sr,
            }
        )[list(_FRAME_COLUMNS)]
        frame["native_speaker"] = frame["native_speaker"].astype("boolean")
        for key in ("gender", "accent", "room"):
            frame[key] = frame[key].replace("", None).astype("category")
        frame["age"] = frame["age"].astype("Float64")

    target = columns["digit"]
    if return_X_y:
        return data, target
    speakers_meta = {s: meta.get(s, empty) for s in sorted({r[0] for r in records})}
    return Bunch(
        data=data,
        target=target,
        target_names=np.array([str(d) for d in range(10)]),
        speaker=columns["speaker"],
        take=columns["take"],
        gender=columns["gender"],
        age=columns["age"],
        accent=columns["accent"],
        native_speaker=columns["native_speaker"],
        room=columns["room"],
        origin=columns["origin"],
        filenames=columns["filename"],
        sr=out_sr,
        speakers=speakers_meta,
        frame=frame,
        DESCR=_load_descr("audiomnist.rst"),
    )


# --------------------------------------------------------------------------- splits
# The speaker-disjoint splits of the AudioMNIST paper, as published in the file
# audiomnist/train/splits.py of https://github.com/soerenab/AudioMNIST (commit
# 6a49d8b77c88430445b018a0936fb0d55903e246). Digit task: five blocks of 12
# speakers; split i trains on blocks i, i+1, i+2, validates on block i+3 and
# tests on block i+4 (indices mod 5). Gender task: four blocks of 6 speakers (3
# female, 3 male; 24 of the 60 speakers); split i trains on blocks i, i+1,
# validates on i+2 and tests on i+3 (mod 4).
_DIGIT_BLOCKS = (
    (28, 56, 7, 19, 35, 1, 6, 16, 23, 34, 46, 53),
    (36, 57, 9, 24, 37, 2, 8, 17, 29, 39, 48, 54),
    (43, 58, 14, 25, 38, 3, 10, 20, 30, 40, 49, 55),
    (12, 47, 59, 15, 27, 41, 4, 11, 21, 31, 44, 50),
    (26, 52, 60, 18, 32, 42, 5, 13, 22, 33, 45, 51),
)
_GENDER_BLOCKS = (
    (36, 47, 56, 2, 44, 50),
    (26, 12, 57, 25, 37, 45),
    (43, 28, 52, 48, 53, 41),
    (58, 59, 60, 7, 23, 38),
)


def _paper_splits(task):
    """``[(train, validate, test), ...]`` speaker sets of the paper for ``task``."""
    blocks = _DIGIT_BLOCKS if task == "digit" else _GENDER_BLOCKS
    k = len(blocks)
    n_train = k - 2
    splits = []
    for i in range(k):
        train = {s for j in range(n_train) for s in blocks[(i + j) % k]}
        splits.append((train, set(blocks[(i + n_train) % k]), set(blocks[(i + n_train + 1) % k])))
    return splits


class AudioMNISTSplit(GroupsConsumerMixin, BaseCrossValidator):
    """The speaker-disjoint splits of the AudioMNIST paper, as a CV splitter.

    Becker et al. (2018) evaluate digit classification on five splits of the 60
    speakers (36 train, 12 validation, 12 test; every speaker is tested once) and
    gender classification on four splits of 24 speakers (12 female and 12 male; 12
    train, 6 validation, 6 test). The speaker lists are those published with the
    paper's code (``audiomnist/train/splits.py`` of
    https://github.com/soerenab/AudioMNIST).

    Use it as ``cv`` with the speakers as ``groups``::

        cross_val_score(model, X, y, groups=bunch.speaker, cv=AudioMNISTSplit())

    Parameters
    ----------
    task : {"digit", "gender"}, default="digit"
        Which of the paper's split sets.
    validation : {"train", "exclude"}, default="train"
        What to do with each split's validation speakers in :meth:`split`:
        ``"train"`` adds them to the training set (the usual choice when the model
        tunes nothing on them), ``"exclude"`` leaves them out, as the paper's
        training set did. :meth:`split_with_validation` returns them separately.

    Notes
    -----
    Clips of speakers outside a task's lists (36 of the 60 for ``"gender"``) are
    in no training or test set. If fewer speakers are loaded than the paper used
    (``fetch_audiomnist(speakers=...)``), a split whose training or test set would
    be empty raises a ``ValueError``; use
    ``sklearn.model_selection.GroupKFold(n_splits=k)`` with ``groups=speaker``
    for a speaker-disjoint alternative on any subset.

    Examples
    --------
    >>> import numpy as np
    >>> speaker = np.repeat([f"{s:02d}" for s in range(1, 61)], 2)
    >>> cv = AudioMNISTSplit()
    >>> cv.get_n_splits()
    5
    >>> train, test = next(cv.split(speaker, groups=speaker))
    >>> len(train) // 2, len(test) // 2, np.unique(speaker[test])[:3].tolist()
    (48, 12, ['05', '13', '18'])
    """

    def __init__(self, task="digit", *, validation="train"):
        self.task = task
        self.validation = validation

    def _check(self):
        if self.task not in ("digit", "gender"):
            raise ValueError(f"task must be 'digit' or 'gender', got {self.task!r}")
        if self.validation not in ("train", "exclude"):
            raise ValueError(f"validation must be 'train' or 'exclude', got {self.validation!r}")

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of splits: 5 for ``"digit"``, 4 for ``"gender"``.

        Parameters
        ----------
        X, y, groups : object, default=None
            Ignored; present for the scikit-learn splitter API.

        Returns
        -------
        n_splits : int
            The number of splits of the paper for ``task``.
        """
        self._check()
        return len(_paper_splits(self.task))

    @staticmethod
    def _speakers(groups, n):
        if groups is None:
            raise ValueError(
                "AudioMNISTSplit needs groups: the speaker of each clip ('01'-'60' or 1-60)"
            )
        groups = np.asarray(groups)
        if groups.shape != (n,) and n is not None:
            raise ValueError(f"groups must have shape ({n},), got {groups.shape}")
        try:
            return np.array([int(g) for g in groups], dtype=np.int64)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"groups must be AudioMNIST speakers ('01'-'60' or 1-60) ({err})"
            ) from err

    def split_with_validation(self, X, y=None, groups=None):
        """Yield ``(train, validation, test)`` indices of each split of the paper.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            Only its length is used.
        y : object, default=None
            Ignored; present for the scikit-learn splitter API.
        groups : array-like of shape (n_clips,)
            Speaker of each clip.

        Yields
        ------
        train, validation, test : ndarray of int
        """
        self._check()
        speakers = self._speakers(groups, len(X))
        for i, (tr, va, te) in enumerate(_paper_splits(self.task)):
            idx = [np.flatnonzero(np.isin(speakers, list(s))) for s in (tr, va, te)]
            if len(idx[0]) == 0 or len(idx[2]) == 0:
                raise ValueError(
                    f"split {i} of the AudioMNIST {self.task} task has no "
                    f"{'training' if len(idx[0]) == 0 else 'test'} clip among the speakers "
                    "given; load those speakers, or use GroupKFold with groups=speaker"
                )
            yield idx[0], idx[1], idx[2]

    def split(self, X, y=None, groups=None):
        """Yield ``(train, test)`` indices of each split of the paper.

        Parameters
        ----------
        X : array-like of shape (n_clips, ...)
            Only its length is used.
        y : object, default=None
            Ignored; present for the scikit-learn splitter API.
        groups : array-like of shape (n_clips,)
            Speaker of each clip.

        Yields
        ------
        train, test : ndarray of int
            With ``validation="train"`` the training indices include the split's
            validation speakers.
        """
        for train, valid, test in self.split_with_validation(X, y, groups):
            if self.validation == "train":
                train = np.sort(np.concatenate([train, valid]))
            yield train, test
