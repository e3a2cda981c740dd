"""`netpol-tui flows`: observed flows (GKE policy logs, Hubble) against the policy engine.

Exit status: 0 every group agrees, 1 some group disagrees, 2 bad input (no source, a flows
file unreadable or holding no usable record, snapshot not loaded), 3 some group unknown and
none disagrees.
"""

from __future__ import annotations

import argparse
import json
import sys

from netpol_tui.policy.dataplane import DATAPLANE_CHOICES as DATAPLANES

NAME = "flows"
HELP = "compare observed flows (GKE network policy logs, Hubble) with the policy engine and explain disagreements"
EXIT_AGREE, EXIT_DISAGREE, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
MAX_PROBLEM_LINES = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--flows", action="append", metavar="PATH",
                        help="flow records: `gcloud logging read ... --format=json` output, Cloud Logging exports "
                             "(JSON lines) or `hubble observe -o json` output; - reads stdin; repeatable")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "markdown"),
                        help="text (default), json or markdown")
    parser.add_argument("--only", default="all", choices=("all", "disagree", "deny"),
                        help="show every group (default), only disagreements, or only denied groups")
    parser.add_argument("--dataplane", default="auto", choices=DATAPLANES,
                        help="enforcement model of the engine: auto (from the GKE cluster info; default), kubernetes, "
                             "calico, dataplane-v2, none")


def _fail(message: str) -> int:
    print(f"netpol-tui flows: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _source_words(args: argparse.Namespace) -> list[str]:
    from netpol_tui.flows.shell import source_words

    return source_words(getattr(args, "demo", None), tuple(getattr(args, "files", None) or ()),
                        getattr(args, "context", None), getattr(args, "kubeconfig", None),
                        getattr(args, "project", None), getattr(args, "location", None),
                        getattr(args, "cluster", None))


def exit_code(report) -> int:
    counts = report.counts()
    if counts["disagrees"]:
        return EXIT_DISAGREE
    if counts["unknown"]:
        return EXIT_UNKNOWN
    return EXIT_AGREE


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import load_or_report
    from netpol_tui.flows import compare_flows
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.text import clean

    paths = list(args.flows or ())
    if not paths:
        return _fail("give --flows PATH (repeatable; - reads stdin): policy-action logs or Hubble flows")
    if paths.count("-") > 1:
        return _fail("stdin (-) can be read only once")
    if "-" in paths and "-" in (getattr(args, "files", None) or ()):
        return _fail("stdin (-) cannot feed both --files and --flows")
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_BAD_INPUT
    try:
        engine = PolicyEngine(snapshot, args.dataplane)
    except ValueError as exc:
        return _fail(str(exc))
    report = compare_flows(snapshot, engine, paths, source_words=_source_words(args),
                           dataplane_arg=None if args.dataplane == "auto" else args.dataplane)
    for problem in report.problems[:MAX_PROBLEM_LINES]:
        print(f"warning: {clean(str(problem), 300, single_line=True)}", file=sys.stderr)
    if report.problem_count > MAX_PROBLEM_LINES:
        print(f"warning: ... and {report.problem_count - MAX_PROBLEM_LINES} more problems", file=sys.stderr)
    if args.output_format == "json":
        print(json.dumps(report.to_dict(args.only), indent=2, ensure_ascii=False))
    elif args.output_format == "markdown":
        print(report.to_markdown(args.only))
    else:
        print(report.to_text(args.only))
    if report.files_unreadable or (not report.records and report.problem_count):
        print("netpol-tui flows: some flow input could not be read (see the warnings above)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return exit_code(report)
