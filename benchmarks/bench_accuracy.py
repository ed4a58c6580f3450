"""Speaker-independent accuracy of the default classical pipeline on full FSDD.

Run from the repository root::

    python benchmarks/bench_accuracy.py [--data-home DIR] [--n-jobs 2]

Five parts, all on the 3,000 clips of the Free Spoken Digit Dataset (6 speakers):

1. The default :func:`~sklearn_audiodigit.pipelines.make_svc_pipeline`, exactly as
   shipped (speed and spectral-tilt training copies, decision values averaged over
   three speeds, temperature-calibrated probabilities by ``CalibratedClassifierCV``
   around them), evaluated
   leave-one-speaker-out (6 folds): per-fold and mean +- std accuracy and
   macro-F1, log loss and mean top probability of ``predict_proba``, and seconds.
2. A nested search, the honest number for "tuned defaults": the outer loop leaves
   one speaker out; inside each outer training set (5 speakers) a GridSearchCV
   with GroupKFold(5) by speaker (so leave one of the 5 speakers out) chooses
   between the previous default (no augmentation), speed copies only, tilt copies
   only, and speed + tilt copies (the shipped default); only then is the held-out
   speaker scored. No choice ever sees the test speaker.
3. The official split (takes 0-4 of every speaker and digit for testing, 5-49 for
   training); speakers are shared between train and test, so this is not a
   speaker-independent number.
4. The previous default, ``make_svc_pipeline(augment=False)`` (no augmentation,
   calibrated SVC), leave one speaker out.
5. Two reference baselines, leave-one-speaker-out: per-clip MFCC mean+std with an
   RBF SVC, and MFCCs averaged over an 8-segment grid with an RBF SVC.

The nested search (2) does not refit the shipped estimator 126 times: the
perturbed copies, the silence trimming and the MFCC features are per clip and
learn nothing, so they are computed once for all 3,000 clips and every copy, and
the candidates fit the default's own scaling and SVC steps on the cached rows of
their training clips, predicting from the SVC's decision values averaged over the
speed copies (what the shipped model's ``predict`` does; the temperature does not
change the argmax). Its "speed + tilt" candidate evaluated plain
leave-one-speaker-out is printed next to part 1 as a check of that equivalence.
Takes about 8 minutes on one core.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import GridSearchCV, GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit.augmentation import spectral_tilt, speed_perturb
from sklearn_audiodigit.datasets import fetch_fsdd
from sklearn_audiodigit.features import MFCCExtractor
from sklearn_audiodigit.pipelines import make_svc_pipeline

SPEEDS = (0.9, 1.0, 1.1)
TILTS = (-0.7, 0.7)

# the candidates of the nested search: the previous default (no copies), speed
# copies only, tilt copies only, and the shipped default (speed + tilt)
PARAM_GRID = {"factors": [(1.0,), SPEEDS], "tilts": [(), TILTS]}


class _Store(dict):
    """Features of every copy of every clip, shared (not copied) by clone()."""

    def __deepcopy__(self, memo):
        return self


class _CachedCopies(ClassifierMixin, BaseEstimator):
    """The default's scaling + SVC on cached copy features; ``X`` holds clip indices.

    Fits on the rows of the training clips in every copy (one per speed factor,
    one per tilt), predicts the argmax of the SVC's decision values averaged over
    the speed copies of the test clips.
    """

    def __init__(self, features=None, factors=SPEEDS, tilts=TILTS):
        self.features = features
        self.factors = factors
        self.tilts = tilts

    def fit(self, X, y):
        idx = np.asarray(X)[:, 0]
        keys = [("speed", f) for f in self.factors] + [("tilt", t) for t in self.tilts]
        Z = np.concatenate([self.features[k][idx] for k in keys])
        self.model_ = clone(_pipeline()[2:]).fit(Z, np.tile(y, len(keys)))
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X):
        idx = np.asarray(X)[:, 0]
        return np.mean(
            [self.model_.decision_function(self.features[("speed", f)][idx]) for f in self.factors],
            axis=0,
        )

    def predict(self, X):
        return self.classes_[self.decision_function(X).argmax(axis=1)]


def _pipeline():
    """The default's pipeline, inside its augmenting wrapper inside its calibration."""
    return make_svc_pipeline().estimator.estimator


def _copy_features(X, *, n_jobs):
    """Trimmed-clip features of every speed and tilt copy of ``X`` (the default's steps)."""
    from joblib import Parallel, delayed

    front = _pipeline()[:2]  # trim + MFCC grid and log duration
    keys = [("speed", f) for f in SPEEDS] + [("tilt", t) for t in TILTS]

    def one(key):
        kind, value = key
        copy = speed_perturb(X, value) if kind == "speed" else spectral_tilt(X, value)
        return clone(front).fit_transform(copy).astype(np.float64)

    feats = Parallel(n_jobs=n_jobs)(delayed(one)(k) for k in keys)
    return _Store(zip(keys, feats, strict=True))


def _loso(make, X, y, groups, *, n_jobs, label="", proba=False):
    """Leave-one-speaker-out: returns per-fold rows and seconds."""
    from joblib import Parallel, delayed

    folds = list(LeaveOneGroupOut().split(X, y, groups))

    def one(train, test):
        _quiet()
        model = make()
        model.fit(X[train], y[train])
        pred = model.predict(X[test])
        extra = ""
        if proba:
            P = model.predict_proba(X[test])
            extra = (
                f"log loss {log_loss(y[test], P, labels=model.classes_):.3f}, "
                f"mean top probability {P.max(axis=1).mean():.3f}"
            )
        return (
            groups[test][0],
            accuracy_score(y[test], pred),
            f1_score(y[test], pred, average="macro"),
            extra,
        )

    t0 = time.perf_counter()
    rows = Parallel(n_jobs=n_jobs)(delayed(one)(tr, te) for tr, te in folds)
    seconds = time.perf_counter() - t0
    _print_folds(label, rows, seconds)
    return rows, seconds


def _quiet():
    warnings.filterwarnings("ignore", category=FutureWarning, message=".*probability.*")


def _print_folds(label, rows, seconds):
    acc = np.array([r[1] for r in rows])
    f1 = np.array([r[2] for r in rows])
    print(f"\n== {label}")
    for speaker, a, f, extra in rows:
        line = f"  {speaker:<9s} accuracy {a:.3f}  macro-F1 {f:.3f}"
        if extra:
            line += f"  {extra}"
        print(line)
    print(
        f"  mean      accuracy {acc.mean():.3f} +- {acc.std():.3f}  "
        f"macro-F1 {f1.mean():.3f} +- {f1.std():.3f}  ({seconds:.0f} s)",
        flush=True,
    )


def _short(params):
    speed = "speed" if len(params["factors"]) > 1 else ""
    tilt = "tilt" if params["tilts"] else ""
    return " + ".join(p for p in (speed, tilt) if p) or "no copies"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None, help="folder holding fsdd/recordings")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    _quiet()

    print(
        f"date {time.strftime('%Y-%m-%d %H:%M')}, {platform.platform()}, "
        f"{os.cpu_count()} CPU cores, n_jobs={args.n_jobs}"
    )
    t_all = time.perf_counter()
    bunch = fetch_fsdd(data_home=args.data_home)
    X = np.asarray(bunch.data, dtype=object)
    y = np.asarray(bunch.target)
    groups = np.asarray(bunch.speaker)
    takes = np.asarray(bunch.take)
    index = np.arange(len(X))[:, None]
    print(f"FSDD: {len(X)} clips, {len(np.unique(groups))} speakers")

    # 1. the default model, exactly as shipped
    default = make_svc_pipeline(random_state=0)
    print("\ndefault model:", default)
    _loso(
        lambda: clone(default),
        X,
        y,
        groups,
        n_jobs=args.n_jobs,
        proba=True,
        label="1. default make_svc_pipeline(), leave one speaker out",
    )

    # 2. nested search over the augmentation, on cached copy features
    t0 = time.perf_counter()
    features = _copy_features(X, n_jobs=args.n_jobs)
    print(f"\nfeatures of {len(features)} copies of every clip: {time.perf_counter() - t0:.0f} s")
    _loso(
        lambda: _CachedCopies(features),
        index,
        y,
        groups,
        n_jobs=args.n_jobs,
        label="2a. check: speed + tilt on cached features, leave one speaker out (= 1.)",
    )
    print(
        "\n== 2. nested search: outer leave-one-speaker-out, inner GridSearchCV("
        "GroupKFold(5) by speaker), candidates:"
    )
    for key, values in PARAM_GRID.items():
        print(f"  {key}: {values}")

    from joblib import Parallel, delayed

    def outer(train, test):
        _quiet()
        search = GridSearchCV(
            _CachedCopies(features), PARAM_GRID, cv=GroupKFold(n_splits=5), n_jobs=1
        )
        search.fit(index[train], y[train], groups=groups[train])
        pred = search.predict(index[test])
        inner = ", ".join(
            f"{_short(p)} {s:.3f}"
            for p, s in zip(
                search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
            )
        )
        return (
            groups[test][0],
            accuracy_score(y[test], pred),
            f1_score(y[test], pred, average="macro"),
            f"chosen: {_short(search.best_params_)} (inner: {inner})",
        )

    t0 = time.perf_counter()
    rows = Parallel(n_jobs=args.n_jobs)(
        delayed(outer)(tr, te) for tr, te in LeaveOneGroupOut().split(index, y, groups)
    )
    _print_folds("2. nested (honest) accuracy of the tuned model", rows, time.perf_counter() - t0)

    # 3. the official split: takes 0-4 test, 5-49 train (speakers shared)
    t0 = time.perf_counter()
    test = takes <= 4
    model = clone(default).fit(X[~test], y[~test])
    pred = model.predict(X[test])
    print(
        f"\n== 3. official split (train takes 5-49: {np.sum(~test)} clips, test takes 0-4: "
        f"{np.sum(test)} clips; speakers shared, not speaker-independent)"
    )
    print(
        f"  accuracy {accuracy_score(y[test], pred):.3f}  "
        f"macro-F1 {f1_score(y[test], pred, average='macro'):.3f}  "
        f"({time.perf_counter() - t0:.0f} s)"
    )

    # 4. the previous default: no augmentation, calibrated SVC
    previous = make_svc_pipeline(random_state=0, augment=False)
    _loso(
        lambda: clone(previous),
        X,
        y,
        groups,
        n_jobs=args.n_jobs,
        label="4. previous default make_svc_pipeline(augment=False), leave one speaker out",
    )

    # 5. reference baselines, leave one speaker out: untrimmed clips, 40 mel bands
    def baseline(**params):
        return lambda: Pipeline(
            [
                ("features", MFCCExtractor(n_mfcc=13, **params)),
                ("scale", StandardScaler()),
                ("classifier", SVC(C=10.0)),
            ]
        )

    _loso(
        baseline(output="stats", stats=("mean", "std")),
        X,
        y,
        groups,
        n_jobs=args.n_jobs,
        label="5a. baseline: MFCC mean+std (13 MFCCs, 40 mels, no trim), SVC(C=10)",
    )
    _loso(
        baseline(output="grid", n_segments=8),
        X,
        y,
        groups,
        n_jobs=args.n_jobs,
        label="5b. baseline: MFCC grid of 8 segments (13 MFCCs, 40 mels, no trim), SVC(C=10)",
    )
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
