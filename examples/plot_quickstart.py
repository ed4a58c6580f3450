"""
===========================================================
Quick start: a speaker-independent digit recogniser
===========================================================

Raw audio is just another kind of ``X``. This example builds a scikit-learn
:class:`~sklearn.pipeline.Pipeline` that goes from waveforms to a digit, and
cross-validates it with :class:`~sklearn.model_selection.GroupKFold` so that no
speaker is ever in both the training and the test folds: the score estimates
the accuracy on people the model has never heard.
"""

# %%
# Load the bundled sample
# -----------------------
# :func:`~sklearn_audiodigit.datasets.load_fsdd_sample` reads the 300 recordings
# of the Free Spoken Digit Dataset (FSDD) that ship with the package: 6 speakers x
# 10 digits x 5 takes at 8 kHz. ``data`` holds the waveforms (1-D float32 arrays
# of different lengths), ``target`` the digit and ``speaker`` who said it.
import numpy as np

from sklearn_audiodigit.datasets import load_fsdd_sample

fsdd = load_fsdd_sample()
print(f"{len(fsdd.data)} clips at {fsdd.sr} Hz, speakers: {', '.join(np.unique(fsdd.speaker))}")
lengths = np.array([len(clip) for clip in fsdd.data])
print(f"clip lengths: {lengths.min()} to {lengths.max()} samples (median {np.median(lengths):.0f})")

# %%
# Build the pipeline
# ------------------
# Each step is an ordinary scikit-learn transformer:
# :class:`~sklearn_audiodigit.preprocessing.TrimSilence` cuts the silence around
# each word (relative to the clip's own peak),
# :class:`~sklearn_audiodigit.features.MFCCExtractor` turns every clip into one
# row of MFCCs averaged over a grid of 8 time segments (plus their deltas), and a
# standard scaler and an RBF SVC do the rest.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.preprocessing import TrimSilence

model = make_pipeline(
    TrimSilence(top_db=30),
    MFCCExtractor(n_mels=16, deltas=1, output="grid", n_segments=8),
    StandardScaler(),
    SVC(C=10),
)
model

# %%
# Cross-validate by speaker
# -------------------------
# ``groups=fsdd.speaker`` with 6 folds is leave one speaker out: each fold tests on
# the 50 clips of one speaker, trained on the other five.
from sklearn.model_selection import GroupKFold, cross_val_score

cv = GroupKFold(n_splits=6)
splits = cv.split(fsdd.data, groups=fsdd.speaker)
held_out = [np.unique(fsdd.speaker[test])[0] for _, test in splits]
scores = cross_val_score(model, fsdd.data, fsdd.target, groups=fsdd.speaker, cv=cv)
for speaker, score in zip(held_out, scores, strict=True):
    print(f"held out: {speaker:>9}   accuracy {score:.3f}")
print(f"speaker-independent accuracy: {scores.mean():.3f} +- {scores.std():.3f}")

# %%
# The ready-made model
# --------------------
# :func:`~sklearn_audiodigit.pipelines.make_svc_pipeline` is the tuned default
# behind ``audiodigit evaluate``: it adds the clip's duration as a feature,
# trains the SVC on speed- and tilt-perturbed copies of every clip, averages its
# decision values over three speeds and calibrates probabilities.
from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier
from sklearn_audiodigit.pipelines import make_svc_pipeline

default = make_svc_pipeline(random_state=0)
print("a SpeedPerturbedClassifier:", isinstance(default, SpeedPerturbedClassifier))
default

# %%
default_scores = cross_val_score(
    default,
    fsdd.data,
    fsdd.target,
    groups=fsdd.speaker,
    cv=cv,
)
print(f"hand-built pipeline:  {scores.mean():.3f} +- {scores.std():.3f}")
print(f"make_svc_pipeline():  {default_scores.mean():.3f} +- {default_scores.std():.3f}")

# %%
# Which one is better?
# --------------------
# Not something 300 clips can tell. Each fold scores 50 clips, so one clip is
# 0.02 of a fold's accuracy, and the folds differ from each other far more than
# the two models' means do. The default was chosen on all 3,000 clips of FSDD
# (2,500 training clips a fold), where the differences are measured with ten
# times the data: |svc_loso| leave one speaker out for the default against
# |svc_noaug_loso| for the same pipeline without the augmented copies, and
# |baseline_grid_loso| for a plain MFCC grid without trimming; see
# :ref:`evaluation`. On the sample, compare the two models speaker by speaker:
import matplotlib.pyplot as plt

x = np.arange(len(held_out))
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.bar(x - 0.2, scores, width=0.4, color="#4c72b0", label="hand-built pipeline")
ax.bar(x + 0.2, default_scores, width=0.4, color="#dd8452", label="make_svc_pipeline()")
ax.set_xticks(x, held_out)
ax.set(xlabel="held-out speaker", ylabel="accuracy", ylim=(0, 1.25), yticks=np.linspace(0, 1, 6))
ax.set_title("Leave one speaker out on the bundled sample (50 clips a fold)")
ax.legend(loc="upper center", ncol=2, frameon=False)
fig.tight_layout()
