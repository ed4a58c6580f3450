"""Neural-network classifiers (PyTorch + skorch) as scikit-learn estimators.

Needs the ``nn`` extra::

    pip install "sklearn-audiodigit[nn]"

The estimators take frames ``(n_clips, n_bands, n_frames)`` (e.g.
``LogMelExtractor(output="frames")``) or feature vectors ``(n_clips, n_features)``
and drop into scikit-learn Pipelines; :func:`make_nn_pipeline` builds the whole
waveform -> features -> network pipeline.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sklearn_audiodigit.nn needs PyTorch and skorch, which are not installed "
        f'({err}). Install the extra with: pip install "sklearn-audiodigit[nn]"'
    ) from err

from ._augmentation import FrameAugmenter
from ._classifiers import (
    CNNClassifier,
    FeedForwardClassifier,
    ResNetClassifier,
    RNNClassifier,
)
from ._ensemble import SeedEnsembleClassifier
from ._modules import FeedForwardNet, FrameNormalization, RecurrentNet, ResNet, SpectrogramCNN
from ._pipelines import make_nn_pipeline
from ._plotting import plot_learning_curves

__all__ = [
    "CNNClassifier",
    "FeedForwardClassifier",
    "FeedForwardNet",
    "FrameAugmenter",
    "FrameNormalization",
    "RNNClassifier",
    "RecurrentNet",
    "ResNet",
    "ResNetClassifier",
    "SeedEnsembleClassifier",
    "SpectrogramCNN",
    "make_nn_pipeline",
    "plot_learning_curves",
]
