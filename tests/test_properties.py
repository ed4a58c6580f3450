"""Properties of the waveform transformers, extractors, reader and model files (hypothesis).

The profile is registered in tests/conftest.py: ``ci`` (the default) is
derandomised with 20 examples per property; ``HYPOTHESIS_PROFILE=dev`` explores more.
"""

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_audiodigit import AudioValueError
from sklearn_audiodigit.features import (
    ChromaExtractor,
    LogMelExtractor,
    MFCCExtractor,
    SpectrogramExtractor,
)
from sklearn_audiodigit.io import read_audio
from sklearn_audiodigit.persistence import load_model, save_model
from sklearn_audiodigit.pipelines import make_svc_pipeline
from sklearn_audiodigit.preprocessing import PadTrim, PeakNormalizer, Resampler, TrimSilence

EXTRACTORS = [
    MFCCExtractor(),
    MFCCExtractor(output="grid", deltas=2, n_segments=4, log_duration=True),
    LogMelExtractor(normalize="meanvar", stats=("mean", "std", "min", "max")),
    SpectrogramExtractor(deltas=1),
    ChromaExtractor(),
]
TRANSFORMERS = [TrimSilence(), PadTrim(length=500), PeakNormalizer(), Resampler(orig_sr=16000)]
ALL = EXTRACTORS + TRANSFORMERS
IDS = [type(e).__name__ + ("_grid" if getattr(e, "output", "") == "grid" else "") for e in ALL]


def clip(min_size=1, max_size=3000):
    """A finite float32 clip in [-1, 1]: noise, silence, constants and spikes."""
    values = arrays(
        np.float32,
        st.integers(min_size, max_size),
        elements=st.floats(-1, 1, width=32, allow_subnormal=False),
    )
    shaped = st.tuples(
        st.integers(min_size, max_size), st.floats(0, 1), st.integers(0, 2**32 - 1)
    ).map(lambda a: _noise(*a))
    return st.one_of(values, shaped)


def _noise(n, amp, seed):
    rng = np.random.default_rng(seed)
    return (amp * rng.uniform(-1, 1, n)).astype(np.float32)


clips = st.lists(clip(), min_size=1, max_size=4)


def _n_coef(est):
    if isinstance(est, MFCCExtractor):
        n = est.n_mfcc
    elif isinstance(est, LogMelExtractor):
        n = est.n_mels
    elif isinstance(est, SpectrogramExtractor):
        n = est.n_fft // 2 + 1
    else:
        n = est.n_chroma
    return n * (1 + est.deltas)


def _transform(est, X):
    try:
        return est.fit_transform(X)
    except AudioValueError as err:
        # the one documented refusal of valid input: too short to resample
        assert isinstance(est, Resampler) and "too short to resample" in str(err)
        assert min(len(x) for x in X) < 2 * est.orig_sr / est.target_sr
        return None


@pytest.mark.parametrize("est", ALL, ids=IDS)
@given(X=clips)
def test_finite_output_and_documented_shape(est, X):
    out = _transform(est, X)
    if out is None:
        return
    if isinstance(est, (TrimSilence, PeakNormalizer, Resampler)):
        # ragged in, ragged out; equal-length clips are a 2-D batch (the data contract)
        assert len(out) == len(X) and (out.dtype == object or out.dtype == np.float32)
        for x, y in zip(X, out, strict=True):
            assert y.dtype == np.float32 and y.ndim == 1 and len(y) >= 1
            assert np.isfinite(y).all()
            if isinstance(est, TrimSilence):
                assert len(y) <= len(x)
            if isinstance(est, PeakNormalizer):
                assert len(y) == len(x)
                assert np.abs(y).max() == pytest.approx(1.0 if x.any() else 0.0, rel=1e-5)
        return
    assert out.dtype == np.float32 and np.isfinite(out).all()
    if isinstance(est, PadTrim):
        assert out.shape == (len(X), 500)
    elif est.output == "grid":
        assert out.shape == (len(X), _n_coef(est) * est.n_segments + 1)
    else:
        assert out.shape == (len(X), _n_coef(est) * len(est.stats))
    assert len(est.get_feature_names_out()) == out.shape[1]


@given(n_clips=st.integers(1, 3), n=st.integers(1, 2000), seed=st.integers(0, 1000))
def test_frames_shape(n_clips, n, seed):
    X = np.random.default_rng(seed).uniform(-1, 1, (n_clips, n)).astype(np.float32)
    est = LogMelExtractor(output="frames", n_mels=20, deltas=1)
    out = est.fit_transform(X)
    assert out.shape == (n_clips, 40, 1 + n // est.hop_length)
    assert out.dtype == np.float32 and np.isfinite(out).all()


@pytest.mark.parametrize("est", ALL, ids=IDS)
@given(X=clips)
def test_a_batch_equals_its_clips_one_by_one(est, X):
    batch = _transform(est, X)
    if batch is None:
        return
    for i, x in enumerate(X):
        one = est.fit_transform([x])
        got = batch[i] if batch.dtype == object else batch[i]
        np.testing.assert_allclose(
            np.asarray(got, np.float64), np.asarray(one[0], np.float64), atol=1e-4, rtol=1e-5
        )


@pytest.mark.parametrize("est", ALL, ids=IDS)
@given(n=st.integers(2, 2000), seed=st.integers(0, 1000))
def test_float32_and_float64_input_agree(est, n, seed):
    x64 = np.random.default_rng(seed).uniform(-1, 1, (2, n))
    a = _transform(est, x64)
    if a is None:
        return
    b = est.fit_transform(x64.astype(np.float32))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(u, np.float64), np.asarray(v, np.float64), atol=1e-3)


@given(
    n=st.integers(2, 20000),
    rates=st.sampled_from(
        [(8000, 16000), (16000, 8000), (44100, 8000), (48000, 8000), (8000, 22050)]
    ),
)
def test_resampling_changes_the_length_by_the_ratio_of_rates(n, rates):
    orig, target = rates
    x = np.zeros((1, n), np.float32)
    expected = n * target / orig
    if expected < 1:
        with pytest.raises(AudioValueError, match="too short"):
            Resampler(orig_sr=orig, target_sr=target).fit_transform(x)
        return
    out = Resampler(orig_sr=orig, target_sr=target).fit_transform(x)
    assert abs(out.shape[1] - expected) <= 1
    ragged = Resampler(orig_sr=orig, target_sr=target).fit_transform([x[0], x[0, : n // 2 + 1]])
    assert len(ragged[0]) == out.shape[1]


@settings(max_examples=10)
@given(
    n=st.integers(1, 3000),
    channels=st.integers(1, 6),
    sr=st.sampled_from([8000, 16000, 44100]),
    seed=st.integers(0, 1000),
)
def test_mono_averaging_is_idempotent(n, channels, sr, seed):
    data = np.random.default_rng(seed).uniform(-1, 1, (n, channels)).astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "multi.wav"
        sf.write(path, data, sr, subtype="FLOAT")
        mono, rate = read_audio(path, sr=None)
        both, _ = read_audio(path, sr=None, mono=False)
        assert rate == sr and mono.shape == (n,) and both.shape == (channels, n)
        np.testing.assert_allclose(mono, data.mean(axis=1), atol=1e-6)
        np.testing.assert_allclose(mono, both.mean(axis=0), atol=1e-6)
        again = Path(d) / "mono.wav"
        sf.write(again, mono, sr, subtype="FLOAT")
        np.testing.assert_array_equal(read_audio(again, sr=None)[0], mono)


@pytest.fixture(scope="module")
def model_pair(tmp_path_factory, fsdd_sample):
    keep = fsdd_sample.take == 0
    model = make_svc_pipeline(random_state=0).fit(fsdd_sample.data[keep], fsdd_sample.target[keep])
    path = tmp_path_factory.mktemp("props") / "m.model"
    save_model(model, path)
    return model, load_model(path)


@settings(max_examples=10)
@given(X=st.lists(clip(min_size=50, max_size=6000), min_size=1, max_size=3))
def test_a_saved_and_loaded_model_predicts_the_same(model_pair, X):
    model, loaded = model_pair
    np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), loaded.predict_proba(X), atol=1e-12)


def test_profile_is_derandomised():
    # the CI profile must not depend on the run: no flaky failures
    import os

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize and settings.default.deadline is None
    assert math.isfinite(settings.default.max_examples)
