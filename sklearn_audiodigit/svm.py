"""Support vector classifiers whose decision values are graded, not counted.

scikit-learn's :class:`~sklearn.svm.SVC` trains one binary machine per pair of
classes (libsvm's one-against-one) and, with ``decision_function_shape="ovr"``,
turns their outputs into per-class scores made of **votes** (an integer count of
the pairs a class won) plus a confidence term squeezed into (-1/3, 1/3). On a
well-separated problem every confident clip gets ``K - 1`` votes for its class,
so the scores, and any probability calibrated on them, barely tell a sure answer
from a guess: a cough and a clean digit get the same probability.
:class:`OneVsOneSumSVC` scores each class by its mean one-against-one decision
value instead, a graded margin that calibration can turn into probabilities that
mean something (``benchmarks/README.md``, "Graded decision values").
"""

import numpy as np
from sklearn.svm import SVC

__all__ = ["OneVsOneSumSVC"]


class OneVsOneSumSVC(SVC):
    """RBF (or other kernel) SVC scoring each class by its mean pairwise margin.

    Fitting is :class:`sklearn.svm.SVC`'s, unchanged: one binary machine per pair
    of classes. For ``K > 2`` classes, :meth:`decision_function` gives class ``k``
    the mean, over the ``K - 1`` machines that involve it, of their decision value
    taken with the sign that favours ``k``: ``f_kj(x)`` if ``k`` is the pair's first
    class, ``-f_jk(x)`` otherwise. :meth:`predict` is its argmax, so a calibrated
    ``predict_proba`` (:class:`~sklearn.calibration.CalibratedClassifierCV`) and
    ``predict`` agree. With two classes both are the plain SVC's.

    Parameters
    ----------
    C : float, default=1.0
        Regularisation parameter (inverse strength), as in :class:`~sklearn.svm.SVC`.
    kernel : {"linear", "poly", "rbf", "sigmoid", "precomputed"} or callable, \
default="rbf"
        Kernel, as in :class:`~sklearn.svm.SVC`.
    degree : int, default=3
        Degree of the polynomial kernel.
    gamma : {"scale", "auto"} or float, default="scale"
        Kernel coefficient for "rbf", "poly" and "sigmoid".
    coef0 : float, default=0.0
        Independent term of the "poly" and "sigmoid" kernels.
    shrinking : bool, default=True
        Whether to use libsvm's shrinking heuristic.
    tol : float, default=1e-3
        Tolerance of the stopping criterion.
    cache_size : float, default=200
        Kernel cache size, in MB.
    class_weight : dict or "balanced", default=None
        Per-class weights of ``C``.
    verbose : bool, default=False
        libsvm's verbose output.
    max_iter : int, default=-1
        Iteration limit of the solver; -1 for none.
    random_state : int, RandomState instance or None, default=None
        Kept for :class:`~sklearn.svm.SVC`'s interface (it only seeds
        ``probability=True``, which this class does not offer).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    support_vectors_, dual_coef_, intercept_, n_support_ : ndarray
        As in :class:`~sklearn.svm.SVC`.

    See Also
    --------
    sklearn.svm.SVC : The classifier this one scores differently.

    Notes
    -----
    ``decision_function_shape`` and ``break_ties`` are not parameters: the
    machines' one-against-one values are always combined as described above.
    Summing pairwise decision values rather than counting votes is one of the
    combinations compared by Hsu and Lin, "A comparison of methods for multiclass
    support vector machines", IEEE Trans. Neural Networks 13(2), 2002.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_audiodigit.svm import OneVsOneSumSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = OneVsOneSumSVC().fit(X, y)
    >>> clf.decision_function(X[:2]).shape
    (2, 3)
    >>> (clf.predict(X) == y).mean() > 0.9
    np.True_
    """

    _parameter_constraints = {
        k: v
        for k, v in SVC._parameter_constraints.items()
        if k not in ("decision_function_shape", "break_ties", "probability")
    }

    def __init__(
        self,
        *,
        C=1.0,
        kernel="rbf",
        degree=3,
        gamma="scale",
        coef0=0.0,
        shrinking=True,
        tol=1e-3,
        cache_size=200,
        class_weight=None,
        verbose=False,
        max_iter=-1,
        random_state=None,
    ):
        super().__init__(
            C=C,
            kernel=kernel,
            degree=degree,
            gamma=gamma,
            coef0=coef0,
            shrinking=shrinking,
            tol=tol,
            cache_size=cache_size,
            class_weight=class_weight,
            verbose=verbose,
            max_iter=max_iter,
            decision_function_shape="ovo",
            break_ties=False,
            random_state=random_state,
        )

    def decision_function(self, X):
        """Mean one-against-one decision value of each class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (or a precomputed kernel of shape (n_samples, n_train)).

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes), float64
            The mean margin of each class over the ``n_classes - 1`` pairwise
            machines it takes part in; shape (n_samples,) for two classes, as
            :class:`~sklearn.svm.SVC`.
        """
        pairwise = super().decision_function(X)  # (n, K (K - 1) / 2) in libsvm's order
        n_classes = len(self.classes_)
        if n_classes == 2:
            return pairwise
        # pair k = (i, j) in libsvm's order (0, 1), (0, 2), ...; positive favours i
        first, second = np.triu_indices(n_classes, k=1)
        signs = np.zeros((len(first), n_classes))
        signs[np.arange(len(first)), first] = 1.0
        signs[np.arange(len(first)), second] = -1.0
        return pairwise @ signs / (n_classes - 1)

    def predict(self, X):
        """Class with the largest mean pairwise margin.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``classes_[argmax(decision_function(X))]``; with two classes, the
            plain SVC's prediction.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]
