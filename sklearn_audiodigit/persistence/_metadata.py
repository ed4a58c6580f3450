"""What a model file records about its model, and how that record is shown.

The metadata is plain JSON: versions of the libraries, the estimator in a few
words, the sampling rate, the classes, each step's parameters, the training data
(:func:`describe_training_data`) and fields the user adds. :func:`format_info`
turns it into the text of ``audiodigit info``.
"""

import json
import numbers
import platform
import sys
import warnings

import numpy as np

from .. import __version__
from ..exceptions import ModelVersionWarning
from ..utils._json import jsonable as _jsonable
from ._format import MODEL_FORMAT

#: Keys of ``metadata.json`` that ``save_model`` writes itself and that
#: ``save_model(metadata=...)`` may not set.
RESERVED_KEYS = (
    "format",
    "format_version",
    "created",
    "versions",
    "nets",
    "ensembles",
    "estimator",
    "sklearn_part",
)
#: Every key that ``save_model`` writes: the reserved ones, and those that
#: ``save_model(metadata=...)`` may override.
RECORDED_KEYS = RESERVED_KEYS + ("sr", "classes", "feature_settings", "training_data")
# Keys that format_info shows by name, beyond RECORDED_KEYS (written by `audiodigit
# train`; "library_version" by its first release, in joblib files).
_SHOWN_KEYS = ("model_name", "target", "library_version")


def _versions(with_torch):
    import sklearn

    versions = {
        "sklearn_audiodigit": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    try:
        import skops

        versions["skops"] = skops.__version__
    except ImportError:  # pragma: no cover - skops is a dependency
        pass
    if with_torch:
        import safetensors
        import skorch
        import torch

        versions.update(
            torch=torch.__version__, skorch=skorch.__version__, safetensors=safetensors.__version__
        )
    return versions


def _describe_value(value, depth=0):
    """``value`` as JSON for the record: estimators by class and parameters, others by type."""
    try:
        return _jsonable(value)
    except TypeError:
        pass
    if depth < 4 and hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": _qualname(value), "params": _json_params(value, depth + 1)}
    if depth < 4 and isinstance(value, (list, tuple)):
        return [_describe_value(v, depth + 1) for v in value]
    if isinstance(value, slice):
        return f"slice({value.start}, {value.stop}, {value.step})"
    return f"<{_qualname(value)}>"


def _json_params(est, depth=0):
    """The parameters of ``est`` as JSON (objects described by class name)."""
    return {
        key: _describe_value(value, depth)
        for key, value in est.get_params(deep=False).items()
        if not key.startswith("_")
    }


def _qualname(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _infer_sr(model):
    """The one sampling rate named by the model's ``sr`` parameters, or None."""
    try:
        params = model.get_params(deep=True)
    except Exception:  # not an estimator
        return None
    rates = {
        v
        for k, v in params.items()
        if (k == "sr" or k.endswith("__sr")) and isinstance(v, numbers.Integral) and v > 0
    }
    return int(rates.pop()) if len(rates) == 1 else None


def _classes(model):
    classes = getattr(model, "classes_", None)
    if classes is None:
        return None
    try:
        return _jsonable(np.asarray(classes))
    except TypeError:
        return [str(c) for c in classes]


def _fitted_inner(model):
    """The one fitted estimator a meta-estimator wraps, or None.

    ``estimator_`` (e.g. SpeedPerturbedClassifier), or the single calibrated
    classifier of a ``CalibratedClassifierCV(ensemble=False)``.
    """
    calibrated = getattr(model, "calibrated_classifiers_", None)
    if calibrated is not None:
        return calibrated[0].estimator if len(calibrated) == 1 else None
    return getattr(model, "estimator_", None)


def _unwrap(model):
    """``(wrappers, pipeline)``: the meta-estimators from ``model`` inwards to its Pipeline.

    ``pipeline`` is None (and ``wrappers`` empty) when there is no such Pipeline.
    """
    from sklearn.pipeline import Pipeline

    wrappers = []
    while not isinstance(model, Pipeline):
        inner = _fitted_inner(model)
        if inner is None:
            return [], None
        wrappers.append(model)
        model = inner
    return wrappers, model


def _feature_settings(model):
    from sklearn.pipeline import Pipeline

    settings = {}
    wrappers, inner = ([], None) if isinstance(model, Pipeline) else _unwrap(model)
    if inner is not None:
        # the wrappers' own parameters (calibration, augmentation), then the steps
        for key, wrapper in zip(("wrapper", "calibration"), wrappers[::-1], strict=False):
            params = {k: v for k, v in _json_params(wrapper).items() if k != "estimator"}
            settings[key] = {"class": _qualname(wrapper), "params": params}
        model = inner
    if not isinstance(model, Pipeline):
        return {}
    for name, step in model.steps[:-1]:
        if step is None or isinstance(step, str):
            settings[name] = {"class": str(step), "params": {}}
        else:
            settings[name] = {"class": _qualname(step), "params": _json_params(step)}
    return settings


def _step_label(step):
    """A Pipeline step in a few words: its class; a SeedEnsembleClassifier's size too."""
    if isinstance(step, str) or step is None:
        return str(step)
    if _is_ensemble(step):
        base = "CNNClassifier" if step.estimator is None else type(step.estimator).__name__
        return f"{type(step).__name__}({step.n_estimators} x {base})"
    return type(step).__name__


def _describe_estimator(model):
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        inner = ", ".join(f"{name}={_step_label(step)}" for name, step in model.steps)
        return f"Pipeline({inner})"
    if _is_ensemble(model):
        return _step_label(model)
    wrappers, pipeline = _unwrap(model)
    if pipeline is not None:
        inner = _describe_estimator(pipeline)
        for wrapper in wrappers[::-1]:
            inner = f"{type(wrapper).__name__}({inner})"
        return inner
    return type(model).__name__


def describe_training_data(y, *, groups=None, name=None, sr=None, **extra):
    """A JSON-ready summary of a training set, for ``save_model(metadata=...)``.

    Parameters
    ----------
    y : array-like of shape (n_clips,)
        Training labels.
    groups : array-like of shape (n_clips,), default=None
        Speaker (or other group) of each clip.
    name : str, default=None
        What the data is, e.g. ``"FSDD (full)"``.
    sr : int, default=None
        Sampling rate of the training waveforms, in Hz.
    **extra
        Any other JSON-representable fields to record.

    Returns
    -------
    summary : dict
        ``dataset``, ``n_clips``, ``class_counts`` (label -> count), and, when
        given, ``n_groups`` and ``groups`` (sorted, at most 100 listed), ``sr``
        and the ``extra`` fields.

    Examples
    --------
    >>> describe_training_data([0, 1, 1], groups=["a", "a", "b"], name="demo")
    {'dataset': 'demo', 'n_clips': 3, 'class_counts': {'0': 1, '1': 2}, 'n_groups': 2, \
'groups': ['a', 'b']}
    """
    y = np.asarray(y)
    labels, counts = np.unique(y, return_counts=True)
    summary = {
        "dataset": name,
        "n_clips": int(len(y)),
        "class_counts": {str(k): int(c) for k, c in zip(labels, counts, strict=True)},
    }
    if groups is not None:
        uniq = np.unique(np.asarray(groups))
        summary["n_groups"] = int(len(uniq))
        summary["groups"] = [str(g) for g in uniq[:100]]
    if sr is not None:
        summary["sr"] = int(sr)
    summary.update({k: _jsonable(v) for k, v in extra.items()})
    return summary


def _skorch_net_type():
    """skorch's ``NeuralNet`` if skorch is imported (no network can exist otherwise)."""
    if "skorch" not in sys.modules:
        return None
    return sys.modules["skorch"].NeuralNet


def _ensemble_type():
    """``SeedEnsembleClassifier`` if it is imported (no ensemble can exist otherwise)."""
    module = sys.modules.get("sklearn_audiodigit.nn._ensemble")
    return None if module is None else module.SeedEnsembleClassifier


def _is_ensemble(obj):
    """Whether ``obj`` is a SeedEnsembleClassifier (exactly: a subclass is not stored)."""
    ensemble_type = _ensemble_type()
    return ensemble_type is not None and type(obj) is ensemble_type


def _warn_versions(p, meta, with_torch):
    saved = meta.get("versions") or {}
    now = _versions(with_torch=with_torch)
    keys = ["sklearn_audiodigit", "scikit-learn"] + (["torch", "skorch"] if with_torch else [])
    diffs = [
        f"{k} {saved[k]} (installed: {now[k]})"
        for k in keys
        if k in saved and k in now and str(saved[k]) != str(now[k])
    ]
    if diffs:
        warnings.warn(
            f"{p} was saved with {', '.join(diffs)}. It may fail to load or predict "
            "differently; re-train the model, or install those versions to reproduce it",
            ModelVersionWarning,
            stacklevel=3,
        )


def format_info(path, meta):
    """A human-readable account of a model file's metadata (``audiodigit info``).

    Parameters
    ----------
    path : str or os.PathLike
        The model file, as shown on the first line.
    meta : dict
        What :func:`~sklearn_audiodigit.persistence.read_model_metadata` returned.

    Returns
    -------
    text : str
        One field a line: format, model, estimator, sampling rate, classes,
        versions, training data, steps, ensembles, networks, then every field
        added with ``save_model(metadata=...)`` as JSON.
    """
    lines = [f"model file:     {path}"]
    fmt = meta.get("format")
    safe = fmt == MODEL_FORMAT
    lines.append(
        f"format:         {fmt} v{meta.get('format_version', '?')} "
        + ("(safe: loading runs no code)" if safe else "(pickle: loading runs code; trusted)")
    )
    for key, label in (("created", "created"), ("model_name", "model"), ("target", "target")):
        if meta.get(key) is not None:
            lines.append(f"{label + ':':<16}{meta[key]}")
    if meta.get("estimator"):
        lines.append(f"estimator:      {meta['estimator']}")
    if meta.get("sr"):
        lines.append(f"sampling rate:  {meta['sr']} Hz")
    classes = _list(meta.get("classes"))
    if classes:
        lines.append(f"classes:        {' '.join(str(c) for c in classes)} ({len(classes)})")
    versions = _dict(meta.get("versions"))
    if versions:
        lines.append("versions:       " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    data = meta.get("training_data")
    if isinstance(data, dict):
        parts = [str(data.get("dataset") or "unnamed data")]
        if "n_clips" in data:
            parts.append(f"{data['n_clips']} clips")
        if "n_groups" in data:
            parts.append(f"{data['n_groups']} speakers")
        if isinstance(data.get("class_counts"), (dict, list)):
            parts.append(f"{len(data['class_counts'])} classes")
        lines.append("training data:  " + ", ".join(parts))
    settings = _dict(meta.get("feature_settings"))
    if settings:
        lines.append("steps:")
        for name, step in settings.items():
            step = _dict(step)
            params = ", ".join(f"{k}={v!r}" for k, v in _dict(step.get("params")).items())
            cls = str(step.get("class", "?")).rsplit(".", 1)[-1]
            lines.append(f"  {name}: {cls}({params})")
    for ensemble in map(_dict, _list(meta.get("ensembles"))):
        step = _step_path(ensemble.get("path"))
        base = _dict(ensemble.get("estimator")).get("class", "CNNClassifier")
        params = ", ".join(f"{k}={v}" for k, v in _dict(ensemble.get("params")).items())
        lines.append(
            f"ensemble {step}: {ensemble.get('class')}({params}), "
            f"{ensemble.get('n_estimators')} x {base} averaged"
        )
    for net in map(_dict, _list(meta.get("nets"))):
        step = _step_path(net.get("path"))
        if net.get("copy") is not None:
            step = f"{step}[{net['copy']}]"
        module = _dict(net.get("module"))
        mparams = ", ".join(f"{k}={v}" for k, v in _dict(module.get("params")).items())
        n_weights = net.get("n_parameters", 0)
        n_weights = f"{n_weights:,}" if isinstance(n_weights, int) else str(n_weights)
        lines.append(
            f"network {step}: {net.get('class')}, {n_weights} weights, "
            f"module {str(module.get('class', '?')).rsplit('.', 1)[-1]}({mparams})"
        )
    extra = sorted(set(meta) - set(RECORDED_KEYS) - set(_SHOWN_KEYS))
    for key in extra:
        lines.append(f"{key + ':':<16}{json.dumps(meta[key], default=str)}")
    return "\n".join(lines)


# format_info shows whatever a file holds: a field of an unexpected type shows as empty.
def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _step_path(path):
    return "/".join(str(s) for s in _list(path)) or "(the model)"
