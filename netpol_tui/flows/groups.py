"""Records folded into connections and connections rolled up into groups: what the flows
report lists. Records stream into per-connection aggregates (equal `FlowKey`s), so memory grows
with the number of distinct connections, not records; connections then roll up by source
workload (or pod), destination, port, protocol, direction, observed and predicted disposition.
The engine's side (a connection's verdict) is `compare.Comparer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netpol_tui.flows.join import EXTERNAL, NODE, SERVICE, Joined
from netpol_tui.flows.records import ALLOW, DENY, INGRESS, FlowKey
from netpol_tui.gcpause import gc_paused
from netpol_tui.policy import DirectionResult, Verdict

if TYPE_CHECKING:
    from netpol_tui.flows.compare import Comparer

UNKNOWN = "unknown"
AGREES, DISAGREES = "agrees", "disagrees"
#: GKE network policy logging does not record FQDNNetworkPolicy decisions (gke-facts section 13):
#: a policy-action record about egress such a decision could change neither confirms nor
#: contradicts the engine.
NOT_LOGGED = "not logged"
FQDN_KIND = "FQDNNetworkPolicy"


@dataclass(slots=True)
class Connection:
    """All records of one FlowKey."""

    key: FlowKey
    count: int
    first: str | None
    last: str | None
    nodes: set[str]
    #: (file, line, index) of its first record
    where: tuple[str, int | None, int | None]


class Evaluation:
    """The engine's answer for one connection, on the side the record reports.

    `predicted` and `deciding` come from a verdict shared by every connection whose endpoints
    the engine cannot tell apart (same namespace, labels, ports, ...). `verdicts`, the exact
    verdicts for this connection's own endpoints (their texts name them), are computed on first use.
    """

    __slots__ = ("_comparer", "_exact", "_key", "_shared", "dst", "not_logged", "predicted", "reasons", "src")

    def __init__(self, predicted: str, src: Joined, dst: Joined, shared: tuple[Verdict, ...] = (),
                 reasons: tuple[str, ...] = (), comparer: Comparer | None = None, key: FlowKey | None = None,
                 not_logged: str | None = None) -> None:
        self.predicted, self.src, self.dst, self.reasons = predicted, src, dst, reasons
        #: Why the record cannot speak to this verdict (an FQDN decision GKE does not log), or None.
        self.not_logged = not_logged
        self._shared, self._comparer, self._key = shared, comparer, key
        self._exact: tuple[Verdict, ...] | None = None if comparer is not None else shared

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        if self._exact is None:
            assert self._comparer is not None and self._key is not None
            self._exact = self._comparer.exact(self._key, self.src, self.dst)
        return self._exact

    @property
    def verdict(self) -> Verdict | None:
        verdicts = self.verdicts
        return verdicts[0] if verdicts else None

    @property
    def shared_verdict(self) -> Verdict | None:
        """A verdict equal to this one in answer and deciding policies (not in the names it mentions)."""
        return self._shared[0] if self._shared else None


@dataclass(slots=True)
class FlowGroup:
    src: Joined
    dst: Joined
    port: int
    protocol: str
    direction: str | None
    observed: str
    predicted: str
    kind: str
    count: int = 0
    first: str | None = None
    last: str | None = None
    nodes: set[str] = field(default_factory=set)
    #: each connection with its two ends joined to the snapshot (source, destination)
    connections: list[tuple[Connection, tuple[Joined, Joined]]] = field(default_factory=list)
    audit: bool = False
    status: str = UNKNOWN
    diagnosis: list[dict] = field(default_factory=list)
    #: the engine's answer for the group's first connection (the others' is the same: one group
    #: holds connections of one predicted disposition, and only the first's verdict is shown)
    evaluation: Evaluation = None  # type: ignore[assignment]

    @property
    def policies_logged(self) -> set[str] | None:
        named = [conn.key.policies for conn, _ in self.connections if conn.key.policies is not None]
        return set().union(*named) if named else None

    def pods(self, which: str) -> list[str]:
        names = set()
        for conn, (src, dst) in self.connections:
            joined = src if which == "src" else dst
            peer = conn.key.src if which == "src" else conn.key.dst
            if joined.pod_name:
                names.add(joined.pod_name)
            elif peer.pod:
                names.add(peer.pod)
        return sorted(names)

    def ips(self, which: str) -> list[str]:
        return sorted({(conn.key.src if which == "src" else conn.key.dst).ip or "" for conn, _ in self.connections}
                      - {""})


def aggregate(records: Iterable[tuple[FlowKey, int, str | None, str | None]], where=lambda: ("", None, None),
              connections: dict[FlowKey, Connection] | None = None) -> dict[FlowKey, Connection]:
    """Fold records into connections; `where()` tells the position of the record just read.

    `connections` (filled in place) may be shared with a `FlowReader` that folds some records itself.
    """
    if connections is None:
        connections = {}
    get = connections.get
    with gc_paused():
        for key, count, when, node in records:
            conn = get(key)
            if conn is None:
                connections[key] = Connection(key, count, when, when, {node} if node else set(), where())
                continue
            conn.count += count
            if when is not None:
                if conn.first is None or when < conn.first:
                    conn.first = when
                if conn.last is None or when > conn.last:
                    conn.last = when
            if node:
                conn.nodes.add(node)
    return connections


def side_of(verdict: Verdict, direction: str | None) -> DirectionResult | None:
    if direction is None:
        return None
    return verdict.ingress if direction == INGRESS else verdict.egress


def predicted_of(verdict: Verdict, direction: str | None) -> str:
    """allow/deny/unknown for the side the record reports (the whole connection without a direction)."""
    overall = getattr(verdict, "verdict", None)
    if overall not in (ALLOW, DENY):
        return UNKNOWN
    side = side_of(verdict, direction)
    if side is None:
        return overall
    value = getattr(side, "verdict", None)
    return value if value in (ALLOW, DENY) else UNKNOWN


def group_connections(comparer: Comparer, connections: Iterable[Connection]) -> list[FlowGroup]:
    """Connections rolled up into groups, denied first, then by count.

    Most connections (10^5 and more) take the short way: their two ends' tokens (`Comparer.token`:
    a number for the verdict class and grouping identity of an end, where it does not depend on
    the other end) with the port, protocol, direction, disposition and kind name their group
    directly, with no evaluation built. The first connection of each such combination is
    evaluated in full, so the group, its evaluation and the comparer's caches are what evaluating
    every connection in order gives.
    """
    groups: dict[tuple, FlowGroup] = {}
    fast: dict[tuple, FlowGroup] = {}
    tokens = comparer.tokens
    token_of = comparer.token
    with gc_paused():
        for conn in connections:
            key = conn.key
            kind, src_peer, dst_peer, port, protocol, direction, disposition, _, audit = key
            entry = tokens.get(id(src_peer))
            if entry is None or entry[0] is not src_peer:
                token_of(src_peer)
                entry = tokens[id(src_peer)]
            other = tokens.get(id(dst_peer))
            if other is None or other[0] is not dst_peer:
                token_of(dst_peer)
                other = tokens[id(dst_peer)]
            src, dst = entry[1], other[1]
            group = fkey = None
            # a pod to itself is its own verdict class: always the full way
            if entry[2] is not None and other[2] is not None and (src.pod is None or src.pod is not dst.pod):
                fkey = (entry[2], other[2], port, protocol, direction, disposition, kind)
                group = fast.get(fkey)
            if group is None:
                evaluation = comparer.evaluate(key, src, dst)
                gkey = (src.identity, dst.identity, port, protocol, direction, disposition, evaluation.predicted,
                        kind, evaluation.not_logged is not None)
                group = groups.get(gkey)
                if group is None:
                    group = groups[gkey] = FlowGroup(src, dst, port, protocol, direction, disposition,
                                                     evaluation.predicted, kind, evaluation=evaluation)
                if fkey is not None:
                    fast[fkey] = group
            group.count += conn.count
            if conn.first is not None and (group.first is None or conn.first < group.first):
                group.first = conn.first
            if conn.last is not None and (group.last is None or conn.last > group.last):
                group.last = conn.last
            group.nodes |= conn.nodes
            if audit:
                group.audit = True
            group.connections.append((conn, (src, dst)))
    out = list(groups.values())
    for group in out:
        if group.evaluation.not_logged is not None:
            group.status = NOT_LOGGED
        elif group.predicted == UNKNOWN:
            group.status = UNKNOWN
        else:
            group.status = AGREES if group.predicted == group.observed else DISAGREES
    out.sort(key=lambda g: (g.observed != DENY, -g.count, g.src.identity, g.dst.identity, g.port))
    return out


def endpoint_text(joined: Joined) -> str:
    """The endpoint as `netpol-tui explain` reads it."""
    if joined.kind == SERVICE and joined.service is not None:
        return f"{joined.service.namespace}/svc/{joined.service.name}"
    if joined.kind in (EXTERNAL, NODE) or joined.pod is None:
        if joined.pod_name and joined.namespace:
            return f"{joined.namespace}/{joined.pod_name}"
        return joined.ip or "?"
    return f"{joined.pod.namespace}/{joined.pod.name}"
