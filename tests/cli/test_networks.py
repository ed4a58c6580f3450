"""The networks' model options of ``audiodigit train|evaluate``: ``--n-estimators N`` (seed
ensembles), ``--precision``, ``--max-epochs`` and ``--channel-copies``."""

import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier
from sklearn_audiodigit.cli import (
    _build_parser,
    _groups_fit_param,
    _make_model,
    _network_pipeline,
    main,
)
from sklearn_audiodigit.persistence import load_model, read_model_metadata

pytest.importorskip("torch")
pytest.importorskip("skorch")
pytest.importorskip("safetensors")

from sklearn_audiodigit.nn import (  # noqa: E402
    CNNClassifier,
    FeedForwardClassifier,
    SeedEnsembleClassifier,
)

TINY = {"channels": (4, 8), "max_epochs": 2, "batch_size": 16}


def _records(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tiny_cnn():
    """``make_model("cnn")`` builds the smallest CNN while the fixture is active."""
    import sklearn_audiodigit.pipelines as pipelines

    original = pipelines.make_model

    def make_tiny(name, **params):
        return original(name, **({**params, **TINY} if name == "cnn" else params))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipelines, "make_model", make_tiny)
        yield


@pytest.fixture(scope="module")
def trained(tmp_path_factory, small_data, tiny_cnn):
    """A two-CNN ensemble trained by ``audiodigit train``, and each copy's fit arguments."""
    calls = []
    fit = CNNClassifier.fit

    def spy(self, X, y, groups=None, **fit_params):
        calls.append((self.random_state, None if groups is None else np.array(groups)))
        return fit(self, X, y, groups=groups, **fit_params)

    path = tmp_path_factory.mktemp("model") / "cnn2.model"
    argv = ["train", "--data", str(small_data), "--model", "cnn", "--n-estimators", "2"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CNNClassifier, "fit", spy)
        assert main([*argv, "--random-state", "3", "--output", str(path), "--quiet"]) == 0
    return path, calls


@pytest.fixture(scope="module")
def clip(fsdd_sample):
    """A recording of a "3" that is not in the training folder."""
    return next(f for f in fsdd_sample.filenames if Path(f).name == "3_theo_4.wav")


def _args(*argv):
    return _build_parser().parse_args(["train", "--output", "x.model", *argv])


# ------------------------------------------------------------------ building the model
def test_n_estimators_wraps_the_net_step_and_keeps_its_name():
    args = _args("--model", "cnn", "--n-estimators", "3", "--random-state", "7")
    model = _make_model(args)
    # the cnn's channel copies wrap the pipeline; the ensemble replaces its net step
    assert type(model) is SpeedPerturbedClassifier
    pipeline = _network_pipeline(model)
    ens = pipeline.steps[-1][1]
    assert pipeline.steps[-1][0] == "net" and type(ens) is SeedEnsembleClassifier
    assert ens.n_estimators == 3 and ens.random_state == 7
    assert type(ens.estimator) is CNNClassifier and ens.estimator.random_state == 7
    assert _groups_fit_param(args, model) == "net__groups"


def test_default_is_one_plain_network():
    args = _args("--model", "rnn")
    assert args.n_estimators == 1
    assert type(_make_model(args).steps[-1][1]).__name__ == "RNNClassifier"


# ------------------------------------------------------------------ train, predict, info
def test_train_saves_a_safe_ensemble_and_routes_speakers_to_every_copy(trained, small_data):
    path, calls = trained
    meta = read_model_metadata(path)  # a safe file: readable without trust
    assert meta["format"] == "sklearn-audiodigit-model"
    assert meta["model_name"] == "cnn" and meta["n_estimators"] == 2
    (ens,) = meta["ensembles"]
    assert ens["path"] == ["estimator_", "net"] and ens["n_estimators"] == 2
    assert meta["format_version"] == 3  # a network inside the wrapper of its copies
    assert ens["params"] == {"n_estimators": 2, "random_state": 3}
    assert len(meta["nets"]) == 2
    # every copy was fitted once, with its own seed and the speakers of the clips,
    # repeated for the clips' two channel copies (120 clips, 360 training inputs)
    assert [seed for seed, _ in calls] == ens["fitted"]["seeds"]
    speakers = sorted({Path(f).stem.split("_")[1] for f in small_data.iterdir()})
    for _, groups in calls:
        assert groups is not None and len(groups) == 360
        assert sorted(set(groups)) == speakers
        np.testing.assert_array_equal(groups[:120], groups[120:240])
        np.testing.assert_array_equal(groups[:120], groups[240:])
    np.testing.assert_array_equal(calls[0][1], calls[1][1])


def test_predict_loads_the_ensemble(capsys, trained, clip):
    from sklearn_audiodigit.io import read_audio

    path, _ = trained
    assert main(["predict", str(path), clip, "--json", "--top-k", "3"]) == 0
    captured = capsys.readouterr()
    assert "error" not in captured.err
    (record,) = _records(captured.out)
    model = load_model(path)
    wave, _ = read_audio(clip, sr=8000)
    X = np.empty(1, dtype=object)
    X[0] = wave
    proba = model.predict_proba(X)[0]
    assert record["label"] == int(model.classes_[proba.argmax()])
    assert record["confidence"] == pytest.approx(proba.max())
    assert len(record["top_k"]) == 3


def test_info_shows_the_ensemble(capsys, trained):
    path, _ = trained
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "SeedEnsembleClassifier(2 x CNNClassifier)" in out
    ensemble = "ensemble estimator_/net: SeedEnsembleClassifier(n_estimators=2, random_state=3)"
    assert ensemble in out
    assert "network estimator_/net[0]: CNNClassifier" in out
    assert "network estimator_/net[1]: CNNClassifier" in out


def test_evaluate_with_n_estimators(capsys, small_data, tiny_cnn):
    argv = ["evaluate", "--data", str(small_data), "--model", "cnn", "--n-estimators", "2"]
    assert main([*argv, "--json", "--quiet"]) == 0
    report = _records(capsys.readouterr().out)[0]
    assert report["extra"]["model"] == "cnn" and report["extra"]["n_estimators"] == 2
    assert len(report["fold_accuracies"]) == 6  # one speaker left out per fold
    assert all(0.0 <= a <= 1.0 for a in report["fold_accuracies"])


# ------------------------------------------------------------------ usage errors
@pytest.mark.parametrize(
    "option",
    [
        ("--n-estimators", "2"),
        ("--precision", "bfloat16"),
        ("--max-epochs", "5"),
        ("--channel-copies",),
        ("--no-channel-copies",),
    ],
)
@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_network_options_with_svc_are_usage_errors(capsys, tmp_path, command, option):
    out = tmp_path / "svc.model"
    argv = [command, "--model", "svc", *option]
    argv += ["--output", str(out)] if command == "train" else []
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "usage" in err.lower()
    assert option[0].replace("--no-", "--") in err and "svc" in err
    assert not out.exists()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
@pytest.mark.parametrize("option", ["--n-estimators", "--max-epochs"])
def test_counts_must_be_positive_ints(capsys, tmp_path, option, value):
    argv = ["train", "--model", "cnn", option, value, "-o", str(tmp_path / "m")]
    assert main(argv) == 2
    assert option in capsys.readouterr().err


# ------------------------------------------------------------------ --precision
def test_precision_reaches_the_network_and_every_copy():
    assert _args("--model", "cnn").precision == "float32"
    model = _make_model(_args("--model", "cnn", "--precision", "bfloat16"))
    net = _network_pipeline(model).steps[-1][1]
    assert type(net) is CNNClassifier and net.precision == "bfloat16"
    args = _args("--model", "rnn", "--precision", "bfloat16", "--n-estimators", "2")
    ens = _make_model(args).steps[-1][1]
    assert ens.estimator.precision == "bfloat16"


def test_precision_choices(capsys, tmp_path):
    argv = ["train", "--model", "cnn", "--precision", "float16", "-o", str(tmp_path / "m")]
    assert main(argv) == 2
    assert "--precision" in capsys.readouterr().err


def test_train_bfloat16_on_real_audio_saves_a_float32_network(
    capsys, tmp_path, small_data, tiny_cnn, clip
):
    path = tmp_path / "cnn_bf16.model"
    argv = ["train", "--data", str(small_data), "--model", "cnn", "--precision", "bfloat16"]
    assert main([*argv, "--output", str(path), "--quiet"]) == 0
    capsys.readouterr()  # the training report
    net = load_model(path).estimator_.named_steps["net"]
    assert net.precision == "bfloat16"
    assert all(p.dtype.is_floating_point and p.itemsize == 4 for p in net.module_.parameters())
    assert main(["predict", str(path), clip, "--json"]) == 0
    (record,) = _records(capsys.readouterr().out)
    assert record["label"] in range(10) and 0.0 < record["confidence"] <= 1.0


# ------------------------------------------------------------------ --max-epochs
# (the module's tiny_cnn fixture sets the CNN's epochs once active: other networks here)
@pytest.mark.parametrize(("model", "own"), [("mlp", 60), ("rnn", 30), ("resnet", 30)])
def test_max_epochs_defaults_to_each_networks_own(model, own):
    assert _args("--model", model).max_epochs is None
    assert _make_model(_args("--model", model)).steps[-1][1].max_epochs == own


def test_max_epochs_reaches_the_network_and_every_copy():
    net = _make_model(_args("--model", "rnn", "--max-epochs", "40")).steps[-1][1]
    assert net.max_epochs == 40
    args = _args("--model", "resnet", "--max-epochs", "7", "--n-estimators", "2")
    assert _make_model(args).steps[-1][1].estimator.max_epochs == 7


def test_train_max_epochs_on_real_audio(capsys, tmp_path, small_data):
    path = tmp_path / "mlp3.model"
    argv = ["train", "--data", str(small_data), "--model", "mlp", "--max-epochs", "3"]
    epochs = []
    fit = FeedForwardClassifier.fit

    def spy(self, *args, **kwargs):
        fitted = fit(self, *args, **kwargs)
        epochs.append(len(fitted.history))
        return fitted

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(FeedForwardClassifier, "fit", spy)
        assert main([*argv, "--output", str(path), "--quiet"]) == 0
    capsys.readouterr()  # the training report
    assert epochs == [3]
    assert load_model(path).steps[-1][1].max_epochs == 3


# ------------------------------------------------------------------ --channel-copies
@pytest.mark.parametrize(
    ("model", "argv", "wrapped"),
    [
        ("cnn", [], True),
        ("cnn", ["--no-channel-copies"], False),
        ("rnn", [], False),
        ("rnn", ["--channel-copies"], True),
        ("mlp", ["--channel-copies"], True),
    ],
)
def test_channel_copies_default_on_for_the_cnn_only(model, argv, wrapped):
    built = _make_model(_args("--model", model, "--random-state", "5", *argv))
    assert isinstance(built, SpeedPerturbedClassifier) is wrapped
    if wrapped:
        # a pink-noise copy and a room copy of every clip, seeded; prediction on the clips
        noise, room = built.augmenter
        assert noise.noise_kinds == ("pink",) and noise.snr_range == (0.0, 20.0)
        assert room.rt60_range == (0.2, 0.8) and room.snr_range is None
        assert noise.random_state == room.random_state == 5
        assert built.factors == (1.0,) and built.n_augment == 1
    assert type(_network_pipeline(built).steps[-1][1]).__name__ != "SeedEnsembleClassifier"


def test_train_without_channel_copies_saves_the_plain_pipeline(
    capsys, tmp_path, small_data, tiny_cnn, clip
):
    path = tmp_path / "cnn_plain.model"
    argv = ["train", "--data", str(small_data), "--model", "cnn", "--no-channel-copies"]
    assert main([*argv, "--output", str(path), "--quiet"]) == 0
    capsys.readouterr()  # the training report
    meta = read_model_metadata(path)
    assert [n["path"] for n in meta["nets"]] == [["net"]]
    assert meta["format_version"] == 1  # readable by the releases before the copies
    assert type(load_model(path).named_steps["net"]) is CNNClassifier
