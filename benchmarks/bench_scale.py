"""AudioMNIST-scale extraction: time and peak memory on 30,000 clips of 1 s.

Run:  python benchmarks/bench_scale.py [--data-home DIR] [--sizes 7500 15000 30000]

AudioMNIST (30,000 clips) is not on these machines, so the benchmark builds a set of
the same size from the 3,000 FSDD clips: each clip in 10 versions, resampled
(speed 0.86 to 1.13), with a random gain (0.1 to 1) and faint noise (-60 dB), then
padded or cut to 1 s at 8 kHz: a (30000, 8000) float32 array (960 MB).

For each size and output, one thread:

- seconds (best of ``--repeats``) and microseconds per clip, to show the time is
  linear in the number of clips;
- peak memory of ``transform``, measured with ``tracemalloc``: the largest amount of
  memory allocated *by the call* at any moment above what was allocated before it
  (numpy reports its array buffers to tracemalloc). The input is allocated before,
  so it is not counted; the output is. ``resource.getrusage().ru_maxrss`` is not
  used for this: it is the high-water mark of the whole process, already set by
  building the input, so its change says nothing about the call;
- the peak of ``validate_waveforms`` alone (the input checks that ``transform``
  runs first), and the peak of ``transform`` with those checks replaced by a
  plain ``np.asarray(X, dtype=np.float32)`` ("engine"), to tell the checks'
  memory from the extraction's.
"""

import argparse
import datetime
import os
import platform
import time
import tracemalloc
import warnings

import numpy as np
import soxr
from threadpoolctl import threadpool_limits

import sklearn_audiodigit.features as features_module
from sklearn_audiodigit import MFCCExtractor
from sklearn_audiodigit.datasets import fetch_fsdd
from sklearn_audiodigit.utils._validation import validate_waveforms

SR = 8000


def build(clips, n_versions=10, seed=0):
    """(len(clips) * n_versions, SR) float32: resampled, scaled, noisy, padded to 1 s."""
    rng = np.random.default_rng(seed)
    X = np.zeros((len(clips) * n_versions, SR), dtype=np.float32)
    speeds = np.linspace(0.86, 1.13, n_versions)
    row = 0
    for v in range(n_versions):
        for clip in clips:
            y = soxr.resample(clip, SR, SR / speeds[v]) if v else clip
            y = y[:SR] * rng.uniform(0.1, 1.0)
            X[row, : len(y)] = y
            X[row] += rng.normal(0.0, 1e-3, SR).astype(np.float32)
            row += 1
    return X


def peak_bytes(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base, out


def engine_only(est, X):
    """``est.transform(X)`` without the input checks (2-D float32 input only)."""
    saved = features_module.validate_waveforms
    features_module.validate_waveforms = lambda est, X, reset: np.asarray(X, dtype=np.float32)
    try:
        return est.transform(X)
    finally:
        features_module.validate_waveforms = saved


def best_seconds(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("AUDIODIGIT_DATA"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[7500, 15000, 30000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    fsdd = fetch_fsdd(data_home=args.data_home, download_if_missing=False)
    t = time.perf_counter()
    X = build(fsdd.data, n_versions=-(-max(args.sizes) // len(fsdd.data)))
    print(
        f"{datetime.date.today()}  {platform.platform()}  cores: {os.cpu_count()}  "
        f"load average: {os.getloadavg()[0]:.2f}"
    )
    print(
        f"built {X.shape} float32 ({X.nbytes / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s"
    )
    outputs = {
        "frames (13 MFCC x 101 frames)": dict(output="frames"),
        "grid (default SVC features, 209)": dict(
            n_mels=16, deltas=1, output="grid", n_segments=8, log_duration=True
        ),
        "stats (mean+std, 26)": dict(),
    }
    print(
        f"\n{'output':34s} {'clips':>6s} {'seconds':>8s} {'us/clip':>8s} {'output MiB':>10s} "
        f"{'peak MiB':>9s} {'peak/out':>8s} {'checks peak MiB':>15s} {'engine peak MiB':>15s} "
        f"{'engine/out':>10s}"
    )
    with threadpool_limits(1):
        for label, kw in outputs.items():
            est = MFCCExtractor(**kw)
            for n in args.sizes:
                Xn = X[:n]
                secs = best_seconds(lambda e=est, Xn=Xn: e.transform(Xn), args.repeats)
                peak, out = peak_bytes(lambda e=est, Xn=Xn: e.transform(Xn))
                checks, _ = peak_bytes(lambda e=est, Xn=Xn: validate_waveforms(e, Xn, reset=False))
                engine, _ = peak_bytes(lambda e=est, Xn=Xn: engine_only(e, Xn))
                print(
                    f"{label:34s} {n:6d} {secs:8.2f} {1e6 * secs / n:8.1f} "
                    f"{out.nbytes / 2**20:10.1f} {peak / 2**20:9.1f} {peak / out.nbytes:8.2f} "
                    f"{checks / 2**20:15.1f} {engine / 2**20:15.1f} {engine / out.nbytes:10.2f}"
                )
                del out


if __name__ == "__main__":
    main()
