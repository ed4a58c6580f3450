"""Bounds on what a model file may cost to open: sizes, ratios, counts and depths.

A zip file says how large each member is once inflated, and a hostile file says
whatever it likes: 3 GB of zeros deflate to 3 MB. Every check here runs on what
the file *declares* (the central directory, a safetensors header, an ``.npy``
header) before anything is inflated, and members are then read in chunks that
stop at the declared size and at the limit, so a file that lies about its sizes
costs no more than one that tells the truth.

The limits follow from what a model of this library holds (measured on the
models ``audiodigit train`` writes, see ``benchmarks/README.md``): the svc model
is 2.2 MB once inflated when fitted on the 300-clip FSDD sample and 9.5 MB on the
full FSDD (3,000 clips), growing with its support vectors (about 100 MB expected
on the 30,000 clips of AudioMNIST); a CNN's weights are about 1 MB, an ensemble a
few times that; ``metadata.json`` is 2 to 6 KB plus the training history of each
network (tens of KB), nested 8 deep. The default ``max_bytes`` of 1 GiB leaves
10 times the largest of these.
"""

import io
import json
import math
import os
import struct
import zipfile
import zlib

from ..exceptions import ModelFileError

#: Default of ``max_bytes``: the most bytes all the members of a model file may
#: inflate to, together (1 GiB). Raise it with ``load_model(max_bytes=...)`` for a
#: legitimately larger model.
MAX_BYTES = 1 << 30
#: Most members a model file may hold (metadata, the scikit-learn part, one member
#: per network).
MAX_MEMBERS = 4096
#: Most members an archive nested in a model file (skops' own zip, an ``.npz``)
#: may hold: one per array of the scikit-learn part.
MAX_NESTED_MEMBERS = 65536
#: Largest compression ratio (inflated / stored bytes) of a member larger than
#: :data:`RATIO_GRACE`. Model data (float arrays, JSON) deflates 1x to 10x; zeros
#: deflate about 1000x.
MAX_RATIO = 100
#: Members up to this many inflated bytes are not held to :data:`MAX_RATIO`.
RATIO_GRACE = 1 << 20
#: ``metadata.json`` (and any other JSON in the file) may take this fraction of
#: ``max_bytes``: 8 MiB by default.
JSON_FRACTION = 128
#: Deepest nesting of lists and objects accepted in ``metadata.json`` and in a
#: safetensors header (a real one is 8 deep).
MAX_JSON_DEPTH = 64
#: Deepest nesting accepted in skops' ``schema.json`` (a Pipeline of a calibrated
#: SVC is 22 deep).
MAX_SCHEMA_DEPTH = 256
#: Deepest nesting of archives (a model file holds skops' zip, which may hold
#: ``.npz`` archives).
MAX_ARCHIVE_DEPTH = 3

_CHUNK = 1 << 20
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
# Bytes of one tensor element per safetensors dtype.
_SAFETENSORS_DTYPES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}
_ADVICE = (
    "; if you trust this file and it really holds so large a model, pass a larger "
    "max_bytes to load_model / read_model_metadata"
)


def check_max_bytes(max_bytes):
    """``max_bytes`` as an int (:data:`MAX_BYTES` for None), or raise ``ValueError``."""
    if max_bytes is None:
        return MAX_BYTES
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive int or None, got {max_bytes!r}")
    return max_bytes


def _member_count(p, f, where, max_members):
    """Refuse, from the end-of-central-directory record alone, a zip with too many members.

    ``zipfile`` parses every entry of the central directory when it opens a file,
    which a file claiming millions of entries makes slow; this reads the last
    64 KiB only. A file without the record is left to ``zipfile`` to refuse.
    """
    f.seek(0, io.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - (22 + 0xFFFF)))
    tail = f.read()
    i = tail.rfind(_EOCD)
    if i < 0 or len(tail) - i < 22:
        return
    n_total, cd_size = struct.unpack("<10xHL", tail[i : i + 16])
    if n_total == 0xFFFF and i >= 20 and tail[i - 20 : i - 16] == _EOCD64_LOCATOR:
        (offset,) = struct.unpack("<Q", tail[i - 12 : i - 4])
        f.seek(offset)
        record = f.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            n_total, cd_size = struct.unpack("<32xQQ", record[:48])
    if n_total > max_members or cd_size > max_members * 4096:
        raise ModelFileError(
            f"{p}: {where} declares {n_total:,} members in a {cd_size:,}-byte directory, more "
            f"than the {max_members:,} a model file holds"
        )


def check_zip(p, zf, *, max_bytes, where="the file", max_members=MAX_MEMBERS):
    """Check every member's declared size, their total, the ratios and the count.

    Parameters
    ----------
    p : pathlib.Path
        The model file, for the message.
    zf : zipfile.ZipFile
        The archive.
    max_bytes : int
        Most bytes the members may inflate to, together.
    where : str
        What the archive is, for the message (``"the file"``, ``"model.skops"``).
    max_members : int
        Most members accepted.

    Raises
    ------
    ModelFileError
        Naming the file, the member and the limit it breaks.
    """
    infos = zf.infolist()
    if len(infos) > max_members:
        raise ModelFileError(
            f"{p}: {where} holds {len(infos):,} members, more than the {max_members:,} a model "
            "file holds"
        )
    total = 0
    for info in infos:
        size = info.file_size
        if size > max_bytes:
            raise ModelFileError(
                f"{p}: {where}: member {info.filename!r} declares {size:,} bytes once "
                f"inflated, more than max_bytes={max_bytes:,}{_ADVICE}"
            )
        stored = max(info.compress_size, 1)
        if size > RATIO_GRACE and size > MAX_RATIO * stored:
            raise ModelFileError(
                f"{p}: {where}: member {info.filename!r} inflates {size / stored:,.0f} times"
                f" ({info.compress_size:,} -> {size:,} bytes), more than the "
                f"{MAX_RATIO} times model data does (a decompression bomb?)"
            )
        total += size
    if total > max_bytes:
        raise ModelFileError(
            f"{p}: {where}: its members declare {total:,} bytes once inflated in all, more "
            f"than max_bytes={max_bytes:,}{_ADVICE}"
        )


def open_zip(p, source, *, max_bytes, where="the file", max_members=MAX_MEMBERS):
    """Open ``source`` (a path or a seekable file object) as a checked zip.

    The member count is checked from the end-of-directory record before
    ``zipfile`` parses the directory, then every member by :func:`check_zip`.
    ``zipfile``'s own errors (``BadZipFile``, ``EOFError``, ``OSError``) pass
    through.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            _member_count(p, f, where, max_members)
    else:
        _member_count(p, source, where, max_members)
        source.seek(0)
    zf = zipfile.ZipFile(source)
    try:
        check_zip(p, zf, max_bytes=max_bytes, where=where, max_members=max_members)
    except BaseException:
        zf.close()
        raise
    return zf


def read_member(p, zf, name, *, limit, where=""):
    """The inflated bytes of member ``name``, read in chunks that stop at ``limit``.

    Neither the declared size nor ``limit`` is trusted to hold: reading stops
    with :class:`ModelFileError` as soon as more bytes come out than either.
    """
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ModelFileError(f"{p}: {where}member {name!r} is missing") from None
    if info.file_size > limit:
        raise ModelFileError(
            f"{p}: {where}member {name!r} declares {info.file_size:,} bytes once inflated, "
            f"more than its limit of {limit:,}{_ADVICE}"
        )
    chunks = []
    n = 0
    try:
        with zf.open(info) as f:
            while True:
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                n += len(chunk)
                if n > info.file_size or n > limit:
                    raise ModelFileError(
                        f"{p}: {where}member {name!r} inflates past its declared "
                        f"{info.file_size:,} bytes or its limit of {limit:,}"
                    )
                chunks.append(chunk)
    except (
        zlib.error,
        zipfile.BadZipFile,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ) as err:
        # corrupted deflate stream, bad CRC, truncation, unknown compression, encryption
        raise ModelFileError(
            f"{p}: {where}member {name!r} is corrupted ({type(err).__name__}: {err})"
        ) from None
    return b"".join(chunks)


def json_limit(max_bytes):
    """Most bytes of one JSON member (``metadata.json``, skops' schema) for ``max_bytes``."""
    return max(max_bytes // JSON_FRACTION, 1 << 16)


def _depth(value):
    """Deepest nesting of lists and dicts in ``value`` (iterative: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((v, depth + 1) for v in value)
    return deepest


def parse_json(p, data, *, what, max_bytes, max_depth=MAX_JSON_DEPTH):
    """Parse ``data`` (bytes) as JSON after checking its size, then check its depth.

    Raises
    ------
    ModelFileError
        If ``data`` is longer than ``max_bytes``, not UTF-8 JSON, or nested deeper
        than ``max_depth``. The message names the file, ``what`` and the limit.
    """
    if len(data) > max_bytes:
        raise ModelFileError(
            f"{p}: {what} is {len(data):,} bytes, more than its limit of {max_bytes:,}{_ADVICE}"
        )
    try:
        value = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ModelFileError(
            f"{p}: {what} is nested deeper than {max_depth} levels (a hostile file?)"
        ) from None
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{p}: {what} is not valid JSON ({err})") from err
    if _depth(value) > max_depth:
        raise ModelFileError(
            f"{p}: {what} is nested deeper than {max_depth} levels (a hostile file?)"
        )
    return value


def check_safetensors(p, name, data, *, max_bytes):
    """Check a safetensors member's header against its own length, before torch reads it.

    The header (an 8-byte little-endian length, then JSON) must fit in the member,
    and every tensor's ``data_offsets`` must lie inside the data that follows and
    span exactly ``prod(shape)`` elements of its ``dtype``.

    Raises
    ------
    ModelFileError
        Naming the file, the member and what is inconsistent.
    """
    where = f"{name!r} (safetensors)"
    if len(data) < 8:
        raise ModelFileError(f"{p}: {where} is {len(data)} bytes, too short for a header")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise ModelFileError(
            f"{p}: {where} declares a {n:,}-byte header in a {len(data):,}-byte member"
        )
    header = parse_json(p, data[8 : 8 + n], what=f"the header of {where}", max_bytes=max_bytes)
    if not isinstance(header, dict):
        raise ModelFileError(f"{p}: the header of {where} is not a JSON object")
    buffer = len(data) - 8 - n
    for key, tensor in header.items():
        if key == "__metadata__":
            continue
        try:
            size = _SAFETENSORS_DTYPES[tensor["dtype"]]
            shape = [int(d) for d in tensor["shape"]]
            begin, end = (int(o) for o in tensor["data_offsets"])
            if any(d < 0 for d in shape):
                raise ValueError("negative dimension")
        except (TypeError, KeyError, ValueError) as err:
            raise ModelFileError(
                f"{p}: {where}: tensor {key!r} is described wrongly ({type(err).__name__}: {err})"
            ) from None
        if not 0 <= begin <= end <= buffer or math.prod(shape) * size != end - begin:
            raise ModelFileError(
                f"{p}: {where}: tensor {key!r} declares shape {shape} of {tensor['dtype']} at "
                f"bytes {begin}..{end}, which does not match the {buffer:,} bytes of data"
            )


def _check_npy(p, where, zf, info):
    """An ``.npy`` member's header must declare exactly the bytes the member holds."""
    import numpy as np

    fmt = np.lib.format
    try:
        with zf.open(info) as f:
            version = fmt.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = fmt.read_array_header_2_0(f)
            else:
                return  # numpy refuses or reads it; nothing to bound beforehand
            header = f.tell()
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, SyntaxError, TypeError) as err:
        raise ModelFileError(
            f"{p}: {where}: {info.filename!r} is not a valid .npy array ({err})"
        ) from None
    if dtype.hasobject:
        return  # skops never loads object arrays from .npy (allow_pickle=False)
    expected = header + math.prod(shape) * dtype.itemsize
    if expected != info.file_size:
        raise ModelFileError(
            f"{p}: {where}: {info.filename!r} declares an array of shape {shape} of "
            f"{dtype} ({expected:,} bytes) in a member of {info.file_size:,} bytes"
        )


def check_nested_archive(p, data, *, where, max_bytes, depth=1):
    """Check an archive held in a model file (skops' zip, an ``.npz`` inside it).

    The same checks as the file's own (count, declared sizes, total, ratio), the
    headers of its ``.npy`` arrays against their sizes, its ``schema.json`` size
    and depth, and the archives it nests in turn, up to :data:`MAX_ARCHIVE_DEPTH`.

    Raises
    ------
    ModelFileError
        Naming the file, the nested archive and the limit it breaks.
    """
    buffer = io.BytesIO(data)
    try:
        zf = open_zip(p, buffer, max_bytes=max_bytes, where=where, max_members=MAX_NESTED_MEMBERS)
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(f"{p}: {where} is not a valid archive ({err})") from None
    with zf:
        for info in zf.infolist():
            name = info.filename
            if name.endswith(".npy"):
                _check_npy(p, where, zf, info)
            elif name == "schema.json":
                parse_json(
                    p,
                    read_member(p, zf, name, limit=json_limit(max_bytes), where=f"{where}: "),
                    what=f"{where}: {name}",
                    max_bytes=json_limit(max_bytes),
                    max_depth=MAX_SCHEMA_DEPTH,
                )
            elif name.endswith((".npz", ".zip", ".skops")):
                if depth >= MAX_ARCHIVE_DEPTH:
                    raise ModelFileError(
                        f"{p}: {where}: {name!r} nests archives deeper than {MAX_ARCHIVE_DEPTH}"
                    )
                inner = read_member(p, zf, name, limit=max_bytes, where=f"{where}: ")
                check_nested_archive(
                    p, inner, where=f"{where}: {name}", max_bytes=max_bytes, depth=depth + 1
                )
