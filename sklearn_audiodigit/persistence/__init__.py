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
version 1, which earlier releases read. A network or ensemble in the pipeline of
a fitted :class:`~sklearn_audiodigit.augmentation.SpeedPerturbedClassifier` (the
``estimator_`` that ``make_model("cnn")`` trains on channel copies) is found
there too (step path ``["estimator_", "net"]``) and put back on loading, with an
unfitted clone in the wrapper's ``estimator``; such files are format version 3.

:func:`load_model` reads that format; joblib/pickle files load only with
``trust=True``. Every problem with a file (missing, empty, truncated, corrupted,
foreign, untrusted) raises :class:`~sklearn_audiodigit.exceptions.ModelFileError`
naming it. Before anything is inflated, what the file declares (member sizes,
their total against ``max_bytes``, compression ratios, member counts, the size and
depth of its JSON, the headers of the archive and tensors it nests) is checked,
so a decompression bomb is refused at once (``_bounds``).

Layout: ``_format`` (zip layout, sniffing, ``metadata.json``, atomic writes),
``_bounds`` (what opening a file may cost), ``_metadata`` (the description of a
model and ``audiodigit info``'s text of it), ``_model`` (save, load, read); the
networks' codec is ``sklearn_audiodigit.nn._codec``, beside the networks.
"""

from ._bounds import MAX_BYTES
from ._format import JOBLIB_FORMAT, MODEL_FORMAT
from ._metadata import describe_training_data
from ._model import TRUSTED_TYPES, load_model, read_model_metadata, save_model

__all__ = [
    "save_model",
    "load_model",
    "read_model_metadata",
    "describe_training_data",
    "TRUSTED_TYPES",
    "MODEL_FORMAT",
    "JOBLIB_FORMAT",
    "MAX_BYTES",
]
