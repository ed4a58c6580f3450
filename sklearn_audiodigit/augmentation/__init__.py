"""Waveform augmentation for any classifier on raw audio.

Functions that return perturbed copies of a batch of clips (each takes waveforms
at ``sr`` Hz and returns one float32 clip per input clip):

- the speaker: :func:`speed_perturb` (tempo, pitch and formants together),
  :func:`vtlp` (formants alone: vocal tract length), :func:`pitch_shift`;
- the channel: :func:`spectral_tilt`, :func:`random_eq` (another microphone),
  :func:`band_limit` (a telephone), :func:`reverberate` (a room; needs the
  ``augment`` extra), :func:`add_noise` (white, babble, hum at a signal-to-noise
  ratio), :func:`hard_clip`, :func:`resample_through`.

:class:`WaveformAugmenter` draws a random combination of them per clip under one
seed, and :class:`SpeedPerturbedClassifier` trains any classifier on waveforms on
speed-perturbed, tilted and randomly augmented copies of every clip, and averages
its predictions over speed-perturbed copies.
"""

from ._augmenter import WaveformAugmenter
from ._channel import (
    add_noise,
    band_limit,
    convolve_rir,
    hard_clip,
    random_eq,
    resample_through,
    reverberate,
    room_impulse_response,
)
from ._speed import SpeedPerturbedClassifier, spectral_tilt, speed_perturb
from ._voice import pitch_shift, vtlp

__all__ = [
    "speed_perturb",
    "spectral_tilt",
    "vtlp",
    "pitch_shift",
    "random_eq",
    "band_limit",
    "room_impulse_response",
    "convolve_rir",
    "reverberate",
    "add_noise",
    "hard_clip",
    "resample_through",
    "WaveformAugmenter",
    "SpeedPerturbedClassifier",
]

# Model files name classes by module path: keep the public one, which earlier
# releases (where augmentation was one module) wrote, and which loaders trust.
for _cls in (SpeedPerturbedClassifier, WaveformAugmenter):
    _cls.__module__ = __name__
del _cls
