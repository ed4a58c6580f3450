"""Ready-made pipelines from raw waveforms to a classifier.

These are the models behind ``audiodigit evaluate --model NAME``. Each takes
waveforms (a ragged sequence of 1-D float32 clips at ``sr`` Hz, as returned by the
dataset loaders and :class:`~sklearn_audiodigit.preprocessing.AudioReader`) and is
a plain :class:`sklearn.pipeline.Pipeline`, so it can be cross-validated, tuned,
and saved like any other.
"""

from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ._config import DEFAULT_SR
from .features import MFCCExtractor
from .preprocessing import TrimSilence

__all__ = ["CLASSICAL_MODELS", "NEURAL_MODELS", "MODELS", "make_svc_pipeline", "make_model"]

CLASSICAL_MODELS = ("svc",)
NEURAL_MODELS = ("mlp", "cnn", "rnn", "resnet")
MODELS = CLASSICAL_MODELS + NEURAL_MODELS


def make_svc_pipeline(*, sr=DEFAULT_SR, random_state=None):
    """The default classical model: trimmed clips, time-normalised MFCCs, an RBF SVC.

    Steps:

    1. :class:`~sklearn_audiodigit.preprocessing.TrimSilence` with ``top_db=30``
       (relative to each clip's own peak).
    2. :class:`~sklearn_audiodigit.features.MFCCExtractor` with 13 MFCCs from 16
       mel bands (a coarse spectral envelope, which carries less of the speaker
       than 26 or 40 bands) and their deltas, averaged over a grid of 8 time
       segments relative to each clip's length (so speaking rate matters less),
       plus the clip's log duration, which that grid loses: 209 features.
    3. A :class:`~sklearn.compose.ColumnTransformer` that standardises every
       column and weights the log-duration column by 3 (``transformer_weights``),
       so that one column among 209 counts in the RBF kernel.
    4. :class:`~sklearn.svm.SVC` with an RBF kernel (``C=10``, ``gamma="scale"``)
       and probability estimates.

    Every value was chosen by speaker-grouped cross-validation on FSDD (leave one
    speaker out, 6 folds) and checked with a nested search whose inner folds are
    grouped by speaker too; the measured accuracies, and what did not help, are in
    ``benchmarks/README.md`` (``benchmarks/bench_accuracy.py``).

    Parameters
    ----------
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    random_state : int, RandomState instance or None, default=None
        Seed of the SVC's probability calibration.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted; ``fit(X, y)`` takes waveforms ``X`` (sequence of 1-D float32
        arrays, or 2-D ``(n_clips, n_samples)``) and labels ``y`` of shape (n_clips,).
        Steps are named ``"trim"``, ``"features"``, ``"scale"`` and ``"classifier"``.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> model = make_svc_pipeline().fit(X[::2], y[::2])
    >>> model.predict(X[1:4]).shape
    (3,)
    """
    return Pipeline(
        [
            ("trim", TrimSilence(top_db=30.0)),
            (
                "features",
                MFCCExtractor(
                    sr=sr,
                    n_mfcc=13,
                    n_mels=16,
                    deltas=1,
                    output="grid",
                    n_segments=8,
                    log_duration=True,
                ),
            ),
            (
                "scale",
                ColumnTransformer(
                    [
                        ("mfcc", StandardScaler(), slice(0, -1)),
                        ("duration", StandardScaler(), [-1]),
                    ],
                    transformer_weights={"mfcc": 1.0, "duration": 3.0},
                ),
            ),
            (
                "classifier",
                # Platt scaling fitted on 3-fold out-of-fold decision values, then one
                # SVC on all the data: what SVC(probability=True) did, without the
                # deprecated parameter (scikit-learn 1.9). 3 folds, so that 3 clips per
                # class are enough to train.
                CalibratedClassifierCV(
                    SVC(C=10.0, random_state=random_state),
                    method="sigmoid",
                    cv=3,
                    ensemble=False,
                ),
            ),
        ]
    )


def make_model(name="svc", *, sr=DEFAULT_SR, random_state=None, **params):
    """Build a named model: ``"svc"`` or one of the networks of :mod:`sklearn_audiodigit.nn`.

    Parameters
    ----------
    name : {"svc", "mlp", "cnn", "rnn", "resnet"}, default="svc"
        The model. The networks need the ``[nn]`` extra (torch, skorch).
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    random_state : int or None, default=None
        Seed for reproducible fits.
    **params : dict
        Passed to the network pipeline builder
        (:func:`sklearn_audiodigit.nn.make_nn_pipeline`), e.g. ``device="cuda"``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted pipeline from waveforms to labels.

    Raises
    ------
    ValueError
        If ``name`` is not a known model.
    ImportError
        If a network is asked for without torch and skorch installed.
    """
    if name == "svc":
        if params:
            raise ValueError(f"model 'svc' takes no extra parameters, got {sorted(params)}")
        return make_svc_pipeline(sr=sr, random_state=random_state)
    if name in NEURAL_MODELS:
        from .nn import make_nn_pipeline

        return make_nn_pipeline(name, sr=sr, random_state=random_state, **params)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
