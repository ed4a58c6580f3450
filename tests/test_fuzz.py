"""Fuzzing: mutated model files and audio files end in a result or the library's own error.

Each example mutates a genuine file (a saved svc pipeline, a saved network, a real
FSDD recording, a freshly written WAV/FLAC) and checks that loading it either
succeeds or raises the library's own exception naming the file, within bounded
time and traced memory: never a crash, a hang or a foreign exception. The CI
profile (``tests/conftest.py``) is derandomised; ``AUDIODIGIT_FUZZ_EXAMPLES``
sets the number of files per test (default 300, so 600 a run), and
``HYPOTHESIS_PROFILE=dev`` with a larger number explores further.
"""

import hashlib
import io
import json
import os
import struct
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
import soundfile as sf
from _untrusted_files import rewrite_zip, set_declared_size

from sklearn_audiodigit.exceptions import AudioLoadError, ModelFileError
from sklearn_audiodigit.io import read_audio
from sklearn_audiodigit.persistence import load_model, read_model_metadata
from sklearn_audiodigit.persistence._metadata import format_info

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
given, settings = hypothesis.given, hypothesis.settings

N_EXAMPLES = int(os.environ.get("AUDIODIGIT_FUZZ_EXAMPLES", "300"))
# Bounds on one example: generous next to what a refusal costs (milliseconds,
# a few MB) and next to a shared, loaded CI machine (one example once took 11.7 s
# there, and 0.1 s when replayed), tight next to a bomb (tens of seconds, GB).
MAX_SECONDS = 30.0
MAX_TRACED = 200 << 20


class Mutated(bytes):
    """A mutated file's bytes, shown by hypothesis as the mutation and a digest."""

    kind = ""

    def __repr__(self):
        return f"<{self.kind}: {len(self):,} bytes, sha1 {hashlib.sha1(self).hexdigest()[:12]}>"


def _mutated(kind, data):
    out = Mutated(data)
    out.kind = kind
    return out


def _bounded(call, path):
    """Run ``call()``; return its result or exception, checking time and traced memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except Exception as err:  # checked by the caller
        result = err
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < MAX_SECONDS, f"{path}: took {seconds:.1f} s"
    assert peak < MAX_TRACED, f"{path}: traced {peak / 1e6:.0f} MB"
    return result


# ----------------------------------------------------------------------- model files
def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [i.filename for i in zf.infolist()]


def _replace_member(data, name, content):
    def replace(dst, info, old):
        if info.filename != name:
            return False
        dst.writestr(info, content)
        return True

    return rewrite_zip(data, replace)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_model(draw, genuine):
    data = genuine[draw(st.sampled_from(sorted(genuine)))]
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "flip",
                "swap",
                "declare",
                "nest",
                "json",
                "meta",
                "drop",
                "inner",
                "junk",
            ]
        )
    )
    names = _members(data)
    if kind == "truncate":
        return _mutated(kind, data[: draw(st.integers(0, len(data) - 1))])
    if kind == "flip":
        buf = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(buf) - 1))
            buf[i] ^= draw(st.integers(1, 255))
        return _mutated(kind, bytes(buf))
    if kind == "swap":
        a, b = draw(st.permutations(names))[:2] if len(names) > 1 else (names[0], names[0])
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content_a, content_b = zf.read(a), zf.read(b)
        return _mutated(kind, _replace_member(_replace_member(data, a, content_b), b, content_a))
    if kind == "declare":
        name = draw(st.sampled_from(names))
        size = draw(st.one_of(st.integers(0, 1 << 32 - 1), st.sampled_from([0, 1, 2**31])))
        return _mutated(kind, set_declared_size(data, name, min(size, 2**32 - 1)))
    if kind == "nest":
        name = draw(st.sampled_from(names))
        return _mutated(kind, _replace_member(data, name, data))
    if kind == "json":
        shape = draw(st.sampled_from(["deep", "long", "wide", "garbage", "not-object"]))
        n = draw(st.integers(1, 200_000))
        text = {
            "deep": "[" * n + "]" * n,
            "long": json.dumps({"format": "sklearn-audiodigit-model", "x": "y" * n}),
            "wide": "[" + ",".join(["{}"] * n) + "]",
            "garbage": "{" * (n % 50) + "\x00\xff",
            "not-object": "12",
        }[shape]
        target = draw(st.sampled_from(["metadata.json", *names]))
        return _mutated(kind, _replace_member(data, target, text.encode("utf-8", "surrogatepass")))
    if kind == "meta":
        # a well-formed metadata.json with one value replaced by any JSON value
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            meta = json.loads(zf.read("metadata.json"))
        node = meta
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = draw(st.sampled_from(keys))
            child = node[key]
            if not isinstance(child, (dict, list)) or not child or draw(st.booleans()):
                node[key] = draw(_JSON)
                break
            node = child
        return _mutated(kind, _replace_member(data, "metadata.json", json.dumps(meta).encode()))
    if kind == "drop":
        name = draw(st.sampled_from(names))

        def drop(dst, info, old):
            return info.filename == name

        return _mutated(kind, rewrite_zip(data, drop))
    if kind == "inner":
        # mutate a member of skops' archive, or a safetensors header, one level down
        name = draw(st.sampled_from(names))
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            content = bytearray(zf.read(name))
        if name.endswith(".safetensors") and draw(st.booleans()):
            n = struct.unpack("<Q", content[:8])[0]
            struct.pack_into("<Q", content, 0, draw(st.sampled_from([n - 1, n + 1, 2**63, 0])))
        elif name == "model.skops" and draw(st.booleans()):
            inner = _members(bytes(content))
            content = bytearray(
                set_declared_size(
                    bytes(content),
                    draw(st.sampled_from(inner)),
                    draw(st.integers(0, 2**32 - 1)),
                )
            )
        else:
            for _ in range(draw(st.integers(1, 4))):
                i = draw(st.integers(0, max(len(content) - 1, 0)))
                if content:
                    content[i] ^= draw(st.integers(1, 255))
        return _mutated(kind, _replace_member(data, name, bytes(content)))
    # junk: bytes that only start like a zip
    return _mutated(kind, b"PK\x03\x04" + draw(st.binary(max_size=512)))


def _check_model_outcome(result, path):
    if isinstance(result, ModelFileError):
        assert str(path) in str(result), result
    elif isinstance(result, BaseException):
        raise AssertionError(f"{path}: foreign exception {type(result).__name__}") from result
    else:
        model = result if not isinstance(result, dict) else None
        assert model is None or hasattr(model, "predict")


def _fuzz(folder, strategy, check, suffix):
    """Write each file ``strategy`` draws to ``folder`` and ``check(path)`` it."""
    counter = iter(range(10**9))

    @settings(max_examples=N_EXAMPLES)
    @given(st.data())
    def run(data):
        path = folder / f"{next(counter)}{suffix}"
        path.write_bytes(data.draw(strategy, label="file"))
        check(path)

    run()


def _check_model_file(path):
    meta = _bounded(lambda: read_model_metadata(path), path)
    _check_model_outcome(meta, path)
    if isinstance(meta, dict):  # what `audiodigit info` shows of it
        assert isinstance(format_info(path, meta), str)
    _check_model_outcome(_bounded(lambda: load_model(path), path), path)


def test_fuzz_model_files(genuine_model_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz_models")
    _fuzz(folder, mutated_model(genuine_model_files), _check_model_file, ".model")


# ----------------------------------------------------------------------- audio files
_SUBTYPES = {
    "WAV": ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE", "ULAW", "ALAW"],
    "FLAC": ["PCM_S8", "PCM_16", "PCM_24"],
}


def _small_flac():
    buf = io.BytesIO()
    noise = np.random.default_rng(0).uniform(-0.5, 0.5, (4000, 2))
    sf.write(buf, noise, 16000, format="FLAC", subtype="PCM_16")
    data = buf.getvalue()
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO first
    return data


@st.composite
def audio_file(draw, sample_wav):
    kind = draw(st.sampled_from(["written", "header", "flac-header", "truncate", "flip"]))
    if kind == "written":
        container = draw(st.sampled_from(sorted(_SUBTYPES)))
        subtype = draw(st.sampled_from(_SUBTYPES[container]))
        channels = draw(st.sampled_from([1, 2, 3, 5, 8]))
        max_rate = 655_350 if container == "FLAC" else 655_360
        rate = draw(st.one_of(st.integers(1, max_rate), st.sampled_from([1, 8000, 655_350])))
        if container == "FLAC":
            rate = min(rate, 655_350)
        frames = draw(st.integers(1, 4000))
        noise = np.random.default_rng(frames).uniform(-1, 1, (frames, channels))
        buf = io.BytesIO()
        try:
            sf.write(buf, noise, rate, format=container, subtype=subtype)
        except Exception:  # libsndfile refuses this combination: write the sample instead
            return _mutated(kind, sample_wav)
        return _mutated(kind, buf.getvalue())
    if kind == "flac-header":
        # STREAMINFO: 20-bit rate, 3-bit channels - 1, 5-bit bits - 1, 36-bit frame count
        data = bytearray(_small_flac())
        value = int.from_bytes(data[18:26], "big")
        for shift, width in draw(
            st.lists(st.sampled_from([(44, 20), (41, 3), (36, 5), (0, 36)]), min_size=1)
        ):
            field = draw(st.integers(0, 2**width - 1))
            value = (value & ~(((1 << width) - 1) << shift)) | (field << shift)
        data[18:26] = value.to_bytes(8, "big")
        return _mutated(kind, bytes(data))
    data = bytearray(sample_wav)
    if kind == "header":
        # RIFF size, channels, rate, byte rate, block align, bits, data size
        fields = [(4, "<L"), (22, "<H"), (24, "<L"), (28, "<L"), (32, "<H"), (34, "<H"), (40, "<L")]
        for offset, fmt in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4)):
            top = 2 ** (8 * struct.calcsize(fmt)) - 1
            value = draw(st.one_of(st.integers(0, top), st.sampled_from([0, 1, top])))
            struct.pack_into(fmt, data, offset, value)
        return _mutated(kind, bytes(data))
    if kind == "truncate":
        return _mutated(kind, bytes(data[: draw(st.integers(0, len(data) - 1))]))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] ^= draw(st.integers(1, 255))
    return _mutated(kind, bytes(data))


def _check_audio_file(path):
    result = _bounded(lambda: read_audio(path, sr=8000, max_duration=60), path)
    if isinstance(result, AudioLoadError):
        assert str(path) in str(result), result
    elif isinstance(result, BaseException):
        raise AssertionError(f"{path}: foreign exception {result!r}") from result
    else:
        y, sr = result
        assert sr == 8000 and y.dtype == np.float32 and y.ndim == 1 and y.size > 0
        assert np.isfinite(y).all()


def test_fuzz_audio_files(fsdd_sample, tmp_path_factory):
    with open(fsdd_sample.filenames[0], "rb") as f:
        sample_wav = f.read()
    assert sample_wav[36:40] == b"data"  # the header offsets mutated above
    folder = tmp_path_factory.mktemp("fuzz_audio")
    _fuzz(folder, audio_file(sample_wav), _check_audio_file, ".wav")
