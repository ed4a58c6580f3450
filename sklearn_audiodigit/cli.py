"""The ``audiodigit`` command line: evaluate, train and predict.

A thin :mod:`argparse` layer over the public API. Exit status: 0 on success,
1 when the work failed (bad data, a model file that cannot be read, or, for
``predict``, any file that could not be predicted), 2 for a command-line usage
error. User errors print one ``audiodigit: error: ...`` line, never a traceback.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._config import DEFAULT_SR
from .exceptions import AudioDigitError

__all__ = ["main"]

_MODEL_FORMAT = "sklearn-audiodigit-joblib-1"


class _UsageError(Exception):
    """A command-line usage error (exit status 2)."""


def _add_data_options(p):
    g = p.add_argument_group("data")
    g.add_argument(
        "--dataset",
        choices=("sample", "fsdd"),
        default="sample",
        help="bundled 300-clip FSDD sample (default) or the full FSDD (3,000 clips)",
    )
    g.add_argument(
        "--data-home",
        metavar="DIR",
        help="where fetch_fsdd looks for / downloads FSDD (default: $AUDIODIGIT_DATA "
        "or ~/audiodigit_data)",
    )
    g.add_argument(
        "--data",
        metavar="DIR",
        help="any folder of {digit}_{speaker}_{take}.wav recordings (overrides --dataset)",
    )
    g.add_argument(
        "--target",
        choices=("digit", "speaker"),
        default="digit",
        help="what to predict (default: digit)",
    )
    g.add_argument("--sr", type=int, default=DEFAULT_SR, help="sampling rate in Hz (8000)")


def _add_model_options(p):
    from .pipelines import MODELS

    g = p.add_argument_group("model")
    g.add_argument("--model", choices=MODELS, default="svc", help="model (default: svc)")
    g.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    g.add_argument(
        "--device",
        default="cpu",
        help="torch device for the networks: cpu (default) or cuda",
    )


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="audiodigit",
        description="Spoken-digit recognition with scikit-learn: speaker-independent "
        "evaluation, training and prediction from WAV files.",
        epilog="Exit status: 0 success, 1 failure (message on stderr), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ev = sub.add_parser(
        "evaluate",
        help="cross-validate a model (speaker-independent by default) and report",
        description="Cross-validate a model and print per-fold and mean +- std accuracy "
        "and macro-F1, the classification report and the confusion matrix.",
    )
    _add_data_options(ev)
    _add_model_options(ev)
    ev.add_argument(
        "--cv",
        choices=("speaker", "random", "official"),
        default="speaker",
        help="speaker: leave one speaker out (default, honest); random and official "
        "(takes 0-4 test) let speakers leak between train and test",
    )
    ev.add_argument("--n-jobs", type=int, default=None, help="folds fitted in parallel")
    ev.add_argument("--out", metavar="DIR", help="write metrics.json and PNG figures here")
    ev.add_argument("--json", action="store_true", help="print the report as one JSON object")
    ev.add_argument("--quiet", action="store_true", help="no progress bars")

    tr = sub.add_parser("train", help="fit a model on all the data and save it")
    _add_data_options(tr)
    _add_model_options(tr)
    tr.add_argument("--output", "-o", metavar="PATH", required=True, help="model file to write")
    tr.add_argument("--quiet", action="store_true", help="no progress bars")

    pr = sub.add_parser("predict", help="predict the label of audio files")
    pr.add_argument("model", metavar="MODEL", help="model file written by 'audiodigit train'")
    pr.add_argument("files", metavar="FILE", nargs="+", help="audio files")
    pr.add_argument("--json", action="store_true", help="one JSON record per line")
    return parser


def _progress_enabled(args):
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _load_data(args):
    """Load the data set named by the options: (bunch, description)."""
    from .datasets import fetch_fsdd, load_audio_folder, load_fsdd_sample

    verbose = _progress_enabled(args)
    if args.data:
        bunch = load_audio_folder(args.data, pattern="fsdd", sr=args.sr, verbose=verbose)
        return bunch, f"folder {args.data}"
    if args.dataset == "fsdd":
        bunch = fetch_fsdd(data_home=args.data_home, sr=args.sr, verbose=verbose)
        return bunch, "FSDD (full)"
    return load_fsdd_sample(sr=args.sr), "FSDD sample (bundled)"


def _targets(args, bunch):
    if args.target == "speaker":
        return np.asarray(bunch.speaker), np.asarray(bunch.take)
    return np.asarray(bunch.target), np.asarray(bunch.speaker)


def _make_model(args):
    from .pipelines import NEURAL_MODELS, make_model

    params = {"device": args.device} if args.model in NEURAL_MODELS else {}
    return make_model(args.model, sr=args.sr, random_state=args.random_state, **params)


def _groups_fit_param(args, model):
    """Name of the fit parameter that receives the training clips' groups, if any."""
    from .pipelines import NEURAL_MODELS

    if args.model in NEURAL_MODELS:
        return f"{model.steps[-1][0]}__groups"
    return None


def _cmd_evaluate(args, out):
    from .evaluation import evaluate, make_cv
    from .reporting import format_report, save_report

    bunch, data_desc = _load_data(args)
    y, fit_groups = _targets(args, bunch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv, groups, cv_desc = make_cv(
            args.cv, speaker=bunch.speaker, take=bunch.take, target=args.target
        )
    for w in caught:
        print(f"audiodigit: warning: {w.message}", file=sys.stderr)
    model = _make_model(args)
    name = _groups_fit_param(args, model)
    report = evaluate(
        model,
        bunch.data,
        y,
        cv=cv,
        groups=groups,
        n_jobs=args.n_jobs,
        fit_groups=None if name is None else (name, fit_groups),
        progress=_progress_enabled(args),
        description=cv_desc,
    )
    meta = {"model": args.model, "dataset": data_desc, "target": args.target, "sr": args.sr}
    report.extra.update(meta)
    if args.out:
        paths = save_report(report, args.out)
        if not args.json:
            print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    if args.json:
        out.write(json.dumps(report.to_dict()) + "\n")
    else:
        title = f"{args.model} on {data_desc}, target={args.target}"
        out.write(format_report(report, title=title) + "\n")
    return 0


def _cmd_train(args, out):
    import joblib

    bunch, data_desc = _load_data(args)
    y, fit_groups = _targets(args, bunch)
    model = _make_model(args)
    name = _groups_fit_param(args, model)
    fit_params = {} if name is None else {name: fit_groups}
    model.fit(bunch.data, y, **fit_params)
    payload = {
        "format": _MODEL_FORMAT,
        "library_version": __version__,
        "model_name": args.model,
        "target": args.target,
        "sr": args.sr,
        "classes": [v.item() if isinstance(v, np.generic) else v for v in np.unique(y)],
        "training_data": {"dataset": data_desc, "n_clips": int(len(y))},
        "model": model,
    }
    path = Path(args.output)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    joblib.dump(payload, path)
    out.write(f"trained {args.model} on {len(y)} clips of {data_desc}; saved to {path}\n")
    return 0


def _load_model_file(path):
    import joblib

    p = Path(path)
    if not p.is_file():
        raise AudioDigitError(f"{p}: model file not found")
    try:
        payload = joblib.load(p)
    except Exception as err:
        raise AudioDigitError(
            f"{p}: not a model file written by 'audiodigit train' ({err})"
        ) from err
    if not isinstance(payload, dict) or payload.get("format") != _MODEL_FORMAT:
        raise AudioDigitError(f"{p}: not a model file written by 'audiodigit train'")
    return payload


def _cmd_predict(args, out):
    from .io import read_audio

    payload = _load_model_file(args.model)
    model, sr = payload["model"], payload["sr"]
    failed = 0
    for f in args.files:
        try:
            y, _ = read_audio(f, sr=sr)
            X = np.empty(1, dtype=object)
            X[0] = y
            proba = model.predict_proba(X)[0] if hasattr(model, "predict_proba") else None
            if proba is not None:
                classes = model.classes_
                k = int(np.argmax(proba))
                label, conf = classes[k], float(proba[k])
            else:
                label, conf = model.predict(X)[0], None
            label = label.item() if isinstance(label, np.generic) else label
            record = {"file": str(f), "label": label, "confidence": conf}
        except (AudioDigitError, OSError, ValueError) as err:
            failed += 1
            record = {"file": str(f), "error": str(err)}
        if args.json:
            out.write(json.dumps(record) + "\n")
        elif "error" in record:
            print(f"audiodigit: error: {record['error']}", file=sys.stderr)
        else:
            conf = "" if record["confidence"] is None else f"\t{record['confidence']:.3f}"
            out.write(f"{record['file']}\t{record['label']}{conf}\n")
    return 1 if failed else 0


def main(argv=None):
    """Run the ``audiodigit`` command.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 on failure, 2 on a usage error.
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    commands = {"evaluate": _cmd_evaluate, "train": _cmd_train, "predict": _cmd_predict}
    try:
        return commands[args.command](args, sys.stdout)
    except (AudioDigitError, OSError, ValueError, ImportError) as err:
        print(f"audiodigit: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("audiodigit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
