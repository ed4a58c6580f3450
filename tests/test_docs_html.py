"""The built documentation, read as HTML: defects that a script can find.

Runs against a built site (``AUDIODIGIT_DOCS_HTML``, default
``docs/_build/html``) and is skipped when there is none; ``.ci/run`` runs it after
its documentation build. Each test is one defect a reader found once:

- a constant documented with the docstring of its type (``str(object='') -> str``)
  instead of its own description and value;
- an estimator page without "Examples using ...", or an example that uses a name
  and is missing from that name's page (examples import from the top level,
  ``sklearn_audiodigit.MFCCExtractor``, the pages are those of the defining module);
- a page that loads a script or a stylesheet from the network (the site must work
  offline);
- a three-decimal score quoted in the text that ``benchmarks/README.md`` does not
  record (numbers printed by the examples, in ``<pre>`` blocks, are measured at
  build time and are not quoted);
- the API sidebar: one entry per module, no PyTorch module in it;
- the command-line reference: every subcommand and option of the parser, and
  what ``audiodigit evaluate`` prints.
"""

import ast
import importlib
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("AUDIODIGIT_DOCS_HTML", ROOT / "docs" / "_build" / "html")).resolve()
sys.path.insert(0, str(ROOT / "docs"))

pytestmark = [
    # like test_docs_render.py: deselected from the plain ``python -m pytest``; CI's docs
    # step runs both after building the site (-m docs_render)
    pytest.mark.docs_render,
    pytest.mark.skipif(
        not (HTML / "index.html").exists(), reason=f"documentation not built in {HTML}"
    ),
]

PACKAGE = "sklearn_audiodigit"


def _page(path):
    return (HTML / path).read_text(encoding="utf-8")


def _api_objects():
    import apigen

    if not (HTML / "index.html").exists():
        return []  # nothing to check (and torch may be missing where no docs are built)
    return [
        (f"{PACKAGE}.{module}.{name}", group, obj)
        for module, items in apigen.public_objects().items()
        for name, group, obj in items
    ]


def _names(group):
    return [name for name, kind, _ in _api_objects() if kind == group]


class _Text(HTMLParser):
    """Visible text, without code, printed output, the examples' HTML output and scripts."""

    SKIP_TAGS = {"pre", "script", "style"}
    # an example's rich output (an estimator's HTML repr, a DataFrame) is measured
    SKIP_CLASSES = ("rendered_html", "dataframe")
    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area"}

    def __init__(self):
        super().__init__()
        self.parts, self._stack, self._skip_depth = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self._stack.append(tag)
        classes = dict(attrs).get("class") or ""
        skip = tag in self.SKIP_TAGS or any(c in classes for c in self.SKIP_CLASSES)
        if skip and self._skip_depth is None:
            self._skip_depth = len(self._stack)

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in self._stack:
            return
        while self._stack:
            if self._skip_depth is not None and len(self._stack) == self._skip_depth:
                self._skip_depth = None
            if self._stack.pop() == tag:
                break

    def handle_data(self, data):
        if self._skip_depth is None:
            self.parts.append(data)


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _article(html):
    """The page's main content, without the navigation and the footer."""
    start = html.find('<article class="bd-article"')
    end = html.find("</article>", start)
    return html[start:end] if start >= 0 else html


# -- constants ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", _names("data"))
def test_constant_has_its_own_description_and_value(name):
    obj = next(o for n, _, o in _api_objects() if n == name)
    html = _page(f"generated/{name}.html")
    block = re.search(r'<dl class="py data">(.*?)</dl>', html, flags=re.DOTALL)
    assert block, f"{name}: no data entry"
    signature, _, body = block.group(1).partition("<dd>")
    assert "=" in visible_text(signature), f"{name}: the value is not shown"
    text = " ".join(visible_text(body).split())
    assert len(text) > 20, f"{name}: no description ({text!r})"
    type_doc = (type(obj).__doc__ or "").strip().splitlines()
    if type_doc:
        first = " ".join(type_doc[0].split())[:40]
        assert first not in text, f"{name}: documented with the docstring of {type(obj)}"


# -- examples --------------------------------------------------------------------------


def _gallery_links(html):
    """The examples listed under "Examples using" on an API page."""
    start = html.find("Examples using")
    if start < 0:
        return set()
    return set(re.findall(r'href="[./]*auto_examples/(plot_\w+)\.html', html[start:]))


@pytest.mark.parametrize("name", _names("estimator"))
def test_estimator_page_lists_an_example(name):
    links = _gallery_links(_page(f"generated/{name}.html"))
    assert links, f"{name}: no example uses this estimator (or the page does not list it)"


def _imports_of_examples():
    """``[(example, documented name)]`` for every library name an example imports."""
    documented = {id(obj): name for name, _, obj in _api_objects()}
    if not documented:
        return []
    found = []
    for path in sorted((ROOT / "examples").glob("plot_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    obj = getattr(module, alias.name, None)
                    if id(obj) in documented:
                        found.append((path.stem, documented[id(obj)]))
    return found


@pytest.mark.parametrize(("example", "name"), _imports_of_examples())
def test_example_is_listed_on_the_page_of_what_it_imports(example, name):
    """The backreferences resolve whatever public path the example imports from."""
    page = f"generated/{name}.html"
    if not (HTML / page).exists():
        pytest.skip(f"{name} has no page of its own (a PyTorch module)")
    assert example in _gallery_links(_page(page)), f"{page} does not list {example}"


# -- offline -----------------------------------------------------------------------------

_REMOTE = re.compile(
    r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"'](https?:)?//", flags=re.IGNORECASE
)


def test_no_page_loads_anything_from_the_network():
    offenders = []
    for path in HTML.rglob("*.html"):
        for match in _REMOTE.finditer(path.read_text(encoding="utf-8")):
            tag = match.group(0)
            if match.group(1).lower() == "link" and not re.search(r"stylesheet|preload", tag):
                continue  # a plain hyperlink-like <link> (canonical, license): nothing loads
            offenders.append(f"{path.relative_to(HTML)}: {tag[:120]}")
    assert not offenders, "\n".join(offenders)


def test_no_execution_times_page():
    """sphinx-gallery's timing page loads DataTables from a CDN: it is not written."""
    assert not list(HTML.rglob("sg_execution_times.html"))


# -- quoted numbers ------------------------------------------------------------------------


def test_quoted_scores_are_recorded_in_the_benchmarks():
    from test_docs_numbers import SCORE, recorded_scores

    recorded = recorded_scores()
    offenders = []
    for path in sorted(HTML.rglob("*.html")):
        if {"_modules", "_sources", "_static"} & set(path.relative_to(HTML).parts):
            continue
        text = visible_text(_article(path.read_text(encoding="utf-8")))
        for number in sorted(set(SCORE.findall(text)) - recorded):
            context = text[max(0, text.find(number) - 60) : text.find(number) + 20]
            offenders.append(f"{path.relative_to(HTML)}: {number} in '{' '.join(context.split())}'")
    assert not offenders, "scores not recorded in benchmarks/README.md:\n" + "\n".join(offenders)


# -- API reference ---------------------------------------------------------------------------


def _sidebar(html):
    match = re.search(r'<nav class="bd-docs-nav[^"]*"[^>]*>(.*?)</nav>', html, flags=re.DOTALL)
    assert match, "no navigation sidebar"
    return match.group(1)


def test_api_sidebar_lists_modules_not_torch_modules():
    import apigen

    sidebar = _sidebar(_page("api/index.html"))
    top = re.findall(r'<li class="toctree-l1[^"]*"><a[^>]*>(.*?)</a>', sidebar, flags=re.DOTALL)
    assert [visible_text(t).strip() for t in top] == [
        f"{PACKAGE}.{m}" for m in apigen.public_modules()
    ]
    torch_modules = [name.rsplit(".", 1)[-1] for name in _names("torch_module")]
    assert torch_modules, "no PyTorch module found: is torch installed?"
    for page in ["api/index.html", "api/sklearn_audiodigit.nn.html"]:
        sidebar = visible_text(_sidebar(_page(page)))
        for module in torch_modules:
            assert not re.search(rf"\b{module}\b", sidebar), f"{module} in the sidebar of {page}"


def test_torch_modules_documented_on_the_networks_page():
    html = _page("user_guide/networks.html")
    for name in _names("torch_module"):
        assert f'id="{name}"' in html, f"{name} is not documented on the networks page"


# -- command line ----------------------------------------------------------------------------


def test_cli_reference_lists_every_option():
    import argparse

    from sklearn_audiodigit.cli import _build_parser

    html = _page("user_guide/command_line.html")
    parser = _build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, sub in subparsers.choices.items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if action.option_strings:
                name = action.option_strings[0]
                anchor = f"cmdoption-audiodigit-{command}-{name.lstrip('-')}"
            else:
                name = action.metavar or action.dest
                anchor = f"cmdoption-audiodigit-{command}-arg-{name}"
            assert f'id="{anchor}"' in html, f"audiodigit {command} {name} is not in the reference"


def test_command_line_page_shows_what_evaluate_prints():
    text = visible_text(_page("user_guide/command_line.html").replace("<pre", "<div"))
    if "not run in this build" in text:
        pytest.skip("built with AUDIODIGIT_GALLERY_PLOT=0: evaluate was not run")
    for line in ("leave one speaker out", "mean accuracy", "Confusion matrix"):
        assert line in text


def test_no_page_prints_a_path_of_the_build_machine():
    """Example output shows file names, not the checkout or a temporary folder."""
    import tempfile

    machine = [str(ROOT), str(Path(tempfile.gettempdir()).resolve()) + "/", str(Path.home()) + "/"]
    offenders = []
    for path in sorted(HTML.rglob("*.html")):
        if {"_modules", "_sources", "_static"} & set(path.relative_to(HTML).parts):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(HTML)}: {p}" for p in machine if p in text]
    assert not offenders, "\n".join(offenders)
