"""Accuracy on the development benchmark of unseen voices and channels, next to FSDD LOSO.

Build the benchmark first (``benchmarks/build_devset.py --out DIR``), then, from the
repository root::

    python benchmarks/bench_devset.py --devset DIR --models svc cnn [--cache CACHE]

Protocol (both parts speaker-grouped; no model ever hears a test voice):

- **Real voices through other channels** (the headline): for each of FSDD's six
  speakers, the model is trained on the other five speakers' 2,500 clean clips
  and scores that speaker's 100 benchmark clips in every channel condition; the
  same fold also scores all 500 clean clips of the held-out speaker, which is
  FSDD leave-one-speaker-out (LOSO). Accuracy per condition pools the six folds
  (600 clips); "channels" is the mean over the 17 conditions other than
  ``clean``, "worst" the lowest of them.
- **Synthetic voices** (reported apart: they rank models differently from people,
  see docs): one model trained on all 3,000 FSDD clips scores every TTS clip;
  accuracy per voice and over all of them.

Models are the names of :data:`sklearn_audiodigit.pipelines.MODELS` (built by
``make_model(name, random_state=SEED)``; ``SEED`` is 0 unless ``--random-state``
says otherwise) or the candidates of ``CANDIDATES`` below.
Networks train with ``torch.set_num_threads(1)``. The svc and embed-svc models
are fitted without their temperature calibration (the ``CalibratedClassifierCV``
around them is dropped, as :func:`sklearn_audiodigit.evaluation.evaluate` does):
their predictions are the argmax of the averaged decision values either way. With
``--cache``, each fold's predictions are kept in ``CACHE/<model>/<fold>.npz`` and reused, so an
interrupted run resumes. ``--json FILE`` writes every figure.
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

from sklearn_audiodigit.datasets import fetch_fsdd  # noqa: E402
from sklearn_audiodigit.evaluation import _prediction_model  # noqa: E402
from sklearn_audiodigit.pipelines import MODELS, make_model  # noqa: E402

# seed of every model and augmenter built here (--random-state): a second draw of a
# candidate (network weights, shuffling, the random copies) is the same run with another
SEED = 0


def _svc_before_retune():
    """The default svc as it was before the issue-16 retune: dB features, no random copy."""
    return make_model("svc", random_state=SEED).set_params(
        estimator__estimator__features__compression="db", estimator__augmenter=None
    )


def _svc_with(**feature_params):
    """The svc before the retune with other MFCC extractor parameters."""

    def build():
        return _svc_before_retune().set_params(
            **{f"estimator__estimator__features__{k}": v for k, v in feature_params.items()}
        )

    return build


def _svc_augmented(n_augment=1, **augmenter_params):
    """The svc before the retune with ``n_augment`` WaveformAugmenter copies of every clip."""

    def build():
        from sklearn_audiodigit.augmentation import WaveformAugmenter

        return _svc_before_retune().set_params(
            estimator__augmenter=WaveformAugmenter(random_state=SEED, **augmenter_params),
            estimator__n_augment=n_augment,
        )

    return build


def _pink_copies(n_augment=1, snr_range=(0.0, 20.0), **feature_params):
    """The svc before the retune plus pink-noise copies (embed-svc's lever)."""

    def build():
        from sklearn_audiodigit.augmentation import WaveformAugmenter

        noise = WaveformAugmenter(
            vtlp_range=None,
            rt60_range=None,
            band=None,
            eq_db=None,
            snr_range=snr_range,
            noise_kinds=("pink",),
            clip_range=None,
            p=1.0,
            random_state=SEED,
        )
        return _svc_with(**feature_params)().set_params(
            estimator__augmenter=noise, estimator__n_augment=n_augment
        )

    return build


def _svc_power(augment=0, exponent=1 / 15, pink=False, **augmenter_params):
    """A power-law compression (PNCC's 1/15, or ``exponent``) in place of dB.

    1/15 is ``MFCCExtractor(compression="power")``; other exponents subclass it.
    """

    def build():
        from sklearn_audiodigit import _spectral
        from sklearn_audiodigit.features import MFCCExtractor

        class PowerLawMFCC(MFCCExtractor):
            def _mel_db(self, M, valid):
                return _spectral.power_law(M, valid, exponent)

        if pink:
            model = _pink_copies(1)()
        elif augment:
            model = _svc_augmented(augment, **augmenter_params)()
        else:
            model = _svc_before_retune()
        pipeline = model.estimator.estimator
        params = {**pipeline.named_steps["features"].get_params(), "compression": "power"}
        features = MFCCExtractor(**params) if exponent == 1 / 15 else PowerLawMFCC(**params)
        pipeline.steps[1] = ("features", features)
        return model

    return build


def _cnn(power=False, augment=False):
    """The cnn without channel copies, with the power-law log-mel frames and/or one random copy."""

    def build():
        from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier, WaveformAugmenter

        model = make_model("cnn", random_state=SEED, channel_copies=False)
        if power:
            model.set_params(features__compression="power")
        if not augment:
            return model
        return SpeedPerturbedClassifier(
            model,
            factors=(1.0,),
            augmenter=WaveformAugmenter(rt60_range=None, random_state=SEED),
            n_augment=1,
            test_time=False,
        )

    return build


def _cnn_pink_room():
    """The cnn trained as embed-svc is: every clip, a pink-noise copy, a room copy.

    Measured under this name before it became the default; since 2026-12-08 it is
    what ``make_model("cnn")`` builds (``cnn``), and ``cnn-plain`` is the cnn
    without copies.
    """
    return make_model("cnn", random_state=SEED)


def _svc_now(extra_pink=False, n_augment=1, **augmenter_params):
    """The default svc (power law, speed, tilt and one random copy) with other copies.

    ``extra_pink`` adds embed-svc's pink-noise augmenter next to the random copy;
    ``augmenter_params`` change the random copy's ``WaveformAugmenter``.
    """

    def build():
        from sklearn.base import clone

        model = make_model("svc", random_state=SEED)
        augmenter = model.estimator.augmenter.set_params(**augmenter_params)
        if extra_pink:
            noise, _ = make_model("embed-svc", random_state=SEED).estimator.augmenter
            augmenter = [augmenter, clone(noise)]
        return model.set_params(estimator__augmenter=augmenter, estimator__n_augment=n_augment)

    return build


def _svc_sum():
    """The default svc with its SVC scoring classes by mean one-against-one margins."""
    from sklearn_audiodigit.svm import OneVsOneSumSVC

    return make_model("svc", random_state=SEED).set_params(
        estimator__estimator__classifier=OneVsOneSumSVC(C=10.0, random_state=SEED)
    )


def _embed_svc_votes():
    """embed-svc before its OneVsOneSumSVC: a plain SVC, labels by one-against-one votes."""
    from sklearn.svm import SVC

    return make_model("embed-svc", random_state=SEED).set_params(
        estimator__estimator__classifier=SVC(C=1.0, random_state=SEED)
    )


# Candidates of the retuning (issue 16): name -> builder of an unfitted model.
CANDIDATES = {
    "svc-sum": _svc_sum,
    "svc-now-pink": _svc_now(extra_pink=True),
    "svc-now-p05": _svc_now(p=0.5),
    "svc-now-aug2": _svc_now(n_augment=2),
    "embed-svc-votes": _embed_svc_votes,
    "cnn-pow": _cnn(power=True),
    "cnn-pow-aug1": _cnn(power=True, augment=True),
    "cnn-pinkroom": _cnn_pink_room,
    "cnn-plain": lambda: make_model("cnn", random_state=SEED, channel_copies=False),
    "svc-before-retune": _svc_before_retune,
    "svc-pow": _svc_power(0),
    "svc-pow-aug1": _svc_power(1),
    "svc-pow8-aug1": _svc_power(1, exponent=1 / 8),
    "svc-pow30-aug1": _svc_power(1, exponent=1 / 30),
    "svc-pow-pink": _svc_power(exponent=1 / 15, pink=True),
    "svc-pow-aug2": _svc_power(2),
    "svc-pow-aug1-norooms": _svc_power(1, rt60_range=None),
    "svc-topdb30": _svc_with(top_db=30.0),
    "svc-topdb45": _svc_with(top_db=45.0),
    "svc-topdb60": _svc_with(top_db=60.0),
    "svc-pink": _pink_copies(1),
    "svc-pink-topdb45": _pink_copies(1, top_db=45.0),
    "svc-cmn": _svc_with(normalize="mean"),
    "svc-cmvn": _svc_with(normalize="meanvar"),
    "svc-pcen": _svc_with(compression="pcen"),
    "svc-aug1": _svc_augmented(1),
    "svc-aug2": _svc_augmented(2),
    "svc-aug1-novtlp": _svc_augmented(1, vtlp_range=None),
    "svc-aug1-C20": lambda: _svc_augmented(1)().set_params(
        estimator__estimator__classifier__C=20.0
    ),
    "svc-cmn-aug2": lambda: _svc_augmented(2)().set_params(
        estimator__estimator__features__normalize="mean"
    ),
}


def _build(name):
    model = CANDIDATES[name]() if name in CANDIDATES else make_model(name, random_state=SEED)
    # predict is the argmax of the averaged decision values, which one temperature
    # does not change: skip the three calibration fits (same predictions, 4x faster)
    return _prediction_model(model)


def _fold(name, train, test_sets, cache):
    """Fit ``name`` on ``train`` (X, y); predictions on each of ``test_sets``."""
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}, None
    t0 = time.perf_counter()
    model = _build(name).fit(*train)
    fit_s = time.perf_counter() - t0
    preds = {k: np.asarray(model.predict(X)) for k, X in test_sets.items()}
    # scores kept for late-fusion experiments (the cache is their only copy of a fold)
    for method in ("predict_proba", "decision_function"):
        if hasattr(model, method):
            for k, X in test_sets.items():
                preds[f"{method}_{k}"] = np.asarray(getattr(model, method)(X))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **preds)
    return preds, fit_s


def evaluate(name, fsdd, bench, cache_dir=None, speakers=None):
    """Every figure of one model: LOSO, channel conditions, synthetic voices."""
    ch = bench.part == "channels"
    tts = bench.part == "tts"
    speakers = sorted(set(fsdd.speaker)) if speakers is None else speakers
    loso, cond_hits, cond_spk = {}, {}, {}
    fit_times = []
    for spk in speakers:
        train = fsdd.speaker != spk
        test_ch = ch & (bench.speaker == spk)
        cache = None if cache_dir is None else cache_dir / name / f"loso-{spk}.npz"
        preds, fit_s = _fold(
            name,
            (fsdd.data[train], fsdd.target[train]),
            {"loso": fsdd.data[~train], "channels": bench.data[test_ch]},
            cache,
        )
        if fit_s is not None:
            fit_times.append(fit_s)
        loso[spk] = float(np.mean(preds["loso"] == fsdd.target[~train]))
        hits = preds["channels"] == bench.target[test_ch]
        for c in np.unique(bench.condition[test_ch]):
            sel = bench.condition[test_ch] == c
            cond_hits.setdefault(c, []).append(hits[sel])
            cond_spk.setdefault(c, {})[spk] = float(hits[sel].mean())
        print(
            f"  {name} fold {spk}: LOSO {loso[spk]:.3f}"
            + (f" (fit {fit_s:.0f} s)" if fit_s else " (cached)"),
            flush=True,
        )
    conditions = {c: float(np.concatenate(h).mean()) for c, h in cond_hits.items()}
    channel_only = {c: a for c, a in conditions.items() if c != "clean"}
    voices = {}
    if tts.any():
        cache = None if cache_dir is None else cache_dir / name / "all-fsdd.npz"
        preds, _ = _fold(name, (fsdd.data, fsdd.target), {"tts": bench.data[tts]}, cache)
        hits = preds["tts"] == bench.target[tts]
        voices = {
            v: float(hits[bench.speaker[tts] == v].mean()) for v in np.unique(bench.speaker[tts])
        }
        tts_acc = float(hits.mean())
    else:
        tts_acc = None
    return {
        "loso": float(np.mean(list(loso.values()))),
        "loso_per_speaker": loso,
        "channels": float(np.mean(list(channel_only.values()))),
        "channels_worst": min(channel_only, key=channel_only.get),
        "conditions": conditions,
        "conditions_per_speaker": cond_spk,
        "tts": tts_acc,
        "voices": voices,
        "fit_seconds": fit_times,
    }


def _table(results, key, rows, title):
    names = list(results)
    width = max(len(r) for r in rows) + 2
    print(f"\n{title}")
    print(" " * width + "".join(f"{n:>14}" for n in names))
    for r in rows:
        cells = []
        for n in names:
            v = results[n][key].get(r)
            cells.append(f"{v:14.3f}" if v is not None else f"{'-':>14}")
        print(f"{r:<{width}}" + "".join(cells))


def _markdown(results, conditions, voices, speakers):
    """The tables of the report as Markdown (for benchmarks/README.md)."""
    names = list(results)
    head = "| | " + " | ".join(f"`{n}`" for n in names) + " |\n|---|" + "---|" * len(names)
    rows = [head]
    line = "| **channels (mean of 17)** | " + " | ".join(
        f"**{r['channels']:.3f}**" for r in results.values()
    )
    rows.append(line + " |")
    rows.append(
        "| worst channel | "
        + " | ".join(
            f"{r['channels_worst']} {r['conditions'][r['channels_worst']]:.3f}"
            for r in results.values()
        )
        + " |"
    )
    rows.append(
        "| **FSDD LOSO** | " + " | ".join(f"**{r['loso']:.3f}**" for r in results.values()) + " |"
    )
    if voices:
        rows.append(
            "| synthetic voices (apart) | "
            + " | ".join(f"{r['tts']:.3f}" for r in results.values())
            + " |"
        )
    for key, items, label in (
        ("conditions", conditions, "condition"),
        ("voices", voices, "voice"),
        ("loso_per_speaker", speakers, "LOSO"),
    ):
        for item in items:
            cells = [results[n][key].get(item) for n in names]
            rows.append(
                f"| {label} {item} | "
                + " | ".join("-" if v is None else f"{v:.3f}" for v in cells)
                + " |"
            )
    return "\n".join(rows) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", required=True, type=Path)
    parser.add_argument(
        "--models", nargs="+", default=["svc"], help=f"from {', '.join(MODELS + tuple(CANDIDATES))}"
    )
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-tts", action="store_true", help="skip the synthetic voices")
    parser.add_argument("--markdown", type=Path, default=None, help="write the tables here")
    parser.add_argument(
        "--speakers",
        nargs="+",
        default=None,
        help="held-out speakers (folds) to run; default all six (a partial run)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the models and their augmenters (a second draw; use another --cache)",
    )
    args = parser.parse_args(argv)
    global SEED
    SEED = args.random_state
    unknown = [m for m in args.models if m not in MODELS and m not in CANDIDATES]
    if unknown:
        parser.error(f"unknown models {unknown}")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    fsdd = fetch_fsdd(data_home=args.data_home, download_if_missing=False)
    parts = ("channels",) if args.no_tts else ("channels", "tts")
    bench = load_devset(args.devset, parts=parts)
    results = {}
    for name in args.models:
        t0 = time.perf_counter()
        results[name] = evaluate(name, fsdd, bench, args.cache, args.speakers)
        print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    conditions = sorted(results[args.models[0]]["conditions"], key=lambda c: (c != "clean", c))
    print("\nHeadline (real voices, unseen channel; mean of the 17 channel conditions)")
    for n, r in results.items():
        worst = r["channels_worst"]
        print(
            f"  {n:<14} channels {r['channels']:.3f}  worst {worst} "
            f"{r['conditions'][worst]:.3f}  | FSDD LOSO {r['loso']:.3f}"
            + (f"  | synthetic voices {r['tts']:.3f}" if r["tts"] is not None else "")
        )
    _table(results, "conditions", conditions, "Accuracy per condition (6 held-out speakers)")
    if not args.no_tts:
        voices = sorted(results[args.models[0]]["voices"])
        _table(results, "voices", voices, "Synthetic voices (trained on all of FSDD), apart")
    speakers = sorted(set(fsdd.speaker)) if args.speakers is None else args.speakers
    _table(results, "loso_per_speaker", speakers, "FSDD LOSO per speaker")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.markdown:
        voices = [] if args.no_tts else sorted(results[args.models[0]]["voices"])
        args.markdown.write_text(_markdown(results, conditions, voices, speakers))
    return 0


if __name__ == "__main__":
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    sys.exit(main())
