"""
=========================================================
Confusion matrix, per-class accuracy and ROC curves
=========================================================

Which digits get confused with which, measured speaker-independently:
:func:`~sklearn_audiodigit.evaluation.evaluate` keeps the out-of-fold predictions
of a leave-one-speaker-out cross-validation, and
:mod:`sklearn_audiodigit.reporting` draws them with scikit-learn's displays.
ROC curves, one digit against the rest, come from out-of-fold decision scores
and :class:`~sklearn.metrics.RocCurveDisplay`.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.evaluation import evaluate, make_cv
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.preprocessing import TrimSilence
from sklearn_audiodigit.reporting import (
    format_report,
    plot_confusion_matrix,
    plot_per_class_accuracy,
)

fsdd = load_fsdd_sample()
model = make_pipeline(
    TrimSilence(top_db=30),
    MFCCExtractor(n_mels=16, deltas=1, output="grid", log_duration=True),
    StandardScaler(),
    SVC(C=10),
)
cv, groups, description = make_cv("speaker", speaker=fsdd.speaker)
report = evaluate(model, fsdd.data, fsdd.target, cv=cv, groups=groups, description=description)
print(format_report(report, title="MFCC grid + SVC, bundled sample"))

# %%
# Confusion matrix and per-class accuracy
# ---------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [1, 1.2]})
plot_confusion_matrix(report, normalize="true", ax=axes[0])
plot_per_class_accuracy(report, ax=axes[1])
fig.tight_layout()

# %%
# ROC curves, one digit against the rest
# --------------------------------------
# :func:`~sklearn.model_selection.cross_val_predict` with the same speaker split
# gives every clip one score per digit (the SVC's one-vs-rest decision function)
# from a model that never heard its speaker. A ROC curve needs scores, not
# calibrated probabilities; for those, use
# :func:`~sklearn_audiodigit.pipelines.make_svc_pipeline` and
# ``method="predict_proba"``.
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import cross_val_predict

scores = cross_val_predict(
    model, fsdd.data, fsdd.target, groups=groups, cv=cv, method="decision_function"
)
for digit in range(10):
    print(f'"{digit}" vs rest: AUC {roc_auc_score(fsdd.target == digit, scores[:, digit]):.3f}')

fig, ax = plt.subplots(figsize=(6, 6))
for digit in range(10):
    RocCurveDisplay.from_predictions(
        fsdd.target == digit,
        scores[:, digit],
        name=f'"{digit}" vs rest',
        ax=ax,
        plot_chance_level=(digit == 9),
    )
ax.set_title("One-vs-rest ROC, leave one speaker out")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
