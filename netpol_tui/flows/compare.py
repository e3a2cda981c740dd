"""Aggregate records, join them to the snapshot, group them and compare with the verdict engine.

Records stream into per-connection aggregates (equal `FlowKey`s), so memory grows with the
number of distinct connections, not records. Each connection is evaluated once per distinct
(source, destination, port, protocol); connections then roll up into groups by source
workload (or pod), destination, port, protocol, direction, observed and predicted disposition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from netpol_tui.flows.join import EXTERNAL, NODE, SERVICE, Joined, Resolver
from netpol_tui.flows.records import ALLOW, DENY, INGRESS, FlowKey
from netpol_tui.gcpause import gc_paused
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import DirectionResult, Endpoint, EndpointError, PolicyEngine, Verdict

UNKNOWN = "unknown"
AGREES, DISAGREES = "agrees", "disagrees"


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


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The engine's answer for one connection, on the side the record reports."""

    predicted: str
    src: Joined
    dst: Joined
    verdicts: tuple[Verdict, ...] = ()
    #: Why the answer is unknown (or other remarks on it).
    reasons: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict | None:
        return self.verdicts[0] if self.verdicts else None


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
    connections: list[tuple[Connection, Evaluation]] = field(default_factory=list)
    audit: bool = False
    status: str = UNKNOWN
    diagnosis: list[dict] = field(default_factory=list)

    @property
    def evaluation(self) -> Evaluation:
        return self.connections[0][1]

    @property
    def policies_logged(self) -> set[str] | None:
        named = [conn.key.policies for conn, _ in self.connections if conn.key.policies is not None]
        return set().union(*named) if named else None

    def pods(self, which: str) -> list[str]:
        names = set()
        for conn, evaluation in self.connections:
            joined = evaluation.src if which == "src" else evaluation.dst
            peer = conn.key.src if which == "src" else conn.key.dst
            if joined.pod_name:
                names.add(joined.pod_name)
            elif peer.pod:
                names.add(peer.pod)
        return sorted(names)

    def ips(self, which: str) -> list[str]:
        return sorted({(conn.key.src if which == "src" else conn.key.dst).ip or "" for conn, _ in self.connections}
                      - {""})


def aggregate(records: Iterable[tuple[FlowKey, int, str | None, str | None]], where=lambda: ("", None, None)
              ) -> dict[FlowKey, Connection]:
    """Fold records into connections; `where()` tells the position of the record just read."""
    connections: dict[FlowKey, Connection] = {}
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


class Comparer:
    """Evaluates connections with one engine, caching by (source, destination, port, protocol)."""

    def __init__(self, engine: PolicyEngine, snapshot: Snapshot) -> None:
        self.engine = engine
        self.snapshot = snapshot
        self.resolver = Resolver(engine, snapshot)
        self._verdicts: dict[tuple, tuple[tuple[Verdict, ...], tuple[str, ...]]] = {}

    def _verdicts_for(self, src: Endpoint, dsts: list[Endpoint], port: int, protocol: str
                      ) -> tuple[tuple[Verdict, ...], tuple[str, ...]]:
        key = (src, tuple(dsts), port, protocol)
        cached = self._verdicts.get(key)
        if cached is None:
            try:
                cached = (tuple(self.engine.evaluate(src, dst, port, protocol) for dst in dsts), ())
            except EndpointError as exc:
                cached = ((), (f"the engine cannot evaluate it: {exc}",))
            self._verdicts[key] = cached
        return cached

    def evaluate(self, key: FlowKey) -> Evaluation:
        src = self.resolver.resolve(key.src)
        dst = self.resolver.resolve(key.dst)
        reasons: list[str] = []
        for role, joined in (("source", src), ("destination", dst)):
            if joined.endpoint is None and joined.kind != SERVICE:
                reasons.append(f"the {role} cannot be evaluated: {'; '.join(joined.notes) or 'unknown endpoint'}")
        if reasons:
            return Evaluation(UNKNOWN, src, dst, (), tuple(reasons))
        assert src.endpoint is not None
        if dst.kind == SERVICE:
            assert dst.service is not None
            try:
                targets = [ep for ep in self.engine.resolve(f"{dst.service.namespace}/svc/{dst.service.name}")]
            except EndpointError as exc:
                return Evaluation(UNKNOWN, src, dst, (), (f"destination {dst.ip} is a Service ClusterIP whose pods "
                                                          f"cannot be told: {exc}",))
        else:
            assert dst.endpoint is not None
            targets = [dst.endpoint]
        verdicts, errors = self._verdicts_for(src.endpoint, targets, key.port, key.protocol)
        if errors:
            return Evaluation(UNKNOWN, src, dst, (), errors)
        answers = {predicted_of(verdict, key.direction) for verdict in verdicts}
        if len(answers) != 1:
            return Evaluation(UNKNOWN, src, dst, verdicts, (
                f"Service {dst.ip} sends to {len(verdicts)} pods and the verdicts differ between them; the record "
                "does not say which pod was reached",))
        return Evaluation(answers.pop(), src, dst, verdicts)


def group_connections(comparer: Comparer, connections: Iterable[Connection]) -> list[FlowGroup]:
    """Connections rolled up into groups, denied first, then by count."""
    groups: dict[tuple, FlowGroup] = {}
    with gc_paused():
        for conn in connections:
            key = conn.key
            evaluation = comparer.evaluate(key)
            gkey = (evaluation.src.identity, evaluation.dst.identity, key.port, key.protocol, key.direction,
                    key.disposition, evaluation.predicted, key.kind)
            group = groups.get(gkey)
            if group is None:
                group = groups[gkey] = FlowGroup(evaluation.src, evaluation.dst, key.port, key.protocol,
                                                 key.direction, key.disposition, evaluation.predicted, key.kind)
            group.count += conn.count
            if conn.first is not None and (group.first is None or conn.first < group.first):
                group.first = conn.first
            if conn.last is not None and (group.last is None or conn.last > group.last):
                group.last = conn.last
            group.nodes |= conn.nodes
            group.audit = group.audit or key.audit
            group.connections.append((conn, evaluation))
    out = list(groups.values())
    for group in out:
        if group.predicted == UNKNOWN:
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
