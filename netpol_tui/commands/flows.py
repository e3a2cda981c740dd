"""`netpol-tui flows`: observed flows (GKE policy logs, Hubble) against the policy engine.

Exit status: 0 every group agrees, 1 some group disagrees, 2 bad input (no source, a flows
file unreadable or holding no usable record, snapshot not loaded, a bad --logs-since), 3 some
group unknown or not logged (egress an FQDNNetworkPolicy may decide, which GKE's policy log does
not record), or the live log (--logs-since) not read or read only in part, and none disagrees.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.sources.gke import GkeIdentity

from netpol_tui.policy.dataplane import DATAPLANE_CHOICES as DATAPLANES

NAME = "flows"
HELP = "compare observed flows (GKE network policy logs, Hubble) with the policy engine and explain disagreements"
EXIT_AGREE, EXIT_DISAGREE, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
MAX_PROBLEM_LINES = 20
DEFAULT_LOGS_LIMIT = 100_000


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--flows", action="append", metavar="PATH",
                        help="flow records: `gcloud logging read ... --format=json` output, Cloud Logging exports "
                             "(JSON lines) or `hubble observe -o json` output; - reads stdin; repeatable "
                             "(with --demo and no --flows: the demo's own records)")
    parser.add_argument("--logs-since", metavar="DURATION",
                        help="also read the GKE cluster's policy-action log from Cloud Logging, this far back: "
                             "30m, 1h, 2d, 1h30m (needs logging.logEntries.list, e.g. roles/logging.viewer); "
                             "the cluster is the GKE source's (--project/--location/--cluster or the context name)")
    parser.add_argument("--logs-limit", type=_positive_int, default=DEFAULT_LOGS_LIMIT, metavar="N",
                        help=f"read at most N log entries, the newest (default: {DEFAULT_LOGS_LIMIT:,}); the report "
                             "says when the cap cut the read")
    parser.add_argument("--logging-endpoint", metavar="URL",
                        help="Cloud Logging API endpoint (default: https://logging.googleapis.com), e.g. "
                             "https://restricted.googleapis.com or a Private Service Connect endpoint")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "markdown"),
                        help="text (default), json or markdown")
    parser.add_argument("--only", default="all", choices=("all", "disagree", "deny"),
                        help="show every group (default), only disagreements, or only denied groups")
    parser.add_argument("--dataplane", default="auto", choices=DATAPLANES,
                        help="enforcement model of the engine: auto (from the GKE cluster info; default), kubernetes, "
                             "calico, dataplane-v2, none")


def _fail(message: str) -> int:
    from netpol_tui.commands.common import fail

    return fail(NAME, message, single_line=False)


def _source_words(args: argparse.Namespace) -> list[str]:
    from netpol_tui.flows.shell import source_words

    return source_words(getattr(args, "demo", None), tuple(getattr(args, "files", None) or ()),
                        getattr(args, "context", None), getattr(args, "kubeconfig", None),
                        getattr(args, "project", None), getattr(args, "location", None),
                        getattr(args, "cluster", None))


def demo_flows(name: str) -> tuple[list[str], str | None]:
    """The flow records a bundled demo ships, or none and why (`--demo` without `--flows`)."""
    from netpol_tui.sources.demo import DEMO_FLOWS, NO_DEMO_FLOWS, demo_flow_paths
    from netpol_tui.sources.errors import SourceError

    try:
        paths = list(demo_flow_paths(name))
    except SourceError:
        return [], None  # the unknown demo is reported by the load, with its hint
    return paths, None if name in DEMO_FLOWS else NO_DEMO_FLOWS.get(name, "none were recorded")


def exit_code(report) -> int:
    counts = report.counts()
    if counts["disagrees"]:
        return EXIT_DISAGREE
    if counts["unknown"] or counts["not logged"] or report.logs_incomplete:
        return EXIT_UNKNOWN
    return EXIT_AGREE


def logs_identity(args: argparse.Namespace, snapshot: Snapshot) -> tuple[GkeIdentity | None, str]:
    """The GKE cluster whose log to read, as the GKE reads resolve it: --project/--location/--cluster
    first, then the live source's identity (the context name), then a cluster document in --files.
    A demo is no real cluster: only the flags name one."""
    from types import SimpleNamespace

    from netpol_tui.sources import gke

    source = snapshot.source
    project, location, cluster = args.project, args.location, args.cluster
    context = None
    if source.kind != "demo":
        context = source.context or args.context
        project, location, cluster = project or source.project, location or source.location, cluster or source.cluster
        described = snapshot.cluster
        if described is not None:
            project = project or described.project
            location = location or described.location
            cluster = cluster or described.name
    identity, _reason = gke.identify(SimpleNamespace(project=project, location=location, cluster=cluster), context)
    if identity is not None:
        return identity, ""
    if source.kind == "demo":
        return None, ("--logs-since reads a real cluster's log and the demo is none: pass --project, --location "
                      "and --cluster")
    named = gke.parse_context_name(context)
    missing = [flag for flag, value, part in (("--project", project, "project"), ("--location", location, "location"),
                                              ("--cluster", cluster, "cluster"))
               if not value and not (named and getattr(named, part))]
    where = (f"the context {context!r} is not named gke_PROJECT_LOCATION_CLUSTER" if context
             else "no GKE context and no cluster document in the files")
    return None, f"--logs-since needs the GKE cluster whose log to read ({where}): pass {', '.join(missing)}"


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import load_or_report
    from netpol_tui.flows import compare_flows
    from netpol_tui.flows.duration import parse_duration
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.text import clean, plural

    paths = list(args.flows or ())
    since = None
    if args.logs_since is not None:
        try:
            since = parse_duration(args.logs_since)
        except ValueError as exc:
            return _fail(str(exc))
    demo = getattr(args, "demo", None)
    if not paths and since is None and demo:
        paths, reason = demo_flows(demo)
        if not paths:
            return _fail(f"the {demo} demo has no flow records: {reason}")
    if not paths and since is None:
        return _fail("give --flows PATH (repeatable; - reads stdin: policy-action logs or Hubble flows) or "
                     "--logs-since DURATION (the GKE cluster's policy-action log from Cloud Logging)")
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
    logs = None
    if since is not None:
        from netpol_tui.options import options_from_args
        from netpol_tui.sources.gke_logs import LogRead

        identity, reason = logs_identity(args, snapshot)
        if identity is None:
            return _fail(reason)
        options = options_from_args(args)
        logs = LogRead(identity, since, endpoint=args.logging_endpoint, timeout=options.timeout,
                       budget=options.load_budget, max_response=options.max_response_bytes,
                       max_records=args.logs_limit)
    report = compare_flows(snapshot, engine, paths, source_words=_source_words(args),
                           dataplane_arg=None if args.dataplane == "auto" else args.dataplane, logs=logs,
                           freeze=True)  # the report lives until the command exits
    if report.logs is not None and report.logs_incomplete:
        for line in report.logs_lines():
            print(f"warning: {line}", file=sys.stderr)
    for problem in report.problems[:MAX_PROBLEM_LINES]:
        print(f"warning: {clean(str(problem), 300, single_line=True)}", file=sys.stderr)
    if report.problem_count > MAX_PROBLEM_LINES:
        print(f"warning: ... and {plural(report.problem_count - MAX_PROBLEM_LINES, 'more problem')}", file=sys.stderr)
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
