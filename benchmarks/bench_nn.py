"""Accuracy and training time of the neural pipelines on the full FSDD.

Protocols
---------
- ``loso``: leave one speaker out (6 folds): train on 5 speakers, test on the 6th.
- ``official``: the dataset's own split, takes 0-4 of every speaker and digit are
  the test set (300 clips), the rest (2700) trains.
- ``speaker``: speaker identification (6 classes), same take split.

Each fold fits ``make_nn_pipeline(model, random_state=seed, **net_params)`` on raw
waveforms (trimming, padding and feature extraction included in the time) and
prints the accuracy and the seconds the fit took.

Usage (the data folder holds ``fsdd/recordings``)::

    AUDIODIGIT_DATA=/work/shared/data python benchmarks/bench_nn.py --models cnn
    python benchmarks/bench_nn.py --models mlp cnn rnn resnet --protocols loso \\
        --threads 2 --out benchmarks/results_nn.json
"""

import argparse
import json
import os
import platform
import time

import numpy as np


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--models", nargs="+", default=["cnn"], choices=["mlp", "cnn", "rnn", "resnet"]
    )
    parser.add_argument(
        "--protocols",
        nargs="+",
        default=["loso", "official", "speaker"],
        choices=["loso", "official", "speaker"],
    )
    parser.add_argument(
        "--folds", nargs="*", default=None, help="LOSO test speakers to run (default: all six)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch.set_num_threads (1: see benchmarks/README.md)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--ensemble",
        type=int,
        default=1,
        help="average this many networks of different seeds "
        "(SeedEnsembleClassifier); 1: a single network",
    )
    parser.add_argument(
        "--feature-params",
        default="{}",
        help="JSON of LogMelExtractor/MFCCExtractor parameters, e.g. '{\"top_db\": 60}'",
    )
    parser.add_argument(
        "--net-params", default="{}", help="JSON of network parameters, e.g. '{\"max_epochs\": 20}'"
    )
    parser.add_argument(
        "--data-home", default=None, help="folder holding fsdd/ (default: $AUDIODIGIT_DATA)"
    )
    parser.add_argument("--out", default=None, help="append the results to this JSON file")
    return parser.parse_args(argv)


def _fit_score(
    model, X_tr, y_tr, g_tr, X_te, y_te, seed, net_params, ensemble=1, feature_params=None
):
    from sklearn_audiodigit.nn import SeedEnsembleClassifier, make_nn_pipeline

    pipe = make_nn_pipeline(model, random_state=seed, **net_params)
    if feature_params:
        pipe.set_params(**{f"features__{k}": v for k, v in feature_params.items()})
    if ensemble > 1:
        pipe.set_params(
            net=SeedEnsembleClassifier(
                pipe.named_steps["net"], n_estimators=ensemble, random_state=seed
            )
        )
    start = time.perf_counter()
    pipe.fit(X_tr, y_tr, net__groups=g_tr)
    fit_s = time.perf_counter() - start
    acc = float(np.mean(pipe.predict(X_te) == y_te))
    return acc, fit_s


def main(argv=None):
    args = _parse(argv)
    import torch

    torch.set_num_threads(args.threads)
    from sklearn_audiodigit.datasets import fetch_fsdd

    bunch = fetch_fsdd(data_home=args.data_home) if args.data_home else fetch_fsdd()
    X = bunch.data
    digit = np.asarray(bunch.target)
    speaker = np.asarray(bunch.speaker)
    take = np.asarray(bunch.take)
    net_params = json.loads(args.net_params)
    feature_params = json.loads(args.feature_params)
    env = {
        "torch_threads": args.threads,
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_avg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "net_params": net_params,
        "feature_params": feature_params,
        "ensemble": args.ensemble,
        "seed": args.seed,
    }
    print(json.dumps(env))
    results = []
    for model in args.models:
        for protocol in args.protocols:
            if protocol == "loso":
                speakers = args.folds or sorted(set(speaker))
                splits = [(s, speaker != s, speaker == s, digit) for s in speakers]
            else:
                y = digit if protocol == "official" else speaker
                splits = [("takes0-4", take >= 5, take < 5, y)]
            for fold, tr, te, y in splits:
                acc, fit_s = _fit_score(
                    model,
                    X[tr],
                    y[tr],
                    speaker[tr],
                    X[te],
                    y[te],
                    args.seed,
                    net_params,
                    args.ensemble,
                    feature_params,
                )
                row = {
                    "model": model,
                    "protocol": protocol,
                    "fold": fold,
                    "accuracy": round(acc, 4),
                    "fit_seconds": round(fit_s, 1),
                    "n_train": int(tr.sum()),
                    "n_test": int(te.sum()),
                }
                results.append(row)
                print(json.dumps(row), flush=True)
            rows = [r for r in results if r["model"] == model and r["protocol"] == protocol]
            print(
                f"== {model} {protocol}: mean accuracy "
                f"{np.mean([r['accuracy'] for r in rows]):.4f}, mean fit "
                f"{np.mean([r['fit_seconds'] for r in rows]):.0f} s",
                flush=True,
            )
    env["load_avg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    if args.out:
        previous = []
        if os.path.exists(args.out):
            with open(args.out) as f:
                previous = json.load(f)
        previous.append({"env": env, "results": results})
        with open(args.out, "w") as f:
            json.dump(previous, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
