"""Guard rail: a batch gives every clip the features it gets alone.

Real FSDD clips of the bundled sample at very different loudness (x0.003 to x1)
and lengths (ragged lists and a 2-D padded batch), through every extractor and
output. A batched engine that lets clips see each other (a shared dB floor, a
chunk boundary, padding frames counted as real) makes these fail. No timing here:
speed lives in ``benchmarks/``.
"""

import numpy as np
import pytest

from sklearn_audiodigit import PadTrim, _spectral
from sklearn_audiodigit import features as features_module
from sklearn_audiodigit.features import (
    ChromaExtractor,
    LogMelExtractor,
    MFCCExtractor,
    SpectrogramExtractor,
)

# matrix products of differently shaped blocks may round differently (float32)
ATOL = 1e-4
RTOL = 1e-6
GAINS = (1.0, 0.003, 0.3, 0.03, 1.0, 0.01)


@pytest.fixture(scope="module")
def ragged(fsdd_sample):
    """90 real clips, every other one much quieter, in their own (varied) lengths."""
    clips = fsdd_sample.data[::3][:90]
    return [(x * GAINS[i % len(GAINS)]).astype(np.float32) for i, x in enumerate(clips)]


@pytest.fixture(scope="module")
def padded(ragged):
    return PadTrim(duration=0.6, align="left").fit_transform(ragged)


EXTRACTORS = [
    MFCCExtractor(),
    MFCCExtractor(n_mels=16, deltas=1, output="grid", n_segments=8, log_duration=True),
    MFCCExtractor(deltas=2, normalize="meanvar", stats=("mean", "std", "min", "max")),
    LogMelExtractor(n_mels=32, output="grid"),
    LogMelExtractor(n_fft=512, hop_length=128, top_db=None),
    SpectrogramExtractor(stats=("mean", "max")),
    ChromaExtractor(),
]


def _one_by_one(est, X):
    return np.concatenate([est.transform(X[i : i + 1]) for i in range(len(X))])


@pytest.mark.parametrize("est", EXTRACTORS, ids=lambda e: repr(e)[:60])
@pytest.mark.parametrize("layout", ["ragged", "padded"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batch_equals_one_by_one(est, layout, n_jobs, request):
    X = request.getfixturevalue(layout)
    est = est.set_params(n_jobs=n_jobs)
    batch = est.fit(X).transform(X)
    alone = _one_by_one(est, X)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, alone, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("layout", ["ragged", "padded"])
def test_order_and_chunking_do_not_matter(layout, request, monkeypatch):
    """Reversing the batch, chunks of 7 clips, FFT blocks of 3 frames, change nothing."""
    X = request.getfixturevalue(layout)
    est = MFCCExtractor(deltas=1, output="grid").fit(X)
    ref = est.transform(X)
    np.testing.assert_allclose(est.transform(X[::-1])[::-1], ref, rtol=RTOL, atol=ATOL)
    monkeypatch.setattr(features_module, "_CHUNK", 7)
    monkeypatch.setattr(_spectral, "_BLOCK_BYTES", 3 * 4 * est.n_fft)
    monkeypatch.setattr(_spectral, "_GROUP_BYTES", 1)
    np.testing.assert_allclose(est.transform(X), ref, rtol=RTOL, atol=ATOL)


def test_padded_batch_frames_equal_librosa_per_clip(padded):
    """The 3-D frames of the 2-D batch equal librosa clip by clip (loud and quiet)."""
    librosa = pytest.importorskip("librosa")
    kw = dict(sr=8000, n_fft=256, hop_length=80, n_mels=40)
    mel = LogMelExtractor(output="frames", **kw).fit_transform(padded)
    mfcc = MFCCExtractor(output="frames", **kw).fit_transform(padded)
    for i, y in enumerate(padded):
        S = librosa.feature.melspectrogram(y=y, **kw)
        ref = librosa.power_to_db(S, top_db=80.0)
        np.testing.assert_allclose(mel[i], ref, atol=1e-4, rtol=1e-5)
        # librosa on the float32 clip, as users call it; the feature contract
        ref = librosa.feature.mfcc(y=y, n_mfcc=13, **kw)
        np.testing.assert_allclose(mfcc[i], ref, atol=1e-4, rtol=1e-5)
