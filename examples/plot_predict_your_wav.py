"""
==============================
Predicting your own WAV file
==============================

A model trained on FSDD recognises digits in any recording that
:func:`~sklearn_audiodigit.io.read_audio` can decode: any sampling rate, bit
depth or channel count is resampled to the model's rate and mixed to mono.

Here "your recording" is made up on the spot: a clip of a speaker the model
never heard, written with :mod:`soundfile` as a 44.1 kHz, 24-bit stereo WAV
file, the kind a phone or a laptop records. :ref:`getting_started` does the same
with a recording of your own voice.
"""

# %%
# Train on five speakers
# ----------------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf
import soxr

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.pipelines import make_svc_pipeline

fsdd = load_fsdd_sample()
new_speaker = fsdd.speaker == "theo"
model = make_svc_pipeline(random_state=0)
model.fit(fsdd.data[~new_speaker], fsdd.target[~new_speaker])

# %%
# How well does it know the new voice? All 50 of Theo's clips (none was used
# in training) give an honest idea of what to expect from one recording.
theo_pred = model.predict(fsdd.data[new_speaker])
theo_true = fsdd.target[new_speaker]
print(f"Theo's clips right: {(theo_pred == theo_true).sum()} of {new_speaker.sum()}")
for digit in np.unique(theo_true[theo_pred != theo_true]):
    wrong = theo_pred[(theo_true == digit) & (theo_pred != theo_true)]
    print(f'  "{digit}" taken for {", ".join(map(str, wrong))}')

# %%
# Write "your" recording
# ----------------------
# Theo saying "seven", upsampled to 44.1 kHz, louder on the left channel than on
# the right.
workdir = Path(tempfile.mkdtemp())
name = "my_recording.wav"
clip = fsdd.data[new_speaker & (fsdd.target == 7)][0]
hi_res = soxr.resample(clip, 8000, 44100)
stereo = np.stack([0.8 * hi_res, 0.5 * hi_res], axis=1)
wav = workdir / name
sf.write(wav, stereo, 44100, subtype="PCM_24")
info = sf.info(wav)
print(
    f"{wav.name}: {info.samplerate} Hz, {info.channels} channels, {info.subtype}, "
    f"{info.duration:.2f} s"
)

# %%
# Read and predict
# ----------------
# :func:`~sklearn_audiodigit.io.read_audio` returns float32 mono samples at the
# requested rate (8 kHz, the model's) and that rate.
from sklearn_audiodigit.io import read_audio

y, sr = read_audio(wav, sr=8000)
print(f"read {len(y)} samples at {sr} Hz")


def top3(model, clip):
    """The three most probable digits of ``clip``, as text."""
    proba = model.predict_proba([clip])[0]
    best = np.argsort(proba)[::-1][:3]
    return ", ".join(f"{model.classes_[i]} ({proba[i]:.2f})" for i in best)


print("top 3:", top3(model, y))

# %%
# A near miss, and why
# --------------------
# The right digit, but hardly ahead of the others, where Theo's original clip
# (the same word, before it became a WAV file) gets a clear margin. The
# difference is the level: mixed to mono, the stereo file is 0.65 times as loud
# as the original (the mean of the 0.8 and 0.5 channels), and the default model
# reads the level, since its first MFCC, c0, is the log energy of each frame.
# The same clip at other levels:
for gain in [2.0, 1.0, 0.65, 0.3]:
    print(f"original clip x {gain:4}: {top3(model, np.clip(gain * clip, -1, 1))}")

# %%
# A recording is as loud as its microphone and its distance from the mouth, so
# the level says nothing about the digit. Scaling every clip to the same peak
# with :class:`~sklearn_audiodigit.preprocessing.PeakNormalizer`, in training as
# at prediction time, takes it out of the model:
from sklearn.pipeline import make_pipeline

from sklearn_audiodigit.preprocessing import PeakNormalizer

leveled = make_pipeline(PeakNormalizer(), make_svc_pipeline(random_state=0))
leveled.fit(fsdd.data[~new_speaker], fsdd.target[~new_speaker])
right = (leveled.predict(fsdd.data[new_speaker]) == fsdd.target[new_speaker]).sum()
print(f"Theo's clips right with PeakNormalizer first: {right} of {new_speaker.sum()}")
print("my_recording.wav:", top3(leveled, y))
for gain in [2.0, 1.0, 0.65, 0.3]:
    print(f"original clip x {gain:4}: {top3(leveled, np.clip(gain * clip, -1, 1))}")

# %%
proba = leveled.predict_proba([y])[0]
winner = leveled.classes_[np.argmax(proba)]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), gridspec_kw={"width_ratios": [1.4, 1]})
axes[0].plot(np.arange(len(y)) / sr, y, linewidth=0.6)
axes[0].set(title=f"{wav.name}, read at {sr} Hz", xlabel="time (s)", ylabel="amplitude")
colours = ["#dd8452" if c == winner else "#4c72b0" for c in leveled.classes_]
axes[1].bar([str(c) for c in leveled.classes_], proba, color=colours)
axes[1].set(
    title="predict_proba, peak-normalised model", xlabel="digit", ylabel="probability", ylim=(0, 1)
)
fig.tight_layout()

# %%
# From file paths directly
# ------------------------
# Put :class:`~sklearn_audiodigit.preprocessing.AudioReader` in front and the
# pipeline takes paths.
from sklearn_audiodigit.preprocessing import AudioReader

from_paths = make_pipeline(AudioReader(sr=8000), leveled)
print(from_paths.predict([str(wav)]))

# %%
# Save the model, predict from the command line
# ---------------------------------------------
# :func:`~sklearn_audiodigit.persistence.save_model` writes a file that cannot
# run code when loaded. ``audiodigit predict MODEL FILE...`` is the same
# prediction from a shell; here its entry point is called from Python, in the
# folder of the files, as ``audiodigit predict digits.model my_recording.wav
# --top-k 3`` would be.
import os

from sklearn_audiodigit.cli import main
from sklearn_audiodigit.persistence import save_model

save_model(leveled, workdir / "digits.model")
here = os.getcwd()
os.chdir(workdir)
try:
    status = main(["predict", "digits.model", name, "--top-k", "3"])
finally:
    os.chdir(here)
print("exit status", status)

# %%
# Clean up the temporary files.
import shutil

shutil.rmtree(workdir)
