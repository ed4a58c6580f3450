"""The API reference, generated from the package: one page per public module.

Every public module of ``sklearn_audiodigit`` (a name without a leading underscore
that defines ``__all__``) gets a page ``api/<module>.rst`` listing its names in
groups, as scikit-learn's reference does, and ``api/index.rst`` lists the modules.
A module added to the package appears in the reference without editing anything
here; ``MODULE_ORDER`` only decides where the known ones go.

The groups, decided from the objects themselves:

- estimators (subclasses of scikit-learn's ``BaseEstimator``), other classes,
  functions, constants, exceptions and warnings: each has its own page under
  ``generated/`` (the autosummary templates in ``_templates/``);
- PyTorch modules (subclasses of ``torch.nn.Module``): listed in the module's
  table, documented on the networks page of the user guide (which includes the
  generated ``api/torch_modules.inc``), and kept out of the navigation sidebar.

``tests/test_docs_api.py`` and ``tests/test_docs_html.py`` use :func:`public_objects`
to know what the built site must contain.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

PACKAGE = "sklearn_audiodigit"

# Known modules, in reading order (from a file to a prediction); modules not listed
# here follow, in alphabetical order.
MODULE_ORDER = [
    "io",
    "preprocessing",
    "features",
    "embeddings",
    "svm",
    "pipelines",
    "augmentation",
    "nn",
    "evaluation",
    "segmentation",
    "transcription",
    "reporting",
    "persistence",
    "pretrained",
    "datasets",
    "exceptions",
    "utils",
    "cli",
]

GROUPS = [
    # key, heading, autosummary template (None: no page of its own)
    ("estimator", "Estimators", "class.rst"),
    ("class", "Classes", "class.rst"),
    ("function", "Functions", "function.rst"),
    ("data", "Constants", "data.rst"),
    ("exception", "Exceptions and warnings", "class.rst"),
    ("torch_module", "PyTorch modules", None),
]


def _mro_names(cls):
    return {f"{base.__module__}.{base.__qualname__}" for base in inspect.getmro(cls)}


def kind(obj):
    """The group of a public object: one of the keys of ``GROUPS``."""
    if inspect.isclass(obj):
        names = _mro_names(obj)
        if "torch.nn.modules.module.Module" in names:
            return "torch_module"
        if issubclass(obj, BaseException):
            return "exception"
        if "sklearn.base.BaseEstimator" in names:
            return "estimator"
        return "class"
    if callable(obj):
        return "function"
    return "data"


def public_modules():
    """Names of the public modules, in the order of the reference."""
    package = importlib.import_module(PACKAGE)
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        if hasattr(module, "__all__"):
            found.append(info.name)
    known = [name for name in MODULE_ORDER if name in found]
    return known + sorted(set(found) - set(known))


def public_objects():
    """``{module: [(name, kind, object), ...]}`` for every public module, in order."""
    out = {}
    for name in public_modules():
        module = importlib.import_module(f"{PACKAGE}.{name}")
        out[name] = [
            (attr, kind(getattr(module, attr)), getattr(module, attr)) for attr in module.__all__
        ]
    return out


def _summary(module):
    doc = inspect.getdoc(module) or ""
    return doc.strip().splitlines()[0].rstrip(".") if doc.strip() else module.__name__


def _title(text, char):
    return f"{text}\n{char * len(text)}\n"


def _module_page(name, objects):
    full = f"{PACKAGE}.{name}"
    module = importlib.import_module(full)
    lines = [
        f".. _api_{name}:",
        "",
        _title(f"{full}", "="),
        f".. automodule:: {full}",
        "   :no-members:",
        "   :no-inherited-members:",
        "",
        f".. currentmodule:: {full}",
        "",
    ]
    for key, heading, template in GROUPS:
        names = [attr for attr, group, _ in objects if group == key]
        if not names:
            continue
        lines += [_title(heading, "-"), ".. autosummary::"]
        if template is not None:
            lines += ["   :toctree: ../generated/", f"   :template: {template}"]
        else:
            lines += ["   :nosignatures:"]
        lines.append("")
        lines += [f"   {attr}" for attr in names]
        lines.append("")
        if key == "torch_module":
            lines += [
                "The plain :class:`torch.nn.Module` classes that the estimators above "
                "wrap; they are documented in :ref:`torch_modules` of the user guide.",
                "",
            ]
    del module
    return "\n".join(lines)


def _index_page(modules):
    package = importlib.import_module(PACKAGE)
    lines = [
        ".. _api:",
        "",
        _title("API reference", "="),
        "Every public name of the library, generated from its docstring, grouped by the",
        "module that defines it. The most used names are also importable from the",
        "top-level package (``from sklearn_audiodigit import MFCCExtractor, make_model,",
        "save_model``): "
        + ", ".join(f":obj:`~{PACKAGE}.{n}`" for n in package.__all__ if n != "__version__")
        + ".",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "   :hidden:",
        "",
    ]
    lines += [f"   {PACKAGE}.{name}" for name in modules]
    lines.append("")
    lines += [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 35 65",
        "   :class: api-modules",
        "",
        "   * - Module",
        "     - What it holds",
    ]
    for name in modules:
        module = importlib.import_module(f"{PACKAGE}.{name}")
        lines += [
            f"   * - :ref:`{PACKAGE}.{name} <api_{name}>`",
            f"     - {_summary(module)}.",
        ]
    lines.append("")
    return "\n".join(lines)


def _torch_include(objects):
    lines = []
    for name, items in objects.items():
        for attr, group, _ in items:
            if group == "torch_module":
                lines += [
                    f".. autoclass:: {PACKAGE}.{name}.{attr}",
                    "   :members: forward",
                    "   :show-inheritance:",
                    "",
                ]
    return "\n".join(lines)


def write_api_pages(out_dir):
    """Write ``index.rst``, one page per module and ``torch_modules.inc`` into ``out_dir``.

    Files whose content is unchanged are not rewritten (Sphinx then keeps them).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    objects = public_objects()
    pages = {"index.rst": _index_page(list(objects)), "torch_modules.inc": _torch_include(objects)}
    for name, items in objects.items():
        pages[f"{PACKAGE}.{name}.rst"] = _module_page(name, items)
    for filename, text in pages.items():
        path = out_dir / filename
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for stale in [*out_dir.glob("*.rst"), *out_dir.glob("*.inc")]:
        if stale.name not in pages:
            stale.unlink()
    return sorted(pages)
