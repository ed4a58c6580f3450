"""Waveform augmentation for any classifier on raw audio.

:class:`SpeedPerturbedClassifier` trains its inner model on speed-perturbed copies
of every clip and averages its predictions over the same perturbations. Playing a
clip faster or slower scales its duration, pitch and formants together, which is
what differs most between speakers of different sizes; the classifier sees, for
every training speaker, a few "virtual speakers" around them (Ko et al., "Audio
augmentation for speech recognition", Interspeech 2015, whose factors 0.9, 1.0 and
1.1 are the default).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._config import DEFAULT_SR
from .utils._validation import check_waveforms

__all__ = ["speed_perturb", "SpeedPerturbedClassifier"]


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


def _inner_has(name):
    def check(self):
        est = getattr(self, "estimator_", self.estimator)
        return hasattr(est, name)

    return check


class SpeedPerturbedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit on speed-perturbed copies of the clips; average predictions over them.

    Parameters
    ----------
    estimator : estimator taking waveforms
        A classifier (usually a pipeline starting from waveforms) with ``fit`` and
        ``predict_proba`` or ``decision_function``.
    factors : tuple of float, default=(0.9, 1.0, 1.1)
        Speed factors of the copies (Ko et al., 2015). Include 1.0 to keep the
        original clips.
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    test_time : bool, default=True
        Average ``predict_proba`` / ``decision_function`` over the same factors at
        prediction time (test-time augmentation); False predicts on the clips as
        they are.

    Attributes
    ----------
    estimator_ : estimator
        The inner classifier fitted on ``len(factors)`` copies of the data.
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> from sklearn_audiodigit.pipelines import make_svc_pipeline
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> clf = SpeedPerturbedClassifier(make_svc_pipeline()).fit(X[::2], y[::2])
    >>> clf.predict(X[1:4]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "factors": [tuple, list],
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "test_time": ["boolean"],
    }

    def __init__(self, estimator, *, factors=(0.9, 1.0, 1.1), sr=DEFAULT_SR, test_time=True):
        self.estimator = estimator
        self.factors = factors
        self.sr = sr
        self.test_time = test_time

    def _check_factors(self):
        factors = tuple(float(f) for f in self.factors)
        if not factors or any(not f > 0 for f in factors):
            raise ValueError(f"factors must be positive numbers, got {self.factors!r}")
        return factors

    def _copies(self, X, factors):
        return [speed_perturb(X, f, sr=self.sr) for f in factors]

    def fit(self, X, y, **fit_params):
        """Fit the inner classifier on every speed-perturbed copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.
        y : array-like of shape (n_clips,)
            Labels.
        **fit_params : dict
            Passed to the inner ``fit``; array-valued parameters of length
            ``n_clips`` (e.g. groups) are repeated for each copy.

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ValueError
            If a parameter is invalid, ``X`` is not valid waveforms, or ``X`` and
            ``y`` differ in length.
        """
        self._validate_params()
        factors = self._check_factors()
        y = np.asarray(y)
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} clips but y has {len(y)} labels")
        copies = self._copies(X, factors)
        X_aug = np.empty(len(y) * len(factors), dtype=object)
        X_aug[:] = [clip for copy in copies for clip in copy]
        y_aug = np.concatenate([y] * len(factors))
        params = {
            k: np.concatenate([np.asarray(v)] * len(factors))
            if hasattr(v, "__len__") and len(v) == len(y) and not isinstance(v, str)
            else v
            for k, v in fit_params.items()
        }
        self.estimator_ = clone(self.estimator).fit(X_aug, y_aug, **params)
        self.classes_ = self.estimator_.classes_
        return self

    def _average(self, method, X):
        check_is_fitted(self)
        factors = self._check_factors() if self.test_time else (1.0,)
        fn = getattr(self.estimator_, method)
        return np.mean([fn(copy) for copy in self._copies(X, factors)], axis=0)

    @available_if(_inner_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities averaged over the speed-perturbed copies.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes), dtype float64
            Mean of the inner ``predict_proba`` over ``factors``.
        """
        return self._average("predict_proba", X)

    @available_if(_inner_has("decision_function"))
    def decision_function(self, X):
        """Decision values averaged over the speed-perturbed copies.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        scores : ndarray of shape (n_clips, n_classes), dtype float64
            Mean of the inner ``decision_function`` over ``factors``.
        """
        return self._average("decision_function", X)

    def predict(self, X):
        """Predict the class with the highest averaged probability (or decision value).

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz.

        Returns
        -------
        y_pred : ndarray of shape (n_clips,)
            Predicted labels.
        """
        check_is_fitted(self)
        has_proba = hasattr(self.estimator_, "predict_proba")
        scores = self._average("predict_proba" if has_proba else "decision_function", X)
        return self.classes_[np.argmax(scores, axis=1)]
