"""Bad input to the networks: the library's error types, naming what is wrong."""

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn_audiodigit.exceptions import AudioDigitError, AudioTypeError, AudioValueError  # noqa: E402
from sklearn_audiodigit.nn import CNNClassifier, make_nn_pipeline  # noqa: E402


@pytest.fixture(scope="module")
def net():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 8, 12)).astype(np.float32)
    return CNNClassifier(max_epochs=1, random_state=0).fit(X, np.arange(20) % 2), X


@pytest.mark.parametrize(
    "case, match",
    [
        ("nan", "NaN"),
        ("4d", "3-D"),
        ("empty", "0 sample"),
        ("fewer_frames", r"shape \(8, 6\).*fitted on samples of shape \(8, 12\)"),
        ("fewer_bands", "4 features"),
    ],
)
def test_bad_frames_raise_audio_value_error(net, case, match):
    model, X = net
    bad = {
        "nan": np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X),
        "4d": X[..., None],
        "empty": X[:0],
        "fewer_frames": X[:, :, :6],
        "fewer_bands": X[:, :4, :],
    }[case]
    with pytest.raises(AudioValueError, match=match) as info:
        model.predict(bad)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AudioDigitError)


def test_strings_raise_a_library_error(net):
    model, _ = net
    with pytest.raises((AudioValueError, AudioTypeError)):
        model.predict(np.array([[["a"]]]))


def test_pipeline_names_the_bad_clip(fsdd_sample):
    X = list(fsdd_sample.data[:12])
    X[7] = X[7].copy()
    X[7][10] = np.nan
    pipe = make_nn_pipeline("cnn", random_state=0, max_epochs=1)
    with pytest.raises(AudioValueError, match="clip 7"):
        pipe.fit(X, fsdd_sample.target[:12])


@pytest.mark.parametrize("mode", ["utterance", "band", "clip"])
def test_frame_normalization_does_not_blow_up_flat_clips(mode):
    import torch

    from sklearn_audiodigit.nn import FrameNormalization

    rng = np.random.default_rng(0)
    flat = np.full((2, 40, 51), -50.0, dtype=np.float32)
    flat[0] += rng.normal(0, 1e-3, flat[0].shape).astype(np.float32)  # nearly constant
    flat[1, :, :3] = -10.0  # a short burst, then a constant tail
    out = FrameNormalization(mode)(torch.as_tensor(flat)).numpy()
    assert np.isfinite(out).all()
    # with the 1 dB floor the deviations (at most 40 dB) stay of their own size
    assert np.abs(out).max() <= 41.0


def test_cnn_trained_with_small_batches_predicts_every_class(fsdd_sample):
    # regression: one near-constant augmented clip in a training batch used to blow up the
    # per-utterance normalisation, poison BatchNorm's running statistics and make the fitted
    # network predict a single class for everything (seen with batch_size=32 on the sample)
    import torch

    torch.set_num_threads(1)
    test = fsdd_sample.speaker == "jackson"
    pipe = make_nn_pipeline("cnn", random_state=0, channels=(16, 32), max_epochs=12, batch_size=32)
    pipe.fit(fsdd_sample.data[~test], fsdd_sample.target[~test])
    pred = pipe.predict(fsdd_sample.data[~test])
    assert len(np.unique(pred)) >= 8
    assert (pred == fsdd_sample.target[~test]).mean() > 0.5
