"""Spoken-digit datasets: the bundled FSDD sample and the full FSDD download.

:func:`load_fsdd_sample` reads the 300-recording sample of the Free Spoken Digit
Dataset that ships with the package; :func:`fetch_fsdd` downloads the full dataset
(3,000 recordings) once into :func:`get_data_home` and verifies it;
:func:`fetch_audiomnist` does the same for AudioMNIST (30,000 recordings, 60
speakers, with their gender, age, accent and recording room). All return a
:class:`~sklearn.utils.Bunch` of ragged float32 waveforms with the digit as
``target`` and the ``speaker`` for grouped cross-validation.
"""

from ._audiomnist import (
    AUDIOMNIST_PATTERN,
    AUDIOMNIST_URL,
    AudioMNISTSplit,
    clean_audiomnist_metadata,
    fetch_audiomnist,
)
from ._base import FSDD_PATTERN, get_data_home, parse_fsdd_filename
from ._folder import FILENAME_PATTERNS, load_audio_folder
from ._fsdd import fetch_fsdd, load_fsdd_sample

__all__ = [
    "load_fsdd_sample",
    "fetch_fsdd",
    "fetch_audiomnist",
    "AudioMNISTSplit",
    "clean_audiomnist_metadata",
    "AUDIOMNIST_PATTERN",
    "AUDIOMNIST_URL",
    "load_audio_folder",
    "FILENAME_PATTERNS",
    "get_data_home",
    "parse_fsdd_filename",
    "FSDD_PATTERN",
]
