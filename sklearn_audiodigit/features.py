"""Batched, vectorised spectral features equal to per-clip librosa.

Clips are processed in chunks of ``_CHUNK``; each chunk is zero-padded to its
longest clip and goes through the engine of ``sklearn_audiodigit._spectral``
(STFT power, mel or chroma projection, per-clip dB, DCT), whose results equal
per-clip librosa within ``atol=1e-4, rtol=1e-5``. Zero-padding is exact (the
frames of a clip do not change when zeros follow it), so each clip's own
``1 + n_samples // hop_length`` frames are kept; deltas, normalisation and
pooling then see only those (deltas use edge-replicated frames, which is what
``mode="nearest"`` does at the clip's own end).
"""

import inspect
import numbers
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from . import _spectral
from ._config import DEFAULT_SR
from ._docstring import fill_doc
from .exceptions import AudioValueError
from .utils._validation import validate_waveforms

__all__ = [
    "MFCCExtractor",
    "LogMelExtractor",
    "SpectrogramExtractor",
    "ChromaExtractor",
]

_STATS = ("mean", "std", "min", "max")
# exponent of compression="power": PNCC's 1/15 (Kim and Stern, IEEE/ACM TASLP 24(7), 2016)
POWER_LAW_EXPONENT = 1 / 15
_CHUNK = 64  # clips per chunk: the unit of padding, per-clip dB, deltas and pooling


@lru_cache(maxsize=256)
def _grid_weights(n_frames, n_segments):
    """(n_frames, n_segments) matrix whose column j averages segment j's frames."""
    w = np.zeros((n_frames, n_segments), dtype=np.float64)
    for j in range(n_segments):
        start = (j * n_frames) // n_segments
        stop = max(((j + 1) * n_frames) // n_segments, start + 1)
        w[start:stop, j] = 1.0 / (stop - start)
    return _spectral._readonly(w)


class _SpectralExtractor(TransformerMixin, BaseEstimator):
    """Base class: framing, chunking, deltas, pooling and feature names."""

    _prefix = "feat"

    def __setstate__(self, state):
        # Model files written before a parameter existed (``compression``, for one)
        # load with that parameter's default, which is what they computed.
        defaults = {
            name: p.default
            for name, p in inspect.signature(type(self).__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        super().__setstate__({**defaults, **state})

    _parameter_constraints: dict = {
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_fft": [Interval(numbers.Integral, 2, None, closed="left")],
        "hop_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "deltas": [Interval(numbers.Integral, 0, 2, closed="both")],
        "delta_width": [Interval(numbers.Integral, 3, None, closed="left")],
        "normalize": [StrOptions({"mean", "meanvar"}), None],
        "output": [StrOptions({"stats", "grid", "frames"})],
        "stats": [tuple, list],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
        "log_duration": ["boolean"],
        "n_jobs": [numbers.Integral, None],
    }

    # -- subclass hooks -------------------------------------------------------------
    def _n_static(self):
        raise NotImplementedError

    def _basis(self):
        """Projection of the power spectrum (n_fft // 2 + 1, k) float32, or None."""
        return None

    def _refine_kwargs(self):
        """How the engine refines weak bands: they matter above the dB floor."""
        return {"top_db": self.top_db}

    def _static_features(self, P, valid):
        """Static coefficients (n, n_frames, n_static) float32 from the projected power."""
        raise NotImplementedError

    def _check_params_extra(self):
        """Cross-parameter rules of the subclass (raise ValueError)."""

    # -- shared machinery -------------------------------------------------------------
    def _check_params(self):
        self._validate_params()
        if self.hop_length > self.n_fft:
            raise ValueError(f"hop_length={self.hop_length} must be <= n_fft={self.n_fft}")
        if self.delta_width % 2 == 0:
            raise ValueError(f"delta_width must be odd, got {self.delta_width}")
        bad = [s for s in self.stats if s not in _STATS]
        if bad or len(self.stats) == 0:
            raise ValueError(f"stats must be a non-empty subset of {_STATS}, got {self.stats!r}")
        if self.log_duration and self.output == "frames":
            raise ValueError(
                "log_duration=True appends a column to 2-D features; it cannot be used "
                "with output='frames'"
            )
        self._check_params_extra()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the input; the extractor learns nothing.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz, equal-length 2-D or ragged.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This extractor.

        Raises
        ------
        ValueError
            If a parameter is invalid (the message names it) or ``X`` is not valid
            waveforms (NaN/inf, empty, wrong dimensions).
        """
        self._check_params()
        validate_waveforms(self, X, reset=True)
        return self

    def transform(self, X):
        """Compute the features of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz. Integer PCM is scaled to [-1, 1).

        Returns
        -------
        X_new : ndarray, float32
            ``(n_clips, n_coefficients * len(stats))`` for ``output="stats"``,
            ``(n_clips, n_coefficients * n_segments)`` for ``output="grid"``,
            ``(n_clips, n_coefficients, n_frames)`` for ``output="frames"``, where
            ``n_coefficients`` counts the static coefficients times ``1 + deltas``
            and ``n_frames = 1 + n_samples // hop_length``.

        Raises
        ------
        ValueError
            If ``X`` is not valid waveforms, or ``output="frames"`` is asked of
            clips of different lengths.
        """
        self._check_params()
        X = validate_waveforms(self, X, reset=False)
        lengths = np.array([len(x) for x in X]) if isinstance(X, list) else None
        if self.output == "frames" and lengths is not None and len(set(lengths)) > 1:
            raise AudioValueError(
                "output='frames' needs clips of equal length to give a 3-D array; "
                "put PadTrim(...) before this extractor or use output='stats'/'grid'"
            )
        n = len(X)
        if lengths is None:
            order = np.arange(n)
            chunks = [order[i : i + _CHUNK] for i in range(0, n, _CHUNK)]
        else:
            order = np.argsort(lengths, kind="stable")
            chunks = [order[i : i + _CHUNK] for i in range(0, n, _CHUNK)]

        def run(idx):
            if lengths is None:
                batch = X[idx]
                n_valid = None
            else:
                L = lengths[idx]
                batch = np.zeros((len(idx), L.max()), dtype=np.float32)
                for row, i in enumerate(idx):
                    batch[row, : lengths[i]] = X[i]
                n_valid = 1 + L // self.hop_length
                if (n_valid == n_valid[0]).all():
                    n_valid = None  # the padded frames are all real
            return self._chunk_features(batch, n_valid)

        # each chunk's result goes straight into the output (and the log-duration
        # column is part of it): no list of chunk results, no second full-size copy
        first = run(chunks[0])
        extra = 1 if self.log_duration else 0
        out = np.empty((n, first.shape[1] + extra) + first.shape[2:], dtype=np.float32)
        body = out[:, : first.shape[1]] if extra else out
        body[chunks[0]] = first
        del first

        def run_into(idx):
            body[idx] = run(idx)

        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs == 1 or len(chunks) <= 2:
            for idx in chunks[1:]:
                run_into(idx)
        else:
            from joblib import Parallel, delayed

            Parallel(n_jobs=n_jobs, prefer="threads")(delayed(run_into)(i) for i in chunks[1:])
        if self.log_duration:
            n_samples = lengths if lengths is not None else np.full(n, X.shape[1])
            out[:, -1] = np.log(n_samples / float(self.sr))
        return out

    def _chunk_features(self, batch, n_valid):
        """Features of one chunk; ``n_valid`` is the real frame count per clip or None."""
        P = _spectral.power_spectrum(
            batch, self.n_fft, self.hop_length, self._basis(), **self._refine_kwargs()
        )
        n, n_frames = P.shape[:2]
        valid = None
        if n_valid is not None:
            valid = np.arange(n_frames)[None, :] < n_valid[:, None]
        # time-domain post-processing (normalisation, deltas, pooling) in float64:
        # it is cheap next to the FFT and keeps sums of ~100 frames of values near
        # 1e3 exact to well below 1e-4.
        S = self._static_features(P, valid).astype(np.float64)
        if n_valid is not None:
            # replicate each clip's last real frame: deltas then see mode="nearest"
            # at the clip's own end, and pooling can ignore the padding.
            t = np.minimum(np.arange(n_frames)[None, :], n_valid[:, None] - 1)
            S = np.take_along_axis(S, t[:, :, None], axis=1)
            counts = n_valid.astype(np.float64)
        else:
            counts = np.full(n, n_frames, dtype=np.float64)
        if self.normalize is not None:
            S = self._normalize(S, valid, counts)
        feats = [S]
        for order in range(1, self.deltas + 1):
            feats.append(_spectral.delta(S, self.delta_width, order))
        F = np.concatenate(feats, axis=2) if len(feats) > 1 else S  # (n, n_frames, C)
        if self.output == "frames":
            out = F.transpose(0, 2, 1)
        elif self.output == "grid":
            out = self._grid(F, n_valid, n_frames)
        else:
            out = self._stats(F, valid, counts)
        return np.ascontiguousarray(out, dtype=np.float32)

    def _normalize(self, S, valid, counts):
        mask = 1.0 if valid is None else valid[:, :, None]
        mean = (S * mask).sum(axis=1, keepdims=True) / counts[:, None, None]
        S = S - mean
        if self.normalize == "meanvar":
            var = (np.square(S) * mask).sum(axis=1, keepdims=True) / counts[:, None, None]
            S = S / (np.sqrt(var) + 1e-8)
        return S

    def _grid(self, F, n_valid, n_frames):
        n, _, C = F.shape
        if n_valid is None:
            W = _grid_weights(n_frames, self.n_segments)
            G = np.matmul(F.transpose(0, 2, 1), W)  # (n, C, k)
        else:
            G = np.empty((n, C, self.n_segments), dtype=np.float64)
            for i in range(n):
                W = _grid_weights(int(n_valid[i]), self.n_segments)
                G[i] = F[i, : n_valid[i]].T @ W
        return G.reshape(n, -1)

    def _stats(self, F, valid, counts):
        n, _, C = F.shape
        mask = None if valid is None else valid[:, :, None]
        out = []
        mean = None
        for stat in self.stats:
            if stat in ("mean", "std") and mean is None:
                Fm = F if mask is None else F * mask
                mean = Fm.sum(axis=1) / counts[:, None]
            if stat == "mean":
                out.append(mean)
            elif stat == "std":
                dev = np.square(F - mean[:, None, :])
                if mask is not None:
                    dev = dev * mask
                out.append(np.sqrt(dev.sum(axis=1) / counts[:, None]))
            elif stat == "min":
                out.append((F if mask is None else np.where(mask, F, np.inf)).min(axis=1))
            else:
                out.append((F if mask is None else np.where(mask, F, -np.inf)).max(axis=1))
        return np.stack(out, axis=2).reshape(n, -1)

    def _coefficient_names(self):
        static = [f"{self._prefix}{i}" for i in range(self._n_static())]
        names = list(static)
        for order in range(1, self.deltas + 1):
            names += [f"{s}_d{order}" for s in static]
        return names

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the output names depend only on the parameters).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<coef>_<stat>"`` (e.g. ``"mfcc3_mean"``, ``"mfcc3_d1_std"``) for
            ``output="stats"``, ``"<coef>_t<segment>"`` (e.g. ``"mfcc3_t5"``) for
            ``output="grid"``.

        Raises
        ------
        ValueError
            For ``output="frames"``, whose 3-D result has no feature columns.
        """
        if self.output == "frames":
            raise ValueError("output='frames' gives a 3-D array without feature names")
        coefs = self._coefficient_names()
        if self.output == "grid":
            suffixes = [f"t{j}" for j in range(self.n_segments)]
        else:
            suffixes = list(self.stats)
        names = [f"{c}_{s}" for c in coefs for s in suffixes]
        if self.log_duration:
            names.append("log_duration")
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _check_mel_range(est):
    fmax = est.sr / 2 if est.fmax is None else est.fmax
    if fmax > est.sr / 2:
        raise ValueError(f"fmax={est.fmax} Hz must be <= sr / 2 = {est.sr / 2} Hz")
    if est.fmin >= fmax:
        raise ValueError(f"fmin={est.fmin} Hz must be below fmax={fmax} Hz")
    return fmax


@fill_doc
class LogMelExtractor(_SpectralExtractor):
    """Log-mel spectrogram features (dB), batched and equal to per-clip librosa.

    Each clip's frames equal
    ``librosa.power_to_db(librosa.feature.melspectrogram(y=clip, sr=sr,
    n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax),
    top_db=top_db)`` (float32, within ``atol=1e-4`` dB + ``rtol=1e-5``),
    whatever the other clips of the batch are.

    Parameters
    ----------
    %(sr)s
    %(n_fft)s
    %(hop_length)s
    %(n_mels)s
    %(fmin)s
    %(fmax)s
    %(top_db)s
    %(compression)s
    %(deltas)s
    %(delta_width)s
    %(normalize)s
    %(output)s
    %(stats)s
    %(n_segments)s
    %(log_duration)s
    %(n_jobs)s
        Here: threads that process chunks of clips (joblib's threading backend;
        NumPy's FFT and BLAS release the GIL).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``, for 2-D input only.

    See Also
    --------
    MFCCExtractor : The DCT of these features.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.features import LogMelExtractor
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 8000)).astype(np.float32)
    >>> LogMelExtractor(output="frames").fit_transform(X).shape
    (4, 40, 101)
    """

    _prefix = "mel"
    _parameter_constraints: dict = {
        **_SpectralExtractor._parameter_constraints,
        "n_mels": [Interval(numbers.Integral, 1, None, closed="left")],
        "fmin": [Interval(numbers.Real, 0, None, closed="left")],
        "fmax": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "top_db": [Interval(numbers.Real, 0, None, closed="left"), None],
        "compression": [StrOptions({"db", "power", "pcen"})],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_fft=256,
        hop_length=80,
        n_mels=40,
        fmin=0.0,
        fmax=None,
        top_db=80.0,
        compression="db",
        deltas=0,
        delta_width=9,
        normalize=None,
        output="stats",
        stats=("mean", "std"),
        n_segments=8,
        log_duration=False,
        n_jobs=None,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_mels = n_mels
        self.fmin = fmin
        self.fmax = fmax
        self.top_db = top_db
        self.compression = compression
        self.deltas = deltas
        self.delta_width = delta_width
        self.normalize = normalize
        self.output = output
        self.stats = stats
        self.n_segments = n_segments
        self.log_duration = log_duration
        self.n_jobs = n_jobs

    def _check_params_extra(self):
        _check_mel_range(self)

    def _n_static(self):
        return self.n_mels

    def _basis(self):
        fmax = _check_mel_range(self)
        return _spectral.mel_basis(self.sr, self.n_fft, self.n_mels, self.fmin, fmax)

    def _mel_db(self, M, valid):
        if self.compression == "pcen":
            import librosa

            from .utils._librosa import librosa_errors

            # time is axis 1 of (n, n_frames, n_mels); the filter runs per clip and band
            with librosa_errors(f"compression='pcen' (sr={self.sr}, hop_length={self.hop_length})"):
                return librosa.pcen(
                    M * np.float32(2**31), sr=self.sr, hop_length=self.hop_length, axis=1
                ).astype(np.float32)
        if self.compression == "power":
            return _spectral.power_law(M, valid, POWER_LAW_EXPONENT)
        return _spectral.power_to_db(M, valid, self.top_db)

    def _static_features(self, P, valid):
        return self._mel_db(P, valid)


@fill_doc
class MFCCExtractor(LogMelExtractor):
    """Mel-frequency cepstral coefficients, batched and equal to per-clip librosa.

    Each clip's frames equal ``librosa.feature.mfcc(y=clip, sr=sr, n_mfcc=n_mfcc,
    n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax,
    top_db=top_db)`` (DCT-II, orthonormal; float32, within ``atol=1e-4`` +
    ``rtol=1e-5``), whatever the other clips of the batch are. Unlike a 2-D call of
    librosa, the ``top_db`` floor is taken against each clip's own maximum.

    Parameters
    ----------
    %(sr)s
    n_mfcc : int, default=13
        Number of cepstral coefficients kept, including c0 (the 13 of the
        classic speech front end, e.g. HTK and ETSI ES 201 108). Must be <= ``n_mels``.
    %(n_fft)s
    %(hop_length)s
    %(n_mels)s
    %(fmin)s
    %(fmax)s
    %(top_db)s
    %(compression)s
    %(deltas)s
    %(delta_width)s
    %(normalize)s
    %(output)s
    %(stats)s
    %(n_segments)s
    %(log_duration)s
    %(n_jobs)s
        Here: threads that process chunks of clips (joblib's threading backend;
        NumPy's FFT and BLAS release the GIL).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``, for 2-D input only.

    See Also
    --------
    LogMelExtractor : The same front end without the DCT.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.features import MFCCExtractor
    >>> X = np.random.default_rng(0).uniform(-0.5, 0.5, (4, 8000)).astype(np.float32)
    >>> MFCCExtractor().fit_transform(X).shape
    (4, 26)
    >>> MFCCExtractor(output="grid", n_segments=8, deltas=1).fit_transform(X).shape
    (4, 208)
    """

    _prefix = "mfcc"
    _parameter_constraints: dict = {
        **LogMelExtractor._parameter_constraints,
        "n_mfcc": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_mfcc=13,
        n_fft=256,
        hop_length=80,
        n_mels=40,
        fmin=0.0,
        fmax=None,
        top_db=80.0,
        compression="db",
        deltas=0,
        delta_width=9,
        normalize=None,
        output="stats",
        stats=("mean", "std"),
        n_segments=8,
        log_duration=False,
        n_jobs=None,
    ):
        super().__init__(
            sr=sr,
            n_fft=n_fft,
            hop_length=hop_length,
            n_mels=n_mels,
            fmin=fmin,
            fmax=fmax,
            top_db=top_db,
            compression=compression,
            deltas=deltas,
            delta_width=delta_width,
            normalize=normalize,
            output=output,
            stats=stats,
            n_segments=n_segments,
            log_duration=log_duration,
            n_jobs=n_jobs,
        )
        self.n_mfcc = n_mfcc

    def _check_params_extra(self):
        super()._check_params_extra()
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} must be <= n_mels={self.n_mels}")

    def _n_static(self):
        return self.n_mfcc

    def _static_features(self, P, valid):
        return _spectral.dct(self._mel_db(P, valid), self.n_mfcc)


@fill_doc
class SpectrogramExtractor(_SpectralExtractor):
    """Power spectrogram in dB, batched and equal to per-clip librosa.

    Each clip's frames equal ``librosa.power_to_db(np.abs(librosa.stft(clip,
    n_fft=n_fft, hop_length=hop_length)) ** 2, top_db=top_db)``: ``n_fft // 2 + 1``
    linear-frequency bins from 0 Hz to ``sr / 2``.

    Parameters
    ----------
    %(sr)s
    %(n_fft)s
    %(hop_length)s
    %(top_db)s
    %(deltas)s
    %(delta_width)s
    %(normalize)s
    %(output)s
    %(stats)s
    %(n_segments)s
    %(log_duration)s
    %(n_jobs)s
        Here: threads that process chunks of clips (joblib's threading backend;
        NumPy's FFT and BLAS release the GIL).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``, for 2-D input only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.features import SpectrogramExtractor
    >>> X = np.zeros((2, 800), dtype=np.float32)
    >>> SpectrogramExtractor(output="frames").fit_transform(X).shape
    (2, 129, 11)
    """

    _prefix = "spec"
    _parameter_constraints: dict = {
        **_SpectralExtractor._parameter_constraints,
        "top_db": [Interval(numbers.Real, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_fft=256,
        hop_length=80,
        top_db=80.0,
        deltas=0,
        delta_width=9,
        normalize=None,
        output="stats",
        stats=("mean", "std"),
        n_segments=8,
        log_duration=False,
        n_jobs=None,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.top_db = top_db
        self.deltas = deltas
        self.delta_width = delta_width
        self.normalize = normalize
        self.output = output
        self.stats = stats
        self.n_segments = n_segments
        self.log_duration = log_duration
        self.n_jobs = n_jobs

    def _n_static(self):
        return self.n_fft // 2 + 1

    def _static_features(self, P, valid):
        return _spectral.power_to_db(P, valid, self.top_db)


@fill_doc
class ChromaExtractor(_SpectralExtractor):
    """Chromagram (energy per pitch class), batched and equal to per-clip librosa.

    Each clip's frames equal ``librosa.feature.chroma_stft(y=clip, sr=sr,
    n_fft=n_fft, hop_length=hop_length, n_chroma=n_chroma, tuning=tuning)``: each
    frame scaled so that its largest pitch class is 1 (frames of pure silence stay 0).

    Parameters
    ----------
    %(sr)s
    %(n_fft)s
    %(hop_length)s
    n_chroma : int, default=12
        Number of pitch classes.
    tuning : float, default=0.0
        Tuning deviation from A440 in fractions of a chroma bin. librosa estimates
        it per clip when ``None``; speech has no tuning, so a fixed 0 is the default
        (and keeps clips independent of an estimate).
    %(deltas)s
    %(delta_width)s
    %(normalize)s
    %(output)s
    %(stats)s
    %(n_segments)s
    %(log_duration)s
    %(n_jobs)s
        Here: threads that process chunks of clips (joblib's threading backend;
        NumPy's FFT and BLAS release the GIL).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit``, for 2-D input only.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.features import ChromaExtractor
    >>> t = np.arange(8000) / 8000
    >>> X = np.sin(2 * np.pi * 440 * t)[None, :].astype(np.float32)
    >>> int(ChromaExtractor(stats=("mean",)).fit_transform(X).argmax())  # pitch class A
    9
    """

    _prefix = "chroma"
    _parameter_constraints: dict = {
        **_SpectralExtractor._parameter_constraints,
        "n_chroma": [Interval(numbers.Integral, 1, None, closed="left")],
        "tuning": [Interval(numbers.Real, -0.5, 0.5, closed="both")],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        n_fft=256,
        hop_length=80,
        n_chroma=12,
        tuning=0.0,
        deltas=0,
        delta_width=9,
        normalize=None,
        output="stats",
        stats=("mean", "std"),
        n_segments=8,
        log_duration=False,
        n_jobs=None,
    ):
        self.sr = sr
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_chroma = n_chroma
        self.tuning = tuning
        self.deltas = deltas
        self.delta_width = delta_width
        self.normalize = normalize
        self.output = output
        self.stats = stats
        self.n_segments = n_segments
        self.log_duration = log_duration
        self.n_jobs = n_jobs

    def _n_static(self):
        return self.n_chroma

    def _basis(self):
        return _spectral.chroma_basis(self.sr, self.n_fft, self.n_chroma, float(self.tuning))

    def _refine_kwargs(self):
        # each frame is scaled by its strongest class: float32 errors of weak
        # classes are far below 1e-4 there, no float64 refinement is needed
        return {"refine": False}

    def _static_features(self, C, valid):
        norm = np.abs(C).max(axis=2, keepdims=True)
        norm[norm < np.finfo(np.float32).tiny] = 1.0
        return C / norm
