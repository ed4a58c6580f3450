"""Helpers shared by the waveform transforms: per-clip application and parameter checks."""

import numbers

import numpy as np

from .._docstring import Substitution
from ..utils._validation import check_waveforms

# parameter and return descriptions shared by the transforms' docstrings
_DOCS = {
    "X": """X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
        Waveforms at ``sr`` Hz.""",
    "sr": """sr : int, default=8000
        Sampling rate of ``X``, in Hz.""",
    "X_same": """X_new : ndarray of shape (n_clips,), dtype object
        One float32 1-D array per clip, of the clip's length.""",
}


#: The package's docstring substitution with the transforms' own X, sr and X_same.
fill_doc = Substitution(**_DOCS)


def apply_per_clip(X, func):
    """``func(i, clip)`` for every validated clip, as an object array of float32 clips."""
    clips = check_waveforms(X)
    out = np.empty(len(clips), dtype=object)
    for i, x in enumerate(clips):
        out[i] = np.ascontiguousarray(func(i, x), dtype=np.float32)
    return out


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a float within the bounds, else a ValueError naming ``name``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        interval = f"{'(' if low_open else '['}{lo}, {hi}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return float(value)


def check_range(name, value, **bounds):
    """A ``(low, high)`` pair of numbers within the bounds with ``low <= high``."""
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair of numbers, got {value!r}") from None
    low = check_number(name, low, **bounds)
    high = check_number(name, high, **bounds)
    if low > high:
        raise ValueError(f"{name} must have low <= high, got {value!r}")
    return low, high


def frame_size(sr):
    """A power-of-two FFT size of about 32 ms at ``sr`` (256 samples at 8 kHz)."""
    return int(2 ** np.ceil(np.log2(0.032 * sr)))


def fit_peak(y):
    """``y`` scaled down to a peak of 1 when it exceeds it (keeps the data contract)."""
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    return y / peak if peak > 1.0 else y
