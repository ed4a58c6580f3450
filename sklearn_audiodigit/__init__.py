"""sklearn-audiodigit: spoken-digit recognition as scikit-learn estimators.

Raw audio is just another kind of ``X``: file paths and waveforms go through
scikit-learn transformers (reading, resampling, trimming, padding, MFCC and
log-mel features) into any scikit-learn classifier, and are evaluated with
speaker-grouped cross-validation.

The neural networks live in :mod:`sklearn_audiodigit.nn` and need the ``[nn]``
extra (torch, skorch); importing this package does not import torch.
"""

__version__ = "0.1.0.dev0"

from .exceptions import (
    AudioDigitError,
    AudioLoadError,
    AudioTypeError,
    AudioValueError,
    DatasetError,
    ModelFileError,
    UntrustedModelError,
)
from .features import ChromaExtractor, LogMelExtractor, MFCCExtractor, SpectrogramExtractor
from .io import read_audio
from .persistence import load_model, save_model
from .pipelines import make_model, make_svc_pipeline
from .preprocessing import AudioReader, PadTrim, PeakNormalizer, Resampler, TrimSilence

__all__ = [
    "__version__",
    "read_audio",
    "AudioReader",
    "Resampler",
    "TrimSilence",
    "PadTrim",
    "PeakNormalizer",
    "MFCCExtractor",
    "LogMelExtractor",
    "SpectrogramExtractor",
    "ChromaExtractor",
    "make_model",
    "make_svc_pipeline",
    "save_model",
    "load_model",
    "AudioDigitError",
    "AudioLoadError",
    "AudioTypeError",
    "AudioValueError",
    "DatasetError",
    "ModelFileError",
    "UntrustedModelError",
]
