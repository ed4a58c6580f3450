"""Hostile model and audio files built from genuine ones, for the tests and the benchmark.

Shared by ``tests/persistence/test_bounds.py``, ``tests/test_fuzz.py`` and
``benchmarks/bench_untrusted.py`` (which puts this folder on ``sys.path``).
"""

import io
import struct
import zipfile

import numpy as np

_ZEROS = bytes(1 << 20)


def _write_zeros(zf, name, n_bytes, compression=zipfile.ZIP_DEFLATED):
    """Write ``n_bytes`` zero bytes as member ``name`` of the open (writing) ``zf``."""
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = compression
    with zf.open(info, "w", force_zip64=n_bytes >= 1 << 31) as f:
        left = n_bytes
        while left > 0:
            f.write(_ZEROS[: min(left, len(_ZEROS))])
            left -= len(_ZEROS)


def _largest(zf):
    return max(zf.infolist(), key=lambda i: i.file_size).filename


def rewrite_zip(data, replace):
    """``data`` (zip bytes) with members rewritten by ``replace(zf_out, info, content)``.

    ``replace`` returns True when it wrote the member itself; otherwise the member
    is copied unchanged (same name, compression and content).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if not replace(dst, info, content):
                dst.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def model_bomb(model_bytes, n_bytes, *, nested=False):
    """A genuine model file whose largest member is ``n_bytes`` of deflated zeros.

    With ``nested=True`` the bomb goes one level down: the largest member of the
    inner skops archive (``model.skops``) is replaced instead.
    """
    with zipfile.ZipFile(io.BytesIO(model_bytes)) as zf:
        target = "model.skops" if nested else _largest(zf)
        inner = zf.read("model.skops") if nested else None

    if nested:
        with zipfile.ZipFile(io.BytesIO(inner)) as zf:
            inner_target = _largest(zf)

        def bomb_inner(dst, info, content):
            if info.filename != inner_target:
                return False
            _write_zeros(dst, info.filename, n_bytes)
            return True

        inner = rewrite_zip(inner, bomb_inner)

    def bomb(dst, info, content):
        if info.filename != target:
            return False
        if nested:
            dst.writestr(info.filename, inner, compress_type=zipfile.ZIP_DEFLATED)
        else:
            _write_zeros(dst, info.filename, n_bytes)
        return True

    return rewrite_zip(model_bytes, bomb)


def set_declared_size(data, name, size):
    """``data`` (zip bytes) with member ``name``'s declared inflated size set to ``size``.

    Only the central directory is changed (which is what ``zipfile`` reads), so
    the file claims ``size`` bytes whatever it holds; ``size`` < 4 GiB.
    """
    buf = bytearray(data)
    encoded = name.encode("utf-8")
    pos = 0
    while True:
        pos = buf.find(b"PK\x01\x02", pos)
        if pos < 0:
            raise KeyError(name)
        n_name = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + n_name]) == encoded:
            struct.pack_into("<L", buf, pos + 24, size)
            return bytes(buf)
        pos += 4


def flac_bomb(path, *, seconds=59.0, sr=192_000, channels=8):
    """Write silence as a FLAC file: tiny on disk, ``seconds * sr * channels`` samples."""
    import soundfile as sf

    block = np.zeros((sr, channels), dtype=np.int16)
    with sf.SoundFile(
        path, "w", samplerate=sr, channels=channels, format="FLAC", subtype="PCM_16"
    ) as f:
        left = int(seconds * sr)
        while left > 0:
            f.write(block[: min(left, sr)])
            left -= sr
    return path
