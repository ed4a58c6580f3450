"""Transforms of the channel: room, noise, band, microphone, clipping and resampling."""

import numpy as np
from sklearn.utils import check_random_state

from .._config import DEFAULT_SR
from ..utils._librosa import librosa_errors
from ..utils._validation import check_sr, check_waveforms
from ._common import apply_per_clip, check_number, check_range, fill_doc, fit_peak

__all__ = [
    "room_impulse_response",
    "convolve_rir",
    "reverberate",
    "add_noise",
    "band_limit",
    "random_eq",
    "hard_clip",
    "resample_through",
]

NOISE_KINDS = ("white", "pink", "babble", "hum")
# resamplers of librosa.resample that need no package beyond soxr and scipy
RES_TYPES = ("soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "polyphase", "fft", "linear")


def _import_pyroomacoustics():
    try:
        import pyroomacoustics
    except ImportError as err:
        raise ImportError(
            "reverberation needs pyroomacoustics; install the 'augment' extra: "
            "pip install 'sklearn-audiodigit[augment]'"
        ) from err
    return pyroomacoustics


def room_impulse_response(rt60, *, sr=DEFAULT_SR, random_state=None):
    """Impulse response of a random shoebox room, simulated by pyroomacoustics.

    The room's size is drawn in 3-8 x 2.5-6 x 2.4-3.5 m, its walls' absorption and
    the image-source order come from Sabine's formula for ``rt60``
    (``pyroomacoustics.inverse_sabine``), and the source and the microphone are
    placed at random at least 0.5 m from the walls. The samples before the direct
    path are dropped and the response is normalised to a peak of 1.

    Parameters
    ----------
    rt60 : float
        Reverberation time (60 dB decay), in seconds, in [0.05, 2].
    sr : int, default=8000
        Sampling rate of the response, in Hz.
    random_state : int, RandomState instance or None, default=None
        Draws the room and the positions.

    Returns
    -------
    rir : ndarray of shape (n_taps,), dtype float32
        The impulse response at ``sr`` Hz.

    Raises
    ------
    ValueError
        If ``rt60`` or ``sr`` is out of range.
    ImportError
        If pyroomacoustics (the ``augment`` extra) is not installed.
    """
    rt60 = check_number("rt60", rt60, low=0.05, high=2.0)
    sr = check_sr(sr)
    pra = _import_pyroomacoustics()
    rng = check_random_state(random_state)
    room_dim = rng.uniform([3.0, 2.5, 2.4], [8.0, 6.0, 3.5])
    absorption, max_order = pra.inverse_sabine(rt60, room_dim)
    room = pra.ShoeBox(
        room_dim, fs=int(sr), materials=pra.Material(absorption), max_order=max_order
    )
    margin = 0.5
    room.add_source(rng.uniform(margin, room_dim - margin))
    room.add_microphone(rng.uniform(margin, room_dim - margin))
    room.compute_rir()
    h = np.asarray(room.rir[0][0], dtype=np.float64)
    h = h[int(np.argmax(np.abs(h))) :]
    return (h / np.abs(h).max()).astype(np.float32)


def convolve_rir(X, rir, *, tail=None):
    """Convolve every clip with an impulse response, keeping its peak level.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
        Waveforms.
    rir : array-like of shape (n_taps,)
        Impulse response at the clips' rate.
    tail : int or None, default=None
        Samples of reverberant tail kept after each clip's end; None keeps all
        ``n_taps - 1``.

    Returns
    -------
    X_new : ndarray of shape (n_clips,), dtype object
        One float32 1-D array per clip, ``n_samples + tail`` long, scaled to the
        clip's own peak.

    Raises
    ------
    ValueError
        If ``rir`` is not a non-empty finite 1-D array or ``tail`` is negative.
    """
    from scipy.signal import fftconvolve

    h = np.asarray(rir, dtype=np.float64)
    if h.ndim != 1 or h.size == 0 or not np.isfinite(h).all() or not np.abs(h).max() > 0:
        raise ValueError("rir must be a non-empty, finite, non-zero 1-D array")
    tail = h.size - 1 if tail is None else int(check_number("tail", tail, low=0))

    def conv(i, x):
        y = fftconvolve(x.astype(np.float64), h)[: len(x) + tail]
        peak_in, peak_out = np.abs(x).max(), np.abs(y).max()
        return y * (peak_in / peak_out) if peak_out > 0 else y

    return apply_per_clip(X, conv)


@fill_doc
def reverberate(X, rt60, *, sr=DEFAULT_SR, random_state=None):
    """Play every clip in one random room (pyroomacoustics' image-source model).

    One room is drawn by :func:`room_impulse_response` for the whole call (a call
    is one room; draw several calls, or use :class:`WaveformAugmenter`, for
    several). Each clip keeps its peak level and gains a tail of ``rt60 / 2``
    seconds (about 30 dB of decay).

    Parameters
    ----------
    %(X)s
    rt60 : float
        Reverberation time of the room, in seconds, in [0.05, 2]: 0.2-0.4 s for
        a furnished living room, 0.6-1 s for a classroom or an office with hard walls.
    %(sr)s
    random_state : int, RandomState instance or None, default=None
        Draws the room and the positions.

    Returns
    -------
    X_new : ndarray of shape (n_clips,), dtype object
        One float32 1-D array per clip, ``round(rt60 * sr / 2)`` samples longer
        (at most the response's length).

    Raises
    ------
    ValueError
        If ``rt60`` or ``sr`` is out of range or ``X`` is not valid waveforms.
    ImportError
        If pyroomacoustics (the ``augment`` extra) is not installed.
    """
    rir = room_impulse_response(rt60, sr=sr, random_state=random_state)
    return convolve_rir(X, rir, tail=min(rir.size - 1, round(rt60 * sr / 2)))


def _noise(kind, n, sr, rng, noise, n_talkers, hum_hz):
    if kind == "white":
        return rng.standard_normal(n)
    if kind == "pink":
        # 1/f power: white noise shaped in the frequency domain (DC left at the 1 Hz bin's gain)
        spec = np.fft.rfft(rng.standard_normal(n))
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        return np.fft.irfft(spec / np.sqrt(f), n)
    if kind == "hum":
        t = np.arange(n) / sr
        harmonics = [k for k in range(1, 8) if k * hum_hz < sr / 2]
        return sum(
            np.sin(2 * np.pi * k * hum_hz * t + rng.uniform(0, 2 * np.pi)) / k for k in harmonics
        )
    # babble: talkers drawn from ``noise``, each looped to the length, random start
    out = np.zeros(n)
    for j in rng.choice(len(noise), size=min(n_talkers, len(noise)), replace=False):
        talker = noise[j].astype(np.float64)
        looped = np.resize(np.roll(talker, -rng.randint(len(talker))), n)
        out += looped / (np.sqrt(np.mean(looped**2)) + 1e-12)
    return out


@fill_doc
def add_noise(
    X,
    snr_db,
    *,
    kind="white",
    sr=DEFAULT_SR,
    noise=None,
    n_talkers=4,
    hum_hz=50.0,
    random_state=None,
):
    """Add noise to every clip at a signal-to-noise ratio.

    The clip's power is its mean square over the whole clip; the noise is scaled
    to ``snr_db`` dB below it. A clip whose sum would exceed 1 in magnitude is
    scaled down (the ratio is kept).

    Parameters
    ----------
    %(X)s
    snr_db : float or tuple of (float, float)
        Signal-to-noise ratio in dB, in [-20, 100]; a ``(low, high)`` pair draws
        one ratio per clip, uniformly.
    kind : {"white", "pink", "babble", "hum"}, default="white"
        ``"white"``: Gaussian white noise. ``"pink"``: noise of power ``1/f``
        (3 dB less per octave: most environmental and fan noise is closer to it
        than to white). ``"babble"``: the sum of
        ``n_talkers`` clips drawn from ``noise`` (other speakers), each looped
        to the clip's length from a random start and normalised to the same power.
        ``"hum"``: mains hum, ``hum_hz`` and its harmonics below the Nyquist
        frequency with amplitudes ``1/k`` and random phases.
    sr : int, default=8000
        Sampling rate of ``X`` (and of ``noise``), in Hz.
    noise : sequence of 1-D arrays or None, default=None
        Recordings of other speakers at ``sr`` Hz, needed by ``kind="babble"``.
    n_talkers : int, default=4
        Number of talkers of the babble.
    hum_hz : float, default=50.0
        Mains frequency of the hum, in Hz (50 in Europe, 60 in North America).
    random_state : int, RandomState instance or None, default=None
        Draws the noise (and the ratios, for a pair).

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If a parameter is out of range (the message names it), ``kind="babble"``
        comes without ``noise``, or ``X`` is not valid waveforms.
    """
    if isinstance(snr_db, tuple | list):
        low, high = check_range("snr_db", snr_db, low=-20, high=100)
    else:
        low = high = check_number("snr_db", snr_db, low=-20, high=100)
    if kind not in NOISE_KINDS:
        raise ValueError(f"kind must be one of {NOISE_KINDS}, got {kind!r}")
    sr = check_sr(sr)
    if kind == "babble":
        if noise is None:
            raise ValueError("kind='babble' needs noise: recordings of other speakers")
        noise = check_waveforms(noise)
    n_talkers = int(check_number("n_talkers", n_talkers, low=1))
    hum_hz = check_number("hum_hz", hum_hz, low=0, high=sr / 2, low_open=True, high_open=True)
    rng = check_random_state(random_state)

    def noisy(i, x):
        snr = rng.uniform(low, high)
        n = _noise(kind, len(x), sr, rng, noise, n_talkers, hum_hz)
        p_signal = np.mean(x.astype(np.float64) ** 2)
        p_noise = np.mean(n**2)
        if p_signal == 0 or p_noise == 0:
            return x
        return fit_peak(x + n * np.sqrt(p_signal / (p_noise * 10 ** (snr / 10))))

    return apply_per_clip(X, noisy)


@fill_doc
def band_limit(X, *, sr=DEFAULT_SR, low_hz=300.0, high_hz=3400.0, order=4):
    """Keep a frequency band: a Butterworth band-pass, high-pass or low-pass filter.

    The defaults are the telephone band of ITU-T G.712 (300-3,400 Hz). The filter
    is causal (``scipy.signal.sosfilt``) as a real channel is.

    Parameters
    ----------
    %(X)s
    %(sr)s
    low_hz : float or None, default=300.0
        Lower edge (-3 dB), in Hz; None keeps the low frequencies (a low-pass).
    high_hz : float or None, default=3400.0
        Upper edge (-3 dB), in Hz, below ``sr / 2``; None keeps the high
        frequencies (a high-pass).
    order : int, default=4
        Order of the Butterworth filter (per edge).

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If the edges are outside (0, sr / 2), ``low_hz >= high_hz``, both are None,
        ``order`` is not positive, or ``X`` is not valid waveforms.
    """
    from scipy.signal import butter, sosfilt

    sr = check_sr(sr)
    nyq = sr / 2
    order = int(check_number("order", order, low=1, high=20))
    if low_hz is not None:
        low_hz = check_number("low_hz", low_hz, low=0, high=nyq, low_open=True, high_open=True)
    if high_hz is not None:
        high_hz = check_number("high_hz", high_hz, low=0, high=nyq, low_open=True, high_open=True)
    if low_hz is None and high_hz is None:
        raise ValueError("low_hz and high_hz cannot both be None")
    if low_hz is not None and high_hz is not None:
        if low_hz >= high_hz:
            raise ValueError(f"low_hz={low_hz} must be below high_hz={high_hz}")
        sos = butter(order, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos")
    elif low_hz is not None:
        sos = butter(order, low_hz, btype="highpass", fs=sr, output="sos")
    else:
        sos = butter(order, high_hz, btype="lowpass", fs=sr, output="sos")
    return apply_per_clip(X, lambda i, x: sosfilt(sos, x.astype(np.float64)))


@fill_doc
def random_eq(X, *, sr=DEFAULT_SR, max_gain_db=6.0, n_bands=6, random_state=None):
    """Filter every clip with a random smooth equaliser (another microphone).

    For each clip, gains drawn uniformly in ``[-max_gain_db, max_gain_db]`` dB at
    ``n_bands`` log-spaced frequencies from 100 Hz to the Nyquist frequency are
    interpolated into a linear-phase FIR filter of about 16 ms
    (``scipy.signal.firwin2``), applied without delay.

    Parameters
    ----------
    %(X)s
    %(sr)s
    max_gain_db : float, default=6.0
        Largest boost or cut, in dB, in [0, 40].
    n_bands : int, default=6
        Number of frequencies with a drawn gain, in [2, 64].
    random_state : int, RandomState instance or None, default=None
        Draws the gains.

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If a parameter is out of range (the message names it) or ``X`` is not
        valid waveforms.
    """
    from scipy.signal import fftconvolve, firwin2

    sr = check_sr(sr)
    max_gain_db = check_number("max_gain_db", max_gain_db, low=0, high=40)
    n_bands = int(check_number("n_bands", n_bands, low=2, high=64))
    rng = check_random_state(random_state)
    nyq = sr / 2
    numtaps = int(0.016 * sr) | 1
    centres = np.geomspace(min(100.0, nyq / 4), nyq, n_bands) / nyq

    def eq(i, x):
        gains_db = rng.uniform(-max_gain_db, max_gain_db, n_bands)
        freq = np.concatenate([[0.0], centres[:-1], [1.0]])
        gain = 10 ** (np.concatenate([gains_db[:1], gains_db]) / 20)
        h = firwin2(numtaps, freq, gain)
        y = fftconvolve(x.astype(np.float64), h, mode="same")
        return fit_peak(y)

    return apply_per_clip(X, eq)


@fill_doc
def hard_clip(X, ratio):
    """Clip every clip at ``ratio`` times its own peak (an overdriven input).

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
        Waveforms.
    ratio : float
        Clipping level as a fraction of each clip's peak, in (0, 1]; 1 returns
        the clips unchanged.

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If ``ratio`` is not in (0, 1] or ``X`` is not valid waveforms.

    Examples
    --------
    >>> import numpy as np
    >>> hard_clip([np.array([0.0, 0.5, -1.0], dtype=np.float32)], 0.4)[0]
    array([ 0. ,  0.4, -0.4], dtype=float32)
    """
    ratio = check_number("ratio", ratio, low=0, high=1, low_open=True)

    def clip(i, x):
        level = ratio * np.abs(x).max()
        return np.clip(x, -level, level)

    return apply_per_clip(X, clip)


@fill_doc
def resample_through(X, through_sr, *, sr=DEFAULT_SR, res_type="soxr_hq"):
    """Resample every clip to ``through_sr`` and back to ``sr``.

    What a recording made at one rate goes through when it is read at another; with
    a coarser ``res_type`` (``"polyphase"``, ``"kaiser_fast"``) it also adds that
    resampler's imaging and aliasing.

    Parameters
    ----------
    %(X)s
    through_sr : int
        The intermediate rate, in Hz.
    %(sr)s
    res_type : {"soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "polyphase", "fft", \
"linear"}, default="soxr_hq"
        Resampler of :func:`librosa.resample`, both ways.

    Returns
    -------
    %(X_same)s

    Raises
    ------
    ValueError
        If a rate is not positive, ``res_type`` is unknown, or ``X`` is not
        valid waveforms.
    """
    import librosa

    sr = check_sr(sr)
    through_sr = check_sr(through_sr, name="through_sr")
    if res_type not in RES_TYPES:
        raise ValueError(f"res_type must be one of {RES_TYPES}, got {res_type!r}")

    def through(i, x):
        with librosa_errors(f"resample_through (sr={sr}, through_sr={through_sr})"):
            y = librosa.resample(x, orig_sr=sr, target_sr=through_sr, res_type=res_type)
            y = librosa.resample(y, orig_sr=through_sr, target_sr=sr, res_type=res_type)
        y = np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]
        return fit_peak(y)

    return apply_per_clip(X, through)
