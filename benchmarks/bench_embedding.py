"""The speech-embedding front end: speaker- and channel-independent accuracy, speed.

Run from the repository root (needs the ``[embedding]`` extra and the model files)::

    python benchmarks/bench_embedding.py features [--window 1.5] [--conditions ...]
    python benchmarks/bench_embedding.py loso [--window 1.5] [--train clean,pink,...]
    python benchmarks/bench_embedding.py tts
    python benchmarks/bench_embedding.py speed

All accuracy figures are leave one FSDD speaker out (6 folds, 3,000 clips): the
classifier is trained on the other five speakers and tested on the held-out one,
clean and passed through other channels that no training clip went through:

- ``white20`` / ``white10`` / ``white5``: white noise at 20 / 10 / 5 dB SNR;
- ``tel_white10``: a telephone band (300-3,400 Hz, 4th-order Butterworth) and then
  white noise at 10 dB SNR (the condition of issue 16's first measurement).

Training copies (``--train``), never used for testing: ``pink`` (pink noise at an
SNR drawn uniformly from 0-20 dB per clip), ``band`` (a random band limit, low edge
100-500 Hz, high edge 2,500-3,900 Hz, then pink noise at 5-25 dB), ``speed09`` /
``speed11`` (played 0.9 / 1.1 times as fast), ``tiltm07`` / ``tiltp07`` (spectral
tilt -0.7 / +0.7, the MFCC svc's channel copies). The test noise (white) and the
training noise (pink) differ on purpose.

Embeddings (mean, std, min, max of every dimension over the frames) are computed
once per condition and cached (``--cache``, default ``/tmp/audiodigit_embedding_cache``);
every pooling is a slice of that cache. The ``tts`` part scores models trained on
all of FSDD on Debian's espeak-ng and flite voices (reported, never the basis of a
choice alone). ``speed`` measures the extractor's throughput (stage by stage, on the
batched path and on the model files as they are, by batch size and thread count) and
warm one-clip ``predict`` latency (wall and CPU time), next to the MFCC svc's.

This is a small channel test of its own; the project's development benchmark of
unseen voices and channels (issue 16) supersedes it once it lands.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sklearn_audiodigit.datasets import fetch_fsdd

CONDITIONS = ("clean", "white20", "white10", "white5", "tel_white10")
TRAIN_COPIES = ("pink", "band", "speed09", "speed11", "tiltm07", "tiltp07")
STATS = ("mean", "std", "min", "max")
SR = 8000


def _noise(kind, n, rng):
    if kind == "white":
        return rng.standard_normal(n)
    # pink: 1/f power, shaped in the frequency domain
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    return np.fft.irfft(spec / np.sqrt(f), n)


def _add_noise(x, snr_db, kind, rng):
    noise = _noise(kind, len(x), rng)
    p_sig = np.mean(x.astype(np.float64) ** 2) + 1e-12
    p_noise = np.mean(noise**2) + 1e-12
    noise *= np.sqrt(p_sig / (p_noise * 10 ** (snr_db / 10)))
    y = x + noise
    peak = np.abs(y).max()
    return (y / peak * 0.9 if peak > 1 else y).astype(np.float32)


def _band(x, low, high):
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [low, high], btype="band", fs=SR, output="sos")
    return sosfiltfilt(sos, x).astype(np.float32)


def apply_condition(clips, name, seed=0, cache=None):
    """The clips passed through condition ``name`` (deterministic per clip).

    A name of the form ``copy_<x>`` reads training copies made by another tool
    (e.g. the augmentation package's ``WaveformAugmenter``): a pickled list of
    float32 clips in FSDD order, ``<cache>/copies/<x>.pkl``.
    """
    from sklearn_audiodigit.augmentation import speed_perturb

    if name.startswith("copy_"):
        import pickle

        with open(Path(cache) / "copies" / f"{name[5:]}.pkl", "rb") as f:
            copies = pickle.load(f)  # our own file, written by the command in README.md
        assert len(copies) == len(clips)
        return copies
    if name == "clean":
        return list(clips)
    if name.startswith("speed"):
        return speed_perturb(list(clips), int(name[5:]) / 10, sr=SR)
    if name.startswith("tilt"):
        from sklearn_audiodigit.augmentation import spectral_tilt

        sign = -1 if name[4] == "m" else 1
        return spectral_tilt(list(clips), sign * int(name[5:]) / 10)
    out = []
    for i, x in enumerate(clips):
        rng = np.random.default_rng([seed, i, sum(map(ord, name))])
        if name.startswith("white"):
            out.append(_add_noise(x, float(name[5:]), "white", rng))
        elif name == "tel_white10":
            out.append(_add_noise(_band(x, 300, 3400), 10, "white", rng))
        elif name == "pink":
            out.append(_add_noise(x, rng.uniform(0, 20), "pink", rng))
        elif name == "band":
            y = _band(x, rng.uniform(100, 500), rng.uniform(2500, 3900))
            out.append(_add_noise(y, rng.uniform(5, 25), "pink", rng))
        else:
            raise ValueError(name)
    return out


def _cache_file(cache, window, name):
    return Path(cache) / f"emb_w{window}_{name}.npy"


def features(data, window, names, cache, n_threads=1):
    """Embedding stats (n, 96, 4) per condition, computed once and cached."""
    from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

    Path(cache).mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names:
        path = _cache_file(cache, window, name)
        if path.exists():
            out[name] = np.load(path)
            continue
        t0 = time.perf_counter()
        ext = SpeechEmbeddingExtractor(
            window=None if window == "None" else float(window), stats=STATS, n_threads=n_threads
        )
        F = ext.fit_transform(apply_condition(data, name, cache=cache)).reshape(len(data), 96, 4)
        np.save(path, F)
        print(f"  {name}: {len(data)} clips in {time.perf_counter() - t0:.1f} s", flush=True)
        out[name] = F
    return out


def _pool(F, stats):
    idx = [STATS.index(s) for s in stats]
    return F[:, :, idx].reshape(len(F), -1)


def _classifier(kind, C):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    if kind == "svc":
        return make_pipeline(StandardScaler(), SVC(C=C))
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def loso(feats, y, speakers, *, train, stats, kind="svc", C=1.0):
    """Accuracy per held-out speaker and condition: {condition: {speaker: acc}}."""
    res = {c: {} for c in CONDITIONS if c in feats}
    for s in np.unique(speakers):
        tr, te = speakers != s, speakers == s
        Xtr = np.concatenate([_pool(feats[t][tr], stats) for t in train])
        ytr = np.concatenate([y[tr]] * len(train))
        model = _classifier(kind, C).fit(Xtr, ytr)
        for c in res:
            res[c][s] = float((model.predict(_pool(feats[c][te], stats)) == y[te]).mean())
    return res


def _print(res, label):
    speakers = sorted(next(iter(res.values())))
    head = " ".join(f"{s[:7]:>7}" for s in speakers)
    print(f"\n{label}\n{'condition':<12} {'mean':>6} {'worst':>6}  {head}")
    for c, per in res.items():
        v = np.array([per[s] for s in speakers])
        print(f"{c:<12} {v.mean():6.3f} {v.min():6.3f}  " + " ".join(f"{a:7.3f}" for a in v))
    real = [np.mean(list(res[c].values())) for c in res if c != "clean"]
    print(f"channel mean (all but clean): {np.mean(real):.3f}", flush=True)


def _load(args):
    b = fetch_fsdd(data_home=args.data_home, download_if_missing=False)
    return list(b.data), np.asarray(b.target), np.asarray(b.speaker)


def cmd_features(args):
    data, _, _ = _load(args)
    features(data, args.window, args.conditions.split(","), args.cache)


def cmd_loso(args):
    data, y, speakers = _load(args)
    train = args.train.split(",")
    names = list(dict.fromkeys(args.test.split(",") + train))
    feats = features(data, args.window, names, args.cache)
    for stats in args.stats.split(";"):
        stats = tuple(stats.split(","))
        for kind_c in args.classifiers.split(","):
            kind, C = kind_c.split(":")
            res = loso(feats, y, speakers, train=train, stats=stats, kind=kind, C=float(C))
            _print(
                res,
                f"window={args.window} train={'+'.join(train)} stats={'+'.join(stats)} "
                f"{kind} C={C}",
            )


VOICES_ESPEAK = ("en", "en-us", "en+f2", "en+f4", "en-us+f3", "en+m3", "en-gb-x-rp+f5", "en+klatt4")
VOICES_FLITE = ("kal", "slt", "rms", "awb")
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def tts_clips(folder):
    """Digits spoken by Debian's TTS voices: (paths, digits, voices)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths, y, voices = [], [], []
    for voice in VOICES_ESPEAK:
        for pitch in (30, 70):
            for d, w in enumerate(WORDS):
                p = folder / f"espeak_{voice}_{pitch}_{d}.wav"
                if not p.exists():
                    subprocess.run(
                        ["espeak-ng", "-v", voice, "-p", str(pitch), "-w", str(p), w],
                        check=True,
                        capture_output=True,
                    )
                paths.append(p), y.append(d), voices.append(f"espeak:{voice}:p{pitch}")
    for voice in VOICES_FLITE:
        for d, w in enumerate(WORDS):
            p = folder / f"flite_{voice}_{d}.wav"
            if not p.exists():
                subprocess.run(
                    ["flite", "-voice", voice, "-t", w, "-o", str(p)],
                    check=True,
                    capture_output=True,
                )
            paths.append(p), y.append(d), voices.append(f"flite:{voice}")
    return paths, np.array(y), np.array(voices)


def cmd_tts(args):
    from sklearn_audiodigit.io import read_audio

    data, y, speakers = _load(args)
    paths, yt, voices = tts_clips(Path(args.cache) / "tts")
    clips = [read_audio(p, sr=SR)[0] for p in paths]
    train = args.train.split(",")
    feats = features(data, args.window, train, args.cache)
    from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

    ext = SpeechEmbeddingExtractor(window=float(args.window), stats=STATS)
    Ft = ext.fit_transform(clips).reshape(len(clips), 96, 4)
    stats = tuple(args.stats.split(";")[0].split(","))
    Xtr = np.concatenate([_pool(feats[t], stats) for t in train])
    ytr = np.concatenate([y] * len(train))
    kind, C = args.classifiers.split(",")[0].split(":")
    pred = _classifier(kind, float(C)).fit(Xtr, ytr).predict(_pool(Ft, stats))
    ok = pred == yt
    print(
        f"\nTTS ({len(clips)} clips), trained on all FSDD, train={'+'.join(train)} "
        f"stats={'+'.join(stats)} {kind} C={C}: {ok.mean():.3f}"
    )
    for engine in ("espeak", "flite"):
        m = np.char.startswith(voices.astype(str), engine)
        print(f"  {engine}: {ok[m].mean():.3f} ({m.sum()} clips)")
    for v in dict.fromkeys(voices):
        m = voices == v
        print(f"    {v:<28} {ok[m].mean():.2f}")


def _best(fn, repeat):
    """Best wall and best CPU time of ``repeat`` calls, seconds (and the last result)."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def _stages(ext, clips, repeat):
    """Best CPU seconds of each stage of ``ext.transform`` over ``clips`` (one batch)."""
    mel, emb = ext._get_sessions()
    top_db = ext._sessions[3]
    timings = {}
    _, timings["resample + centre"], model_in = _best(lambda: ext._to_model_input(clips), repeat)
    if top_db is not None:  # the batched path, stage by stage as _embed_batch runs it
        batch = np.stack(model_in)
        _, timings["mel model"], spec = _best(
            lambda: mel.run(None, {"input": batch})[0][:, 0], repeat
        )

        def floor():
            f = spec.max(axis=(1, 2)) - top_db
            return (np.maximum(spec, f[:, None, None]) / 10.0 + 2.0)[..., None]

        _, timings["per-clip floor (numpy)"], seq = _best(floor, repeat)
        _, timings["embedding model"], _ = _best(lambda: emb.run(None, {"input_1": seq})[0], repeat)
        return timings
    _, timings["mel model"], spec = _best(
        lambda: np.stack([mel.run(None, {"input": c[None]})[0][0, 0] for c in model_in]), repeat
    )
    spec = spec / 10.0 + 2.0
    starts = range(0, spec.shape[1] - 76 + 1, 8)
    windows = np.stack([spec[:, s : s + 76] for s in starts], axis=1).reshape(-1, 76, 32, 1)
    _, timings["embedding model"], _ = _best(lambda: emb.run(None, {"input_1": windows})[0], repeat)
    return timings


def _files_as_they_are():
    """Extractors made inside run the model files as they are (the path before the
    batched one, kept where onnx is missing): one mel call per clip, one embedding
    window per 76 mel frames."""
    from unittest import mock

    from sklearn_audiodigit import embeddings

    return mock.patch.object(embeddings, "_fast_models", lambda folder, **kw: None)


def _throughput(data, repeat):
    """Print the extractor's throughput: both paths by stage, batch sizes, threads."""
    from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

    rng = np.random.default_rng(0)
    one_s = [rng.standard_normal(SR).astype(np.float32) * 0.1 for _ in range(200)]
    n = len(one_s)
    print(f"\n{n} clips of 1 s at {SR} Hz, window 1.5 s (9 frames), 1 thread, best of {repeat}")
    results = {}
    for name in ("files as they are", "batched"):
        as_is = name == "files as they are"
        with _files_as_they_are() if as_is else contextlib.nullcontext():
            ext = SpeechEmbeddingExtractor(batch_size=n).fit(one_s[:2])
            assert (ext._sessions[3] is None) == as_is
            wall, cpu, out = _best(lambda e=ext: e.transform(one_s), repeat)
            results[name] = out
            print(f"  {name}: {n / wall:.0f} clips/s wall, {n / cpu:.0f} clips/s of CPU time")
            for stage, t in _stages(ext, one_s, repeat).items():
                print(f"    {stage:<24} {t / n * 1e3:6.3f} ms a clip (CPU)")
    diff = np.abs(results["batched"] - results["files as they are"]).max()
    print(f"  largest difference between the two paths: {diff:.3g}")
    print("\nbatched path, by batch_size and n_threads (clips/s: wall / CPU time)")
    for threads in (1, 2):
        for bs in (1, 8, 16, 32, 64, 200):
            ext = SpeechEmbeddingExtractor(batch_size=bs, n_threads=threads).fit(one_s[:2])
            wall, cpu, _ = _best(lambda e=ext: e.transform(one_s), repeat)
            print(f"  n_threads={threads} batch_size={bs:<4} {n / wall:5.0f} / {n / cpu:5.0f}")
    ext = SpeechEmbeddingExtractor().fit(one_s[:2])
    wall, cpu, _ = _best(lambda: ext.transform(data), repeat)
    print(
        f"\nall {len(data)} FSDD clips (0.14-2.28 s), defaults: {len(data) / wall:.0f} clips/s "
        f"wall, {len(data) / cpu:.0f} clips/s of CPU time"
    )


def _latency(name, model, clip, n):
    """Print the warm one-clip predict latency of ``model``, wall and CPU time."""
    model.predict([clip])
    times, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        model.predict([clip])
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    times, cpu = np.array(times) * 1e3, np.array(cpu) * 1e3
    print(
        f"  {name}: wall median {np.median(times):.1f} ms (best {times.min():.1f}, p90 "
        f"{np.percentile(times, 90):.1f}); CPU median {np.median(cpu):.1f} ms "
        f"(best {cpu.min():.1f})"
    )


def cmd_speed(args):
    """Extractor throughput (per stage, both paths, batch sizes, threads) and latency."""
    from sklearn_audiodigit.pipelines import make_model
    from sklearn_audiodigit.pretrained import load_pretrained

    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    data, y, _ = _load(args)
    if not args.latency_only:
        _throughput(data, args.repeat)
    clip = data[1]
    print(f"\nwarm one-clip predict (clip of {len(clip) / SR:.2f} s), {args.latency_n} calls")

    def bundled():
        return load_pretrained("embed-svc")

    models = {
        "embed-svc (bundled)": (bundled, contextlib.nullcontext),
        "embed-svc (bundled), files as they are": (bundled, _files_as_they_are),
    }
    for name in ("embed-svc", "svc"):  # the MFCC svc: a same-run baseline
        models[f"{name} (fit on 500 clips)"] = (
            lambda n=name: make_model(n).fit(data[::6], y[::6]),
            contextlib.nullcontext,
        )
    for name, (make, context) in models.items():
        with context():
            _latency(name, make(), clip, args.latency_n)
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("part", choices=("features", "loso", "tts", "speed"))
    p.add_argument("--data-home", default=None)
    p.add_argument(
        "--cache", default=os.path.join(tempfile.gettempdir(), "audiodigit_embedding_cache")
    )
    p.add_argument("--window", default="1.5", help="seconds, or None (whole clip)")
    p.add_argument("--conditions", default=",".join(CONDITIONS + TRAIN_COPIES))
    p.add_argument("--train", default="clean", help="comma-separated training copies")
    p.add_argument("--test", default=",".join(CONDITIONS), help="loso: conditions tested")
    p.add_argument("--stats", default="mean,std", help="';'-separated pooling sets")
    p.add_argument("--classifiers", default="svc:1", help="comma-separated kind:C")
    p.add_argument("--repeat", type=int, default=5, help="speed: best of this many runs")
    p.add_argument("--latency-n", type=int, default=50, help="speed: predict calls timed")
    p.add_argument("--latency-only", action="store_true", help="speed: only the latency")
    args = p.parse_args(argv)
    {"features": cmd_features, "loso": cmd_loso, "tts": cmd_tts, "speed": cmd_speed}[args.part](
        args
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
