"""The networks' weights-only codec: a fitted network to JSON + safetensors and back.

A network of this package is stored as its class name and parameters, the fitted
state skorch and our subclasses keep beside the module (labels, input shape, steps
per epoch, feature names, history) and the module's tensors as safetensors; it is
rebuilt by one of the four classes of :mod:`sklearn_audiodigit.nn`, looked up by
name in a fixed table. skorch's own pickling is never used, since it unpickles the
torch state freely. :mod:`sklearn_audiodigit.persistence` calls
:func:`_encode_net`, :func:`_decode_net`, :func:`_encode_ensemble` and
:func:`_decode_ensemble`, and knows nothing of skorch's internals.
"""

import json
import warnings

import numpy as np

from ..exceptions import ModelFileError, UntrustedModelError
from ..persistence._metadata import _qualname
from ..utils._json import jsonable as _jsonable


def _net_classes():
    from ._classifiers import (
        CNNClassifier,
        FeedForwardClassifier,
        ResNetClassifier,
        RNNClassifier,
    )

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
            from ._augmentation import FrameAugmenter

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
    from ._ensemble import SeedEnsembleClassifier

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
