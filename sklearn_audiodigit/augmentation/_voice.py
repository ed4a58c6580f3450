"""Transforms of the voice: vocal tract length perturbation and pitch shift."""

import numpy as np

from .._config import DEFAULT_SR
from ..utils._librosa import librosa_errors
from ..utils._validation import check_sr
from ._common import apply_per_clip, check_number, fill_doc, frame_size

__all__ = ["vtlp", "pitch_shift"]


def _warp(freqs, alpha, f_hi, nyquist):
    """Jaitly and Hinton's piecewise-linear warp of frequencies (Hz) by ``alpha``."""
    boundary = f_hi * min(alpha, 1.0) / alpha
    upper = nyquist - (nyquist - f_hi * min(alpha, 1.0)) / (nyquist - boundary) * (nyquist - freqs)
    return np.where(freqs <= boundary, freqs * alpha, upper)


@fill_doc
def vtlp(X, alpha, *, sr=DEFAULT_SR, f_hi=None):
    """Vocal tract length perturbation: warp every clip's frequency axis by ``alpha``.

    The short-time spectrum of each clip (Hann window of about 32 ms, hop of a
    quarter of it) is resampled along frequency so that the energy at ``f`` moves to
    ``alpha * f`` below a boundary, and the rest of the band maps linearly onto what
    is left up to the Nyquist frequency (Jaitly and Hinton, "Vocal tract length
    perturbation (VTLP) improves speech recognition", ICML workshop 2013). The
    magnitudes are warped, each bin's phase advances at its warped instantaneous
    frequency (a phase vocoder), and the clip is rebuilt by overlap-add.
    ``alpha > 1`` raises the formants (a shorter vocal tract: women and children
    have formants about 15-25 % higher than men), ``alpha < 1`` lowers them; the
    duration does not change.

    Parameters
    ----------
    %(X)s
    alpha : float
        Warp factor in [0.5, 2]; Jaitly and Hinton draw it in [0.9, 1.1], and
        [0.8, 1.25] covers adult women and children from men's recordings. 1 returns
        the clips unchanged.
    %(sr)s
    f_hi : float or None, default=None
        Boundary frequency of the warp, in Hz, below the Nyquist frequency; None
        takes 0.6 times the Nyquist frequency (the paper's 4,800 Hz at 16 kHz).

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If ``alpha``, ``sr`` or ``f_hi`` is out of range, or ``X`` is not valid
        waveforms.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8000) / 8000
    >>> x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    >>> y = vtlp([x], 1.2)[0]
    >>> f = np.fft.rfftfreq(8000, 1 / 8000)[np.abs(np.fft.rfft(y)).argmax()]
    >>> bool(abs(f - 1200) < 20)
    True
    """
    import librosa

    alpha = check_number("alpha", alpha, low=0.5, high=2.0)
    sr = check_sr(sr)
    nyquist = sr / 2
    f_hi = (
        0.6 * nyquist
        if f_hi is None
        else check_number("f_hi", f_hi, low=0, high=nyquist, low_open=True, high_open=True)
    )
    n_fft = frame_size(sr)
    hop = n_fft // 4
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    # the source frequency of every output bin, as a fractional bin index
    source = np.interp(freqs, _warp(freqs, alpha, f_hi, nyquist), freqs) / (sr / n_fft)
    lower = np.minimum(np.floor(source).astype(int), len(freqs) - 2)
    frac = (source - lower)[:, None]

    nearest = np.rint(source).astype(int)
    bin_omega = 2 * np.pi * np.arange(len(freqs)) / n_fft  # rad/sample of every bin

    def warp_clip(i, x):
        if alpha == 1.0:
            return x
        padded = np.pad(x, (0, max(0, n_fft - len(x))))
        with librosa_errors(f"vtlp (alpha={alpha}, sr={sr})"):
            S = librosa.stft(padded.astype(np.float64), n_fft=n_fft, hop_length=hop)
        mag = np.abs(S)
        warped = (1 - frac) * mag[lower] + frac * mag[lower + 1]
        # phase vocoder: each bin's instantaneous frequency, warped, drives the
        # phase of the bin it moves to, so that a partial keeps a steady frequency
        phase = np.angle(S)
        delta = np.diff(phase, axis=1) - bin_omega[:, None] * hop
        delta = np.mod(delta + np.pi, 2 * np.pi) - np.pi
        inst_hz = (bin_omega[:, None] + delta / hop) * sr / (2 * np.pi)
        out_hz = _warp(np.clip(inst_hz[nearest], 0, nyquist), alpha, f_hi, nyquist)
        steps = out_hz * 2 * np.pi / sr * hop
        new_phase = np.cumsum(np.concatenate([phase[nearest, :1], steps], axis=1), axis=1)
        with librosa_errors(f"vtlp (alpha={alpha}, sr={sr})"):
            y = librosa.istft(
                warped * np.exp(1j * new_phase), hop_length=hop, n_fft=n_fft, length=len(padded)
            )
        return y[: len(x)]

    return apply_per_clip(X, warp_clip)


@fill_doc
def pitch_shift(X, n_steps, *, sr=DEFAULT_SR):
    """Shift every clip's pitch by ``n_steps`` semitones, keeping its duration.

    :func:`librosa.effects.pitch_shift` (a phase-vocoder time stretch then a
    resampling with soxr), with a frame of about 32 ms so that short clips are not
    padded. The whole spectrum moves, formants with the pitch, as played faster
    without getting shorter.

    Parameters
    ----------
    %(X)s
    n_steps : float
        Semitones, in [-12, 12]; positive is higher. 0 returns the clips unchanged.
    %(sr)s

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If ``n_steps`` or ``sr`` is out of range, or ``X`` is not valid waveforms.
    """
    import librosa

    n_steps = check_number("n_steps", n_steps, low=-12, high=12)
    sr = check_sr(sr)
    n_fft = frame_size(sr)

    def shift(i, x):
        if n_steps == 0:
            return x
        padded = np.pad(x, (0, max(0, n_fft - len(x))))
        with librosa_errors(f"pitch_shift (n_steps={n_steps}, sr={sr})"):
            y = librosa.effects.pitch_shift(
                padded,
                sr=sr,
                n_steps=n_steps,
                n_fft=n_fft,
                hop_length=n_fft // 4,
                res_type="soxr_hq",
            )
        return y[: len(x)]

    return apply_per_clip(X, shift)
