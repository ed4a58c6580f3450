"""Plain PyTorch modules for spoken-digit classification.

These are ordinary :class:`torch.nn.Module` subclasses with no scikit-learn or
skorch dependency; the estimators in :mod:`sklearn_audiodigit.nn._classifiers`
build them once the input shape and the number of classes are known.

Every module maps a float32 batch to unnormalised class scores (logits) of shape
``(batch, n_classes)``. The frame-based modules take ``(batch, n_bands, n_frames)``:
log-mel or MFCC coefficients along the second axis, time along the third.
"""

import torch
from torch import nn

__all__ = [
    "FeedForwardNet",
    "FrameNormalization",
    "RecurrentNet",
    "ResNet",
    "SpectrogramCNN",
]


class FrameNormalization(nn.Module):
    """Per-utterance normalisation of a batch of frames.

    Every clip is normalised on its own, so that the result does not depend on the
    other clips of the batch, on the recording level or on the speaker's average
    spectral envelope (which is what changes most between speakers).

    Statistics are taken over the clip's *active* frames only: frames whose mean
    over bands lies above ``min + active_threshold * (max - min)`` of the clip's
    frame means. Padding and leading/trailing silence (constant frames at the dB
    floor) would otherwise weigh in proportion to how short the digit is, i.e. to
    the speaker's speaking rate.

    Parameters
    ----------
    mode : {"utterance", "band", "clip"} or None, default="utterance"
        ``"utterance"``: subtract each band's mean over the active frames
        (cepstral mean normalisation) and divide by the clip's standard deviation
        over all bands of the active frames. ``"band"``: mean and variance
        normalisation per band over the active frames (CMVN). ``"clip"``: subtract
        the clip's mean and divide by its standard deviation (scalars, active
        frames). ``None``: identity.
    active_threshold : float, default=0.1
        Fraction of the clip's range of frame means below which a frame is
        inactive, in [0, 1); 0 keeps every frame but the quietest.
    min_std : float, default=1.0
        Floor of the standard deviation divided by, in the input's units (dB for
        log-mel and MFCC frames). A clip that is nearly constant over its active
        frames (silence, or a training clip that augmentation has shifted into its
        padding) would otherwise be amplified by up to ``1 / 1e-5``, and one such
        clip in a training batch corrupts BatchNorm's running statistics, after
        which the network predicts one class for everything.

    Notes
    -----
    A clip with a single frame (2-D input read as one frame) is normalised over its
    bands (as ``"clip"``), so that it is not zeroed out.
    """

    def __init__(self, mode="utterance", active_threshold=0.1, min_std=1.0):
        super().__init__()
        if mode not in ("utterance", "band", "clip", None):
            raise ValueError(f"mode must be 'utterance', 'band', 'clip' or None, got {mode!r}.")
        self.mode = mode
        self.active_threshold = active_threshold
        self.min_std = min_std

    def forward(self, x):
        """Normalise ``x`` of shape ``(batch, n_bands, n_frames)``."""
        if self.mode is None:
            return x
        if x.shape[-1] < 2:
            mean = x.mean(dim=(1, 2), keepdim=True)
            if x.shape[1] < 2:
                return x - mean
            std = x.std(dim=(1, 2), keepdim=True, unbiased=False)
            return (x - mean) / std.clamp_min(self.min_std)
        energy = x.mean(dim=1, keepdim=True)  # (batch, 1, n_frames)
        lo = energy.amin(dim=2, keepdim=True)
        hi = energy.amax(dim=2, keepdim=True)
        w = (energy > lo + self.active_threshold * (hi - lo)).to(x.dtype)
        w = torch.where(w.sum(dim=2, keepdim=True) > 0, w, torch.ones_like(w))
        n = w.sum(dim=2, keepdim=True)
        if self.mode == "clip":
            mean = (x * w).sum(dim=(1, 2), keepdim=True) / (n * x.shape[1])
        else:
            mean = (x * w).sum(dim=2, keepdim=True) / n
        x = x - mean
        if self.mode == "band":
            var = (x.square() * w).sum(dim=2, keepdim=True) / n
        else:
            var = (x.square() * w).sum(dim=(1, 2), keepdim=True) / (n * x.shape[1])
        return x / var.sqrt().clamp_min(self.min_std)


class FeedForwardNet(nn.Module):
    """Multilayer perceptron on a fixed-length feature vector.

    Parameters
    ----------
    n_features : int
        Length of each input vector.
    n_classes : int
        Number of output scores.
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Width of each hidden layer.
    dropout : float, default=0.3
        Dropout probability after each hidden layer.

    Notes
    -----
    The input goes through a :class:`torch.nn.BatchNorm1d` first, so unscaled
    features work too; each hidden layer is Linear -> BatchNorm -> ReLU -> Dropout.
    """

    def __init__(self, n_features, n_classes, hidden_layer_sizes=(256, 128), dropout=0.3):
        super().__init__()
        layers = [nn.BatchNorm1d(n_features)]
        width = n_features
        for size in hidden_layer_sizes:
            layers += [
                nn.Linear(width, size, bias=False),
                nn.BatchNorm1d(size),
                nn.ReLU(),
                nn.Dropout(dropout),
            ]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        """Map ``x`` of shape ``(batch, n_features)`` to logits ``(batch, n_classes)``."""
        return self.layers(x.flatten(1))


def _pool_size(n_bands, n_frames):
    """Pool by 2 along each axis that is still at least 2 long."""
    return (2 if n_bands >= 2 else 1, 2 if n_frames >= 2 else 1)


class _ConvBlock(nn.Module):
    """``n_convs`` 3x3 convolutions with BatchNorm and ReLU, then max pooling."""

    def __init__(self, in_channels, out_channels, pool, dropout, n_convs=1):
        super().__init__()
        layers = []
        for i in range(n_convs):
            layers += [
                nn.Conv2d(
                    in_channels if i == 0 else out_channels, out_channels, 3, padding=1, bias=False
                ),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
            ]
        layers.append(nn.MaxPool2d(pool))
        if dropout:
            layers.append(nn.Dropout2d(dropout))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


class SpectrogramCNN(nn.Module):
    """2-D convolutional network on log-mel or MFCC frames.

    A stack of VGG-style blocks (3x3 convolutions with BatchNorm and ReLU, 2x2 max
    pooling, spatial dropout), then mean and max pooling over time, and a
    dropout + linear classifier over the channels x remaining bands.

    Parameters
    ----------
    n_bands : int
        Number of coefficients (mel bands, MFCCs) per frame.
    n_frames : int
        Number of frames per clip.
    n_classes : int
        Number of output scores.
    channels : tuple of int, default=(48, 96, 192)
        Output channels of each block.
    dropout : float, default=0.3
        Dropout probability before the classifier; the blocks use half of it.
    convs_per_block : int, default=1
        Convolutions per block (2 is the VGG layout; 1 is 3-4 times cheaper on CPU).
    normalize : {"utterance", "band", "clip"} or None, default="clip"
        Per-clip normalisation of the input, see :class:`FrameNormalization`.
    """

    def __init__(
        self,
        n_bands,
        n_frames,
        n_classes,
        channels=(48, 96, 192),
        dropout=0.3,
        convs_per_block=1,
        normalize="clip",
    ):
        super().__init__()
        self.norm = FrameNormalization(normalize)
        blocks, in_ch, f, t = [], 1, n_bands, n_frames
        for ch in channels:
            pool = _pool_size(f, t)
            blocks.append(_ConvBlock(in_ch, ch, pool, dropout / 2, convs_per_block))
            in_ch, f, t = ch, f // pool[0], t // pool[1]
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * in_ch * f, n_classes))

    def forward(self, x):
        """Map ``x`` of shape ``(batch, n_bands, n_frames)`` to ``(batch, n_classes)``."""
        x = self.blocks(self.norm(x).unsqueeze(1))
        x = torch.cat([x.mean(dim=3), x.amax(dim=3)], dim=1)
        return self.head(x.flatten(1))


class RecurrentNet(nn.Module):
    """Bidirectional GRU or LSTM over frames.

    A 1-D convolution over time (frame context), a stack of recurrent layers, mean
    and max pooling of the outputs over time, and a dropout + linear classifier.

    Parameters
    ----------
    n_bands : int
        Number of coefficients per frame (the recurrent input size).
    n_classes : int
        Number of output scores.
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell.
    hidden_size : int, default=128
        Hidden units per direction.
    num_layers : int, default=2
        Number of stacked recurrent layers.
    bidirectional : bool, default=True
        Whether the recurrent layers read the clip in both directions.
    dropout : float, default=0.3
        Dropout between recurrent layers and before the classifier.
    normalize : {"utterance", "band", "clip"} or None, default="utterance"
        Per-clip normalisation of the input, see :class:`FrameNormalization`.
    """

    def __init__(
        self,
        n_bands,
        n_classes,
        cell="gru",
        hidden_size=128,
        num_layers=2,
        bidirectional=True,
        dropout=0.3,
        normalize="utterance",
    ):
        super().__init__()
        if cell not in ("gru", "lstm"):
            raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}.")
        self.norm = FrameNormalization(normalize)
        self.frontend = nn.Sequential(
            nn.Conv1d(n_bands, hidden_size, 3, padding=1, bias=False),
            nn.BatchNorm1d(hidden_size),
            nn.ReLU(),
        )
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(
            hidden_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        out = hidden_size * (2 if bidirectional else 1)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * out, n_classes))

    def forward(self, x):
        """Map ``x`` of shape ``(batch, n_bands, n_frames)`` to ``(batch, n_classes)``."""
        x = self.frontend(self.norm(x)).transpose(1, 2)
        x, _ = self.rnn(x)
        x = torch.cat([x.mean(dim=1), x.amax(dim=1)], dim=1)
        return self.head(x)


class _BasicBlock(nn.Module):
    """Residual block: two 3x3 convolutions with BatchNorm, identity or 1x1 shortcut."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != (1, 1) or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """Small residual network on log-mel or MFCC frames.

    A 3x3 stem, one stage of ``blocks`` basic residual blocks per entry of
    ``channels`` (the first block of every stage after the first downsamples by 2
    along each axis still at least 2 long), mean and max pooling over time, and a
    dropout + linear classifier.

    Parameters
    ----------
    n_bands : int
        Number of coefficients per frame.
    n_frames : int
        Number of frames per clip.
    n_classes : int
        Number of output scores.
    channels : tuple of int, default=(24, 48, 96)
        Width of each stage.
    blocks : int, default=2
        Residual blocks per stage.
    dropout : float, default=0.3
        Dropout probability before the classifier.
    normalize : {"utterance", "band", "clip"} or None, default="clip"
        Per-clip normalisation of the input, see :class:`FrameNormalization`.
    """

    def __init__(
        self,
        n_bands,
        n_frames,
        n_classes,
        channels=(24, 48, 96),
        blocks=2,
        dropout=0.3,
        normalize="clip",
    ):
        super().__init__()
        self.norm = FrameNormalization(normalize)
        self.stem = nn.Sequential(
            nn.Conv2d(1, channels[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(channels[0]),
            nn.ReLU(),
        )
        layers, in_ch, f, t = [], channels[0], n_bands, n_frames
        for i, ch in enumerate(channels):
            for j in range(blocks):
                stride = _pool_size(f, t) if (i > 0 and j == 0) else (1, 1)
                layers.append(_BasicBlock(in_ch, ch, stride))
                in_ch, f, t = ch, -(-f // stride[0]), -(-t // stride[1])
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * in_ch * f, n_classes))

    def forward(self, x):
        """Map ``x`` of shape ``(batch, n_bands, n_frames)`` to ``(batch, n_classes)``."""
        x = self.layers(self.stem(self.norm(x).unsqueeze(1)))
        x = torch.cat([x.mean(dim=3), x.amax(dim=3)], dim=1)
        return self.head(x.flatten(1))
