"""Speed perturbation, spectral tilt and the augmenting meta-estimator.

:class:`SpeedPerturbedClassifier` trains its inner model on perturbed copies of
every clip and averages its predictions over speed-perturbed copies at prediction
time. Playing a clip faster or slower scales its duration, pitch and formants
together, which is what differs most between speakers of different sizes; the
classifier sees, for every training speaker, a few "virtual speakers" around them
(Ko et al., "Audio augmentation for speech recognition", Interspeech 2015, whose
factors 0.9, 1.0 and 1.1 are the default). Copies filtered to a steeper or
flatter spectral tilt (:func:`spectral_tilt`, training only) stand in for
microphones and voices with more or less energy at high frequencies. Its
probabilities come from scikit-learn's
:class:`~sklearn.calibration.CalibratedClassifierCV` around it; its cache of copy
features lives in ``_cache``.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import check_random_state, metadata_routing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_method_params, check_is_fitted

from .._config import DEFAULT_SR
from ..utils._validation import check_waveforms, validate_waveforms
from ._cache import cached_features, prefix_token, stateless_prefix

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


def _as_clips(X):
    clips = np.empty(len(X), dtype=object)
    for i, clip in enumerate(X):
        clips[i] = clip
    return clips


class SpeedPerturbedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit on perturbed copies of the clips; average decisions over speed-perturbed copies.

    Training: the inner classifier is fitted on ``len(factors) + len(tilts) +
    n_augmenters * n_augment`` copies of every clip: one per speed factor
    (:func:`speed_perturb`), one per tilt coefficient (:func:`spectral_tilt`, at
    the original speed) and, with an ``augmenter`` (or a list of them),
    ``n_augment`` random copies drawn by each one's ``augment`` (e.g. a
    :class:`WaveformAugmenter`: other voices and channels).

    Prediction (with ``test_time=True``): the inner classifier scores one copy per
    speed factor (tilts are for training only) and the scores are averaged:
    ``predict`` is the argmax of the averaged ``decision_function`` when the inner
    classifier has one (else of the averaged ``predict_proba``).

    Probabilities: ``predict_proba`` is the average of the inner ``predict_proba``,
    whose argmax can differ from ``predict`` on a few clips, as it can for
    scikit-learn's ``SVC(probability=True)``. For probabilities whose argmax is
    ``predict``, wrap this classifier in
    ``CalibratedClassifierCV(method="temperature", ensemble=False)`` (as
    :func:`~sklearn_audiodigit.pipelines.make_svc_pipeline` does): its folds split
    the original clips, and each fold's ``fit`` makes the copies of its own clips,
    so a clip's copies are never split between fitting and calibration;
    temperature scaling (Guo et al., "On calibration of modern neural networks",
    ICML 2017) divides the averaged decision values by one positive number, which
    keeps their argmax.

    Features: when the inner classifier is a :class:`~sklearn.pipeline.Pipeline`
    whose first steps are stateless (tagged ``requires_fit=False``, as
    :class:`~sklearn_audiodigit.preprocessing.TrimSilence` and
    :class:`~sklearn_audiodigit.features.MFCCExtractor` are), ``fit`` keeps the
    output of those steps for every speed and tilt copy of a clip in a
    process-wide cache keyed by the clip's samples, the copy and the steps'
    parameters (at most 256 MiB, least recently used out first), so that fits on
    overlapping sets of clips (cross-validation folds, a grid search over the
    classifier) featurise each training copy once. The random ``augmenter`` copies
    are never cached, and prediction never reads the cache. A clip's features
    computed in another batch can differ in the last bits of float32 (the spectral
    engine's matrix products depend on the batch; the feature contract is a
    tolerance), so a fit that reads features cached by an earlier fit can end with
    decision values a few 1e-9 apart from a cold fit's, which changes a prediction
    only where two classes tie to that precision; ``feature_cache=False`` turns
    the cache off.

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
    augmenter : object with an ``augment(X)`` method, list of them, or None, default=None
        Source of random training copies, such as :class:`WaveformAugmenter`;
        never used at prediction time. A list draws ``n_augment`` copies from
        each of its augmenters (e.g. one noisy copy and one reverberant copy of
        every clip). Copy ``k`` is drawn by a clone whose ``random_state`` is
        seeded from the augmenter's own, so a seeded augmenter gives the same
        copies at every fit.
    n_augment : int, default=1
        Number of random copies of every clip drawn by each augmenter (unused
        without one).
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    test_time : bool, default=True
        Average the scores over the speed factors at prediction time (test-time
        augmentation); False predicts on the clips as they are.
    feature_cache : bool, default=True
        Keep the stateless steps' output for every speed and tilt copy in the
        process-wide cache described above.
    calibration : {"temperature"} or None, default=None
        Deprecated since 0.1, removed in 0.2: use
        ``CalibratedClassifierCV(SpeedPerturbedClassifier(...),
        method="temperature", cv=3, ensemble=False)``. ``"temperature"``
        calibrates the averaged decision values on ``cv`` stratified folds of the
        original clips and makes ``predict_proba`` their softmax at the fitted
        ``temperature_``; None averages the inner ``predict_proba``.
    cv : int, default=3
        Deprecated with ``calibration``: the number of its folds; every class
        needs at least ``cv`` clips. Unused with ``calibration=None``.

    Attributes
    ----------
    estimator_ : estimator
        The inner classifier fitted on ``len(factors) + len(tilts) +
        n_augmenters * n_augment`` copies of the data (``n_augment`` only with an
        ``augmenter``).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    temperature_ : float
        The fitted temperature (only with the deprecated
        ``calibration="temperature"``).

    See Also
    --------
    sklearn.calibration.CalibratedClassifierCV : Probabilities of this classifier.

    Examples
    --------
    >>> from sklearn.calibration import CalibratedClassifierCV
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> from sklearn_audiodigit.pipelines import make_svc_pipeline
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> inner = make_svc_pipeline(augment=False)
    >>> clf = SpeedPerturbedClassifier(inner).fit(X[::2], y[::2])
    >>> clf.predict(X[1:4]).shape
    (3,)
    >>> calibrated = CalibratedClassifierCV(
    ...     SpeedPerturbedClassifier(inner), method="temperature", ensemble=False
    ... ).fit(X[::2], y[::2])
    >>> calibrated.predict_proba(X[1:4]).shape
    (3, 10)
    """

    # sample_weight is routed to the inner estimator, never used here
    __metadata_request__fit = {"sample_weight": metadata_routing.UNUSED}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "factors": [tuple, list],
        "tilts": [tuple, list],
        "augmenter": [HasMethods(["augment"]), list, tuple, None],
        "n_augment": [Interval(numbers.Integral, 0, None, closed="left")],
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "test_time": ["boolean"],
        "feature_cache": ["boolean"],
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
        feature_cache=True,
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
        self.feature_cache = feature_cache
        self.calibration = calibration
        self.cv = cv

    def __setstate__(self, state):
        # files of releases before these parameters existed load with their defaults
        state = {"augmenter": None, "n_augment": 1, "feature_cache": True, **state}
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

    def _specs(self, *, train):
        """The deterministic copies: ``("speed", factor, sr)``, then ``("tilt", coef)``."""
        factors = self._check_factors() if train or self.test_time else (1.0,)
        specs = [("speed", f, float(self.sr)) for f in factors]
        if train:
            specs += [("tilt", t) for t in self._check_tilts()]
        return specs

    def _make_copy(self, spec, clips):
        if spec[0] == "speed":
            return speed_perturb(clips, spec[1], sr=self.sr)
        return spectral_tilt(clips, spec[1])

    def _random_copies(self, clips):
        """The ``n_augment`` copies drawn by clones of the augmenter (never cached)."""
        copies = []
        for base in self._augmenters() if self.n_augment else []:
            seeds = check_random_state(getattr(base, "random_state", None))
            for _ in range(self.n_augment):
                augmenter = clone(base)
                if "random_state" in augmenter.get_params():
                    augmenter.set_params(random_state=seeds.randint(np.iinfo(np.int32).max))
                copies.append(augmenter.augment(clips))
        return copies

    def _training_inputs(self, inner, clips, specs, extra):
        """What ``inner[k:]`` is fitted on: ``(k, Xt)``, rows copy by copy.

        ``k`` is the number of stateless steps whose (cached) output ``Xt`` holds;
        0 means that ``Xt`` holds the copies' waveforms, for the whole ``inner``.
        """
        k = stateless_prefix(inner) if self.feature_cache else 0
        if k:
            head = inner[:k]
            token = prefix_token([step for _, step in inner.steps[:k]])
            feats = cached_features(head.transform, token, clips, specs, self._make_copy)
            if feats is not None:
                return k, np.concatenate(feats + [head.transform(c) for c in extra])
        copies = [self._make_copy(spec, clips) for spec in specs] + list(extra)
        return 0, _as_clips([clip for copy in copies for clip in copy])

    def _augmenters(self):
        """The augmenters, as a list (one, several, or none)."""
        if self.augmenter is None:
            return []
        if isinstance(self.augmenter, (list, tuple)):
            bad = [a for a in self.augmenter if not hasattr(a, "augment")]
            if bad:
                raise ValueError(
                    "every element of augmenter must have an augment(X) method; "
                    f"got {type(bad[0]).__name__}"
                )
            return list(self.augmenter)
        return [self.augmenter]

    @_fit_context(prefer_skip_nested_validation=False)  # the inner model validates its own
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the inner classifier on every perturbed copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.
        y : array-like of shape (n_clips,)
            Labels.
        sample_weight : array-like of shape (n_clips,) or None, default=None
            Weights of the clips, repeated for each copy. With metadata routing
            enabled (``sklearn.set_config(enable_metadata_routing=True)``) it goes
            where the inner estimator requests it (e.g.
            ``SVC().set_fit_request(sample_weight=True)``); without, it is passed
            to the inner ``fit`` as ``sample_weight``.
        **fit_params : dict
            Further parameters of the inner ``fit``: with metadata routing, those
            the inner estimator requests; without, all of them (e.g.
            ``classifier__sample_weight`` for a pipeline). Array-likes of length
            ``n_clips`` are per-clip metadata and are repeated for each copy (the
            rule by which scikit-learn's cross-validation splits them).

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ValueError
            If a parameter is invalid, ``X`` is not valid waveforms, ``X`` and
            ``y`` differ in length, or (with the deprecated
            ``calibration="temperature"``) a class has fewer than ``cv`` clips or
            the inner classifier has no ``decision_function``.
        TypeError
            If ``X`` holds file paths or other non-numeric values.
        sklearn.exceptions.UnsetMetadataPassedError
            With metadata routing, if metadata is passed that the inner estimator
            has not requested.
        """
        self._check_factors()
        self._check_tilts()
        X = validate_waveforms(self, X, reset=True)
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} clips but y has {len(y)} labels")
        clips = _as_clips(X)
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **fit_params)
            params = dict(routed.estimator.fit)
        else:
            params = dict(fit_params)
            if sample_weight is not None:
                params["sample_weight"] = sample_weight
        self.estimator_ = self._fit_copies(clips, y, params)
        self.classes_ = self.estimator_.classes_
        if self.calibration is not None:
            warnings.warn(
                "SpeedPerturbedClassifier(calibration='temperature') is deprecated since "
                "0.1 and will be removed in 0.2: wrap the classifier in "
                "sklearn.calibration.CalibratedClassifierCV(method='temperature', cv=3, "
                "ensemble=False) instead.",
                FutureWarning,
                stacklevel=2,
            )
            if not hasattr(self.estimator_, "decision_function"):
                raise ValueError(
                    "calibration='temperature' needs an inner classifier with "
                    f"decision_function; {type(self.estimator_).__name__} has none"
                )
            self.temperature_ = self._calibrate(clips, y, params)
        return self

    def _fit_copies(self, clips, y, params):
        """A clone of the inner classifier fitted on the copies of ``clips``."""
        inner = clone(self.estimator)
        specs = self._specs(train=True)
        extra = self._random_copies(clips)
        if self.feature_cache:
            # the stateless steps only check their parameters and input when fitted
            for i in range(stateless_prefix(inner)):
                inner.steps[i][1].fit(clips)
        k, Xt = self._training_inputs(inner, clips, specs, extra)
        n_copies = len(specs) + len(extra)
        y_aug = np.concatenate([y] * n_copies)
        # per-clip metadata (array-likes of n_clips) follows its clip into every copy
        params = _check_method_params(clips, params, np.tile(np.arange(len(y)), n_copies))
        if not k:
            return inner.fit(Xt, y_aug, **params)
        rest = inner[k:].fit(Xt, y_aug, **params)
        inner.steps = inner.steps[:k] + rest.steps
        return inner

    def _calibrate(self, clips, y, params):
        """Temperature fitted on out-of-fold averaged decision values (deprecated)."""
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
            fold_params = _check_method_params(clips, params, train)
            inner = self._fit_copies(clips[train], y[train], fold_params)
            fold = self._average(inner, "decision_function", clips[test])
            if scores is None:
                scores = np.empty((len(y),) + fold.shape[1:], dtype=np.float64)
            scores[test] = fold
        return _fit_temperature(scores, index)

    def _scores(self, method, X):
        """The fitted inner ``method`` averaged over the copies of validated ``X``."""
        check_is_fitted(self)
        X = validate_waveforms(self, X, reset=False)
        return self._average(self.estimator_, method, _as_clips(X))

    def _average(self, inner, method, clips):
        # every copy in one call of the inner model (one pass through its pipeline);
        # never from the cache, so that a fitted model's predictions depend on X alone
        specs = self._specs(train=False)
        copies = [self._make_copy(spec, clips) for spec in specs]
        scores = getattr(inner, method)(_as_clips([clip for copy in copies for clip in copy]))
        scores = np.asarray(scores, dtype=np.float64)
        return scores.reshape((len(specs), len(clips)) + scores.shape[1:]).mean(axis=0)

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
            The mean of the inner ``predict_proba`` over the speed factors; with
            the deprecated ``calibration="temperature"``, the softmax of the
            averaged decision values divided by ``temperature_``.
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

    def get_metadata_routing(self):
        """Routing of the metadata of ``fit`` to the inner estimator's ``fit``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            The inner estimator's requests, under the name ``estimator``.
        """
        return MetadataRouter(owner=self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
