"""Safe model files: round trips, refusal of pickles and untrusted types, bad files."""

import io
import json
import os
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pytest

from sklearn_audiodigit.exceptions import ModelFileError, ModelVersionWarning, UntrustedModelError
from sklearn_audiodigit.persistence import (
    JOBLIB_FORMAT,
    MODEL_FORMAT,
    describe_training_data,
    load_model,
    read_model_metadata,
    save_model,
)
from sklearn_audiodigit.pipelines import make_model

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")
pytest.importorskip("safetensors")


@pytest.fixture(scope="module")
def svc(model_file_data):
    X, y, _, _ = model_file_data
    return make_model("svc", random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def mlp(model_file_data):
    X, y, _, _ = model_file_data
    return make_model("mlp", random_state=0, max_epochs=3, hidden_layer_sizes=(32,)).fit(X, y)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, svc, mlp, model_file_data):
    folder = tmp_path_factory.mktemp("models")
    _, y, speaker, _ = model_file_data
    meta = {"training_data": describe_training_data(y, groups=speaker, name="sample")}
    paths = {"svc": folder / "svc.model", "mlp": folder / "mlp.model"}
    save_model(svc, paths["svc"], metadata={**meta, "model_name": "svc"})
    save_model(mlp, paths["mlp"], metadata={**meta, "model_name": "mlp"})
    return paths


def _rewrite_zip(src, dst, edit):
    """Copy the zip ``src`` to ``dst``, passing each member's bytes through ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            out = edit(info.filename, zin.read(info))
            if out is not None:
                zout.writestr(info.filename, out)


def _edit_metadata(change):
    def edit(name, data):
        if name != "metadata.json":
            return data
        meta = json.loads(data)
        change(meta)
        return json.dumps(meta).encode()

    return edit


# ------------------------------------------------------------------ round trips
def test_round_trip_in_fresh_process(saved, svc, mlp, model_file_data, predict_in_fresh_process):
    """A new interpreter loads both files and predicts exactly what the originals did."""
    X_test = model_file_data[3]
    got = predict_in_fresh_process(
        """
        svc, mlp = models
        save(svc=svc.predict_proba(X), mlp=mlp.predict_proba(X),
             svc_pred=svc.predict(X), mlp_pred=mlp.predict(X))
        """,
        saved["svc"],
        saved["mlp"],
    )
    np.testing.assert_array_equal(got["svc"], svc.predict_proba(X_test))
    np.testing.assert_array_equal(got["mlp"], mlp.predict_proba(X_test))
    np.testing.assert_array_equal(got["svc_pred"], svc.predict(X_test))
    np.testing.assert_array_equal(got["mlp_pred"], mlp.predict(X_test))


def test_network_round_trip_keeps_params_history_and_rng(saved, mlp, model_file_data):
    state = torch.random.get_rng_state()
    loaded = load_model(saved["mlp"])
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    net, orig = loaded.steps[-1][1], mlp.steps[-1][1]
    assert type(net) is type(orig)
    assert net.hidden_layer_sizes == (32,) and net.max_epochs == 3
    np.testing.assert_array_equal(net.classes_, orig.classes_)
    assert len(net.history_) == len(orig.history_) == 3
    assert net.history_[-1, "train_loss"] == pytest.approx(orig.history_[-1, "train_loss"])
    for a, b in zip(
        net.module_.state_dict().values(), orig.module_.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b)


def test_bare_network_and_string_labels(tmp_path, rng):
    from sklearn_audiodigit.nn import CNNClassifier, FrameAugmenter

    X = rng.standard_normal((24, 8, 6)).astype(np.float32)
    y = np.array(["yes", "no", "maybe"])[np.arange(24) % 3]
    net = CNNClassifier(
        channels=(4,), max_epochs=2, random_state=0, augment=FrameAugmenter(time_shift=0.2)
    ).fit(X, y)
    path = tmp_path / "net.model"
    meta = save_model(net, path)
    assert meta["classes"] == ["maybe", "no", "yes"]
    loaded = load_model(path)
    assert isinstance(loaded.augment, FrameAugmenter) and loaded.augment.time_shift == 0.2
    assert loaded.channels == (4,)
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.predict(X).dtype == net.predict(X).dtype


def test_metadata_records_versions_settings_and_data(saved):
    meta = read_model_metadata(saved["mlp"])
    assert meta["format"] == MODEL_FORMAT
    for key in ("sklearn_audiodigit", "scikit-learn", "numpy", "torch", "skorch"):
        assert key in meta["versions"]
    assert meta["sr"] == 8000
    assert meta["classes"] == list(range(10))
    assert meta["feature_settings"]["features"]["params"]["n_mfcc"] == 13
    assert meta["training_data"]["n_clips"] == 100
    assert meta["training_data"]["n_groups"] == 6
    assert meta["model_name"] == "mlp"
    (net,) = meta["nets"]
    assert net["class"] == "FeedForwardClassifier"
    assert net["module"]["params"]["n_classes"] == 10
    assert net["n_parameters"] > 0
    svc_meta = read_model_metadata(saved["svc"])
    assert "torch" not in svc_meta["versions"] and svc_meta["nets"] == []


def test_file_is_a_zip_of_json_skops_and_safetensors(saved):
    with zipfile.ZipFile(saved["mlp"]) as zf:
        names = set(zf.namelist())
    assert names == {"metadata.json", "model.skops", "nets/0.safetensors"}


def test_saved_on_cuda_loads_on_cpu(tmp_path, mlp, model_file_data):
    """A network whose device is "cuda" loads on the CPU when CUDA is missing."""
    import copy

    net = copy.deepcopy(mlp)
    net.steps[-1][1].device = "cuda"  # as if trained there; weights are saved on the CPU
    path = tmp_path / "cuda.model"
    save_model(net, path)
    if torch.cuda.is_available():
        loaded = load_model(path, device="cpu")
    else:
        with pytest.warns(UserWarning, match="CUDA is not available"):
            loaded = load_model(path)
    assert loaded.steps[-1][1].device == "cpu"
    X_test = model_file_data[3]
    np.testing.assert_array_equal(loaded.predict_proba(X_test), mlp.predict_proba(X_test))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_trained_on_cuda_loads_on_cpu(tmp_path, model_file_data):
    X, y, _, X_test = model_file_data
    model = make_model("cnn", random_state=0, device="cuda", max_epochs=2, channels=(8,)).fit(X, y)
    path = tmp_path / "gpu.model"
    save_model(model, path)
    loaded = load_model(path, device="cpu")
    # the cnn trains with channel copies: its network is inside the wrapper's pipeline
    net = loaded.estimator_.named_steps["net"]
    assert next(net.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X_test), model.predict_proba(X_test), atol=1e-4)


def test_network_inside_speed_perturbed_classifier_round_trips(tmp_path, model_file_data):
    """The cnn with channel copies: a network in a fitted SpeedPerturbedClassifier's pipeline."""
    from sklearn.base import clone

    from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier

    X, y, speaker, X_test = model_file_data
    model = make_model("cnn", random_state=0, max_epochs=2, channels=(4,), batch_size=16)
    assert isinstance(model, SpeedPerturbedClassifier)
    model.fit(X, y, net__groups=speaker)
    path = tmp_path / "cnn.model"
    meta = save_model(model, path, metadata={"model_name": "cnn"})
    assert [n["path"] for n in meta["nets"]] == [["estimator_", "net"]]
    assert meta["format_version"] == 3  # releases that read up to 2 refuse it, saying so
    assert "SpeedPerturbedClassifier(Pipeline(" in meta["estimator"]
    assert meta["feature_settings"]["wrapper"]["params"]["factors"] == [1.0]
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))
    # the fitted network is back in place, and the unfitted template gets an unfitted
    # network with the same parameters, so that clone() and a refit work
    net, template = loaded.estimator_.named_steps["net"], loaded.estimator.named_steps["net"]
    assert net.initialized_ and not getattr(template, "initialized_", False)
    assert template.get_params()["channels"] == net.get_params()["channels"] == (4,)
    refit = clone(loaded).set_params(estimator__net__max_epochs=1).fit(X[:40], y[:40])
    assert refit.predict(X_test).shape == (len(X_test),)
    # the model given to save_model is untouched
    assert model.estimator_.named_steps["net"] is not net
    assert model.estimator_.named_steps["net"].initialized_


def test_unfitted_wrapper_around_a_network_is_refused(tmp_path):
    model = make_model("cnn", random_state=0, max_epochs=1, channels=(4,))
    with pytest.raises(TypeError, match="outside a Pipeline step"):
        save_model(model, tmp_path / "unfitted.model")
    assert not (tmp_path / "unfitted.model").exists()


def test_joblib_format_needs_trust(tmp_path, svc, model_file_data):
    path = tmp_path / "svc.joblib"
    meta = save_model(svc, path, format="joblib", metadata={"model_name": "svc"})
    assert meta["format"] == JOBLIB_FORMAT
    with pytest.raises(UntrustedModelError, match="trust=True") as exc:
        load_model(path)
    assert str(path) in str(exc.value)
    with pytest.raises(UntrustedModelError):
        read_model_metadata(path)
    loaded = load_model(path, trust=True)
    X_test = model_file_data[3]
    np.testing.assert_array_equal(loaded.predict(X_test), svc.predict(X_test))
    assert read_model_metadata(path, trust=True)["model_name"] == "svc"


def test_save_refuses_what_it_cannot_store_safely(tmp_path, model_file_data):
    from skorch.callbacks import EpochTimer

    from sklearn_audiodigit.nn import FeedForwardClassifier

    X = np.random.default_rng(0).standard_normal((20, 4)).astype(np.float32)
    net = FeedForwardClassifier(
        hidden_layer_sizes=(4,), max_epochs=1, callbacks=[EpochTimer()], random_state=0
    ).fit(X, np.arange(20) % 2)
    with pytest.raises(TypeError, match="callbacks"):
        save_model(net, tmp_path / "net.model")
    assert not (tmp_path / "net.model").exists()
    save_model(net, tmp_path / "net.joblib", format="joblib")
    assert load_model(tmp_path / "net.joblib", trust=True).predict(X).shape == (20,)
    with pytest.raises(ValueError, match="reserved"):
        save_model(net, tmp_path / "x.model", metadata={"nets": []})


# ------------------------------------------------------------------ malicious files
class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


@pytest.mark.parametrize("how", ["pickle", "joblib", "joblib-compressed", "pickle-protocol-0"])
def test_malicious_pickle_is_refused_and_never_runs(tmp_path, how):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.model"
    evil = _Evil(marker)
    if how == "pickle":
        path.write_bytes(pickle.dumps(evil))
    elif how == "pickle-protocol-0":
        path.write_bytes(pickle.dumps(evil, protocol=0))
    else:
        joblib.dump(evil, path, compress=3 if how == "joblib-compressed" else 0)
    for loader in (load_model, read_model_metadata):
        with pytest.raises(ModelFileError) as exc:
            loader(path)
        assert str(path) in str(exc.value)
    assert not marker.exists()
    # The marker proves the payload is live: trusting it runs it.
    try:
        load_model(path, trust=True)
    except ModelFileError:
        pass
    assert marker.read_text() == "pwned"


def test_untrusted_skops_type_is_refused(tmp_path, saved):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    evil = sio.dumps(FunctionTransformer(func=os.system, kw_args={"command": "echo pwned"}))
    path = tmp_path / "evil.model"
    _rewrite_zip(saved["svc"], path, lambda n, d: evil if n == "model.skops" else d)
    with pytest.raises(UntrustedModelError, match="system") as exc:
        load_model(path)
    assert str(path) in str(exc.value)


def test_unknown_network_class_is_refused(tmp_path, saved):
    path = tmp_path / "evil.model"

    def change(meta):
        meta["nets"][0]["class"] = "os.system"

    _rewrite_zip(saved["mlp"], path, _edit_metadata(change))
    with pytest.raises(UntrustedModelError, match="os.system"):
        load_model(path)


# ------------------------------------------------------------------ bad files
def _bad_files(folder, good):
    raw = good.read_bytes()
    wav = io.BytesIO()
    import soundfile as sf

    sf.write(wav, np.zeros(800, dtype=np.float32), 8000, format="WAV")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("hello.txt", "hi")
    files = {
        "empty": b"",
        "truncated-1": raw[:-1],
        "truncated-half": raw[: len(raw) // 2],
        "truncated-head": raw[:10],
        "text": b"this is not a model\n",
        "json": json.dumps({"format": MODEL_FORMAT}).encode(),
        "wav": wav.getvalue(),
        "random": np.random.default_rng(0).bytes(4096),
        "plain-zip": plain.getvalue(),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = folder / f"{name}.model"
        paths[name].write_bytes(content)
    corrupt = bytearray(raw)
    corrupt[len(raw) // 2] ^= 0xFF
    paths["flipped-byte"] = folder / "flipped.model"
    paths["flipped-byte"].write_bytes(bytes(corrupt))
    for name, edit in {
        "bad-json": lambda n, d: b"{not json" if n == "metadata.json" else d,
        "no-weights": lambda n, d: None if n.endswith(".safetensors") else d,
        "cut-weights": lambda n, d: d[: len(d) // 2] if n.endswith(".safetensors") else d,
        "cut-skops": lambda n, d: d[: len(d) // 2] if n == "model.skops" else d,
        "newer": _edit_metadata(lambda m: m.update(format_version=99)),
        "wrong-shape": _edit_metadata(lambda m: m["nets"][0]["fitted"].update(n_classes=3)),
    }.items():
        paths[name] = folder / f"{name}.model"
        _rewrite_zip(good, paths[name], edit)
    paths["missing"] = folder / "missing.model"
    paths["folder"] = folder / "sub.model"
    paths["folder"].mkdir()
    return paths


def test_bad_files_raise_one_error_naming_the_file(tmp_path, saved):
    for name, path in _bad_files(tmp_path, saved["mlp"]).items():
        for loader in (load_model, read_model_metadata):
            if loader is read_model_metadata and name in (
                "no-weights",
                "cut-weights",
                "cut-skops",
                "wrong-shape",
                "flipped-byte",
            ):
                continue  # the metadata itself is intact
            with pytest.raises(ModelFileError) as exc:
                loader(path)
            assert str(path) in str(exc.value), (name, str(exc.value))
            assert isinstance(exc.value, ValueError)


def test_other_versions_warn(tmp_path, saved):
    path = tmp_path / "old.model"

    def change(meta):
        meta["versions"].update({"scikit-learn": "1.0.0", "torch": "1.0.0"})

    _rewrite_zip(saved["mlp"], path, _edit_metadata(change))
    with pytest.warns(ModelVersionWarning, match=r"scikit-learn 1\.0\.0.*torch 1\.0\.0") as rec:
        load_model(path)
    assert str(path) in str(rec[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelVersionWarning)
        load_model(saved["mlp"])


def test_calibrated_svc_round_trip(tmp_path, rng):
    """CalibratedClassifierCV, the replacement of SVC(probability=True), loads safely."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    X = rng.standard_normal((60, 3))
    y = np.arange(60) % 3
    model = CalibratedClassifierCV(SVC(), ensemble=False).fit(X, y)
    save_model(model, tmp_path / "cal.model")
    loaded = load_model(tmp_path / "cal.model")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_file_from_before_a_parameter_existed_loads_with_its_default(tmp_path, fsdd_sample):
    # An extractor saved by a release without ``compression`` (added with PCEN):
    # its state has no such attribute, and it must load computing what it did.
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    from sklearn_audiodigit import MFCCExtractor

    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    model = make_pipeline(MFCCExtractor(output="grid"), SVC()).fit(X, y)
    expected = model.decision_function(X)
    save_model(model, tmp_path / "new.model")
    # the same file, its scikit-learn part written from a state without the attribute
    import skops.io as sio

    del model[0].compression  # what the older release's state held
    with zipfile.ZipFile(tmp_path / "new.model") as src:
        members = {name: src.read(name) for name in src.namelist()}
    members["model.skops"] = sio.dumps(model)
    with zipfile.ZipFile(tmp_path / "old.model", "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    loaded = load_model(tmp_path / "old.model")
    assert loaded[0].compression == "db"
    np.testing.assert_array_equal(loaded.decision_function(X), expected)


def test_one_vs_one_sum_svc_round_trips_without_trusting(tmp_path, model_file_data):
    # embed-svc's classifier: a type of this library, trusted by default like the others
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_audiodigit.features import MFCCExtractor
    from sklearn_audiodigit.svm import OneVsOneSumSVC

    X, y, _, _ = model_file_data
    model = CalibratedClassifierCV(
        make_pipeline(MFCCExtractor(), StandardScaler(), OneVsOneSumSVC()),
        method="temperature",
        cv=3,
        ensemble=False,
    ).fit(X, y)
    path = tmp_path / "sum.model"
    save_model(model, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X[:20]), model.predict(X[:20]))
    np.testing.assert_allclose(loaded.predict_proba(X[:20]), model.predict_proba(X[:20]))
