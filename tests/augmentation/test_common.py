"""The transforms' shared checks (``augmentation._common``).

Every bad parameter is named; bad waveforms are refused.
"""

import numpy as np
import pytest

from sklearn_audiodigit.augmentation import (
    add_noise,
    band_limit,
    convolve_rir,
    hard_clip,
    pitch_shift,
    random_eq,
    resample_through,
    reverberate,
    vtlp,
)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda X: vtlp(X, 3.0), "alpha"),
        (lambda X: vtlp(X, 1.1, f_hi=5000.0), "f_hi"),
        (lambda X: vtlp(X, 1.1, sr=-1), "sr"),
        (lambda X: pitch_shift(X, 30), "n_steps"),
        (lambda X: add_noise(X, np.nan), "snr_db"),
        (lambda X: add_noise(X, (20, 5)), "snr_db"),
        (lambda X: add_noise(X, 10, kind="brown"), "kind"),
        (lambda X: add_noise(X, 10, kind="babble"), "babble"),
        (lambda X: add_noise(X, 10, kind="hum", hum_hz=5000), "hum_hz"),
        (lambda X: band_limit(X, low_hz=3400.0, high_hz=300.0), "low_hz"),
        (lambda X: band_limit(X, high_hz=4000.0), "high_hz"),
        (lambda X: band_limit(X, low_hz=None, high_hz=None), "low_hz"),
        (lambda X: random_eq(X, max_gain_db=-1), "max_gain_db"),
        (lambda X: random_eq(X, n_bands=1), "n_bands"),
        (lambda X: hard_clip(X, 0.0), "ratio"),
        (lambda X: resample_through(X, 0), "through_sr"),
        (lambda X: resample_through(X, 16000, res_type="nope"), "res_type"),
        (lambda X: reverberate(X, 5.0), "rt60"),
        (lambda X: convolve_rir(X, []), "rir"),
    ],
)
def test_bad_parameters_are_named(fsdd_clips, call, name):
    with pytest.raises(ValueError, match=name):
        call(fsdd_clips[:2])


def test_transforms_refuse_bad_waveforms():
    for bad in ([np.array([0.1, np.nan], dtype=np.float32)], [], ["a.wav"]):
        with pytest.raises((ValueError, TypeError)):
            band_limit(bad)
