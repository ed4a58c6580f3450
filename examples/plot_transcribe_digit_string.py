"""
====================================
Transcribing a string of digits
====================================

People say numbers, not single digits: a PIN, a phone number. A
:class:`~sklearn_audiodigit.transcription.DigitStringTranscriber` cuts a
recording into words at its pauses
(:func:`~sklearn_audiodigit.segmentation.segment_words`) and reads every word
with a single-digit model.

The "recording" here is made from the bundled FSDD sample: six digits of a
speaker the model never heard, joined with pauses of 0.15-0.6 s, with some
background noise.
"""

# %%
# Train a digit model on five speakers
# ------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.pipelines import make_svc_pipeline
from sklearn_audiodigit.transcription import DigitStringTranscriber

fsdd = load_fsdd_sample()
new_speaker = fsdd.speaker == "jackson"
model = make_svc_pipeline(random_state=0)
model.fit(fsdd.data[~new_speaker], fsdd.target[~new_speaker])

# %%
# Build a recording of six digits
# -------------------------------
rng = np.random.default_rng(0)
sr = fsdd.sr
pick = rng.choice(np.flatnonzero(new_speaker), size=6, replace=False)
parts = [np.zeros(int(0.4 * sr), np.float32)]
for i in pick:
    parts += [fsdd.data[i], np.zeros(int(rng.uniform(0.15, 0.6) * sr), np.float32)]
y = np.concatenate(parts)
y = y + 0.005 * rng.standard_normal(len(y)).astype(np.float32)
truth = "".join(str(fsdd.target[i]) for i in pick)

# %%
# Transcribe
# ----------
result = DigitStringTranscriber(model, sr=sr).transcribe(y)
print(f"said {truth}, read {result.digits}")
for seg in result.segments:
    print(f"  {seg.start:5.2f}-{seg.end:5.2f} s  {seg.label}  ({seg.confidence:.2f})")

# %%
# The waveform with the detected words
# ------------------------------------
t = np.arange(len(y)) / sr
fig, ax = plt.subplots(figsize=(9, 3))
ax.plot(t, y, lw=0.5, color="0.3")
top = np.abs(y).max()
for seg in result.segments:
    ax.axvspan(seg.start, seg.end, color="tab:blue", alpha=0.2)
    ax.text(
        (seg.start + seg.end) / 2,
        top * 1.05,
        f"{seg.label}\n{seg.confidence:.2f}",
        ha="center",
        va="bottom",
        fontsize=9,
    )
for seg in result.rejected:
    ax.axvspan(seg.start, seg.end, color="tab:red", alpha=0.2)
ax.set_ylim(-top * 1.1, top * 1.6)
ax.set_xlabel("time (s)")
ax.set_title(f'said "{truth}", read "{result.digits}"')
fig.tight_layout()
plt.show()
