"""make_nn_pipeline: the networks on raw waveforms, with speaker groups and cross-validation."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.model_selection import GroupKFold, cross_val_score  # noqa: E402

from sklearn_audiodigit.nn import make_nn_pipeline  # noqa: E402

# One thread: on shared, over-subscribed CPUs two torch threads spin-wait for each
# other and run many times slower (benchmarks/README.md).
torch.set_num_threads(1)


def _tones(n=18, n_groups=3):
    """Ragged tones at 300 or 1,200 Hz with a little noise: waves, labels 0/1, speakers."""
    rng = np.random.RandomState(0)
    t = np.arange(3000) / 8000.0
    waves = np.empty(n, dtype=object)
    for i in range(n):
        f = 300.0 if i % 2 else 1200.0
        waves[i] = (
            0.5 * np.sin(2 * np.pi * f * t[: 2000 + 40 * i]) + 0.01 * rng.randn(2000 + 40 * i)
        ).astype(np.float32)
    return waves, np.arange(n) % 2, np.repeat(np.arange(n_groups), n // n_groups)


def test_pipeline_on_waveforms_with_groups():
    waves, y, groups = _tones(24, n_groups=4)
    pipe = make_nn_pipeline(
        "cnn", random_state=0, channels=(4, 8), max_epochs=4, early_stopping=True, batch_size=8
    )
    pipe.fit(waves, y, net__groups=groups)
    assert pipe.predict(waves).shape == (24,)
    scores = cross_val_score(
        make_nn_pipeline("mlp", random_state=0, hidden_layer_sizes=(8,), max_epochs=2),
        waves,
        y,
        groups=groups,
        cv=GroupKFold(2),
    )
    assert scores.shape == (2,)
    for name in ("rnn", "resnet"):
        assert make_nn_pipeline(name).steps[-1][0] == "net"
    with pytest.raises(ValueError, match="name"):
        make_nn_pipeline("transformer")


def test_make_model_cnn_trains_on_channel_copies(monkeypatch):
    from sklearn.pipeline import Pipeline

    from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier
    from sklearn_audiodigit.nn import CNNClassifier
    from sklearn_audiodigit.pipelines import make_model

    model = make_model("cnn", random_state=3, channels=(4,), max_epochs=1, batch_size=8)
    assert isinstance(model, SpeedPerturbedClassifier)
    inner = make_nn_pipeline("cnn", random_state=3, channels=(4,), max_epochs=1, batch_size=8)
    assert model.estimator.get_params()["net__channels"] == inner.get_params()["net__channels"]
    assert [s for s, _ in model.estimator.steps] == [s for s, _ in inner.steps]
    noise, room = model.augmenter
    assert noise.noise_kinds == ("pink",) and noise.rt60_range is None
    assert room.rt60_range == (0.2, 0.8) and room.snr_range is None
    assert noise.random_state == room.random_state == 3
    # the network is fitted on the clips and their two copies, groups following their clip
    seen = []
    fit = CNNClassifier.fit

    def spy(self, X, y, groups=None, **params):
        seen.append((len(X), np.asarray(groups)))
        return fit(self, X, y, groups=groups, **params)

    monkeypatch.setattr(CNNClassifier, "fit", spy)
    waves, y, groups = _tones()
    model.fit(waves, y, net__groups=groups)
    ((n_seen, seen_groups),) = seen
    assert n_seen == 3 * len(waves)
    np.testing.assert_array_equal(seen_groups, np.tile(groups, 3))
    assert model.predict(waves).shape == (len(waves),)
    # off for the cnn on request, off by default for the networks it was not measured on
    assert isinstance(make_model("cnn", channel_copies=False), Pipeline)
    for name in ("mlp", "rnn", "resnet"):
        assert isinstance(make_model(name), Pipeline)
    assert isinstance(make_model("rnn", channel_copies=True), SpeedPerturbedClassifier)


@pytest.mark.parametrize("name", ["svc", "embed-svc"])
def test_make_model_channel_copies_is_for_the_networks(name):
    from sklearn_audiodigit.pipelines import make_model

    with pytest.raises(ValueError, match="channel_copies"):
        make_model(name, channel_copies=True)
