"""Training-time augmentation of batches of frames.

The estimators call a :class:`FrameAugmenter` on every training mini-batch (inside
``train_step_single``), never at prediction time. Everything works on a torch
tensor of frames ``(batch, n_bands, n_frames)`` (log-mel or MFCC coefficients in
dB-like units) and draws its randomness from an explicit :class:`torch.Generator`,
so that a fit is reproducible from the estimator's ``random_state``.

Waveform-level augmentations have frame-level counterparts here: a time shift is a
shift of the frames, a gain is an offset in dB, speed perturbation is a resampling
of the time axis, vocal-tract-length perturbation (VTLP) is a warp of the
frequency axis, and a different microphone or channel (a filter) is an offset per
band.
"""

import math

import torch
from sklearn.base import BaseEstimator

__all__ = [
    "FrameAugmenter",
    "channel_filter",
    "frequency_warp",
    "mixup",
    "spec_augment",
    "time_shift",
    "time_stretch",
]


def _uniform(n, low, high, generator):
    return low + (high - low) * torch.rand(n, generator=generator)


def _interpolation_matrix(pos, size):
    """Linear-interpolation matrices reading input positions ``pos``.

    Parameters
    ----------
    pos : torch.Tensor of shape (batch, size)
        Input position (fractional) read by each output position.
    size : int
        Length of the input axis.

    Returns
    -------
    matrix : torch.Tensor of shape (batch, size, size)
        ``matrix[b, i, j]`` is the weight of input ``j`` in output ``i``; rows of
        positions outside ``[0, size - 1]`` are zero.
    valid : torch.Tensor of shape (batch, size), dtype bool
        Whether each output position reads inside the input.
    """
    n = pos.shape[0]
    valid = (pos >= 0) & (pos <= size - 1)
    pos = pos.clamp(0, size - 1)
    lo = pos.floor().long().clamp(max=size - 1)
    hi = (lo + 1).clamp(max=size - 1)
    w = pos - lo.to(pos.dtype)
    matrix = torch.zeros(n, size, size, dtype=pos.dtype, device=pos.device)
    matrix.scatter_add_(2, lo[:, :, None], ((1 - w) * valid)[:, :, None])
    matrix.scatter_add_(2, hi[:, :, None], (w * valid)[:, :, None])
    return matrix, valid


def _warp_time(x, rate, shift):
    """Output frame ``i`` reads input frame ``i * rate - shift``; outside: each band's minimum."""
    t = x.shape[2]
    pos = torch.arange(t, device=x.device, dtype=x.dtype)[None, :] * rate[:, None]
    pos = pos - shift[:, None]
    matrix, valid = _interpolation_matrix(pos, t)
    out = torch.bmm(x, matrix.transpose(1, 2))
    fill = x.amin(dim=2, keepdim=True)
    return out + fill * (~valid)[:, None, :].to(x.dtype)


def time_shift(x, max_shift, *, generator=None):
    """Shift each clip in time by a random number of frames, filling with each band's minimum.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, n_bands, n_frames)
        Frames; not modified.
    max_shift : float
        Largest shift as a fraction of ``n_frames``, in [0, 1).
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of shape (batch, n_bands, n_frames)
    """
    n, _, t = x.shape
    limit = int(round(max_shift * t))
    if limit < 1:
        return x
    shifts = torch.randint(-limit, limit + 1, (n,), generator=generator).to(x)
    return _warp_time(x, torch.ones(n, dtype=x.dtype, device=x.device), shifts)


def frequency_warp(x, max_warp, *, generator=None):
    """Vocal-tract-length perturbation: stretch or compress the frequency axis.

    Each clip gets a warp factor ``alpha`` drawn uniformly from
    ``[1 - max_warp, 1 + max_warp]``; band ``i`` of the output is band ``i * alpha``
    of the input (linear interpolation, edge bands repeated). On mel frames this is
    an approximately linear warp of the mel scale, which is what changing the vocal
    tract length does to the formants.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, n_bands, n_frames)
        Frames; not modified.
    max_warp : float
        Largest relative warp, in [0, 1).
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of shape (batch, n_bands, n_frames)
    """
    if max_warp <= 0 or x.shape[1] < 2:
        return x
    f = x.shape[1]
    alpha = _uniform(x.shape[0], 1 - max_warp, 1 + max_warp, generator).to(x)
    pos = torch.arange(f, device=x.device, dtype=x.dtype)[None, :] * alpha[:, None]
    # past the top band, repeat it
    matrix, _ = _interpolation_matrix(pos.clamp(max=f - 1), f)
    return torch.bmm(matrix, x)


def time_stretch(x, max_stretch, *, generator=None):
    """Speed perturbation on frames: resample the time axis of each clip.

    The rate is drawn uniformly (in log scale) from
    ``[1 / (1 + max_stretch), 1 + max_stretch]``; a rate above 1 speaks faster
    (the digit becomes shorter and the end is filled with each band's minimum).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, n_bands, n_frames)
        Frames; not modified.
    max_stretch : float
        Largest relative speed change, >= 0.
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of shape (batch, n_bands, n_frames)
    """
    if max_stretch <= 0 or x.shape[2] < 2:
        return x
    bound = math.log1p(max_stretch)
    rate = torch.exp(_uniform(x.shape[0], -bound, bound, generator)).to(x)
    return _warp_time(x, rate, torch.zeros_like(rate))


def channel_filter(x, max_lowpass_db, max_tilt_db, *, floor_db=None, p=1.0, generator=None):
    """Random microphone/channel response: a high-band shelf and a spectral tilt, in dB.

    A linear filter is an offset per band in the log domain. Each clip gets a
    random roll-off of its upper bands (a logistic shelf, attenuation uniform in
    ``[0, max_lowpass_db]``, centred on a band uniform in the upper 60 % of the axis)
    plus a random linear tilt (difference between the top and the bottom band
    uniform in ``[-max_tilt_db, max_tilt_db]``). Recordings of different speakers
    differ most in this way (FSDD: how much energy the microphone kept above about
    2 kHz, which is where the fricative of "six" is).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, n_bands, n_frames)
        Log-mel frames in dB (lowest band first); not modified.
    max_lowpass_db : float
        Largest attenuation of the shelf, in dB, >= 0.
    max_tilt_db : float
        Largest tilt, in dB from the bottom to the top band, >= 0.
    floor_db : float or None, default=None
        If given, the filtered clip is clipped again at ``floor_db`` below its
        (new) maximum, as :class:`~sklearn_audiodigit.features.LogMelExtractor`'s
        ``top_db`` clipped the original.
    p : float, default=1.0
        Probability that a clip is filtered.
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of shape (batch, n_bands, n_frames)
    """
    n, f = x.shape[0], x.shape[1]
    if (max_lowpass_db <= 0 and max_tilt_db <= 0) or f < 2 or p <= 0:
        return x
    band = torch.arange(f, dtype=x.dtype, device=x.device).view(1, f, 1)
    depth = _uniform(n, 0.0, max_lowpass_db, generator).to(x).view(n, 1, 1)
    cutoff = _uniform(n, 0.4 * f, float(f), generator).to(x).view(n, 1, 1)
    tilt = _uniform(n, -max_tilt_db, max_tilt_db, generator).to(x).view(n, 1, 1)
    gain = -depth * torch.sigmoid((band - cutoff) / 2.0) + tilt * (band / (f - 1) - 0.5)
    y = x + gain
    if floor_db is not None:
        y = torch.maximum(y, y.amax(dim=(1, 2), keepdim=True) - floor_db)
    if p >= 1.0:
        return y
    on = (torch.rand(n, generator=generator) < p).to(x.device).view(n, 1, 1)
    return torch.where(on, y, x)


def _mask(x, max_width, n_masks, axis, generator):
    size = x.shape[axis]
    max_width = min(int(max_width), size)
    if max_width < 1 or n_masks < 1:
        return x
    n = x.shape[0]
    width = torch.randint(0, max_width + 1, (n, n_masks, 1), generator=generator)
    start = (torch.rand(n, n_masks, 1, generator=generator) * (size - width + 1)).long()
    ar = torch.arange(size)[None, None, :]
    masked = ((ar >= start) & (ar < start + width)).any(dim=1).to(x)
    masked = masked[:, :, None] if axis == 1 else masked[:, None, :]
    # a masked band takes the clip's mean; masked frames take each band's mean
    mean = x.mean(dim=(1, 2) if axis == 1 else 2, keepdim=True)
    return x + (mean - x) * masked


def spec_augment(x, *, freq_mask=8, n_freq_masks=1, time_mask=10, n_time_masks=1, generator=None):
    """SpecAugment masks: replace random bands and frame ranges by mean values.

    A masked band takes the clip's mean value, masked frames take each band's mean
    over time (the per-utterance normalisation then maps both to about zero).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, n_bands, n_frames)
        Frames; not modified.
    freq_mask : int, default=8
        Largest width of a frequency mask, in bands.
    n_freq_masks : int, default=1
        Number of frequency masks per clip.
    time_mask : int, default=10
        Largest width of a time mask, in frames.
    n_time_masks : int, default=1
        Number of time masks per clip.
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of shape (batch, n_bands, n_frames)
    """
    x = _mask(x, freq_mask, n_freq_masks, 1, generator)
    return _mask(x, time_mask, n_time_masks, 2, generator)


def mixup(x, alpha, *, generator=None):
    """Mix each clip with another clip of the batch (mixup, Zhang et al. 2018).

    Parameters
    ----------
    x : torch.Tensor of shape (batch, ...)
        Inputs; not modified.
    alpha : float
        Parameter of the Beta(alpha, alpha) distribution of the mixing weight, > 0.
    generator : torch.Generator, default=None
        Source of randomness (on the CPU).

    Returns
    -------
    x_new : torch.Tensor of the same shape as ``x``
        ``lam * x + (1 - lam) * x[perm]``.
    perm : torch.Tensor of shape (batch,), dtype int64
        Index of the clip each clip was mixed with; the loss is
        ``lam * loss(y) + (1 - lam) * loss(y[perm])``.
    lam : float
        Mixing weight, in [0.5, 1].
    """
    # Beta(a, a) as a ratio of two Gamma draws, from the explicit generator.
    g = _gamma(alpha, generator)
    h = _gamma(alpha, generator)
    lam = g / (g + h) if (g + h) > 0 else 0.5
    lam = max(lam, 1.0 - lam)
    perm = torch.randperm(x.shape[0], generator=generator).to(x.device)
    return lam * x + (1.0 - lam) * x[perm], perm, lam


def _gamma(shape, generator):
    """One Gamma(shape, 1) draw with Marsaglia and Tsang's method, from ``generator``."""
    boost = 1.0
    if shape < 1.0:
        boost = float(torch.rand(1, generator=generator, dtype=torch.float64)) ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        z = float(torch.randn(1, generator=generator, dtype=torch.float64))
        v = (1.0 + c * z) ** 3
        if v <= 0:
            continue
        u = float(torch.rand(1, generator=generator, dtype=torch.float64))
        if math.log(u + 1e-300) < 0.5 * z * z + d - d * v + d * math.log(v):
            return boost * d * v


class FrameAugmenter(BaseEstimator):
    """Random training-time augmentation of a batch of frames.

    An estimator calls it on each training mini-batch only, in this order:
    channel filter, frequency warp (VTLP), time stretch (speed), time shift, gain,
    noise, SpecAugment masks, then mixup. Each augmentation is off when its
    parameter is 0. Nothing is applied at prediction time.

    Parameters
    ----------
    time_shift : float, default=0.1
        Largest shift in time, as a fraction of the number of frames.
    freq_warp : float, default=0.1
        Largest relative warp of the frequency axis (vocal tract length
        perturbation); band ``i`` reads band ``i * alpha``, ``alpha`` uniform in
        ``[1 - freq_warp, 1 + freq_warp]``.
    time_stretch : float, default=0.15
        Largest relative speed change.
    gain_db : float, default=6.0
        Largest gain change, in dB, added to every coefficient of a clip (a no-op
        after per-utterance normalisation; useful on unnormalised log-mel).
    noise_std : float, default=0.0
        Standard deviation of Gaussian noise added to every coefficient, relative to
        the clip's standard deviation.
    freq_mask : int, default=6
        Largest width, in bands, of a SpecAugment frequency mask.
    n_freq_masks : int, default=1
        Frequency masks per clip.
    time_mask : int, default=10
        Largest width, in frames, of a SpecAugment time mask.
    n_time_masks : int, default=1
        Time masks per clip.
    mixup_alpha : float, default=0.0
        Beta(alpha, alpha) parameter of mixup; 0 disables mixup.
    lowpass_db : float, default=0.0
        Largest attenuation, in dB, of a random high-band shelf (a microphone's
        roll-off), see ``channel_filter`` in this module; 0 disables it.
    tilt_db : float, default=0.0
        Largest random spectral tilt, in dB from the bottom to the top band, see
        ``channel_filter``; 0 disables it.
    p_channel : float, default=0.5
        Probability that a clip gets the channel filter (when ``lowpass_db`` or
        ``tilt_db`` is on).
    floor_db : float or None, default=45.0
        After the channel filter, clip the frames again at this many dB below the
        clip's maximum (match it to the extractor's ``top_db``); None does not.
    p : float, default=1.0
        Probability that a clip is augmented at all (warp, stretch, shift, gain,
        noise, masks); mixup applies to the whole batch regardless.

    Examples
    --------
    >>> import torch
    >>> aug = FrameAugmenter(mixup_alpha=0.0)
    >>> x = torch.randn(4, 40, 101)
    >>> x_new, perm, lam = aug(x, generator=torch.Generator().manual_seed(0))
    >>> x_new.shape, perm is None, lam
    (torch.Size([4, 40, 101]), True, 1.0)
    """

    def __init__(
        self,
        *,
        time_shift=0.1,
        freq_warp=0.1,
        time_stretch=0.15,
        gain_db=6.0,
        noise_std=0.0,
        freq_mask=6,
        n_freq_masks=1,
        time_mask=10,
        n_time_masks=1,
        mixup_alpha=0.0,
        lowpass_db=0.0,
        tilt_db=0.0,
        p_channel=0.5,
        floor_db=45.0,
        p=1.0,
    ):
        self.time_shift = time_shift
        self.freq_warp = freq_warp
        self.time_stretch = time_stretch
        self.gain_db = gain_db
        self.noise_std = noise_std
        self.freq_mask = freq_mask
        self.n_freq_masks = n_freq_masks
        self.time_mask = time_mask
        self.n_time_masks = n_time_masks
        self.mixup_alpha = mixup_alpha
        self.lowpass_db = lowpass_db
        self.tilt_db = tilt_db
        self.p_channel = p_channel
        self.floor_db = floor_db
        self.p = p

    def __call__(self, x, *, generator=None):
        """Augment a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, n_bands, n_frames) or (batch, n_features)
            Frames (or, for 2-D input, feature vectors: only gain, noise and mixup
            apply). Not modified.
        generator : torch.Generator, default=None
            Source of randomness (on the CPU).

        Returns
        -------
        x_new : torch.Tensor of the same shape and dtype as ``x``
        perm : torch.Tensor of shape (batch,) or None
            Mixup partner of each clip, None without mixup.
        lam : float
            Mixup weight of the original clip (1.0 without mixup).
        """
        orig = x
        frames = x.dim() == 3
        if frames:
            x = channel_filter(
                x,
                self.lowpass_db,
                self.tilt_db,
                floor_db=self.floor_db,
                p=self.p_channel,
                generator=generator,
            )
            x = frequency_warp(x, self.freq_warp, generator=generator)
            x = time_stretch(x, self.time_stretch, generator=generator)
            x = time_shift(x, self.time_shift, generator=generator)
        n = x.shape[0]
        bshape = (n,) + (1,) * (x.dim() - 1)
        if self.gain_db:
            gain = _uniform(n, -self.gain_db, self.gain_db, generator).to(x)
            x = x + gain.view(bshape)
        if self.noise_std:
            dims = tuple(range(1, x.dim()))
            scale = x.std(dim=dims, keepdim=True) if x[0].numel() > 1 else 1.0
            noise = torch.randn(x.shape, generator=generator).to(x)
            x = x + self.noise_std * scale * noise
        if frames:
            x = spec_augment(
                x,
                freq_mask=self.freq_mask,
                n_freq_masks=self.n_freq_masks,
                time_mask=self.time_mask,
                n_time_masks=self.n_time_masks,
                generator=generator,
            )
        if self.p < 1.0:
            apply = (torch.rand(n, generator=generator) < self.p).to(x.device)
            x = torch.where(apply.view(bshape), x, orig)
        if self.mixup_alpha and self.mixup_alpha > 0 and n > 1:
            x, perm, lam = mixup(x, self.mixup_alpha, generator=generator)
            return x, perm, lam
        return x, None, 1.0
