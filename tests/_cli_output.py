"""Helpers of the command line's tests (tests/cli/): reading its output."""

import json

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _json(out):
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    return json.loads(lines[0])


def _assert_one_error_line(err):
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("audiodigit: error: ")
    return lines[0]
