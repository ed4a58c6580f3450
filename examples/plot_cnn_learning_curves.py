"""
=====================================
A CNN on log-mel frames
=====================================

:mod:`sklearn_audiodigit.nn` wraps PyTorch networks as scikit-learn classifiers
(with skorch), so a convolutional network drops into the same pipeline as an
SVC: waveforms -> trimmed, 1 s clips -> log-mel frames
``(n_clips, 40, n_frames)`` -> :class:`~sklearn_audiodigit.nn.CNNClassifier`.

This example trains the default CNN on five speakers of the bundled sample
(250 clips), plots its learning curves, and tests it on a sixth speaker next to
the default SVC trained on the same clips. It needs the ``[nn]`` extra (see
:ref:`install`) and about 20 s of CPU time.

250 clips are few for a network: on the sample this plain CNN and the SVC are
within a few points of each other, one ahead for some speakers, the other for
others. ``audiodigit evaluate --model cnn`` also trains on a pink-noise copy and
a reverberant copy of every clip (``make_model("cnn")``, see :ref:`networks`),
which on the sample is worth several points (|cnn_sample_loso| leave one speaker
out). With the 2,500 training clips of each fold of the full FSDD the CNN pulls
ahead: |cnn_loso| leave one speaker out against |svc_loso| for the SVC
(``benchmarks/README.md``).
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
# waveform -> frames -> network pipeline with the defaults measured on FSDD
# (three convolution blocks of 48, 96 and 192 channels, 20 epochs of AdamW with
# a one-cycle schedule, augmentation of every training batch); every network
# parameter can be overridden, for example ``max_epochs=40``.
import torch

torch.set_num_threads(1)  # one thread: the fastest on a small, shared CPU
pipe = make_nn_pipeline("cnn", random_state=0)
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

# %%
# The same held-out speaker for the CNN and for the default SVC, trained on the
# same 250 clips:
from sklearn_audiodigit.pipelines import make_svc_pipeline

svc = make_svc_pipeline(random_state=0).fit(X_train, y_train)
print(f"CNN on jackson's 50 clips: {pipe.score(X_test, y_test):.3f}")
print(f"SVC on jackson's 50 clips: {svc.score(X_test, y_test):.3f}")

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
fig, axes = plt.subplots(2, 5, figsize=(11, 5), sharex=True, sharey=True)
for ax, i in zip(axes.ravel(), first, strict=True):
    ax.imshow(frames[i], origin="lower", aspect="auto", cmap="magma")
    right = pred[i] == y_test[i]
    ax.set_title(
        f'"{y_test[i]}": ' + ("right" if right else f"read as {pred[i]}"),
        fontsize=13,
        color="black" if right else "#c44e52",
    )
fig.supxlabel("frame (20 ms hop)", fontsize=12)
fig.supylabel("mel band", fontsize=12)
fig.suptitle("Jackson's first take of each digit, as the CNN sees it", fontsize=14)
fig.tight_layout()

# %%
# What the augmentation does
# --------------------------
# Every training mini-batch goes through a
# :class:`~sklearn_audiodigit.nn.FrameAugmenter` (``augment="auto"``: the
# estimator's own settings, see :ref:`networks`), never a prediction. Here one
# with its class defaults (frequency warp, time stretch and shift, gain,
# SpecAugment masks) draws three versions of the same "seven".
import torch

from sklearn_audiodigit.nn import FrameAugmenter

seven = torch.as_tensor(frames[[first[7]] * 3], dtype=torch.float32)
augmented, _, _ = FrameAugmenter()(seven, generator=torch.Generator().manual_seed(0))
views = [frames[first[7]], *augmented.numpy()]
fig, axes = plt.subplots(1, 4, figsize=(11, 3), sharey=True)
for ax, view, title in zip(axes, views, ["original", "draw 1", "draw 2", "draw 3"], strict=True):
    ax.imshow(view, origin="lower", aspect="auto", cmap="magma")
    ax.set_title(title, fontsize=13)
fig.supxlabel("frame (20 ms hop)", fontsize=12)
fig.supylabel("mel band", fontsize=12)
fig.tight_layout()
