"""A pretrained speech front end: Google's speech_embedding as a transformer.

:class:`SpeechEmbeddingExtractor` turns waveforms into the 96-dimensional frames
of Google's ``speech_embedding`` model (Lin et al., "Training keyword spotters with
limited and synthesized speech data", ICASSP 2020, arXiv:2002.01322), run with
onnxruntime from the two ONNX files that openWakeWord ships
(``melspectrogram.onnx``: 16 kHz audio -> 32 log-mel bands every 10 ms;
``embedding_model.onnx``: windows of 76 mel frames, every 8 frames -> 96
numbers, one embedding frame every 80 ms). Trained on many voices, it
generalises to speakers and microphones that FSDD's six men do not cover.

The model files are not part of this package. They are looked for, in order:

1. the extractor's ``model_dir`` parameter, else the ``AUDIODIGIT_EMBEDDING_DIR``
   environment variable;
2. an installed ``openwakeword`` package (``openwakeword/resources/models/``;
   ``pip install openwakeword==0.5.1 --no-deps`` installs it without its
   dependencies, some of which do not install on Python 3.12+);
3. the download cache that :func:`fetch_speech_embedding` fills
   (``<data_home>/speech_embedding``, ``data_home`` as for the datasets).

Speed. With the ``onnx`` package (in the ``[embedding]`` extra) the two files are
edited once into models that take batches of whole clips (same outputs, about four
times faster); the edited copies are kept in ``$AUDIODIGIT_CACHE_DIR``, else the
user's cache folder (``~/.cache/sklearn-audiodigit`` on Linux), never next to the
files. See :class:`SpeechEmbeddingExtractor`'s notes.

Licence. openWakeWord's code is Apache-2.0; its README puts its bundled models
(these two files among them) under CC BY-NC-SA 4.0 (non-commercial, share-alike),
while naming Google's speech_embedding, released under Apache-2.0, as the source
of the embedding model. Check that this fits your use before using the files.
"""

import numbers
import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._config import DEFAULT_SR
from .exceptions import AudioValueError, EmbeddingModelError
from .features import _STATS
from .utils._validation import validate_waveforms

__all__ = [
    "SpeechEmbeddingExtractor",
    "fetch_speech_embedding",
    "find_speech_embedding",
    "speech_embedding_available",
    "EMBEDDING_FILES",
    "EMBEDDING_LICENSE",
    "HOW_TO_GET",
]

#: The two ONNX files and their SHA-256 (as in the openwakeword 0.5.1 wheel and
#: its GitHub release v0.5.1).
EMBEDDING_FILES = {
    "melspectrogram.onnx": "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
    "embedding_model.onnx": "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f",
}
#: Where :func:`fetch_speech_embedding` downloads them from (openWakeWord's own
#: ``download_models`` uses this release for its feature models).
RELEASE_URL = "https://github.com/dscripka/openWakeWord/releases/download/v0.5.1/"
#: Environment variable naming a folder that holds the two files.
EMBEDDING_DIR_ENV = "AUDIODIGIT_EMBEDDING_DIR"
#: What a user should know before using the files (shown by ``audiodigit info``).
EMBEDDING_LICENSE = (
    "speech_embedding model files (melspectrogram.onnx, embedding_model.onnx) from "
    "openWakeWord 0.5.1: openWakeWord's code is Apache-2.0; its README puts its bundled "
    "models under CC BY-NC-SA 4.0 (non-commercial, share-alike), while naming Google's "
    "Apache-2.0 speech_embedding (Lin et al., ICASSP 2020, arXiv:2002.01322) as the source. "
    "The files are not part of sklearn-audiodigit."
)
#: One sentence on how to get the model files (the error messages and the CLI quote it).
HOW_TO_GET = (
    "pip install 'sklearn-audiodigit[embedding]' and either "
    "'pip install openwakeword==0.5.1 --no-deps' (the files ship in its wheel) or "
    "python -c 'import sklearn_audiodigit.embeddings as e; e.fetch_speech_embedding()' "
    f"(downloads them from {RELEASE_URL}, verified by SHA-256); or set "
    f"{EMBEDDING_DIR_ENV} to a folder holding them"
)

_MODEL_SR = 16000  # the model's rate
_HOP = 160  # mel hop, samples at 16 kHz (10 ms)
_N_MELS = 32
_WINDOW = 76  # mel frames per embedding window
_STEP = 8  # mel frames between embedding windows (80 ms)
_N_DIMS = 96
# the mel model gives ceil(n_samples / 160 - 3) frames: the shortest clip with one
# embedding window has (76 + 3) * 160 samples (0.79 s)
_MIN_SAMPLES = (_WINDOW + 3) * _HOP
_INT16 = 32767.0  # the model takes 16-bit PCM values as float
_MODEL_FILES = ("melspectrogram.onnx", "embedding_model.onnx")


class _UnexpectedGraph(ValueError):
    """An ONNX file whose graph is not the one the fast path was written for."""


def _initializer(graph, name):
    """The value of initializer ``name`` of ``graph``, as a numpy array, or None."""
    from onnx import numpy_helper

    for t in graph.initializer:
        if t.name == name:
            return numpy_helper.to_array(t)
    return None


def _drop_unused_initializers(graph):
    used = {i for node in graph.node for i in node.input} | {o.name for o in graph.output}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)


def _mel_without_floor(model):
    """``melspectrogram.onnx`` cut before its dB floor, and that floor's ``top_db``.

    The file ends ``Clip(x, ReduceMax(x) - top_db, inf)``, the maximum taken over its
    whole input (every clip of a batch). Its graph is cut to output ``x``, so that the
    floor can be applied per clip (``SpeechEmbeddingExtractor._embed_batch``) with
    the same float32 operations: the model then takes a batch of clips, each clip's
    values unchanged.
    """
    g = model.graph
    ops = [n.op_type for n in g.node]
    if ops[-5:] != ["ReduceMax", "Constant", "Sub", "Cast", "Clip"] or len(g.output) != 1:
        raise _UnexpectedGraph("melspectrogram.onnx does not end with its dB floor")
    reduce, const, sub, _, clip = g.node[-5:]
    x = reduce.input[0]
    from onnx import TensorProto, helper, numpy_helper

    attrs = {a.name: helper.get_attribute_value(a) for a in reduce.attribute}
    upper = _initializer(g, clip.input[2]) if len(clip.input) == 3 else None
    if (
        len(reduce.input) != 1  # no axes: the maximum of the whole input
        or attrs.get("keepdims") != 0
        or "axes" in attrs
        or clip.input[0] != x
        or clip.output[0] != g.output[0].name
        or sub.input != [reduce.output[0], const.output[0]]
        or [a.name for a in const.attribute] != ["value"]
        or upper is None
        or not np.isposinf(upper)
    ):
        raise _UnexpectedGraph("melspectrogram.onnx's dB floor is not Clip(x, max(x) - top_db)")
    top_db = numpy_helper.to_array(const.attribute[0].t)
    del g.node[-5:]
    dims = [d.dim_param or d.dim_value for d in g.output[0].type.tensor_type.shape.dim]
    del g.output[:]
    g.output.extend([helper.make_tensor_value_info(x, TensorProto.FLOAT, dims)])
    _drop_unused_initializers(g)
    return model, np.float32(top_db)


def _embedding_over_time(model):
    """``embedding_model.onnx`` taking a whole mel sequence instead of one window.

    The network is convolutional in time (unpadded convolutions, three poolings of
    stride 2 in time): over ``T >= 76`` mel frames it gives one 96-dim frame for each
    76-frame window at a step of 8 frames, equal to running it window by window,
    with the overlapping windows' shared work done once (about a fifth of the work
    for the nine windows of a 1.5 s clip). Its fixed shapes are generalised: the
    input's time axis, the first ``Reshape`` (to ``(n, 1, T, 32)``); the last
    ``Reshape`` is removed, so it outputs ``(n, 96, n_frames, 1)``.
    """
    from onnx import TensorProto, helper, numpy_helper

    g = model.graph
    first, last = g.node[0], g.node[-1]
    uses = [i for node in g.node for i in node.input]
    first_shape = _initializer(g, first.input[1]) if len(first.input) == 2 else None
    last_shape = _initializer(g, last.input[1]) if len(last.input) == 2 else None
    if (
        first.op_type != "Reshape"
        or last.op_type != "Reshape"
        or len(g.input) != 1
        or first.input[0] != g.input[0].name
        or last.output[0] != g.output[0].name
        or first_shape is None
        or first_shape.tolist() != [-1, 1, _WINDOW, _N_MELS]
        or uses.count(first.input[1]) != 1
        or last_shape is None
        or last_shape.tolist() != [-1, 1, 1, _N_DIMS]
    ):
        raise _UnexpectedGraph("embedding_model.onnx is not the expected network")
    for i, t in enumerate(g.initializer):
        if t.name == first.input[1]:
            shape = np.array([0, 1, -1, _N_MELS], dtype=np.int64)  # 0: keep n
            g.initializer[i].CopyFrom(numpy_helper.from_array(shape, t.name))
    g.input[0].type.tensor_type.shape.dim[1].dim_param = "time"
    out = last.input[0]
    del g.node[-1]
    del g.output[:]
    dims = ["n", _N_DIMS, "frames", 1]
    g.output.extend([helper.make_tensor_value_info(out, TensorProto.FLOAT, dims)])
    _drop_unused_initializers(g)
    return model


#: Environment variable naming the folder where the models edited for batches of
#: whole clips are kept (default: the user's cache folder, ``sklearn-audiodigit``).
CACHE_DIR_ENV = "AUDIODIGIT_CACHE_DIR"
_FAST_VERSION = "1"  # of the edits below: a new version makes new cached files
_TOP_DB_KEY = "audiodigit_top_db"  # metadata of the edited mel model: its dB floor


def _cache_dir():
    """The folder of the edited models, without creating it."""
    folder = os.environ.get(CACHE_DIR_ENV)
    if not folder:
        try:
            import platformdirs

            folder = platformdirs.user_cache_dir("sklearn-audiodigit")
        except ImportError:  # pooch's dependency; a fallback all the same
            folder = Path("~") / ".cache" / "sklearn-audiodigit"
    return Path(folder).expanduser() / "speech_embedding"


def _edit_models(mel_bytes, emb_bytes):
    """Both models edited for batches of whole clips, serialised; None if not possible."""
    try:
        import onnx
    except ImportError:
        return None
    from google.protobuf.message import DecodeError

    try:
        mel, top_db = _mel_without_floor(onnx.load_model_from_string(mel_bytes))
        emb = _embedding_over_time(onnx.load_model_from_string(emb_bytes))
    except (_UnexpectedGraph, IndexError, DecodeError):
        return None
    onnx.helper.set_model_props(mel, {_TOP_DB_KEY: repr(float(top_db))})
    return mel.SerializeToString(), emb.SerializeToString()


def _fast_models(folder, *, refresh=False):
    """The two models edited to take batches of whole clips, or None.

    ``melspectrogram.onnx`` is cut before its dB floor (``_mel_without_floor``;
    the floor, kept in the model's metadata under ``audiodigit_top_db``, is then
    applied per clip) and ``embedding_model.onnx`` takes whole mel sequences
    (``_embedding_over_time``). The edits need the ``onnx`` package, whose import
    takes most of a second, so the edited models are kept in the cache folder
    (``$AUDIODIGIT_CACHE_DIR``, else the user's cache folder; a sub-folder named
    after the SHA-256 of the two files) and later sessions load them from there. The
    files themselves are never changed. An unwritable cache only costs the edit at
    every session.

    Parameters
    ----------
    folder : pathlib.Path
        The folder holding the two files (:func:`find_speech_embedding`).
    refresh : bool, default=False
        Edit again even if the cache holds the edited models (a cached copy that
        does not load).

    Returns
    -------
    models : tuple of (str or bytes) or None
        The edited mel and embedding models (cached paths, or serialised bytes when
        the cache is not writable); None when ``onnx`` is not installed or a file is
        not the graph the edits were written for: the files then run as they are.
    """
    import hashlib

    sources = [(folder / name).read_bytes() for name in _MODEL_FILES]
    digest = hashlib.sha256(b"".join(hashlib.sha256(b).digest() for b in sources)).hexdigest()
    cached = _cache_dir() / f"batched-v{_FAST_VERSION}-{digest[:16]}"
    paths = [cached / name for name in _MODEL_FILES]
    if not refresh and all(p.is_file() for p in paths):
        return tuple(str(p) for p in paths)
    edited = _edit_models(*sources)
    if edited is None:
        return None
    try:
        cached.mkdir(parents=True, exist_ok=True)
        for path, data in zip(paths, edited, strict=True):
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)  # never a half-written model under the final name
    except OSError:
        return edited
    return tuple(str(p) for p in paths)


def _data_cache(data_home=None):
    """The download folder, without creating it."""
    if data_home is None:
        from .datasets._base import DATA_HOME_ENV

        data_home = os.environ.get(DATA_HOME_ENV) or Path("~") / "audiodigit_data"
    return Path(data_home).expanduser().absolute() / "speech_embedding"


def _openwakeword_dir():
    """``resources/models`` of an installed openwakeword, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("openwakeword")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "models"


def _has_files(folder):
    return folder is not None and all((Path(folder) / f).is_file() for f in EMBEDDING_FILES)


def find_speech_embedding(model_dir=None):
    """Return the folder that holds ``melspectrogram.onnx`` and ``embedding_model.onnx``.

    Looks in ``model_dir``, else ``$AUDIODIGIT_EMBEDDING_DIR``; then an installed
    ``openwakeword`` package's ``resources/models/``; then the download cache of
    :func:`fetch_speech_embedding`. Nothing is downloaded.

    Parameters
    ----------
    model_dir : str, os.PathLike or None, default=None
        A folder holding the two files. When given (or when the environment
        variable is set), it is the only place looked at.

    Returns
    -------
    folder : pathlib.Path
        The folder holding both files.

    Raises
    ------
    EmbeddingModelError
        (an :class:`OSError`) if the files are not found; the message lists the
        places looked at and how to get the files.
    """
    explicit = model_dir if model_dir is not None else os.environ.get(EMBEDDING_DIR_ENV) or None
    if explicit is not None:
        folder = Path(explicit).expanduser()
        if _has_files(folder):
            return folder
        raise EmbeddingModelError(
            f"the speech-embedding model files {sorted(EMBEDDING_FILES)} are not in "
            f"{str(folder)!r} (model_dir / {EMBEDDING_DIR_ENV}); to get them: {HOW_TO_GET}"
        )
    candidates = [_openwakeword_dir(), _data_cache()]
    for folder in candidates:
        if _has_files(folder):
            return folder
    looked = ", ".join(str(c) for c in candidates if c is not None)
    raise EmbeddingModelError(
        f"the speech-embedding model files {sorted(EMBEDDING_FILES)} were not found "
        f"(looked in: {looked}); to get them: {HOW_TO_GET}"
    )


def speech_embedding_available(model_dir=None):
    """Whether onnxruntime is installed and the model files are found.

    Parameters
    ----------
    model_dir : str, os.PathLike or None, default=None
        As for :func:`find_speech_embedding`.

    Returns
    -------
    available : bool
        True when :class:`SpeechEmbeddingExtractor` can run here.
    """
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return False
    try:
        find_speech_embedding(model_dir)
    except EmbeddingModelError:
        return False
    return True


def fetch_speech_embedding(data_home=None, *, download_if_missing=True, verbose=False):
    """Download the speech-embedding model files into a cache, verified by SHA-256.

    ``melspectrogram.onnx`` and ``embedding_model.onnx`` are downloaded from
    openWakeWord's GitHub release v0.5.1 (``RELEASE_URL``) with pooch, checked
    against :data:`EMBEDDING_FILES` and kept in ``<data_home>/speech_embedding``,
    where :class:`SpeechEmbeddingExtractor` finds them. A verified copy is reused.
    Read the licence first (module docstring, :data:`EMBEDDING_LICENSE`):
    openWakeWord puts these files under CC BY-NC-SA 4.0.

    Parameters
    ----------
    data_home : str, os.PathLike or None, default=None
        Cache root, as for the datasets: ``None`` means ``$AUDIODIGIT_DATA``, else
        ``~/audiodigit_data``.
    download_if_missing : bool, default=True
        If False and the files are not in the cache, raise instead of downloading.
    verbose : bool, default=False
        Let pooch report the download.

    Returns
    -------
    folder : pathlib.Path
        The folder holding both verified files.

    Raises
    ------
    EmbeddingModelError
        (an :class:`OSError`) if a file is missing with
        ``download_if_missing=False``, cannot be downloaded, or its SHA-256 does
        not match (the corrupt download is not kept).
    """
    import pooch

    from .datasets._base import _pooch_log_level
    from .datasets._fsdd import _sha256

    folder = _data_cache(data_home)
    for name, sha in EMBEDDING_FILES.items():
        path = folder / name
        if path.is_file() and _sha256(path) == sha:
            continue
        if not download_if_missing:
            raise EmbeddingModelError(
                f"{name} is not in {str(folder)!r} and download_if_missing=False; "
                f"to get it: {HOW_TO_GET}"
            )
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with _pooch_log_level(verbose):
                pooch.retrieve(
                    url=RELEASE_URL + name,
                    known_hash=f"sha256:{sha}",
                    fname=name,
                    path=folder,
                    progressbar=False,
                )
        except (OSError, ValueError) as err:  # network errors; pooch's hash mismatch
            raise EmbeddingModelError(
                f"could not download a verified {name} from {RELEASE_URL + name}: {err}"
            ) from err
    return folder


class SpeechEmbeddingExtractor(TransformerMixin, BaseEstimator):
    """Google's speech_embedding frames of each clip, pooled or as a sequence.

    Each clip is resampled from ``sr`` to 16 kHz (soxr), scaled to 16-bit PCM
    values, centred in a window of ``window`` seconds of zeros (or cut to its
    centre ``window`` seconds when longer), turned into 32 log-mel bands every
    10 ms by the model's own ``melspectrogram.onnx`` (with openWakeWord's
    ``x / 10 + 2`` rescaling, which matches Google's TensorFlow front end), and
    every 76 mel frames (0.76 s), stepping by 8 (80 ms), into 96 numbers by
    ``embedding_model.onnx``. Source: Lin et al., "Training keyword spotters with
    limited and synthesized speech data", ICASSP 2020 (arXiv:2002.01322); the
    ONNX files are openWakeWord 0.5.1's (see the module docstring for where they
    are found and their licence). Needs the ``[embedding]`` extra (onnxruntime).

    A 1.5 s window gives 9 embedding frames. Centring every clip in the same
    window gives every clip the same number of frames at the same positions, so
    the pooled statistics see the same amount of silence around short words
    (measured against frames over the whole clip in ``benchmarks/README.md``).

    Parameters
    ----------
    sr : int, default=8000
        Sampling rate of the waveforms, in Hz.
    window : float or None, default=1.5
        Length, in seconds, of the zero window each clip is centred in; a longer
        clip keeps its centre ``window`` seconds. Must be at least 0.79 s (one
        embedding window). ``None``: frames over the whole clip, a clip shorter
        than 0.79 s centred in 0.79 s of zeros.
    output : {"stats", "frames"}, default="stats"
        ``"stats"``: the ``stats`` of each of the 96 dimensions over the frames,
        2-D. ``"frames"``: every frame, 3-D ``(n_clips, 96, n_frames)`` for the
        networks; with ``window=None`` it needs clips of equal length.
    stats : tuple of str, default=("mean", "std")
        Statistics over the frames for ``output="stats"``, from ``"mean"``,
        ``"std"``, ``"min"``, ``"max"``.
    model_dir : str, os.PathLike or None, default=None
        Folder holding the two ONNX files; ``None`` searches as the module
        docstring says.
    n_threads : int, default=1
        Threads of each onnxruntime session (``intra_op_num_threads``; waiting
        threads sleep rather than spin).
    batch_size : int, default=16
        Clips of equal length (after the window rule) per onnxruntime call. A
        clip's result does not depend on the batch it is in (``atol=1e-4`` in the
        tests; measured equal); small batches stay in the CPU's caches
        (``benchmarks/README.md``).

    Attributes
    ----------
    n_features_in_ : int
        Samples per clip seen in ``fit`` (2-D input only).

    See Also
    --------
    sklearn_audiodigit.features.MFCCExtractor : features computed from scratch.

    Notes
    -----
    The onnxruntime sessions are created on first use and never pickled, so a
    fitted pipeline pickles and saves with
    :func:`~sklearn_audiodigit.persistence.save_model` without the model files,
    and finds them again where it is loaded.

    Speed. The two files are meant for streaming: the mel model floors its dB
    values against the maximum of its whole input (so it takes one clip per call),
    and the embedding model takes one 76-frame window per row (the 9 windows of a
    1.5 s clip overlap by 68 frames). With the ``onnx`` package (part of the
    ``[embedding]`` extra) they are edited once into models that take batches of
    whole clips, with the floor applied per clip and the overlapping windows
    computed once (``_fast_models``; kept in ``$AUDIODIGIT_CACHE_DIR`` or the
    user's cache folder, never next to the files): the same outputs, about four
    times faster. Without ``onnx``, or with other model files, the files run as
    they are.

    Examples
    --------
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> SpeechEmbeddingExtractor().fit_transform(X[:3]).shape  # doctest: +SKIP
    (3, 192)
    """

    _parameter_constraints: dict = {
        "sr": [Interval(numbers.Real, 0, None, closed="neither")],
        "window": [Interval(numbers.Real, _MIN_SAMPLES / _MODEL_SR, None, closed="left"), None],
        "output": [StrOptions({"stats", "frames"})],
        "stats": [tuple, list],
        "model_dir": [str, os.PathLike, None],
        "n_threads": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        sr=DEFAULT_SR,
        window=1.5,
        output="stats",
        stats=("mean", "std"),
        model_dir=None,
        n_threads=1,
        batch_size=16,
    ):
        self.sr = sr
        self.window = window
        self.output = output
        self.stats = stats
        self.model_dir = model_dir
        self.n_threads = n_threads
        self.batch_size = batch_size

    # -- onnxruntime sessions, created lazily and never pickled -----------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_sessions", None)
        return state

    def _get_sessions(self):
        """The mel and embedding sessions (created once per model folder and thread count).

        ``self._sessions`` is ``(key, mel, emb, top_db)``: ``top_db`` is the mel
        model's dB floor when the sessions run the models edited by
        ``_fast_models`` (batches of whole clips), None when they run the files
        as they are.
        """
        key = (None if self.model_dir is None else str(self.model_dir), self.n_threads)
        cached = getattr(self, "_sessions", None)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        try:
            import onnxruntime as ort
            from onnxruntime.capi.onnxruntime_pybind11_state import (
                Fail,
                InvalidGraph,
                InvalidProtobuf,
                NoSuchFile,
            )
        except ImportError as err:
            raise ImportError(
                "SpeechEmbeddingExtractor needs onnxruntime: pip install "
                "'sklearn-audiodigit[embedding]'"
            ) from err
        folder = find_speech_embedding(self.model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.n_threads
        options.inter_op_num_threads = 1
        # threads that wait for work sleep instead of spinning: with 2 threads on a
        # shared 2-core machine spinning halved the throughput (benchmarks/README.md)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3

        def load(models):
            return [
                ort.InferenceSession(m, sess_options=options, providers=["CPUExecutionProvider"])
                for m in models
            ]

        models = _fast_models(folder)
        try:
            mel, emb = load(models or [str(folder / n) for n in _MODEL_FILES])
        except (Fail, InvalidGraph, InvalidProtobuf, NoSuchFile):
            if models is None:
                raise
            # a cached edited copy that does not load (damaged on disk): edit again
            models = _fast_models(folder, refresh=True)
            mel, emb = load(models or [str(folder / n) for n in _MODEL_FILES])
        top_db = mel.get_modelmeta().custom_metadata_map.get(_TOP_DB_KEY)
        top_db = None if top_db is None else np.float32(top_db)
        self._sessions = (key, mel, emb, top_db)
        return mel, emb

    # -- estimator API ---------------------------------------------------------------
    def _check_params(self):
        self._validate_params()
        bad = [s for s in self.stats if s not in _STATS]
        if bad or len(self.stats) == 0:
            raise ValueError(f"stats must be a non-empty subset of {_STATS}, got {self.stats!r}")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters, the input and that the model files are found.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz, equal-length 2-D or ragged.
        y : None
            Ignored.

        Returns
        -------
        self : object
            This extractor.

        Raises
        ------
        ValueError
            If a parameter or ``X`` is invalid (the message names it).
        EmbeddingModelError
            If the model files are not found (the message says how to get them).
        ImportError
            If onnxruntime is not installed.
        """
        self._check_params()
        validate_waveforms(self, X, reset=True)
        self._get_sessions()
        return self

    def _to_model_input(self, X):
        """Clips at 16 kHz, int16-scaled, in windows: list of float32 arrays."""
        import soxr

        if self.window is None:
            target = None
        else:
            target = int(round(self.window * _MODEL_SR))
        out = []
        for x in X:
            x = np.asarray(x, dtype=np.float32)
            if self.sr != _MODEL_SR:
                x = soxr.resample(x, self.sr, _MODEL_SR).astype(np.float32, copy=False)
            n_out = max(len(x), _MIN_SAMPLES) if target is None else target
            if len(x) > n_out:  # keep the centre
                start = (len(x) - n_out) // 2
                y = x[start : start + n_out]
            else:  # centre in zeros
                y = np.zeros(n_out, dtype=np.float32)
                start = (n_out - len(x)) // 2
                y[start : start + len(x)] = x
            out.append(y * np.float32(_INT16))
        return out

    def _embed_batch(self, clips, mel, emb, top_db):
        """Embedding frames (n, n_frames, 96) of equal-length clips."""
        if top_db is not None:  # the edited models (_fast_models): one call each
            spec = mel.run(None, {"input": np.stack(clips)})[0][:, 0]  # (n, T, 32)
            # the file's floor, Clip(x, max(x) - top_db, inf), per clip
            floor = spec.max(axis=(1, 2)) - top_db
            spec = np.maximum(spec, floor[:, None, None]) / 10.0 + 2.0
            n_frames = (spec.shape[1] - _WINDOW) // _STEP + 1
            frames = emb.run(None, {"input_1": spec[..., None]})[0]  # (n, 96, frames, 1)
            return frames[:, :, :n_frames, 0].transpose(0, 2, 1)
        # the files as they are: the mel model floors its dB values against the maximum
        # of its whole input (as power_to_db(top_db=80) does), so a batch would make
        # each clip's features depend on its neighbours: one clip per call
        spec = np.stack([mel.run(None, {"input": c[None]})[0][0, 0] for c in clips])
        spec = spec / 10.0 + 2.0  # (n, T, 32)
        n, n_mel = spec.shape[:2]
        starts = range(0, n_mel - _WINDOW + 1, _STEP)
        windows = np.stack([spec[:, s : s + _WINDOW] for s in starts], axis=1)
        n_frames = windows.shape[1]
        windows = windows.reshape(n * n_frames, _WINDOW, _N_MELS, 1).astype(np.float32)
        frames = emb.run(None, {"input_1": windows})[0]
        return frames.reshape(n, n_frames, _N_DIMS)

    def _embed(self, X):
        """List of (n_frames_i, 96) float32 arrays, one per clip."""
        mel, emb = self._get_sessions()
        top_db = self._sessions[3]
        clips = self._to_model_input(X)
        lengths = np.array([len(c) for c in clips])
        result = [None] * len(clips)
        # equal-length clips share a batch (one length with a fixed window)
        for length in np.unique(lengths):
            idx = np.flatnonzero(lengths == length)
            for i in range(0, len(idx), self.batch_size):
                part = idx[i : i + self.batch_size]
                frames = self._embed_batch([clips[j] for j in part], mel, emb, top_db)
                for j, f in zip(part, frames, strict=True):
                    result[j] = f
        return result

    def transform(self, X):
        """Compute the embedding of every clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_samples), or sequence of 1-D arrays
            Waveforms at ``sr`` Hz. Integer PCM is scaled to [-1, 1).

        Returns
        -------
        X_new : ndarray, float32
            ``(n_clips, 96 * len(stats))`` for ``output="stats"`` (columns
            ordered dimension by dimension, as :meth:`get_feature_names_out`
            says); ``(n_clips, 96, n_frames)`` for ``output="frames"``, with
            ``n_frames = (n_mel - 76) // 8 + 1`` and ``n_mel = ceil(n / 160) - 3``
            for ``n`` samples at 16 kHz (9 frames for the default 1.5 s window).

        Raises
        ------
        ValueError
            If ``X`` is not valid waveforms, or ``output="frames"`` with
            ``window=None`` is asked of clips of different lengths.
        EmbeddingModelError
            If the model files are not found.
        """
        self._check_params()
        X = validate_waveforms(self, X, reset=False)
        frames = self._embed(X)
        if self.output == "frames":
            if len({f.shape[0] for f in frames}) > 1:
                raise AudioValueError(
                    "output='frames' with window=None needs clips of equal length to give "
                    "a 3-D array; set window (seconds) or use output='stats'"
                )
            return np.ascontiguousarray(np.stack(frames).transpose(0, 2, 1), dtype=np.float32)
        out = np.empty((len(frames), _N_DIMS * len(self.stats)), dtype=np.float32)
        for i, f in enumerate(frames):
            f = f.astype(np.float64)
            cols = []
            for stat in self.stats:
                if stat == "mean":
                    cols.append(f.mean(axis=0))
                elif stat == "std":
                    cols.append(f.std(axis=0))
                elif stat == "min":
                    cols.append(f.min(axis=0))
                else:
                    cols.append(f.max(axis=0))
            out[i] = np.stack(cols, axis=1).reshape(-1)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Ignored (the output names depend only on the parameters).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"emb<d>_<stat>"`` (e.g. ``"emb0_mean"``, ``"emb95_std"``), 96 times
            ``len(stats)``.

        Raises
        ------
        ValueError
            For ``output="frames"``, whose 3-D result has no feature columns.
        """
        self._check_params()
        if self.output == "frames":
            raise ValueError("output='frames' gives a 3-D array without feature names")
        names = [f"emb{d}_{s}" for d in range(_N_DIMS) for s in self.stats]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
