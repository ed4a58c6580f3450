"""The ``audiodigit`` entry point: version, usage errors, the console script, exit statuses."""

import re
import shutil
import subprocess
import sys

import pytest

from sklearn_audiodigit import __version__
from sklearn_audiodigit.cli import main

# the command line's mechanics, with the MFCC svc as the default model whether or not
# the speech embedding is installed (tests/cli/test_pretrained.py covers that default)
pytestmark = pytest.mark.usefixtures("svc_default")


def test_version(capsys):
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["evaluate", "--cv", "leaky"], ["predict"], ["train"]],
    ids=["none", "unknown", "bad-choice", "predict-no-args", "train-no-output"],
)
def test_usage_errors_return_2(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "usage" in captured.err.lower()


def test_console_script():
    exe = shutil.which("audiodigit")
    if exe is None:
        pytest.skip("the audiodigit console script is not on PATH (package not installed)")
    result = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


# ------------------------------------------- the bad-input catalogue (tests/_bad_inputs.py)
def _run(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_audiodigit.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_command_line_process_exit_statuses(tmp_path, model_file, catalogue):
    # two processes only (each start imports scikit-learn); main() is tested above
    good, bad = catalogue["WAV PCM_16"], catalogue["random bytes named .wav"]
    run = _run("predict", str(model_file), str(good), str(bad), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.startswith(str(good)) and len(run.stdout.splitlines()) == 1
    assert re.search(r"^audiodigit: error: .*random\.wav", run.stderr, re.M)
    usage = _run("predict", str(model_file), "--max-duration", "-1", "x.wav", cwd=tmp_path)
    assert usage.returncode == 2 and "usage:" in usage.stderr
