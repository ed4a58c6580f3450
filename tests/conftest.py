"""Shared fixtures: the bundled FSDD sample, synthetic signals (tones, chirps, noise), the
bad-input catalogue's files and a model to feed them to, the sample's evaluation report."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

# The helper modules of tests/ hold assertions: pytest rewrites them as it does the test
# files' own (detailed failure messages), since they are imported by name, not collected.
pytest.register_assert_rewrite("_bad_inputs", "_cli_output", "_clips", "_untrusted_files")

SR = 8000


@pytest.fixture(scope="session")
def fsdd_sample():
    """The bundled 300-clip FSDD sample, loaded once per session (read-only use)."""
    from sklearn_audiodigit.datasets import load_fsdd_sample

    return load_fsdd_sample()


@pytest.fixture(scope="session")
def small_data(tmp_path_factory, fsdd_sample):
    """A folder of two takes of every digit and speaker of the bundled sample (120 clips)."""
    folder = tmp_path_factory.mktemp("data")
    for f in fsdd_sample.filenames:
        if Path(f).stem.endswith(("_0", "_1")):
            shutil.copy(f, folder)
    return folder


@pytest.fixture(scope="session")
def fsdd_clips(fsdd_sample):
    """A few real FSDD clips chosen to be awkward: shortest, longest, quietest, loudest."""
    data = fsdd_sample.data
    lengths = np.array([len(x) for x in data])
    peaks = np.array([np.abs(x).max() for x in data])
    idx = [
        int(lengths.argmin()),
        int(lengths.argmax()),
        int(peaks.argmin()),
        int(peaks.argmax()),
        17,
        150,
    ]
    idx = list(dict.fromkeys(idx))
    return [data[i] for i in idx]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def tone():
    """Factory of float32 sine tones: ``tone(freq, duration, sr, amplitude)``."""

    def make(freq=440.0, duration=0.5, sr=SR, amplitude=0.5, n_samples=None):
        n = int(round(duration * sr)) if n_samples is None else n_samples
        t = np.arange(n) / sr
        return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)

    return make


@pytest.fixture
def chirp():
    """Factory of float32 linear chirps from ``f0`` to ``f1`` Hz."""
    import scipy.signal

    def make(f0=200.0, f1=3000.0, duration=0.5, sr=SR, amplitude=0.5):
        t = np.arange(int(round(duration * sr))) / sr
        y = scipy.signal.chirp(t, f0=f0, t1=t[-1], f1=f1, method="linear")
        return (amplitude * y).astype(np.float32)

    return make


@pytest.fixture
def peak_frequency():
    """Function giving the frequency in Hz of the largest FFT bin of a clip."""

    def peak(y, sr):
        spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
        return np.fft.rfftfreq(len(y), 1 / sr)[spec.argmax()]

    return peak


# hypothesis: derandomised and small by default (CI); HYPOTHESIS_PROFILE=dev explores more
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass
else:
    import os

    settings.register_profile(
        "ci",
        derandomize=True,
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )
    settings.register_profile("dev", max_examples=300, deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The sample clips that saved models are checked on, here and in a fresh interpreter.
_HELD_OUT = slice(1, None, 7)


@pytest.fixture(scope="session")
def model_file_data(fsdd_sample):
    """(X, y, speaker) of every 3rd sample clip, to fit models to save, and held-out clips."""
    X, y, speaker = fsdd_sample.data, fsdd_sample.target, fsdd_sample.speaker
    return X[::3], y[::3], speaker[::3], X[_HELD_OUT]


@pytest.fixture(scope="session")
def genuine_model_files(model_file_data, tmp_path_factory):
    """Bytes of small genuine safe model files: ``"svc"``, and ``"mlp"`` (a network) with torch."""
    from sklearn_audiodigit.persistence import save_model
    from sklearn_audiodigit.pipelines import make_model

    X, y, _, _ = model_file_data
    models = {"svc": make_model("svc", random_state=0)}
    try:
        import skorch  # noqa: F401
        import torch  # noqa: F401
    except ImportError:  # pragma: no cover - the nn extra is missing
        pass
    else:
        models["mlp"] = make_model("mlp", random_state=0, max_epochs=1, hidden_layer_sizes=(8,))
    folder = tmp_path_factory.mktemp("genuine_models")
    files = {}
    for name, model in models.items():
        save_model(model.fit(X[:40], y[:40]), folder / name)
        files[name] = (folder / name).read_bytes()
    return files


_FRESH_PREAMBLE = f"""\
import sys, warnings
import numpy as np
warnings.simplefilter("error", UserWarning)  # no version or device warning
from sklearn_audiodigit.datasets import load_fsdd_sample
from sklearn_audiodigit.persistence import load_model
X = load_fsdd_sample().data[{_HELD_OUT.start}::{_HELD_OUT.step}]
models = [load_model(path) for path in sys.argv[2:]]
def save(**arrays):
    np.savez(sys.argv[1], **arrays)
"""


@pytest.fixture
def predict_in_fresh_process(tmp_path):
    """Run code in a new interpreter that loads model files; return the arrays it saved.

    The code sees ``X`` (the held-out clips of ``model_file_data``),
    ``models`` (the files, loaded with ``load_model`` while UserWarnings are errors)
    and ``save(**arrays)``.
    """

    def run(body, *model_files, timeout=120):
        out = tmp_path / "fresh.npz"
        code = _FRESH_PREAMBLE + textwrap.dedent(body)
        proc = subprocess.run(
            [sys.executable, "-c", code, str(out), *map(str, model_files)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert proc.returncode == 0, proc.stderr
        return np.load(out)

    return run


@pytest.fixture(scope="session")
def digit_model_file(tmp_path_factory, small_data):
    """The MFCC svc trained by ``audiodigit train`` on ``small_data`` (takes 0-1)."""
    from sklearn_audiodigit.cli import main

    path = tmp_path_factory.mktemp("digit_model") / "digits.model"
    argv = ["train", "--model", "svc", "--data", str(small_data), "--output", str(path)]
    assert main([*argv, "--quiet"]) == 0
    return path


@pytest.fixture(scope="session")
def digit_strings(fsdd_sample):
    """Six recordings of 3-6 digits joined from sample clips of takes 2-4 (held out).

    Returns a list of ``(y, digits, spans)``: the 8 kHz waveform, the reference
    string and the true ``(start, end)`` of every clip in seconds. Pauses of
    0.15-0.6 s, 0.3 s of silence before and after, gains of -6 to +6 dB.
    """
    rng = np.random.default_rng(0)
    held_out = [
        i for i, f in enumerate(fsdd_sample.filenames) if Path(f).stem.endswith(("_2", "_3", "_4"))
    ]
    speakers = np.asarray(fsdd_sample.speaker)
    out = []
    for k, speaker in enumerate(sorted(set(speakers))):
        idx = [i for i in held_out if speakers[i] == speaker]
        pick = rng.choice(idx, size=3 + k % 4, replace=False)
        parts, spans, t = [np.zeros(int(0.3 * SR), np.float32)], [], 0.3
        for j, i in enumerate(pick):
            clip = fsdd_sample.data[i] * np.float32(10 ** (rng.uniform(-6, 6) / 20))
            parts.append(clip)
            spans.append((t, t + len(clip) / SR))
            t += len(clip) / SR
            pause = 0.3 if j + 1 == len(pick) else rng.uniform(0.15, 0.6)
            parts.append(np.zeros(int(pause * SR), np.float32))
            t += int(pause * SR) / SR
        digits = "".join(str(fsdd_sample.target[i]) for i in pick)
        out.append((np.concatenate(parts).astype(np.float32), digits, spans))
    return out


@pytest.fixture(scope="module")
def svc_default():
    """The CLI's default model is the MFCC svc, as where the embedding extra is missing.

    For tests of the command line's mechanics, which should not depend on (or pay
    for) the speech embedding being installed; tests/cli/test_pretrained.py covers
    the embedding default.
    """
    from sklearn_audiodigit import cli

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_default_model", lambda: "svc")
        yield


# ------------------------------------------ the bad-input catalogue (tests/_bad_inputs.py)
@pytest.fixture(scope="session")
def digit(fsdd_sample):
    """A recording of a "3" not in the training data, scaled to peak 0.5."""
    i = next(i for i, f in enumerate(fsdd_sample.filenames) if f.endswith("3_theo_4.wav"))
    x = fsdd_sample.data[i]
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


@pytest.fixture(scope="session")
def model_file(tmp_path_factory, fsdd_sample):
    """The default SVC pipeline fitted on take 0 of every digit and speaker (60 clips)."""
    from sklearn_audiodigit.persistence import save_model
    from sklearn_audiodigit.pipelines import make_svc_pipeline

    keep = fsdd_sample.take == 0
    model = make_svc_pipeline(random_state=0).fit(fsdd_sample.data[keep], fsdd_sample.target[keep])
    path = tmp_path_factory.mktemp("model") / "digits.model"
    save_model(model, path)  # the safe format; records sr=8000 read from the model
    return path


@pytest.fixture(scope="session")
def model_from_file(model_file):
    """The pipeline of ``model_file``, loaded from the file."""
    from sklearn_audiodigit.persistence import load_model

    return load_model(model_file)


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory, digit):
    """Every file case of ``_bad_inputs.FILE_CASES``, written once: case name -> path."""
    from _bad_inputs import FILE_CASES

    folder = tmp_path_factory.mktemp("catalogue")
    return {case: make(folder, digit) for case, (make, _) in FILE_CASES.items()}


@pytest.fixture
def synthetic_clips():
    """Four seeded tone + noise clips: FSDD's shortest and median length, 1 s, and shorter
    than n_fft, each 60 dB quieter than the one before (float32, 8 kHz)."""
    rng = np.random.default_rng(0)
    lengths = [1148, 3358, 8000, 200]  # FSDD's shortest, median, 1 s, shorter than n_fft
    out = []
    for i, n in enumerate(lengths):
        t = np.arange(n) / 8000
        gain = 10.0 ** (-3 * i)  # 60 dB of loudness between the first and the third clip
        x = gain * (np.sin(2 * np.pi * (300 + 200 * i) * t) + 0.1 * rng.standard_normal(n))
        out.append(x.astype(np.float32))
    return out


@pytest.fixture(scope="session")
def sample_report(fsdd_sample):
    """(report, cv, groups): the default SVC pipeline evaluated leave-one-speaker-out on the
    bundled sample (tests/test_evaluation.py, tests/test_reporting.py)."""
    import warnings

    from sklearn_audiodigit.evaluation import evaluate, make_cv
    from sklearn_audiodigit.pipelines import make_svc_pipeline

    cv, groups, desc = make_cv("speaker", speaker=fsdd_sample.speaker)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # SVC(probability=True) in sklearn 1.9
        report = evaluate(
            make_svc_pipeline(random_state=0),
            fsdd_sample.data,
            fsdd_sample.target,
            cv=cv,
            groups=groups,
            description=desc,
        )
    return report, cv, groups
