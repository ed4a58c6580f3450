"""Tests of the batched spectral extractors against per-clip librosa."""

import warnings

import librosa
import numpy as np
import pytest
from _bad_inputs import _check_error, array_input_tests
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_audiodigit import _spectral
from sklearn_audiodigit import features as features_module
from sklearn_audiodigit.exceptions import AudioValueError
from sklearn_audiodigit.features import (
    ChromaExtractor,
    LogMelExtractor,
    MFCCExtractor,
    SpectrogramExtractor,
)
from sklearn_audiodigit.preprocessing import PadTrim, Resampler

SR = 8000
# the feature contract: every value within atol + rtol * |librosa's| (float32's own
# spacing at MFCC c0 values near 1,000 is 6e-5 to 1.2e-4)
ATOL = 1e-4
RTOL = 1e-5
STAT_FUNCS = {"mean": np.mean, "std": np.std, "min": np.min, "max": np.max}


def _quiet(fn):
    """Call librosa without its 'n_fft too large' warning on short clips."""

    def wrapped(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)

    return wrapped


# reference implementations: plain per-clip librosa calls, keyword arguments only
@_quiet
def ref_mfcc(x, n_mfcc=13, n_fft=256, hop_length=80, n_mels=40, fmin=0.0, fmax=None):
    return librosa.feature.mfcc(
        y=x,
        sr=SR,
        n_mfcc=n_mfcc,
        n_fft=n_fft,
        hop_length=hop_length,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
    )


@_quiet
def ref_logmel(x, n_fft=256, hop_length=80, n_mels=40, fmin=0.0, fmax=None):
    S = librosa.feature.melspectrogram(
        y=x, sr=SR, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax
    )
    return librosa.power_to_db(S, top_db=80.0)


@_quiet
def ref_spec(x, n_fft=256, hop_length=80):
    S = np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop_length)) ** 2
    return librosa.power_to_db(S, top_db=80.0)


@_quiet
def ref_chroma(x, n_fft=256, hop_length=80):
    return librosa.feature.chroma_stft(y=x, sr=SR, n_fft=n_fft, hop_length=hop_length, tuning=0.0)


CASES = {
    "mfcc": (MFCCExtractor, ref_mfcc, {}),
    "mfcc_custom": (
        MFCCExtractor,
        ref_mfcc,
        {"n_mfcc": 20, "n_fft": 512, "hop_length": 128, "n_mels": 32, "fmin": 60.0, "fmax": 3800.0},
    ),
    "logmel": (LogMelExtractor, ref_logmel, {}),
    "logmel_custom": (
        LogMelExtractor,
        ref_logmel,
        {"n_fft": 200, "hop_length": 50, "n_mels": 24, "fmax": 3000.0},
    ),
    "spectrogram": (SpectrogramExtractor, ref_spec, {}),
    "chroma": (ChromaExtractor, ref_chroma, {}),
}


def _max_diff(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def _close(actual, desired):
    """Within the feature contract of per-clip librosa (``desired``)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape, (actual.shape, desired.shape)
    np.testing.assert_allclose(actual, desired, atol=ATOL, rtol=RTOL)


def _stats(frames, stats):
    """(n_coef * len(stats),) per-coefficient statistics, coefficient-major."""
    return np.stack([STAT_FUNCS[s](frames, axis=1) for s in stats], axis=1).ravel()


# -- equality with per-clip librosa -----------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_frames_equal_librosa(case, fsdd_clips):
    cls, ref, params = CASES[case]
    est = cls(output="frames", **params)
    for x in fsdd_clips:
        out = est.fit_transform(x[None, :])
        assert out.dtype == np.float32
        assert out.shape[0] == 1
        _close(out[0], ref(x, **params))


@pytest.mark.parametrize("gain", [1.0, 0.03, 0.001])
@pytest.mark.parametrize(
    "params",
    [{}, {"n_mfcc": 20, "n_fft": 2048, "hop_length": 512, "n_mels": 128}],
    ids=["defaults", "librosa_defaults"],
)
def test_whole_sample_equals_librosa(params, gain, fsdd_sample):
    """The contract on every clip of the sample (1 s), loud to 60 dB quieter.

    c0 included: it sums the dB values of all mel bands and reaches ~1e3, where
    float32's own spacing is 6e-5 to 1.2e-4, hence the relative part.
    """
    X = PadTrim(duration=1.0, align="left").fit_transform(fsdd_sample.data)
    X = (X * np.float32(gain)).astype(np.float32)
    mfcc = MFCCExtractor(output="frames", **params).fit_transform(X)
    _close(mfcc, np.stack([ref_mfcc(x, **params) for x in X]))
    mel_params = {k: v for k, v in params.items() if k != "n_mfcc"}
    logmel = LogMelExtractor(output="frames", **mel_params).fit_transform(X)
    _close(logmel, np.stack([ref_logmel(x, **mel_params) for x in X]))


@pytest.mark.parametrize("case", list(CASES))
def test_stats_of_ragged_batch_equal_librosa(case, fsdd_clips):
    cls, ref, params = CASES[case]
    stats = ("mean", "std", "min", "max")
    out = cls(stats=stats, **params).fit_transform(fsdd_clips)
    assert out.dtype == np.float32
    expected = np.stack([_stats(ref(x, **params), stats) for x in fsdd_clips])
    _close(out, expected)


def test_stats_column_names_point_at_the_right_values(fsdd_clips):
    est = MFCCExtractor(deltas=1, stats=("mean", "std", "max"))
    out = est.fit_transform(fsdd_clips)
    names = list(est.get_feature_names_out())
    assert len(names) == out.shape[1] == 13 * 2 * 3
    for i, x in enumerate(fsdd_clips):
        frames = ref_mfcc(x)
        delta = librosa.feature.delta(frames, width=9, order=1, mode="nearest")
        _close(out[i, names.index("mfcc3_mean")], frames[3].mean())
        _close(out[i, names.index("mfcc3_std")], frames[3].std())
        _close(out[i, names.index("mfcc0_max")], frames[0].max())
        _close(out[i, names.index("mfcc3_d1_mean")], delta[3].mean())
        _close(out[i, names.index("mfcc12_d1_std")], delta[12].std())


# -- a batch equals each clip alone -----------------------------------------------------


@pytest.mark.parametrize("case", ["mfcc", "logmel", "spectrogram", "chroma"])
def test_60_db_louder_neighbour_changes_nothing(case, fsdd_sample):
    cls, ref, params = CASES[case]
    loud = PadTrim(length=6000).fit_transform([fsdd_sample.data[40]])[0]
    other = PadTrim(length=6000).fit_transform([fsdd_sample.data[200]])[0]
    loud = loud / np.abs(loud).max()
    quiet = other / np.abs(other).max() * np.float32(1e-3)  # 60 dB below
    X = np.stack([loud, quiet]).astype(np.float32)

    est = cls(output="frames", **params)
    batch = est.fit_transform(X)
    alone = [est.fit_transform(X[i : i + 1])[0] for i in range(2)]
    for i in range(2):
        _close(batch[i], alone[i])
        _close(batch[i], ref(X[i], **params))


def test_naive_2d_librosa_is_neighbour_dependent_ours_is_not(fsdd_sample):
    loud = PadTrim(length=6000).fit_transform([fsdd_sample.data[40]])[0]
    quiet = PadTrim(length=6000).fit_transform([fsdd_sample.data[200]])[0]
    loud = loud / np.abs(loud).max()
    quiet = quiet / np.abs(quiet).max() * np.float32(1e-3)
    X = np.stack([loud, quiet]).astype(np.float32)

    naive = librosa.feature.mfcc(y=X, sr=SR, n_mfcc=13, n_fft=256, hop_length=80, n_mels=40)
    per_clip = ref_mfcc(quiet)
    ours = MFCCExtractor(output="frames").fit_transform(X)
    # librosa's top_db floor is taken against the loud neighbour's maximum
    assert _max_diff(naive[1], per_clip) > 10.0
    _close(naive[0], ref_mfcc(loud))
    _close(ours[1], per_clip)


@pytest.mark.parametrize("output", ["stats", "grid"])
def test_ragged_batch_equals_one_at_a_time(fsdd_sample, output):
    # 100 clips of different lengths: several chunks, sorted by length inside
    clips = list(fsdd_sample.data[::3])
    est = MFCCExtractor(output=output, deltas=2)
    batch = est.fit_transform(clips)
    assert batch.shape == (len(clips), 13 * 3 * (2 if output == "stats" else 8))
    for i in range(0, len(clips), 9):
        alone = est.fit_transform(clips[i][None, :])[0]
        _close(batch[i], alone)
    threaded = MFCCExtractor(output=output, deltas=2, n_jobs=2).fit_transform(clips)
    assert _max_diff(batch, threaded) == 0.0


def test_ragged_batch_deltas_equal_librosa(fsdd_clips):
    # each clip's deltas see mode="nearest" at its own end, not its zero padding
    stats = ("mean", "std", "min", "max")
    out = MFCCExtractor(deltas=2, stats=stats).fit_transform(fsdd_clips)
    for i, x in enumerate(fsdd_clips):
        frames = ref_mfcc(x)
        d1 = librosa.feature.delta(frames, width=9, order=1, mode="nearest")
        d2 = librosa.feature.delta(frames, width=9, order=2, mode="nearest")
        expected = _stats(np.concatenate([frames, d1, d2]), stats)
        _close(out[i], expected)


# -- deltas, grid -----------------------------------------------------------------------


@pytest.mark.parametrize("n_samples", [5000, 400])  # 63 frames, and fewer than the width
def test_deltas_equal_librosa_delta_nearest(fsdd_sample, n_samples):
    x = PadTrim(length=n_samples).fit_transform([fsdd_sample.data[77]])[0]
    out = MFCCExtractor(deltas=2, output="frames").fit_transform(x[None, :])[0]
    frames = ref_mfcc(x)
    assert out.shape == (39, frames.shape[1])
    _close(out[:13], frames)
    d1 = librosa.feature.delta(frames, width=9, order=1, mode="nearest")
    d2 = librosa.feature.delta(frames, width=9, order=2, mode="nearest")
    _close(out[13:26], d1)
    _close(out[26:], d2)


def test_delta_width(fsdd_clips):
    x = fsdd_clips[1]
    out = LogMelExtractor(deltas=1, delta_width=5, output="frames").fit_transform(x[None])[0]
    frames = ref_logmel(x)
    d1 = librosa.feature.delta(frames, width=5, order=1, mode="nearest")
    _close(out[40:], d1)


def _segment_means(frames, n_segments):
    """Means of n_segments equal, consecutive runs of frames (needs divisibility)."""
    n_coef, n_frames = frames.shape
    assert n_frames % n_segments == 0
    return frames.reshape(n_coef, n_segments, n_frames // n_segments).mean(axis=2)


def test_grid_equals_mean_of_each_segment(fsdd_sample):
    # lengths whose frame counts (1 + n // 80) are 48, 64 and 24: divisible by 8
    lengths = (3760, 5040, 1840)
    long_enough = [x for x in fsdd_sample.data if len(x) >= max(lengths)]
    clips = [x[:n] for x, n in zip(long_enough[::7], lengths, strict=False)]
    assert [len(c) for c in clips] == list(lengths)
    est = MFCCExtractor(output="grid", n_segments=8)
    out = est.fit_transform(clips)  # ragged: each clip's grid is its own
    names = list(est.get_feature_names_out())
    assert out.shape == (3, 13 * 8) and len(names) == out.shape[1]
    for i, x in enumerate(clips):
        expected = _segment_means(ref_mfcc(x), 8)
        _close(out[i].reshape(13, 8), expected)
        _close(out[i, names.index("mfcc3_t5")], expected[3, 5])


def test_grid_with_fewer_frames_than_segments():
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 240).astype(np.float32)  # 4 frames
    out = LogMelExtractor(output="grid", n_segments=8).fit_transform(x[None])[0]
    frames = ref_logmel(x)
    grid = out.reshape(40, 8)
    assert np.isfinite(grid).all()
    # every segment is one of the clip's own frames
    for j in range(8):
        assert min(_max_diff(grid[:, j], frames[:, t]) for t in range(4)) <= ATOL + RTOL * 100


# -- short, silent and integer input ----------------------------------------------------


@pytest.mark.parametrize(
    "cls", [MFCCExtractor, LogMelExtractor, SpectrogramExtractor, ChromaExtractor]
)
def test_short_and_silent_clips_are_finite(cls):
    rng = np.random.default_rng(3)
    clips = [
        rng.uniform(-0.5, 0.5, 10).astype(np.float32),  # shorter than n_fft
        np.array([0.3], np.float32),  # one sample
        np.zeros(4000, np.float32),  # silence
        rng.uniform(-0.5, 0.5, 3000).astype(np.float32),
    ]
    for output in ("stats", "grid"):
        out = cls(output=output, deltas=2).fit_transform(clips)
        assert out.shape[0] == 4
        assert np.isfinite(out).all()
    frames = cls(output="frames", deltas=1).fit_transform(np.zeros((2, 10), np.float32))
    assert frames.shape[2] == 1 and np.isfinite(frames).all()


def test_short_and_silent_clips_equal_librosa():
    rng = np.random.default_rng(4)
    clips = [
        rng.uniform(-0.5, 0.5, 10).astype(np.float32),
        np.array([0.3], np.float32),
        np.zeros(800, np.float32),
    ]
    for x in clips:
        out = MFCCExtractor(output="frames").fit_transform(x[None])[0]
        assert out.shape == (13, 1 + len(x) // 80)
        _close(out, ref_mfcc(x))


@pytest.mark.parametrize("case", ["mfcc", "logmel", "chroma"])
def test_int16_equals_float_over_32768(case, fsdd_clips):
    cls, _, params = CASES[case]
    ints = [np.round(x * 20000).astype(np.int16) for x in fsdd_clips]
    floats = [(x / 32768.0).astype(np.float32) for x in ints]
    est = cls(**params)
    _close(est.fit_transform(ints), est.fit_transform(floats))
    X16 = PadTrim(length=3000).fit_transform(floats)
    X16 = np.round(X16 * 32768).astype(np.int16)
    out = cls(output="frames", **params).fit_transform(X16)
    assert out.dtype == np.float32
    ref = cls(output="frames", **params).fit_transform(X16.astype(np.float32) / 32768)
    _close(out, ref)


def test_float64_input_gives_float32(fsdd_clips):
    X = PadTrim(length=4000).fit_transform(fsdd_clips)
    a = MFCCExtractor().fit_transform(X)
    b = MFCCExtractor().fit_transform(X.astype(np.float64))
    assert a.dtype == b.dtype == np.float32
    _close(a, b)


def test_input_is_not_modified(fsdd_clips):
    clips = [x.copy() for x in fsdd_clips]
    MFCCExtractor(deltas=2, normalize="meanvar").fit_transform(clips)
    for a, b in zip(clips, fsdd_clips, strict=True):
        np.testing.assert_array_equal(a, b)


# -- normalisation ----------------------------------------------------------------------


def test_normalize_mean_and_meanvar(fsdd_clips):
    x = fsdd_clips[1]
    frames = ref_mfcc(x).astype(np.float64)
    centred = frames - frames.mean(axis=1, keepdims=True)
    out = MFCCExtractor(normalize="mean", output="frames").fit_transform(x[None])[0]
    _close(out, centred)
    out = MFCCExtractor(normalize="meanvar", output="frames").fit_transform(x[None])[0]
    scaled = centred / (centred.std(axis=1, keepdims=True) + 1e-8)
    _close(out, scaled)
    # in a ragged batch, each clip is normalised over its own frames only
    stats = MFCCExtractor(normalize="meanvar").fit_transform(fsdd_clips)
    np.testing.assert_allclose(stats[:, 0::2], 0.0, atol=1e-4)  # means
    np.testing.assert_allclose(stats[:, 1::2], 1.0, atol=1e-3)  # stds


# -- names, pandas output ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("est", "first", "n"),
    [
        (MFCCExtractor(), "mfcc0_mean", 26),
        (MFCCExtractor(deltas=1), "mfcc0_mean", 52),
        (MFCCExtractor(output="grid", n_segments=6, deltas=2), "mfcc0_t0", 13 * 3 * 6),
        (LogMelExtractor(n_mels=20, stats=("max",)), "mel0_max", 20),
        (SpectrogramExtractor(n_fft=128, hop_length=64), "spec0_mean", 65 * 2),
        (ChromaExtractor(stats=("mean", "std", "min")), "chroma0_mean", 36),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, (str, int)) else str(v),
)
def test_feature_names_match_output(est, first, n, fsdd_clips):
    out = est.fit_transform(fsdd_clips)
    names = est.get_feature_names_out()
    assert out.shape == (len(fsdd_clips), n)
    assert len(names) == n
    assert names[0] == first
    assert len(set(names)) == n


def test_feature_name_spellings():
    names = set(MFCCExtractor(deltas=1).get_feature_names_out())
    assert {"mfcc3_mean", "mfcc3_std", "mfcc3_d1_mean", "mfcc12_d1_std"} <= names
    names = set(MFCCExtractor(output="grid").get_feature_names_out())
    assert {"mfcc3_t5", "mfcc0_t0", "mfcc12_t7"} <= names
    with pytest.raises(ValueError, match="frames"):
        MFCCExtractor(output="frames").get_feature_names_out()


@pytest.mark.parametrize("output", ["stats", "grid"])
def test_set_output_pandas(output, fsdd_clips):
    pd = pytest.importorskip("pandas")
    est = MFCCExtractor(output=output, deltas=1).set_output(transform="pandas")
    df = est.fit_transform(fsdd_clips)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == list(est.get_feature_names_out())
    plain = MFCCExtractor(output=output, deltas=1).fit_transform(fsdd_clips)
    np.testing.assert_array_equal(df.to_numpy(), plain)


# -- errors -----------------------------------------------------------------------------


def test_frames_of_unequal_ragged_clips_raise(fsdd_clips):
    with pytest.raises(ValueError, match="PadTrim"):
        MFCCExtractor(output="frames").fit_transform(fsdd_clips)


@pytest.mark.parametrize(
    ("est", "name"),
    [
        (MFCCExtractor(hop_length=512, n_fft=256), "hop_length"),
        (LogMelExtractor(fmax=5000.0), "fmax"),
        (MFCCExtractor(sr=16000, fmax=9000.0), "fmax"),
        (MFCCExtractor(n_mfcc=50, n_mels=40), "n_mfcc"),
        (SpectrogramExtractor(hop_length=300), "hop_length"),
        (MFCCExtractor(deltas=3), "deltas"),
        (MFCCExtractor(output="cube"), "output"),
        (MFCCExtractor(delta_width=4), "delta_width"),
        (MFCCExtractor(stats=("median",)), "stats"),
        (ChromaExtractor(n_fft=64, hop_length=128), "hop_length"),
    ],
)
def test_invalid_parameters_raise_value_error_naming_them(est, name):
    X = np.zeros((2, 800), np.float32)
    with pytest.raises(ValueError, match=name):
        est.fit(X)
    with pytest.raises(ValueError, match=name):
        est.transform(X)  # stateless: transform checks too


@pytest.mark.parametrize(
    "X",
    [
        np.full((2, 100), np.nan, np.float32),
        np.zeros((0, 100), np.float32),
        [np.ones(5, np.float32), np.array([np.inf, 0.0], np.float32)],
        [np.ones(5, np.float32), np.zeros(0, np.float32)],
    ],
    ids=["nan", "no-clips", "inf-ragged", "empty-clip"],
)
def test_invalid_input_raises_value_error(X):
    with pytest.raises(ValueError):
        MFCCExtractor().fit_transform(X)


# -- in a pipeline ----------------------------------------------------------------------


def test_pipeline_with_speaker_grouped_cross_validation(fsdd_sample):
    pipe = Pipeline(
        [
            ("pad", PadTrim(duration=1.0)),
            ("mfcc", MFCCExtractor(output="grid", n_segments=6)),
            ("scale", StandardScaler()),
            ("svc", SVC(C=10.0)),
        ]
    )
    scores = cross_val_score(
        pipe,
        fsdd_sample.data,
        fsdd_sample.target,
        groups=fsdd_sample.speaker,
        cv=GroupKFold(n_splits=3),
    )
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()
    assert scores.mean() > 0.4  # chance is 0.1


def test_2d_batch_over_several_chunks_equals_one_at_a_time():
    rng = np.random.default_rng(5)
    X = rng.uniform(-0.5, 0.5, (150, 1200)).astype(np.float32)
    X[3] *= 1e-4  # 80 dB quieter than its neighbours
    X[140] = 0.0
    est = LogMelExtractor(output="frames", deltas=1)
    batch = est.fit_transform(X)
    for i in (0, 3, 63, 64, 140, 149):
        _close(batch[i], est.fit_transform(X[i : i + 1])[0])
    _close(batch[3, :40], ref_logmel(X[3]))


def test_top_db_none_equals_librosa_without_floor():
    rng = np.random.default_rng(6)
    ramp = np.linspace(0, 1, 2000, dtype=np.float32) ** 8  # > 80 dB of dynamic range
    x = (rng.uniform(-0.5, 0.5, 2000) * ramp).astype(np.float32)
    out = SpectrogramExtractor(output="frames", top_db=None).fit_transform(x[None])[0]
    ref = librosa.power_to_db(np.abs(librosa.stft(x, n_fft=256, hop_length=80)) ** 2, top_db=None)
    assert ref.max() - ref.min() > 80
    _close(out, ref)
    out = LogMelExtractor(output="frames", top_db=None).fit_transform(x[None])[0]
    S = librosa.feature.melspectrogram(y=x, sr=SR, n_fft=256, hop_length=80, n_mels=40)
    _close(out, librosa.power_to_db(S, top_db=None))


def test_chroma_of_a_tone_is_its_pitch_class(tone):
    # A4 = 440 Hz is pitch class 9 (C = 0); E5 = 659.26 Hz is 4
    X = np.stack([tone(440.0, duration=1.0), tone(659.26, duration=1.0)])
    out = ChromaExtractor(stats=("mean",)).fit_transform(X)
    assert list(out.argmax(axis=1)) == [9, 4]


def test_pcen_equals_librosa_per_clip_and_batch(fsdd_clips):
    est = LogMelExtractor(output="frames", compression="pcen")
    for x in fsdd_clips[:3]:
        out = est.fit_transform(x[None])[0]
        S = librosa.feature.melspectrogram(y=x, sr=SR, n_fft=256, hop_length=80, n_mels=40)
        ref = librosa.pcen(S * 2**31, sr=SR, hop_length=80)
        np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
    # ragged batch: each clip as alone (the smoother is causal, padding comes after)
    stats = MFCCExtractor(compression="pcen", output="grid").fit_transform(fsdd_clips)
    for i, x in enumerate(fsdd_clips):
        alone = MFCCExtractor(compression="pcen", output="grid").fit_transform([x])[0]
        np.testing.assert_allclose(stats[i], alone, rtol=1e-5, atol=1e-4)


def test_pcen_and_cmn_remove_a_channel_gain_that_db_keeps(fsdd_clips):
    x = fsdd_clips[4]
    quiet = (x * 0.05).astype(np.float32)  # a microphone 26 dB less sensitive

    def change(**params):
        est = LogMelExtractor(output="frames", top_db=None, **params)
        a, b = est.fit_transform(x[None])[0], est.fit_transform(quiet[None])[0]
        return np.abs(a - b).mean() / (np.abs(a).mean() + 1e-12)

    db = change()  # every band shifts by 26 dB
    # PCEN divides by the band's own smoothed energy (to the power 0.98): most of it goes
    assert db > 0.2 and change(compression="pcen") < db / 2
    assert change(normalize="mean") < 1e-3
    with pytest.raises(ValueError, match="compression"):
        LogMelExtractor(compression="log").fit([x])


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
# bad, valid and awkward arrays through every extractor
(
    test_bad_arrays_raise_documented_errors,
    test_arrays_that_work_give_the_float_result,
    test_awkward_but_valid_clips_give_finite_output,
) = array_input_tests(
    [MFCCExtractor(), LogMelExtractor(), SpectrogramExtractor(), ChromaExtractor()]
)


def test_silence_features_are_the_floor(digit):
    # an all-zero clip has every mel band at the amin floor: -100 dB, no NaN, std 0
    out = LogMelExtractor().fit_transform(np.zeros((1, 800), np.float32))
    np.testing.assert_allclose(out[0, ::2], -100.0)
    np.testing.assert_allclose(out[0, 1::2], 0.0)


def test_extractor_fitted_at_one_rate_refuses_another(digit):
    X = np.vstack([digit[:800], digit[800:1600]])
    for est in (MFCCExtractor(sr=8000), PadTrim(sr=8000), Resampler(orig_sr=8000)):
        est.fit(X)
        name = "orig_sr" if isinstance(est, Resampler) else "sr"
        est.set_params(**{name: 16000})
        with pytest.raises(AudioValueError) as excinfo:
            est.transform(X)
        _check_error(excinfo, ValueError, f"{name}=8000", f"{name}=16000", type(est).__name__)
        est.fit(X)  # refitting at the new rate is fine
        est.transform(X)


def test_fitted_extractor_refuses_2d_clips_of_another_length(digit):
    # one second at 16 kHz has twice the samples of one second at 8 kHz
    est = MFCCExtractor().fit(np.zeros((2, 8000), np.float32))
    with pytest.raises(AudioValueError) as excinfo:
        est.transform(np.zeros((2, 16000), np.float32))
    _check_error(excinfo, ValueError, "16000", "8000")


# ------------------------------- guard rail: a batch gives every clip the features it gets alone
# Real FSDD clips of the bundled sample at very different loudness (x0.003 to x1)
# and lengths (ragged lists and a 2-D padded batch), through every extractor and
# output. A batched engine that lets clips see each other (a shared dB floor, a
# chunk boundary, padding frames counted as real) makes these fail. No timing here:
# speed lives in ``benchmarks/``.

# matrix products of differently shaped blocks may round differently (float32)
BATCH_ATOL = 1e-4
BATCH_RTOL = 1e-6
GAINS = (1.0, 0.003, 0.3, 0.03, 1.0, 0.01)


@pytest.fixture(scope="module")
def ragged(fsdd_sample):
    """90 real clips, every other one much quieter, in their own (varied) lengths."""
    clips = fsdd_sample.data[::3][:90]
    return [(x * GAINS[i % len(GAINS)]).astype(np.float32) for i, x in enumerate(clips)]


@pytest.fixture(scope="module")
def padded(ragged):
    return PadTrim(duration=0.6, align="left").fit_transform(ragged)


BATCH_EXTRACTORS = [
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


@pytest.mark.parametrize("est", BATCH_EXTRACTORS, ids=lambda e: repr(e)[:60])
@pytest.mark.parametrize("layout", ["ragged", "padded"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batch_equals_one_by_one(est, layout, n_jobs, request):
    X = request.getfixturevalue(layout)
    est = est.set_params(n_jobs=n_jobs)
    batch = est.fit(X).transform(X)
    alone = _one_by_one(est, X)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, alone, rtol=BATCH_RTOL, atol=BATCH_ATOL)


@pytest.mark.parametrize("layout", ["ragged", "padded"])
def test_order_and_chunking_do_not_matter(layout, request, monkeypatch):
    """Reversing the batch, chunks of 7 clips, FFT blocks of 3 frames, change nothing."""
    X = request.getfixturevalue(layout)
    est = MFCCExtractor(deltas=1, output="grid").fit(X)
    ref = est.transform(X)
    np.testing.assert_allclose(est.transform(X[::-1])[::-1], ref, rtol=BATCH_RTOL, atol=BATCH_ATOL)
    monkeypatch.setattr(features_module, "_CHUNK", 7)
    monkeypatch.setattr(_spectral, "_BLOCK_BYTES", 3 * 4 * est.n_fft)
    monkeypatch.setattr(_spectral, "_GROUP_BYTES", 1)
    np.testing.assert_allclose(est.transform(X), ref, rtol=BATCH_RTOL, atol=BATCH_ATOL)


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


# ------------------------------------------------------------------------- log_duration
EXTRACTOR_CLASSES = [MFCCExtractor, LogMelExtractor, SpectrogramExtractor, ChromaExtractor]


@pytest.mark.parametrize("cls", EXTRACTOR_CLASSES)
@pytest.mark.parametrize("output", ["grid", "stats"])
def test_log_duration_appends_one_column(cls, output, synthetic_clips):
    plain = cls(output=output).fit_transform(synthetic_clips)
    est = cls(output=output, log_duration=True)
    with_duration = est.fit_transform(synthetic_clips)
    assert with_duration.dtype == np.float32
    assert with_duration.shape == (len(synthetic_clips), plain.shape[1] + 1)
    np.testing.assert_array_equal(with_duration[:, :-1], plain)
    expected = np.log([len(x) / 8000 for x in synthetic_clips])
    np.testing.assert_allclose(with_duration[:, -1], expected, rtol=1e-6)
    names = est.get_feature_names_out()
    assert len(names) == with_duration.shape[1]
    assert names[-1] == "log_duration"


def test_log_duration_uses_sr():
    X = np.zeros((2, 4000), dtype=np.float32)
    out = MFCCExtractor(sr=16000, output="grid", log_duration=True).fit_transform(X)
    np.testing.assert_allclose(out[:, -1], np.log(0.25), rtol=1e-6)


def test_log_duration_is_batch_invariant(synthetic_clips):
    est = MFCCExtractor(n_mels=16, deltas=1, output="grid", log_duration=True)
    batch = est.fit_transform(synthetic_clips)
    for i, x in enumerate(synthetic_clips):
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


def test_log_duration_pandas_output(synthetic_clips):
    pd = pytest.importorskip("pandas")
    est = MFCCExtractor(output="grid", log_duration=True).set_output(transform="pandas")
    frame = est.fit_transform(synthetic_clips)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns[-1] == "log_duration"


# ------------------------------------------------- compression="power" (PNCC's power law)
@pytest.mark.parametrize("cls", [LogMelExtractor, MFCCExtractor])
def test_power_law_batch_equals_one_at_a_time_and_ignores_level(cls, fsdd_clips):
    est = cls(compression="power", output="grid", deltas=1)
    batch = est.fit_transform(fsdd_clips)
    alone = np.stack([est.fit_transform([x])[0] for x in fsdd_clips])
    np.testing.assert_allclose(batch, alone, atol=1e-4, rtol=1e-5)
    quiet = est.fit_transform([np.float32(0.001) * x for x in fsdd_clips])
    np.testing.assert_allclose(quiet, batch, atol=1e-3, rtol=1e-4)
    assert batch.dtype == np.float32


def test_power_law_values_follow_the_formula(fsdd_clips):
    """100 * (S / max S) ** (1/15) of librosa's mel power, per clip, in [0, 100]."""
    from sklearn_audiodigit.features import POWER_LAW_EXPONENT

    est = LogMelExtractor(compression="power", output="frames")
    x = fsdd_clips[0]
    got = est.fit_transform([x])[0]
    S = librosa.feature.melspectrogram(
        y=x, sr=SR, n_fft=est.n_fft, hop_length=est.hop_length, n_mels=est.n_mels, htk=False
    )
    ref = 100 * (S / S.max()) ** POWER_LAW_EXPONENT
    np.testing.assert_allclose(got, ref, atol=1e-3, rtol=1e-4)
    assert got.min() >= 0 and got.max() == pytest.approx(100, abs=1e-3)
    assert np.all(np.isfinite(LogMelExtractor(compression="power").fit_transform([0 * x])))


def test_power_law_changes_less_under_noise_than_db(fsdd_clips):
    """The reason it exists: noise in the faint bands moves the dB features more."""
    rng = np.random.default_rng(0)

    def change(compression):
        est = MFCCExtractor(compression=compression, output="grid", n_mels=16)
        clean = est.fit_transform(fsdd_clips)
        noisy = []
        for x in fsdd_clips:
            noise = rng.standard_normal(len(x)).astype(np.float32)
            noise *= np.sqrt(np.mean(x**2) / np.mean(noise**2) / 10)  # 10 dB SNR
            noisy.append(x + noise)
        noisy = est.fit_transform(noisy)
        # relative to how much the clips differ from each other
        return np.mean(np.abs(noisy - clean)) / np.mean(np.abs(clean - clean.mean(0)))

    assert change("power") < change("db")
