"""`netpol-tui matrix`: every (source workload, destination workload, port) with its verdict.

Exit status: 0 the matrix was printed and every flow is definite, 2 bad input, 3 some flow is
unknown (a kind the verdicts depend on was not read).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from netpol_tui.policy.dataplane import DATAPLANE_CHOICES as DATAPLANES

if TYPE_CHECKING:
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.whatif.render_html import PageSource

NAME = "matrix"
HELP = "the connectivity matrix: namespace x namespace (all / some / none allowed), workloads and ports"
EXIT_OK, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 2, 3


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options matrix and diff share (`--namespace` is the source option: only flows into or out of it)."""
    parser.add_argument("--ports", metavar="LIST",
                        help="more ports to ask about, comma separated: 80,443/TCP,53/UDP (besides those named "
                             "in policies, Services and container ports)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from netpol_tui.whatif.render import MATRIX_FORMATS

    add_common(parser)
    parser.add_argument("--dataplane", default="auto", choices=DATAPLANES,
                        help="enforcement model: auto (from the GKE cluster info; default), kubernetes, calico, "
                             "dataplane-v2, none")
    parser.add_argument("--format", "-o", dest="output_format", default="text", choices=MATRIX_FORMATS,
                        help="text (default: the namespace grid), json (cells, workloads and every flow), markdown, "
                             "csv (one row per flow), dot (Graphviz) or html (one self-contained page: the grid, "
                             "every flow and its explain command to copy)")
    parser.add_argument("--flows", dest="show_flows", action="store_true",
                        help="text: also list every flow with its verdict and deciding rule")


def parse_ports(text: str | None) -> list:
    """`80,443/TCP,53/udp` as FlowPorts; ValueError with a user-facing message."""
    from netpol_tui.policy import check_port, check_protocol
    from netpol_tui.whatif.classes import FlowPort

    ports = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        number, _, protocol = item.partition("/")
        try:
            ports.append(FlowPort(check_port(int(number)), check_protocol(protocol or "TCP")))
        except ValueError as exc:
            raise ValueError(f"--ports: {item!r}: {exc}") from None
    return ports


def page_source(args: argparse.Namespace, snapshot: Snapshot) -> PageSource:
    """What an HTML page says about its source, with the options that make its copied explain
    commands read the same snapshot (and the same namespace, when the listing was narrowed)."""
    from netpol_tui.flows.shell import source_words
    from netpol_tui.whatif.render_html import PageSource

    words = source_words(args.demo, tuple(args.files or ()), args.context, args.kubeconfig, args.project,
                         args.location, args.cluster)
    if getattr(args, "namespace", None):
        words += ["--namespace", args.namespace]
    cluster = snapshot.cluster.name if snapshot.cluster is not None else ""
    return PageSource(snapshot.source.description, cluster, tuple(words))


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import fail, load_or_report
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.whatif.matrix import build_matrix
    from netpol_tui.whatif.render import render_matrix

    try:
        ports = parse_ports(args.ports)
    except ValueError as exc:
        return fail(NAME, str(exc))
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_BAD_INPUT
    engine = PolicyEngine(snapshot, args.dataplane)
    namespace = getattr(args, "namespace", None)
    if namespace is not None and namespace not in engine.known_namespaces():
        return fail(NAME, f"namespace {namespace} is not in the snapshot")
    matrix = build_matrix(engine, namespace, ports)
    if args.output_format == "html":
        from netpol_tui.whatif.render_html import matrix_html

        sys.stdout.write(matrix_html(matrix, page_source(args, snapshot), args.dataplane))
    else:
        sys.stdout.write(render_matrix(matrix, args.output_format, args.show_flows))
    sys.stdout.flush()
    return EXIT_UNKNOWN if matrix.counts()["unknown"] else EXIT_OK
