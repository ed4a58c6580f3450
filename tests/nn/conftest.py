"""Fixtures of the networks' tests (need torch and skorch)."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def fsdd_frames():
    """Log-mel frames (dB, 45 dB floor) of 16 real clips of the bundled sample."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sklearn_audiodigit.datasets import load_fsdd_sample
    from sklearn_audiodigit.nn import make_nn_pipeline

    bunch = load_fsdd_sample()
    front = make_nn_pipeline("cnn")[:-1]
    X = front.fit_transform(bunch.data[:16])
    return torch.from_numpy(np.ascontiguousarray(X))
