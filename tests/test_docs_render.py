"""The built documentation renders in a real browser (headless Chromium).

Needs a built site (``python -m sphinx -W --keep-going -b html docs docs/_build/html``)
and a ``chromium`` (or ``chromium-browser`` / ``google-chrome``) executable; skipped
otherwise. The window is 1400 px wide, a laptop's. For one page of every kind
(landing, install, getting started, user guide, command line, API index, module,
class, constant, gallery, example, release notes, citing, contributing, licences)
it takes a screenshot and checks that the PNG is a real, non-blank image of the
expected size, and dumps the DOM after JavaScript has run to check the page title
and content. A copy of the page with a small script measures the layout as
laid out by the browser: it fails when a code block or printed output is wider
than its column (its end hidden behind a scroll bar), when the article overflows,
or when an entry of a table of contents is cut.

Run by hand to keep the screenshots::

    python tests/test_docs_render.py OUT_DIR
"""

import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("AUDIODIGIT_DOCS_HTML", ROOT / "docs" / "_build" / "html")).resolve()
WIDTH, HEIGHT = 1400, 900
PAGES = {
    # page: (title text, text the body must contain)
    "index.html": ("sklearn-audiodigit", "speaker-independently"),
    "install.html": ("Install", "AUDIODIGIT_DATA"),
    "getting_started.html": ("Getting started", "Record yourself"),
    "user_guide/evaluation.html": ("speaker-independent", "leave one speaker out"),
    "user_guide/command_line.html": ("command line", "cmdoption-audiodigit-evaluate-model"),
    "user_guide/networks.html": ("Neural networks", "SpectrogramCNN"),
    "api/index.html": ("API reference", "sklearn_audiodigit.features"),
    "api/sklearn_audiodigit.features.html": ("sklearn_audiodigit.features", "MFCCExtractor"),
    "generated/sklearn_audiodigit.features.MFCCExtractor.html": (
        "MFCCExtractor",
        "Examples using",
    ),
    "generated/sklearn_audiodigit.datasets.FSDD_PATTERN.html": ("FSDD_PATTERN", "fullmatch"),
    "auto_examples/index.html": ("Examples", "Quick start"),
    "auto_examples/plot_quickstart.html": (
        "Quick start",
        "speaker-independent accuracy",
    ),
    "release_notes.html": ("Release notes", "Template for the next release"),
    "citing.html": ("Citing", "Free Spoken Digit Dataset"),
    "contributing.html": ("Contributing", "Benchmarks"),
    "licences.html": ("Licences", "CC BY-SA 4.0"),
    "developers.html": ("Developer guide", "persistence/"),
    "user_guide/embeddings.html": ("pretrained speech embedding", "CC BY-NC-SA 4.0"),
    "user_guide/augmentation.html": ("Unseen voices and channels", "build_devset"),
    "user_guide/digit_strings.html": ("Digit strings", "detect_speech"),
    "user_guide/untrusted_files.html": ("Untrusted files", "max_bytes"),
}

# Measures the laid-out page and writes the findings into the DOM (read by --dump-dom).
LAYOUT_SCRIPT = """
<script>
window.addEventListener("load", () => {
  const found = [];
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  const text = (el) => el.textContent.trim().replace(/\\s+/g, " ").slice(0, 80);
  document.querySelectorAll("article pre").forEach((el) => {
    if (el.offsetParent !== null && cut(el)) {
      const size = `${el.scrollWidth} > ${el.clientWidth} px`;
      found.push(`code block wider than its column (${size}): ${text(el)}`);
    }
  });
  const article = document.querySelector(".bd-article-container");
  if (article && cut(article)) {
    const size = `${article.scrollWidth} > ${article.clientWidth} px`;
    found.push(`article wider than its column (${size})`);
  }
  document.querySelectorAll(".bd-sidebar-primary, .bd-sidebar-secondary").forEach((bar) => {
    const right = bar.getBoundingClientRect().left + bar.clientWidth;  // without a scroll bar
    const edge = Math.min(right, document.documentElement.clientWidth);
    bar.querySelectorAll("a, code").forEach((el) => {
      const beyond = el.getBoundingClientRect().right > edge + 1;
      if (el.offsetParent !== null && (beyond || cut(el))) {
        found.push(`table-of-contents entry cut: ${text(el)}`);
      }
    });
  });
  const out = document.createElement("pre");
  out.id = "render-check";
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
</script>
"""
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
        result = _run(
            browser,
            [
                "--dump-dom",
                "--virtual-time-budget=5000",
                f"--window-size={WIDTH},{HEIGHT}",
                page.as_uri(),
            ],
            profile,
        )
    return result.stdout


def layout_problems(browser, page):
    """What :data:`LAYOUT_SCRIPT` finds on ``page``: clipped code, cut TOC entries."""
    html = page.read_text(encoding="utf-8")
    probe = page.with_name(f".render-check-{page.name}")  # same folder: relative links work
    head, tail = html.rsplit("</body>", 1)
    probe.write_text(head + LAYOUT_SCRIPT + "</body>" + tail, encoding="utf-8")
    try:
        dom = dump_dom(browser, probe)
    finally:
        probe.unlink()
    found = re.search(r'<pre id="render-check"[^>]*>(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, f"{page.name}: the layout script did not run"
    return json.loads(html_lib.unescape(found.group(1)))


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
    problems = layout_problems(browser, page)
    assert not problems, f"{name} at {WIDTH} px:\n" + "\n".join(problems)
    return png


_browser = find_chromium()
pytestmark = [
    # deselected from the plain ``python -m pytest`` (pyproject's addopts); CI's docs step
    # runs it after building the site: python -m pytest -m docs_render tests/test_docs_render.py
    pytest.mark.docs_render,
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
        if (HTML / name).exists():
            print(check_page(_browser, name, out))
