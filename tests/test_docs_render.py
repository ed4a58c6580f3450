"""The built documentation renders in a real browser (headless Chromium).

Needs a built site (``python -m sphinx -W --keep-going -b html docs docs/_build/html``)
and a ``chromium`` (or ``chromium-browser`` / ``google-chrome``) executable; skipped
otherwise. For the index page and one gallery page it takes a screenshot and checks
that the PNG is a real, non-blank image of the expected size, and dumps the DOM
after JavaScript has run to check the page title and content.

Run by hand to keep the screenshots::

    python tests/test_docs_render.py OUT_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("AUDIODIGIT_DOCS_HTML", ROOT / "docs" / "_build" / "html")).resolve()
WIDTH, HEIGHT = 1280, 900
PAGES = {
    # page: (title text, text the body must contain)
    "index.html": ("sklearn-audiodigit", "speaker-independently"),
    "auto_examples/plot_quickstart.html": (
        "Quick start",
        "speaker-independent accuracy",
    ),
}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(browser, args, profile):
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def screenshot(browser, page, png):
    """Screenshot ``page`` (a path) into ``png``; return the process result."""
    with tempfile.TemporaryDirectory() as profile:
        return _run(
            browser,
            [f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri()],
            profile,
        )


def dump_dom(browser, page):
    """The DOM of ``page`` after its scripts have run."""
    with tempfile.TemporaryDirectory() as profile:
        result = _run(browser, ["--dump-dom", page.as_uri()], profile)
    return result.stdout


def png_stats(path):
    """Width, height and number of distinct byte values in the decoded rows of a PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, width, height = 8, b"", None, None
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


def check_page(browser, name, out_dir):
    """Screenshot and DOM checks of one page; return the screenshot's path."""
    page = HTML / name
    title, text = PAGES[name]
    png = Path(out_dir) / (name.replace("/", "_").replace(".html", ".png"))
    result = screenshot(browser, page, png)
    assert png.exists(), f"no screenshot of {name}: {result.stderr[-2000:]}"
    width, height, n_values = png_stats(png)
    assert (width, height) == (WIDTH, HEIGHT)
    # a blank or single-colour page compresses to a few byte values
    assert n_values > 64, f"{name} looks blank ({n_values} distinct byte values)"
    assert png.stat().st_size > 20_000, f"{name}: screenshot of only {png.stat().st_size} bytes"
    dom = dump_dom(browser, page)
    head = dom.split("</title>")[0]
    assert "<title>" in head and title in head.split("<title>")[-1], f"{name}: title not found"
    assert text in dom, f"{name}: {text!r} not in the page"
    # the theme's stylesheet was applied (offline: no CDN), the page is not bare HTML
    assert "pydata" in dom or "bd-" in dom
    return png


_browser = find_chromium()
pytestmark = [
    pytest.mark.skipif(_browser is None, reason="chromium is not installed"),
    pytest.mark.skipif(
        not (HTML / "index.html").exists(),
        reason=f"documentation not built in {HTML}",
    ),
]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders(name, tmp_path):
    if name.startswith("auto_examples/") and not (HTML / name).exists():
        pytest.skip(f"{name} not built (gallery filtered)")
    check_page(_browser, name, tmp_path)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if _browser is None:
        sys.exit("chromium is not installed")
    for name in PAGES:
        print(check_page(_browser, name, out))
