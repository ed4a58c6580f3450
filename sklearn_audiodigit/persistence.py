"""Saving and loading fitted models without a code-execution hole.

A pickle (or joblib) file runs arbitrary code when it is loaded, so a model file
received from someone else is an attack surface. :func:`save_model` writes a
format that cannot execute code on load instead: one zip file holding

``metadata.json``
    What the model is and how it was made: the library, scikit-learn, numpy,
    torch and skorch versions, the sampling rate, the classes, the feature
    settings, a summary of the training data, and, for every neural network in
    the model, its class, its parameters and the architecture of its module.
``model.skops``
    The scikit-learn part (the pipeline with every network replaced by
    ``"passthrough"``), written by :mod:`skops.io`. It is loaded with an explicit
    allow-list: skops' own list of scikit-learn and numpy types, plus the
    transformers of this library (:data:`TRUSTED_TYPES`); any other type is
    refused before anything is built.
``nets/<i>.safetensors``
    The weights of each network as plain tensors (:mod:`safetensors`). The
    network is rebuilt from its JSON description by one of the four classes of
    :mod:`sklearn_audiodigit.nn` (looked up by name in a fixed table) and the
    weights are copied in. skorch's own pickling is never used, since it
    unpickles the torch state freely.

A :class:`~sklearn_audiodigit.nn.SeedEnsembleClassifier` of those networks (the
model itself or a Pipeline step) is stored the same way: its parameters (the
unfitted ``estimator`` by class name and parameters), seeds and classes in
``metadata.json`` (``"ensembles"``), each fitted copy as one more network. Such
files are format version 2; files without an ensemble are still written as
version 1, which earlier releases read.

:func:`load_model` reads that format; joblib/pickle files load only with
``trust=True``. Every problem with a file (missing, empty, truncated, corrupted,
foreign, untrusted) raises :class:`~sklearn_audiodigit.exceptions.ModelFileError`
naming it.
"""

import datetime
import io
import json
import numbers
import os
import platform
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from .exceptions import ModelFileError, ModelVersionWarning, UntrustedModelError

__all__ = [
    "save_model",
    "load_model",
    "read_model_metadata",
    "describe_training_data",
    "TRUSTED_TYPES",
    "MODEL_FORMAT",
    "JOBLIB_FORMAT",
]

#: Value of ``metadata["format"]`` in a safe model file.
MODEL_FORMAT = "sklearn-audiodigit-model"
#: Newest version of the safe format, which this library reads and writes. Version
#: 2 added SeedEnsembleClassifier (``"ensembles"`` in the metadata); a file without
#: one is written as version 1, so that earlier releases still read it.
FORMAT_VERSION = 2
_FORMAT_VERSION_NO_ENSEMBLE = 1
#: Value of ``payload["format"]`` in a joblib model file (``format="joblib"``).
JOBLIB_FORMAT = "sklearn-audiodigit-joblib-1"

#: Types of this library that skops may rebuild when loading ``model.skops``, in
#: addition to the scikit-learn and numpy types that skops trusts by default.
TRUSTED_TYPES = (
    "sklearn_audiodigit.preprocessing.AudioReader",
    "sklearn_audiodigit.preprocessing.Resampler",
    "sklearn_audiodigit.preprocessing.TrimSilence",
    "sklearn_audiodigit.preprocessing.PadTrim",
    "sklearn_audiodigit.preprocessing.PeakNormalizer",
    "sklearn_audiodigit.features.LogMelExtractor",
    "sklearn_audiodigit.features.MFCCExtractor",
    "sklearn_audiodigit.features.SpectrogramExtractor",
    "sklearn_audiodigit.features.ChromaExtractor",
    "sklearn_audiodigit.augmentation.SpeedPerturbedClassifier",
    # Private helpers of CalibratedClassifierCV (SVC probabilities without the
    # deprecated probability=True), which skops does not list among its defaults.
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)

_METADATA = "metadata.json"
_SKLEARN = "model.skops"
_RESERVED_KEYS = (
    "format",
    "format_version",
    "created",
    "versions",
    "nets",
    "ensembles",
    "estimator",
)
# Largest metadata.json read, in bytes (a guard against zip bombs).
_MAX_JSON = 64 << 20

# First bytes of the files joblib.dump writes: pickle protocol >= 2, and the
# zlib, gzip, bz2, xz, lzma and lz4 compressed variants.
_PICKLE_MAGIC = (
    b"\x80",
    b"\x78",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x5d\x00\x00",
    b"\x04\x22M\x18",
)


# --------------------------------------------------------------------------- helpers
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


def _jsonable(value):
    """``value`` as plain JSON types, or raise ``TypeError``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufU":
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


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


def _inner_pipeline(model):
    """The fitted Pipeline inside a meta-estimator such as SpeedPerturbedClassifier, or None."""
    from sklearn.pipeline import Pipeline

    inner = getattr(model, "estimator_", None)
    return inner if isinstance(inner, Pipeline) else None


def _feature_settings(model):
    from sklearn.pipeline import Pipeline

    settings = {}
    inner = None if isinstance(model, Pipeline) else _inner_pipeline(model)
    if inner is not None:
        # the wrapper's own parameters (augmentation), then the steps of its pipeline
        params = {k: v for k, v in _json_params(model).items() if k != "estimator"}
        settings["wrapper"] = {"class": _qualname(model), "params": params}
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
    pipeline = _inner_pipeline(model)
    if pipeline is not None:
        return f"{type(model).__name__}({_describe_estimator(pipeline)})"
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


# --------------------------------------------------------------------------- networks
def _skorch_net_type():
    """skorch's ``NeuralNet`` if skorch is imported (no network can exist otherwise)."""
    if "skorch" not in sys.modules:
        return None
    return sys.modules["skorch"].NeuralNet


def _ensemble_type():
    """``SeedEnsembleClassifier`` if it is imported (no ensemble can exist otherwise)."""
    module = sys.modules.get(f"{__package__}.nn._ensemble")
    return None if module is None else module.SeedEnsembleClassifier


def _is_ensemble(obj):
    """Whether ``obj`` is a SeedEnsembleClassifier (exactly: a subclass is not stored)."""
    ensemble_type = _ensemble_type()
    return ensemble_type is not None and type(obj) is ensemble_type


def _find_nets(model, net_type, prefix=()):
    """Yield ``(path, net)`` for every network or ensemble: the model itself or Pipeline steps."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, net_type) or _is_ensemble(model):
        yield prefix, model
    elif isinstance(model, Pipeline):
        for name, step in model.steps:
            yield from _find_nets(step, net_type, prefix + (name,))


def _check_no_hidden_nets(model, net_type, where="model"):
    """Raise if a network hides somewhere other than a Pipeline step (e.g. a meta-estimator)."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, net_type) or _is_ensemble(model):
        return  # _encode_net and _encode_ensemble check what they hold
    if isinstance(model, Pipeline):
        for name, step in model.steps:
            _check_no_hidden_nets(step, net_type, f"{where}.{name}")
        return
    if not hasattr(model, "get_params"):
        return
    ensemble_type = _ensemble_type()
    hidden = net_type if ensemble_type is None else (net_type, ensemble_type)
    if isinstance(model, hidden):
        raise TypeError(
            f"{where} is a {_qualname(model)}, a subclass of SeedEnsembleClassifier, which "
            "the safe format does not store. Save it with format='joblib' (loadable only "
            "with trust=True)."
        )
    for key, value in model.get_params(deep=True).items():
        if isinstance(value, hidden):
            raise TypeError(
                f"{where} holds a neural network in {key!r}, outside a Pipeline step; the "
                "safe format stores networks (and SeedEnsembleClassifier) only as the "
                "model itself or as Pipeline steps. Save it with format='joblib' (loadable "
                "only with trust=True)."
            )


def _replace_nets(model, paths):
    """A shallow copy of ``model`` with the steps at ``paths`` set to ``"passthrough"``."""
    import copy

    if not paths:
        return model
    if () in paths:
        return None
    new = copy.copy(model)
    steps = []
    for name, step in model.steps:
        sub = [p[1:] for p in paths if p[0] == name]
        if () in sub:
            steps.append((name, "passthrough"))
        elif sub:
            steps.append((name, _replace_nets(step, sub)))
        else:
            steps.append((name, step))
    new.steps = steps
    return new


def _set_at(model, path, net):
    if not path:
        return net
    steps = model.steps
    for i, (name, step) in enumerate(steps):
        if name == path[0]:
            steps[i] = (name, _set_at(step, path[1:], net))
            return model
    raise KeyError(path[0])


def _net_classes():
    from .nn import CNNClassifier, FeedForwardClassifier, ResNetClassifier, RNNClassifier

    return {
        cls.__name__: cls
        for cls in (FeedForwardClassifier, CNNClassifier, RNNClassifier, ResNetClassifier)
    }


def _encode_param(value):
    """A network parameter as JSON; tuples and FrameAugmenters are tagged."""
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_param(v) for v in value]}
    if isinstance(value, list):
        return [_encode_param(v) for v in value]
    if type(value).__name__ == "FrameAugmenter" and type(value).__module__.startswith(
        "sklearn_audiodigit."
    ):
        return {
            "__estimator__": "FrameAugmenter",
            "params": {k: _encode_param(v) for k, v in value.get_params(deep=False).items()},
        }
    if type(value).__name__ == "device" and type(value).__module__ == "torch":
        return str(value)
    if isinstance(value, dict):
        return {"__dict__": {k: _encode_param(v) for k, v in value.items()}}
    return _jsonable(value)


def _decode_param(value):
    if isinstance(value, list):
        return [_decode_param(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decode_param(v) for v in value["__tuple__"])
        if set(value) == {"__dict__"}:
            return {k: _decode_param(v) for k, v in value["__dict__"].items()}
        if value.get("__estimator__") == "FrameAugmenter":
            from .nn import FrameAugmenter

            return FrameAugmenter(**{k: _decode_param(v) for k, v in value["params"].items()})
        raise ValueError(f"unknown tagged value {sorted(value)}")
    return value


def _check_net_class(net):
    """The class name of ``net``, one of :mod:`sklearn_audiodigit.nn`'s networks, or raise."""
    classes = _net_classes()
    cls_name = type(net).__name__
    if classes.get(cls_name) is not type(net):
        raise TypeError(
            f"the safe format stores the networks of sklearn_audiodigit.nn "
            f"({', '.join(classes)}), not {_qualname(net)}; save it with format='joblib' "
            "(loadable only with trust=True)"
        )
    return cls_name


def _encode_net_params(net):
    """The parameters of a network (fitted or not) as JSON."""
    cls_name = type(net).__name__
    defaults = type(net)().get_params(deep=False)
    params = {}
    for key, value in net.get_params(deep=False).items():
        if key.startswith("_"):
            continue
        try:
            params[key] = _encode_param(value)
        except TypeError:
            default = defaults.get(key, object())
            if value is default or (isinstance(value, type) and value == default):
                continue  # a class left at its default (module, optimizer, ...)
            raise TypeError(
                f"cannot save {cls_name} parameter {key}={value!r} in the safe format: only "
                "JSON values, tuples, FrameAugmenter and default classes can be stored. Save "
                "it with format='joblib' (loadable only with trust=True)"
            ) from None
    return params


def _encode_labels(est):
    """``{"classes", "classes_dtype"}`` of a fitted classifier, for JSON."""
    classes_ = np.asarray(est.classes_)
    if classes_.dtype.kind not in "biufU":
        raise TypeError(
            f"cannot save {type(est).__name__} with labels of dtype {classes_.dtype} in the "
            "safe format; use int, float, bool or str labels"
        )
    return {"classes": classes_.tolist(), "classes_dtype": classes_.dtype.str}


def _decode_labels(fitted, path):
    dtype = np.dtype(fitted["classes_dtype"])
    if dtype.kind not in "biufU":
        raise ModelFileError(f"{path}: labels of dtype {dtype} cannot be stored safely")
    return np.asarray(fitted["classes"], dtype=dtype)


def _encode_net(net, weights_name):
    """(description dict, safetensors bytes) of a fitted network."""
    from safetensors.torch import save as save_tensors
    from sklearn.utils.validation import check_is_fitted

    cls_name = _check_net_class(net)
    check_is_fitted(net, ["label_encoder_", "module_"])
    params = _encode_net_params(net)
    fitted = {
        **_encode_labels(net),
        "input_shape": list(net.input_shape_),
        "n_classes": int(net.n_classes_),
        "n_features_in": int(net.n_features_in_),
    }
    for attr in ("steps_per_epoch_",):
        if hasattr(net, attr):
            fitted[attr.rstrip("_")] = int(getattr(net, attr))
    if hasattr(net, "feature_names_in_"):
        fitted["feature_names_in"] = [str(f) for f in net.feature_names_in_]
    state = {k: v.detach().to("cpu").contiguous() for k, v in net.module_.state_dict().items()}
    try:
        history = json.loads(json.dumps(list(net.history_), default=_history_default))
    except (TypeError, ValueError):
        history = None
    module_params = {k: _encode_param(v) for k, v in net._module_params().items()}
    description = {
        "class": cls_name,
        "params": params,
        "fitted": fitted,
        "module": {"class": _qualname(net.module_), "params": module_params},
        "n_parameters": int(sum(p.numel() for p in net.module_.parameters())),
        "weights": weights_name,
        "history": history,
    }
    return description, save_tensors(state)


def _history_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value).__name__)


def _build_net(cls_name, params, *, device, path, warned):
    """An unfitted network from its class name and JSON parameters, on a usable device.

    ``device=None`` keeps the saved device unless it is CUDA and CUDA is missing:
    then the CPU, with one warning per file (``warned`` holds the devices warned
    about).
    """
    import torch

    classes = _net_classes()
    if cls_name not in classes:
        raise UntrustedModelError(
            f"{path}: refers to a network class {cls_name!r}, which is not one of "
            f"{', '.join(classes)}"
        )
    params = {k: _decode_param(v) for k, v in params.items()}
    saved_device = str(params.get("device") or "cpu")
    if device is None:
        device = saved_device
        if torch.device(device).type == "cuda" and not torch.cuda.is_available():
            if saved_device not in warned:
                warned.add(saved_device)
                warnings.warn(
                    f"{path}: the {cls_name} was saved for device {saved_device!r}, but "
                    "CUDA is not available here; it is loaded on the CPU (device='cpu')",
                    UserWarning,
                    stacklevel=5,
                )
            device = "cpu"
    params["device"] = str(device)
    return classes[cls_name](**params)


def _decode_net(description, weights, *, device, path, warned):
    """Rebuild a fitted network from its description and safetensors bytes."""
    import torch
    from safetensors.torch import load as load_tensors
    from sklearn.preprocessing import LabelEncoder
    from skorch.history import History

    net = _build_net(
        description["class"], description["params"], device=device, path=path, warned=warned
    )
    fitted = description["fitted"]
    net.label_encoder_ = LabelEncoder()
    net.label_encoder_.classes_ = _decode_labels(fitted, path)
    net.input_shape_ = tuple(int(n) for n in fitted["input_shape"])
    net.n_classes_ = int(fitted["n_classes"])
    net.n_features_in_ = int(fitted["n_features_in"])
    if "steps_per_epoch" in fitted:
        net.steps_per_epoch_ = int(fitted["steps_per_epoch"])
    if "feature_names_in" in fitted:
        net.feature_names_in_ = np.asarray(fitted["feature_names_in"], dtype=object)
    state = load_tensors(weights)
    with torch.random.fork_rng(devices=[]):  # building the module draws random weights
        net.initialize()
    net.module_.load_state_dict(state, strict=True)
    net.module_.eval()
    if description.get("history") is not None:
        net.history_ = History(description["history"])
    return net


_ENSEMBLE_FITTED = ("estimators_", "seeds_", "classes_")


def _encode_ensemble(ens, first_net):
    """(description, [(net description, safetensors bytes)]) of a fitted SeedEnsembleClassifier.

    Copy ``i`` is stored as the network ``nets/<first_net + i>.safetensors``.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(ens, list(_ENSEMBLE_FITTED))
    unknown = sorted(
        k
        for k in vars(ens)
        if k.endswith("_") and not k.startswith("_") and k not in _ENSEMBLE_FITTED
    )
    if unknown:  # pragma: no cover - guards against an attribute added later and lost here
        raise TypeError(
            f"the safe format does not know the fitted attributes {unknown} of "
            f"{type(ens).__name__}; save it with format='joblib' (loadable only with trust=True)"
        )
    base = ens.estimator
    if base is None:
        estimator = None
    else:
        try:
            cls_name = _check_net_class(base)
        except TypeError:
            raise TypeError(
                f"the safe format stores a SeedEnsembleClassifier of the networks of "
                f"sklearn_audiodigit.nn ({', '.join(_net_classes())}), not of "
                f"{_qualname(base)}; save it with format='joblib' (loadable only with "
                "trust=True)"
            ) from None
        estimator = {"class": cls_name, "params": _encode_net_params(base)}
    params = {}
    for key, value in ens.get_params(deep=False).items():
        if key == "estimator" or key.startswith("_"):
            continue
        try:
            params[key] = _encode_param(value)
        except TypeError:
            raise TypeError(
                f"cannot save {type(ens).__name__} parameter {key}={value!r} in the safe "
                "format: only JSON values can be stored (an int random_state, not a "
                "RandomState). Save it with format='joblib' (loadable only with trust=True)"
            ) from None
    seeds = np.asarray(ens.seeds_, dtype=np.int64)
    if seeds.shape != (len(ens.estimators_),):
        raise ValueError(
            f"{type(ens).__name__} has {seeds.size} seeds_ for {len(ens.estimators_)} "
            "estimators_; refit it"
        )
    copies = [
        _encode_net(net, f"nets/{first_net + i}.safetensors")
        for i, net in enumerate(ens.estimators_)
    ]
    description = {
        "class": type(ens).__name__,
        "params": params,
        "estimator": estimator,
        "n_estimators": len(ens.estimators_),
        "fitted": {**_encode_labels(ens), "seeds": seeds.tolist()},
    }
    return description, copies


def _decode_ensemble(description, copies, *, device, path, warned):
    """Rebuild a fitted SeedEnsembleClassifier from its description and ``copies``.

    ``copies`` maps each copy's index to its rebuilt network.
    """
    from .nn import SeedEnsembleClassifier

    if description.get("class") != SeedEnsembleClassifier.__name__:
        raise UntrustedModelError(
            f"{path}: refers to an ensemble class {description.get('class')!r}, which is not "
            f"{SeedEnsembleClassifier.__name__}"
        )
    params = {k: _decode_param(v) for k, v in description["params"].items()}
    estimator = description.get("estimator")
    if estimator is not None:
        estimator = _build_net(
            estimator["class"], estimator["params"], device=device, path=path, warned=warned
        )
    ens = SeedEnsembleClassifier(estimator, **params)
    fitted = description["fitted"]
    seeds = np.asarray(fitted["seeds"], dtype=np.int64)
    if seeds.ndim != 1 or sorted(copies) != list(range(len(seeds))):
        raise ModelFileError(
            f"{path}: the ensemble at step {tuple(description['path'])} records "
            f"{seeds.size} seeds but the file holds its copies {sorted(copies)}"
        )
    ens.estimators_ = [copies[i] for i in range(len(seeds))]
    ens.seeds_ = seeds
    ens.classes_ = _decode_labels(fitted, path)
    return ens


# --------------------------------------------------------------------------- saving
def save_model(model, path, *, metadata=None, format="safe"):
    """Save a fitted model to one file.

    Parameters
    ----------
    model : estimator
        A fitted scikit-learn estimator or Pipeline, e.g. from
        :func:`~sklearn_audiodigit.make_model`. Networks of
        :mod:`sklearn_audiodigit.nn`, and
        :class:`~sklearn_audiodigit.nn.SeedEnsembleClassifier` of them, may be the
        model itself or Pipeline steps, not parts of another meta-estimator.
    path : str or os.PathLike
        File to write. It is written through a temporary file in the same folder
        and moved into place in one step, so a failure leaves no partial file.
    metadata : dict, default=None
        Extra JSON-representable fields to record, e.g. ``{"sr": 8000,
        "model_name": "svc", "training_data": describe_training_data(y, ...)}``.
        ``sr`` and ``classes`` override the values read from the model. The keys
        ``format``, ``format_version``, ``created``, ``versions``, ``nets`` and
        ``estimator`` are reserved.
    format : {"safe", "joblib"}, default="safe"
        ``"safe"``: the zip format described in :mod:`sklearn_audiodigit.persistence`,
        which cannot execute code when loaded. ``"joblib"``: a pickle (any
        estimator, including custom callbacks and functions), which
        :func:`load_model` reads only with ``trust=True``.

    Returns
    -------
    metadata : dict
        What was recorded in the file (see :func:`read_model_metadata`).

    Raises
    ------
    TypeError
        If the safe format cannot store part of the model (an object skops cannot
        serialise, a network that is not one of :mod:`sklearn_audiodigit.nn`, a
        network or ensemble inside another meta-estimator, non-JSON network
        parameters such as custom callbacks); the message says what.
        ``format="joblib"`` stores anything.
    ValueError
        If ``format`` is unknown or ``metadata`` uses a reserved key or holds
        values that are not JSON-representable.
    OSError
        If the file cannot be written.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_audiodigit import make_svc_pipeline
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> model = make_svc_pipeline(random_state=0).fit(X[::3], y[::3])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "digits.model")
    ...     meta = save_model(model, path)
    ...     same = load_model(path)
    >>> meta["sr"], meta["classes"][:3]
    (8000, [0, 1, 2])
    >>> bool((same.predict(X[:5]) == model.predict(X[:5])).all())
    True
    """
    if format not in ("safe", "joblib"):
        raise ValueError(f"format must be 'safe' or 'joblib', got {format!r}")
    metadata = dict(metadata or {})
    reserved = sorted(set(metadata) & set(_RESERVED_KEYS))
    if reserved:
        raise ValueError(f"metadata keys {reserved} are reserved")
    try:
        metadata = _jsonable(metadata)
    except TypeError as err:
        raise ValueError(f"metadata must hold JSON-representable values ({err})") from err

    net_type = _skorch_net_type()
    nets = list(_find_nets(model, net_type)) if net_type is not None else []
    record = {
        "format": MODEL_FORMAT if format == "safe" else JOBLIB_FORMAT,
        "format_version": _FORMAT_VERSION_NO_ENSEMBLE,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(with_torch=bool(nets)),
        "estimator": _describe_estimator(model),
        "sr": _infer_sr(model),
        "classes": _classes(model),
        "feature_settings": _feature_settings(model),
        "training_data": None,
    }
    record.update(metadata)
    path = Path(path)
    if format == "joblib":
        import joblib

        payload = {**{k: v for k, v in record.items() if k != "format"}, "model": model}
        payload["format"] = JOBLIB_FORMAT
        payload["metadata"] = record
        _write_atomic(path, lambda f: joblib.dump(payload, f))
        return record

    if net_type is not None:
        _check_no_hidden_nets(model, net_type)
    members = {}
    net_records = []
    ensemble_records = []
    for net_path, net in nets:
        if _is_ensemble(net):
            description, copies = _encode_ensemble(net, len(net_records))
            description["path"] = list(net_path)
            for i, (copy_description, weights) in enumerate(copies):
                copy_description.update(path=list(net_path), ensemble=len(ensemble_records), copy=i)
                net_records.append(copy_description)
                members[copy_description["weights"]] = weights
            ensemble_records.append(description)
            continue
        name = f"nets/{len(net_records)}.safetensors"
        description, weights = _encode_net(net, name)
        description["path"] = list(net_path)
        net_records.append(description)
        members[name] = weights
    rest = _replace_nets(model, [p for p, _ in nets])
    if rest is not None:
        import skops.io as sio

        try:
            members[_SKLEARN] = sio.dumps(rest)
        except Exception as err:  # skops raises TypeError and others
            raise TypeError(
                f"skops cannot serialise this model ({type(err).__name__}: {err}); save it "
                "with format='joblib' (loadable only with trust=True)"
            ) from err
    record["nets"] = net_records
    if ensemble_records:
        record["ensembles"] = ensemble_records
        record["format_version"] = FORMAT_VERSION
    record["sklearn_part"] = _SKLEARN if rest is not None else None
    meta_bytes = json.dumps(record, indent=1, allow_nan=True).encode("utf-8")

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_METADATA, meta_bytes)
            for name, data in members.items():
                zf.writestr(name, data)

    _write_atomic(path, write)
    return {k: v for k, v in record.items() if k != "nets"} | {
        "nets": [{k: v for k, v in n.items() if k != "history"} for n in net_records]
    }


def _write_atomic(path, write):
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        umask = os.umask(0)  # mkstemp creates 0600; give the file the usual permissions
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- loading
def _check_file(path):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise ModelFileError(f"{p}: no such model file")
    if p.is_dir():
        raise ModelFileError(f"{p}: is a directory, not a model file")
    if p.stat().st_size == 0:
        raise ModelFileError(f"{p}: empty file, not a model file")
    with open(p, "rb") as f:
        head = f.read(8)
    return p, head


def _kind(head):
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(_PICKLE_MAGIC):
        return "pickle"
    return "unknown"


def _refuse_pickle(p):
    raise UntrustedModelError(
        f"{p}: is a joblib/pickle file, which can execute arbitrary code when loaded; it "
        "was not opened. Load it with trust=True (audiodigit: --trust) only if you trust "
        "whoever made it, then re-save it with save_model() in the safe format"
    )


def _read_zip_metadata(p, zf):
    try:
        info = zf.getinfo(_METADATA)
    except KeyError:
        raise ModelFileError(
            f"{p}: a zip file, but not a sklearn-audiodigit model (no {_METADATA} inside)"
        ) from None
    if info.file_size > _MAX_JSON:
        raise ModelFileError(f"{p}: {_METADATA} is implausibly large ({info.file_size} bytes)")
    try:
        meta = json.loads(zf.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{p}: {_METADATA} is not valid JSON ({err})") from err
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{p}: a zip file, but not a sklearn-audiodigit model")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{p}: model format version {version!r} is newer than this sklearn-audiodigit "
            f"({__version__}) reads (up to {FORMAT_VERSION}); upgrade sklearn-audiodigit"
        )
    return meta


def _load_pickle(p):
    import joblib

    try:
        payload = joblib.load(p)
    except Exception as err:  # truncated, corrupted, missing classes, ...
        raise ModelFileError(
            f"{p}: could not be read as a joblib/pickle model ({type(err).__name__}: {err})"
        ) from err
    if isinstance(payload, dict) and payload.get("format") == JOBLIB_FORMAT:
        meta = payload.get("metadata")
        if not isinstance(meta, dict):  # written by the first `audiodigit train`
            meta = {k: v for k, v in payload.items() if k != "model"}
            if "library_version" in meta:
                meta.setdefault("versions", {"sklearn_audiodigit": meta["library_version"]})
        return payload["model"], meta
    if isinstance(payload, dict):
        raise ModelFileError(f"{p}: a pickled dict, not a model")
    return payload, {
        "format": "pickle",
        "estimator": _describe_estimator(payload),
        "sr": _infer_sr(payload),
        "classes": _classes(payload),
        "feature_settings": _feature_settings(payload),
    }


def _open(path, *, trust):
    """Return ``(kind, p, zipfile or None)`` after the checks common to load and read."""
    p, head = _check_file(path)
    kind = _kind(head)
    if kind == "zip":
        try:
            zf = zipfile.ZipFile(p)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise ModelFileError(f"{p}: truncated or corrupted model file ({err})") from err
        return "zip", p, zf
    if kind == "pickle" or trust:
        if not trust:
            _refuse_pickle(p)
        return "pickle", p, None
    raise ModelFileError(
        f"{p}: not a sklearn-audiodigit model file (unknown format, starts with {head!r})"
    )


def read_model_metadata(path, *, trust=False):
    """Read what a model file records, without building the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model` (or ``audiodigit train``).
    trust : bool, default=False
        Needed for joblib/pickle files, which must be unpickled to be read.

    Returns
    -------
    metadata : dict
        ``format``, ``format_version``, ``created``, ``versions`` (library name ->
        version), ``estimator``, ``sr`` (Hz), ``classes``, ``feature_settings``
        (step -> class and parameters; for a pipeline inside a meta-estimator such
        as :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier`,
        ``"wrapper"`` first, with the meta-estimator's own parameters),
        ``training_data``, ``nets`` (class,
        parameters, module architecture and number of weights of each network; for
        a copy inside an ensemble, also ``ensemble`` and ``copy``, its indices),
        ``ensembles`` (only when the model holds a
        :class:`~sklearn_audiodigit.nn.SeedEnsembleClassifier`: its step ``path``,
        ``class``, ``params``, unfitted ``estimator`` as class and parameters,
        ``n_estimators`` and ``fitted`` seeds and classes) and any field passed to
        ``save_model(metadata=...)``.

    Raises
    ------
    ModelFileError
        If the file is missing, empty, truncated, corrupted or not a model file;
        :class:`~sklearn_audiodigit.exceptions.UntrustedModelError` for a pickle
        without ``trust=True``. The message names the file.
    """
    kind, p, zf = _open(path, trust=trust)
    if kind == "pickle":
        return _load_pickle(p)[1]
    with zf:
        try:
            meta = _read_zip_metadata(p, zf)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise ModelFileError(f"{p}: truncated or corrupted model file ({err})") from err
    for net in meta.get("nets") or ():
        net.pop("history", None)
    return meta


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


def load_model(path, *, trust=False, device=None, trusted_types=(), return_metadata=False):
    """Load a model written by :func:`save_model` (or ``audiodigit train``).

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    trust : bool, default=False
        Allow joblib/pickle files. **Loading a pickle runs whatever code it
        contains**: pass True only for files you made yourself or whose source you
        trust. Safe model files never need it.
    device : str or None, default=None
        Torch device of the networks in the model. None keeps the device they were
        saved with when it is available here, else uses the CPU (with a warning), so
        a network trained on CUDA loads on a CPU-only machine.
    trusted_types : sequence of str, default=()
        Further type names (``"module.Class"``) that skops may rebuild, beyond
        :data:`TRUSTED_TYPES` and skops' default scikit-learn and numpy types; for
        pipelines with your own transformers. Trust only types you know.
    return_metadata : bool, default=False
        Also return what the file records (see :func:`read_model_metadata`).

    Returns
    -------
    model : estimator
        The fitted model, ready to ``predict``.
    metadata : dict
        Only when ``return_metadata=True``.

    Raises
    ------
    ModelFileError
        (a :class:`ValueError`) if the file is missing, empty, truncated,
        corrupted, not a model file, or written by a newer format version; its
        subclass :class:`~sklearn_audiodigit.exceptions.UntrustedModelError` if it
        is a pickle and ``trust`` is False, or refers to types outside the
        allow-list. The message names the file. Nothing in the file is executed
        before these checks.
    ImportError
        If the model holds networks and torch, skorch or safetensors is missing.

    Warns
    -----
    ModelVersionWarning
        If the file was written with other versions of sklearn-audiodigit,
        scikit-learn, or (for networks) torch and skorch.
    """
    kind, p, zf = _open(path, trust=trust)
    if kind == "pickle":
        model, meta = _load_pickle(p)
        _warn_versions(p, meta, with_torch="torch" in (meta.get("versions") or {}))
        return (model, meta) if return_metadata else model
    with zf:
        try:
            model, meta = _load_zip(p, zf, device=device, trusted_types=tuple(trusted_types))
        except (ModelFileError, ImportError):
            raise
        except (zipfile.BadZipFile, EOFError) as err:
            raise ModelFileError(f"{p}: truncated or corrupted model file ({err})") from err
        except Exception as err:
            raise ModelFileError(
                f"{p}: the model file is damaged or inconsistent ({type(err).__name__}: {err})"
            ) from err
    if return_metadata:
        for net in meta.get("nets") or ():
            net.pop("history", None)
        return model, meta
    return model


def _load_zip(p, zf, *, device, trusted_types):
    meta = _read_zip_metadata(p, zf)
    nets = meta.get("nets") or []
    if nets:
        try:
            import safetensors  # noqa: F401

            from . import nn  # noqa: F401
        except ImportError as err:
            raise ImportError(
                f"{p} holds neural networks, which need torch, skorch and safetensors "
                f'({err}); install them with: pip install "sklearn-audiodigit[nn]"'
            ) from err
    _warn_versions(p, meta, with_torch=bool(nets))

    model = None
    part = meta.get("sklearn_part")
    if part is not None:
        import skops.io as sio

        data = zf.read(part)
        untrusted = sio.get_untrusted_types(data=data)
        allowed = set(TRUSTED_TYPES) | set(trusted_types)
        refused = sorted(set(untrusted) - allowed)
        if refused:
            raise UntrustedModelError(
                f"{p}: refers to types outside the allow-list, which were not loaded: "
                f"{', '.join(refused)}. If you know them, pass them in "
                "load_model(trusted_types=[...])"
            )
        model = sio.load(io.BytesIO(data), trusted=sorted(set(untrusted)))
    ensembles = meta.get("ensembles") or []
    copies = [{} for _ in ensembles]
    warned = set()
    placed = []
    for description in nets:
        net = _decode_net(
            description, zf.read(description["weights"]), device=device, path=p, warned=warned
        )
        k = description.get("ensemble")
        if k is None:
            placed.append((tuple(description["path"]), net))
        elif isinstance(k, int) and 0 <= k < len(ensembles):
            copies[k][int(description["copy"])] = net
        else:
            raise ModelFileError(
                f"{p}: a network belongs to ensemble {k!r}, which is not described"
            )
    for description, found in zip(ensembles, copies, strict=True):
        ensemble = _decode_ensemble(description, found, device=device, path=p, warned=warned)
        placed.append((tuple(description["path"]), ensemble))
    for path, net in placed:
        if model is None and path:
            raise ModelFileError(f"{p}: a network at step {path} but no pipeline")
        model = net if model is None else _set_at(model, path, net)
    if model is None:
        raise ModelFileError(f"{p}: the model file holds no model")
    return model, meta
