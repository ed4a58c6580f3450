"""The ``audiodigit`` command line: evaluate, train, predict, transcribe and info.

A thin :mod:`argparse` layer over the public API.

Exit status:

- 0: success.
- 1: the work failed: bad data (a missing, unreadable, empty, too long or
  non-audio file, a folder without recordings), a model file that cannot be
  read or is not trusted, or, for ``predict`` and ``transcribe``, any file that
  could not be read (the others are still done and printed). A clip with no
  speech (``predict``) or a recording with no digit (``transcribe``) is a
  result, not a failure.
- 2: a command-line usage error (unknown command or option, a bad value such as
  ``--top-k 0`` or ``--max-duration -1``).
- 130: interrupted (Ctrl-C).

User errors print one ``audiodigit: error: ...`` line on stderr (for ``predict``
and ``transcribe``, one per bad file), never a Python traceback.

``predict`` reports a clip without speech (silence, near-silence, steady noise;
:func:`~sklearn_audiodigit.segmentation.detect_speech`) as ``no speech`` instead
of a label; its JSON record has ``"no_speech": true`` and null label and
confidence.

``predict`` reads every file at the sampling rate recorded in the model file
(resampling with soxr and mixing to mono), so recordings of any rate work; a
model file that records no rate needs ``--sr``, and ``--sr`` that disagrees with
the recorded rate is an error.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._config import DEFAULT_SR, MODELS
from .exceptions import AudioDigitError, AudioValueError

__all__ = ["main"]


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
    g.add_argument(
        "--on-error",
        choices=("raise", "warn", "skip"),
        default="warn",
        help="with --data: a hidden, non-audio, misnamed or unreadable file stops the run "
        "(raise), is listed on stderr and left out (warn, default), or left out (skip)",
    )
    g.add_argument("--sr", type=int, default=DEFAULT_SR, help="sampling rate in Hz (8000)")


def _add_model_options(p):
    g = p.add_argument_group("model")
    g.add_argument(
        "--model",
        choices=MODELS,
        default=None,
        help="model (default: embed-svc where the [embedding] extra and its model files are "
        "installed, else svc)",
    )
    g.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    g.add_argument(
        "--device",
        default="cpu",
        help="torch device for the networks: cpu (default) or cuda",
    )
    g.add_argument(
        "--precision",
        choices=("float32", "bfloat16"),
        default="float32",
        help="networks only: arithmetic of the training forward passes; bfloat16 is "
        "mixed precision, faster on CUDA and on CPUs with AVX512-BF16 or AMX "
        "(default: float32)",
    )
    g.add_argument(
        "--max-epochs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="networks only: training epochs of each network, over which the "
        "learning-rate schedule runs (default: the network's own: mlp 60, cnn 20, "
        "rnn and resnet 30)",
    )
    g.add_argument(
        "--channel-copies",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="networks only: also train on a pink-noise copy and a reverberant copy of "
        "every clip, for about three times the training time (default: on for cnn, off "
        "for mlp, rnn and resnet)",
    )
    g.add_argument(
        "--n-estimators",
        type=_positive_int,
        default=1,
        metavar="N",
        help="networks only: average N copies of the network trained from different "
        "seeds (SeedEnsembleClassifier), for N times the cost (default: 1, one network)",
    )


def _add_file_command_options(p, *, max_duration):
    """[MODEL] FILE_OR_DIR... and the options of the commands that read audio files."""
    p.add_argument(
        "files",
        metavar="FILE_OR_DIR",
        nargs="+",
        help="a model file written by 'audiodigit train' (optional: without one, the "
        "bundled pretrained model is used), then audio files or folders of them. The first "
        "argument is audio when it is a folder, or a file with an audio extension (.wav, "
        ".flac, ...) whose content is not a model file (a zip or a pickle); otherwise it is "
        "the model file",
    )
    p.add_argument(
        "--pretrained",
        choices=("embed-svc", "svc"),
        default=None,
        help="the bundled model to use when no model file is given (default: embed-svc "
        "where the [embedding] extra and its model files are installed, else svc)",
    )
    p.add_argument("--json", action="store_true", help="one JSON record per line")
    p.add_argument(
        "--trust",
        action="store_true",
        help="allow a joblib/pickle model file; loading it runs any code it contains",
    )
    p.add_argument(
        "--sr",
        type=_positive_int,
        default=None,
        metavar="HZ",
        help="sampling rate the model expects, for a model file that does not record it "
        "(default: the rate recorded in the model file)",
    )
    p.add_argument(
        "--max-duration",
        type=_positive_float,
        default=max_duration,
        metavar="SECONDS",
        help=f"reject longer recordings (default: {max_duration:g})",
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
    ev.add_argument(
        "--model-file",
        metavar="MODEL",
        help="score this saved model on the data (--data DIR, or --test-data DIR) instead "
        "of cross-validating: accuracy, macro-F1, per-speaker accuracy, confusion matrix",
    )
    ev.add_argument(
        "--test-data",
        metavar="DIR",
        help="cross-corpus: train --model on --dataset/--data and test on this folder "
        "(layouts as --data); with --model-file, the folder to score",
    )
    ev.add_argument(
        "--trust",
        action="store_true",
        help="with --model-file: allow a joblib/pickle model file (loading it runs code)",
    )
    ev.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="folds fitted in N parallel processes (default: 1; svc and embed-svc reuse "
        "each training copy's features across the folds of one process, which measured "
        "faster than 2 processes on 2 cores)",
    )
    ev.add_argument("--out", metavar="DIR", help="write metrics.json and PNG figures here")
    ev.add_argument("--json", action="store_true", help="print the report as one JSON object")
    ev.add_argument("--quiet", action="store_true", help="no progress bars")

    tr = sub.add_parser("train", help="fit a model on all the data and save it")
    _add_data_options(tr)
    _add_model_options(tr)
    tr.add_argument("--output", "-o", metavar="PATH", required=True, help="model file to write")
    tr.add_argument(
        "--format",
        choices=("safe", "joblib"),
        default="safe",
        help="safe (default): a zip of JSON, skops and safetensors that cannot run code "
        "when loaded; joblib: a pickle, loadable only with --trust",
    )
    tr.add_argument("--quiet", action="store_true", help="no progress bars")

    pr = sub.add_parser(
        "predict",
        help="predict the label of audio files",
        usage="audiodigit predict [options] [MODEL] FILE_OR_DIR [FILE_OR_DIR ...]",
        description="Predict the label of each audio file (any format and sampling rate "
        "that libsndfile reads: WAV of any bit depth, FLAC, OGG, ...; resampled to the "
        "model's rate and mixed to mono). Folders are searched recursively for audio "
        "files. A clip without speech (silence, near-silence, steady noise) prints 'no "
        'speech\' (JSON: "no_speech": true). A file that cannot be read gets an error '
        "record and the others are still predicted; the exit status is 1 if any file failed.",
    )
    _add_file_command_options(pr, max_duration=60.0)
    pr.add_argument(
        "--top-k",
        type=_positive_int,
        metavar="K",
        help="also list the K most probable labels of each file (record field 'top_k')",
    )

    tc = sub.add_parser(
        "transcribe",
        help="read the digit string (PIN, phone number) in recordings",
        usage="audiodigit transcribe [options] [MODEL] FILE_OR_DIR [FILE_OR_DIR ...]",
        description="Cut each recording into words at its pauses and read every word with "
        "a digit model: 'file: 4155550199'. Files are read as by 'predict' (any format and "
        "rate, mixed to mono). A recording without digits prints 'no digits found' (exit "
        "status 0); a file that cannot be read gets an error record and the others are "
        "still transcribed; the exit status is 1 if any file failed.",
    )
    _add_file_command_options(tc, max_duration=120.0)
    tc.add_argument(
        "--n-digits",
        type=_positive_int,
        metavar="N",
        help="the recordings hold exactly N digits (a PIN: 4): the longest words are split "
        "and the least confident dropped to get there",
    )
    tc.add_argument(
        "--max-digits",
        type=_positive_int,
        metavar="N",
        help="keep at most N digits, the most confident",
    )
    tc.add_argument(
        "--reject-threshold",
        type=_probability,
        default=0.2,
        metavar="P",
        help="drop words read with a confidence below P as not a digit (an 'um'); "
        "0 keeps every word (default: 0.2)",
    )
    tc.add_argument(
        "--min-voiced",
        type=_non_negative_seconds,
        default=0.02,
        metavar="SECONDS",
        help="drop words with less voiced (periodic) sound than this as not a digit (a cough, "
        "a click): every digit holds a vowel; 0 turns the check off (default: 0.02)",
    )
    tc.add_argument(
        "--segmentation",
        choices=("energy", "lattice"),
        default="energy",
        help="how words are found: 'energy' cuts at pauses (default); 'lattice', for digits "
        "spoken without pauses, tries every split at energy valleys and keeps the one the "
        "model and a word-length prior score best (slower)",
    )

    inf = sub.add_parser(
        "info",
        help="show what a model file records, or a bundled model's card",
        description="Show what a model file records. Without MODEL (or with --pretrained "
        "NAME), show the card of a bundled pretrained model: training data and its licence, "
        "measured accuracies, versions, and the speech-embedding licence.",
    )
    inf.add_argument(
        "model", metavar="MODEL", nargs="?", help="model file written by 'audiodigit train'"
    )
    inf.add_argument(
        "--pretrained",
        choices=("embed-svc", "svc"),
        default=None,
        help="show this bundled model's card (default without MODEL: the one predict uses)",
    )
    inf.add_argument("--json", action="store_true", help="print the record as one JSON object")
    inf.add_argument(
        "--trust",
        action="store_true",
        help="allow a joblib/pickle model file; reading it runs any code it contains",
    )
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _number(text):
    """``float(text)``, or NaN (which every range check below refuses) if it is none."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _positive_float(text):
    value = _number(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _probability(text):
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def _non_negative_seconds(text):
    value = _number(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected non-negative seconds, got {text!r}")
    return value


def _progress_enabled(args):
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _load_data(args):
    """Load the data set named by the options: (bunch, description)."""
    from .datasets import fetch_fsdd, load_audio_folder, load_fsdd_sample

    verbose = _progress_enabled(args)
    if args.data:
        policy = "raise" if args.on_error == "raise" else "skip"
        bunch = load_audio_folder(
            args.data, pattern="fsdd", sr=args.sr, on_error=policy, verbose=verbose
        )
        if bunch.skipped and args.on_error == "warn":
            print(
                f"audiodigit: warning: skipped {len(bunch.skipped)} file(s) in {args.data}:",
                file=sys.stderr,
            )
            for name, reason in bunch.skipped:
                print(f"  {name}: {reason}", file=sys.stderr)
        return bunch, f"folder {args.data}"
    if args.dataset == "fsdd":
        bunch = fetch_fsdd(data_home=args.data_home, sr=args.sr, verbose=verbose)
        return bunch, "FSDD (full)"
    return load_fsdd_sample(sr=args.sr), "FSDD sample (bundled)"


def _targets(args, bunch):
    if args.target == "speaker":
        return np.asarray(bunch.speaker), np.asarray(bunch.take)
    return np.asarray(bunch.target), np.asarray(bunch.speaker)


def _check_model_options(parser, args):
    """Refuse combinations of model options that argparse cannot see (exit status 2)."""
    from .pipelines import NEURAL_MODELS

    if args.model in NEURAL_MODELS:
        return
    network_only = [
        ("--n-estimators", args.n_estimators > 1, f"{args.n_estimators} copies need"),
        ("--precision", args.precision != "float32", f"{args.precision} needs"),
        ("--max-epochs", args.max_epochs is not None, f"{args.max_epochs} epochs need"),
        ("--channel-copies", args.channel_copies is not None, "channel copies need"),
    ]
    for option, given, what in network_only:
        if given:
            parser.error(
                f"argument {option}: {what} a network model "
                f"(--model {', '.join(NEURAL_MODELS)}); --model {args.model} is not one"
            )


def _embedding_note():
    """One line saying how to get the speech-embedding model, for when it is missing."""
    from .embeddings import HOW_TO_GET

    return (
        "audiodigit: note: using the MFCC svc; for embed-svc, far more accurate on voices "
        f"and microphones unlike FSDD's: {HOW_TO_GET}"
    )


def _default_model():
    """``"embed-svc"`` where the embedding extra and its files are available, else ``"svc"``."""
    from .embeddings import speech_embedding_available

    return "embed-svc" if speech_embedding_available() else "svc"


def _resolve_model(args):
    """Fill in the default ``--model``, saying in one line how to get the better one."""
    if getattr(args, "model", "svc") is not None:
        return
    args.model = _default_model()
    # said once the command has succeeded, after its output (never among error lines)
    args.embedding_note = args.model == "svc"


def _make_model(args):
    from .pipelines import NEURAL_MODELS, make_model

    params = {}
    if args.model in NEURAL_MODELS:
        params = {"device": args.device, "precision": args.precision}
        if args.max_epochs is not None:
            params["max_epochs"] = args.max_epochs
        params["channel_copies"] = args.channel_copies
    model = make_model(args.model, sr=args.sr, random_state=args.random_state, **params)
    if args.n_estimators > 1:
        from .nn import SeedEnsembleClassifier

        # same step name, so that fit parameters such as net__groups reach every copy
        pipeline = _network_pipeline(model)
        name, net = pipeline.steps[-1]
        ensemble = SeedEnsembleClassifier(
            net, n_estimators=args.n_estimators, random_state=args.random_state
        )
        pipeline.set_params(**{name: ensemble})
    return model


def _network_pipeline(model):
    """The network's Pipeline: ``model`` itself, or inside the wrapper of its channel copies."""
    from sklearn.pipeline import Pipeline

    return model if isinstance(model, Pipeline) else model.estimator


def _model_label(args):
    """``cnn``, or ``cnn x 3`` for an ensemble of three."""
    return args.model if args.n_estimators == 1 else f"{args.model} x {args.n_estimators}"


def _groups_fit_param(args, model):
    """Name of the fit parameter that receives the training clips' groups, if any."""
    from .pipelines import NEURAL_MODELS

    if args.model in NEURAL_MODELS:
        # the wrapper of the channel copies passes it on, repeated for every copy
        return f"{_network_pipeline(model).steps[-1][0]}__groups"
    return None


def _emit_report(args, out, report, title):
    from .reporting import format_report, save_report

    if args.out:
        paths = save_report(report, args.out)
        if not args.json:
            print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    if args.json:
        out.write(json.dumps(report.to_dict()) + "\n")
    else:
        out.write(format_report(report, title=title) + "\n")
    return 0


def _load_test_data(args, sr):
    """The --test-data folder (or --data/--dataset) read at ``sr``: (bunch, description)."""
    test_args = argparse.Namespace(**vars(args))
    test_args.sr = sr
    if args.test_data:
        test_args.data = args.test_data
    return _load_data(test_args)


def _cmd_score(args, out):
    """evaluate --model-file: score a saved model on a labelled folder."""
    from .evaluation import score_model

    model, meta = _load_model_file(args.model_file, trust=args.trust)
    sr = int(meta.get("sr") or args.sr)
    bunch, data_desc = _load_test_data(args, sr)
    y, _ = _targets(args, bunch)
    report = score_model(
        model, bunch.data, y, groups=bunch.speaker, description=f"saved model on {data_desc}"
    )
    name = meta.get("model_name") or Path(args.model_file).name
    report.extra.update(
        {"model_file": str(args.model_file), "model": name, "dataset": data_desc, "sr": sr}
    )
    return _emit_report(args, out, report, f"{name} ({args.model_file}) on {data_desc}")


def _cmd_cross_corpus(args, out):
    """evaluate --test-data: train on one corpus, test on another."""
    from .evaluation import evaluate_cross_corpus

    train, train_desc = _load_data(args)
    test, test_desc = _load_test_data(args, args.sr)
    y_train, fit_groups = _targets(args, train)
    y_test, _ = _targets(args, test)
    model = _make_model(args)
    name = _groups_fit_param(args, model)
    report = evaluate_cross_corpus(
        model,
        train.data,
        y_train,
        test.data,
        y_test,
        test_groups=test.speaker,
        fit_params=None if name is None else {name: fit_groups},
        description=f"trained on {train_desc}, tested on {test_desc}",
    )
    report.extra.update(
        {"model": args.model, "train": train_desc, "test": test_desc, "sr": args.sr}
    )
    title = f"{_model_label(args)}: trained on {train_desc}, tested on {test_desc}"
    return _emit_report(args, out, report, title)


def _cmd_evaluate(args, out):
    from .evaluation import evaluate, make_cv

    if args.model_file:
        return _cmd_score(args, out)
    _resolve_model(args)
    if args.test_data:
        return _cmd_cross_corpus(args, out)
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
    if args.n_estimators > 1:
        meta["n_estimators"] = args.n_estimators
    report.extra.update(meta)
    return _emit_report(
        args, out, report, f"{_model_label(args)} on {data_desc}, target={args.target}"
    )


def _cmd_train(args, out):
    from .persistence import describe_training_data, save_model

    _resolve_model(args)
    bunch, data_desc = _load_data(args)
    y, fit_groups = _targets(args, bunch)
    model = _make_model(args)
    name = _groups_fit_param(args, model)
    fit_params = {} if name is None else {name: fit_groups}
    model.fit(bunch.data, y, **fit_params)
    metadata = {
        "model_name": args.model,
        **({"n_estimators": args.n_estimators} if args.n_estimators > 1 else {}),
        "target": args.target,
        "sr": args.sr,
        "training_data": describe_training_data(
            y, groups=bunch.speaker, name=data_desc, sr=args.sr
        ),
    }
    path = Path(args.output)
    save_model(model, path, metadata=metadata, format=args.format)
    out.write(
        f"trained {_model_label(args)} on {len(y)} clips of {data_desc}; saved to {path} "
        f"({args.format} format)\n"
    )
    return 0


def _load_model_file(path, *, trust):
    """Load a model file; warnings raised while loading go to stderr as one line each."""
    from .persistence import load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model, meta = load_model(path, trust=trust, return_metadata=True)
    for w in caught:
        if issubclass(w.category, (UserWarning, RuntimeWarning)):
            print(f"audiodigit: warning: {w.message}", file=sys.stderr)
    return model, meta


def _expand_inputs(items):
    """Files as given, and the audio files inside folders (recursive, sorted, not hidden)."""
    from .io import AUDIO_SUFFIXES

    for item in items:
        p = Path(item)
        if not p.is_dir():
            yield str(item), None
            continue
        found = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and f.suffix.lower() in AUDIO_SUFFIXES
            and not any(part.startswith(".") for part in f.relative_to(p).parts)
        )
        if not found:
            yield str(item), f"{p}: folder holds no audio file"
        for f in found:
            yield str(f), None


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _predict_batch(model, waves):
    """(labels, probabilities or None) for a list of waveforms."""
    X = np.empty(len(waves), dtype=object)
    X[:] = waves
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X), dtype=np.float64)
        return np.asarray(model.classes_)[proba.argmax(axis=1)], proba
    return np.asarray(model.predict(X)), None


def _is_audio_argument(item):
    """Whether the first ``predict`` argument is audio rather than a model file.

    A folder, or a file with an audio extension whose first bytes are not those
    of a model file (a zip: the safe format; a pickle: joblib). Anything else,
    a missing ``.model``/``.joblib`` path included, is taken for a model file.
    """
    from .io import AUDIO_SUFFIXES
    from .persistence._format import _PICKLE_MAGIC

    p = Path(item)
    if p.is_dir():
        return True
    if p.suffix.lower() not in AUDIO_SUFFIXES:
        return False
    try:
        with open(p, "rb") as f:
            head = f.read(8)
    except OSError:
        return True  # a missing or unreadable audio file: reported as such
    return not (head.startswith((b"PK\x03\x04", b"PK\x05\x06")) or head.startswith(_PICKLE_MAGIC))


def _load_predict_model(args):
    """(model, metadata, label) from the first argument, or the bundled model."""
    if not _is_audio_argument(args.files[0]):
        if args.pretrained:
            raise _UsageError("give either a model file or --pretrained, not both")
        args.model, args.files = args.files[0], args.files[1:]
        if not args.files:
            raise _UsageError(f"no audio file given after the model file {args.model}")
        model, meta = _load_model_file(args.model, trust=args.trust)
        return model, meta, args.model
    from .pretrained import default_pretrained, load_pretrained

    name = args.pretrained or default_pretrained()
    args.embedding_note = name == "svc" and args.pretrained is None
    model, meta = load_pretrained(name, return_metadata=True)
    return model, meta, f"the bundled {name} model"


def _load_model_and_rate(args):
    """The model (the file given, or the bundled one) and the sampling rate it expects, in Hz."""
    model, meta, source = _load_predict_model(args)
    sr = meta.get("sr")
    if sr and args.sr and int(sr) != args.sr:
        raise AudioValueError(
            f"{source}: the model was trained on {sr} Hz clips, but --sr {args.sr} was "
            "given; leave --sr out (files are resampled to the model's rate)"
        )
    sr = sr or args.sr
    if not sr:
        raise AudioValueError(
            f"{source}: the model file records no sampling rate; pass --sr HZ, the rate "
            f"of the clips it was trained on (the library's default is {DEFAULT_SR})"
        )
    return model, int(sr)


def _cmd_predict(args, out):
    from .io import read_audio

    model, sr = _load_model_and_rate(args)
    records, waves, good = [], [], []
    for f, problem in _expand_inputs(args.files):
        if problem is not None:
            records.append({"file": f, "error": problem})
            continue
        try:
            y, _ = read_audio(f, sr=sr, max_duration=args.max_duration)
        except (AudioDigitError, OSError, ValueError) as err:
            records.append({"file": f, "error": str(err)})
            continue
        records.append({"file": f})
        waves.append(y)
        good.append(len(records) - 1)

    from .segmentation import detect_speech

    results = {}
    if waves:
        speech = detect_speech(waves, sr=sr)
        for j, i in enumerate(good):
            records[i]["no_speech"] = not speech[j]
        good = [i for j, i in enumerate(good) if speech[j]]
        waves = [w for j, w in enumerate(waves) if speech[j]]
    if waves:
        try:
            labels, proba = _predict_batch(model, waves)
            results = {
                i: (labels[j], None if proba is None else proba[j]) for j, i in enumerate(good)
            }
        except (ValueError, RuntimeError):  # find the file(s) the model rejects
            for j, i in enumerate(good):
                try:
                    labels, proba = _predict_batch(model, [waves[j]])
                    results[i] = (labels[0], None if proba is None else proba[0])
                except (ValueError, RuntimeError) as err:
                    records[i]["error"] = f"{records[i]['file']}: the model failed ({err})"
    classes = np.asarray(getattr(model, "classes_", []))
    for i, (label, proba) in results.items():
        record = records[i]
        record["label"] = _plain(label)
        record["confidence"] = None if proba is None else float(proba.max())
        if args.top_k:
            if proba is None:
                record["top_k"] = None
            else:
                order = np.argsort(-proba, kind="stable")[: args.top_k]
                record["top_k"] = [
                    {"label": _plain(classes[k]), "probability": float(proba[k])} for k in order
                ]

    for record in records:
        if record.get("no_speech"):
            record.update(label=None, confidence=None)
            if args.top_k:
                record["top_k"] = []

    failed = 0
    for record in records:
        if "error" in record:
            failed += 1
            record = {"file": record["file"], "error": record["error"]}
        if args.json:
            out.write(json.dumps(record) + "\n")
        elif "error" in record:
            print(f"audiodigit: error: {record['error']}", file=sys.stderr)
        elif record["no_speech"]:
            out.write(f"{record['file']}\tno speech\n")
        else:
            conf = "" if record["confidence"] is None else f"\t{record['confidence']:.3f}"
            top = ""
            if record.get("top_k"):
                top = "\t" + " ".join(
                    f"{t['label']}={t['probability']:.3f}" for t in record["top_k"]
                )
            out.write(f"{record['file']}\t{record['label']}{conf}{top}\n")
    return 1 if failed else 0


def _cmd_transcribe(args, out):
    from .io import read_audio
    from .transcription import DigitStringTranscriber

    model, sr = _load_model_and_rate(args)
    transcriber = DigitStringTranscriber(
        model,
        sr=sr,
        n_digits=args.n_digits,
        max_digits=args.max_digits,
        reject_threshold=args.reject_threshold,
        min_voiced=args.min_voiced,
        segmentation=args.segmentation,
    )
    failed = 0
    for f, problem in _expand_inputs(args.files):
        record = {"file": f}
        if problem is None:
            try:
                y, _ = read_audio(f, sr=sr, max_duration=args.max_duration)
                record.update(transcriber.transcribe(y).to_dict())
            except (AudioDigitError, OSError, ValueError) as err:
                problem = str(err) if f in str(err) else f"{f}: {err}"
            except RuntimeError as err:  # a network's forward pass
                problem = f"{f}: the model failed ({err})"
        if problem is not None:
            failed += 1
            record = {"file": f, "error": problem}
        if args.json:
            out.write(json.dumps(record) + "\n")
        elif problem is not None:
            print(f"audiodigit: error: {problem}", file=sys.stderr)
        else:
            out.write(f"{f}: {record['digits'] or 'no digits found'}\n")
        out.flush()
    return 1 if failed else 0


def _format_card(card):
    """A bundled model's card as text."""
    from .embeddings import EMBEDDING_LICENSE

    lines = [f"pretrained model: {card['name']} ({card.get('file')})"]
    if card.get("description"):
        lines.append(f"description:    {card['description']}")
    data = card.get("training_data") or {}
    if data:
        lines.append(
            f"training data:  {data.get('dataset')}, {data.get('n_clips')} clips, "
            f"{data.get('n_speakers')} speakers"
        )
        if data.get("licence"):
            lines.append(f"data licence:   {data['licence']}")
    for label, figure in (card.get("accuracy") or {}).items():
        lines.append(f"accuracy:       {figure} ({label})")
    if card.get("built_with"):
        lines.append(f"built with:     {card['built_with']}")
    versions = card.get("versions") or {}
    if versions:
        lines.append("versions:       " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    if card.get("needs"):
        lines.append(f"needs:          {card['needs']}")
    if card["name"].startswith("embed"):
        lines.append(f"embedding:      {EMBEDDING_LICENSE}")
    return "\n".join(lines)


def _cmd_info(args, out):
    from .persistence import read_model_metadata
    from .persistence._metadata import format_info

    if args.model is None or args.pretrained:
        if args.model is not None:
            raise _UsageError("give either a model file or --pretrained, not both")
        from .pretrained import pretrained_card

        card = pretrained_card(args.pretrained)
        if args.json:
            out.write(json.dumps(card, default=str) + "\n")
        else:
            out.write(_format_card(card) + "\n")
        return 0
    meta = read_model_metadata(args.model, trust=args.trust)
    if args.json:
        out.write(json.dumps(meta, default=str) + "\n")
    else:
        out.write(format_info(args.model, meta) + "\n")
        if "SpeechEmbeddingExtractor" in json.dumps(meta.get("feature_settings"), default=str):
            from .embeddings import EMBEDDING_LICENSE

            out.write(f"embedding:      {EMBEDDING_LICENSE}\n")
    return 0


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
        if args.command == "evaluate" and args.model_file and args.model:
            parser.error("argument --model-file: scores a saved model; --model is not used")
        if args.command in ("evaluate", "train") and not getattr(args, "model_file", None):
            _resolve_model(args)
            _check_model_options(parser, args)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    commands = {
        "evaluate": _cmd_evaluate,
        "train": _cmd_train,
        "predict": _cmd_predict,
        "transcribe": _cmd_transcribe,
        "info": _cmd_info,
    }
    try:
        status = commands[args.command](args, sys.stdout)
        if status == 0 and getattr(args, "embedding_note", False):
            print(_embedding_note(), file=sys.stderr)
        return status
    except _UsageError as err:
        parser.print_usage(sys.stderr)
        print(f"audiodigit: error: {err}", file=sys.stderr)
        return 2
    except (AudioDigitError, OSError, ValueError, ImportError) as err:
        print(f"audiodigit: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("audiodigit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
