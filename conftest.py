"""pytest configuration at the repository root: the package's docstring examples.

``python -m pytest`` runs ``tests/`` and, with ``--doctest-modules`` (pyproject's
``addopts``), every example in the package's docstrings. Examples that download
data are marked ``# doctest: +SKIP``; those of the networks need the ``[nn]`` extra
and are not collected without torch and skorch.
"""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("skorch") is None:
    collect_ignore_glob.append("sklearn_audiodigit/nn/*")
