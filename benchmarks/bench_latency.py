"""Latency of one clip, cold command-line prediction, and Pipeline(memory=...) caching.

Run:  python benchmarks/bench_latency.py [--repeats 200]

Everything is fitted on the bundled FSDD sample (300 clips), so no data folder is
needed. One thread (threadpoolctl) for the in-process timings.

- ``svc``: one clip (the list of its 1-D waveform) through ``make_model("svc")``
  (three speed copies of the clip, each trimmed, MFCC grid, scaling, SVC decision
  values, averaged), ``predict``, warm: the best and the median of ``--repeats``
  calls after 10 warm-up calls. Target: <= 10 ms.
- ``cnn``: the same through ``make_model("cnn")`` (trained for 2 epochs only: the
  latency does not depend on the weights). Skipped, with the reason printed, if
  the ``nn`` extra (torch, skorch) or the network is not available. Target: <= 20 ms.
- cold starts, each a new Python process, wall time including interpreter
  start-up (best and median of ``--cold-repeats``, the three commands interleaved
  so that each round sees the same load): ``audiodigit predict MODEL FILE``
  (imports the library, loads the saved svc model, predicts one file; target:
  <= 2x the baseline), ``audiodigit --help`` (target: <= 0.5 s) and the baseline
  ``python -c "import sklearn.svm"``.
- caching: the default's pipeline without augmentation,
  ``make_svc_pipeline(augment=False)``, with ``memory=`` a temporary folder,
  fitted on the sample, then fitted again with another ``C``: seconds of both fits.
"""

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.pipelines import make_model, make_svc_pipeline


def latency(model, clip, repeats):
    for _ in range(10):
        model.predict([clip])
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        model.predict([clip])
        times.append(time.perf_counter() - t)
    return 1e3 * min(times), 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--cold-repeats", type=int, default=7, help="runs of each cold command")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"{datetime.date.today()}  {platform.platform()}  cores: {os.cpu_count()}  "
        f"load average: {os.getloadavg()[0]:.2f}"
    )
    bunch = load_fsdd_sample()
    X, y = list(bunch.data), bunch.target
    clip = X[len(X) // 2]
    print(f"one clip: {len(clip)} samples ({len(clip) / bunch.sr:.2f} s)")
    tmp = tempfile.mkdtemp(prefix="bench_latency_")
    try:
        with threadpool_limits(1):
            svc = make_model("svc", random_state=0).fit(X, y)
            best, med = latency(svc, clip, args.repeats)
            print(f"svc, warm, one clip:  best {best:.2f} ms, median {med:.2f} ms (target 10 ms)")
            try:
                cnn = make_model("cnn", random_state=0, max_epochs=2).fit(X, y)
            except Exception as err:  # nn extra missing or network not ready: say why
                print(f"cnn: skipped ({type(err).__name__}: {err})")
            else:
                best, med = latency(cnn, clip, args.repeats)
                print(
                    f"cnn, warm, one clip:  best {best:.2f} ms, median {med:.2f} ms (target 20 ms)"
                )

        from sklearn_audiodigit.persistence import save_model

        model_path = os.path.join(tmp, "svc.adm")
        save_model(svc, model_path)
        wav = os.path.join(tmp, "clip.wav")
        shutil.copy(bunch.filenames[len(X) // 2], wav)
        exe = shutil.which("audiodigit")
        cli = [exe] if exe else [sys.executable, "-m", "sklearn_audiodigit.cli"]
        commands = {
            "python -c 'import sklearn.svm' (baseline)": [
                sys.executable,
                "-c",
                "import sklearn.svm",
            ],
            "audiodigit predict svc.adm clip.wav": [*cli, "predict", model_path, wav],
            "audiodigit --help": [*cli, "--help"],
        }
        cold = {name: [] for name in commands}
        for _ in range(args.cold_repeats):  # interleaved: each round sees the same load
            for name, cmd in commands.items():
                t = time.perf_counter()
                res = subprocess.run(cmd, capture_output=True, text=True)
                cold[name].append(time.perf_counter() - t)
                if res.returncode != 0:
                    raise RuntimeError(f"{name} failed: {res.stderr.strip()[-500:]}")
        base = min(cold["python -c 'import sklearn.svm' (baseline)"])
        for name, walls in cold.items():
            print(
                f"cold (new process), {name}: best {min(walls):.2f} s, median "
                f"{np.median(walls):.2f} s of {len(walls)}; best / baseline's best "
                f"x{min(walls) / base:.2f}"
            )

        cache = os.path.join(tmp, "cache")
        with threadpool_limits(1):
            model = make_svc_pipeline(random_state=0, augment=False).set_params(memory=cache)
            t = time.perf_counter()
            model.fit(X, y)
            first = time.perf_counter() - t
            model.set_params(classifier__estimator__C=3.0)
            t = time.perf_counter()
            model.fit(X, y)
            second = time.perf_counter() - t
            nocache = make_svc_pipeline(random_state=0, augment=False).set_params(
                classifier__estimator__C=3.0
            )
            t = time.perf_counter()
            nocache.fit(X, y)
            plain = time.perf_counter() - t
            # the transformer steps alone: computed (plain) vs read back from the cache
            t = time.perf_counter()
            nocache[:-1].fit_transform(X, y)
            steps_plain = time.perf_counter() - t
            t = time.perf_counter()
            model[:-1].fit_transform(X, y)
            steps_cached = time.perf_counter() - t
        print(
            f"Pipeline(memory=...): first fit {first:.2f} s, second fit with C=3 {second:.2f} s "
            f"(trim + features read from the cache); the same fit without memory {plain:.2f} s. "
            f"Transformer steps alone: {steps_plain:.3f} s computed, {steps_cached:.3f} s cached"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
