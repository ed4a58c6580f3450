"""
=====================================
Waveforms and spectrograms of digits
=====================================

What the models see: the waveform of a spoken digit, the silence that
:class:`~sklearn_audiodigit.preprocessing.TrimSilence` removes, and the
time-frequency representations computed by
:class:`~sklearn_audiodigit.features.SpectrogramExtractor`,
:class:`~sklearn_audiodigit.features.LogMelExtractor` and
:class:`~sklearn_audiodigit.features.MFCCExtractor` with ``output="frames"``.
"""

# %%
# One clip of each digit
# ----------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.preprocessing import TrimSilence

fsdd = load_fsdd_sample()
sr = fsdd.sr
first = [np.flatnonzero((fsdd.target == d) & (fsdd.speaker == "jackson"))[0] for d in range(10)]
clips = fsdd.data[first]
trimmed = TrimSilence(top_db=30).fit_transform(clips)


def offset(clip, part):
    """Where the contiguous ``part`` starts in ``clip``."""
    for start in np.flatnonzero(clip == part[0]):
        if np.array_equal(clip[start : start + len(part)], part):
            return int(start)
    return 0


fig, axes = plt.subplots(2, 5, figsize=(11, 4), sharey=True)
for digit, (ax, clip, cut) in enumerate(zip(axes.ravel(), clips, trimmed, strict=True)):
    t = np.arange(len(clip)) / sr
    ax.plot(t, clip, color="0.7", linewidth=0.6, label="recording")
    start = offset(clip, cut)
    ax.plot(
        (start + np.arange(len(cut))) / sr,
        cut,
        color="tab:blue",
        linewidth=0.6,
        label="kept by TrimSilence",
    )
    ax.set_title(f'"{digit}" ({len(clip) / sr:.2f} s)')
    ax.set_xlabel("time (s)")
axes[0, 0].legend(loc="lower left", fontsize=7)
fig.suptitle("Speaker jackson, take 0 of every digit")
fig.tight_layout()

# %%
# Three views of the same word
# ----------------------------
# Equal-length input is needed for 3-D frames, so the clips are centred in one
# second with :class:`~sklearn_audiodigit.preprocessing.PadTrim`. All extractors
# use 32 ms windows (``n_fft=256``) every 10 ms (``hop_length=80``) by default.
from sklearn_audiodigit.features import LogMelExtractor, MFCCExtractor, SpectrogramExtractor
from sklearn_audiodigit.preprocessing import PadTrim

X = PadTrim(duration=1.0, sr=sr).fit_transform(trimmed)
spec = SpectrogramExtractor(output="frames").fit_transform(X)
mel = LogMelExtractor(output="frames").fit_transform(X)
mfcc = MFCCExtractor(output="frames").fit_transform(X)
print("spectrogram", spec.shape, "log-mel", mel.shape, "MFCC", mfcc.shape)

digit = 7
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
extent = [0, 1, 0, sr / 2]
im = axes[0].imshow(spec[digit], origin="lower", aspect="auto", extent=extent, cmap="magma")
axes[0].set(title="Power spectrogram (dB)", xlabel="time (s)", ylabel="frequency (Hz)")
fig.colorbar(im, ax=axes[0])
im = axes[1].imshow(
    mel[digit], origin="lower", aspect="auto", extent=[0, 1, 0, mel.shape[1]], cmap="magma"
)
axes[1].set(title="Log-mel (40 bands, dB)", xlabel="time (s)", ylabel="mel band")
fig.colorbar(im, ax=axes[1])
# c0 (the log energy) is an order of magnitude larger than the other
# coefficients and would set the colour scale alone: the image shows c1-c12, each
# scaled to zero mean and unit variance over time (as a StandardScaler would).
shape = mfcc[digit][1:]
shape = (shape - shape.mean(axis=1, keepdims=True)) / shape.std(axis=1, keepdims=True)
im = axes[2].imshow(
    shape, origin="lower", aspect="auto", extent=[0, 1, 0.5, 12.5], cmap="RdBu_r", vmin=-3, vmax=3
)
axes[2].set(title="MFCC c1-c12 (per-coefficient z-score)", xlabel="time (s)", ylabel="coefficient")
fig.colorbar(im, ax=axes[2])
fig.suptitle(f'"{digit}" by jackson')
fig.tight_layout()

# %%
# Log-mel frames of every digit
# -----------------------------
# The 2-D networks of :mod:`sklearn_audiodigit.nn` take exactly these arrays,
# ``(n_clips, n_mels, n_frames)``.
fig, axes = plt.subplots(2, 5, figsize=(11, 4.2), sharex=True, sharey=True)
for d, ax in enumerate(axes.ravel()):
    ax.imshow(mel[d], origin="lower", aspect="auto", cmap="magma", extent=[0, 1, 0, 40])
    ax.set_title(f'"{d}"')
for ax in axes[1]:
    ax.set_xlabel("time (s)")
for ax in axes[:, 0]:
    ax.set_ylabel("mel band")
fig.tight_layout()

# %%
# Sampling rate and loudness
# --------------------------
# Recordings arrive at other rates and levels than FSDD's 8 kHz.
# :class:`~sklearn_audiodigit.preprocessing.Resampler` converts a batch of clips
# (soxr, the same resampler as :func:`~sklearn_audiodigit.io.read_audio`) and
# :class:`~sklearn_audiodigit.preprocessing.PeakNormalizer` scales each clip to
# the same peak, so that a quiet and a loud recording of the same word look
# alike. Both are stateless transformers that fit in front of any pipeline.
from sklearn.pipeline import make_pipeline

from sklearn_audiodigit.preprocessing import PeakNormalizer, Resampler

quiet = [0.1 * clip for clip in trimmed[:3]]
at_16k = Resampler(orig_sr=sr, target_sr=16000).fit_transform(quiet)
to_8k = make_pipeline(Resampler(orig_sr=16000, target_sr=sr), PeakNormalizer(peak=0.9))
back = to_8k.fit_transform(at_16k)
for before, up, after in zip(quiet, at_16k, back, strict=True):
    print(
        f"{len(before)} samples, peak {np.abs(before).max():.2f} -> {len(up)} at 16 kHz "
        f"-> {len(after)} at 8 kHz, peak {np.abs(after).max():.2f}"
    )

# %%
# Other voices and channels
# -------------------------
# FSDD is six men and one quiet microphone. The functions of
# :mod:`sklearn_audiodigit.augmentation` make training copies that sound like
# other rooms, microphones and noise; :class:`~sklearn_audiodigit.augmentation.WaveformAugmenter`
# draws a random mix of them for every clip (here: a smaller or larger vocal
# tract, a random equaliser, a telephone band and noise, each with probability
# 0.5; no room, which needs pyroomacoustics). The copies keep each clip's length.
from sklearn_audiodigit.augmentation import WaveformAugmenter

augmenter = WaveformAugmenter(rt60_range=None, clip_range=None, p=0.5, random_state=0)
copies = augmenter.augment(trimmed[:3])
fig, axes = plt.subplots(2, 3, figsize=(9, 4), sharey=True)
for k, (clip, copy) in enumerate(zip(trimmed[:3], copies, strict=True)):
    t = np.arange(len(clip)) / sr
    axes[0, k].plot(t, clip, lw=0.5)
    axes[1, k].plot(t, copy, lw=0.5, color="tab:orange")
    axes[0, k].set_title(f"clip {k}: as recorded")
    axes[1, k].set_title(f"clip {k}: augmented copy")
    axes[1, k].set_xlabel("time (s)")
fig.tight_layout()
