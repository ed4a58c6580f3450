"""Ready-to-use models trained on all of FSDD, shipped in the package.

Each bundled model is a safe model file (:func:`~sklearn_audiodigit.persistence.save_model`:
JSON, skops and no pickle) in ``sklearn_audiodigit/pretrained_models/``, built
reproducibly by ``tools/build_pretrained.py``, with a model card in its metadata
(``"model_card"``: training data and its licence, measured accuracies, versions).

- ``"embed-svc"``: the head of :func:`~sklearn_audiodigit.pipelines.make_embed_svc_pipeline`
  on Google's speech embedding. Only the small head is bundled; the embedding's
  ONNX files are not (CC BY-NC-SA 4.0 per openWakeWord): it needs the
  ``[embedding]`` extra and the files (see :mod:`sklearn_audiodigit.embeddings`).
- ``"svc"``: the MFCC SVC of :func:`~sklearn_audiodigit.pipelines.make_svc_pipeline`,
  which needs nothing beyond the base install.

``load_pretrained()`` with no name picks the best one that runs here.
"""

from pathlib import Path

__all__ = [
    "PRETRAINED_MODELS",
    "pretrained_path",
    "default_pretrained",
    "load_pretrained",
    "pretrained_card",
]

_FOLDER = Path(__file__).parent / "pretrained_models"

#: Bundled models, best first: name -> file in ``pretrained_models/``.
PRETRAINED_MODELS = {"embed-svc": "embed-svc.model", "svc": "svc.model"}


def _check_name(name):
    if name not in PRETRAINED_MODELS:
        raise ValueError(
            f"unknown pretrained model {name!r}; choose from {', '.join(PRETRAINED_MODELS)}"
        )


def pretrained_path(name):
    """Path of the bundled model file ``name``.

    Parameters
    ----------
    name : {"embed-svc", "svc"}
        The bundled model.

    Returns
    -------
    path : pathlib.Path
        Its model file inside the installed package.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled model.
    FileNotFoundError
        If the file is missing from this installation.
    """
    _check_name(name)
    path = _FOLDER / PRETRAINED_MODELS[name]
    if not path.is_file():
        raise FileNotFoundError(
            f"the pretrained model {name!r} is not in this installation ({path}); "
            "build it with 'python tools/build_pretrained.py'"
        )
    return path


def default_pretrained():
    """The name of the best bundled model that runs here.

    Returns
    -------
    name : str
        ``"embed-svc"`` when onnxruntime and the speech-embedding model files are
        available (:func:`~sklearn_audiodigit.embeddings.speech_embedding_available`)
        and the file is bundled, else ``"svc"``.
    """
    from .embeddings import speech_embedding_available

    if (_FOLDER / PRETRAINED_MODELS["embed-svc"]).is_file() and speech_embedding_available():
        return "embed-svc"
    return "svc"


def load_pretrained(name=None, *, return_metadata=False):
    """Load a bundled model trained on all of FSDD.

    Parameters
    ----------
    name : {"embed-svc", "svc"} or None, default=None
        The model; ``None`` means :func:`default_pretrained`.
    return_metadata : bool, default=False
        Also return the file's metadata (its ``"model_card"`` among it).

    Returns
    -------
    model : fitted estimator
        A classifier from waveforms (1-D float32 clips at ``metadata["sr"]`` Hz,
        8000) to digits 0-9, with ``predict`` and ``predict_proba``.
    metadata : dict
        Only when ``return_metadata=True``.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled model.
    FileNotFoundError
        If its file is missing from this installation.

    Examples
    --------
    >>> from sklearn_audiodigit import load_pretrained
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> model = load_pretrained("svc")
    >>> model.predict(X[:3]).shape
    (3,)
    """
    from .persistence import load_model

    if name is None:
        name = default_pretrained()
    return load_model(pretrained_path(name), return_metadata=return_metadata)


def pretrained_card(name=None):
    """The model card of a bundled model.

    Parameters
    ----------
    name : {"embed-svc", "svc"} or None, default=None
        The model; ``None`` means :func:`default_pretrained`.

    Returns
    -------
    card : dict
        ``name``, ``description``, ``training_data`` (with its licence and
        attribution), ``accuracy`` (measured figures with their protocols),
        ``licence`` notes, ``built_with`` (the command), and the file's
        ``versions``.

    Raises
    ------
    ValueError
        If ``name`` is not a bundled model.
    FileNotFoundError
        If its file is missing from this installation.
    """
    from .persistence import read_model_metadata

    if name is None:
        name = default_pretrained()
    meta = read_model_metadata(pretrained_path(name))
    card = dict(meta.get("model_card") or {})
    card.setdefault("name", name)
    card["versions"] = meta.get("versions")
    card["file"] = str(pretrained_path(name))
    return card
