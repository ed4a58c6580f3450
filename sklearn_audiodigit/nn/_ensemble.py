"""Averaging networks that differ only in their random seed."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from .._docstring import fill_doc

__all__ = ["SeedEnsembleClassifier"]


@fill_doc
class SeedEnsembleClassifier(ClassifierMixin, BaseEstimator):
    """Average the probabilities of copies of a network trained from different seeds.

    A network's accuracy on an unseen speaker moves by a point or more from one
    random seed to the next (initial weights, batch order, augmentation draws).
    Averaging the class probabilities of ``n_estimators`` copies that differ
    only in ``random_state`` removes part of that variance, for ``n_estimators``
    times the training and prediction cost. The input is handed to every copy
    unchanged, so any input the wrapped estimator takes works here too
    (3-D frames included), unlike :class:`sklearn.ensemble.VotingClassifier`.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with a ``random_state`` parameter and ``predict_proba``.
        ``None`` means :class:`CNNClassifier()`.
    n_estimators : int, default=3
        Number of copies, >= 1.
    %(random_state)s
        Here it draws the seed of each copy.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted copies.
    seeds_ : ndarray of shape (n_estimators,), dtype int64
        The ``random_state`` each copy was fitted with.
    classes_ : ndarray of shape (n_classes,)
        Class labels, from the first copy.
    n_features_in_ : int
        Number of features seen in ``fit``, from the first copy.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen in ``fit``, from the first copy; defined only
        when ``X`` had feature names that are all strings.

    See Also
    --------
    CNNClassifier : the network the ensemble wraps by default.

    Notes
    -----
    Averaging helps most for small networks and less as they grow
    (``benchmarks/README.md`` has the measurements on FSDD).

    Saving: the safe format of :func:`sklearn_audiodigit.save_model` stores the
    ensemble when it is the model itself or a pipeline step and wraps one of the
    networks of this module: each fitted copy as a network (JSON description and
    safetensors weights), ``seeds_``, ``classes_`` and the parameters as JSON.
    Inside another meta-estimator, or around another estimator, it needs
    ``format="joblib"`` (loaded with ``trust=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.nn import CNNClassifier, SeedEnsembleClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 16, 12).astype(np.float32)
    >>> y = np.arange(20) % 2
    >>> net = CNNClassifier(channels=(4, 8), max_epochs=2)
    >>> ens = SeedEnsembleClassifier(net, n_estimators=2, random_state=0).fit(X, y)
    >>> ens.predict_proba(X).shape
    (20, 2)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, n_estimators=3, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)  # the copies validate their own
    def fit(self, X, y, **fit_params):
        """Fit ``n_estimators`` copies of the estimator, each with its own seed.

        Parameters
        ----------
        X : array-like
            Training input, as the wrapped estimator takes it, e.g. frames of
            shape ``(n_clips, n_bands, n_frames)``, float32.
        y : array-like of shape (n_clips,)
            Class labels.
        **fit_params : dict
            Passed to every copy's ``fit`` (e.g. ``groups`` for a network's
            speaker-disjoint early stopping).

        Returns
        -------
        self : SeedEnsembleClassifier
            The fitted ensemble.

        Raises
        ------
        ValueError
            If ``n_estimators`` is not a positive int, the estimator has no
            ``fit`` and ``predict_proba``, or it has no ``random_state`` parameter.
        """
        base = self._base()
        if "random_state" not in base.get_params(deep=False):
            raise ValueError(
                f"estimator {type(base).__name__} has no random_state parameter; seeds "
                "are the only thing that tells the copies apart."
            )
        rng = check_random_state(self.random_state)
        self.seeds_ = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators).astype(np.int64)
        self.estimators_ = []
        for seed in self.seeds_:
            est = clone(base).set_params(random_state=int(seed))
            self.estimators_.append(est.fit(X, y, **fit_params))
        self.classes_ = self.estimators_[0].classes_
        for est in self.estimators_[1:]:
            if not np.array_equal(est.classes_, self.classes_):  # pragma: no cover - defensive
                raise ValueError("the copies of the ensemble disagree on the classes.")
        return self

    # Read from the first copy rather than stored, so that the fitted state stays
    # estimators_, seeds_ and classes_ (what the safe model format stores).
    @property
    def n_features_in_(self):
        """Number of features seen in ``fit``, from the first copy (int)."""
        check_is_fitted(self, "estimators_")
        return self.estimators_[0].n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen in ``fit`` (only when ``X`` had string column names)."""
        check_is_fitted(self, "estimators_")
        return self.estimators_[0].feature_names_in_

    def _base(self):
        if self.estimator is None:
            from ._classifiers import CNNClassifier

            return CNNClassifier()
        return self.estimator

    def predict_proba(self, X):
        """Mean of the copies' class probabilities.

        Parameters
        ----------
        X : array-like
            Input as the wrapped estimator takes it.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes), float
            Columns in the order of ``classes_``; rows sum to 1.
        """
        check_is_fitted(self, "estimators_")
        proba = sum(np.asarray(est.predict_proba(X), dtype=np.float64) for est in self.estimators_)
        return proba / len(self.estimators_)

    def predict(self, X):
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like
            Input as the wrapped estimator takes it.

        Returns
        -------
        labels : ndarray of shape (n_clips,)
            Labels of the type of ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = self._base()
        base_tags = base.__sklearn_tags__()
        tags.input_tags = base_tags.input_tags
        tags.non_deterministic = base_tags.non_deterministic
        return tags
