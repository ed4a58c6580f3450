"""What a cold start imports: nothing heavy that the command does not use.

Each check runs in a fresh interpreter and reads ``sys.modules`` (no timing here:
the cold-start times are in ``benchmarks/bench_latency.py``).
"""

import json
import subprocess
import sys

import pytest

from sklearn_audiodigit.datasets import load_fsdd_sample

# optional or heavy, and needed by none of these commands
HEAVY = ["torch", "skorch", "skops", "matplotlib", "onnxruntime"]
# imported by the predict path in the past, replaced by a few lines of numpy
SLOW = ["librosa", "numba", "scipy.signal"]


def _modules_after(code):
    """Top-level names in sys.modules after running ``code`` in a new interpreter."""
    script = "import sys, json\n" + code + "\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _absent(modules, names):
    return [name for name in names if name in modules]


def test_import_is_light():
    modules = _modules_after("import sklearn_audiodigit")
    assert _absent(modules, HEAVY + SLOW) == []


def test_help_is_light():
    code = (
        "from sklearn_audiodigit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    )
    modules = _modules_after(code)
    assert _absent(modules, HEAVY + SLOW) == []


def test_predict_with_the_default_model_needs_no_torch_nor_librosa(tmp_path):
    from sklearn_audiodigit.persistence import save_model
    from sklearn_audiodigit.pipelines import make_model

    bunch = load_fsdd_sample()
    model = make_model("svc", random_state=0).fit(list(bunch.data[::3]), bunch.target[::3])
    path = tmp_path / "svc.adm"
    save_model(model, path)
    code = (
        "from sklearn_audiodigit.cli import main\n"
        f"assert main(['predict', {str(path)!r}, {str(bunch.filenames[0])!r}]) == 0\n"
    )
    modules = _modules_after(code)
    # skops reads the model file, and the speech detector run before the model
    # (segmentation.detect_speech) high-passes with scipy.signal; nothing else
    assert _absent(modules, [m for m in HEAVY if m != "skops"] + ["librosa", "numba"]) == []
    assert "skops.io" in modules


def test_skops_io_is_imported_without_torch_and_torch_still_imports_after():
    pytest.importorskip("skops")
    code = (
        "from sklearn_audiodigit.utils._imports import import_skops_io\n"
        "sio = import_skops_io()\n"
        "assert 'torch' not in sys.modules, 'torch came with skops.io'\n"
        "import sklearn.svm\n"
        "assert sio.get_untrusted_types(data=sio.dumps(sklearn.svm.SVC())) == []\n"
    )
    modules = _modules_after(code)
    assert "skops.io" in modules and "torch" not in modules
    pytest.importorskip("torch")
    after = _modules_after(code + "import torch\nassert float(torch.ones(2).sum()) == 2.0\n")
    assert "torch" in after
