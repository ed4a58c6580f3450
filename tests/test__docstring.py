"""Tests of sklearn_audiodigit._docstring: the one docstring-substitution helper."""

import inspect
import re

import pytest

import sklearn_audiodigit
from sklearn_audiodigit._docstring import Substitution, fill_doc


@fill_doc
def _documented(x, *, sr=16000, n_jobs=None, stats=("mean",), mode="fast"):
    """Do.

    Parameters
    ----------
    %(sr)s
        A line of this function's own.
    %(n_jobs)s
    stats : tuple of str, default=%(default:stats)s
        Statistics.
    mode : str, default=%(default:mode)s
        Mode.
    """


def test_shared_description_and_signature_defaults():
    """Placeholders sit at a parameter's indentation, 4 spaces at module level."""
    doc = inspect.cleandoc(_documented.__doc__)
    assert "sr : int, default=16000\n    Sampling rate of the waveforms, in Hz." in doc
    assert "    A line of this function's own." in doc
    assert "n_jobs : int or None, default=None" in doc
    assert 'stats : tuple of str, default=("mean",)' in doc
    assert 'mode : str, default="fast"' in doc
    assert "%(" not in doc


_COMMON = """%(random_state)s
        Seeds the thing.
    width : int, default=%(default:width)s
        Width."""


@Substitution(common=_COMMON)
class C:
    """A class.

    Parameters
    ----------
    %(common)s
    """

    def __init__(self, *, random_state=7, width=3):
        pass


def test_own_descriptions_may_hold_shared_placeholders_and_class_defaults():
    doc = inspect.cleandoc(C.__doc__)
    assert "random_state : int, RandomState instance or None, default=7" in doc
    assert "width : int, default=3\n    Width." in doc
    assert "    Seeds the thing." in doc
    assert "%(" not in doc


def test_default_of_a_missing_parameter_is_an_error_at_definition():
    with pytest.raises(KeyError, match="'lr'"):

        @fill_doc
        def g(x):
            """Doc with %(default:lr)s."""


def test_no_placeholder_left_in_the_package():
    """Every public docstring of the package was filled (no typo in a key)."""
    import importlib
    import pkgutil

    left = []
    for info in pkgutil.walk_packages(sklearn_audiodigit.__path__, "sklearn_audiodigit."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra is missing (torch, skorch)
            continue
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__ or info.name.endswith(
                "_docstring"
            ):
                continue
            if re.search(r"%\((default:)?\w+\)s", getattr(obj, "__doc__", None) or ""):
                left.append(f"{module.__name__}.{name}")
    assert left == []
