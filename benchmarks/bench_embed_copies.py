"""Which training copies help the speech-embedding model: a fast search on cached frames.

Run from the repository root (needs the ``[embedding]`` extra, its model files, and the
development benchmark built by ``build_devset.py``)::

    python benchmarks/bench_embed_copies.py frames --devset DIR --cache CACHE \\
        --copies clean pink room room2 room8 babble pinkroom roomshort dev
    python benchmarks/bench_embed_copies.py heads --cache CACHE \\
        clean:ms:svc1 clean+pink:ms:svc1 clean+pink+room:ms:svc1 ...

``frames`` embeds every FSDD clip (``SpeechEmbeddingExtractor(output="frames")``: 96
dimensions x 9 frames of the 1.5 s window) once per training copy, and the
development benchmark's channel part (``dev``) once, into ``CACHE/frames_<copy>.npy``.
The copies (each drawn by :class:`~sklearn_audiodigit.augmentation.WaveformAugmenter`
with everything off but the named transform, ``p=1``):

- ``pink``: pink noise at an SNR drawn in 0-20 dB (the shipped model's first copy);
- ``room``, ``room2``: a room of RT60 0.2-0.8 s, drawn per speaker (8 rooms for each
  of the six speakers; two seeds); ``room8``: the same drawn once for all clips
  (8 rooms in all, as ``make_embed_svc_pipeline`` does at each fit);
- ``roomshort``: RT60 0.1-0.5 s; ``pinkroom``: pink noise and a room in one copy;
- ``babble``: babble of the same speaker's other clips at 0-20 dB (never the
  held-out speaker's voice in a training clip);
- ``vtlp``: vocal tract length perturbation, warp factor drawn in 0.8-1.25;
  ``vtlp2``: the same, another seed; ``vtlpup``: 1.05-1.25 only (formants raised,
  towards women's and children's);
  ``pitch``: a pitch shift drawn in -4 to +8 semitones;
- ``clip``: hard clipping at 0.3-0.9 of the peak; ``white``: white noise at 0-20 dB.

``tts`` embeds the benchmark's synthetic voices (760 clips) once; ``heads --tts`` then
also fits each spec on all of FSDD and reports it per synthetic voice (apart, as
``bench_devset.py`` does: never the basis of a choice on their own).

``heads`` scores ``COPIES:POOLING:CLASSIFIER`` specs leave one FSDD speaker out: the
classifier is trained on the five other speakers' clips in every listed copy, and
tested on the held-out speaker's 500 clean clips (FSDD LOSO) and on its 1,700 clips of
the 17 channel conditions (as ``bench_devset.py``, whose real-pipeline figures are the
ones that count). Pooling: ``ms`` (mean+std, the shipped 192 features), ``msmax``
(+max+min), ``flat`` (all 9 frames), ``ms+flat``. Classifier: ``svcC`` (StandardScaler +
RBF SVC with C) or ``lrC`` (logistic regression). Each result is printed and appended to
``CACHE/heads.jsonl``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import load_devset  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sklearn_audiodigit.augmentation import WaveformAugmenter  # noqa: E402
from sklearn_audiodigit.datasets import fetch_fsdd  # noqa: E402
from sklearn_audiodigit.svm import OneVsOneSumSVC  # noqa: E402

_OFF = dict(vtlp_range=None, rt60_range=None, band=None, eq_db=None, clip_range=None)
COPIES = {
    "pink": dict(snr_range=(0.0, 20.0), noise_kinds=("pink",), random_state=0),
    "room": dict(rt60_range=(0.2, 0.8), snr_range=None, random_state=1),
    "room2": dict(rt60_range=(0.2, 0.8), snr_range=None, random_state=11),
    "roomshort": dict(rt60_range=(0.1, 0.5), snr_range=None, random_state=13),
    "pinkroom": dict(
        rt60_range=(0.2, 0.8), snr_range=(0.0, 20.0), noise_kinds=("pink",), random_state=12
    ),
    "babble": dict(snr_range=(0.0, 20.0), noise_kinds=("babble",), random_state=2),
    "vtlp": dict(vtlp_range=(0.8, 1.25), snr_range=None, random_state=3),
    "vtlp2": dict(vtlp_range=(0.8, 1.25), snr_range=None, random_state=8),
    "vtlpup": dict(vtlp_range=(1.05, 1.25), snr_range=None, random_state=6),
    "pitch": dict(pitch_range=(-4.0, 8.0), snr_range=None, random_state=7),
    "clip": dict(clip_range=(0.3, 0.9), snr_range=None, random_state=4),
    "white": dict(snr_range=(0.0, 20.0), noise_kinds=("white",), random_state=5),
}


def frames(args):
    from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

    ext = SpeechEmbeddingExtractor(output="frames").fit([np.zeros(8000, np.float32)])
    fsdd = fetch_fsdd(download_if_missing=False)
    args.cache.mkdir(parents=True, exist_ok=True)

    def save(name, X):
        t0 = time.perf_counter()
        F = ext.transform(list(X)).astype(np.float32)
        np.save(args.cache / f"frames_{name}.npy", F)
        print(f"{name}: {F.shape} in {time.perf_counter() - t0:.0f} s", flush=True)

    for name in args.copies:
        if name == "clean":
            save(name, fsdd.data)
        elif name == "dev":
            bench = load_devset(args.devset, parts=("channels",))
            np.savez(
                args.cache / "dev_meta.npz",
                target=bench.target,
                speaker=bench.speaker,
                condition=bench.condition,
            )
            save(name, bench.data)
        elif name == "tts":
            bench = load_devset(args.devset, parts=("tts",))
            np.savez(args.cache / "tts_meta.npz", target=bench.target, speaker=bench.speaker)
            save(name, bench.data)
        elif name == "room8":
            aug = WaveformAugmenter(**{**_OFF, **COPIES["room"]}, p=1.0)
            save(name, aug.augment(list(fsdd.data)))
        else:
            aug = WaveformAugmenter(**{**_OFF, **COPIES[name]}, p=1.0)
            out = np.empty(len(fsdd.data), dtype=object)
            for spk in np.unique(fsdd.speaker):  # per speaker: babble of their own voice
                sel = np.flatnonzero(fsdd.speaker == spk)
                out[sel] = list(aug.augment(list(fsdd.data[sel])))
            save(name, out)


def _pool(A, kind):
    parts = {
        "ms": [A.mean(2), A.std(2)],
        "msmax": [A.mean(2), A.std(2), A.max(2), A.min(2)],
        "flat": [A.reshape(len(A), -1)],
        "ms+flat": [A.mean(2), A.std(2), A.reshape(len(A), -1)],
    }[kind]
    return np.concatenate(parts, axis=1)


def _classifier(spec):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if spec.startswith("svcsum"):
        return make_pipeline(StandardScaler(), OneVsOneSumSVC(C=float(spec[6:] or 1)))
    if spec.startswith("svc"):
        return make_pipeline(StandardScaler(), SVC(C=float(spec[3:] or 1)))
    if spec.startswith("lr"):
        return make_pipeline(StandardScaler(), LogisticRegression(C=float(spec[2:]), max_iter=2000))
    raise ValueError(f"unknown classifier {spec!r}")


def heads(args):
    fsdd = fetch_fsdd(download_if_missing=False)
    y, spk = fsdd.target, fsdd.speaker
    meta = np.load(args.cache / "dev_meta.npz", allow_pickle=True)
    dy, dspk, dcond = meta["target"], meta["speaker"], meta["condition"]
    cache = {}

    def load(name):
        if name not in cache:
            cache[name] = np.load(args.cache / f"frames_{name}.npy")
        return cache[name]

    for spec in args.specs:
        copies, kind, clf = spec.split(":")
        copies = copies.split("+")
        loso, hits = {}, {}
        for s in sorted(set(spk)):
            tr = spk != s
            X = np.concatenate([_pool(load(c)[tr], kind) for c in copies])
            model = _classifier(clf).fit(X, np.concatenate([y[tr]] * len(copies)))
            loso[s] = float(np.mean(model.predict(_pool(load("clean")[~tr], kind)) == y[~tr]))
            te = dspk == s
            h = model.predict(_pool(load("dev")[te], kind)) == dy[te]
            for c in np.unique(dcond[te]):
                hits.setdefault(c, []).append(h[dcond[te] == c])
        cond = {c: float(np.concatenate(v).mean()) for c, v in hits.items()}
        voices = {}
        if args.tts:
            tmeta = np.load(args.cache / "tts_meta.npz", allow_pickle=True)
            X = np.concatenate([_pool(load(c), kind) for c in copies])
            model = _classifier(clf).fit(X, np.concatenate([y] * len(copies)))
            h = model.predict(_pool(load("tts"), kind)) == tmeta["target"]
            names = tmeta["speaker"]
            voices = {v: float(h[names == v].mean()) for v in np.unique(names)}
        channels = {c: a for c, a in cond.items() if c != "clean"}
        worst = min(channels, key=channels.get)
        row = dict(
            copies="+".join(copies),
            pooling=kind,
            classifier=clf,
            loso=float(np.mean(list(loso.values()))),
            loso_per_speaker=loso,
            channels=float(np.mean(list(channels.values()))),
            channels_worst=worst,
            conditions=cond,
            tts=float(np.mean(list(voices.values()))) if voices else None,
            voices=voices,
        )
        print(
            f"{row['copies']:<26} {kind:<8} {clf:<7} LOSO {row['loso']:.3f} "
            f"(worst {min(loso.values()):.3f})  channels {row['channels']:.3f}  "
            f"worst {worst} {channels[worst]:.3f}" + (f"  TTS {row['tts']:.3f}" if voices else ""),
            flush=True,
        )
        if voices:
            print("    " + "  ".join(f"{v} {a:.2f}" for v, a in voices.items()), flush=True)
        with open(args.cache / "heads.jsonl", "a") as fh:
            fh.write(json.dumps(row) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("frames")
    p.add_argument("--devset", type=Path, required=True)
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--copies", nargs="+", default=["clean", "pink", "room", "dev"])
    p = sub.add_parser("heads")
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--tts", action="store_true", help="also score the synthetic voices")
    p.add_argument("specs", nargs="+")
    args = parser.parse_args(argv)
    frames(args) if args.command == "frames" else heads(args)
    return 0


if __name__ == "__main__":
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    sys.exit(main())
