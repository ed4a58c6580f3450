"""Numbers the documentation quotes from ``benchmarks/README.md``.

``benchmarks/README.md`` is the one source of truth for measured accuracy and
time. Its table under the heading "Numbers quoted in the documentation" has the
columns ``key | value | section``: ``value`` is what the pages show wherever they
write ``|key|``, and ``section`` names the heading of the README where the value is
recorded (``tests/test_docs_numbers.py`` checks that it is there).
"""

from pathlib import Path

HEADING = "## Numbers quoted in the documentation"


def quoted_numbers(readme):
    """``{key: (value, section)}`` from the table under ``HEADING`` in ``readme``."""
    text = Path(readme).read_text(encoding="utf-8")
    start = text.index(HEADING)
    rows = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
            continue
        key, value, section = (cell.strip("`") for cell in cells)
        rows[key] = (value, section)
    if not rows:
        raise ValueError(f"no numbers under {HEADING!r} in {readme}")
    return rows


def rst_substitutions(readme):
    """``rst_prolog`` text defining one ``|key|`` substitution per quoted number."""
    lines = [f".. |{key}| replace:: {value}" for key, (value, _) in quoted_numbers(readme).items()]
    return "\n".join(lines) + "\n"
