"""Tests of the options added while tuning the default pipeline for accuracy.

``log_duration`` on the spectral extractors, and the default SVC pipeline that uses
it; synthetic, seeded signals only.
"""

import numpy as np
import pytest
from sklearn.base import clone

from sklearn_audiodigit.features import (
    ChromaExtractor,
    LogMelExtractor,
    MFCCExtractor,
    SpectrogramExtractor,
)
from sklearn_audiodigit.pipelines import make_svc_pipeline

EXTRACTORS = [MFCCExtractor, LogMelExtractor, SpectrogramExtractor, ChromaExtractor]


@pytest.fixture
def clips():
    rng = np.random.default_rng(0)
    lengths = [1148, 3358, 8000, 200]  # FSDD's shortest, median, 1 s, shorter than n_fft
    out = []
    for i, n in enumerate(lengths):
        t = np.arange(n) / 8000
        gain = 10.0 ** (-3 * i)  # 60 dB of loudness between the first and the third clip
        x = gain * (np.sin(2 * np.pi * (300 + 200 * i) * t) + 0.1 * rng.standard_normal(n))
        out.append(x.astype(np.float32))
    return out


@pytest.mark.parametrize("cls", EXTRACTORS)
@pytest.mark.parametrize("output", ["grid", "stats"])
def test_log_duration_appends_one_column(cls, output, clips):
    plain = cls(output=output).fit_transform(clips)
    est = cls(output=output, log_duration=True)
    with_duration = est.fit_transform(clips)
    assert with_duration.dtype == np.float32
    assert with_duration.shape == (len(clips), plain.shape[1] + 1)
    np.testing.assert_array_equal(with_duration[:, :-1], plain)
    expected = np.log([len(x) / 8000 for x in clips])
    np.testing.assert_allclose(with_duration[:, -1], expected, rtol=1e-6)
    names = est.get_feature_names_out()
    assert len(names) == with_duration.shape[1]
    assert names[-1] == "log_duration"


def test_log_duration_uses_sr():
    X = np.zeros((2, 4000), dtype=np.float32)
    out = MFCCExtractor(sr=16000, output="grid", log_duration=True).fit_transform(X)
    np.testing.assert_allclose(out[:, -1], np.log(0.25), rtol=1e-6)


def test_log_duration_is_batch_invariant(clips):
    est = MFCCExtractor(n_mels=16, deltas=1, output="grid", log_duration=True)
    batch = est.fit_transform(clips)
    for i, x in enumerate(clips):
        alone = est.transform([x])
        np.testing.assert_allclose(batch[i], alone[0], atol=1e-4)


def test_log_duration_refuses_frames():
    X = np.zeros((2, 800), dtype=np.float32)
    with pytest.raises(ValueError, match="log_duration"):
        MFCCExtractor(output="frames", log_duration=True).fit(X)


def test_log_duration_is_validated():
    X = np.zeros((2, 800), dtype=np.float32)
    with pytest.raises(ValueError, match="log_duration"):
        MFCCExtractor(log_duration="yes").fit(X)


def test_log_duration_pandas_output(clips):
    pd = pytest.importorskip("pandas")
    est = MFCCExtractor(output="grid", log_duration=True).set_output(transform="pandas")
    frame = est.fit_transform(clips)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns[-1] == "log_duration"


def test_default_svc_pipeline_uses_duration(clips):
    model = make_svc_pipeline().estimator  # the pipeline inside the augmenting wrapper
    features = model.named_steps["features"]
    assert features.log_duration and features.n_mels == 16 and features.output == "grid"
    Z = clone(model[:-1]).fit_transform(clips)
    # 13 MFCCs + 13 deltas on 8 segments, then the weighted duration column
    assert Z.shape == (len(clips), 26 * 8 + 1)
    np.testing.assert_allclose(Z[:, :-1].mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z[:, -1].std(), 3.0, rtol=1e-5)


def test_default_svc_pipeline_fits_and_predicts(clips):
    y = np.array([0, 1, 0, 1])
    model = make_svc_pipeline(random_state=0)
    model.fit(clips * 3, np.tile(y, 3))
    assert model.predict(clips).shape == (len(clips),)
