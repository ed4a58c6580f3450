"""Every librosa call of the package is guarded: librosa's ParameterError never escapes.

Tests of :mod:`sklearn_audiodigit.utils._librosa` (``librosa_errors``, which turns
librosa's ``ParameterError`` into :class:`~sklearn_audiodigit.AudioValueError`).
"""

import ast
from pathlib import Path

import pytest
from _bad_inputs import _check_error

import sklearn_audiodigit
from sklearn_audiodigit import AudioValueError
from sklearn_audiodigit.features import ChromaExtractor, MFCCExtractor

GUARDED_LIBROSA_CALLS = {
    "filters.chroma",
    "pcen",
    "stft",
    "istft",
    "effects.pitch_shift",
    "resample",
}


def _librosa_calls():
    root = Path(sklearn_audiodigit.__file__).parent
    calls = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                parts, f = [], node.func
                while isinstance(f, ast.Attribute):
                    parts.append(f.attr)
                    f = f.value
                if isinstance(f, ast.Name) and f.id == "librosa":
                    calls.add((".".join(reversed(parts)), path.name))
    return calls


def test_every_librosa_call_is_guarded():
    # a new librosa call must be wrapped (ParameterError -> AudioValueError) and listed here
    assert {name for name, _ in _librosa_calls()} <= GUARDED_LIBROSA_CALLS


@pytest.mark.parametrize(
    "target, est",
    [
        ("filters.chroma", ChromaExtractor(n_chroma=11)),
        (".pcen", MFCCExtractor(compression="pcen")),
    ],
)
def test_parameter_error_never_escapes(monkeypatch, target, est, digit):
    import librosa
    from librosa.util.exceptions import ParameterError

    from sklearn_audiodigit import _spectral

    def boom(*args, **kwargs):
        raise ParameterError("simulated librosa failure")

    module, name = target.split(".")
    monkeypatch.setattr(getattr(librosa, module) if module else librosa, name, boom)
    _spectral.chroma_basis.cache_clear()
    with pytest.raises(AudioValueError) as excinfo:
        est.fit_transform([digit])
    _check_error(excinfo, ValueError, "simulated librosa failure")
    assert not isinstance(excinfo.value, ParameterError)
    _spectral.chroma_basis.cache_clear()
