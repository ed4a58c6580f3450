"""Numbers quoted from ``benchmarks/README.md`` have one source of truth.

``docs/conf.py`` turns the table "Numbers quoted in the documentation" of
``benchmarks/README.md`` into substitutions (``|svc_loso|``). These tests need no
built site: each row's value must be recorded in the section it names, and the
top-level README (which Sphinx does not render) may quote no three-decimal score
that the benchmarks do not record. ``tests/test_docs_html.py`` checks the rendered
pages the same way.
"""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

import benchnumbers  # noqa: E402

BENCH = ROOT / "benchmarks" / "README.md"
# a score or fraction written with three decimals (0.907), the way results are quoted
SCORE = re.compile(r"(?<![\d.])0\.\d{3}(?!\d)")


def _section(text, heading):
    """The text under ``## heading`` (or ``### heading``), up to the next heading of its level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.MULTILINE)
    assert match, f"no section {heading!r} in {BENCH.name}"
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def recorded_scores():
    """Every three-decimal number written in benchmarks/README.md."""
    return set(SCORE.findall(BENCH.read_text(encoding="utf-8")))


def test_quoted_numbers_table_parses():
    rows = benchnumbers.quoted_numbers(BENCH)
    assert {"svc_loso", "svc_official", "cnn_loso"} <= set(rows)
    for key, (value, _) in rows.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key
        assert re.fullmatch(r"[0-9][0-9.,]*", value), f"{key}: {value!r} is not a number"


@pytest.mark.parametrize("key", sorted(benchnumbers.quoted_numbers(BENCH)))
def test_quoted_number_is_recorded_in_its_section(key):
    value, heading = benchnumbers.quoted_numbers(BENCH)[key]
    text = BENCH.read_text(encoding="utf-8")
    table_end = text.index(benchnumbers.HEADING) + len(benchnumbers.HEADING)
    body = _section(text[table_end:], heading)
    assert re.search(rf"(?<![\d.]){re.escape(value)}(?![\d])", body), (
        f"|{key}| = {value} is not recorded under '{heading}' in benchmarks/README.md"
    )


def test_substitutions_cover_the_table():
    prolog = benchnumbers.rst_substitutions(BENCH)
    for key, (value, _) in benchnumbers.quoted_numbers(BENCH).items():
        assert f".. |{key}| replace:: {value}" in prolog


def test_readme_quotes_only_recorded_scores():
    quoted = set(SCORE.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    assert not quoted - recorded_scores(), (
        f"README.md quotes {sorted(quoted - recorded_scores())}, not in benchmarks/README.md"
    )


def test_substitutions_used_in_sources_exist():
    """A ``|key|`` in a page or an example's text names a row of the table."""
    keys = set(benchnumbers.quoted_numbers(BENCH))
    defined = keys | {"developers_guide"}
    sources = [*(ROOT / "docs").rglob("*.rst"), *(ROOT / "examples").glob("*.py")]
    sources = [p for p in sources if not {"_build", "auto_examples", "generated"} & set(p.parts)]
    for path in sources:
        for key in re.findall(r"(?<![|\w])\|([a-z][a-z0-9_]*)\|(?![|\w])", path.read_text()):
            assert key in defined, f"{path.relative_to(ROOT)} uses |{key}|, not defined"
