"""Exceptions raised by sklearn-audiodigit.

Every error the library raises on purpose derives from :class:`AudioDigitError`
and from the built-in exception that fits, so ``except ValueError`` and
``except OSError`` keep working in user code.
"""

__all__ = [
    "AudioDigitError",
    "AudioLoadError",
    "AudioValueError",
    "DatasetError",
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


class DatasetError(AudioDigitError, OSError):
    """A dataset is missing, incomplete or fails verification."""
