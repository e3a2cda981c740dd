"""The change and model diffs from bitsets, recomputing only what a change can change.

Why it is exact: with the same dataplane model and the same pods, a flow's verdict is its
source's egress and its destination's ingress, and a side depends only on the policies that
isolate it (the same policy object gives the same rule sets in both grids: its peers are
matched by content over the same classes). So only flows whose source's egress policies or
whose destination's ingress policies differ between the engines can change (given the same
namespaces and read kinds, as `apply_change` keeps them); those
destinations are compared over every source, those sources over every destination (from
their egress rows). A model diff (two dataplanes), or a snapshot where some verdict may be
unknown (a namespaceSelector on a namespace whose labels were not read), compares every
question instead, still from bitsets; the unknown reasons are then the engine's own words,
in the reference's order.
"""

from __future__ import annotations

from collections.abc import Iterable

from netpol_tui.policy import PolicyEngine
from netpol_tui.whatif.classes import FlowPort
from netpol_tui.whatif.fastpath import prepare
from netpol_tui.whatif.grid import IN, Grid, iter_bits
from netpol_tui.whatif.matrix import evaluate_flow
from netpol_tui.whatif.tally import Questions

Found = tuple[list[tuple], int, int, list[str]]


def fast_diff(before: PolicyEngine, after: PolicyEngine, namespace: str | None = None,
              extra_ports: Iterable[FlowPort] = ()) -> Found:
    """(changes as (src, dst, port, before, after) in the reference's order, flows compared,
    flows unknown on either side, why unknown)."""
    context, classes, ports_of = prepare([before, after], extra_ports)
    old, new = Grid(before, classes, context), Grid(after, classes, context)
    questions = Questions(classes, ports_of, namespace)
    compared = sum(len(ports) * questions.sources(t).bit_count() for t, ports in enumerate(ports_of))
    same_world = (before.dataplane is after.dataplane and before.snapshot.namespaces is after.snapshot.namespaces
                  and set(before.unread.kinds) == set(after.unread.kinds))
    if not same_world or old.may_be_unknown() or new.may_be_unknown():
        return _everything(old, new, questions, compared)
    return _touched(old, new, questions, compared)


def _definite_changes(old: tuple[int, int], new: tuple[int, int], mask: int) -> int:
    """Sources whose verdict is definite on both sides and differs."""
    old_allowed, old_unknown = old
    new_allowed, new_unknown = new
    return (old_allowed ^ new_allowed) & mask & ~(old_unknown | new_unknown)


def _vectors(grid: Grid, target: int, port: FlowPort, mask: int) -> tuple[int, int]:
    """(allowed, unknown) over `mask`, the target's own bit answered by its two pods."""
    own = 1 << target
    allowed, unknown = grid.vector(target, port.port, port.protocol, mask & ~own)
    if mask & own:
        verdict = grid.verdict(target, target, port.port, port.protocol)
        if verdict:
            allowed |= own
        elif verdict is None:
            unknown |= own
    return allowed, unknown


def _touched(old: Grid, new: Grid, questions: Questions, compared: int) -> Found:
    classes, ports_of = questions.classes, questions.ports_of
    changed_egress = 0
    changed_ingress = []
    for index, pod_class in enumerate(classes):
        pod = pod_class.pod
        if old.view_of[index] != new.view_of[index]:
            changed_egress |= 1 << index
        before_in = tuple(id(p) for p in old.isolating(pod, IN))
        if before_in != tuple(id(p) for p in new.isolating(pod, IN)):
            changed_ingress.append(index)
    found: dict[tuple[int, int, FlowPort], tuple[bool, bool]] = {}
    for target in changed_ingress:
        mask = questions.sources(target)
        for port in ports_of[target]:
            before_vector = _vectors(old, target, port, mask)
            after_vector = _vectors(new, target, port, mask)
            for source in iter_bits(_definite_changes(before_vector, after_vector, mask)):
                found[(target, source, port)] = (bool(before_vector[0] >> source & 1),
                                                 bool(after_vector[0] >> source & 1))
    if changed_egress:
        ingress_done = set(changed_ingress)
        by_port: dict[FlowPort, int] = {}
        for target, ports in enumerate(ports_of):
            if target not in ingress_done:
                for port in ports:
                    by_port[port] = by_port.get(port, 0) | (1 << target)
        for source in iter_bits(changed_egress):
            for port, targets in by_port.items():
                old_row, new_row = old.egress_row(source, port.port, port.protocol), \
                    new.egress_row(source, port.port, port.protocol)
                candidates = ((old_row[0] ^ new_row[0]) | (old_row[1] ^ new_row[1])) & targets
                if targets >> source & 1:
                    candidates |= 1 << source  # its two pods: answered apart
                for target in iter_bits(candidates):
                    if not questions.sources(target) >> source & 1:
                        continue
                    before_verdict = old.verdict_by_row(source, target, port.port, port.protocol)
                    after_verdict = new.verdict_by_row(source, target, port.port, port.protocol)
                    if before_verdict is not None and after_verdict is not None and before_verdict != after_verdict:
                        found[(target, source, port)] = (before_verdict, after_verdict)
    changes = [(classes[source], classes[target], port, *found[(target, source, port)])
               for target, source, port in sorted(found)]
    return changes, compared, 0, []


def _everything(old: Grid, new: Grid, questions: Questions, compared: int) -> Found:
    classes, ports_of = questions.classes, questions.ports_of
    changes: list[tuple] = []
    unknown = 0
    reasons: dict[str, None] = {}
    for target, ports in enumerate(ports_of):
        if not ports:
            continue
        mask = questions.sources(target)
        vectors = [(_vectors(old, target, port, mask), _vectors(new, target, port, mask)) for port in ports]
        if not any(b[1] | a[1] for b, a in vectors) and not any(_definite_changes(b, a, mask) for b, a in vectors):
            continue
        for source in iter_bits(mask):
            bit = 1 << source
            for port, (before_vector, after_vector) in zip(ports, vectors, strict=True):
                before_unknown, after_unknown = before_vector[1] & bit, after_vector[1] & bit
                if before_unknown or after_unknown:
                    unknown += 1
                    for grid, unknown_here in ((old, before_unknown), (new, after_unknown)):
                        if unknown_here:
                            flow = evaluate_flow(grid.engine, classes[source], classes[target], port)
                            reasons.update(dict.fromkeys(flow.deciding))
                    continue
                was, now = bool(before_vector[0] & bit), bool(after_vector[0] & bit)
                if was != now:
                    changes.append((classes[source], classes[target], port, was, now))
    return changes, compared, unknown, list(reasons)
