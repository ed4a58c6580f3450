"""A process-wide cache of the features of deterministic copies of clips.

:class:`SpeedPerturbedClassifier` makes the same copies of a clip (one per speed
factor and per tilt) in every fit and prediction that sees the clip, and the
first steps of its inner pipeline (silence trimming, MFCCs: the steps tagged
``requires_fit=False``) are stateless, so the features of a copy depend only on
the clip's samples, the copy and those steps' parameters. Cross-validation fits
the classifier once per fold on overlapping training sets, which
``Pipeline(memory=...)`` cannot reuse (it keys on the whole training set); this
cache keys on each clip instead, so that every copy of every clip is featurised
once per process. It holds at most :data:`MAX_BYTES` of feature rows, least
recently used out first.
"""

import hashlib
import numbers
import os
import threading
from collections import OrderedDict

import joblib
import numpy as np

#: Upper bound of the cached feature rows, in bytes (FSDD's 3,000 clips with five
#: copies of 209 float32 features take 13 MB).
MAX_BYTES = 256 * 2**20


class _RowCache:
    """Least-recently-used mapping from keys to read-only feature rows."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._rows = OrderedDict()
        self._nbytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            row = self._rows.get(key)
            if row is not None:
                self._rows.move_to_end(key)
            return row

    def put(self, key, row):
        row = np.array(row, copy=True)
        row.setflags(write=False)
        with self._lock:
            old = self._rows.pop(key, None)
            if old is not None:
                self._nbytes -= old.nbytes
            self._rows[key] = row
            self._nbytes += row.nbytes
            while self._nbytes > self.max_bytes and self._rows:
                _, dropped = self._rows.popitem(last=False)
                self._nbytes -= dropped.nbytes

    def clear(self):
        with self._lock:
            self._rows.clear()
            self._nbytes = 0

    def __len__(self):
        return len(self._rows)


_CACHE = _RowCache(MAX_BYTES)


def clear_cache():
    """Empty the process-wide cache of copy features."""
    _CACHE.clear()


def _plain(value):
    """Whether ``value`` is data that a hash identifies: numbers, strings, paths, containers."""
    if value is None or isinstance(value, (bool, numbers.Number, str, os.PathLike)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def stateless_prefix(estimator):
    """Number of leading Pipeline steps whose output the cache may keep.

    A step counts when its ``__sklearn_tags__().requires_fit`` is False (our
    waveform transformers and feature extractors) and its parameters are plain
    data (:func:`prefix_token` must identify what it computes: a function or an
    estimator as a parameter stops the prefix). At least the last step is left
    out, and 0 is returned for anything but a :class:`~sklearn.pipeline.Pipeline`,
    or one with ``memory`` set (whose own cache would then be bypassed).
    """
    from sklearn.pipeline import Pipeline
    from sklearn.utils import get_tags

    if not isinstance(estimator, Pipeline) or estimator.memory is not None:
        return 0
    k = 0
    for _, step in estimator.steps[:-1]:
        if step is None or isinstance(step, str) or get_tags(step).requires_fit:
            break
        if not _plain(step.get_params(deep=True)):
            break
        k += 1
    return k


def prefix_token(steps):
    """Hash of the classes and (plain) parameters of ``steps``, the stateless prefix."""
    return joblib.hash(
        [
            (
                type(s).__module__,
                type(s).__qualname__,
                {
                    k: str(v) if isinstance(v, os.PathLike) else v
                    for k, v in s.get_params(deep=True).items()
                },
            )
            for s in steps
        ]
    )


def clip_digest(clip):
    """Hash of one clip's samples (dtype and length included)."""
    a = np.ascontiguousarray(clip)
    h = hashlib.blake2b(a.view(np.uint8), digest_size=16)
    h.update(f"{a.dtype.str}{a.shape}".encode())
    return h.digest()


def cached_features(transform, token, clips, specs, make_copy):
    """Features of every deterministic copy of ``clips``, computed once per process.

    Parameters
    ----------
    transform : callable
        The stateless steps' ``transform``: copies (object array of 1-D clips)
        to features of shape (n_copies, ...).
    token : str
        :func:`prefix_token` of those steps.
    clips : ndarray of shape (n_clips,), dtype object
        The original clips.
    specs : sequence of hashable
        The copies, e.g. ``("speed", 0.9, 8000)``.
    make_copy : callable
        ``make_copy(spec, clips)`` returns the copies of ``clips``.

    Returns
    -------
    features : list of ndarray, one of shape (n_clips, ...) per spec, or None
        None when the features are not a numeric array of at least 2 dimensions
        (then nothing is cached and the caller featurises as usual).
    """
    digests = [clip_digest(c) for c in clips]
    out = []
    for spec in specs:
        keys = [(token, d, spec) for d in digests]
        rows = [_CACHE.get(key) for key in keys]
        missing = [i for i, row in enumerate(rows) if row is None]
        if missing:
            sub = np.empty(len(missing), dtype=object)
            sub[:] = [clips[i] for i in missing]
            F = transform(make_copy(spec, sub))
            if not (isinstance(F, np.ndarray) and F.ndim >= 2 and F.dtype.kind in "fiu"):
                return None
            for j, i in enumerate(missing):
                rows[i] = F[j]
                _CACHE.put(keys[i], F[j])
        out.append(np.stack(rows))
    return out
