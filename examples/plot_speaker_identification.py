"""
======================
Speaker identification
======================

The same transformers answer another question: *who* is speaking. Here the
target is the speaker, not the digit, and the split is by take: every speaker
must be known at training time, so each fold holds out some takes of every
speaker and digit (:func:`~sklearn_audiodigit.evaluation.make_cv` with
``target="speaker"``). ``audiodigit evaluate --target speaker`` does the same
from the command line.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.evaluation import make_cv
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.preprocessing import TrimSilence

fsdd = load_fsdd_sample()
cv, groups, description = make_cv(speaker=fsdd.speaker, take=fsdd.take, target="speaker")
print(description)

# %%
# For speakers, statistics over the whole clip suit better than a time grid:
# the voice is in the average spectral envelope and its spread, whatever the
# word. 40 mel bands keep the fine detail that the digit models throw away.
model = make_pipeline(
    TrimSilence(top_db=30),
    MFCCExtractor(n_mfcc=20, n_mels=40, deltas=1, output="stats", stats=("mean", "std")),
    StandardScaler(),
    SVC(C=10),
)
pred = cross_val_predict(model, fsdd.data, fsdd.speaker, groups=groups, cv=cv)
accuracy = (pred == fsdd.speaker).mean()
print(f"speaker identification accuracy ({description}): {accuracy:.3f}")

# %%
fig, ax = plt.subplots(figsize=(5.5, 5))
ConfusionMatrixDisplay.from_predictions(fsdd.speaker, pred, ax=ax, colorbar=False)
ax.set_title(f"Who is speaking? accuracy {accuracy:.3f}")
plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
fig.tight_layout()

# %%
# That speakers are this easy to tell apart from a second of audio is exactly
# why a random split overstates digit accuracy: a digit model can lean on the
# voice. See :ref:`sphx_glr_auto_examples_plot_random_vs_speaker_split.py`.
