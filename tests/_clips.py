"""Small array helpers shared by the augmentation tests."""

import numpy as np


def _rms(x):
    """Root mean square of a clip, in float64."""
    return float(np.sqrt(np.mean(np.square(x.astype(np.float64)))))


def _same(a, b):
    """Two lists of clips are equal, clip by clip."""
    return len(a) == len(b) and all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
