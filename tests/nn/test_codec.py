"""SeedEnsembleClassifier in the safe model format: alone and as a pipeline step."""

import copy
import json
import warnings
import zipfile

import numpy as np
import pytest

from sklearn_audiodigit.exceptions import ModelFileError, UntrustedModelError
from sklearn_audiodigit.persistence import load_model, read_model_metadata, save_model

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")
pytest.importorskip("safetensors")

from sklearn_audiodigit.nn import (  # noqa: E402
    CNNClassifier,
    SeedEnsembleClassifier,
    make_nn_pipeline,
)

TINY = {"channels": (4, 8), "max_epochs": 2, "batch_size": 16}


@pytest.fixture(scope="module")
def frames():
    """Synthetic frames with string labels: (X, y)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 8, 6)).astype(np.float32)
    y = np.array(["yes", "no", "maybe"])[np.arange(24) % 3]
    return X, y


@pytest.fixture(scope="module")
def ensemble(frames):
    X, y = frames
    net = CNNClassifier(**TINY, random_state=5)
    return SeedEnsembleClassifier(net, n_estimators=3, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def pipe(model_file_data):
    """The CNN pipeline with its ``net`` step replaced by an ensemble of two."""
    X, y, speaker, _ = model_file_data
    model = make_nn_pipeline("cnn", random_state=0, **TINY)
    net = model.named_steps["net"]
    model.set_params(net=SeedEnsembleClassifier(net, n_estimators=2, random_state=1))
    return model.fit(X, y, net__groups=speaker)


@pytest.fixture(scope="module")
def pipe_file(tmp_path_factory, pipe):
    path = tmp_path_factory.mktemp("models") / "cnn2.model"
    save_model(pipe, path, metadata={"model_name": "cnn"})
    return path


def _net_params(net):
    """The parameters of a network that are values (not classes such as ``module``)."""
    return {k: v for k, v in net.get_params(deep=False).items() if not isinstance(v, type)}


# ------------------------------------------------------------------ round trips
def test_ensemble_alone_round_trip_with_string_labels(tmp_path, ensemble, frames):
    X, _ = frames
    path = tmp_path / "ens.model"
    meta = save_model(ensemble, path)
    assert meta["classes"] == ["maybe", "no", "yes"]
    loaded = load_model(path)
    assert type(loaded) is SeedEnsembleClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), ensemble.predict(X))
    assert loaded.predict(X).dtype == ensemble.predict(X).dtype
    # fitted attributes
    np.testing.assert_array_equal(loaded.seeds_, ensemble.seeds_)
    assert loaded.seeds_.dtype == np.int64
    np.testing.assert_array_equal(loaded.classes_, ensemble.classes_)
    assert loaded.classes_.dtype == ensemble.classes_.dtype
    assert len(loaded.estimators_) == 3
    for copy_, orig, seed in zip(
        loaded.estimators_, ensemble.estimators_, ensemble.seeds_, strict=True
    ):
        assert type(copy_) is CNNClassifier and copy_.random_state == seed
        for a, b in zip(
            copy_.module_.state_dict().values(), orig.module_.state_dict().values(), strict=True
        ):
            assert torch.equal(a, b)
    # parameters, the unfitted network included
    assert loaded.n_estimators == 3 and loaded.random_state == 0
    assert type(loaded.estimator) is CNNClassifier
    assert _net_params(loaded.estimator) == _net_params(ensemble.estimator)
    assert not hasattr(loaded.estimator, "module_")  # stays unfitted


def test_ensemble_of_the_default_network(tmp_path, ensemble, frames):
    """``estimator=None`` (a default CNNClassifier) is stored as None."""
    X, _ = frames
    ens = copy.copy(ensemble)
    ens.estimator = None
    path = tmp_path / "default.model"
    meta = save_model(ens, path)
    assert meta["ensembles"][0]["estimator"] is None
    loaded = load_model(path)
    assert loaded.estimator is None
    np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))


def test_pipeline_step_round_trip_in_fresh_process(
    pipe, pipe_file, model_file_data, predict_in_fresh_process
):
    """A new interpreter loads the pipeline and predicts exactly what the original did."""
    X_test = model_file_data[3]
    got = predict_in_fresh_process(
        """
        (model,) = models
        net = model.named_steps["net"]
        save(proba=model.predict_proba(X), pred=model.predict(X), seeds=net.seeds_,
             kind=type(net).__name__)
        """,
        pipe_file,
        timeout=300,
    )
    assert str(got["kind"]) == "SeedEnsembleClassifier"
    np.testing.assert_array_equal(got["proba"], pipe.predict_proba(X_test))
    np.testing.assert_array_equal(got["pred"], pipe.predict(X_test))
    np.testing.assert_array_equal(got["seeds"], pipe.named_steps["net"].seeds_)


def test_pipeline_step_round_trip_keeps_steps_and_rng(pipe, pipe_file, model_file_data):
    state = torch.random.get_rng_state()
    loaded = load_model(pipe_file)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    assert [name for name, _ in loaded.steps] == [name for name, _ in pipe.steps]
    assert loaded.named_steps["features"].get_params() == pipe.named_steps["features"].get_params()
    ens = loaded.named_steps["net"]
    assert ens.n_estimators == 2 and ens.random_state == 1
    np.testing.assert_array_equal(ens.classes_, np.arange(10))
    np.testing.assert_array_equal(loaded.classes_, pipe.classes_)
    X_test = model_file_data[3]
    np.testing.assert_array_equal(loaded.predict_proba(X_test), pipe.predict_proba(X_test))
    assert len(ens.estimators_[0].history_) == 2  # each copy's history is kept


def test_file_layout_and_metadata(pipe_file):
    with zipfile.ZipFile(pipe_file) as zf:
        assert set(zf.namelist()) == {
            "metadata.json",
            "model.skops",
            "nets/0.safetensors",
            "nets/1.safetensors",
        }
    meta = read_model_metadata(pipe_file)
    assert meta["format_version"] == 2  # older releases refuse it instead of misreading it
    assert meta["estimator"].endswith("net=SeedEnsembleClassifier(2 x CNNClassifier))")
    assert meta["model_name"] == "cnn" and meta["sr"] == 8000
    assert meta["classes"] == list(range(10))
    assert "features" in meta["feature_settings"] and "net" not in meta["feature_settings"]
    (ens,) = meta["ensembles"]
    assert ens["class"] == "SeedEnsembleClassifier" and ens["path"] == ["net"]
    assert ens["n_estimators"] == 2
    assert ens["params"] == {"n_estimators": 2, "random_state": 1}
    assert ens["estimator"]["class"] == "CNNClassifier"
    assert ens["estimator"]["params"]["channels"] == {"__tuple__": [4, 8]}
    assert len(ens["fitted"]["seeds"]) == 2
    assert [(n["path"], n["ensemble"], n["copy"]) for n in meta["nets"]] == [
        (["net"], 0, 0),
        (["net"], 0, 1),
    ]
    assert all("history" not in n and n["class"] == "CNNClassifier" for n in meta["nets"])


def test_files_without_an_ensemble_stay_version_1(tmp_path, ensemble):
    meta = save_model(ensemble.estimators_[0], tmp_path / "one.model")
    assert meta["format_version"] == 1 and "ensembles" not in meta


def test_saved_on_cuda_loads_on_cpu(tmp_path, pipe, model_file_data):
    """An ensemble whose networks' device is "cuda" loads on the CPU when CUDA is missing."""
    model = copy.deepcopy(pipe)
    ens = model.named_steps["net"]
    for net in [ens.estimator, *ens.estimators_]:
        net.device = "cuda"  # as if trained there; weights are saved on the CPU
    path = tmp_path / "cuda.model"
    save_model(model, path)
    if torch.cuda.is_available():
        loaded = load_model(path, device="cpu")
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = load_model(path)
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        assert len(messages) == 1 and "CUDA is not available" in messages[0]  # once per file
    ens = loaded.named_steps["net"]
    assert ens.estimator.device == "cpu"
    for net in ens.estimators_:
        assert net.device == "cpu"
        assert next(net.module_.parameters()).device.type == "cpu"
    X_test = model_file_data[3]
    np.testing.assert_array_equal(loaded.predict_proba(X_test), pipe.predict_proba(X_test))


# ------------------------------------------------------------------ what is still refused
class _MyEnsemble(SeedEnsembleClassifier):
    pass


def _hidden_in_meta_estimator(ensemble):
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(ensemble)


def _default_ensemble_in_meta_estimator(ensemble):
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(SeedEnsembleClassifier())


def _net_in_calibration(ensemble):
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(ensemble.estimators_[0])


def _subclass(ensemble):
    ens = _MyEnsemble(ensemble.estimator, n_estimators=3, random_state=0)
    ens.__dict__.update(
        estimators_=ensemble.estimators_, seeds_=ensemble.seeds_, classes_=ensemble.classes_
    )
    return ens


@pytest.mark.parametrize(
    "build, match",
    [
        (_hidden_in_meta_estimator, "outside a Pipeline step"),
        (_default_ensemble_in_meta_estimator, "outside a Pipeline step"),
        (_net_in_calibration, "outside a Pipeline step"),
        (_subclass, "subclass of SeedEnsembleClassifier"),
    ],
    ids=["ensemble-in-ovr", "default-ensemble-in-ovr", "net-in-calibration", "subclass"],
)
def test_networks_elsewhere_still_raise_type_error(tmp_path, ensemble, build, match):
    path = tmp_path / "hidden.model"
    with pytest.raises(TypeError, match=match) as exc:
        save_model(build(ensemble), path)
    assert "format='joblib'" in str(exc.value)
    assert not path.exists()


def test_ensemble_of_a_non_network_raises_type_error(tmp_path):
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(0).standard_normal((30, 3))
    y = np.arange(30) % 2
    ens = SeedEnsembleClassifier(LogisticRegression(), n_estimators=2, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="LogisticRegression.*format='joblib'"):
        save_model(ens, tmp_path / "lr.model")
    save_model(ens, tmp_path / "lr.joblib", format="joblib")
    loaded = load_model(tmp_path / "lr.joblib", trust=True)
    np.testing.assert_array_equal(loaded.predict_proba(X), ens.predict_proba(X))


def test_random_state_instance_raises_type_error(tmp_path, ensemble):
    ens = copy.copy(ensemble)
    ens.random_state = np.random.RandomState(0)
    with pytest.raises(TypeError, match="random_state"):
        save_model(ens, tmp_path / "rs.model")


# ------------------------------------------------------------------ damaged files
def _rewrite_metadata(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "metadata.json":
                meta = json.loads(data)
                change(meta)
                data = json.dumps(meta).encode()
            zout.writestr(info.filename, data)


def _drop_copy(meta):
    meta["nets"].pop()


def _rename_class(meta):
    meta["ensembles"][0]["class"] = "os.system"


def _bad_index(meta):
    meta["nets"][0]["ensemble"] = 7


@pytest.mark.parametrize(
    "change, error",
    [
        (_drop_copy, ModelFileError),
        (_bad_index, ModelFileError),
        (_rename_class, UntrustedModelError),
    ],
    ids=["missing-copy", "unknown-ensemble", "foreign-class"],
)
def test_inconsistent_ensemble_file_is_refused(tmp_path, pipe_file, change, error):
    bad = tmp_path / "bad.model"
    _rewrite_metadata(pipe_file, bad, change)
    with pytest.raises(error) as exc:
        load_model(bad)
    assert str(bad) in str(exc.value)
