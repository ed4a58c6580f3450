"""OneVsOneSumSVC: graded per-class margins from SVC's one-against-one machines."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.svm import SVC

from sklearn_audiodigit.svm import OneVsOneSumSVC


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=6, n_classes=4, random_state=0
    )
    return X[:300], y[:300], X[300:], y[300:]


def test_scores_are_mean_signed_pairwise_margins(data):
    X, y, Xt, _ = data
    model = OneVsOneSumSVC(C=2.0).fit(X, y)
    pairwise = SVC(C=2.0, decision_function_shape="ovo").fit(X, y).decision_function(Xt)
    expected = np.zeros((len(Xt), 4))
    k = 0
    for i in range(4):  # libsvm's pair order: (0, 1), (0, 2), ..., (2, 3)
        for j in range(i + 1, 4):
            expected[:, i] += pairwise[:, k]  # positive: the pair's first class
            expected[:, j] -= pairwise[:, k]
            k += 1
    np.testing.assert_allclose(model.decision_function(Xt), expected / 3, rtol=1e-12)


def test_scores_agree_with_scikit_learns_confidences(data):
    # SVC's "ovr" scores are votes + s / (3 (|s| + 1)) with s the sum of the same
    # signed margins; recover s from them and compare
    X, y, Xt, _ = data
    ovr = SVC().fit(X, y).decision_function(Xt)
    t = ovr - np.round(ovr)
    s = 3 * t / (1 - 3 * np.abs(t))
    np.testing.assert_allclose(
        OneVsOneSumSVC().fit(X, y).decision_function(Xt) * 3, s, rtol=1e-6, atol=1e-9
    )


def test_predict_is_argmax_of_scores_and_accurate(data):
    X, y, Xt, yt = data
    model = OneVsOneSumSVC().fit(X, y)
    scores = model.decision_function(Xt)
    assert scores.shape == (len(Xt), 4) and scores.dtype == np.float64
    np.testing.assert_array_equal(model.predict(Xt), model.classes_[scores.argmax(1)])
    # the same machines as SVC: the labels differ only where votes and margins disagree
    votes = SVC().fit(X, y).predict(Xt)
    assert np.mean(model.predict(Xt) == votes) > 0.9
    assert np.mean(model.predict(Xt) == yt) > 0.6  # chance is 0.25


def test_string_labels_and_two_classes(data):
    X, y, Xt, _ = data
    names = np.array(["zero", "one", "two", "three"])
    model = OneVsOneSumSVC().fit(X, names[y])
    assert set(model.predict(Xt)) <= set(names)
    two = y < 2
    binary = OneVsOneSumSVC().fit(X[two], y[two])
    plain = SVC().fit(X[two], y[two])
    np.testing.assert_allclose(binary.decision_function(Xt), plain.decision_function(Xt))
    np.testing.assert_array_equal(binary.predict(Xt), plain.predict(Xt))


def test_calibrated_probabilities_are_graded(data):
    # the reason for the class: SVC's vote counts make a temperature-calibrated
    # probability nearly constant over confident clips; the margins spread it
    X, y, Xt, _ = data

    def spread(clf):
        cal = CalibratedClassifierCV(clf, method="temperature", cv=3, ensemble=False)
        p = cal.fit(X, y).predict_proba(Xt).max(axis=1)
        return len(np.unique(np.round(p, 3))), p

    n_votes, _ = spread(SVC())
    n_margins, p = spread(OneVsOneSumSVC())
    assert n_margins > n_votes
    assert p.min() < 0.9 < p.max()


def test_decision_function_shape_is_not_a_parameter():
    params = OneVsOneSumSVC().get_params()
    assert "decision_function_shape" not in params and "break_ties" not in params
    assert clone(OneVsOneSumSVC(C=3.0)).C == 3.0


def test_bad_parameter_names_it(data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="'C' parameter"):
        OneVsOneSumSVC(C=-1.0).fit(X, y)
