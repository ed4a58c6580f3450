"""The safe model file format: zip layout, sniffing, reading and writing.

This module knows bytes and members, not estimators: what a file starts with,
which members a model file holds, how ``metadata.json`` is read and checked, and
how a file is written atomically.
"""

import os
import tempfile
import zipfile
from pathlib import Path

from .. import __version__
from ..exceptions import ModelFileError, UntrustedModelError
from ._bounds import json_limit, open_zip, parse_json, read_member

#: Value of ``metadata["format"]`` in a safe model file.
MODEL_FORMAT = "sklearn-audiodigit-model"
#: Newest version of the safe format, which this library reads and writes. Version
#: 2 added SeedEnsembleClassifier (``"ensembles"`` in the metadata); version 3,
#: networks inside a fitted SpeedPerturbedClassifier (a step path starting with
#: ``"estimator_"``, as in the cnn trained with channel copies). A file is written
#: with the lowest version that describes it, so that earlier releases still read
#: what they can.
FORMAT_VERSION = 3
_FORMAT_VERSION_ENSEMBLE = 2
_FORMAT_VERSION_NO_ENSEMBLE = 1
#: Value of ``payload["format"]`` in a joblib model file (``format="joblib"``).
JOBLIB_FORMAT = "sklearn-audiodigit-joblib-1"

_METADATA = "metadata.json"
_SKLEARN = "model.skops"

# First bytes of the files joblib.dump writes: pickle protocol >= 2, and the
# zlib, gzip, bz2, xz, lzma and lz4 compressed variants.
_PICKLE_MAGIC = (
    b"\x80",
    b"\x78",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x5d\x00\x00",
    b"\x04\x22M\x18",
)


def _write_atomic(path, write):
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        umask = os.umask(0)  # mkstemp creates 0600; give the file the usual permissions
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_file(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise ModelFileError(f"{p}: no such model file")
    if p.is_dir():
        raise ModelFileError(f"{p}: is a directory, not a model file")
    if p.stat().st_size == 0:
        raise ModelFileError(f"{p}: empty file, not a model file")
    with open(p, "rb") as f:
        head = f.read(8)
    return p, head


def _kind(head):
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(_PICKLE_MAGIC):
        return "pickle"
    return "unknown"


def _refuse_pickle(p):
    raise UntrustedModelError(
        f"{p}: is a joblib/pickle file, which can execute arbitrary code when loaded; it "
        "was not opened. Load it with trust=True (audiodigit: --trust) only if you trust "
        "whoever made it, then re-save it with save_model() in the safe format"
    )


def _read_zip_metadata(p, zf, *, max_bytes):
    if _METADATA not in zf.namelist():
        raise ModelFileError(
            f"{p}: a zip file, but not a sklearn-audiodigit model (no {_METADATA} inside)"
        )
    limit = json_limit(max_bytes)
    data = read_member(p, zf, _METADATA, limit=limit)
    meta = parse_json(p, data, what=_METADATA, max_bytes=limit)
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{p}: a zip file, but not a sklearn-audiodigit model")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{p}: model format version {version!r} is newer than this sklearn-audiodigit "
            f"({__version__}) reads (up to {FORMAT_VERSION}); upgrade sklearn-audiodigit"
        )
    _check_layout(p, zf, meta)
    return meta


# Types of the fields that save_model writes (None allowed where save_model writes it).
_FIELD_TYPES = {
    "versions": (dict,),
    "feature_settings": (dict,),
    "classes": (list, type(None)),
    "training_data": (dict, type(None)),
    "nets": (list,),
    "ensembles": (list,),
    "sklearn_part": (str, type(None)),
}


def _check_layout(p, zf, meta):
    """The metadata's own fields have their types, and describe exactly the file's members.

    A member the metadata does not name (a network whose description was
    removed) would otherwise be skipped silently and leave a model without it.
    """
    for key, types in _FIELD_TYPES.items():
        if key in meta and not isinstance(meta[key], types):
            raise ModelFileError(
                f"{p}: {_METADATA}: {key!r} is a {type(meta[key]).__name__}, not a "
                f"{' or '.join(t.__name__ for t in types)}"
            )
    described = {_METADATA}
    if meta.get("sklearn_part") is not None:
        described.add(meta["sklearn_part"])
    for what in ("nets", "ensembles"):
        for i, entry in enumerate(meta.get(what) or ()):
            path = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(path, list) or not all(isinstance(s, str) for s in path):
                raise ModelFileError(
                    f"{p}: {_METADATA}: {what}[{i}] is not a description with a step path"
                )
            if what == "nets":
                if not isinstance(entry.get("weights"), str):
                    raise ModelFileError(f"{p}: {_METADATA}: nets[{i}] names no weights member")
                described.add(entry["weights"])
    members = set(zf.namelist())
    if members != described:
        extra, missing = sorted(members - described), sorted(described - members)
        raise ModelFileError(
            f"{p}: the members do not match {_METADATA}"
            + (f"; not described: {', '.join(extra)}" if extra else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )


def _open(path, *, trust, max_bytes):
    """Return ``(kind, p, zipfile or None)`` after the checks common to load and read.

    A zip's members are checked against ``max_bytes`` (see ``_bounds``) before
    anything is inflated.
    """
    p, head = _check_file(path)
    kind = _kind(head)
    if kind == "zip":
        try:
            zf = open_zip(p, p, max_bytes=max_bytes)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise ModelFileError(f"{p}: truncated or corrupted model file ({err})") from err
        return "zip", p, zf
    if kind == "pickle" or trust:
        if not trust:
            _refuse_pickle(p)
        return "pickle", p, None
    raise ModelFileError(
        f"{p}: not a sklearn-audiodigit model file (unknown format, starts with {head!r})"
    )
