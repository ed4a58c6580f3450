"""
=============================================================
Voices the model never heard: the pretrained speech embedding
=============================================================

FSDD is six men and one microphone, so models trained only on it stumble on
other voices. :class:`~sklearn_audiodigit.embeddings.SpeechEmbeddingExtractor`
puts Google's pretrained ``speech_embedding`` (Lin et al., ICASSP 2020,
arXiv:2002.01322) in front of a plain classifier. It needs the ``[embedding]``
extra (onnxruntime) and the model files (``pip install openwakeword==0.5.1
--no-deps``; CC BY-NC-SA 4.0 per openWakeWord, never part of this package); this
example says how to get them and stops where they are missing.
"""

# %%
# Is the embedding installed?
# ---------------------------
from sklearn_audiodigit.embeddings import speech_embedding_available

available = speech_embedding_available()
print("speech embedding available:", available)
if not available:
    print(
        "to get it: pip install 'sklearn-audiodigit[embedding]' and "
        "pip install openwakeword==0.5.1 --no-deps"
    )

# %%
# A pipeline on the embedding, leave one speaker out
# --------------------------------------------------
# Each clip is resampled to 16 kHz, centred in 1.5 s of zeros, and turned into 9
# frames of 96 numbers, pooled to their mean and standard deviation (192
# features). The held-out speaker of every fold is someone the SVC never heard.
import numpy as np
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

fsdd = load_fsdd_sample()
if available:
    model = make_pipeline(SpeechEmbeddingExtractor(sr=fsdd.sr), StandardScaler(), SVC())
    scores = cross_val_score(
        model, fsdd.data, fsdd.target, groups=fsdd.speaker, cv=LeaveOneGroupOut()
    )
    for speaker, score in zip(np.unique(fsdd.speaker), scores, strict=True):
        print(f"{speaker:>10}: {score:.2f}")
    print(f"mean accuracy on unseen speakers: {scores.mean():.3f}")

# %%
# The ready-made model and the bundled one
# ----------------------------------------
# ``make_model("embed-svc")`` is the same pipeline with calibrated probabilities;
# :func:`~sklearn_audiodigit.load_pretrained` loads one trained on all of FSDD
# that ships with the package (the MFCC ``"svc"`` where the embedding is missing).
from sklearn_audiodigit import load_pretrained

model = load_pretrained()
print(type(model).__name__, "predicts", model.predict(fsdd.data[:5]), "for", fsdd.target[:5])
