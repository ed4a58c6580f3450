"""
======================================================
Confidences that mean something: votes against margins
======================================================

An SVC on ten digits trains one machine per pair of digits. scikit-learn's
:class:`~sklearn.svm.SVC` scores each digit by the **number of pairs it
wins**, plus a small correction; a clear digit, a digit read wrong and a burst
of noise all tend to win nine pairs, so probabilities calibrated on those
scores hardly differ between them.
:class:`~sklearn_audiodigit.svm.OneVsOneSumSVC` keeps the same machines and
scores each digit by its **mean margin** over its pairs instead, so that the
calibrated probability says how sure the model is. The ``embed-svc`` model
uses it, and a :class:`~sklearn_audiodigit.transcription.DigitStringTranscriber`
can then drop the words it is unsure of (``reject_threshold``). (The MFCC
``svc`` keeps votes: with margins it read fewer unseen speakers' digits right.)

Here both are trained on MFCC features of five speakers of the bundled FSDD
sample, with the same temperature calibration, and tested on the sixth
speaker's digits and on noise bursts shaped like coughs.
"""

# %%
# Two calibrated classifiers on the same features
# -----------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.svm import OneVsOneSumSVC

fsdd = load_fsdd_sample()
new_speaker = fsdd.speaker == "theo"


def calibrated(classifier):
    pipeline = make_pipeline(MFCCExtractor(output="grid"), StandardScaler(), classifier)
    return CalibratedClassifierCV(pipeline, method="temperature", cv=3, ensemble=False)


models = {
    "SVC (votes)": calibrated(SVC(C=10.0)),
    "OneVsOneSumSVC (margins)": calibrated(OneVsOneSumSVC(C=10.0)),
}
for model in models.values():
    model.fit(fsdd.data[~new_speaker], fsdd.target[~new_speaker])

# %%
# Digits of an unseen speaker, and noise bursts
# ---------------------------------------------
rng = np.random.default_rng(0)
bursts = []
for _ in range(40):
    n = int(rng.uniform(0.1, 0.5) * fsdd.sr)
    x = rng.standard_normal(n) * np.exp(-np.arange(n) / (0.3 * n))
    bursts.append((0.05 * x).astype(np.float32))

X_test, y_test = fsdd.data[new_speaker], fsdd.target[new_speaker]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
bins = np.linspace(0, 1, 21)
for ax, (name, model) in zip(axes, models.items(), strict=True):
    proba = model.predict_proba(X_test)
    right = model.classes_[proba.argmax(axis=1)] == y_test
    top = proba.max(axis=1)
    top_bursts = model.predict_proba(bursts).max(axis=1)
    ax.hist(top[right], bins=bins, alpha=0.6, label="digits read right")
    ax.hist(top[~right], bins=bins, alpha=0.6, label="digits read wrong")
    ax.hist(top_bursts, bins=bins, alpha=0.6, label="noise bursts")
    ax.set_title(f"{name}\naccuracy {right.mean():.2f}")
    ax.set_xlabel("highest calibrated probability")
    print(
        f"{name}: median top probability, right {np.median(top[right]):.2f}, "
        f"wrong {np.median(top[~right]):.2f}, bursts {np.median(top_bursts):.2f}"
    )
axes[0].set_ylabel("clips")
axes[1].legend(loc="upper left", fontsize="small")
fig.tight_layout()
plt.show()

# %%
# With votes the probabilities bunch together whatever the clip; with margins
# the digits read right sit near 1 and those read wrong spread lower, which is
# what a rejection threshold needs. Noise bursts, though, still look like some
# digit to these MFCC features: a transcriber drops them because they hold no
# voiced sound (``min_voiced``,
# :func:`~sklearn_audiodigit.segmentation.voiced_duration`), not by confidence.
# ``benchmarks/README.md`` ("Graded decision values") has the same comparison
# for ``embed-svc`` on all of FSDD.
