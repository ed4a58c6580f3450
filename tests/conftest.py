"""Shared fixtures: the bundled FSDD sample and synthetic signals (tones, chirps, noise)."""

import shutil
from pathlib import Path

import numpy as np
import pytest

SR = 8000


@pytest.fixture(scope="session")
def fsdd_sample():
    """The bundled 300-clip FSDD sample, loaded once per session (read-only use)."""
    from sklearn_audiodigit.datasets import load_fsdd_sample

    return load_fsdd_sample()


@pytest.fixture(scope="session")
def small_data(tmp_path_factory, fsdd_sample):
    """A folder of two takes of every digit and speaker of the bundled sample (120 clips)."""
    folder = tmp_path_factory.mktemp("data")
    for f in fsdd_sample.filenames:
        if Path(f).stem.endswith(("_0", "_1")):
            shutil.copy(f, folder)
    return folder


@pytest.fixture(scope="session")
def fsdd_clips(fsdd_sample):
    """A few real FSDD clips chosen to be awkward: shortest, longest, quietest, loudest."""
    data = fsdd_sample.data
    lengths = np.array([len(x) for x in data])
    peaks = np.array([np.abs(x).max() for x in data])
    idx = [
        int(lengths.argmin()),
        int(lengths.argmax()),
        int(peaks.argmin()),
        int(peaks.argmax()),
        17,
        150,
    ]
    idx = list(dict.fromkeys(idx))
    return [data[i] for i in idx]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def tone():
    """Factory of float32 sine tones: ``tone(freq, duration, sr, amplitude)``."""

    def make(freq=440.0, duration=0.5, sr=SR, amplitude=0.5, n_samples=None):
        n = int(round(duration * sr)) if n_samples is None else n_samples
        t = np.arange(n) / sr
        return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)

    return make


@pytest.fixture
def chirp():
    """Factory of float32 linear chirps from ``f0`` to ``f1`` Hz."""
    import scipy.signal

    def make(f0=200.0, f1=3000.0, duration=0.5, sr=SR, amplitude=0.5):
        t = np.arange(int(round(duration * sr))) / sr
        y = scipy.signal.chirp(t, f0=f0, t1=t[-1], f1=f1, method="linear")
        return (amplitude * y).astype(np.float32)

    return make


@pytest.fixture
def peak_frequency():
    """Function giving the frequency in Hz of the largest FFT bin of a clip."""

    def peak(y, sr):
        spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
        return np.fft.rfftfreq(len(y), 1 / sr)[spec.argmax()]

    return peak


# hypothesis: derandomised and small by default (CI); HYPOTHESIS_PROFILE=dev explores more
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass
else:
    import os

    settings.register_profile(
        "ci",
        derandomize=True,
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    settings.register_profile("dev", max_examples=300, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
