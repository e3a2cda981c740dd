"""What-if correctness on random small clusters (hypothesis).

- Classes are sound: pods in one class get the same verdict to and from every pod.
- A diff is `explain` twice: every listed change is what the engine says before and after, and
  every pod pair whose verdict changes on an asked port is listed (complete).
- Unknown verdicts (a kind not read) are never changes.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint
from netpol_tui.whatif.classes import FlowPort, pod_classes
from netpol_tui.whatif.diff import apply_change, diff_engines
from netpol_tui.whatif.matrix import build_matrix, representatives
from tests.policy.builders import MODELS, snapshot
from tests.policy.test_properties import PORTS, cluster_st, policy_st

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASKED = tuple(FlowPort(port, protocol) for port in PORTS for protocol in ("TCP", "UDP"))


def _one_workload(cluster):
    """The drawn cluster with every pod owned by one DaemonSet: only the facts a verdict depends
    on can then tell pods apart (each pod would otherwise be its own workload and class)."""
    pods, policies, namespaces = cluster
    return [dataclasses.replace(p, owner_kind="DaemonSet", owner_name="agent") for p in pods], policies, namespaces


def _verdict(engine: PolicyEngine, src, dst, port: FlowPort) -> bool | None:
    return engine.evaluate(Endpoint.for_pod(src), Endpoint.for_pod(dst), port.port, port.protocol).allowed


@SETTINGS
@given(cluster_st(), st.sampled_from(MODELS))
def test_pods_of_one_class_get_the_same_verdicts(cluster, model) -> None:
    pods, policies, namespaces = _one_workload(cluster)
    engine = PolicyEngine(snapshot(pods, policies, namespaces), model)
    for pod_class in pod_classes(engine):
        for other in engine.snapshot.pods:
            for port in ASKED:
                into = {_verdict(engine, other, member, port) for member in pod_class.pods if member is not other}
                out_of = {_verdict(engine, member, other, port) for member in pod_class.pods if member is not other}
                assert len(into) <= 1, (pod_class.label, other.name, port)
                assert len(out_of) <= 1, (pod_class.label, other.name, port)


@SETTINGS
@given(cluster_st(), policy_st, st.sampled_from(MODELS))
def test_a_diff_is_explain_before_and_after(cluster, proposed, model) -> None:
    pods, policies, namespaces = _one_workload(cluster)
    before_snapshot = snapshot(pods, policies, namespaces)
    proposed = dataclasses.replace(proposed, name="proposed")
    after_snapshot = apply_change(before_snapshot, [proposed])
    before, after = PolicyEngine(before_snapshot, model), PolicyEngine(after_snapshot, model)
    diff = diff_engines(before, after, "before", "after", extra_ports=ASKED)
    listed = set()
    for change in diff.changes:
        src, dst = representatives(change.src, change.dst)
        assert _verdict(before, src, dst, change.port) is change.before
        assert _verdict(after, src, dst, change.port) is change.after
        assert change.before is not change.after
        listed.update((s.name, d.name, change.port) for s in change.src.pods for d in change.dst.pods if s is not d)
    for src in before_snapshot.pods:
        for dst in before_snapshot.pods:
            if src is dst:
                continue
            for port in ASKED:
                old, new = _verdict(before, src, dst, port), _verdict(after, src, dst, port)
                if old is not None and new is not None and old != new:
                    assert (src.name, dst.name, port) in listed, (src.name, dst.name, port, old, new)


@SETTINGS
@given(cluster_st(), st.sampled_from([m for m in MODELS if m != "none"]))
def test_unknown_is_never_a_change(cluster, model) -> None:
    pods, policies, namespaces = cluster
    unread = snapshot(pods, policies, namespaces, unread=[(Kind.NETWORK_POLICY, "forbidden (403)")])
    before, after = PolicyEngine(unread, model), PolicyEngine(unread, "none")
    diff = diff_engines(before, after, model, "none", extra_ports=ASKED)
    assert all(change.before is not None and change.after is not None for change in diff.changes)
    matrix = build_matrix(before, extra_ports=ASKED)
    if len(pods) > 1:
        assert matrix.counts()["unknown"] == len(matrix.flows) and not diff.changes
        assert diff.unknown == diff.compared
