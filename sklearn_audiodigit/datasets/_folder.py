"""Load any folder of recordings, with labels and groups parsed from file names."""

import re
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._config import DEFAULT_SR
from .._docstring import fill_doc
from ..exceptions import AudioLoadError, DatasetError
from ..io import AUDIO_SUFFIXES
from ._base import AUDIOMNIST_PATTERN, FSDD_PATTERN, _read_clips

__all__ = ["load_audio_folder", "FILENAME_PATTERNS"]

#: Built-in file-name patterns (strict, matched against the whole name).
FILENAME_PATTERNS = {
    "fsdd": FSDD_PATTERN,
    "audiomnist": AUDIOMNIST_PATTERN,
}


def _compile(pattern):
    if isinstance(pattern, re.Pattern):
        regex = pattern
    elif pattern in FILENAME_PATTERNS:
        regex = FILENAME_PATTERNS[pattern]
    elif isinstance(pattern, str):
        try:
            regex = re.compile(pattern)
        except re.error as err:
            raise ValueError(
                f"pattern {pattern!r} is not a valid regular expression: {err}"
            ) from err
    else:
        raise TypeError(f"pattern must be a str or compiled regex, got {type(pattern).__name__}")
    if "digit" not in regex.groupindex and "label" not in regex.groupindex:
        raise ValueError(
            f"pattern {regex.pattern!r} needs a named group 'digit' or 'label' for the target"
        )
    return regex


@fill_doc
def load_audio_folder(
    path, *, pattern="fsdd", sr=DEFAULT_SR, on_error="raise", recursive=None, verbose=False
):
    """Load a folder of recordings as a :class:`~sklearn.utils.Bunch`.

    Labels and groups come from each file name, matched in full against
    ``pattern``, or from sub-folder names with ``pattern="folders"``.

    Parameters
    ----------
    path : str or os.PathLike
        The folder.
    pattern : {"fsdd", "audiomnist", "folders"}, str or re.Pattern, default="fsdd"
        ``"fsdd"``: ``{digit}_{speaker}_{take}.wav``; ``"audiomnist"``: the same
        with two-digit speakers; ``"folders"``: one sub-folder per class (any audio
        file inside; no speaker). A regular expression must have a named group
        ``digit`` or ``label`` (the target) and may have ``speaker`` and ``take``.
    %(sr_load)s
        With ``None`` the native rate must be the same for every file.
    on_error : {"raise", "warn", "skip"}, default="raise"
        What to do with a file that is hidden (``.*``, e.g. macOS ``._x.wav``),
        not audio by its extension (case-insensitive: ``.WAV`` is audio), not
        matching ``pattern`` (the extension matched in lower case) or unreadable:
        raise, warn once listing every such file, or skip silently. Skipped files
        are always listed in the result's ``skipped``.
    recursive : bool or None, default=None
        Also look in sub-folders. ``None`` means True for ``pattern="folders"``
        and ``"audiomnist"`` (whose layout is ``<speaker>/<digit>_<speaker>_<take>.wav``,
        e.g. the ``data`` folder of AudioMNIST), False otherwise. Files inside
        hidden sub-folders (``.git``, ...) count as hidden files.
    verbose : bool, default=False
        Show a progress bar while reading.

    Returns
    -------
    bunch : Bunch
        ``data`` (object array of float32 1-D waveforms), ``target`` (int64 digits
        when the pattern has ``digit``, else str labels), ``target_names``,
        ``speaker`` (str, ``""`` when unknown), ``take`` (int64, -1 when unknown),
        ``filenames`` (str), ``sr`` (int, Hz) and ``skipped`` (list of
        ``(filename, reason)``).

    Raises
    ------
    DatasetError
        (an :class:`OSError`) if ``path`` is not a folder, it holds no usable
        recording, or, with ``on_error="raise"``, a file is bad (naming it).
    ValueError
        If ``pattern`` or ``on_error`` is invalid.

    Examples
    --------
    >>> from pathlib import Path
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> folder = Path(load_fsdd_sample().filenames[0]).parent
    >>> bunch = load_audio_folder(folder, on_error="skip")  # skips LICENSE, README.md, ...
    >>> len(bunch.data), bunch.sr
    (300, 8000)
    """
    if on_error not in ("raise", "warn", "skip"):
        raise ValueError(f"on_error must be 'raise', 'warn' or 'skip', got {on_error!r}")
    root = Path(path)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder")
    by_folder = pattern == "folders"
    regex = None if by_folder else _compile(pattern)
    if recursive is None:
        recursive = pattern in ("folders", "audiomnist")
    files = sorted(
        p for p in (root.rglob("*") if (recursive or by_folder) else root.iterdir()) if p.is_file()
    )
    if any(p.is_symlink() and not p.exists() for p in root.iterdir()):
        files += sorted(p for p in root.iterdir() if p.is_symlink() and not p.exists())

    skipped = []
    records = []
    for p in files:
        if any(part.startswith(".") for part in p.relative_to(root).parts):
            skipped.append((str(p), "hidden file"))
            continue
        if p.suffix.lower() not in AUDIO_SUFFIXES:
            skipped.append((str(p), "not an audio file extension"))
            continue
        if by_folder:
            if p.parent == root:
                skipped.append((str(p), "not inside a class sub-folder"))
                continue
            fields = {"label": p.relative_to(root).parts[0]}
        else:
            # the extension's case does not matter: 0_george_0.WAV is 0_george_0.wav
            m = regex.fullmatch(p.name) or regex.fullmatch(p.stem + p.suffix.lower())
            if m is None:
                skipped.append((str(p), f"name does not match {regex.pattern!r}"))
                continue
            fields = m.groupdict()
        records.append((p, fields))

    if skipped and on_error == "raise":
        name, reason = skipped[0]
        raise DatasetError(
            f"{name}: {reason} ({len(skipped)} bad file(s) in {root}; "
            "pass on_error='warn' or 'skip' to load the others)"
        )
    try:
        out, out_sr, kept_index = _read_clips(
            [p for p, _ in records],
            sr=sr,
            desc="Reading",
            verbose=verbose,
            skipped=None if on_error == "raise" else skipped,
            where=str(root),
        )
    except AudioLoadError as err:  # on_error="raise"; the message names the file
        raise DatasetError(str(err)) from err
    kept = [records[i] for i in kept_index]

    if skipped and on_error == "warn":
        listing = "\n".join(f"  {n}: {r}" for n, r in skipped)
        warnings.warn(f"skipped {len(skipped)} file(s) in {root}:\n{listing}", stacklevel=2)
    if not kept:
        raise DatasetError(f"{root}: no recording matching the pattern was loaded")
    if by_folder or "digit" not in kept[0][1]:
        target = np.array([f.get("label") for _, f in kept], dtype=str)
    else:
        target = np.array([int(f["digit"]) for _, f in kept], dtype=np.int64)
    speaker = np.array([f.get("speaker") or "" for _, f in kept], dtype=str)
    take = np.array([int(f["take"]) if f.get("take") else -1 for _, f in kept], dtype=np.int64)
    return Bunch(
        data=out,
        target=target,
        target_names=np.array([str(v) for v in np.unique(target)]),
        speaker=speaker,
        take=take,
        filenames=np.array([str(p) for p, _ in kept], dtype=str),
        sr=out_sr,
        skipped=skipped,
        DESCR=f"Recordings loaded from {root} with pattern {pattern!r}.",
    )
