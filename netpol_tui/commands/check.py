"""`netpol-tui check`: run the GKE NetworkPolicy troubleshooting checks.

Exit status, so a CI gate never passes on data it did not have:
0 every selected check came to a definite result and no finding is at or above --fail-on;
1 a finding is at or above --fail-on; 2 unusable input (nothing loaded, a bad --select);
3 no finding reached --fail-on but some selected check is unknown (a kind not read, data
missing, or the check failed). `--fail-on never` always exits 0 once the input was usable.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netpol_tui.checks import Report

NAME = "check"
HELP = "run the GKE NetworkPolicy troubleshooting checks"
FORMATS = ("text", "json", "markdown", "sarif", "html")
FAIL_ON = ("error", "warning", "info", "never")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-o", choices=FORMATS, default="text",
                        help="text (default; terminals and tickets), json, markdown (incident notes), sarif, or html (one "
                             "self-contained page for a ticket: redirect it to a file)")
    parser.add_argument("--select", action="append", metavar="IDS",
                        help="only these checks: ids, symbols or id prefixes, comma separated (e.g. GKE,NP004)")
    parser.add_argument("--ignore", action="append", metavar="IDS",
                        help="skip these checks: ids, symbols or id prefixes, comma separated")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="error",
                        help="exit 1 when a finding is at or above this severity (default: error); with none "
                             "there, exit 3 when a check is unknown; never: always exit 0")
    fleet = parser.add_argument_group("fleet (several clusters)")
    fleet.add_argument("--all-contexts", action="store_true", help="check every context of the kubeconfig")
    fleet.add_argument("--contexts", metavar="A,B", help="check these kubeconfig contexts")


def exit_status(report: Report, fail_on: str) -> int:
    """1 when some finding is at or above `fail_on`, else 3 when some check is unknown, else 0
    (never: always 0)."""
    if fail_on == "never":
        return EXIT_OK
    from netpol_tui.checks import Severity

    if report.at_or_above(Severity(fail_on)):
        return EXIT_FINDINGS
    return EXIT_OK if report.complete else EXIT_UNKNOWN


def run(args: argparse.Namespace) -> int:
    if getattr(args, "all_contexts", False) or getattr(args, "contexts", None):
        try:
            from netpol_tui.fleet import run_fleet
        except ImportError:
            print("netpol-tui: fleet checks are not available yet", file=sys.stderr)
            return EXIT_USAGE
        return int(run_fleet(args))
    from netpol_tui.checks import SelectionError, run_checks, select_checks
    from netpol_tui.checks.render import render
    from netpol_tui.commands.common import load_or_report
    from netpol_tui.text import clean

    try:
        select_checks(args.select, args.ignore)
    except SelectionError as exc:
        print(f"netpol-tui: {clean(str(exc), single_line=True)}", file=sys.stderr)
        return EXIT_USAGE
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_USAGE
    report = run_checks(snapshot, select=args.select, ignore=args.ignore)
    if args.format == "html":
        from netpol_tui.checks.enforcement import EnforcementState
        from netpol_tui.checks.render_html import render_html

        sys.stdout.write(render_html(report, EnforcementState.from_snapshot(snapshot)))
    else:
        sys.stdout.write(render(report, args.format))
    sys.stdout.flush()
    return exit_status(report, args.fail_on)
