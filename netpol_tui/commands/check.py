"""`netpol-tui check`: run the GKE NetworkPolicy troubleshooting checks.

Exit status, so a CI gate never passes on data it did not have:
0 every selected check came to a definite result and no finding is at or above --fail-on;
1 a finding is at or above --fail-on; 2 unusable input (nothing loaded, a bad --select);
3 no finding reached --fail-on but some selected check is unknown (a kind not read, data
missing, or the check failed). `--fail-on never` always exits 0 once the input was usable.
`--watch` ends with the same status for the last state; `--until-clean` exits 0 clean, 1 still
open when the wait ran out, 3 only unknown checks left (see check_follow).
"""

from __future__ import annotations

import argparse
import sys

from netpol_tui.commands.check_exit import (  # noqa: F401 (the exit codes are re-exported)
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    exit_status,
)

NAME = "check"
HELP = "run the GKE NetworkPolicy troubleshooting checks"
FORMATS = ("text", "json", "markdown", "sarif", "html")
FAIL_ON = ("error", "warning", "info", "never")


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
    from netpol_tui.commands.check_follow import duration_type

    follow = parser.add_argument_group("following the cluster (text or JSON lines)")
    mode = follow.add_mutually_exclusive_group()
    mode.add_argument("--watch", action="store_true",
                      help="keep reading the source and print each finding that appears, resolves or changes; "
                           "exits as without it, for the last state "
                           "(--files: re-read when a file changes; the demo cannot change: printed once)")
    mode.add_argument("--until-clean", action="store_true",
                      help="wait until the selected checks have no finding and none unknown: exit 0 then, 1 when "
                           "--wait runs out, 3 when only unknown checks are left")
    follow.add_argument("--wait", type=duration_type, metavar="DURATION",
                        help="how long --until-clean waits (default: 30m) or --watch runs (default: until ctrl+c); "
                             "e.g. 90s, 30m, 1h30m")
    fleet = parser.add_argument_group("fleet (several clusters)")
    fleet.add_argument("--all-contexts", action="store_true", help="check every context of the kubeconfig")
    fleet.add_argument("--contexts", metavar="A,B", help="check these kubeconfig contexts")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "all_contexts", False) or getattr(args, "contexts", None):
        if getattr(args, "watch", False) or getattr(args, "until_clean", False):
            print("netpol-tui: --watch and --until-clean follow one cluster, not a fleet", file=sys.stderr)
            return EXIT_USAGE
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
    if getattr(args, "watch", False) or getattr(args, "until_clean", False):
        from netpol_tui.commands.check_follow import run_follow

        return run_follow(args)
    if getattr(args, "wait", None):
        print("netpol-tui: --wait needs --watch or --until-clean", file=sys.stderr)
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
