"""The data contract, in code.

- A batch of **waveforms** is either a 2-D float array ``(n_clips, n_samples)`` of
  equal-length mono clips, or a list / 1-D object array of 1-D arrays of any length
  ("ragged"). Samples are float32, nominally in [-1, 1].
- Integer PCM arrays are scaled to [-1, 1) by the full range of their dtype
  (``int16`` by 1/32768), as soundfile and ``librosa.util.buf_to_float`` do.
- Every estimator whose result depends on the sampling rate takes ``sr`` in Hz.
"""

import numbers

import numpy as np
from sklearn.utils.validation import validate_data

from ..exceptions import AudioValueError

__all__ = ["is_ragged", "check_waveforms", "validate_waveforms", "check_sr"]


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
    """Scale factor that maps an integer PCM dtype onto [-1, 1)."""
    if np.issubdtype(dtype, np.signedinteger):
        return 1.0 / float(2 ** (8 * dtype.itemsize - 1))
    if np.issubdtype(dtype, np.unsignedinteger):
        return None  # handled with an offset, see _to_float
    return 1.0


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
    arr = _to_float(arr)
    if not np.isfinite(arr).all():
        raise AudioValueError(f"clip {index} contains NaN or infinite samples")
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
                "this operation needs equal-length clips as a 2-D array; "
                "put PadTrim before it"
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
    return np.stack([_check_clip(x, i) for i, x in enumerate(arr)]) if arr.dtype == object \
        else _check_2d(arr)


def _check_2d(arr):
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) or np.iscomplexobj(arr):
        raise AudioValueError(f"waveforms have dtype {arr.dtype}; expected real numbers")
    out = _to_float(arr)
    if not np.isfinite(out).all():
        raise AudioValueError("waveforms contain NaN or infinite samples")
    return out


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
    if is_ragged(X):
        clips = check_waveforms(X, allow_ragged=allow_ragged)
        if reset and hasattr(estimator, "n_features_in_"):
            del estimator.n_features_in_
        return clips
    int_dtype = getattr(X, "dtype", None)
    scale = None
    if int_dtype is not None and isinstance(int_dtype, np.dtype):
        if np.issubdtype(int_dtype, np.integer):
            scale = int_dtype
    Xv = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=[np.float32, np.float64],
        ensure_all_finite=True,
        ensure_min_samples=1,
        ensure_min_features=1,
    )
    if scale is not None:
        Xv = _to_float(np.asarray(X))
    return np.asarray(Xv, dtype=np.float32)


def check_sr(sr, name="sr"):
    """Check a sampling rate and return it as a positive number of Hz.

    Parameters
    ----------
    sr : int or float
        Sampling rate in Hz.
    name : str, default="sr"
        Parameter name used in the error message.

    Returns
    -------
    sr : int or float
        The same rate.

    Raises
    ------
    ValueError
        If ``sr`` is not a positive finite number.
    """
    if isinstance(sr, bool) or not isinstance(sr, numbers.Real) or not np.isfinite(sr) or sr <= 0:
        raise AudioValueError(f"{name} must be a positive number of Hz, got {sr!r}")
    return sr
