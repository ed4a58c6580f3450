"""
=====================================
A CNN on log-mel frames
=====================================

:mod:`sklearn_audiodigit.nn` wraps PyTorch networks as scikit-learn classifiers
(with skorch), so a convolutional network drops into the same pipeline as an
SVC: waveforms -> trimmed, 1 s clips -> log-mel frames
``(n_clips, 40, n_frames)`` -> :class:`~sklearn_audiodigit.nn.CNNClassifier`.

This example trains a small CNN for a few epochs on five speakers of the
bundled sample (250 clips), plots its learning curves and tests it on a sixth
speaker. It needs the
``[nn]`` extra (``pip install "sklearn-audiodigit[nn]"``). The settings are cut
down so that it runs in well under a minute on a laptop CPU; the measured
accuracy of the full-size networks on all of FSDD is in
``benchmarks/README.md``.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_audiodigit.datasets import load_fsdd_sample

try:
    from sklearn_audiodigit.nn import make_nn_pipeline, plot_learning_curves
except ImportError as err:  # torch / skorch missing: say so and stop here
    raise SystemExit(f"this example needs the [nn] extra: {err}") from None

fsdd = load_fsdd_sample()
test = fsdd.speaker == "jackson"
X_train, y_train, groups = fsdd.data[~test], fsdd.target[~test], fsdd.speaker[~test]
X_test, y_test = fsdd.data[test], fsdd.target[test]

# %%
# The pipeline
# ------------
# :func:`~sklearn_audiodigit.nn.make_nn_pipeline` builds the tuned
# waveform -> frames -> network pipeline; every network parameter can be
# overridden. Here: a narrower network (two blocks of 16 and 32 channels) and
# 12 epochs of AdamW with a one-cycle schedule, mini-batches of 32, and the
# default augmentation (SpecAugment masks, time shift, gain, frequency warping).
# The defaults (three blocks, 30 epochs) are for the 3,000 clips of FSDD;
# 250 clips are far too few for a network to match the SVC of
# :ref:`sphx_glr_auto_examples_plot_quickstart.py`.
pipe = make_nn_pipeline(
    "cnn",
    random_state=0,
    channels=(16, 32),
    max_epochs=12,
    batch_size=32,
)
pipe

# %%
# Speaker groups can go to the network's ``fit`` through the pipeline
# (``net__groups``): with ``early_stopping=True`` its validation split then holds
# out whole speakers, so that no voice leaks into the data that decides when to
# stop. The default trains for a fixed schedule instead, which measured better
# on FSDD.
pipe.fit(X_train, y_train, net__groups=groups)
net = pipe.named_steps["net"]
print(f"trained {len(net.history_)} epochs on frames of shape {net.input_shape_}")
print(f"accuracy on the unseen test speaker: {pipe.score(X_test, y_test):.3f}")

# %%
# Learning curves
# ---------------
# :func:`~sklearn_audiodigit.nn.plot_learning_curves` plots the training history
# (``net.history_``): loss and accuracy per epoch on the (augmented) training
# batches, and on the validation split when early stopping is on.
axes = plot_learning_curves(pipe)
axes[0].figure.tight_layout()

# %%
# What the network sees
# ---------------------
# The first test clip of each digit, as the frames that enter the network.
frames = pipe[:-1].transform(X_test)
first = [np.flatnonzero(y_test == d)[0] for d in range(10)]
pred = pipe.predict(X_test)
fig, axes = plt.subplots(2, 5, figsize=(11, 4), sharex=True, sharey=True)
for ax, i in zip(axes.ravel(), first, strict=True):
    ax.imshow(frames[i], origin="lower", aspect="auto", cmap="magma")
    ax.set_title(f"true {y_test[i]}, predicted {pred[i]}", fontsize=9)
fig.supxlabel("frame (20 ms hop)")
fig.supylabel("mel band")
fig.tight_layout()
