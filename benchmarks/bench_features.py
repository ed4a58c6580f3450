"""Throughput of the feature extractors against what users write today.

Run:  python benchmarks/bench_features.py [--data-home DIR] [--repeats 3]

All 3,000 FSDD clips, padded (or cut) to 1 s at 8 kHz, one thread everywhere
(BLAS and FFT limited with threadpoolctl). Compared, in the same run:

- ``loop``: ``librosa.feature.mfcc`` / ``melspectrogram`` called per clip;
- ``naive 2-D``: one librosa call on the whole 2-D batch (fast, but its
  ``top_db`` floor is taken against the loudest clip of the batch, so a clip's
  features depend on its neighbours: the reported difference shows it);
- ``ours``: :class:`MFCCExtractor` / :class:`LogMelExtractor`, ``output="frames"``.

Reported: clips/s, speed-up over the loop, max abs difference to the loop; the
same at librosa's default parameters; the speed-up of ``n_jobs=2``; and an
estimate of the machine's limit for this work (FFT and mel-matrix flops at the
FLOP rate of a large float32 matrix product measured here).
"""

import argparse
import os
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_audiodigit import LogMelExtractor, MFCCExtractor, PadTrim
from sklearn_audiodigit.datasets import fetch_fsdd


def _best(fn, repeats):
    best = np.inf
    out = None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _flop_rate():
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    a @ a
    t, _ = _best(lambda: a @ a, 5)
    return 2 * 1024**3 / t


def _work_flops(n_clips, n_samples, n_fft, hop, n_mels, n_mfcc):
    n_frames = 1 + n_samples // hop
    n_bins = n_fft // 2 + 1
    fft = 2.5 * n_fft * np.log2(n_fft)  # real FFT, ~half of 5 N log2 N
    mel = 2 * n_bins * n_mels
    dct = 2 * n_mels * n_mfcc
    window_power_db = n_fft + 3 * n_bins + 2 * n_mels
    return n_clips * n_frames * (fft + mel + dct + window_power_db)


def run(X, params, repeats, loop_subset):
    import librosa

    sr = 8000
    n_fft, hop, n_mels, n_mfcc = params
    kw = dict(sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels)
    rows = []
    for name, ours, per_clip in [
        (
            "MFCC",
            MFCCExtractor(n_mfcc=n_mfcc, output="frames", **kw),
            lambda y: librosa.feature.mfcc(y=y, n_mfcc=n_mfcc, **kw),
        ),
        (
            "log-mel",
            LogMelExtractor(output="frames", **kw),
            lambda y: librosa.power_to_db(librosa.feature.melspectrogram(y=y, **kw), top_db=80.0),
        ),
    ]:
        sub = X[:loop_subset]
        t_loop, ref = _best(lambda sub=sub, f=per_clip: np.stack([f(y) for y in sub]), 1)
        loop_rate = len(sub) / t_loop
        if name == "MFCC":
            naive = lambda: librosa.feature.mfcc(y=X, n_mfcc=n_mfcc, **kw)  # noqa: E731
        else:
            naive = lambda: librosa.power_to_db(  # noqa: E731
                librosa.feature.melspectrogram(y=X, **kw), top_db=80.0
            )
        t_naive, out_naive = _best(naive, repeats)
        t_ours, out = _best(lambda o=ours: o.transform(X), repeats)
        rows.append(
            {
                "features": name,
                "loop clips/s": loop_rate,
                "naive 2-D clips/s": len(X) / t_naive,
                "ours clips/s": len(X) / t_ours,
                "speed-up": (len(X) / t_ours) / loop_rate,
                "ours max|diff|": float(np.abs(out[: len(sub)] - ref).max()),
                "naive max|diff|": float(np.abs(out_naive[: len(sub)] - ref).max()),
                "seconds": t_ours,
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("AUDIODIGIT_DATA"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-subset", type=int, default=3000, help="clips in the librosa loop")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    fsdd = fetch_fsdd(data_home=args.data_home, download_if_missing=False)
    X = PadTrim(duration=1.0, align="left").fit_transform(fsdd.data)
    print(f"{len(X)} clips x {X.shape[1]} samples, cores: {os.cpu_count()}")
    with threadpool_limits(1):
        rate = _flop_rate()
        print(f"measured float32 GEMM rate, 1 thread: {rate / 1e9:.1f} GFLOP/s")
        for label, params in [
            ("n_fft=256, hop_length=80, n_mels=40, n_mfcc=13", (256, 80, 40, 13)),
            ("librosa defaults: n_fft=2048, hop_length=512, n_mels=128, n_mfcc=20",
             (2048, 512, 128, 20)),
        ]:
            print(f"\n## {label} (1 thread)")
            rows = run(X, params, args.repeats, args.loop_subset)
            for r in rows:
                print(
                    f"{r['features']:8s} loop {r['loop clips/s']:8.0f}/s   "
                    f"naive 2-D {r['naive 2-D clips/s']:8.0f}/s (max|diff| "
                    f"{r['naive max|diff|']:.3g})   ours {r['ours clips/s']:8.0f}/s "
                    f"(max|diff| {r['ours max|diff|']:.2g})   speed-up x{r['speed-up']:.1f}"
                )
            flops = _work_flops(len(X), X.shape[1], *params)
            t_limit = flops / rate
            print(
                f"estimated limit for MFCC: {flops / 1e9:.2f} GFLOP -> {len(X) / t_limit:,.0f} "
                f"clips/s at the GEMM rate; ours reaches "
                f"{100 * t_limit / rows[0]['seconds']:.0f} % of it"
            )
    t1, _ = _best(lambda: MFCCExtractor(output="frames", n_jobs=1).transform(X), args.repeats)
    t2, _ = _best(lambda: MFCCExtractor(output="frames", n_jobs=2).transform(X), args.repeats)
    print(f"\nn_jobs=2 vs n_jobs=1 (MFCC, default parameters): x{t1 / t2:.2f}")


if __name__ == "__main__":
    main()
