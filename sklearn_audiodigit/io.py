"""Reading audio files into float32 waveforms."""

import math
import numbers
import os
from pathlib import Path

import numpy as np

from ._config import DEFAULT_SR
from ._docstring import fill_doc
from .exceptions import AudioLoadError, AudioTypeError
from .utils._validation import MAX_ABS_SAMPLE, check_sr

#: File extensions treated as audio by the folder loader and the CLI (lower case;
#: compare with ``Path.suffix.lower()``). Any format libsndfile reads.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".au", ".w64"}
)

__all__ = ["read_audio", "audio_info", "MAX_SAMPLES"]

#: Default of ``read_audio(max_samples=...)``: the most samples (frames x
#: channels, and frames after resampling) a file may decode to, 2**26 =
#: 67,108,864 (256 MiB as float32): 23 minutes of 48 kHz stereo, 70 minutes of
#: 16 kHz mono. It is checked against the header before anything is decoded.
MAX_SAMPLES = 1 << 26
# Files of more samples (frames x channels) than this are decoded in blocks of
# _BLOCK frames and mixed to mono block by block, so that memory follows the
# mono output rather than the file's channel count.
_BLOCKWISE = 1 << 22
_BLOCK = 1 << 16


def _check_path(path):
    """Return ``path`` as a :class:`~pathlib.Path`, or raise naming what is wrong."""
    if not isinstance(path, (str, os.PathLike)):
        raise AudioTypeError(
            f"path must be a str or os.PathLike, got {type(path).__name__}: {path!r}"
        )
    p = Path(path)
    if p.is_symlink() and not p.exists():
        raise AudioLoadError(f"{p}: dangling symbolic link (its target does not exist)")
    if not p.exists():
        raise AudioLoadError(f"{p}: no such file")
    if p.is_dir():
        raise AudioLoadError(f"{p}: is a directory, not an audio file")
    return p


def audio_info(path):
    """Read an audio file's header without decoding its samples.

    Parameters
    ----------
    path : str or os.PathLike
        Any file that libsndfile decodes (WAV of any bit depth, FLAC, OGG/Vorbis,
        MP3, AIFF, ...).

    Returns
    -------
    info : soundfile._SoundFileInfo
        With ``samplerate`` (Hz), ``frames`` (samples per channel), ``channels``,
        ``duration`` (seconds), ``format`` and ``subtype``.

    Raises
    ------
    AudioLoadError
        If the path is missing, a directory, a dangling link, or not decodable audio.
        The message names the file.
    """
    import soundfile as sf

    p = _check_path(path)
    try:
        return sf.info(str(p))
    except Exception as err:  # LibsndfileError, RuntimeError, TypeError
        size = p.stat().st_size
        what = "empty file" if size == 0 else f"not a readable audio file ({err})"
        raise AudioLoadError(f"{p}: {what}") from err


@fill_doc
def read_audio(path, *, sr=DEFAULT_SR, mono=True, max_duration=None, max_samples=MAX_SAMPLES):
    """Read an audio file as float32 samples, optionally resampled and mixed to mono.

    Decoding is done by soundfile (libsndfile), resampling by soxr (high quality),
    and channels are averaged to mono.

    Parameters
    ----------
    path : str or os.PathLike
        Audio file: WAV (PCM 8/16/24/32-bit, float, double, u-law, A-law, ADPCM),
        FLAC, OGG/Vorbis, MP3, AIFF, ... The format is read from the file's
        contents, not its extension.
    %(sr_load)s
    mono : bool, default=True
        Average all channels into one.
    max_duration : float or None, default=None
        Largest duration accepted, in seconds. It is checked against the header
        *before* the samples are decoded, so a huge file costs nothing.
    max_samples : int or None, default=MAX_SAMPLES
        Most samples the file may decode to: its frames times its channels, and
        its frames after resampling to ``sr``, each at most ``max_samples``
        (default 2**26, 256 MiB as float32). Checked against the header before
        decoding, so a file of silence that compresses to a few KB but declares
        minutes of 8 channels at 192 kHz is refused at once. ``None`` removes the
        bound. Whatever the bound, a large file is decoded in blocks and mixed to
        mono block by block, so memory follows the mono output.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_channels, n_samples), dtype float32
        Samples, nominally in [-1, 1]. Shape ``(n_samples,)`` when ``mono=True``;
        otherwise channels first, as in librosa.
    sr : int
        Sampling rate of ``y`` in Hz.

    Raises
    ------
    AudioLoadError
        (a subclass of :class:`OSError`) if the file is missing, a directory, a
        dangling link, empty, not decodable audio, has no samples, is longer than
        ``max_duration`` or decodes to more than ``max_samples``, contains NaN or
        infinite samples or samples beyond 2**31 in magnitude, or is too short to
        resample to ``sr`` (fewer samples than ``native_sr / sr``). The message
        names the file (and the bound).
    AudioTypeError
        (a :class:`TypeError`) if ``path`` is not a str or os.PathLike.
    ValueError
        If ``sr``, ``max_duration`` or ``max_samples`` is not positive.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> path = load_fsdd_sample().filenames[0]
    >>> y, sr = read_audio(path)
    >>> y.dtype, y.ndim, sr
    (dtype('float32'), 1, 8000)
    """
    import soundfile as sf

    check_sr(sr, allow_none=True)
    if max_duration is not None and max_duration <= 0:
        raise ValueError(f"max_duration must be positive seconds or None, got {max_duration!r}")
    if max_samples is not None and (
        isinstance(max_samples, bool)
        or not isinstance(max_samples, numbers.Integral)
        or max_samples <= 0
    ):
        raise ValueError(f"max_samples must be a positive int or None, got {max_samples!r}")
    info = audio_info(path)
    p = Path(path)
    if info.frames == 0:
        raise AudioLoadError(f"{p}: the file holds no samples (0 frames)")
    if info.samplerate <= 0 or info.channels <= 0:
        raise AudioLoadError(
            f"{p}: the header declares {info.channels} channel(s) at {info.samplerate} Hz"
        )
    if max_duration is not None and info.frames > max_duration * info.samplerate:
        raise AudioLoadError(
            f"{p}: duration {info.frames / info.samplerate:.1f} s exceeds "
            f"max_duration={max_duration} s"
        )
    n_out = info.frames if sr is None else math.ceil(info.frames * sr / info.samplerate)
    if max_samples is not None and max(info.frames * info.channels, n_out) > max_samples:
        raise AudioLoadError(
            f"{p}: the header declares {info.frames:,} frames x {info.channels} channel(s) at "
            f"{info.samplerate} Hz ({n_out:,} samples at {sr or info.samplerate} Hz), more than "
            f"max_samples={max_samples:,}; pass a larger max_samples (or None) to read it"
        )
    blockwise = mono and info.channels > 1 and info.frames * info.channels > _BLOCKWISE
    try:
        if blockwise:
            data, native_sr = _read_mono_blocks(p, info.frames), info.samplerate
        else:
            data, native_sr = sf.read(str(p), dtype="float32", always_2d=True)
    except AudioLoadError:
        raise
    except Exception as err:
        raise AudioLoadError(f"{p}: could not decode the samples ({err})") from err
    if data.shape[0] == 0:
        raise AudioLoadError(f"{p}: the file holds no samples (0 frames)")
    _check_samples(p, data)
    if blockwise:
        y = data
    elif mono:
        y = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    else:
        y = data.T
    if sr is not None and sr != native_sr:
        import soxr

        y = soxr.resample(y.T, native_sr, sr, quality="HQ").T
        if y.shape[-1] == 0:
            raise AudioLoadError(
                f"{p}: {data.shape[0]} sample(s) at {native_sr} Hz are too short to resample "
                f"to {sr} Hz (no sample left)"
            )
    else:
        sr = native_sr
    return np.ascontiguousarray(y, dtype=np.float32), int(sr)


def _check_samples(p, data):
    """Raise naming ``p`` if ``data`` holds NaN, infinite or out-of-range samples."""
    if not np.isfinite(data).all():
        raise AudioLoadError(f"{p}: the file contains NaN or infinite samples")
    peak = float(np.abs(data).max()) if data.size else 0.0
    if peak > MAX_ABS_SAMPLE:
        raise AudioLoadError(
            f"{p}: samples up to {peak:.3g} in magnitude, not audio (float samples are "
            f"nominally in [-1, 1]; no format holds more than {MAX_ABS_SAMPLE:.0f})"
        )


def _read_mono_blocks(p, frames):
    """Decode ``p`` in blocks, each mixed to mono at once: float32 of shape (n_frames,).

    Memory is the mono output plus one block, whatever the channel count. A block
    holding NaN, infinite or out-of-range samples stops decoding with the same
    error as a whole-file read (a mean could hide them).
    """
    import soundfile as sf

    out = np.empty(frames, dtype=np.float32)
    n = 0
    for block in sf.blocks(str(p), blocksize=_BLOCK, dtype="float32", always_2d=True):
        _check_samples(p, block)
        m = min(len(block), frames - n)
        out[n : n + m] = block[:m].mean(axis=1, dtype=np.float32)
        n += m
        if n >= frames:
            break
    return out[:n]
