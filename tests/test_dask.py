"""Our Pipelines under GridSearchCV / cross_val_score on a Dask cluster.

joblib's Dask backend (``dask.distributed``) runs the fits of a search on the
cluster's workers; nothing in the estimators changes, and the scores are those of
the local run. The test starts its own LocalCluster (2 workers, 1 thread each, in
this process: ``processes=False`` keeps it fast and needs no pickling to other
interpreters).
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.preprocessing import TrimSilence

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def data(fsdd_sample):
    # 3 speakers x 10 digits x 5 takes of the bundled sample, grouped by speaker
    keep = np.isin(fsdd_sample.speaker, np.unique(fsdd_sample.speaker)[:3])
    X = [x for x, k in zip(fsdd_sample.data, keep, strict=True) if k]
    return X, fsdd_sample.target[keep], fsdd_sample.speaker[keep]


def _model():
    return make_pipeline(
        TrimSilence(top_db=30.0),
        MFCCExtractor(n_mels=16, output="grid"),
        StandardScaler(),
        SVC(),
    )


def test_cross_val_score_on_dask_equals_local(client, data):
    X, y, groups = data
    cv = GroupKFold(n_splits=3)
    local = cross_val_score(_model(), X, y, groups=groups, cv=cv, n_jobs=1)
    with distributed.get_task_stream(client) as tasks, parallel_config(backend="dask"):
        remote = cross_val_score(_model(), X, y, groups=groups, cv=cv, n_jobs=-1)
    np.testing.assert_array_equal(remote, local)
    # the fits really ran as tasks on the cluster's workers
    assert len(tasks.data) >= 3
    assert len(client.scheduler_info()["workers"]) == 2


def test_grid_search_on_dask_equals_local(client, data):
    X, y, groups = data
    grid = {"mfccextractor__n_segments": [4, 8], "svc__C": [1.0, 10.0]}
    search = GridSearchCV(_model(), grid, cv=GroupKFold(n_splits=3), n_jobs=1)
    local = search.fit(X, y, groups=groups)
    local_scores = local.cv_results_["mean_test_score"].copy()
    with parallel_config(backend="dask"):
        remote = GridSearchCV(_model(), grid, cv=GroupKFold(n_splits=3), n_jobs=-1).fit(
            X, y, groups=groups
        )
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local_scores)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X[:20]), local.predict(X[:20]))
