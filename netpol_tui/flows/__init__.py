"""Observed flows (GKE network policy logs, Hubble) joined to the snapshot and compared with the engine.

    report = compare_flows(snapshot, engine, ["policy-action.json"])
    report.to_dict()  # {"groups": [...], "problems": [...], ...}

Pure apart from reading the given files (or stdin): no network, no textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from netpol_tui.flows.compare import (
    AGREES,
    DISAGREES,
    UNKNOWN,
    Comparer,
    FlowGroup,
    aggregate,
    group_connections,
)
from netpol_tui.flows.diagnose import Diagnoser
from netpol_tui.flows.reader import FlowReader
from netpol_tui.flows.records import ALLOW, DENY, EGRESS, INGRESS, FlowKey, Peer, Problem
from netpol_tui.flows.report import ONLY_CHOICES, FlowReport
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import PolicyEngine


def compare_flows(snapshot: Snapshot, engine: PolicyEngine, paths: Sequence[str], *,
                  source_words: Sequence[str] = (), dataplane_arg: str | None = None,
                  stdin: IO[bytes] | None = None) -> FlowReport:
    """Read, join, group, compare and diagnose; `source_words` fill the copyable explain commands."""
    reader = FlowReader(stdin)
    connections = aggregate(reader.read(paths), lambda: reader.where)
    comparer = Comparer(engine, snapshot)
    groups = group_connections(comparer, connections.values())
    diagnoser = Diagnoser(engine, snapshot)
    for group in groups:
        group.diagnosis = diagnoser.diagnose(group)
    return FlowReport(groups, reader.problems, reader.problem_count, reader.skipped, reader.records,
                      len(connections), str(engine.dataplane), reader.files_unreadable, list(source_words),
                      dataplane_arg, tuple(engine.notes))


__all__ = ["AGREES", "ALLOW", "DENY", "DISAGREES", "EGRESS", "INGRESS", "ONLY_CHOICES", "UNKNOWN", "FlowGroup",
           "FlowKey", "FlowReader", "FlowReport", "Peer", "Problem", "compare_flows"]
