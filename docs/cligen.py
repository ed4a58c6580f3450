"""The command-line reference, generated from the ``audiodigit`` argparse parser.

:func:`write_cli_reference` writes an reStructuredText fragment (included by
``user_guide/command_line.rst``) with, for every subcommand of
``sklearn_audiodigit.cli._build_parser()``, its description, its usage line and
one ``.. option::`` entry per argument (metavar, choices, default, help). A new
subcommand or option appears in the documentation without editing anything here.
"""

import argparse
import re
from pathlib import Path

_RST_SPECIAL = re.compile(r"([\\*`|_\[\]])")


def _text(text):
    """Plain argparse text, escaped for reStructuredText."""
    return _RST_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def _title(text, char):
    return f"{text}\n{char * len(text)}\n"


def _subcommands(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, sub, helps.get(name, "")


def _signature(action):
    if not action.option_strings:
        return action.metavar or action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    if action.metavar:
        metavar = action.metavar
    elif action.choices:
        metavar = "{" + ",".join(map(str, action.choices)) + "}"
    else:
        metavar = action.dest.upper()
    return ", ".join(f"{opt} {metavar}" for opt in action.option_strings)


def _details(action):
    parts = [_text(action.help)] if action.help else []
    if action.choices and action.option_strings and action.metavar:
        parts.append("Choices: " + ", ".join(f"``{c}``" for c in action.choices) + ".")
    if getattr(action, "required", False) and action.option_strings:
        parts.append("Required.")
    default = action.default
    shown = default not in (None, False, argparse.SUPPRESS) and action.nargs != 0
    if shown and "default" not in (action.help or ""):
        parts.append(f"Default: ``{default}``.")
    return " ".join(parts) or "(no description)"


def cli_reference(parser):
    """The reference of ``parser`` as reStructuredText lines."""
    lines = []
    for name, sub, summary in _subcommands(parser):
        prog = f"{parser.prog} {name}"
        lines += [f".. _cli_{name}:", "", _title(f"``{prog}``", "-")]
        lines += [_text(sub.description or summary), ""]
        usage = sub.format_usage().strip()
        usage = re.sub(r"^usage:\s*", "", usage)
        lines += [".. code-block:: text", ""]
        lines += [f"   {line}" for line in usage.splitlines()]
        lines += ["", f".. program:: {prog}", ""]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            lines += [f".. option:: {_signature(action)}", "", f"   {_details(action)}", ""]
    return lines


def write_cli_reference(path):
    """Write the reference of ``audiodigit`` to ``path`` (unchanged text is not rewritten)."""
    from sklearn_audiodigit.cli import _build_parser

    text = "\n".join(cli_reference(_build_parser())) + "\n"
    path = Path(path)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def write_evaluate_output(path, run=True):
    """Write what ``audiodigit evaluate --quiet`` prints to ``path``.

    The command runs in this process (the default model on the bundled sample:
    about ten seconds for the MFCC svc, about a minute for embed-svc where the
    speech embedding is installed); with ``run=False`` a line says that it was not run.
    """
    import contextlib
    import io

    from sklearn_audiodigit.cli import main

    if run:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["evaluate", "--quiet"])
        if status != 0:
            raise RuntimeError(f"audiodigit evaluate exited with status {status}")
        text = "$ audiodigit evaluate\n" + out.getvalue()
    else:
        text = "$ audiodigit evaluate\n(not run in this build: AUDIODIGIT_GALLERY_PLOT=0)\n"
    Path(path).write_text(text)
    return path
