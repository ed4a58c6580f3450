"""Bounds on what opening a model file costs: decompression bombs, lying headers, deep JSON."""

import io
import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from _untrusted_files import model_bomb, rewrite_zip, set_declared_size

from sklearn_audiodigit.exceptions import ModelFileError
from sklearn_audiodigit.persistence import MAX_BYTES, load_model, read_model_metadata
from sklearn_audiodigit.persistence._bounds import (
    MAX_JSON_DEPTH,
    MAX_MEMBERS,
    check_safetensors,
)


@pytest.fixture(scope="module")
def svc_bytes(genuine_model_files):
    """A genuine safe model file (the svc pipeline), as bytes."""
    return genuine_model_files["svc"]


@pytest.fixture(scope="module")
def mlp_bytes(genuine_model_files):
    """A genuine safe model file holding a network (safetensors), as bytes."""
    if "mlp" not in genuine_model_files:
        pytest.skip("needs torch and skorch")
    return genuine_model_files["mlp"]


def _refused(path, match, **kwargs):
    """Load ``path``, expect a ModelFileError naming it; return tracemalloc's peak in bytes."""
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=match) as info:
            load_model(path, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    return peak


def test_genuine_files_load_within_the_default_bounds(svc_bytes, tmp_path, model_file_data):
    path = tmp_path / "ok.model"
    path.write_bytes(svc_bytes)
    X = model_file_data[3]
    model = load_model(path)
    assert model.predict(X[:3]).shape == (3,)
    assert read_model_metadata(path, max_bytes=MAX_BYTES)["format_version"] == 1


@pytest.mark.parametrize("nested", [False, True], ids=["outer", "inside skops"])
def test_zip_bomb_of_deflated_zeros_is_refused_by_its_ratio(svc_bytes, tmp_path, nested):
    # the bombs, 8 MB of zeros (8 KB deflated) instead of 3 GB
    path = tmp_path / "bomb.model"
    path.write_bytes(model_bomb(svc_bytes, 8 << 20, nested=nested))
    assert path.stat().st_size < 1 << 20
    peak = _refused(path, "inflates .* times .* decompression bomb")
    assert peak < 24 << 20


@pytest.mark.parametrize("nested", [False, True], ids=["outer", "inside skops"])
def test_member_declaring_gigabytes_is_refused_before_inflating(svc_bytes, tmp_path, nested):
    # the largest member (of the file, or of skops' archive) claims 3 GB: refused
    # from the directory alone, whatever it holds
    bomb = model_bomb(svc_bytes, 2 << 20, nested=nested)
    if nested:

        def patch(dst, info, content):
            if info.filename != "model.skops":
                return False
            name = max(zipfile.ZipFile(io.BytesIO(content)).infolist(), key=lambda i: i.file_size)
            dst.writestr(info, set_declared_size(content, name.filename, 3_000_000_000))
            return True

        bomb = rewrite_zip(bomb, patch)
    else:
        bomb = set_declared_size(bomb, "model.skops", 3_000_000_000)
    path = tmp_path / "bomb.model"
    path.write_bytes(bomb)
    peak = _refused(path, r"3,000,000,000 bytes .*max_bytes=1,073,741,824")
    assert peak < 24 << 20


def test_max_bytes_raises_and_lowers_the_limit(svc_bytes, tmp_path):
    path = tmp_path / "svc.model"
    path.write_bytes(svc_bytes)
    _refused(path, r"max_bytes=100,000\b", max_bytes=100_000)
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        load_model(path, max_bytes=0)
    with pytest.raises(ModelFileError, match=r"max_bytes=1,000\b"):
        read_model_metadata(path, max_bytes=1000)


def test_member_that_inflates_past_its_declared_size_stops(svc_bytes, tmp_path):
    # declares 1,000 bytes for metadata.json but holds more: reading stops there
    path = tmp_path / "liar.model"
    path.write_bytes(set_declared_size(svc_bytes, "metadata.json", 1000))
    with pytest.raises(ModelFileError, match=str(path)):
        read_model_metadata(path)


def test_too_many_members_are_refused_from_the_directory(tmp_path):
    path = tmp_path / "many.model"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(MAX_MEMBERS + 1):
            zf.writestr(f"{i}", b"")
    _refused(path, f"more than the {MAX_MEMBERS:,}")


def _with_metadata(model_bytes, text):
    def replace(dst, info, content):
        if info.filename != "metadata.json":
            return False
        dst.writestr(info, text)
        return True

    return rewrite_zip(model_bytes, replace)


def test_deeply_nested_metadata_is_refused(svc_bytes, tmp_path):
    meta = json.loads(zipfile.ZipFile(io.BytesIO(svc_bytes)).read("metadata.json"))
    for depth, match in [(MAX_JSON_DEPTH + 5, "nested deeper"), (100_000, "nested deeper")]:
        meta["deep"] = json.loads("[" * depth + "]" * depth) if depth < 500 else None
        text = json.dumps(meta)
        if depth >= 500:
            text = text.replace('"deep": null', '"deep": ' + "[" * depth + "]" * depth)
        path = tmp_path / f"deep{depth}.model"
        path.write_bytes(_with_metadata(svc_bytes, text))
        with pytest.raises(ModelFileError, match=match):
            read_model_metadata(path)
        _refused(path, match)


def test_metadata_larger_than_its_share_of_max_bytes_is_refused(svc_bytes, tmp_path):
    meta = json.loads(zipfile.ZipFile(io.BytesIO(svc_bytes)).read("metadata.json"))
    meta["padding"] = "x" * 20_000
    path = tmp_path / "big.model"
    path.write_bytes(_with_metadata(svc_bytes, json.dumps(meta)))
    # max_bytes // 128 is 31,250 bytes here, floored at 65,536
    read_model_metadata(path, max_bytes=4_000_000)
    with pytest.raises(ModelFileError, match=r"metadata.json.*limit of 65,536"):
        meta["padding"] = "x" * 70_000
        path.write_bytes(_with_metadata(svc_bytes, json.dumps(meta)))
        read_model_metadata(path, max_bytes=4_000_000)


def _safetensors(header, data=b""):
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


@pytest.mark.parametrize(
    "member, match",
    [
        (b"\x01", "too short"),
        (struct.pack("<Q", 1 << 60) + b"{}", "header in a"),
        (
            _safetensors(
                {"w": {"dtype": "F32", "shape": [1 << 40], "data_offsets": [0, 8]}}, bytes(8)
            ),
            "does not match",
        ),
        (
            _safetensors(
                {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 1 << 40]}}, bytes(16)
            ),
            "does not match",
        ),
        (
            _safetensors(
                {"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}, bytes(16)
            ),
            "described wrongly",
        ),
        (
            _safetensors({"w": {"dtype": "XX", "shape": [4], "data_offsets": [0, 16]}}, bytes(16)),
            "described wrongly",
        ),
    ],
)
def test_safetensors_header_is_checked_against_the_member(member, match):
    with pytest.raises(ModelFileError, match=match):
        check_safetensors("f.model", "nets/0.safetensors", member, max_bytes=1 << 20)


def test_lying_safetensors_header_in_a_model_file(mlp_bytes, tmp_path):
    def replace(dst, info, content):
        if not info.filename.endswith(".safetensors"):
            return False
        n = struct.unpack("<Q", content[:8])[0]
        header = json.loads(content[8 : 8 + n])
        name = next(k for k in header if k != "__metadata__")
        header[name]["shape"] = [1 << 40]
        dst.writestr(info, _safetensors(header, content[8 + n :]))
        return True

    path = tmp_path / "lying.model"
    path.write_bytes(rewrite_zip(mlp_bytes, replace))
    _refused(path, "safetensors.*does not match")


def test_npy_header_inside_skops_is_checked(svc_bytes, tmp_path):
    def replace_npy(dst, info, content):
        if not info.filename.endswith(".npy") or len(content) < 1000:
            return False
        array = np.lib.format.read_array(io.BytesIO(content))
        buf = io.BytesIO()
        header = np.lib.format.header_data_from_array_1_0(array)
        header["shape"] = (1 << 40,)
        np.lib.format.write_array_header_1_0(buf, header)
        dst.writestr(info, buf.getvalue() + array.tobytes())
        return True

    def replace(dst, info, content):
        if info.filename != "model.skops":
            return False
        dst.writestr(info, rewrite_zip(content, replace_npy))
        return True

    path = tmp_path / "npy.model"
    path.write_bytes(rewrite_zip(svc_bytes, replace))
    _refused(path, r"declares an array of shape \(1099511627776,\)")


# ------------------------------------------------------- regressions found by the fuzzer
def _edit_metadata(model_bytes, edit):
    meta = json.loads(zipfile.ZipFile(io.BytesIO(model_bytes)).read("metadata.json"))
    edit(meta)
    return _with_metadata(model_bytes, json.dumps(meta))


def test_corrupted_deflate_stream_is_a_model_file_error(svc_bytes, tmp_path):
    data = bytearray(svc_bytes)
    data[60] ^= 0xFF  # inside metadata.json's deflate stream, after its local header
    path = tmp_path / "flipped.model"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="flipped.model"):
        read_model_metadata(path)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda m: m.update(nets=[1]), r"nets\[0\] is not a description"),
        (lambda m: m.update(nets=True), "'nets' is a bool, not a list"),
        (lambda m: m.update(versions=[]), "'versions' is a list, not a dict"),
        (lambda m: m.update(nets=[]), "not described: nets/0.safetensors"),
        (lambda m: m.update(sklearn_part="other.skops"), "missing: other.skops"),
    ],
)
def test_metadata_that_does_not_describe_the_members_is_refused(mlp_bytes, tmp_path, edit, match):
    path = tmp_path / "edited.model"
    path.write_bytes(_edit_metadata(mlp_bytes, edit))
    with pytest.raises(ModelFileError, match=match):
        read_model_metadata(path)
    _refused(path, match)


def test_network_described_at_another_step_is_refused(mlp_bytes, tmp_path):
    def move(meta):
        meta["nets"][0]["path"] = ["scale"]

    path = tmp_path / "moved.model"
    path.write_bytes(_edit_metadata(mlp_bytes, move))
    _refused(path, "cannot predict")


def test_format_info_shows_fields_of_unexpected_types(mlp_bytes, tmp_path):
    from sklearn_audiodigit.persistence._metadata import format_info

    meta = read_model_metadata_from_bytes(mlp_bytes, tmp_path)
    meta.update(
        feature_settings={"a": 1, "b": {"params": [1]}},
        ensembles=[3, {"path": 5, "estimator": "x"}],
        classes="abc",
        extra=float("nan"),
    )
    meta["nets"][0].update(module=[], n_parameters="many", path=None)
    text = format_info("f.model", meta)
    assert "network (the model): " in text and "many weights" in text
    assert "a: ?()" in text and "classes:" not in text
    assert "extra:          NaN" in text


def read_model_metadata_from_bytes(data, folder):
    path = folder / "genuine.model"
    path.write_bytes(data)
    return read_model_metadata(path)
