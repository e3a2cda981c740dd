"""Exit codes of `check`, shared by the one-shot run and the following modes (check_follow.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netpol_tui.checks import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3


def exit_status(report: Report, fail_on: str) -> int:
    """1 when some finding is at or above `fail_on`, else 3 when some check is unknown, else 0
    (never: always 0)."""
    if fail_on == "never":
        return EXIT_OK
    from netpol_tui.checks import Severity

    if report.at_or_above(Severity(fail_on)):
        return EXIT_FINDINGS
    return EXIT_OK if report.complete else EXIT_UNKNOWN
