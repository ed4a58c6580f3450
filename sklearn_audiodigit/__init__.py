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

# the estimators and functions are imported on first use (PEP 562), so that
# ``import sklearn_audiodigit`` and ``audiodigit --help`` do not import
# scikit-learn, scipy or librosa (issue 19: --help in <= 0.5 s)
_LAZY = {
    "read_audio": "io",
    "AudioReader": "preprocessing",
    "Resampler": "preprocessing",
    "TrimSilence": "preprocessing",
    "PadTrim": "preprocessing",
    "PeakNormalizer": "preprocessing",
    "MFCCExtractor": "features",
    "LogMelExtractor": "features",
    "SpectrogramExtractor": "features",
    "ChromaExtractor": "features",
    "make_model": "pipelines",
    "make_svc_pipeline": "pipelines",
    "make_embed_svc_pipeline": "pipelines",
    "load_pretrained": "pretrained",
    "save_model": "persistence",
    "load_model": "persistence",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


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
    "make_embed_svc_pipeline",
    "load_pretrained",
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
