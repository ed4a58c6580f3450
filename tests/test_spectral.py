"""The spectral engine's building blocks against the librosa/scipy functions they replace."""

import warnings

import librosa
import numpy as np
import pytest
import scipy.signal

from sklearn_audiodigit import _spectral

MEL_PARAMS = [
    (8000, 256, 40, 0.0, 4000.0),
    (8000, 2048, 128, 0.0, 4000.0),
    (8000, 256, 16, 0.0, 4000.0),
    (8000, 512, 32, 60.0, 3800.0),
    (8000, 200, 24, 0.0, 3000.0),
    (16000, 512, 80, 20.0, 8000.0),
    (22050, 2048, 128, 0.0, 11025.0),
]


@pytest.mark.parametrize(("sr", "n_fft", "n_mels", "fmin", "fmax"), MEL_PARAMS)
def test_mel_basis_equals_librosa(sr, n_fft, n_mels, fmin, fmax):
    ours = _spectral.mel_basis(sr, n_fft, n_mels, fmin, fmax)
    ref = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, dtype=np.float32
    )
    assert ours.shape == (n_fft // 2 + 1, n_mels) and ours.dtype == np.float32
    np.testing.assert_allclose(ours.T, ref, rtol=1e-6, atol=1e-9)


def test_mel_basis_warns_about_empty_filters_as_librosa_does():
    with warnings.catch_warnings(record=True) as ref_warnings:
        warnings.simplefilter("always")
        librosa.filters.mel(sr=8000, n_fft=64, n_mels=64)
    assert ref_warnings  # librosa warns here: more bands than bins at low frequency
    with pytest.warns(UserWarning, match="Empty mel filters"):
        _spectral.mel_basis(8000, 64, 64, 0.0, 4000.0)


@pytest.mark.parametrize("n_fft", [200, 256, 2048])
def test_hann_equals_scipy_periodic_hann(n_fft):
    ref = scipy.signal.get_window("hann", n_fft, fftbins=True)
    np.testing.assert_allclose(_spectral.hann(n_fft, np.float64), ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("width", [3, 5, 9])
@pytest.mark.parametrize("n_frames", [1, 2, 7, 101])
def test_delta_equals_librosa_delta_nearest(order, width, n_frames):
    if order >= width:
        pytest.skip("polyorder must be below the window")
    S = np.random.default_rng(n_frames).normal(scale=50.0, size=(3, n_frames, 13))
    ours = _spectral.delta(S, width, order)
    for i in range(3):
        ref = librosa.feature.delta(S[i].T, width=width, order=order, mode="nearest", axis=-1)
        np.testing.assert_allclose(ours[i].T, ref, rtol=1e-12, atol=1e-10)


def test_weak_bands_are_refined_in_float64():
    """A band 100 dB under a strong tone: float32 alone blurs it, the refinement does not."""
    t = np.arange(2400) / 8000.0
    x = (0.9 * np.sin(2 * np.pi * 300 * t) + 1e-5 * np.sin(2 * np.pi * 3500 * t)).astype(np.float32)
    basis = _spectral.mel_basis(8000, 256, 40, 0.0, 4000.0)
    kw = dict(n_fft=256, hop_length=80, basis=basis)
    rough = _spectral.power_spectrum(x[None], **kw, refine=False)[0]
    refined = _spectral.power_spectrum(x[None], **kw, top_db=None)[0]
    S = np.abs(librosa.stft(x, n_fft=256, hop_length=80)) ** 2
    exact = librosa.filters.mel(sr=8000, n_fft=256, n_mels=40) @ S  # (n_mels, n_frames)
    weak = exact.T < 1e-8 * exact.T.sum(axis=1, keepdims=True)
    weak &= exact.T > 1e-10
    assert weak.any()
    rel_rough = np.abs(rough[weak] / exact.T[weak] - 1)
    rel_refined = np.abs(refined[weak] / exact.T[weak] - 1)
    assert rel_refined.max() < 1e-5 < rel_rough.max()


def test_banded_product_equals_dense_product():
    rng = np.random.default_rng(0)
    for n_fft, n_mels in [(256, 40), (2048, 128), (512, 7)]:
        basis = _spectral.mel_basis(8000, n_fft, n_mels, 0.0, 4000.0)
        P = rng.random((300, n_fft // 2 + 1), dtype=np.float32)
        out = _spectral.project(P, basis, np.empty((300, n_mels), np.float32))
        np.testing.assert_allclose(out, P @ basis, rtol=1e-5)
