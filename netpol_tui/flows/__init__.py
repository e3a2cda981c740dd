"""Observed flows (GKE network policy logs, Hubble) joined to the snapshot and compared with the engine.

    report = compare_flows(snapshot, engine, ["policy-action.json"])
    report.to_dict()  # {"groups": [...], "problems": [...], ...}

Pure apart from reading the given files (or stdin) and iterating `logs.entries()` (a source's
bounded network read, given by the caller): no textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import IO, Any, Protocol

from netpol_tui.flows.compare import (
    AGREES,
    DISAGREES,
    NOT_LOGGED,
    UNKNOWN,
    Comparer,
    Connection,
    FlowGroup,
    aggregate,
    group_connections,
)
from netpol_tui.flows.diagnose import Diagnoser
from netpol_tui.flows.reader import FlowReader
from netpol_tui.flows.records import ALLOW, DENY, EGRESS, INGRESS, FlowKey, Peer, Problem
from netpol_tui.flows.report import ONLY_CHOICES, FlowReport
from netpol_tui.gcpause import freeze_long_lived, gc_paused
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import PolicyEngine


class LogEntries(Protocol):
    """Decoded log entries from elsewhere (the live Cloud Logging read of `sources.gke_logs`)."""

    @property
    def name(self) -> str: ...

    def entries(self) -> Iterable[Any]: ...

    def status(self) -> dict[str, Any]: ...


def compare_flows(snapshot: Snapshot, engine: PolicyEngine, paths: Sequence[str], *,
                  source_words: Sequence[str] = (), dataplane_arg: str | None = None,
                  stdin: IO[bytes] | None = None, logs: LogEntries | None = None, freeze: bool = False) -> FlowReport:
    """Read, join, group, compare and diagnose; `source_words` fill the copyable explain commands.

    `freeze` (for a caller that keeps the report until it exits, like the `flows` command) freezes
    what is alive once the report is built (`gcpause.freeze_long_lived`): otherwise the collector's
    first pass after the pause walks every object the comparison made (0.4-0.5 s of ~3 s on
    100,000 records, benchmarks/flows.md).

    `logs` (optional) adds entries read by a source after the files; its `status()` (read, read in
    part, not read, and why) is kept in the report, because groups from a partial read are not all
    there is.
    """
    connections: dict[FlowKey, Connection] = {}
    reader = FlowReader(stdin, connections)
    records = reader.read(paths)
    if logs is not None:
        records = chain(records, reader.read_entries(logs.name, logs.entries()))
    # the collector off for the whole run: sorting and diagnosing allocate among ~10^5 new,
    # acyclic connection objects, and its passes over them cost more than the work (benchmarks)
    with gc_paused():
        aggregate(records, lambda: reader.where, connections)
        comparer = Comparer(engine, snapshot)
        groups = group_connections(comparer, connections.values())
        diagnoser = Diagnoser(engine, snapshot)
        for group in groups:
            group.diagnosis = diagnoser.diagnose(group)
        report = FlowReport(groups, reader.problems, reader.problem_count, reader.skipped, reader.records,
                            len(connections), str(engine.dataplane), reader.files_unreadable, list(source_words),
                            dataplane_arg, tuple(engine.notes), logs.status() if logs is not None else None)
        if freeze:
            freeze_long_lived()
    return report


__all__ = ["AGREES", "ALLOW", "DENY", "DISAGREES", "EGRESS", "INGRESS", "NOT_LOGGED", "ONLY_CHOICES", "UNKNOWN", "FlowGroup",
           "FlowKey", "FlowReader", "FlowReport", "LogEntries", "Peer", "Problem", "compare_flows"]
