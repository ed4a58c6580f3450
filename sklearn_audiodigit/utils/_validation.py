"""The data contract, in code.

- A batch of **waveforms** is either a 2-D float array ``(n_clips, n_samples)`` of
  equal-length mono clips, or a list / 1-D object array of 1-D arrays of any length
  ("ragged"). Samples are float32, nominally in [-1, 1].
- Integer PCM arrays are scaled to [-1, 1) by the full range of their dtype
  (``int16`` by 1/32768), as soundfile and ``librosa.util.buf_to_float`` do.
- Every estimator whose result depends on the sampling rate takes ``sr`` in Hz.
  A waveform does not carry its rate: the rate belongs to the estimator (its ``sr``
  parameters, recorded in saved model files) and is converted where it is known,
  when files are read (``read_audio(path, sr=...)``, ``AudioReader``,
  ``audiodigit predict``). An estimator fitted with one rate refuses to transform
  after its rate parameters were changed; 2-D input of another length is refused
  through ``n_features_in_``.
- Samples larger than ``MAX_ABS_SAMPLE`` (2**31, beyond every PCM format) in
  magnitude are refused: they are not audio, and their power overflows float32.
- A 2-D array with more than 256 rows of at most 8 samples is refused as a
  recording in the ``(n_samples, n_channels)`` layout passed by mistake.
- Errors are :class:`~sklearn_audiodigit.exceptions.AudioValueError` (a
  ``ValueError``) or :class:`~sklearn_audiodigit.exceptions.AudioTypeError` (a
  ``TypeError``), naming the estimator, ``X`` and the clip.
"""

import numbers
import os

import numpy as np
from sklearn.utils.validation import validate_data

from ..exceptions import AudioDigitError, AudioTypeError, AudioValueError

__all__ = ["is_ragged", "check_waveforms", "validate_waveforms", "check_sr", "MAX_ABS_SAMPLE"]

#: Largest sample magnitude accepted: the range of 32-bit integer PCM.
MAX_ABS_SAMPLE = 2.0**31

#: Parameters that hold a sampling rate, checked between fit and transform.
_RATE_PARAMS = ("sr", "orig_sr", "target_sr")


def _check_magnitude(arr, where):
    """Refuse samples beyond MAX_ABS_SAMPLE (their power overflows float32)."""
    if arr.size == 0 or arr.dtype.kind not in "fc":
        return
    peak = float(np.max(np.abs(arr)))
    if peak > MAX_ABS_SAMPLE:
        raise AudioValueError(
            f"{where} has samples up to {peak:.3g} in magnitude, more than any audio format "
            f"holds ({MAX_ABS_SAMPLE:.0f}); waveforms are nominally in [-1, 1]: scale them, "
            "e.g. x / np.abs(x).max()"
        )


def _check_not_paths(X, owner):
    """Refuse strings (file paths) where waveforms are expected."""
    first = None
    if isinstance(X, np.ndarray) and X.dtype.kind in "USO" and X.size:
        first = X.flat[0]
        if X.dtype.kind == "O" and not isinstance(first, (str, bytes, os.PathLike)):
            return
    elif isinstance(X, (list, tuple)) and X:
        first = X[0]
    elif isinstance(X, (str, bytes, os.PathLike)):
        first = X
    if isinstance(first, (str, bytes, os.PathLike)):
        raise AudioTypeError(
            f"{owner}: X holds strings or file paths ({first!r}), not waveforms; read the "
            "files first with AudioReader (the first step of a pipeline) or read_audio"
        )


def _check_orientation(arr, owner):
    n_clips, n_samples = arr.shape
    if n_samples <= 8 and n_clips > 256:
        raise AudioValueError(
            f"{owner}: X has shape {arr.shape}, {n_clips} clips of {n_samples} sample(s) "
            "each, which looks like one recording in the (n_samples, n_channels) layout of "
            "soundfile; waveforms are (n_clips, n_samples): pass X.mean(axis=1)[None, :] "
            "for one mono clip"
        )


def _check_rates(estimator, reset):
    """Record the rate parameters at fit; refuse a transform after they changed."""
    rates = {k: getattr(estimator, k) for k in _RATE_PARAMS if hasattr(estimator, k)}
    if reset:
        estimator._fitted_rates = rates
        return
    fitted = getattr(estimator, "_fitted_rates", None)
    if not fitted:
        return
    changed = {k: (fitted[k], v) for k, v in rates.items() if k in fitted and fitted[k] != v}
    if changed:
        what = ", ".join(
            f"{k}={old} Hz at fit but {k}={new} Hz now" for k, (old, new) in changed.items()
        )
        raise AudioValueError(
            f"{type(estimator).__name__} was fitted with {what}; a model fitted at one "
            "sampling rate cannot transform clips of another: refit it, or resample the "
            "clips to the fitted rate (read_audio(path, sr=...), Resampler)"
        )


def is_ragged(X):
    """Whether ``X`` is a ragged batch of waveforms (a sequence of 1-D clips).

    Parameters
    ----------
    X : object
        Candidate batch.

    Returns
    -------
    ragged : bool
        True for a list, tuple or 1-D object array whose items are arrays or
        sequences (not scalars) of different lengths, or any 1-D object array of
        arrays. A 2-D numeric array, or a list of equal-length lists, is not ragged.
    """
    if isinstance(X, np.ndarray):
        if X.dtype != object or X.ndim != 1 or X.size == 0:
            return False
        return all(np.ndim(x) >= 1 for x in X)
    if isinstance(X, (list, tuple)) and len(X) > 0:
        lengths = set()
        for x in X:
            if np.ndim(x) == 0:
                return False
            lengths.add(len(x))
        return len(lengths) > 1
    return False


def _int_scale(dtype):
    """Scale factor that maps a signed integer PCM dtype onto [-1, 1)."""
    return 1.0 / float(2 ** (8 * dtype.itemsize - 1))


def _to_float(x):
    """Convert one numeric array to float32, scaling integer PCM to [-1, 1)."""
    x = np.asarray(x)
    if x.dtype == bool:
        return x.astype(np.float32)
    if np.issubdtype(x.dtype, np.unsignedinteger):
        half = 2 ** (8 * x.dtype.itemsize - 1)
        return ((x.astype(np.float64) - half) / half).astype(np.float32)
    if np.issubdtype(x.dtype, np.signedinteger):
        return (x * _int_scale(x.dtype)).astype(np.float32)
    return x.astype(np.float32, copy=False)


def _check_clip(x, index):
    """Validate and convert clip ``index`` of a ragged batch."""
    try:
        arr = np.asarray(x)
    except Exception as err:
        raise AudioValueError(f"clip {index} cannot be converted to an array: {err}") from err
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise AudioValueError(f"clip {index} is not numeric (dtype object): {err}") from err
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise AudioValueError(f"clip {index} has dtype {arr.dtype}; expected real numbers")
    if arr.ndim != 1:
        raise AudioValueError(
            f"clip {index} has shape {arr.shape}; waveforms must be mono 1-D arrays "
            "(average the channels first, e.g. read_audio(..., mono=True))"
        )
    if arr.size == 0:
        raise AudioValueError(f"clip {index} is empty (0 samples)")
    if not np.isfinite(arr).all():
        raise AudioValueError(f"clip {index} contains NaN or infinite samples")
    _check_magnitude(arr, f"clip {index}")
    arr = _to_float(arr)
    return arr


def check_waveforms(X, *, allow_ragged=True):
    """Validate a batch of waveforms without an estimator.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D array-likes
        A 2-D batch of equal-length clips or a ragged sequence of clips.
    allow_ragged : bool, default=True
        Whether a ragged batch is accepted.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples), dtype float32, or list of ndarray
        The same clips as float32 (integer PCM scaled to [-1, 1)). Ragged input
        comes back as a list of 1-D float32 arrays.

    Raises
    ------
    AudioValueError
        (a :class:`ValueError`) if the batch is empty, a clip is empty, not 1-D,
        not numeric, or holds NaN/inf; the message names the clip's index.
    """
    if is_ragged(X):
        if not allow_ragged:
            raise AudioValueError(
                "this operation needs equal-length clips as a 2-D array; put PadTrim before it"
            )
        clips = [_check_clip(x, i) for i, x in enumerate(X)]
        return clips
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise AudioValueError(
            f"waveforms must be 2-D (n_clips, n_samples) or a list of 1-D clips; "
            f"got an array of shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise AudioValueError(f"empty batch of waveforms, shape {arr.shape}")
    return (
        np.stack([_check_clip(x, i) for i, x in enumerate(arr)])
        if arr.dtype == object
        else _check_2d(arr)
    )


def _check_2d(arr):
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise AudioValueError(f"waveforms have dtype {arr.dtype}; expected real numbers")
    if not np.isfinite(arr).all():
        raise AudioValueError("waveforms contain NaN or infinite samples")
    _check_magnitude_rows(arr)
    return _to_float(arr)


def _check_magnitude_rows(arr):
    """_check_magnitude on a 2-D batch, naming the first clip that fails."""
    if arr.dtype.kind not in "fc" or arr.size == 0:
        return
    # max and -min instead of abs(): no full-size temporary for a large batch
    peaks = np.maximum(arr.max(axis=1), -arr.min(axis=1))
    bad = np.flatnonzero(peaks > MAX_ABS_SAMPLE)
    if bad.size:
        _check_magnitude(arr[bad[0]], f"clip {bad[0]} of X")


def validate_waveforms(estimator, X, *, reset, allow_ragged=True):
    """Validate waveforms for ``estimator`` (fit when ``reset=True``, else transform).

    2-D input goes through :func:`sklearn.utils.validation.validate_data`, so
    ``n_features_in_`` (the number of samples per clip) is recorded at fit and
    checked afterwards, as scikit-learn's contract requires. Ragged input is
    validated clip by clip and does not set ``n_features_in_``.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted or applied.
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D array-likes
        Waveforms.
    reset : bool
        True in ``fit``, False afterwards.
    allow_ragged : bool, default=True
        Whether a ragged batch is accepted.

    Returns
    -------
    X : ndarray of shape (n_clips, n_samples), dtype float32, or list of ndarray
        Validated float32 waveforms (integer PCM scaled to [-1, 1)).

    Raises
    ------
    ValueError
        For NaN/inf, empty input, wrong dimensions or a changed number of samples.
    """
    owner = type(estimator).__name__
    _check_rates(estimator, reset)
    if is_ragged(X):
        clips = check_waveforms(X, allow_ragged=allow_ragged)
        if reset and hasattr(estimator, "n_features_in_"):
            del estimator.n_features_in_
        return clips
    _check_not_paths(X, owner)
    int_dtype = getattr(X, "dtype", None)
    scale = None
    if int_dtype is not None and isinstance(int_dtype, np.dtype):
        if np.issubdtype(int_dtype, np.integer):
            scale = int_dtype
    try:
        Xv = validate_data(
            estimator,
            X,
            reset=reset,
            dtype=[np.float32, np.float64],
            ensure_all_finite=True,
            ensure_min_samples=1,
            ensure_min_features=1,
        )
    except AudioDigitError:
        raise
    except TypeError as err:  # e.g. a dict among the samples
        raise AudioTypeError(f"{owner}: X (waveforms): {err}") from err
    except ValueError as err:  # scikit-learn's message kept: its checks match on it
        raise AudioValueError(f"{owner}: X (waveforms): {err}") from err
    if scale is not None:
        Xv = _to_float(np.asarray(X))
    else:
        _check_magnitude_rows(np.asarray(Xv))
    Xv = np.asarray(Xv, dtype=np.float32)
    _check_orientation(Xv, owner)
    return Xv


def check_sr(sr, name="sr", *, integer=False, allow_none=False):
    """Check a sampling rate and return it as a positive number of Hz.

    The one check of a rate argument in the package: the file reader
    (:func:`~sklearn_audiodigit.io.read_audio`) takes any positive rate, the
    dataset loaders a whole number of Hz; both take ``None`` (the native rate).

    Parameters
    ----------
    sr : int, float or None
        Sampling rate in Hz.
    name : str, default="sr"
        Parameter name used in the error message.
    integer : bool, default=False
        Require a whole number of Hz (an int; ``bool`` is refused).
    allow_none : bool, default=False
        Accept ``None`` and return it unchanged.

    Returns
    -------
    sr : int, float or None
        The same rate (an int when ``integer=True``).

    Raises
    ------
    ValueError
        (an :class:`~sklearn_audiodigit.exceptions.AudioValueError`) if ``sr`` is
        not a positive finite number (a positive int with ``integer=True``), or
        ``None`` without ``allow_none``.

    Examples
    --------
    >>> from sklearn_audiodigit.utils._validation import check_sr
    >>> check_sr(8000, integer=True)
    8000
    >>> check_sr(None, allow_none=True) is None
    True
    """
    if sr is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(sr, bool) or not isinstance(sr, kind) or not np.isfinite(sr) or sr <= 0:
        what = "a positive integer number of Hz" if integer else "a positive number of Hz"
        raise AudioValueError(
            f"{name} must be {what}{' or None' if allow_none else ''}, got {sr!r}"
        )
    return int(sr) if integer else sr
