"""The four networks (``nn._classifiers``): tiny networks, a few epochs, small data."""

import io
import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sklearn_audiodigit.exceptions import AudioDigitError, AudioTypeError, AudioValueError  # noqa: E402
from sklearn_audiodigit.nn import (  # noqa: E402
    CNNClassifier,
    FeedForwardClassifier,
    FrameAugmenter,
    ResNetClassifier,
    RNNClassifier,
    make_nn_pipeline,
    plot_learning_curves,
)

# One thread: on shared, over-subscribed CPUs two torch threads spin-wait for each
# other and run many times slower (benchmarks/README.md).
torch.set_num_threads(1)

FAST = {"max_epochs": 3, "batch_size": 16}


def _tiny(cls, **params):
    """The smallest instance of each network, for fast fits."""
    size = {
        CNNClassifier: {"channels": (4, 8)},
        ResNetClassifier: {"channels": (4, 8), "blocks": 1},
        RNNClassifier: {"hidden_size": 8, "num_layers": 1},
        FeedForwardClassifier: {"hidden_layer_sizes": (16,)},
    }[cls]
    return cls(**{**FAST, **size, **params})


FRAME_NETS = [CNNClassifier, ResNetClassifier, RNNClassifier]
ALL_NETS = [FeedForwardClassifier, *FRAME_NETS]


@pytest.fixture(scope="module")
def frames():
    """Two separable classes of synthetic 'spectrograms': a low or a high band is on."""
    rng = np.random.RandomState(0)
    X = rng.normal(scale=0.5, size=(48, 12, 10)).astype(np.float32)
    y = np.arange(48) % 2
    X[y == 0, 2:4, 3:7] += 3.0
    X[y == 1, 8:10, 3:7] += 3.0
    groups = np.repeat(np.arange(6), 8)
    return X, y, groups


# --------------------------------------------------------------------- estimator contract
@pytest.mark.parametrize("cls", ALL_NETS)
def test_fit_predict_shapes_dtypes_and_labels(cls, frames):
    X, y, _ = frames
    labels = np.array(["one", "two"])[y]
    clf = _tiny(cls, random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    pred = clf.predict(X)
    assert pred.shape == (len(X),)
    assert set(pred) <= {"one", "two"}
    np.testing.assert_array_equal(clf.classes_, ["one", "two"])
    assert clf.n_features_in_ == X.shape[1]
    assert len(clf.history_) == FAST["max_epochs"]
    assert {"train_loss", "train_acc", "lr", "dur"} <= set(clf.history_[-1])


def test_int_labels_and_learning(frames):
    X, y, _ = frames
    clf = _tiny(CNNClassifier, random_state=0, max_epochs=15, lr=0.01, augment=None)
    clf.fit(X, y + 3)
    np.testing.assert_array_equal(clf.classes_, [3, 4])
    assert clf.predict(X).dtype == clf.classes_.dtype
    assert clf.score(X, y + 3) > 0.9


@pytest.mark.parametrize("cls", ALL_NETS)
def test_same_seed_same_predictions(cls, frames):
    X, y, _ = frames
    state = torch.get_rng_state()
    first = _tiny(cls, random_state=7).fit(X, y)
    # fit leaves the global torch random state alone
    assert torch.equal(state, torch.get_rng_state())
    a = first.predict_proba(X)
    b = _tiny(cls, random_state=7).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = _tiny(cls, random_state=8).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("cls", ALL_NETS)
def test_bfloat16_training(cls, frames, monkeypatch):
    """Mixed precision: the forward passes of training in bfloat16, the rest float32."""
    X, y, _ = frames
    seen = []
    original = cls.infer

    def spy(self, x, **kw):
        out = original(self, x, **kw)
        seen.append((self.module_.training, out.dtype))
        return out

    monkeypatch.setattr(cls, "infer", spy)
    clf = _tiny(cls, random_state=3, precision="bfloat16", max_epochs=15, lr=0.01)
    a = clf.fit(X, y).predict_proba(X)
    assert {dtype for training, dtype in seen if training} == {torch.bfloat16}
    assert {dtype for training, dtype in seen if not training} == {torch.float32}
    assert a.dtype == np.float32
    assert all(p.dtype == torch.float32 for p in clf.module_.parameters())
    # still reproducible, and it learns the two classes
    b = _tiny(cls, random_state=3, precision="bfloat16", max_epochs=15, lr=0.01)
    np.testing.assert_array_equal(a, b.fit(X, y).predict_proba(X))
    assert clf.score(X, y) > 0.9
    assert clf.history_[-1, "train_loss"] < clf.history_[0, "train_loss"]


def test_predict_rejects_other_shapes(frames):
    X, y, _ = frames
    clf = _tiny(CNNClassifier, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        clf.predict(X[:, :, :5])
    with pytest.raises(ValueError, match="2-D"):
        _tiny(CNNClassifier).fit(X[..., None], y)


def test_invalid_parameters(frames):
    X, y, _ = frames
    with pytest.raises(ValueError, match="max_epochs"):
        _tiny(CNNClassifier, max_epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="augment"):
        _tiny(CNNClassifier, augment="yes").fit(X, y)
    with pytest.raises(ValueError, match="lr_schedule"):
        _tiny(CNNClassifier, lr_schedule="cosine").fit(X, y)
    with pytest.raises(ValueError, match="precision"):
        _tiny(CNNClassifier, precision="float16").fit(X, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            _tiny(CNNClassifier, device="cuda").fit(X, y)
    assert not hasattr(CNNClassifier(), "partial_fit")


# --------------------------------------------------------------------- training machinery
def test_early_stopping_holds_out_whole_speakers(frames, monkeypatch):
    X, y, groups = frames
    clf = _tiny(CNNClassifier, random_state=0, early_stopping=True, validation_fraction=0.34)
    seen = {}
    original = CNNClassifier.get_split_datasets

    def spy(self, X_, y_=None, **kw):
        train, valid = original(self, X_, y_, **kw)
        seen["train"], seen["valid"] = np.asarray(train.indices), np.asarray(valid.indices)
        return train, valid

    monkeypatch.setattr(CNNClassifier, "get_split_datasets", spy)
    clf.fit(X, y, groups=groups)
    assert not set(groups[seen["train"]]) & set(groups[seen["valid"]])
    assert len(set(groups[seen["valid"]])) == 3  # 34 % of 6 speakers, rounded up
    assert "valid_acc" in clf.history_[-1] and "valid_loss" in clf.history_[-1]
    # without groups the split is stratified by class
    clf.fit(X, y)
    assert set(y[seen["valid"]]) == {0, 1}


def test_augmentation_only_during_training(frames, monkeypatch):
    X, y, _ = frames
    calls = []
    aug = FrameAugmenter()
    original = FrameAugmenter.__call__

    def counting(self, x, *, generator=None):
        calls.append(x.shape[0])
        return original(self, x, generator=generator)

    clf = _tiny(CNNClassifier, random_state=0, augment=aug)
    monkeypatch.setattr(FrameAugmenter, "__call__", counting)
    clf.fit(X, y)
    n_fit_calls = len(calls)
    assert n_fit_calls == FAST["max_epochs"] * -(-len(X) // FAST["batch_size"])
    p1 = clf.predict_proba(X)
    p2 = clf.predict_proba(X)
    assert len(calls) == n_fit_calls  # nothing augmented at prediction time
    np.testing.assert_array_equal(p1, p2)  # and prediction is deterministic


def test_mixup_and_no_augmentation(frames):
    X, y, _ = frames
    for augment in (None, FrameAugmenter(mixup_alpha=0.4, noise_std=0.1, p=0.5)):
        clf = _tiny(CNNClassifier, random_state=0, augment=augment).fit(X, y)
        assert np.isfinite(clf.history_[-1]["train_loss"])


def test_one_cycle_schedule_and_clipping(frames):
    X, y, _ = frames
    clf = _tiny(CNNClassifier, random_state=0, max_epochs=6, lr=0.01).fit(X, y)
    lrs = clf.history_[:, "lr"]
    assert max(lrs) > lrs[0] and lrs[-1] < max(lrs)
    const = _tiny(CNNClassifier, random_state=0, lr_schedule="constant", clip_grad_norm=None)
    const.fit(X, y)
    assert set(const.history_[:, "lr"]) == {const.lr}


# --------------------------------------------------------------------- scikit-learn tooling
def test_grid_search_over_network_parameter(frames):
    X, y, groups = frames
    search = GridSearchCV(
        _tiny(CNNClassifier, random_state=0), {"dropout": [0.0, 0.5]}, cv=GroupKFold(2)
    )
    search.fit(X, y, groups=groups)
    assert search.best_params_["dropout"] in (0.0, 0.5)
    assert search.predict(X).shape == (len(X),)


def test_plot_learning_curves(frames):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    X, y, groups = frames
    clf = _tiny(CNNClassifier, random_state=0, early_stopping=True).fit(X, y, groups=groups)
    axes = plot_learning_curves(clf)
    assert len(axes) == 2
    labels = [line.get_label() for line in axes[1].get_lines()]
    assert labels == ["train", "valid"]
    with pytest.raises(ValueError, match="history"):
        plot_learning_curves(CNNClassifier())


# --------------------------------------------------------------------- persistence
def test_pickle_round_trip(frames):
    X, y, _ = frames
    clf = _tiny(ResNetClassifier, random_state=0).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_joblib_round_trip_in_fresh_process(frames, tmp_path):
    joblib = pytest.importorskip("joblib")
    X, y, _ = frames
    clf = _tiny(CNNClassifier, random_state=0).fit(X, np.array(["a", "b"])[y])
    joblib.dump(clf, tmp_path / "net.joblib")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", clf.predict_proba(X))
    code = textwrap.dedent(
        f"""
        import joblib, numpy as np
        clf = joblib.load({str(tmp_path / "net.joblib")!r})
        X = np.load({str(tmp_path / "X.npy")!r})
        np.testing.assert_array_equal(
            clf.predict_proba(X), np.load({str(tmp_path / "expected.npy")!r}))
        assert set(clf.predict(X)) <= {{"a", "b"}}
        print("OK")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the CPU-only fallback")
def test_net_saved_for_cuda_loads_on_cpu(frames, monkeypatch):
    """A net pickled on a GPU unpickles on a machine without CUDA.

    The pickle is made as on a GPU machine: ``device="cuda"`` and every tensor
    storage tagged ``"cuda:0"`` (torch's tag for where a storage lives, which
    ``torch.load`` without a ``map_location`` refuses on a CPU-only machine).
    """
    import torch.serialization
    from skorch.exceptions import DeviceWarning

    X, y, _ = frames
    clf = _tiny(CNNClassifier, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    clf.device = "cuda"  # as if trained on a GPU: skorch maps the weights on load
    with monkeypatch.context() as m:
        m.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        blob = pickle.dumps(clf)
        module_bytes = io.BytesIO()
        torch.save(clf.module_.state_dict(), module_bytes)
    with pytest.raises(RuntimeError, match="CUDA"):  # the tag is what a GPU writes
        torch.load(io.BytesIO(module_bytes.getvalue()))
    assert b"cuda:0" in blob
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = pickle.loads(blob)
    assert any(issubclass(w.category, DeviceWarning) for w in caught)
    assert str(loaded.device) == "cpu"
    assert next(loaded.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)


def test_resnet_stays_contiguous_for_its_strided_shortcuts(frames):
    """PyTorch 2.13.0 corrupts the heap in the channels-last backward of a strided 1x1
    convolution on AVX2-only CPUs: the ResNet, which has them, trains contiguous."""
    X, y, _ = frames
    clf = _tiny(ResNetClassifier, random_state=0).fit(X, y)  # crashed here before
    kernels = [p for p in clf.module_.parameters() if p.dim() == 4]
    assert any(tuple(p.shape[2:]) == (1, 1) for p in kernels)  # the shortcuts
    assert all(p.is_contiguous() for p in kernels)
    assert (clf.predict(X) == y).mean() > 0.5


@pytest.mark.parametrize("cls", [CNNClassifier])
def test_conv_nets_train_channels_last_and_compute_the_same_function(frames, cls, tmp_path):
    """The CNN keeps its kernels channels-last (faster on CPU); layout only."""
    import copy

    X, y, _ = frames
    clf = _tiny(cls, random_state=0).fit(X, y)
    kernels = [p for p in clf.module_.parameters() if p.dim() == 4]
    assert kernels and all(p.is_contiguous(memory_format=torch.channels_last) for p in kernels)
    assert not all(p.is_contiguous() for p in kernels)
    plain = copy.deepcopy(clf.module_).to(memory_format=torch.contiguous_format).eval()
    assert all(p.is_contiguous() for p in plain.parameters())
    batch = torch.as_tensor(X[:16])
    with torch.no_grad():
        np.testing.assert_allclose(
            clf.module_.eval()(batch).numpy(), plain(batch).numpy(), rtol=1e-4, atol=1e-4
        )
    from sklearn_audiodigit.persistence import load_model, save_model

    save_model(clf, tmp_path / "net.model")  # the safe format stores plain tensors
    loaded = load_model(tmp_path / "net.model")
    assert all(
        p.is_contiguous(memory_format=torch.channels_last)
        for p in loaded.module_.parameters()
        if p.dim() == 4
    )
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_clone_keeps_parameters():
    clf = CNNClassifier(channels=(8,), dropout=0.1, random_state=3, max_epochs=2)
    params = clone(clf).get_params(deep=False)
    assert params["channels"] == (8,) and params["dropout"] == 0.1
    assert params["random_state"] == 3 and params["max_epochs"] == 2


# --------------------------------------------------------------------- sklearn common checks
# sklearn's checks feed 2-D numeric data: the frame networks read it as one frame
# per sample. normalize=None and augment=None because a single frame of 2 to 10
# features has no time axis to normalise, shift or mask over (a frequency mask of 6
# "bands" would hide every feature); the data is tiny, so the networks are small.
EXPECTED_FAILED_CHECKS = {
    # skorch's NeuralNet.__init__ stores the **kwargs it is given and sets
    # history_, initialized_ and virtual_params_: attributes set in __init__.
    "check_no_attributes_set_in_init": (
        "skorch's NeuralNet.__init__ sets history_, initialized_ and virtual_params_"
    ),
}


def _check_instances():
    common = {"max_epochs": 15, "batch_size": 32, "random_state": 0, "lr": 0.02, "augment": None}
    return [
        FeedForwardClassifier(hidden_layer_sizes=(32,), **common),
        CNNClassifier(channels=(8, 16), normalize=None, **common),
        ResNetClassifier(channels=(8, 16), blocks=1, normalize=None, **common),
        RNNClassifier(hidden_size=16, num_layers=1, normalize=None, **common),
    ]


@parametrize_with_checks(
    _check_instances(), expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# --------------------------------------------------------------------- optional dependency
def test_package_import_stays_light_and_missing_extra_is_named():
    code = textwrap.dedent(
        """
        import sys
        import sklearn_audiodigit
        assert "torch" not in sys.modules and "skorch" not in sys.modules
        # as if PyTorch were not installed: a finder that refuses torch (a None entry in
        # sys.modules would break scipy's array-API probe, which getattr()s it)
        class _NoTorch:
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError(f"No module named {name!r}")

        sys.meta_path.insert(0, _NoTorch())
        try:
            import sklearn_audiodigit.nn
        except ImportError as err:
            assert 'pip install "sklearn-audiodigit[nn]"' in str(err), err
            print("OK")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout


# ---------------------------------------------------------------- bad input to the networks
# the library's error types, naming what is wrong
@pytest.fixture(scope="module")
def net():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 8, 12)).astype(np.float32)
    return CNNClassifier(max_epochs=1, random_state=0).fit(X, np.arange(20) % 2), X


@pytest.mark.parametrize(
    "case, match",
    [
        ("nan", "NaN"),
        ("4d", "3-D"),
        ("empty", "0 sample"),
        ("fewer_frames", r"shape \(8, 6\).*fitted on samples of shape \(8, 12\)"),
        ("fewer_bands", "4 features"),
    ],
)
def test_bad_frames_raise_audio_value_error(net, case, match):
    model, X = net
    bad = {
        "nan": np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X),
        "4d": X[..., None],
        "empty": X[:0],
        "fewer_frames": X[:, :, :6],
        "fewer_bands": X[:, :4, :],
    }[case]
    with pytest.raises(AudioValueError, match=match) as info:
        model.predict(bad)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AudioDigitError)


def test_strings_raise_a_library_error(net):
    model, _ = net
    with pytest.raises((AudioValueError, AudioTypeError)):
        model.predict(np.array([[["a"]]]))


def test_pipeline_names_the_bad_clip(fsdd_sample):
    X = list(fsdd_sample.data[:12])
    X[7] = X[7].copy()
    X[7][10] = np.nan
    pipe = make_nn_pipeline("cnn", random_state=0, max_epochs=1)
    with pytest.raises(AudioValueError, match="clip 7"):
        pipe.fit(X, fsdd_sample.target[:12])


def test_cnn_trained_with_small_batches_predicts_every_class(fsdd_sample):
    # regression: one near-constant augmented clip in a training batch used to blow up the
    # per-utterance normalisation, poison BatchNorm's running statistics and make the fitted
    # network predict a single class for everything (seen with batch_size=32 on the sample)
    import torch

    torch.set_num_threads(1)
    test = fsdd_sample.speaker == "jackson"
    pipe = make_nn_pipeline("cnn", random_state=0, channels=(16, 32), max_epochs=12, batch_size=32)
    pipe.fit(fsdd_sample.data[~test], fsdd_sample.target[~test])
    pred = pipe.predict(fsdd_sample.data[~test])
    assert len(np.unique(pred)) >= 8
    assert (pred == fsdd_sample.target[~test]).mean() > 0.5


def test_cnn_default_recipe():
    clf = CNNClassifier()
    assert clf.normalize == "clip"
    aug = clf._augmenter()
    assert isinstance(aug, FrameAugmenter)
    assert aug.lowpass_db == 24.0 and aug.tilt_db == 6.0 and aug.p_channel == 0.5
