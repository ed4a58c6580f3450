"""SeedEnsembleClassifier: averaged copies, reproducible seeds, pipelines, errors."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.datasets import load_fsdd_sample  # noqa: E402
from sklearn_audiodigit.nn import (  # noqa: E402
    CNNClassifier,
    SeedEnsembleClassifier,
    make_nn_pipeline,
)


def _tiny_cnn():
    return CNNClassifier(channels=(4, 8), max_epochs=2, batch_size=8)


@pytest.fixture(scope="module")
def digits(fsdd_frames):
    y = np.asarray(load_fsdd_sample().target[:16])
    return fsdd_frames.numpy(), y


def test_seed_ensemble_averages_its_copies(digits):
    X, y = digits
    ens = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=3, random_state=0).fit(X, y)
    assert len(ens.estimators_) == 3 and len(set(ens.seeds_.tolist())) == 3
    assert [e.random_state for e in ens.estimators_] == ens.seeds_.tolist()
    np.testing.assert_array_equal(ens.classes_, np.unique(y))
    proba = ens.predict_proba(X)
    assert proba.shape == (len(X), len(ens.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    expected = np.mean([e.predict_proba(X) for e in ens.estimators_], axis=0)
    np.testing.assert_allclose(proba, expected, rtol=1e-6)
    np.testing.assert_array_equal(ens.predict(X), ens.classes_[expected.argmax(axis=1)])


def test_seed_ensemble_is_reproducible_and_forwards_fit_params(digits):
    X, y = digits
    groups = np.asarray(load_fsdd_sample().speaker[:16])
    a = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=1).fit(X, y)
    b = SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=1).fit(X, y, groups=groups)
    np.testing.assert_array_equal(a.seeds_, b.seeds_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_seed_ensemble_in_a_pipeline_on_waveforms():
    bunch = load_fsdd_sample()
    pipe = make_nn_pipeline("cnn")
    pipe.set_params(net=SeedEnsembleClassifier(_tiny_cnn(), n_estimators=2, random_state=0))
    X, y = bunch.data[:40], bunch.target[:40]
    pred = pipe.fit(X, y, net__groups=bunch.speaker[:40]).predict(X)
    assert pred.shape == (40,) and set(pred) <= set(y)


def test_seed_ensemble_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="n_estimators"):
        SeedEnsembleClassifier(_tiny_cnn(), n_estimators=0).fit(X, y)
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import FunctionTransformer

    with pytest.raises(ValueError, match="random_state"):
        SeedEnsembleClassifier(KNeighborsClassifier(3)).fit(X.reshape(len(X), -1), y)
    with pytest.raises(ValueError, match="estimator"):
        SeedEnsembleClassifier(FunctionTransformer()).fit(X.reshape(len(X), -1), y)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SeedEnsembleClassifier(_tiny_cnn()).predict(X)
    assert isinstance(SeedEnsembleClassifier()._base(), CNNClassifier)
