"""Exceptions raised by sklearn-audiodigit.

Every error the library raises on purpose derives from :class:`AudioDigitError`
and from the built-in exception that fits, so ``except ValueError`` and
``except OSError`` keep working in user code.
"""

__all__ = [
    "AudioDigitError",
    "AudioLoadError",
    "AudioValueError",
    "AudioTypeError",
    "DatasetError",
    "EmbeddingModelError",
    "ModelFileError",
    "UntrustedModelError",
    "ModelVersionWarning",
    "SpeakerLeakWarning",
]


class AudioDigitError(Exception):
    """Base class of every error raised on purpose by sklearn-audiodigit."""


class AudioLoadError(AudioDigitError, OSError):
    """A file could not be read as audio.

    The message names the file and what is wrong with it (missing, a directory,
    not an audio format that libsndfile decodes, no samples, longer than the
    duration cap, ...).
    """


class AudioValueError(AudioDigitError, ValueError):
    """An array or parameter is not valid audio for the requested operation."""


class AudioTypeError(AudioDigitError, TypeError):
    """An argument has the wrong type for the operation.

    For example file paths where waveforms are expected, waveforms where file
    paths are expected, or items that are not numbers.

    The message names the parameter and the type that was found.
    """


class DatasetError(AudioDigitError, OSError):
    """A dataset is missing, incomplete or fails verification."""


class EmbeddingModelError(AudioDigitError, OSError):
    """The pretrained speech-embedding model files are missing or fail verification.

    Raised by :class:`~sklearn_audiodigit.embeddings.SpeechEmbeddingExtractor` and
    :func:`~sklearn_audiodigit.embeddings.fetch_speech_embedding`; the message says
    where the files were looked for and how to get them.
    """


class ModelFileError(AudioDigitError, ValueError):
    """A file is not a model that :func:`~sklearn_audiodigit.persistence.load_model` can load.

    Raised for a missing, empty, truncated, corrupted or foreign file, and for a
    model file whose contents do not agree with its own description. The message
    names the file.
    """


class UntrustedModelError(ModelFileError):
    """A model file would need code execution (pickle) or untrusted types to load.

    Raised for joblib/pickle files unless ``trust=True`` is passed, and for safe
    model files that refer to types outside the allow-list. The message names the
    file and what would have to be trusted.
    """


class ModelVersionWarning(UserWarning):
    """A model file was written with other versions of the libraries it depends on."""


class SpeakerLeakWarning(UserWarning):
    """A split puts the same speakers in training and test sets (optimistic scores).

    Also importable from :mod:`sklearn_audiodigit.evaluation`, where it was
    defined first; both names are the same class.
    """
