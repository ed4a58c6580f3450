"""What the documentation says about the project, read from ``pyproject.toml``.

The repository link and the table of optional extras on the install page come
from the project's metadata, so that they cannot drift from it.
"""

from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = None

# What each extra is for; an extra without a line here is listed with its packages.
EXTRA_PURPOSE = {
    "nn": "the neural networks of :mod:`sklearn_audiodigit.nn` (PyTorch, skorch, safetensors)",
    "embedding": "the pretrained speech-embedding features (ONNX Runtime)",
    "docs": "building this documentation (Sphinx, numpydoc, sphinx-gallery, the theme)",
    "dev": "running the tests and the linter (pytest, hypothesis, ruff, dask)",
}


def _project(pyproject):
    if tomllib is None:
        return {}
    with open(pyproject, "rb") as f:
        return tomllib.load(f).get("project", {})


def repository_url(pyproject):
    """``[project.urls]`` Repository (or Source, Homepage) of ``pyproject``, or ``""``."""
    urls = _project(pyproject).get("urls", {})
    for name in ("repository", "source", "homepage"):
        for key, value in urls.items():
            if key.lower() == name:
                return value
    return ""


def extras_table(pyproject):
    """reStructuredText list-table of the optional extras and what they install."""
    project = _project(pyproject)
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 15 45 40",
        "",
        "   * - extra",
        "     - for",
        "     - installs",
    ]
    for name, requirements in project.get("optional-dependencies", {}).items():
        purpose = EXTRA_PURPOSE.get(name, "see ``pyproject.toml``")
        lines += [
            f"   * - ``{name}``",
            f"     - {purpose}",
            "     - " + ", ".join(f"``{r}``" for r in requirements),
        ]
    return "\n".join(lines) + "\n"


def write_extras_table(pyproject, path):
    """Write :func:`extras_table` to ``path`` (unchanged text is not rewritten)."""
    text = extras_table(pyproject)
    path = Path(path)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path
