"""What every headless command shares: loading the chosen source and reporting problems.

`report_source_error` (from `netpol_tui.sources.errors`, where the console uses it too) and
`sanitised` (from `netpol_tui.text`) are re-exported for the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.options import options_from_args
from netpol_tui.sources import SourceError, load_snapshot
from netpol_tui.sources.errors import report_source_error
from netpol_tui.text import clean, plural, sanitised

MAX_PROBLEM_LINES = 20
#: Every command's exit status for input it cannot use (a bad option value, nothing loaded).
EXIT_BAD_INPUT = 2
__all__ = ["EXIT_BAD_INPUT", "fail", "load_or_report", "print_json", "print_problems", "report_source_error",
           "sanitised"]


def fail(command: str, message: str, *, single_line: bool = True) -> int:
    """`netpol-tui COMMAND: MESSAGE` on stderr, cleaned (a message may quote cluster or file text),
    and the bad-input exit status. `single_line=False` keeps a message's own lines."""
    print(f"netpol-tui {command}: {clean(message, single_line=single_line)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def load_or_report(args: argparse.Namespace) -> Snapshot | None:
    """Load the snapshot; print load problems to stderr; None when nothing usable (exit 2)."""
    try:
        snapshot = load_snapshot(options_from_args(args))
    except SourceError as exc:
        report_source_error(exc)
        return None
    print_problems(snapshot)
    return snapshot


def print_problems(snapshot: Snapshot) -> None:
    problems = snapshot.problems
    for problem in problems[:MAX_PROBLEM_LINES]:
        print(f"warning: {problem}", file=sys.stderr)
    if len(problems) > MAX_PROBLEM_LINES:
        print(f"warning: ... and {plural(len(problems) - MAX_PROBLEM_LINES, 'more problem')}", file=sys.stderr)
    for part in snapshot.unknown:
        print(f"warning: {part.kind} not read: {part.reason}", file=sys.stderr)


def print_json(data: Any) -> None:
    """`data` as indented JSON on stdout, every string sanitised (what --format json prints)."""
    print(json.dumps(sanitised(data), indent=2, ensure_ascii=False))
