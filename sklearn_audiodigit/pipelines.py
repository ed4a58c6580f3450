"""Ready-made pipelines from raw waveforms to a classifier.

These are the models behind ``audiodigit evaluate --model NAME``. Each takes
waveforms (a ragged sequence of 1-D float32 clips at ``sr`` Hz, as returned by the
dataset loaders and :class:`~sklearn_audiodigit.preprocessing.AudioReader`) and is
a scikit-learn classifier (a :class:`sklearn.pipeline.Pipeline`; for ``"cnn"``, a
:class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` around one, which
trains it on noisy and reverberant copies too; for ``"svc"`` and ``"embed-svc"``, a
:class:`~sklearn.calibration.CalibratedClassifierCV` around such a wrapper), so it
can be cross-validated, tuned, and saved like any other.
"""

from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import _config
from ._config import DEFAULT_SR
from ._docstring import fill_doc
from .augmentation import SpeedPerturbedClassifier, WaveformAugmenter
from .features import MFCCExtractor
from .preprocessing import TrimSilence
from .svm import OneVsOneSumSVC

__all__ = [
    "CLASSICAL_MODELS",
    "EMBEDDING_MODELS",
    "NEURAL_MODELS",
    "MODELS",
    "make_svc_pipeline",
    "make_embed_svc_pipeline",
    "make_model",
]

# (the tuples live in _config, which the command line reads without scikit-learn)
#: Names of the models :func:`make_model` builds without PyTorch: ``"svc"``, the
#: default (:func:`make_svc_pipeline`).
CLASSICAL_MODELS = _config.CLASSICAL_MODELS
#: Names of the models on the pretrained speech embedding (the ``[embedding]`` extra
#: and its model files): ``"embed-svc"`` (:func:`make_embed_svc_pipeline`).
EMBEDDING_MODELS = _config.EMBEDDING_MODELS
#: Names of the network models :func:`make_model` builds with the ``[nn]`` extra
#: (:func:`sklearn_audiodigit.nn.make_nn_pipeline`): a feed-forward network on MFCCs,
#: a CNN, a recurrent network and a ResNet on log-mel frames.
NEURAL_MODELS = _config.NEURAL_MODELS
#: Every name :func:`make_model` accepts (and ``audiodigit --model``):
#: :data:`CLASSICAL_MODELS`, :data:`EMBEDDING_MODELS`, then :data:`NEURAL_MODELS`.
MODELS = _config.MODELS


def _temperature_calibrated(classifier):
    """``classifier`` with temperature-scaled probabilities on 3 folds of the original clips.

    ``CalibratedClassifierCV`` splits the clips it is given (stratified, 3 folds,
    no shuffling) and each fold's ``fit`` of ``classifier`` makes the training
    copies of its own clips, so a clip and its copies are never split between
    fitting and calibration. One temperature for all classes keeps the argmax of
    the decision values: ``predict`` is the wrapped classifier's own (up to exact
    ties), and with ``ensemble=False`` it comes from one fit on all the clips.
    """
    return CalibratedClassifierCV(classifier, method="temperature", cv=3, ensemble=False)


def _with_channel_copies(pipeline, *, sr, random_state):
    """``pipeline`` trained on every clip, a pink-noise copy and a reverberant copy.

    The recipe of ``embed-svc`` and of the ``cnn``: one
    :class:`~sklearn_audiodigit.augmentation.WaveformAugmenter` adds pink noise at
    an SNR drawn in 0-20 dB per clip, the other convolves with one of 8 simulated
    rooms of RT60 drawn in 0.2-0.8 s; prediction is one pass over each clip as it is.
    """
    off = dict(vtlp_range=None, band=None, eq_db=None, clip_range=None, p=1.0, sr=sr)
    noise_only = WaveformAugmenter(
        **off,
        rt60_range=None,
        snr_range=(0.0, 20.0),
        noise_kinds=("pink",),
        random_state=random_state,
    )
    room_only = WaveformAugmenter(
        **off, rt60_range=(0.2, 0.8), snr_range=None, random_state=random_state
    )
    return SpeedPerturbedClassifier(
        pipeline,
        factors=(1.0,),
        augmenter=[noise_only, room_only],
        n_augment=1,
        sr=sr,
    )


@fill_doc
def make_svc_pipeline(*, sr=DEFAULT_SR, random_state=None, augment=True):
    """The default classical model: trimmed clips, time-normalised MFCCs, an RBF SVC.

    The pipeline (what ``augment=False`` returns on its own):

    1. :class:`~sklearn_audiodigit.preprocessing.TrimSilence` with ``top_db=30``
       (relative to each clip's own peak).
    2. :class:`~sklearn_audiodigit.features.MFCCExtractor` with 13 MFCCs from 16
       mel bands (a coarse spectral envelope, which carries less of the speaker
       than 26 or 40 bands), the mel energies compressed by PNCC's power law
       (``compression="power"``, Kim and Stern, IEEE/ACM TASLP 2016) rather than
       the logarithm, which magnifies the faint bands that noise fills, and
       their deltas, averaged over a grid of 8 time
       segments relative to each clip's length (so speaking rate matters less),
       plus the clip's log duration, which that grid loses: 209 features.
    3. A :class:`~sklearn.compose.ColumnTransformer` that standardises every
       column and weights the log-duration column by 3 (``transformer_weights``),
       so that one column among 209 counts in the RBF kernel.
    4. :class:`~sklearn.svm.SVC` with an RBF kernel (``C=10``, ``gamma="scale"``).

    With ``augment=True`` (the default), the pipeline is wrapped in
    :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier`: the SVC is
    trained on six copies of every clip: played at speeds 0.9, 1.0 and 1.1 (Ko et
    al., "Audio augmentation for speech recognition", Interspeech 2015); at the
    original speed, filtered to a spectral tilt of -15 and +15 dB
    (:func:`~sklearn_audiodigit.augmentation.spectral_tilt` with coefficients
    -0.7 and 0.7); and one random copy through other voices and channels
    (:class:`~sklearn_audiodigit.augmentation.WaveformAugmenter` with its
    defaults but no rooms: vocal tract length perturbation, equalisation, a
    telephone band, white, babble or hum noise at 5-30 dB SNR, clipping, each
    with probability 0.3). ``predict`` averages the SVC's decision values over the
    three speeds. That classifier is wrapped in
    :class:`~sklearn.calibration.CalibratedClassifierCV` (``method="temperature"``,
    ``cv=3``, ``ensemble=False``): ``predict_proba`` is the softmax of the averaged
    decision values at a temperature fitted on 3-fold out-of-fold decision values
    of the original clips (Guo et al., ICML 2017; each fold makes the copies of its
    own clips), so that its argmax is ``predict``. Fitting takes about 18 times as
    long as the plain pipeline (six copies, and the three calibration folds),
    prediction about three times; the features of the speed and tilt copies are
    cached across fits (see
    :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier`).

    With ``augment=False``, step 4 is the SVC with probabilities: a
    :class:`~sklearn.calibration.CalibratedClassifierCV` (sigmoid, 3 folds,
    ``ensemble=False``), the previous default.

    Every value was chosen by speaker-grouped cross-validation on FSDD (leave one
    speaker out, 6 folds), the power law and the random copy together with the
    development benchmark of unseen channels (``benchmarks/bench_devset.py``),
    on which both measured better; ``augment=True`` scores higher than
    ``augment=False``. The measurements, and what did not help, are in
    ``benchmarks/README.md``.

    Parameters
    ----------
    %(sr)s
    %(random_state)s
        Here: the seed of the SVC (``augment=False``: of its probability
        calibration) and of the random training copy.
    augment : bool, default=True
        Wrap the pipeline in the speed- and tilt-augmented classifier with
        test-time averaging; False returns the plain pipeline.

    Returns
    -------
    model : sklearn.calibration.CalibratedClassifierCV or sklearn.pipeline.Pipeline
        Unfitted; ``fit(X, y)`` takes waveforms ``X`` (sequence of 1-D float32
        arrays, or 2-D ``(n_clips, n_samples)``) and labels ``y`` of shape
        (n_clips,); ``predict`` and ``predict_proba`` give shapes (n_clips,) and
        (n_clips, n_classes). With ``augment=True``, a ``CalibratedClassifierCV``
        whose ``estimator`` is a
        :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` whose
        ``estimator`` is the pipeline (parameters
        ``estimator__estimator__classifier__C``, ...; the fitted pipeline is
        ``model.calibrated_classifiers_[0].estimator.estimator_``); with
        ``augment=False``, the pipeline. The pipeline's steps are named
        ``"trim"``, ``"features"``, ``"scale"`` and ``"classifier"``.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> model = make_svc_pipeline().fit(X[::2], y[::2])
    >>> model.predict(X[1:4]).shape
    (3,)
    >>> model.predict_proba(X[1:4]).shape
    (3, 10)
    """
    if augment:
        # predictions come from the SVC's decision values, calibrated around the wrapper
        classifier = SVC(C=10.0, random_state=random_state)
    else:
        # Platt scaling fitted on 3-fold out-of-fold decision values, then one
        # SVC on all the data: what SVC(probability=True) did, without the
        # deprecated parameter (scikit-learn 1.9). 3 folds, so that 3 clips per
        # class are enough to train.
        classifier = CalibratedClassifierCV(
            SVC(C=10.0, random_state=random_state),
            method="sigmoid",
            cv=3,
            ensemble=False,
        )
    pipeline = Pipeline(
        [
            ("trim", TrimSilence(top_db=30.0)),
            (
                "features",
                MFCCExtractor(
                    sr=sr,
                    n_mfcc=13,
                    n_mels=16,
                    compression="power",
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
            ("classifier", classifier),
        ]
    )
    if not augment:
        return pipeline
    return _temperature_calibrated(
        SpeedPerturbedClassifier(
            pipeline,
            factors=(0.9, 1.0, 1.1),
            tilts=(-0.7, 0.7),
            # one random voice-and-channel copy; rooms left out, so that the default
            # model needs no room simulator (measured as good without them)
            augmenter=WaveformAugmenter(rt60_range=None, sr=sr, random_state=random_state),
            n_augment=1,
            sr=sr,
        )
    )


def make_embed_svc_pipeline(*, sr=DEFAULT_SR, random_state=None, model_dir=None, augment=True):
    """Google's pretrained speech embedding, pooled, standardised, into an RBF SVC.

    The pipeline:

    1. :class:`~sklearn_audiodigit.embeddings.SpeechEmbeddingExtractor`: each clip
       resampled to 16 kHz and centred in a 1.5 s window, 9 frames of 96
       dimensions, their mean and standard deviation (192 features).
    2. :class:`~sklearn.preprocessing.StandardScaler`.
    3. :class:`~sklearn.svm.SVC` (RBF, ``C=1``, ``gamma="scale"``); without
       augmentation, with sigmoid probabilities fitted on 3-fold out-of-fold
       decision values (:class:`~sklearn.calibration.CalibratedClassifierCV`,
       ``ensemble=False``).

    With ``augment=True`` (the default), the pipeline is wrapped in
    :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` with no
    speed copies and two copies of every training clip
    (:class:`~sklearn_audiodigit.augmentation.WaveformAugmenter`): one under pink
    noise (power ``1/f``) at a signal-to-noise ratio drawn uniformly in 0-20 dB
    per clip, one in a simulated room (RT60 drawn in 0.2-0.8 s, one of 8 rooms
    simulated with pyroomacoustics at each fit); prediction is unchanged (one pass
    over each clip). FSDD is six men recorded in one quiet room; the copies teach
    the classifier what speech under noise and reverberation looks like in the
    embedding. The SVC is then a
    :class:`~sklearn_audiodigit.svm.OneVsOneSumSVC`, which scores each class by
    its mean one-against-one margin rather than by votes, and ``predict_proba`` is
    the softmax of those scores at a temperature fitted on 3-fold out-of-fold
    scores of the original clips
    (:class:`~sklearn.calibration.CalibratedClassifierCV` with
    ``method="temperature"`` around the wrapper): sigmoid calibration on folds
    that mix a clip with its own noisy copy changed the predictions and cost
    accuracy, and the vote counts of a plain SVC made the probabilities nearly
    the same for every clip, so that a transcriber's ``reject_threshold`` could
    not tell a cough from a digit. Fitting takes about ten times as long as the
    plain pipeline (three versions of every clip, three calibration folds).

    The embedding was trained by Google on many voices (Lin et al., ICASSP 2020,
    arXiv:2002.01322), so this model generalises to speakers and channels that
    FSDD's six men do not cover far better than the MFCC models; the values were
    chosen by FSDD leave-one-speaker-out together with held-out speakers passed
    through noise and a telephone band (``benchmarks/bench_embedding.py``, figures
    in ``benchmarks/README.md``). Needs the ``[embedding]`` extra (onnxruntime)
    and the model files (:mod:`sklearn_audiodigit.embeddings` says where they are
    found, how to get them, and their licence: CC BY-NC-SA 4.0 per openWakeWord).

    Parameters
    ----------
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    random_state : int, RandomState instance or None, default=None
        Seed of the SVC's probability calibration.
    model_dir : str, os.PathLike or None, default=None
        Folder holding the embedding's ONNX files; ``None`` searches for them.
    augment : bool, default=True
        Train on one pink-noise copy and one reverberant copy of every clip as
        well (see above; the room simulation needs pyroomacoustics, which the
        ``[embedding]`` extra installs); False returns the plain pipeline.

    Returns
    -------
    model : sklearn.calibration.CalibratedClassifierCV or sklearn.pipeline.Pipeline
        Unfitted. The pipeline has steps ``"embedding"``, ``"scale"``,
        ``"classifier"``; with ``augment=True`` it is the ``estimator`` of the
        :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` inside
        the ``CalibratedClassifierCV`` (parameters
        ``estimator__estimator__classifier__...``). ``fit(X, y)`` takes waveforms
        (sequence of 1-D float32 arrays, or 2-D ``(n_clips, n_samples)``) and
        labels of shape (n_clips,); ``random_state`` also seeds the noise.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> model = make_embed_svc_pipeline().fit(X[::2], y[::2])  # doctest: +SKIP
    >>> model.predict(X[1:4]).shape  # doctest: +SKIP
    (3,)
    """
    from .embeddings import SpeechEmbeddingExtractor

    if augment:
        # predictions come from the SVC's decision values, calibrated on folds of the
        # original clips around the wrapper (a noisy copy never calibrates its own clip)
        classifier = OneVsOneSumSVC(C=1.0, random_state=random_state)
    else:
        classifier = CalibratedClassifierCV(
            SVC(C=1.0, random_state=random_state), method="sigmoid", cv=3, ensemble=False
        )
    pipeline = Pipeline(
        [
            ("embedding", SpeechEmbeddingExtractor(sr=sr, model_dir=model_dir)),
            ("scale", StandardScaler()),
            ("classifier", classifier),
        ]
    )
    if not augment:
        return pipeline
    return _temperature_calibrated(_with_channel_copies(pipeline, sr=sr, random_state=random_state))


@fill_doc
def make_model(name="svc", *, sr=DEFAULT_SR, random_state=None, channel_copies=None, **params):
    """Build a named model: ``"svc"``, ``"embed-svc"`` or a network of :mod:`sklearn_audiodigit.nn`.

    Parameters
    ----------
    name : {"svc", "embed-svc", "mlp", "cnn", "rnn", "resnet"}, default="svc"
        The model. ``"embed-svc"`` needs the ``[embedding]`` extra and the
        embedding's model files (:func:`make_embed_svc_pipeline`); the networks
        need the ``[nn]`` extra (torch, skorch, and pyroomacoustics for the rooms
        of ``channel_copies``).
    %(sr)s
    %(random_state)s
        It also seeds the noise and rooms of ``channel_copies``.
    channel_copies : bool or None, default=None
        Networks only: train on two more copies of every clip, one under pink
        noise at an SNR drawn in 0-20 dB, one in a simulated room of RT60 drawn
        in 0.2-0.8 s (the recipe of :func:`make_embed_svc_pipeline`); prediction
        is one pass over each clip as it is. None means True for ``"cnn"``, whose
        default it is, and False for the other networks, on which it was not
        measured. On the development benchmark of unseen channels
        (``benchmarks/bench_devset.py``) the copies raised the cnn from 0.803 to
        0.897 (mean of 17 conditions; worst condition 0.460 to 0.717; 0.799 to
        0.882 with another seed) for a little less FSDD leave-one-speaker-out
        accuracy (0.947 to 0.944, and 0.945 to 0.941; figures in
        ``benchmarks/README.md``). Training takes about three times as long.
    **params : dict
        Passed to the network pipeline builder
        (:func:`sklearn_audiodigit.nn.make_nn_pipeline`), e.g. ``device="cuda"``,
        ``max_epochs=10``, or to :func:`make_embed_svc_pipeline` (``model_dir``).

    Returns
    -------
    model : estimator
        Unfitted classifier from waveforms to labels. For the networks, the
        :class:`~sklearn.pipeline.Pipeline` of
        :func:`~sklearn_audiodigit.nn.make_nn_pipeline`; with channel copies (the
        ``"cnn"``'s default), a
        :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` around
        it (its parameters ``estimator__net__...``; fit parameters such as
        ``net__groups`` reach the pipeline, repeated for every copy). For
        ``"svc"`` and ``"embed-svc"``, a
        :class:`~sklearn.calibration.CalibratedClassifierCV` around a
        :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` around
        the pipeline.

    Raises
    ------
    ValueError
        If ``name`` is not a known model, or ``channel_copies`` is given for a
        model other than a network.
    ImportError
        If a network is asked for without torch and skorch installed.
    """
    if channel_copies is not None and name in CLASSICAL_MODELS + EMBEDDING_MODELS:
        raise ValueError(
            f"channel_copies is a parameter of the networks ({', '.join(NEURAL_MODELS)}); "
            f"model {name!r} has its own augmentation (augment=... of its builder)"
        )
    if name == "svc":
        if params:
            raise ValueError(f"model 'svc' takes no extra parameters, got {sorted(params)}")
        return make_svc_pipeline(sr=sr, random_state=random_state)
    if name == "embed-svc":
        return make_embed_svc_pipeline(sr=sr, random_state=random_state, **params)
    if name in NEURAL_MODELS:
        from .nn import make_nn_pipeline

        pipeline = make_nn_pipeline(name, sr=sr, random_state=random_state, **params)
        if channel_copies is None:
            channel_copies = name == "cnn"
        if not channel_copies:
            return pipeline
        return _with_channel_copies(pipeline, sr=sr, random_state=random_state)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
