"""What every headless command shares: loading the chosen source and reporting problems."""

from __future__ import annotations

import argparse
import sys

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.options import options_from_args
from netpol_tui.sources import SourceError, load_snapshot

MAX_PROBLEM_LINES = 20


def load_or_report(args: argparse.Namespace) -> Snapshot | None:
    """Load the snapshot; print load problems to stderr; None when nothing usable (exit 2)."""
    try:
        snapshot = load_snapshot(options_from_args(args))
    except SourceError as exc:
        report_source_error(exc)
        return None
    print_problems(snapshot)
    return snapshot


def report_source_error(exc: SourceError) -> None:
    """The message, each problem and the hint on stderr (the console prints the same before exit 2)."""
    for line in exc.lines():
        print(f"netpol-tui: {line}" if line == exc.message else line, file=sys.stderr)


def print_problems(snapshot: Snapshot) -> None:
    problems = snapshot.problems
    for problem in problems[:MAX_PROBLEM_LINES]:
        print(f"warning: {problem}", file=sys.stderr)
    if len(problems) > MAX_PROBLEM_LINES:
        print(f"warning: ... and {len(problems) - MAX_PROBLEM_LINES} more problems", file=sys.stderr)
    for part in snapshot.unknown:
        print(f"warning: {part.kind} not read: {part.reason}", file=sys.stderr)
