"""Sphinx configuration of the sklearn-audiodigit documentation.

Build (offline, warnings as errors), from the repository root::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Environment variables:

``AUDIODIGIT_GALLERY``
    Regular expression matched against the example paths: only the matching
    ``examples/plot_*.py`` are executed (the others are rendered without output).
    Default: every example runs. ``.ci/run`` uses it to keep the build short.
``AUDIODIGIT_GALLERY_PLOT``
    ``0`` renders the gallery without running any example.

Generated at configuration time (not committed): ``api/`` (one page per public
module, from ``apigen.py``), ``user_guide/cli_reference.inc`` (every option of
every ``audiodigit`` subcommand, from the argparse parser) and ``extras.inc`` (the
optional extras, from pyproject.toml) and ``evaluate_output.inc`` (what
``audiodigit evaluate`` prints, run during the build: about ten seconds). Numbers quoted from
``benchmarks/README.md`` are substitutions (``|svc_loso|``) read from its table
"Numbers quoted in the documentation".
"""

import os
import re
import sys
import warnings
from pathlib import Path

from sphinx.util import logging as sphinx_logging

logger = sphinx_logging.getLogger("sklearn_audiodigit.docs")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))  # gallery_order, apigen, cligen, benchnumbers

import apigen  # noqa: E402
import benchnumbers  # noqa: E402
import cligen  # noqa: E402
import projectinfo  # noqa: E402

import sklearn_audiodigit  # noqa: E402

# autosummary never deletes a page: clear those of names that are gone
for _stale in (HERE / "generated").glob("*.rst"):
    _stale.unlink()
# pages of sphinx-gallery's execution times, written by earlier builds (now off)
for _stale in (HERE / "sg_execution_times.rst", HERE / "auto_examples" / "sg_execution_times.rst"):
    _stale.unlink(missing_ok=True)
apigen.write_api_pages(HERE / "api")
cligen.write_cli_reference(HERE / "user_guide" / "cli_reference.inc")
projectinfo.write_extras_table(ROOT / "pyproject.toml", HERE / "extras.inc")
cligen.write_evaluate_output(
    HERE / "evaluate_output.inc",
    run=os.environ.get("AUDIODIGIT_GALLERY_PLOT", "True") not in ("0", "False"),
)

# -- Project -------------------------------------------------------------------------
project = "sklearn-audiodigit"
author = "sklearn-audiodigit developers"
copyright = "sklearn-audiodigit developers (BSD-3-Clause)"
release = sklearn_audiodigit.__version__
version = re.sub(r"\.dev.*$", "", release)

# The repository link in the navigation bar: ``[project.urls] Repository`` of
# pyproject.toml when the project has one; no link otherwise (set it there, not here).
REPOSITORY_URL = projectinfo.repository_url(ROOT / "pyproject.toml")

# -- General -------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = [str(HERE / "_templates")]
exclude_patterns = [
    "_build",
    "_templates",
    "gallery_order.py",
    "Thumbs.db",
    ".DS_Store",
    "auto_examples/*.ipynb",
]
root_doc = "index"
default_role = "literal"

autosummary_generate = True
autosummary_imported_members = True
# the class/function templates look examples up under the top-level name too
autosummary_context = {"toplevel_names": list(sklearn_audiodigit.__all__)}
# numbers quoted from benchmarks/README.md, one source of truth: |svc_loso| ...
rst_prolog = benchnumbers.rst_substitutions(ROOT / "benchmarks" / "README.md")
# the developers' guide, linked where it exists
rst_prolog += (
    ".. |developers_guide| replace:: :doc:`/developers`\n"
    if (HERE / "developers.rst").exists()
    else ".. |developers_guide| replace:: the developers' guide (``docs/developers.rst``)\n"
)
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"

# numpydoc renders the Parameters / Returns / Raises sections; the member lists
# come from the autosummary class template (methods defined in this library only).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# the docstring checks live in tests/test_docstrings.py, not in the build
numpydoc_validation_checks = set()

# -- Nitpicky cross-references ---------------------------------------------------------
# Every reference into this library must resolve. There is no network at build time,
# so intersphinx inventories of other projects cannot be fetched: references to
# them (and to the standard library) are rendered as code without a link.
nitpicky = True
_EXTERNAL = (
    "sklearn",
    "numpy",
    "np",
    "scipy",
    "torch",
    "skorch",
    "librosa",
    "soundfile",
    "soxr",
    "matplotlib",
    "pandas",
    "joblib",
    "skops",
    "safetensors",
    "dask",
    "pathlib",
    "os",
    "zipfile",
    "re",
    "argparse",
    "typing",
)
nitpick_ignore_regex = [
    (r"py:.*", rf"~?({'|'.join(_EXTERNAL)})(\..*)?"),
    # built-in exceptions and types named in docstrings
    (
        r"py:.*",
        r"(ValueError|TypeError|OSError|ImportError|RuntimeError|UserWarning|"
        r"Exception|FileNotFoundError|KeyError|str|int|float|bool|dict|list|tuple)",
    ),
]

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
# the full version: a development build says so (0.1.0.dev0, not 0.1.0)
html_title = f"sklearn-audiodigit {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    # everything offline: no analytics, no remote version switcher, no icon fonts
    # from a CDN (the theme ships its fonts)
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # the API sidebar lists modules; a module's names open under it
    "show_nav_level": 1,
    "collapse_navigation": False,
    "icon_links": (
        [{"name": "Source repository", "url": REPOSITORY_URL, "icon": "fa-brands fa-github"}]
        if REPOSITORY_URL
        else []
    ),
}
html_context = {"default_mode": "light"}
# single pages have no section to navigate: no empty left sidebar
html_sidebars = {
    page: []
    for page in (
        "index",
        "install",
        "getting_started",
        "release_notes",
        "citing",
        "contributing",
        "licences",
    )
}

# -- Gallery ---------------------------------------------------------------------------
_pattern = os.environ.get("AUDIODIGIT_GALLERY", "")
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": _pattern or r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "plot_gallery": os.environ.get("AUDIODIGIT_GALLERY_PLOT", "True") not in ("0", "False"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_order.ExampleOrder",
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
    # sg_execution_times.html would load DataTables from a CDN (a page that fails
    # offline); the times are in each example's footer and in the build log
    "write_computation_times": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "reference_url": {"sklearn_audiodigit": None},
    "doc_module": ("sklearn_audiodigit",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
    # an example that raises fails the build (with -W it is reported either way)
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

os.environ.setdefault("MPLBACKEND", "Agg")
# the examples run in this process: keep their output free of progress bars
os.environ.setdefault("TQDM_DISABLE", "1")
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")


# -- Hooks -----------------------------------------------------------------------------
_SKIP_MEMBERS = re.compile(r"^(set_\w+_request|get_metadata_routing|set_output)$")


def _skip_member(app, what, name, obj, skip, options):
    """Leave scikit-learn's metadata-routing helpers and set_output out of the class pages."""
    if _SKIP_MEMBERS.match(name):
        return True
    return None


def _public_bases(app, name, obj, options, bases):
    """Show public bases only: a private base is replaced by its own bases."""
    out = []
    todo = list(bases)
    while todo:
        base = todo.pop(0)
        if getattr(base, "__name__", "").startswith("_") and base is not object:
            todo[:0] = [b for b in base.__bases__ if b is not object]
        elif base not in out:
            out.append(base)
    bases[:] = out


def _import(target):
    """The object named by a dotted path, or None."""
    import importlib

    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_alias(app, env, node, contnode):
    """Resolve references to this library's objects under another public name.

    ``sklearn_audiodigit.make_model`` (the top-level re-export) and a bare
    ``TrimSilence`` written in a module that does not define it both name an
    object documented as ``sklearn_audiodigit.pipelines.make_model`` /
    ``sklearn_audiodigit.preprocessing.TrimSilence``. The reference is resolved
    when, and only when, the import gives the very same object as a documented
    name; anything else stays a nitpicky warning.
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    if target.startswith("sklearn_audiodigit."):
        obj = _import(target)
    elif "." not in target:
        obj = getattr(sklearn_audiodigit, target, None)
        if obj is None:
            module = node.get("py:module") or ""
            obj = _import(f"{module}.{target}") if module.startswith("sklearn_audiodigit") else None
    else:
        return None
    if obj is None or isinstance(obj, (str, int, float, tuple, dict)):
        return None
    domain = env.get_domain("py")
    short = target.rsplit(".", 1)[-1]
    for fullname in list(domain.objects):
        if fullname.rsplit(".", 1)[-1] != short or fullname == target:
            continue
        if _import(fullname) is obj:
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], fullname, node, contnode
            )
    return None


def _constant_description(app, what, name, obj, options, lines):
    """A constant's own ``#:`` comment, not the docstring of its type.

    autodoc looks for the comment in the module that documents the constant; for
    one imported from a private module (``datasets.FSDD_PATTERN`` from
    ``datasets._base``) it finds nothing and falls back to ``str``'s or
    ``re.Pattern``'s docstring. The comment is looked up in every module of the
    package; a public constant without one fails the build.
    """
    if what != "data" or not name.startswith("sklearn_audiodigit."):
        return
    module, short = name.rsplit(".", 1)
    own = _attribute_comment(module, short)
    if own:
        lines[:] = [*own, ""]
    else:
        logger.warning(f"constant {name} has no '#:' description in its module")


def _attribute_comment(module, attr):
    """The ``#:`` comment of ``attr``: in ``module`` itself, then its submodules, then any."""
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    names = ["sklearn_audiodigit"] + [
        info.name
        for info in pkgutil.walk_packages(sklearn_audiodigit.__path__, "sklearn_audiodigit.")
    ]
    names.sort(key=lambda n: (n != module, not n.startswith(module + "."), n))
    for modname in names:
        try:
            importlib.import_module(modname)
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 - a module that cannot be analysed has no comment
            continue
        if ("", attr) in docs:
            return list(docs[("", attr)])
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _constant_description)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("missing-reference", _resolve_alias)
