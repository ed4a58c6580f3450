"""The numeric engine of the spectral extractors: STFT power, mel/chroma, dB, DCT.

Clips arrive in chunks (2-D float32, zero-padded to the chunk's longest clip).
Each chunk is framed with a strided view of librosa's centred, constant-padded
signal and its frames go through window -> float32 real FFT -> ``|.|^2`` in
blocks of about ``_BLOCK_BYTES`` of frames, which stay in the CPU cache; the
power of a group of whole clips (about ``_GROUP_BYTES``) is then projected on the
mel or chroma filters, one float32 matrix product per group of filters over the
bins they cover (:func:`project`). Only the projected power of a chunk is stored.

Numerical contract (``tests/test_features.py``, ``benchmarks/bench_features.py``):
every clip's features equal per-clip librosa within ``atol=1e-4, rtol=1e-5``
(librosa's own result is float32; at MFCC c0 values near 1,000 float32's spacing
is 6e-5 to 1.2e-4, so no tighter agreement is meaningful). A float32 FFT is
accurate relative to the *frame's* energy: a band ``r`` times weaker than the
frame's strongest band comes out with a relative error of about
``1e-7 / sqrt(r)``, i.e. 4e-4 dB at ``r = 1e-7`` (measured on FSDD). So the
frames that hold a band that matters (above the dB floor the caller will apply)
and lies more than 60 dB (``_DEEP``) below the frame's total power are FFT'd
again in float64, as librosa does (its window is float64): 5 % of the frames of
FSDD at n_fft=256 / 40 mels, 20 % at n_fft=2048 / 128 mels, and still cheaper
there than a float64 FFT of every frame (measured, ``benchmarks/README.md``).
The rest of the work stays in float32, in librosa's order of operations (power,
product, ``10 * log10``, scipy's DCT), so that rounding errors are of the size
of librosa's own.

Zero-padding is exact: with librosa's ``center=True, pad_mode="constant"``
framing, the frames of a clip do not change when more zeros follow it, so a
padded chunk yields, for every clip, its ``1 + n_samples // hop_length`` librosa
frames followed by frames of zeros.
"""

import warnings
from functools import lru_cache

import numpy as np
import scipy.fft

# float32 frames per FFT block: 256 KiB (256 frames at n_fft=256); with their
# complex64 spectra they stay in a core's L2 cache (benchmarks/README.md)
_BLOCK_BYTES = 1 << 18
# float32 power per projection: about 1 MiB of whole clips, so that BLAS packs the
# filters once for many frames
_GROUP_BYTES = 1 << 20
_AMIN = 1e-10
# a band this far below its frame's total power (power ratio, 60 dB) is refined with
# a float64 FFT when it is above the dB floor; see the module docstring. With it, the
# worst element on FSDD uses 0.52-0.58 of the contract's tolerance, as with a float64
# FFT throughout; with 3e-7 (65 dB) up to 0.87
_DEEP = 1e-6


def _readonly(a):
    a.setflags(write=False)
    return a


@lru_cache(maxsize=16)
def hann(n_fft, dtype):
    """Periodic Hann window of ``n_fft`` samples (librosa's ``"hann"``), read-only."""
    n = np.arange(n_fft, dtype=np.float64)
    w = 0.5 - 0.5 * np.cos(2.0 * np.pi * n / n_fft)
    return _readonly(w.astype(dtype))


def _hz_to_mel(f):
    """Slaney's mel scale (Auditory Toolbox; librosa's ``htk=False``): linear to
    1 kHz (200/3 Hz per mel), logarithmic above (27 mels per factor 6.4)."""
    f = np.asanyarray(f, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    mels = f / (200.0 / 3)
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-300) / 1000.0) / logstep, mels)


def _mel_to_hz(m):
    """Inverse of :func:`_hz_to_mel`."""
    m = np.asanyarray(m, dtype=np.float64)
    logstep = np.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), (200.0 / 3) * m)


@lru_cache(maxsize=16)
def mel_basis(sr, n_fft, n_mels, fmin, fmax):
    """Slaney mel filters, transposed: (n_fft // 2 + 1, n_mels) float32.

    ``librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin,
    fmax=fmax)`` (triangles on Slaney's mel scale, each scaled to unit area,
    "slaney" norm), written out in librosa's operations and order so that the
    cold start of a prediction does not import librosa (~0.4 s and numba
    compilation); ``tests/test_spectral.py`` checks it equals librosa's.
    """
    fft_freqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=np.float32)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    if not np.all((mel_f[:-2] == 0) | (weights.max(axis=1) > 0)):
        warnings.warn(
            f"Empty mel filters for sr={sr}, n_fft={n_fft}, n_mels={n_mels}: some "
            "bands are zero in every frame; lower n_mels or raise n_fft.",
            UserWarning,
            stacklevel=3,
        )
    return _readonly(np.ascontiguousarray(weights.T))


@lru_cache(maxsize=16)
def _bands(basis):
    """Groups of about 8 consecutive filters and the bins they cover.

    A mel filter covers a few bins, so the full product ``P @ basis`` mostly
    multiplies zeros (at n_fft=2048 and 128 mels, 98 % of it); a product per
    group over the bins its filters cover does 4x (n_fft=256, 40 mels) to 14x
    (2048, 128) less work: 132 -> 59 ns and 2.3 -> 0.32 us per frame measured.
    Returns tuples ``(bin_start, bin_stop, filter_start, filter_stop)``.
    """
    B = basis.array
    k = B.shape[1]
    edges = np.linspace(0, k, -(-k // 8) + 1).round().astype(int)
    groups = []
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        rows = np.flatnonzero((B[:, a:b] != 0).any(axis=1))
        if len(rows) == 0:  # filters without any bin (librosa warns): all zero
            rows = np.array([0])
        groups.append((int(rows[0]), int(rows[-1]) + 1, int(a), int(b)))
    if sum((hi - lo) * (b - a) for lo, hi, a, b in groups) > 0.7 * B.size:
        return ((0, B.shape[0], 0, k),)  # dense filters (chroma): one product
    return tuple(groups)


class _Hashable:
    """A read-only array keyed by identity, for lru_cache."""

    def __init__(self, array):
        self.array = array

    def __hash__(self):
        return id(self.array)

    def __eq__(self, other):
        return isinstance(other, _Hashable) and other.array is self.array


def project(P, basis, out):
    """``out = P @ basis`` for (m, n_bins) P, product per group of filters (_bands)."""
    for lo, hi, a, b in _bands(_Hashable(basis)):
        np.matmul(P[:, lo:hi], basis[lo:hi, a:b], out=out[:, a:b])
    return out


@lru_cache(maxsize=16)
def chroma_basis(sr, n_fft, n_chroma, tuning):
    """librosa's chroma filters, transposed: (n_fft // 2 + 1, n_chroma) float32."""
    import librosa

    from .utils._librosa import librosa_errors

    what = f"chroma filters for sr={sr}, n_fft={n_fft}, n_chroma={n_chroma}, tuning={tuning}"
    with librosa_errors(what):
        basis = librosa.filters.chroma(sr=sr, n_fft=n_fft, n_chroma=n_chroma, tuning=tuning)
    return _readonly(np.ascontiguousarray(basis.T.astype(np.float32)))


def _frames(X, n_fft, hop_length):
    """(n, n_frames, n_fft) strided view of librosa's centred, zero-padded frames."""
    pad = n_fft // 2
    Xp = np.pad(X, ((0, 0), (pad, pad)))
    return np.lib.stride_tricks.sliding_window_view(Xp, n_fft, axis=1)[:, ::hop_length]


def power_spectrum(X, n_fft, hop_length, basis=None, *, top_db=None, refine=True):
    """|STFT|^2 of a 2-D batch (librosa's framing), optionally projected.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_samples), float32
        Waveforms; zeros after a clip's end do not change its frames.
    n_fft, hop_length : int
        FFT size and hop, in samples.
    basis : ndarray of shape (n_fft // 2 + 1, k), float32, or None
        Filters (mel or chroma) applied to each power spectrum; None keeps the
        ``n_fft // 2 + 1`` bins.
    top_db : float or None
        The dB floor the caller will apply below each clip's maximum: bands under
        it need no refinement. None: every band above ``amin = 1e-10`` counts.
    refine : bool
        Whether to recompute, with a float64 FFT, the frames that hold a band that
        counts and lies more than 60 dB below the frame's total power (needed for
        dB values within the contract; not for chroma).

    Returns
    -------
    S : ndarray of shape (n_clips, n_frames, k or n_fft // 2 + 1), float32
        ``n_frames = 1 + n_samples // hop_length``.
    """
    frames = _frames(X, n_fft, hop_length)
    n, n_frames = frames.shape[:2]
    n_bins = n_fft // 2 + 1
    k = n_bins if basis is None else basis.shape[1]
    window = hann(n_fft, np.float32)
    block = max(1, _BLOCK_BYTES // (4 * n_fft))  # frames per FFT block
    fb = min(n_frames, block)  # frames of one clip per block
    cb = max(1, block // n_frames)  # clips per block
    out = np.empty((n, n_frames, k), np.float32)
    if basis is None:
        gb = n  # the power is the output
        power = out
    else:
        gb = min(n, max(cb, _GROUP_BYTES // (4 * n_bins * n_frames)))
        power = np.empty((gb, n_frames, n_bins), np.float32)
    buf = np.empty((min(cb, n), fb, n_fft), np.float32)
    for g in range(0, n, gb):
        g_stop = min(g + gb, n)
        for i in range(g, g_stop, cb):
            for j in range(0, n_frames, fb):
                fr = frames[i : min(i + cb, g_stop), j : j + fb]
                c, f = fr.shape[:2]
                b = buf[:c, :f]
                np.multiply(fr, window, out=b)
                z = scipy.fft.rfft(b, axis=-1, workers=1, overwrite_x=True)
                p = power[i - g : i - g + c, j : j + f]
                np.abs(z, out=p)
                np.multiply(p, p, out=p)
        if basis is not None:
            project(power[: g_stop - g].reshape(-1, n_bins), basis, out[g:g_stop].reshape(-1, k))
    if refine:
        _refine(out, frames, basis, top_db)
    return out


def _refine(S, frames, basis, top_db):
    """Recompute with a float64 FFT the frames whose weak bands float32 blurs.

    A frame is refined when one of its bands lies between ``lo`` (the dB floor,
    less 3 dB, or half of ``amin``) and ``_DEEP`` times the frame's total power
    (the sum of its bands). The per-frame sum is a BLAS product and the "any band"
    test ORs the comparison bytes 8 at a time: numpy's reductions over a short last
    axis cost ~40 ns a frame each, as much as the rest of the test.
    """
    n, n_frames, k = S.shape
    lo = np.float32(_AMIN / 2)
    if top_db is not None:
        # bands 3 dB under the floor stay under it whatever float32 did to them
        peak = S.max(axis=(1, 2))
        lo = np.maximum(lo, (peak * (10.0 ** (-top_db / 10.0) / 2)).astype(np.float32))
        lo = lo[:, None, None]
    limit = S @ np.full(k, _DEEP, np.float32)  # (n, n_frames)
    k8 = -(-k // 8) * 8
    hit = np.zeros((n, n_frames, k8), bool)
    np.less(S, limit[:, :, None], out=hit[:, :, :k])
    hit[:, :, :k] &= S > lo
    words = hit.view(np.uint64)  # (n, n_frames, k8 // 8)
    any_hit = words[:, :, 0].copy()
    for j in range(1, k8 // 8):
        any_hit |= words[:, :, j]
    ci, fi = np.nonzero(any_hit)
    n_fft = frames.shape[-1]
    window = hann(n_fft, np.float64)
    block = max(1, _BLOCK_BYTES // (8 * n_fft))  # float64 frames per FFT block
    for start in range(0, len(ci), block):
        c, f = ci[start : start + block], fi[start : start + block]
        z = scipy.fft.rfft(frames[c, f] * window, axis=-1, overwrite_x=True)
        p = np.square(np.abs(z)).astype(np.float32)
        S[c, f] = p if basis is None else project(p, basis, np.empty((len(p), k), S.dtype))


def _clip_max(S, valid, fill):
    """Each clip's maximum over its real frames: shape (n_clips,).

    ``S`` is (n_clips, n_frames, n_bands); ``valid`` (n_clips, n_frames) bool or None
    (all real); padding frames count as ``fill``.
    """
    if valid is None:
        return S.max(axis=(1, 2))
    return np.where(valid[:, :, None], S, fill).max(axis=(1, 2))


def power_to_db(S, valid, top_db):
    """Per-clip ``librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=top_db)``.

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_frames, n_bands), float32
        Power (not modified).
    valid : ndarray of shape (n_clips, n_frames), bool, or None
        Real (not padding) frames; None when all are real. The floor is taken
        against each clip's maximum over its real frames.
    top_db : float or None
        Floor, in dB below each clip's maximum; None: no floor.

    Returns
    -------
    S_db : ndarray of shape (n_clips, n_frames, n_bands), float32
    """
    # librosa's float32 operations in librosa's order, into one new array
    D = np.maximum(S, np.float32(_AMIN))
    np.log10(D, out=D)
    np.multiply(D, np.float32(10.0), out=D)
    if top_db is not None:
        peak = _clip_max(D, valid, -np.inf)
        floor = (peak - np.float32(top_db)).astype(np.float32)
        np.maximum(D, floor[:, None, None], out=D)
    return D


def power_law(S, valid, exponent):
    """Per-clip power-law compression ``100 * (S / max(S)) ** exponent`` (PNCC's).

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_frames, n_bands), float32
        Power (not modified).
    valid : ndarray of shape (n_clips, n_frames), bool, or None
        Real (not padding) frames; None when all are real. The maximum is each
        clip's over its real frames.
    exponent : float
        The power, e.g. 1/15 (Kim and Stern, 2016).

    Returns
    -------
    S_pow : ndarray of shape (n_clips, n_frames, n_bands), float32
        In [0, 100]; a clip whose power is zero throughout gives zeros.
    """
    peak = _clip_max(S, valid, 0)
    scale = np.float32(1.0) / np.maximum(peak, np.float32(_AMIN)).astype(np.float32)
    P = np.multiply(S, scale[:, None, None], dtype=np.float32)
    np.maximum(P, 0, out=P)
    np.power(P, np.float32(exponent), out=P)
    np.multiply(P, np.float32(100.0), out=P)
    return P


def dct(S_db, n_coef):
    """Orthonormal DCT-II over the last axis, first ``n_coef`` coefficients (float32).

    scipy's float32 DCT, as ``librosa.feature.mfcc`` calls it: c0 sums all the dB
    values of a frame and reaches ~1e3, and a different summation (a float32 matrix
    product) is up to 2e-4 away from librosa's result there (measured at n_mels=128).
    """
    return scipy.fft.dct(S_db, type=2, norm="ortho", axis=-1, overwrite_x=True)[..., :n_coef]


def delta(S, width, order):
    """``librosa.feature.delta(S, width=width, order=order, mode="nearest")`` over axis 1.

    librosa applies scipy's Savitzky-Golay filter of ``polyorder = deriv =
    order``; its coefficients have a closed form, so scipy.signal (~0.4 s of a
    cold start, issue 19) is not imported: the slope of the least-squares line
    through the ``width`` frames around each frame (order 1) or twice the
    quadratic coefficient of the least-squares parabola (order 2), with the
    first and last frames repeated at the ends (``mode="nearest"``).

    Parameters
    ----------
    S : ndarray of shape (n_clips, n_frames, n_coef), float64
    width : int
        Odd number of frames, >= 3.
    order : {1, 2}

    Returns
    -------
    delta : ndarray of shape (n_clips, n_frames, n_coef), float64
    """
    h = width // 2
    k = np.arange(-h, h + 1, dtype=np.float64)
    if order == 1:
        coef = k / np.sum(k**2)
    else:
        q = k**2 - np.mean(k**2)
        coef = 2.0 * q / np.sum(q**2)
    n_frames = S.shape[1]
    Sp = np.pad(S, ((0, 0), (h, h), (0, 0)), mode="edge")
    out = coef[0] * Sp[:, :n_frames]
    for j in range(1, width):
        if coef[j] != 0.0:
            out += coef[j] * Sp[:, j : j + n_frames]
    return out
