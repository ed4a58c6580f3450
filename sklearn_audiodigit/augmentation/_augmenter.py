"""Random voice and channel copies of clips, drawn per clip under one seed."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from .._config import DEFAULT_SR
from ..utils._validation import check_waveforms
from ._channel import (
    NOISE_KINDS,
    add_noise,
    band_limit,
    convolve_rir,
    hard_clip,
    random_eq,
    room_impulse_response,
)
from ._common import check_range
from ._voice import pitch_shift, vtlp

__all__ = ["WaveformAugmenter"]

_N_ROOMS = 8


class WaveformAugmenter(BaseEstimator):
    """Draw one random voice-and-channel copy of every clip.

    Each transform is applied to each clip with probability ``p``, in this order,
    its parameter drawn uniformly from its range: vocal tract length perturbation
    (:func:`vtlp`), pitch shift (:func:`pitch_shift`), a random microphone
    equaliser (:func:`random_eq`), a room (one of 8 rooms drawn per call by
    :func:`room_impulse_response`), a band limit (:func:`band_limit`), noise
    (:func:`add_noise`: one of ``noise_kinds``, babble made of the other clips
    of the batch), clipping (:func:`hard_clip`). A transform whose parameter is
    None is off.

    It is not a transformer (a pipeline step would also alter the clips at
    prediction time): :meth:`augment` returns new training copies. Give it to
    :class:`SpeedPerturbedClassifier` (``augmenter=``, ``n_augment=``) to train any
    classifier on waveforms, the networks included, on such copies.

    Parameters
    ----------
    vtlp_range : tuple of (float, float) or None, default=(0.8, 1.25)
        Warp factors of :func:`vtlp`, within [0.5, 2] (Jaitly and Hinton, 2013;
        0.8-1.25 covers women's and children's formants from men's).
    pitch_range : tuple of (float, float) or None, default=None
        Semitones of :func:`pitch_shift`, within [-12, 12].
    rt60_range : tuple of (float, float) or None, default=(0.2, 0.6)
        Reverberation times, in seconds, within [0.05, 2]; needs pyroomacoustics
        (the ``augment`` extra).
    band : tuple of (float, float) or None, default=(300.0, 3400.0)
        Band edges of :func:`band_limit`, in Hz (the telephone band).
    eq_db : float or None, default=6.0
        Largest gain of :func:`random_eq`, in dB.
    snr_range : tuple of (float, float) or None, default=(5.0, 30.0)
        Signal-to-noise ratios of :func:`add_noise`, in dB, within [-20, 100].
    noise_kinds : tuple of str, default=("white", "babble", "hum")
        Kinds of noise, one drawn per clip; ``"babble"`` mixes other clips of the
        batch (it needs at least two clips).
    clip_range : tuple of (float, float) or None, default=(0.3, 0.9)
        Clipping levels of :func:`hard_clip`, as fractions of the peak in (0, 1].
    p : float, default=0.3
        Probability of each transform, per clip.
    sr : int, default=8000
        Sampling rate of the clips, in Hz.
    random_state : int, RandomState instance or None, default=None
        Seeds every draw: the same seed and clips give the same copies.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> aug = WaveformAugmenter(rt60_range=None, random_state=0)
    >>> copies = aug.augment(X[:4])
    >>> [len(c) == len(x) for c, x in zip(copies, X[:4])]
    [True, True, True, True]
    """

    _parameter_constraints: dict = {
        "vtlp_range": [tuple, list, None],
        "pitch_range": [tuple, list, None],
        "rt60_range": [tuple, list, None],
        "band": [tuple, list, None],
        "eq_db": [Interval(numbers.Real, 0, 40, closed="both"), None],
        "snr_range": [tuple, list, None],
        "noise_kinds": [tuple, list],
        "clip_range": [tuple, list, None],
        "p": [Interval(numbers.Real, 0, 1, closed="both")],
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        vtlp_range=(0.8, 1.25),
        pitch_range=None,
        rt60_range=(0.2, 0.6),
        band=(300.0, 3400.0),
        eq_db=6.0,
        snr_range=(5.0, 30.0),
        noise_kinds=("white", "babble", "hum"),
        clip_range=(0.3, 0.9),
        p=0.3,
        sr=DEFAULT_SR,
        random_state=None,
    ):
        self.vtlp_range = vtlp_range
        self.pitch_range = pitch_range
        self.rt60_range = rt60_range
        self.band = band
        self.eq_db = eq_db
        self.snr_range = snr_range
        self.noise_kinds = noise_kinds
        self.clip_range = clip_range
        self.p = p
        self.sr = sr
        self.random_state = random_state

    def _check_params(self):
        self._validate_params()
        ranges = {
            "vtlp_range": dict(low=0.5, high=2.0),
            "pitch_range": dict(low=-12, high=12),
            "rt60_range": dict(low=0.05, high=2.0),
            "band": dict(low=0, high=self.sr / 2, low_open=True, high_open=True),
            "snr_range": dict(low=-20, high=100),
            "clip_range": dict(low=0, high=1, low_open=True),
        }
        checked = {
            name: None
            if getattr(self, name) is None
            else check_range(name, getattr(self, name), **bounds)
            for name, bounds in ranges.items()
        }
        kinds = tuple(self.noise_kinds)
        if not kinds or any(k not in NOISE_KINDS for k in kinds):
            raise ValueError(
                f"noise_kinds must be a non-empty subset of {NOISE_KINDS}, got {self.noise_kinds!r}"
            )
        return checked, kinds

    def augment(self, X):
        """One random copy of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        X_new : ndarray of shape (n_clips,), dtype object
            One float32 1-D array per clip: of the clip's length, plus a
            reverberant tail of ``rt60 / 2`` seconds where a room was applied.

        Raises
        ------
        ValueError
            If a parameter is out of range (the message names it) or ``X`` is not
            valid waveforms.
        ImportError
            If ``rt60_range`` is set and pyroomacoustics is not installed.
        """
        ranges, kinds = self._check_params()
        clips = check_waveforms(X)
        rng = check_random_state(self.random_state)
        rooms = []
        if ranges["rt60_range"] is not None and self.p > 0:
            rooms = [
                (rt60, room_impulse_response(rt60, sr=self.sr, random_state=rng))
                for rt60 in rng.uniform(*ranges["rt60_range"], size=_N_ROOMS)
            ]
        out = np.empty(len(clips), dtype=object)
        for i, x in enumerate(clips):
            out[i] = self._one(i, x, clips, ranges, kinds, rooms, rng)
        return out

    def _one(self, i, x, clips, ranges, kinds, rooms, rng):
        def on(name):
            return ranges.get(name, True) is not None and rng.uniform() < self.p

        def draw(name):
            return rng.uniform(*ranges[name])

        if on("vtlp_range"):
            x = vtlp([x], draw("vtlp_range"), sr=self.sr)[0]
        if on("pitch_range"):
            x = pitch_shift([x], draw("pitch_range"), sr=self.sr)[0]
        if self.eq_db is not None and rng.uniform() < self.p:
            x = random_eq([x], sr=self.sr, max_gain_db=self.eq_db, random_state=rng)[0]
        if rooms and rng.uniform() < self.p:
            rt60, rir = rooms[rng.randint(len(rooms))]
            x = convolve_rir([x], rir, tail=min(rir.size - 1, round(rt60 * self.sr / 2)))[0]
        if on("band"):
            low, high = ranges["band"]
            x = band_limit([x], sr=self.sr, low_hz=low, high_hz=high)[0]
        if on("snr_range"):
            kind = kinds[rng.randint(len(kinds))]
            talkers = None
            if kind == "babble":
                # four other clips of the batch (white noise for a batch of one)
                others = np.delete(np.arange(len(clips)), i)
                if len(others):
                    picked = rng.choice(others, size=min(4, len(others)), replace=False)
                    talkers = [clips[j] for j in picked]
                else:
                    kind = "white"
            x = add_noise(
                [x],
                ranges["snr_range"],
                kind=kind,
                sr=self.sr,
                noise=talkers,
                n_talkers=4,
                random_state=rng,
            )[0]
        if on("clip_range"):
            x = hard_clip([x], draw("clip_range"))[0]
        return x
