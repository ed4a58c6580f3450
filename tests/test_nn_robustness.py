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
