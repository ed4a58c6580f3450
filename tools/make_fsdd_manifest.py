"""Write the SHA-256 manifest of the FSDD recordings used by ``fetch_fsdd``.

The GitHub archive of a tag is generated on the fly and its bytes are not stable,
so ``fetch_fsdd`` verifies the recordings themselves against this manifest.

Usage::

    python tools/make_fsdd_manifest.py RECORDINGS_DIR [OUTPUT_CSV]

``RECORDINGS_DIR`` is the ``recordings/`` folder of a trusted copy of FSDD v1.0.10
(3000 files named ``{digit}_{speaker}_{take}.wav``). ``OUTPUT_CSV`` defaults to
``sklearn_audiodigit/datasets/data/fsdd_manifest.csv``. Rows are sorted by file
name; the header is ``filename,sha256``.
"""

import argparse
import csv
import hashlib
import re
import sys
from pathlib import Path

FSDD_PATTERN = re.compile(r"(?P<digit>[0-9])_(?P<speaker>[a-z]+)_(?P<take>[0-9]+)\.wav")
EXPECTED_COUNT = 3000
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "sklearn_audiodigit"
    / "datasets"
    / "data"
    / "fsdd_manifest.csv"
)


def sha256_of(path):
    """Return the hexadecimal SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv=None):
    """Write the manifest; return a process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recordings", type=Path, help="the recordings/ folder of FSDD v1.0.10")
    parser.add_argument("output", type=Path, nargs="?", default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    wavs = sorted(p for p in args.recordings.iterdir() if p.suffix == ".wav")
    bad = [p.name for p in wavs if not FSDD_PATTERN.fullmatch(p.name)]
    if bad:
        print(f"error: file names that are not FSDD recordings: {bad[:5]}", file=sys.stderr)
        return 1
    if len(wavs) != EXPECTED_COUNT:
        print(f"error: found {len(wavs)} recordings, expected {EXPECTED_COUNT}", file=sys.stderr)
        return 1
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["filename", "sha256"])
        for p in wavs:
            writer.writerow([p.name, sha256_of(p)])
    print(f"wrote {len(wavs)} rows to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
