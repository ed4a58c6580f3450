"""
=====================================================
Four networks, one held-out speaker
=====================================================

:mod:`sklearn_audiodigit.nn` has four network classifiers, and
:class:`~sklearn_audiodigit.nn.SeedEnsembleClassifier` averages copies of any of
them. Each drops into the same pipeline; this example trains every one on five
speakers of the bundled sample (250 clips) and tests it on the sixth.

The scores say what 250 clips can teach each network, not what the networks
can do: on all of FSDD (2,500 training clips a fold) the default CNN reaches
|cnn_loso| leave one speaker out (``benchmarks/README.md``). The CNN itself is
the subject of :ref:`sphx_glr_auto_examples_plot_cnn_learning_curves.py`.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_audiodigit.datasets import load_fsdd_sample

try:
    import torch

    from sklearn_audiodigit.nn import (
        FeedForwardClassifier,
        ResNetClassifier,
        RNNClassifier,
        SeedEnsembleClassifier,
        make_nn_pipeline,
    )
except ImportError as err:  # torch / skorch missing: say so and stop here
    raise SystemExit(f"this example needs the [nn] extra: {err}") from None

torch.set_num_threads(1)
fsdd = load_fsdd_sample()
test = fsdd.speaker == "jackson"
X_train, y_train = fsdd.data[~test], fsdd.target[~test]
X_test, y_test = fsdd.data[test], fsdd.target[test]

# %%
# The candidates
# --------------
# :func:`~sklearn_audiodigit.nn.make_nn_pipeline` builds the front end of each
# network (MFCCs on a time grid for the feed-forward network, log-mel frames for
# the others); the network step, ``net``, is set explicitly here to show the
# classes. The recurrent network and the feed-forward ones keep their default
# training; the ResNet is narrowed and trained for 20 epochs instead of 30, to
# keep the example near a minute of CPU time.
candidates = {
    "feed-forward (MFCC grid)": make_nn_pipeline("mlp").set_params(
        net=FeedForwardClassifier(random_state=0)
    ),
    "3 feed-forward, seeds averaged": make_nn_pipeline("mlp").set_params(
        net=SeedEnsembleClassifier(FeedForwardClassifier(), n_estimators=3, random_state=0)
    ),
    "recurrent (GRU on log-mel)": make_nn_pipeline("rnn").set_params(
        net=RNNClassifier(random_state=0)
    ),
    "ResNet 16-32-64, 20 epochs": make_nn_pipeline("resnet").set_params(
        net=ResNetClassifier(channels=(16, 32, 64), max_epochs=20, random_state=0)
    ),
}

# %%
# Train on five speakers, test on the sixth
# -----------------------------------------
results = {}
for name, pipe in candidates.items():
    start = time.process_time()
    pipe.fit(X_train, y_train)
    seconds = time.process_time() - start
    results[name] = (pipe.score(X_test, y_test), seconds)
    print(f"{name:32s} accuracy on jackson {results[name][0]:.2f}   {seconds:5.1f} s CPU")

# %%
names = list(results)
scores = np.array([results[n][0] for n in names])
fig, ax = plt.subplots(figsize=(8, 3.2))
ax.barh(names, scores, color="#4c72b0")
for i, score in enumerate(scores):
    ax.text(score + 0.01, i, f"{score:.2f}", va="center", fontsize=11)
ax.set(xlim=(0, 1.1), xlabel="accuracy on the held-out speaker (50 clips)")
ax.invert_yaxis()
ax.set_title("Trained on 250 clips of five speakers")
fig.tight_layout()

# %%
# With 50 test clips, one clip is 0.02: differences of a few points are noise,
# and another held-out speaker would order the networks differently. The
# feed-forward network on MFCC grids trains in seconds, the networks on frames
# take several times longer; on all of FSDD the convolutional networks lead (see
# :ref:`networks`). Averaging seeds trains one network per seed (cheap here,
# where the front end takes most of the time) and steadies the score more than
# it raises it.
