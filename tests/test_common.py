"""scikit-learn's estimator checks over every estimator of the package.

Estimators are discovered automatically (every public class of a public module
that derives from BaseEstimator), so a new estimator is checked without editing
this file. Estimators that do not take a 2-D numeric array (file paths, ragged
output) are listed in ``NOT_2D`` with the reason and have their own tests.
"""

import importlib
import inspect
import pkgutil

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_audiodigit
from sklearn_audiodigit.embeddings import speech_embedding_available

# modules that need optional extras are checked in their own test files
SKIP_MODULES = {"sklearn_audiodigit.nn", "sklearn_audiodigit.cli"}

NOT_2D = {
    "AudioReader": "takes file paths, not a numeric array (tests/test_preprocessing.py)",
    "TrimSilence": "returns clips of different lengths, never a 2-D array "
    "(tests/test_preprocessing.py)",
    "SpeedPerturbedClassifier": "meta-estimator over an audio pipeline: it resamples each row "
    "as a clip and hands the inner model clips of new lengths, which no 2-D estimator of the "
    "checks accepts (tests/augmentation/test_speed.py)",
    "WaveformAugmenter": "has no fit: a BaseEstimator only for get_params/clone, whose "
    "augment() draws training copies (tests/augmentation/test_augmenter.py)",
}

# fast settings per class, used in place of the defaults
FAST = {
    # one embedding window per clip (the shortest window allowed) instead of nine
    "SpeechEmbeddingExtractor": {"window": 0.79},
}

# estimators that need optional files; without them their checks are skipped (with the reason)
NEEDS_EMBEDDING = {"SpeechEmbeddingExtractor"}
EMBEDDING_MISSING = (
    "onnxruntime or the speech-embedding model files are missing "
    "(pip install onnxruntime; pip install openwakeword==0.5.1 --no-deps)"
)

# scikit-learn's checks want a row's output equal to 1e-7 whatever the other rows
# (their order, or a subset of them);
# the mel/chroma projection is a float32 BLAS product, which rounds a row by ~1e-7
# relative depending on where it falls in BLAS's blocks. The features' contract is a
# tolerance (per-clip librosa within atol=1e-4, rtol=1e-5; tests/test_features.py),
# and tests/test_features.py::test_batch_equals_one_by_one checks every clip of a
# batch against the clip alone, in any order and chunking, within it.
_ORDER = (
    "a row's float32 mel/chroma product rounds by ~1e-7 with its position in BLAS's "
    "blocks; batch = one by one within the contract's tolerance is tested in "
    "tests/test_features.py"
)
EXPECTED_FAILED = {
    name: {
        "check_methods_sample_order_invariance": _ORDER,
        # an MFCC near zero carries the mel product's rounding as an absolute error
        # of ~1e-6, over the check's atol (seen on an AMD EPYC, OpenBLAS, 2026-12-03)
        "check_methods_subset_invariance": _ORDER,
    }
    for name in ("MFCCExtractor", "LogMelExtractor", "ChromaExtractor")
}
# libsvm's sample weights rescale C per sample, which is not the same as repeating a
# sample; scikit-learn expects the same two failures of SVC itself
_LIBSVM_WEIGHTS = "libsvm: sample_weight is not equivalent to removing/repeating samples"
EXPECTED_FAILED["OneVsOneSumSVC"] = {
    "check_sample_weight_equivalence_on_dense_data": _LIBSVM_WEIGHTS,
    "check_sample_weight_equivalence_on_sparse_data": _LIBSVM_WEIGHTS,
}


def _discover():
    found = {}
    for mod in pkgutil.walk_packages(sklearn_audiodigit.__path__, "sklearn_audiodigit."):
        name = mod.name
        if any(part.startswith("_") for part in name.split(".")[1:]):
            continue
        if any(name == s or name.startswith(s + ".") for s in SKIP_MODULES):
            continue
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("sklearn_audiodigit")
                and not cls_name.startswith("_")
                and not inspect.isabstract(cls)
            ):
                found[cls_name] = cls
    return found


ALL_ESTIMATORS = _discover()


def _instances():
    out = []
    for name, cls in sorted(ALL_ESTIMATORS.items()):
        if name in NOT_2D:
            continue
        out.append(cls(**FAST.get(name, {})))
    return out


def test_discovery_finds_the_extractors():
    # guards the discovery itself: if it found nothing, the checks below would pass vacuously
    assert {"MFCCExtractor", "LogMelExtractor", "PadTrim", "PeakNormalizer"} <= set(ALL_ESTIMATORS)


def test_every_excluded_estimator_exists():
    assert set(NOT_2D) <= set(ALL_ESTIMATORS)


@parametrize_with_checks(
    _instances(), expected_failed_checks=lambda est: EXPECTED_FAILED.get(type(est).__name__, {})
)
def test_sklearn_compatible_estimator(estimator, check):
    if type(estimator).__name__ in NEEDS_EMBEDDING and not speech_embedding_available():
        pytest.skip(EMBEDDING_MISSING)
    check(estimator)


# --------------------------------------------------------------------- networks ([nn] extra)
# The networks themselves are checked in tests/nn/test_classifiers.py, with the failure
# skorch forces (check_no_attributes_set_in_init). The seed ensemble is a plain scikit-learn
# meta-estimator: every check runs, on two copies of a small MLP (2-D input, no
# augmentation, as for the networks' own checks).
def _nn_instances():
    try:
        import skorch  # noqa: F401
        import torch
    except ImportError:
        return []
    from sklearn_audiodigit.nn import FeedForwardClassifier, SeedEnsembleClassifier

    torch.set_num_threads(1)
    net = FeedForwardClassifier(
        hidden_layer_sizes=(32,), max_epochs=15, batch_size=32, lr=0.02, augment=None
    )
    return [SeedEnsembleClassifier(net, n_estimators=2, random_state=0)]


@parametrize_with_checks(_nn_instances())
def test_sklearn_compatible_network_meta_estimator(estimator, check):
    check(estimator)


# ------------------------------------------------------------ fit under _fit_context
def test_every_fit_runs_under_fit_context():
    # scikit-learn wraps every fit in @_fit_context (parameters validated once, nested
    # validation skipped or not); the decorator leaves functools.wraps' __wrapped__
    missing = [
        name
        for name, cls in sorted(ALL_ESTIMATORS.items())
        if callable(getattr(cls, "fit", None)) and not hasattr(cls.fit, "__wrapped__")
    ]
    assert missing == []
