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


def test_pipeline_on_waveforms_with_groups():
    rng = np.random.RandomState(0)
    t = np.arange(3000) / 8000.0
    waves, y = [], []
    for i in range(24):
        f = 300.0 if i % 2 else 1200.0
        n = 2000 + 40 * i  # ragged
        wave = 0.5 * np.sin(2 * np.pi * f * t[:n]) + 0.01 * rng.randn(n)
        waves.append(wave.astype(np.float32))
        y.append(i % 2)
    waves = np.array(waves + [None], dtype=object)[:-1]
    groups = np.repeat(np.arange(4), 6)
    pipe = make_nn_pipeline(
        "cnn", random_state=0, channels=(4, 8), max_epochs=4, early_stopping=True, batch_size=8
    )
    pipe.fit(waves, np.array(y), net__groups=groups)
    assert pipe.predict(waves).shape == (24,)
    scores = cross_val_score(
        make_nn_pipeline("mlp", random_state=0, hidden_layer_sizes=(8,), max_epochs=2),
        waves,
        np.array(y),
        groups=groups,
        cv=GroupKFold(2),
    )
    assert scores.shape == (2,)
    for name in ("rnn", "resnet"):
        assert make_nn_pipeline(name).steps[-1][0] == "net"
    with pytest.raises(ValueError, match="name"):
        make_nn_pipeline("transformer")
