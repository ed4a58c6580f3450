"""Tests of the voice and channel transforms and WaveformAugmenter, on tones, noise and
the bundled FSDD sample."""

import zipfile

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_audiodigit.augmentation import (
    SpeedPerturbedClassifier,
    WaveformAugmenter,
    add_noise,
    band_limit,
    convolve_rir,
    hard_clip,
    pitch_shift,
    random_eq,
    resample_through,
    reverberate,
    room_impulse_response,
    vtlp,
)

SR = 8000


def _rms(x):
    return float(np.sqrt(np.mean(np.square(x.astype(np.float64)))))


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


# -- the voice ---------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.8, 1.2])
@pytest.mark.parametrize("sr", [8000, 16000])
def test_vtlp_moves_a_tone_by_alpha_below_the_boundary(tone, peak_frequency, alpha, sr):
    x = tone(1000.0, duration=0.5, sr=sr)
    (y,) = vtlp([x], alpha, sr=sr)
    assert y.dtype == np.float32 and y.shape == x.shape
    bin_hz = sr / 256 if sr == 8000 else sr / 512
    assert abs(peak_frequency(y, sr) - 1000 * alpha) < bin_hz


def test_vtlp_one_is_identity_and_keeps_real_clip_lengths(fsdd_clips):
    out = vtlp(fsdd_clips, 1.0)
    assert _same(out, fsdd_clips)
    for x, y in zip(fsdd_clips, vtlp(fsdd_clips, 1.15), strict=True):
        assert y.dtype == np.float32 and y.shape == x.shape and np.isfinite(y).all()
    # a clip shorter than the frame
    assert vtlp([np.ones(100, dtype=np.float32) * 0.1], 0.9)[0].shape == (100,)


def test_pitch_shift_by_semitones(tone, peak_frequency):
    x = tone(500.0, duration=0.5)
    (y,) = pitch_shift([x], 4.0)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert peak_frequency(y, SR) == pytest.approx(500 * 2 ** (4 / 12), abs=SR / 256)
    assert _same(pitch_shift([x], 0), [x])


# -- the channel -------------------------------------------------------------------------


@pytest.mark.parametrize("snr", [5.0, 10.0, 20.0])
@pytest.mark.parametrize("kind", ["white", "pink", "hum", "babble"])
def test_add_noise_at_the_asked_ratio(fsdd_sample, snr, kind):
    X = [x * 0.3 for x in fsdd_sample.data[:6]]
    noise = fsdd_sample.data[100:120] if kind == "babble" else None
    out = add_noise(X, snr, kind=kind, noise=noise, random_state=0)
    for x, y in zip(X, out, strict=True):
        assert y.dtype == np.float32 and y.shape == x.shape
        n = y.astype(np.float64) - x
        assert 10 * np.log10(_rms(x) ** 2 / _rms(n) ** 2) == pytest.approx(snr, abs=0.05)


def test_hum_is_at_the_mains_frequency(peak_frequency):
    x = np.zeros(SR, dtype=np.float32)
    x[::97] = 0.01  # some signal power
    (y,) = add_noise([x], 0.0, kind="hum", hum_hz=60.0, random_state=1)
    assert peak_frequency(y - x, SR) == pytest.approx(60.0, abs=2)


def test_pink_noise_loses_3_db_per_octave():
    x = np.zeros(4 * SR, dtype=np.float32)
    x[::97] = 0.01  # some signal power
    (y,) = add_noise([x], 0.0, kind="pink", random_state=2)
    power = np.abs(np.fft.rfft(y.astype(np.float64) - x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)

    def band_db(low):  # mean power density of the octave [low, 2 low)
        return 10 * np.log10(power[(freqs >= low) & (freqs < 2 * low)].mean())

    slopes = [band_db(2 * f) - band_db(f) for f in (100.0, 200.0, 400.0, 800.0, 1600.0)]
    assert np.mean(slopes) == pytest.approx(-3.0, abs=0.5)


def test_add_noise_draws_ratios_from_a_range_and_is_seeded(fsdd_clips):
    a = add_noise(fsdd_clips, (5.0, 20.0), random_state=3)
    b = add_noise(fsdd_clips, (5.0, 20.0), random_state=3)
    c = add_noise(fsdd_clips, (5.0, 20.0), random_state=4)
    assert _same(a, b) and not _same(a, c)
    for x, y in zip(fsdd_clips, a, strict=True):
        ratio = 10 * np.log10(_rms(x) ** 2 / _rms(y.astype(np.float64) - x) ** 2)
        assert 5.0 - 0.05 <= ratio <= 20.0 + 0.05 or np.abs(y).max() == pytest.approx(1.0)


def test_band_limit_is_the_telephone_band(tone):
    def gain(freq):
        x = tone(freq, duration=1.0)
        return _rms(band_limit([x])[0][2000:]) / _rms(x[2000:])

    assert gain(1000.0) == pytest.approx(1.0, abs=0.02)
    assert gain(100.0) < 0.05 and gain(3900.0) < 0.3
    low = band_limit([tone(3000.0)], low_hz=None, high_hz=1000.0)[0]
    assert _rms(low[1000:]) < 0.01


def test_random_eq_stays_within_its_gains_and_is_seeded(tone):
    x = tone(1000.0, duration=1.0, amplitude=0.1)
    a = random_eq([x] * 5, max_gain_db=6.0, random_state=0)
    assert _same(a, random_eq([x] * 5, max_gain_db=6.0, random_state=0))
    gains = [20 * np.log10(_rms(y[500:-500]) / _rms(x[500:-500])) for y in a]
    assert all(-6.5 < g < 6.5 for g in gains) and np.ptp(gains) > 0.5
    assert all(y.dtype == np.float32 and y.shape == x.shape for y in a)


def test_hard_clip_and_resample_through(fsdd_clips, tone):
    for x, y in zip(fsdd_clips, hard_clip(fsdd_clips, 0.3), strict=True):
        assert np.abs(y).max() == pytest.approx(0.3 * np.abs(x).max(), rel=1e-6)
    x = tone(1000.0, duration=0.5)
    for through in (16000, 48000, 11025):
        (y,) = resample_through([x], through)
        assert y.dtype == np.float32 and y.shape == x.shape
        assert np.corrcoef(x[200:-200], y[200:-200])[0, 1] > 0.99
    assert resample_through([x], 16000, res_type="polyphase")[0].shape == x.shape


def test_reverberate_adds_a_seeded_room_tail(fsdd_clips):
    pytest.importorskip("pyroomacoustics")
    out = reverberate(fsdd_clips, 0.4, random_state=0)
    assert _same(out, reverberate(fsdd_clips, 0.4, random_state=0))
    assert not _same(out, reverberate(fsdd_clips, 0.4, random_state=1))
    for x, y in zip(fsdd_clips, out, strict=True):
        assert y.dtype == np.float32 and len(y) == len(x) + round(0.4 * SR / 2)
        assert np.abs(y).max() == pytest.approx(np.abs(x).max(), rel=1e-5)
    rir = room_impulse_response(0.6, sr=16000, random_state=0)
    assert rir.dtype == np.float32 and abs(rir[0]) == pytest.approx(1.0)
    # a longer reverberation time decays more slowly
    short = room_impulse_response(0.2, random_state=0)
    energy = [
        np.sum(h[400:].astype(np.float64) ** 2) / np.sum(h.astype(np.float64) ** 2)
        for h in (short, room_impulse_response(0.8, random_state=0))
    ]
    assert energy[1] > energy[0]


def test_reverberation_without_its_extra_names_it(monkeypatch, fsdd_clips):
    import sys

    monkeypatch.setitem(sys.modules, "pyroomacoustics", None)
    with pytest.raises(ImportError, match=r"sklearn-audiodigit\[augment\]"):
        reverberate(fsdd_clips, 0.3)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda X: vtlp(X, 3.0), "alpha"),
        (lambda X: vtlp(X, 1.1, f_hi=5000.0), "f_hi"),
        (lambda X: vtlp(X, 1.1, sr=-1), "sr"),
        (lambda X: pitch_shift(X, 30), "n_steps"),
        (lambda X: add_noise(X, np.nan), "snr_db"),
        (lambda X: add_noise(X, (20, 5)), "snr_db"),
        (lambda X: add_noise(X, 10, kind="brown"), "kind"),
        (lambda X: add_noise(X, 10, kind="babble"), "babble"),
        (lambda X: add_noise(X, 10, kind="hum", hum_hz=5000), "hum_hz"),
        (lambda X: band_limit(X, low_hz=3400.0, high_hz=300.0), "low_hz"),
        (lambda X: band_limit(X, high_hz=4000.0), "high_hz"),
        (lambda X: band_limit(X, low_hz=None, high_hz=None), "low_hz"),
        (lambda X: random_eq(X, max_gain_db=-1), "max_gain_db"),
        (lambda X: random_eq(X, n_bands=1), "n_bands"),
        (lambda X: hard_clip(X, 0.0), "ratio"),
        (lambda X: resample_through(X, 0), "through_sr"),
        (lambda X: resample_through(X, 16000, res_type="nope"), "res_type"),
        (lambda X: reverberate(X, 5.0), "rt60"),
        (lambda X: convolve_rir(X, []), "rir"),
    ],
)
def test_bad_parameters_are_named(fsdd_clips, call, name):
    with pytest.raises(ValueError, match=name):
        call(fsdd_clips[:2])


def test_transforms_refuse_bad_waveforms():
    for bad in ([np.array([0.1, np.nan], dtype=np.float32)], [], ["a.wav"]):
        with pytest.raises((ValueError, TypeError)):
            band_limit(bad)


# -- WaveformAugmenter -------------------------------------------------------------------


def test_augmenter_is_seeded_and_keeps_dtype_and_length(fsdd_sample):
    pytest.importorskip("pyroomacoustics")
    X = fsdd_sample.data[:30]
    aug = WaveformAugmenter(p=0.5, pitch_range=(-1.0, 1.0), random_state=0)
    a = aug.augment(X)
    assert _same(a, aug.augment(X))
    assert not _same(a, aug.set_params(random_state=1).augment(X))
    changed = 0
    for x, y in zip(X, a, strict=True):
        assert y.dtype == np.float32 and np.isfinite(y).all() and np.abs(y).max() <= 1.0
        assert len(y) >= len(x)
        changed += not (len(y) == len(x) and np.array_equal(x, y))
    assert changed > 20  # with 7 transforms at p=0.5, nearly every clip changes


def test_augmenter_off_returns_the_clips(fsdd_clips):
    assert _same(WaveformAugmenter(p=0.0, random_state=0).augment(fsdd_clips), fsdd_clips)
    off = WaveformAugmenter(
        vtlp_range=None,
        rt60_range=None,
        band=None,
        eq_db=None,
        snr_range=None,
        clip_range=None,
        p=1.0,
    )
    assert _same(off.augment(fsdd_clips), fsdd_clips)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"vtlp_range": (0.8,)}, "vtlp_range"),
        ({"vtlp_range": (1.2, 0.8)}, "vtlp_range"),
        ({"snr_range": (5, 200)}, "snr_range"),
        ({"band": (300, 5000)}, "band"),
        ({"noise_kinds": ("brown",)}, "noise_kinds"),
        ({"p": 2.0}, "p"),
        ({"clip_range": (0.0, 0.5)}, "clip_range"),
    ],
)
def test_augmenter_bad_parameters_are_named(fsdd_clips, params, name):
    with pytest.raises(ValueError, match=name):
        WaveformAugmenter(**params).augment(fsdd_clips)


class _LengthRecorder(LogisticRegression):
    def fit(self, X, y, sample_weight=None):
        self.fit_X_ = X
        return super().fit(X, y, sample_weight=sample_weight)


def _summary(X):
    return np.array([[np.sqrt(np.mean(np.square(x))), len(x) / SR] for x in X])


def test_classifier_trains_on_augmented_copies(fsdd_sample):
    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    aug = WaveformAugmenter(rt60_range=None, p=0.5, random_state=0)
    inner = make_pipeline(FunctionTransformer(_summary), _LengthRecorder(max_iter=1000))
    clf = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=aug, n_augment=2)
    clf.fit(X, y)
    seen = clf.estimator_[-1].fit_X_
    assert seen.shape == (40 * 3, 2)
    np.testing.assert_array_equal(seen[:40], _summary(X))
    # two different random copies, the same at every fit
    assert not np.array_equal(seen[40:80], seen[80:])
    again = SpeedPerturbedClassifier(inner, factors=(1.0,), augmenter=aug, n_augment=2).fit(X, y)
    np.testing.assert_array_equal(again.estimator_[-1].fit_X_, seen)
    with pytest.raises(ValueError, match="augmenter"):
        SpeedPerturbedClassifier(inner, augmenter="reverb").fit(X, y)


def test_model_files_name_the_public_module_path(tmp_path, fsdd_sample):
    """Earlier releases stored sklearn_audiodigit.augmentation.SpeedPerturbedClassifier:
    files written now name the same path, so both old and new files load."""
    from skops.io import get_untrusted_types

    from sklearn_audiodigit.persistence import TRUSTED_TYPES, load_model, save_model
    from sklearn_audiodigit.pipelines import make_svc_pipeline

    X, y = fsdd_sample.data[::4], fsdd_sample.target[::4]
    clf = make_svc_pipeline()
    clf.set_params(augmenter=WaveformAugmenter(rt60_range=None, random_state=0), n_augment=1)
    clf.fit(X, y)
    path = tmp_path / "aug.model"
    save_model(clf, path)
    with zipfile.ZipFile(path) as zf:
        types = get_untrusted_types(data=zf.read("model.skops"))
    assert "sklearn_audiodigit.augmentation.SpeedPerturbedClassifier" in types
    assert "sklearn_audiodigit.augmentation.WaveformAugmenter" in types
    assert set(types) <= set(TRUSTED_TYPES)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X[:10]), clf.predict(X[:10]))
    assert loaded.augmenter.get_params() == clf.augmenter.get_params()


def test_state_of_an_earlier_release_loads_with_the_defaults(fsdd_sample):
    """Files of releases before ``augmenter`` existed hold no such attribute."""
    X, y = fsdd_sample.data[:40], fsdd_sample.target[:40]
    inner = make_pipeline(FunctionTransformer(_summary), LogisticRegression(max_iter=500))
    clf = SpeedPerturbedClassifier(inner, factors=(0.9, 1.0)).fit(X, y)
    state = clf.__getstate__()
    del state["augmenter"], state["n_augment"]
    old = SpeedPerturbedClassifier.__new__(SpeedPerturbedClassifier)
    old.__setstate__(state)
    assert old.augmenter is None and old.n_augment == 1
    np.testing.assert_array_equal(old.predict(X), clf.predict(X))
    assert old.get_params()["augmenter"] is None


def test_a_network_trains_on_augmented_copies(fsdd_sample):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from sklearn_audiodigit.nn import make_nn_pipeline

    X, y = fsdd_sample.data[::5], fsdd_sample.target[::5]
    net = make_nn_pipeline("mlp", random_state=0, max_epochs=2)
    aug = WaveformAugmenter(rt60_range=None, p=0.5, random_state=0)
    clf = SpeedPerturbedClassifier(
        net, factors=(1.0,), augmenter=aug, n_augment=1, test_time=False
    ).fit(X, y)
    assert clf.predict_proba(X[:7]).shape == (7, 10)
    assert len(clf.estimator_[-1].history) == 2
