"""save_model, load_model and read_model_metadata: a model to a file and back."""

import datetime
import io
import json
import zipfile
from pathlib import Path

from .._docstring import fill_doc
from ..exceptions import ModelFileError, UntrustedModelError
from ..utils._imports import import_skops_io
from ..utils._json import jsonable as _jsonable
from ._bounds import (
    check_max_bytes,
    check_nested_archive,
    check_safetensors,
    json_limit,
    read_member,
)
from ._format import (
    _FORMAT_VERSION_ENSEMBLE,
    _FORMAT_VERSION_NO_ENSEMBLE,
    _METADATA,
    _SKLEARN,
    FORMAT_VERSION,
    JOBLIB_FORMAT,
    MODEL_FORMAT,
    _open,
    _read_zip_metadata,
    _write_atomic,
)
from ._metadata import (
    RESERVED_KEYS,
    _classes,
    _describe_estimator,
    _ensemble_type,
    _feature_settings,
    _infer_sr,
    _is_ensemble,
    _qualname,
    _skorch_net_type,
    _versions,
    _warn_versions,
)

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
    "sklearn_audiodigit.embeddings.SpeechEmbeddingExtractor",
    "sklearn_audiodigit.augmentation.SpeedPerturbedClassifier",
    "sklearn_audiodigit.augmentation.WaveformAugmenter",
    "sklearn_audiodigit.svm.OneVsOneSumSVC",
    # Private helpers of CalibratedClassifierCV (SVC probabilities without the
    # deprecated probability=True), which skops does not list among its defaults.
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
)


#: Path element of a network inside a fitted SpeedPerturbedClassifier (its
#: ``estimator_``): ``["estimator_", "net"]`` is step ``net`` of the pipeline it wraps,
#: e.g. the cnn trained with channel copies. Files with such a path need format 3.
_INNER = "estimator_"


def _is_wrapper(model):
    """Whether ``model`` is a fitted SpeedPerturbedClassifier, whose nets the format reaches."""
    from ..augmentation import SpeedPerturbedClassifier

    return isinstance(model, SpeedPerturbedClassifier) and hasattr(model, "estimator_")


def _find_nets(model, net_type, prefix=()):
    """Yield ``(path, net)`` for every network or ensemble.

    Networks are found as the model itself, as Pipeline steps, and inside the
    ``estimator_`` of a fitted SpeedPerturbedClassifier (path element ``_INNER``).
    """
    from sklearn.pipeline import Pipeline

    if isinstance(model, net_type) or _is_ensemble(model):
        yield prefix, model
    elif isinstance(model, Pipeline):
        for name, step in model.steps:
            yield from _find_nets(step, net_type, prefix + (name,))
    elif _is_wrapper(model):
        yield from _find_nets(model.estimator_, net_type, prefix + (_INNER,))


def _check_no_hidden_nets(model, net_type, where="model"):
    """Raise if a network hides somewhere the format does not reach (e.g. a meta-estimator)."""
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
    params = model.get_params(deep=True)
    if _is_wrapper(model):
        # the fitted estimator_ is stored; the unfitted template (estimator) is rebuilt
        # from it on loading, so only the wrapper's other parameters are checked here
        _check_no_hidden_nets(model.estimator_, net_type, f"{where}.{_INNER}")
        params = {k: v for k, v in params.items() if k.split("__")[0] != "estimator"}
    for key, value in params.items():
        if isinstance(value, hidden):
            raise TypeError(
                f"{where} holds a neural network in {key!r}, outside a Pipeline step; the "
                "safe format stores networks (and SeedEnsembleClassifier) only as the "
                "model itself, as Pipeline steps, or inside a fitted "
                "SpeedPerturbedClassifier's pipeline. Save it with format='joblib' "
                "(loadable only with trust=True)."
            )


def _replace_nets(model, paths):
    """A shallow copy of ``model`` with the networks at ``paths`` set to ``"passthrough"``.

    Inside a SpeedPerturbedClassifier both the fitted ``estimator_`` and the unfitted
    template ``estimator`` (which holds the same steps, unfitted) lose their networks.
    """
    import copy

    if not paths:
        return model
    if () in paths:
        return None
    new = copy.copy(model)
    if _is_wrapper(model):
        sub = [p[1:] for p in paths if p[0] == _INNER]
        new.estimator_ = _replace_nets(model.estimator_, sub)
        new.estimator = _replace_nets(model.estimator, sub)
        return new
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
    """Put ``net`` back at ``path``; a SpeedPerturbedClassifier's template gets a clone."""
    from sklearn.base import clone

    if not path:
        return net
    if _is_wrapper(model) and path[0] == _INNER:
        model.estimator_ = _set_at(model.estimator_, path[1:], net)
        model.estimator = _set_at(model.estimator, path[1:], clone(net))
        return model
    steps = model.steps
    for i, (name, step) in enumerate(steps):
        if name == path[0]:
            steps[i] = (name, _set_at(step, path[1:], net))
            return model
    raise KeyError(path[0])


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
        model itself, Pipeline steps, or steps of the pipeline inside a fitted
        :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` (as in
        ``make_model("cnn")``), not parts of another meta-estimator.
    path : str or os.PathLike
        File to write. It is written through a temporary file in the same folder
        and moved into place in one step, so a failure leaves no partial file.
    metadata : dict, default=None
        Extra JSON-representable fields to record, e.g. ``{"sr": 8000,
        "model_name": "svc", "training_data": describe_training_data(y, ...)}``.
        ``sr`` and ``classes`` override the values read from the model. The keys
        ``format``, ``format_version``, ``created``, ``versions``, ``nets``,
        ``ensembles``, ``estimator`` and ``sklearn_part`` are reserved.
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
    reserved = sorted(set(metadata) & set(RESERVED_KEYS))
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
    if nets:
        from ..nn import _codec
    for net_path, net in nets:
        if _is_ensemble(net):
            description, copies = _codec._encode_ensemble(net, len(net_records))
            description["path"] = list(net_path)
            for i, (copy_description, weights) in enumerate(copies):
                copy_description.update(path=list(net_path), ensemble=len(ensemble_records), copy=i)
                net_records.append(copy_description)
                members[copy_description["weights"]] = weights
            ensemble_records.append(description)
            continue
        name = f"nets/{len(net_records)}.safetensors"
        description, weights = _codec._encode_net(net, name)
        description["path"] = list(net_path)
        net_records.append(description)
        members[name] = weights
    rest = _replace_nets(model, [p for p, _ in nets])
    if rest is not None:
        sio = import_skops_io()

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
        record["format_version"] = _FORMAT_VERSION_ENSEMBLE
    if any(_INNER in path for path, _ in nets):
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


@fill_doc
def read_model_metadata(path, *, trust=False, max_bytes=None):
    """Read what a model file records, without building the model.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_model` (or ``audiodigit train``).
    trust : bool, default=False
        Needed for joblib/pickle files, which must be unpickled to be read.
    %(max_bytes)s

    Returns
    -------
    metadata : dict
        ``format``, ``format_version``, ``created``, ``versions`` (library name ->
        version), ``estimator``, ``sr`` (Hz), ``classes``, ``feature_settings``
        (step -> class and parameters; for a pipeline inside a meta-estimator such
        as :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier`,
        ``"wrapper"`` first, with the meta-estimator's own parameters, and
        ``"calibration"`` for a ``CalibratedClassifierCV`` around that),
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
        If the file is missing, empty, truncated, corrupted, not a model file, or
        declares more than the limits (``max_bytes``, member count, compression
        ratio, JSON size and depth);
        :class:`~sklearn_audiodigit.exceptions.UntrustedModelError` for a pickle
        without ``trust=True``. The message names the file (and the limit).
    ValueError
        If ``max_bytes`` is not a positive int or None.
    """
    max_bytes = check_max_bytes(max_bytes)
    kind, p, zf = _open(path, trust=trust, max_bytes=max_bytes)
    if kind == "pickle":
        return _load_pickle(p)[1]
    with zf:
        try:
            meta = _read_zip_metadata(p, zf, max_bytes=max_bytes)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise ModelFileError(f"{p}: truncated or corrupted model file ({err})") from err
    for net in meta.get("nets") or ():
        net.pop("history", None)
    return meta


@fill_doc
def load_model(
    path, *, trust=False, device=None, trusted_types=(), return_metadata=False, max_bytes=None
):
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
    %(max_bytes)s

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
        corrupted, not a model file, written by a newer format version, or
        declares more than the limits (``max_bytes``, member count, compression
        ratio, JSON size and depth, safetensors and ``.npy`` headers that do not
        match their data); its
        subclass :class:`~sklearn_audiodigit.exceptions.UntrustedModelError` if it
        is a pickle and ``trust`` is False, or refers to types outside the
        allow-list. The message names the file. Nothing in the file is executed
        before these checks.
    ValueError
        If ``max_bytes`` is not a positive int or None.
    ImportError
        If the model holds networks and torch, skorch or safetensors is missing.

    Warns
    -----
    ModelVersionWarning
        If the file was written with other versions of sklearn-audiodigit,
        scikit-learn, or (for networks) torch and skorch.
    """
    max_bytes = check_max_bytes(max_bytes)
    kind, p, zf = _open(path, trust=trust, max_bytes=max_bytes)
    if kind == "pickle":
        model, meta = _load_pickle(p)
        _warn_versions(p, meta, with_torch="torch" in (meta.get("versions") or {}))
        return (model, meta) if return_metadata else model
    with zf:
        try:
            model, meta = _load_zip(
                p, zf, device=device, trusted_types=tuple(trusted_types), max_bytes=max_bytes
            )
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


def _load_zip(p, zf, *, device, trusted_types, max_bytes):
    meta = _read_zip_metadata(p, zf, max_bytes=max_bytes)
    nets = meta.get("nets") or []
    # Every member is read and its own headers checked before any library that
    # parses it (skops, safetensors, torch) is imported: a hostile file is
    # refused in milliseconds, not after seconds of imports.
    part = meta.get("sklearn_part")
    data = None
    if part is not None:
        data = read_member(p, zf, part, limit=max_bytes)
        check_nested_archive(p, data, where=part, max_bytes=max_bytes)
    weights = []
    for description in nets:
        name = description["weights"]
        weights.append(read_member(p, zf, name, limit=max_bytes))
        check_safetensors(p, name, weights[-1], max_bytes=json_limit(max_bytes))
    if nets:
        try:
            import safetensors  # noqa: F401

            from ..nn import _codec
        except ImportError as err:
            raise ImportError(
                f"{p} holds neural networks, which need torch, skorch and safetensors "
                f'({err}); install them with: pip install "sklearn-audiodigit[nn]"'
            ) from err
    _warn_versions(p, meta, with_torch=bool(nets))

    model = None
    if part is not None:
        sio = import_skops_io()

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
    for description, data in zip(nets, weights, strict=True):
        net = _codec._decode_net(description, data, device=device, path=p, warned=warned)
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
        ensemble = _codec._decode_ensemble(description, found, device=device, path=p, warned=warned)
        placed.append((tuple(description["path"]), ensemble))
    for path, net in placed:
        if model is None and path:
            raise ModelFileError(f"{p}: a network at step {path} but no pipeline")
        model = net if model is None else _set_at(model, path, net)
    if model is None:
        raise ModelFileError(f"{p}: the model file holds no model")
    if placed and not hasattr(model, "predict"):
        # e.g. a network described at another step than the one left "passthrough"
        raise ModelFileError(
            f"{p}: the rebuilt {type(model).__name__} cannot predict (its networks are not "
            "where the file says they were taken out)"
        )
    return model, meta
