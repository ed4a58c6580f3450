"""Speed perturbation, spectral tilt and the augmenting meta-estimator.

:class:`SpeedPerturbedClassifier` trains its inner model on perturbed copies of
every clip and averages its predictions over speed-perturbed copies at prediction
time. Playing a clip faster or slower scales its duration, pitch and formants
together, which is what differs most between speakers of different sizes; the
classifier sees, for every training speaker, a few "virtual speakers" around them
(Ko et al., "Audio augmentation for speech recognition", Interspeech 2015, whose
factors 0.9, 1.0 and 1.1 are the default). Copies filtered to a steeper or
flatter spectral tilt (:func:`spectral_tilt`, training only) stand in for
microphones and voices with more or less energy at high frequencies.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._config import DEFAULT_SR
from ..utils._validation import check_waveforms, validate_waveforms

__all__ = ["speed_perturb", "spectral_tilt", "SpeedPerturbedClassifier"]


def speed_perturb(X, factor, *, sr=DEFAULT_SR):
    """Play every clip ``factor`` times faster (soxr resampling, same ``sr``).

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
        Waveforms at ``sr`` Hz.
    factor : float
        Speed factor: above 1 is faster, shorter and higher; 1 returns the clips
        unchanged.
    sr : int, default=8000
        Sampling rate of ``X`` in Hz (used only to express the resampling ratio).

    Returns
    -------
    X_new : ndarray of shape (n_clips,), dtype object
        One float32 1-D array per clip, of ``round(n_samples / factor)`` samples
        (at least 1).

    Raises
    ------
    ValueError
        If ``factor`` is not positive or ``X`` is not valid waveforms.
    """
    import soxr

    if not factor > 0:
        raise ValueError(f"factor must be positive, got {factor!r}")
    clips = check_waveforms(X)
    out = np.empty(len(clips), dtype=object)
    for i, x in enumerate(clips):
        if factor == 1:
            out[i] = x
        else:
            y = soxr.resample(x, sr, sr / factor, quality="HQ").astype(np.float32)
            out[i] = y if y.size else x[:1].copy()
    return out


def spectral_tilt(X, coef):
    """Filter every clip with the first-order filter ``1 - coef * z**-1``.

    ``y[n] = x[n] - coef * x[n - 1]`` (with ``x[-1] = 0``): the pre-emphasis
    filter of speech front ends when ``coef > 0`` (highs raised against lows), a
    de-emphasis when ``coef < 0``. The gain goes from ``|1 - coef|`` at 0 Hz to
    ``|1 + coef|`` at the Nyquist frequency, a tilt of
    ``20 * log10((1 + coef) / (1 - coef))`` dB across the band: +-15.1 dB for
    ``coef = +-0.7``.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
        Waveforms.
    coef : float
        Filter coefficient, in (-1, 1); 0 returns the clips unchanged.

    Returns
    -------
    X_new : ndarray of shape (n_clips,), dtype object
        One float32 1-D array per clip, of the clip's length (computed in float64).

    Raises
    ------
    ValueError
        If ``coef`` is not in (-1, 1) or ``X`` is not valid waveforms.

    Examples
    --------
    >>> import numpy as np
    >>> spectral_tilt([np.ones(4, dtype=np.float32)], 0.5)[0]
    array([1. , 0.5, 0.5, 0.5], dtype=float32)
    """
    if not -1 < coef < 1:
        raise ValueError(f"coef must be in (-1, 1), got {coef!r}")
    clips = check_waveforms(X)
    out = np.empty(len(clips), dtype=object)
    for i, x in enumerate(clips):
        if coef == 0:
            out[i] = x
        else:
            y = x.astype(np.float64)
            y[1:] -= coef * x[:-1]
            out[i] = y.astype(np.float32)
    return out


def _inner_has(name):
    def check(self):
        est = getattr(self, "estimator_", self.estimator)
        return hasattr(est, name)

    return check


def _proba_available(self):
    if self.calibration is not None:
        return _inner_has("decision_function")(self)
    return _inner_has("predict_proba")(self)


def _log_softmax(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def _as_logits(scores):
    """Decision values as (n, n_classes) logits; binary (n,) becomes [0, d]."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        return np.column_stack([np.zeros_like(scores), scores])
    return scores


def _fit_temperature(scores, y_index):
    """Temperature T > 0 minimising the log loss of softmax(scores / T)."""
    from scipy.optimize import minimize_scalar

    Z = _as_logits(scores)
    rows = np.arange(len(Z))

    def nll(log_beta):
        return -_log_softmax(np.exp(log_beta) * Z)[rows, y_index].mean()

    res = minimize_scalar(nll, bounds=(-10.0, 10.0), method="bounded")
    return float(np.exp(-res.x))


class SpeedPerturbedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit on perturbed copies of the clips; average decisions over speed-perturbed copies.

    Training: the inner classifier is fitted on ``len(factors) + len(tilts) +
    n_augment`` copies of every clip: one per speed factor (:func:`speed_perturb`),
    one per tilt coefficient (:func:`spectral_tilt`, at the original speed) and,
    with an ``augmenter``, ``n_augment`` random copies drawn by its ``augment``
    (e.g. a :class:`WaveformAugmenter`: other voices and channels).

    Prediction (with ``test_time=True``): the inner classifier scores one copy per
    speed factor (tilts are for training only) and the scores are averaged:
    ``predict`` is the argmax of the averaged ``decision_function`` when the inner
    classifier has one (else of the averaged ``predict_proba``).

    Probabilities: with ``calibration="temperature"``, ``predict_proba`` is the
    softmax of the averaged decision values divided by one temperature, fitted in
    ``fit`` on out-of-fold averaged decision values of the training clips (``cv``
    stratified folds over the original clips, so that the copies of a clip are
    never split between fitting and calibration; temperature scaling, Guo et al.,
    "On calibration of modern neural networks", ICML 2017). One temperature for
    every class keeps the argmax: ``predict`` is ``classes_[predict_proba(X).argmax(1)]``
    (up to exact ties). With ``calibration=None``, ``predict_proba`` is the average
    of the inner ``predict_proba``, whose argmax can differ from ``predict`` on a
    few clips, as it can for scikit-learn's ``SVC(probability=True)``.

    Parameters
    ----------
    estimator : estimator taking waveforms
        A classifier (usually a pipeline starting from waveforms) with ``fit`` and
        ``decision_function`` or ``predict_proba``.
    factors : tuple of float, default=(0.9, 1.0, 1.1)
        Speed factors of the copies (Ko et al., 2015), for training and, with
        ``test_time=True``, prediction. Include 1.0 to keep the original clips.
    tilts : tuple of float, default=()
        Coefficients in (-1, 1) of extra training copies filtered by
        :func:`spectral_tilt`, at the original speed; never used at prediction
        time. ``(-0.7, 0.7)`` adds a copy 15 dB darker and one 15 dB brighter at
        the Nyquist frequency than at 0 Hz.
    augmenter : object with an ``augment(X)`` method, or None, default=None
        Source of random training copies, such as :class:`WaveformAugmenter`;
        never used at prediction time. Copy ``k`` is drawn by a clone whose
        ``random_state`` is seeded from the augmenter's own, so a seeded
        augmenter gives the same copies at every fit.
    n_augment : int, default=1
        Number of random copies of every clip drawn by ``augmenter`` (unused
        without one).
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    test_time : bool, default=True
        Average the scores over the speed factors at prediction time (test-time
        augmentation); False predicts on the clips as they are.
    calibration : {"temperature"} or None, default=None
        How ``predict_proba`` is obtained: ``"temperature"`` calibrates the
        averaged decision values (needs an inner ``decision_function``; ``fit``
        then also fits ``cv`` clones on the folds); None averages the inner
        ``predict_proba``.
    cv : int, default=3
        Number of stratified folds of the temperature calibration; every class
        needs at least ``cv`` clips. Unused with ``calibration=None``.

    Attributes
    ----------
    estimator_ : estimator
        The inner classifier fitted on ``len(factors) + len(tilts) + n_augment``
        copies of the data (``n_augment`` only with an ``augmenter``).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    temperature_ : float
        The fitted temperature (only with ``calibration="temperature"``).

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> from sklearn_audiodigit.pipelines import make_svc_pipeline
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> inner = make_svc_pipeline(augment=False)
    >>> clf = SpeedPerturbedClassifier(inner).fit(X[::2], y[::2])
    >>> clf.predict(X[1:4]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "factors": [tuple, list],
        "tilts": [tuple, list],
        "augmenter": [HasMethods(["augment"]), None],
        "n_augment": [Interval(numbers.Integral, 0, None, closed="left")],
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "test_time": ["boolean"],
        "calibration": [StrOptions({"temperature"}), None],
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        factors=(0.9, 1.0, 1.1),
        tilts=(),
        augmenter=None,
        n_augment=1,
        sr=DEFAULT_SR,
        test_time=True,
        calibration=None,
        cv=3,
    ):
        self.estimator = estimator
        self.factors = factors
        self.tilts = tilts
        self.augmenter = augmenter
        self.n_augment = n_augment
        self.sr = sr
        self.test_time = test_time
        self.calibration = calibration
        self.cv = cv

    def __setstate__(self, state):
        # files of releases before augmenter/n_augment existed load with their defaults
        state = {"augmenter": None, "n_augment": 1, **state}
        super().__setstate__(state)

    def _check_factors(self):
        try:
            factors = tuple(float(f) for f in self.factors)
        except (TypeError, ValueError):
            factors = ()
        if not factors or any(not f > 0 for f in factors):
            raise ValueError(f"factors must be positive numbers, got {self.factors!r}")
        return factors

    def _check_tilts(self):
        try:
            tilts = tuple(float(t) for t in self.tilts)
        except (TypeError, ValueError):
            tilts = (np.nan,)
        if any(not -1 < t < 1 for t in tilts):
            raise ValueError(f"tilts must be numbers in (-1, 1), got {self.tilts!r}")
        return tilts

    def _train_copies(self, X):
        copies = [speed_perturb(X, f, sr=self.sr) for f in self._check_factors()] + [
            spectral_tilt(X, t) for t in self._check_tilts()
        ]
        if self.augmenter is not None and self.n_augment:
            seeds = check_random_state(getattr(self.augmenter, "random_state", None))
            for _ in range(self.n_augment):
                augmenter = clone(self.augmenter)
                if "random_state" in augmenter.get_params():
                    augmenter.set_params(random_state=seeds.randint(np.iinfo(np.int32).max))
                copies.append(augmenter.augment(X))
        return copies

    @_fit_context(prefer_skip_nested_validation=False)  # the inner model validates its own
    def fit(self, X, y, **fit_params):
        """Fit the inner classifier on every perturbed copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.
        y : array-like of shape (n_clips,)
            Labels.
        **fit_params : dict
            Passed to the inner ``fit``; array-valued parameters of length
            ``n_clips`` (e.g. sample weights) are repeated for each copy.

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ValueError
            If a parameter is invalid, ``X`` is not valid waveforms, ``X`` and
            ``y`` differ in length, or (with ``calibration="temperature"``) a class
            has fewer than ``cv`` clips or the inner classifier has no
            ``decision_function``.
        TypeError
            If ``X`` holds file paths or other non-numeric values.
        """
        self._validate_params()
        self._check_factors()
        self._check_tilts()
        X = validate_waveforms(self, X, reset=True)
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} clips but y has {len(y)} labels")
        clips = np.empty(len(y), dtype=object)
        for i, clip in enumerate(X):
            clips[i] = clip
        per_clip = {
            k
            for k, v in fit_params.items()
            if hasattr(v, "__len__") and len(v) == len(y) and not isinstance(v, str)
        }
        self.estimator_ = self._fit_copies(clips, y, fit_params, per_clip)
        self.classes_ = self.estimator_.classes_
        if self.calibration is not None:
            if not hasattr(self.estimator_, "decision_function"):
                raise ValueError(
                    "calibration='temperature' needs an inner classifier with "
                    f"decision_function; {type(self.estimator_).__name__} has none"
                )
            self.temperature_ = self._calibrate(clips, y, fit_params, per_clip)
        return self

    def _fit_copies(self, clips, y, fit_params, per_clip):
        copies = self._train_copies(clips)
        X_aug = np.empty(len(y) * len(copies), dtype=object)
        X_aug[:] = [clip for copy in copies for clip in copy]
        y_aug = np.concatenate([y] * len(copies))
        params = {
            k: np.concatenate([np.asarray(v)] * len(copies)) if k in per_clip else v
            for k, v in fit_params.items()
        }
        return clone(self.estimator).fit(X_aug, y_aug, **params)

    def _calibrate(self, clips, y, fit_params, per_clip):
        """Temperature fitted on out-of-fold averaged decision values."""
        from sklearn.model_selection import StratifiedKFold

        _, counts = np.unique(y, return_counts=True)
        if counts.min() < self.cv:
            raise ValueError(
                f"calibration='temperature' with cv={self.cv} needs at least {self.cv} "
                f"clips of every class; the smallest class has {counts.min()}"
            )
        index = np.searchsorted(self.classes_, y)
        scores = None
        for train, test in StratifiedKFold(n_splits=self.cv).split(np.zeros(len(y)), y):
            params = {
                k: np.asarray(v)[train] if k in per_clip else v for k, v in fit_params.items()
            }
            inner = self._fit_copies(clips[train], y[train], params, per_clip)
            fold = self._average(inner, "decision_function", clips[test])
            if scores is None:
                scores = np.empty((len(y),) + fold.shape[1:], dtype=np.float64)
            scores[test] = fold
        return _fit_temperature(scores, index)

    def _scores(self, method, X):
        """The fitted inner ``method`` averaged over the copies of validated ``X``."""
        check_is_fitted(self)
        X = validate_waveforms(self, X, reset=False)
        return self._average(self.estimator_, method, X)

    def _average(self, inner, method, X):
        factors = self._check_factors() if self.test_time else (1.0,)
        n = len(X)
        # every copy in one call of the inner model (one pass through its pipeline)
        batch = np.empty(n * len(factors), dtype=object)
        for k, f in enumerate(factors):
            for i, clip in enumerate(speed_perturb(X, f, sr=self.sr)):
                batch[k * n + i] = clip
        scores = np.asarray(getattr(inner, method)(batch), dtype=np.float64)
        return scores.reshape((len(factors), n) + scores.shape[1:]).mean(axis=0)

    @available_if(_proba_available)
    def predict_proba(self, X):
        """Class probabilities of the clips.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes), dtype float64
            With ``calibration="temperature"``, the softmax of the averaged
            decision values divided by ``temperature_``; else the mean of the
            inner ``predict_proba`` over the speed factors.
        """
        if self.calibration is None:
            return self._scores("predict_proba", X)
        Z = _as_logits(self._scores("decision_function", X))
        return np.exp(_log_softmax(Z / self.temperature_))

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        """Decision values averaged over the speed-perturbed copies.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        scores : ndarray of shape (n_clips, n_classes) or (n_clips,), dtype float64
            Mean of the inner ``decision_function`` over ``factors``; 1-D for two
            classes, as scikit-learn's binary classifiers.
        """
        return self._scores("decision_function", X)

    def predict(self, X):
        """Predict the class with the highest averaged decision value (or probability).

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        y_pred : ndarray of shape (n_clips,)
            Predicted labels: the argmax of the averaged inner
            ``decision_function``, or of the averaged ``predict_proba`` when the
            inner classifier has no ``decision_function``.
        """
        check_is_fitted(self)
        if hasattr(self.estimator_, "decision_function"):
            scores = _as_logits(self._scores("decision_function", X))
        else:
            scores = self._scores("predict_proba", X)
        return self.classes_[np.argmax(scores, axis=1)]
