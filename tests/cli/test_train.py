"""``audiodigit train``: a model file from the bundled sample."""

import pytest

from sklearn_audiodigit.cli import main

# the command line's mechanics, with the MFCC svc as the default model whether or not
# the speech embedding is installed (tests/cli/test_pretrained.py covers that default)
pytestmark = pytest.mark.usefixtures("svc_default")


def test_train_writes_a_model(capsys, tmp_path):
    path = tmp_path / "new" / "model.file"
    assert main(["train", "--output", str(path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert path.is_file() and path.stat().st_size > 0
    assert "300 clips" in captured.out
    assert str(path) in captured.out
    assert "Traceback" not in captured.err


def test_train_emits_no_future_warning(tmp_path):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["train", "--output", str(tmp_path / "m.joblib"), "--quiet"]) == 0
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
