"""Ready-made waveform -> features -> network pipelines."""

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .._config import DEFAULT_SR
from .._docstring import fill_doc
from ._classifiers import CNNClassifier, FeedForwardClassifier, ResNetClassifier, RNNClassifier

__all__ = ["make_nn_pipeline"]

#: Name of the network step in every pipeline built by :func:`make_nn_pipeline`.
NET_STEP = "net"

_NETS = {
    "mlp": FeedForwardClassifier,
    "cnn": CNNClassifier,
    "rnn": RNNClassifier,
    "resnet": ResNetClassifier,
}

# Frame settings measured on FSDD (benchmarks/README.md): 40 log-mel bands, 32 ms
# windows, 20 ms hop (51 frames per 1 s clip; 10 ms costs twice the time for no gain
# we could measure), and a floor 45 dB below each clip's peak instead of 80 dB, which
# hides the recordings' different noise floors (leave-one-speaker-out accuracy on the
# hardest speaker went from 0.78 to 0.84). All frame networks read the same frames.
_HOP = 160
_TOP_DB = 45.0


@fill_doc
def make_nn_pipeline(name, *, sr=DEFAULT_SR, random_state=None, device="cpu", **net_params):
    """Build a raw waveforms -> features -> network pipeline with tuned defaults.

    ``"cnn"``, ``"resnet"`` and ``"rnn"``: :class:`TrimSilence` (40 dB below each
    clip's peak), :class:`PadTrim` to 1 s (centred), :class:`LogMelExtractor`
    frames (40 bands, 256-sample windows, 20 ms hop at 8 kHz, floor 45 dB below
    each clip's peak) and the network, which normalises each utterance itself.
    ``"mlp"``: the same trimming and padding, :class:`MFCCExtractor` on a grid of
    10 time segments (13 MFCCs and their deltas),
    :class:`~sklearn.preprocessing.StandardScaler` and a
    :class:`FeedForwardClassifier`.

    Parameters
    ----------
    name : {"mlp", "cnn", "rnn", "resnet"}
        Network family.
    %(sr)s
        The frame settings are in samples, so a rate other than 8000 Hz scales
        them in time.
    %(random_state)s
        Passed to the network (weights, shuffling, augmentation).
    device : {"cpu", "cuda"}, default="cpu"
        Passed to the network.
    **net_params
        Any other parameter of the network (``max_epochs``, ``channels``,
        ``early_stopping``, ``augment``, ...).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``"trim"``, ``"pad"``, ``"features"`` (, ``"scale"``) and ``"net"``.
        Its ``fit`` takes ragged waveforms (a list or 1-D object array of 1-D float
        arrays) or a 2-D array ``(n_clips, n_samples)``. Speaker groups go to the
        network, where early stopping uses them to hold out whole speakers::

            pipe.fit(X, y, net__groups=speakers)

    Raises
    ------
    ValueError
        If ``name`` is not one of the four networks.

    Examples
    --------
    >>> from sklearn_audiodigit.nn import make_nn_pipeline
    >>> pipe = make_nn_pipeline("cnn", random_state=0, max_epochs=20)
    >>> [name for name, _ in pipe.steps]
    ['trim', 'pad', 'features', 'net']
    """
    from ..features import LogMelExtractor, MFCCExtractor
    from ..preprocessing import PadTrim, TrimSilence

    if name not in _NETS:
        raise ValueError(f"name must be one of {sorted(_NETS)}, got {name!r}.")
    net = _NETS[name](random_state=random_state, device=device, **net_params)
    steps = [
        ("trim", TrimSilence(top_db=40.0)),
        ("pad", PadTrim(duration=1.0, sr=sr, align="center")),
    ]
    if name == "mlp":
        steps += [
            (
                "features",
                MFCCExtractor(sr=sr, n_mfcc=13, deltas=1, output="grid", n_segments=10),
            ),
            ("scale", StandardScaler()),
        ]
    else:
        steps.append(
            (
                "features",
                LogMelExtractor(
                    sr=sr,
                    n_fft=256,
                    hop_length=_HOP,
                    n_mels=40,
                    top_db=_TOP_DB,
                    output="frames",
                ),
            )
        )
    steps.append((NET_STEP, net))
    return Pipeline(steps)
