"""The fast what-if path (bitsets) against the reference (every question asked of `evaluate`).

Same classes, same flows and verdicts, same namespace cells and counts, same deciding rules;
for diffs the same changes, compared and unknown counts and unknown reasons. On the demos, the
fixture clusters and random snapshots (hypothesis), with unknowns (namespaces not read),
hostNetwork pods, pods without IPs, pods sharing an IP and workloads of several pods.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.parse_policy import parse_network_policy
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources.demo import load_demo
from netpol_tui.sources.files import load_files
from netpol_tui.whatif.classes import FlowPort, pod_classes, pod_classes_reference
from netpol_tui.whatif.diff import apply_change, diff_engines, diff_engines_reference
from netpol_tui.whatif.facts import supported
from netpol_tui.whatif.matrix import build_matrix, build_matrix_reference
from tests.policy.builders import MODELS, pod, policy, snapshot
from tests.policy.builders import namespace as namespace_object
from tests.policy.test_properties import PORTS, cluster_st, policy_st

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASKED = tuple(FlowPort(port, protocol) for port in PORTS for protocol in ("TCP", "UDP"))
ALL_MODELS = (*MODELS, "none")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _classes(classes) -> list:
    return [(c.label, c.workload_kind, tuple(p.name for p in c.pods)) for c in classes]


def assert_same_matrix(snap, model: str, namespace: str | None = None, ports=ASKED, deciding: int | None = None):
    reference = build_matrix_reference(PolicyEngine(snap, model), namespace, ports)
    fast = build_matrix(PolicyEngine(snap, model), namespace, ports)
    assert _classes(fast.classes) == _classes(reference.classes)
    assert [(f.key, f.allowed) for f in fast.flows] == [(f.key, f.allowed) for f in reference.flows]
    assert fast.counts() == reference.counts()
    assert dict(fast.cells()) == dict(reference.cells())
    assert len(fast.cells()) == len(reference.cells())
    shown = slice(None) if deciding is None else slice(deciding)
    assert [f.deciding for f in fast.flows[shown]] == [f.deciding for f in reference.flows[shown]]
    return fast


def _changes(diff) -> list:
    return [(c.src.label, c.dst.label, c.port, c.before, c.after) for c in diff.changes]


def assert_same_diff(before, after, namespace: str | None = None, ports=ASKED, deciding: int | None = None):
    reference = diff_engines_reference(before, after, "before", "after", namespace, ports)
    fast = diff_engines(before, after, "before", "after", namespace, ports)
    assert _changes(fast) == _changes(reference)
    assert (fast.compared, fast.unknown, fast.unknown_because, fast.notes) == (
        reference.compared, reference.unknown, reference.unknown_because, reference.notes)
    assert fast.summary() == reference.summary()
    shown = slice(None) if deciding is None else slice(deciding)
    assert [(c.before_deciding, c.after_deciding) for c in fast.changes[shown]] == [
        (c.before_deciding, c.after_deciding) for c in reference.changes[shown]]
    return fast


# ------------------------------------------------------------------ demos and fixtures

@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
@pytest.mark.parametrize("model", ["auto", *ALL_MODELS])
def test_the_demo_matrix_is_the_reference(demo: str, model: str) -> None:
    snap = load_demo(demo)
    engine = PolicyEngine(snap, model)
    # the Dataplane V2 demo has an FQDN policy and a CCNP: where they are enforced the matrix
    # takes the reference path (still compared below, so the fallback is tested too)
    enforced_kinds = str(engine.dataplane) == "dataplane-v2" and bool(snap.fqdn_policies or snap.cilium_policies)
    assert supported(engine) is not enforced_kinds
    matrix = assert_same_matrix(snap, model, ports=(FlowPort(443),), deciding=200)
    assert matrix.counts()["allowed"] and matrix.counts()["denied"] if model != "none" else True


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
def test_the_demo_matrix_of_one_namespace_is_the_reference(demo: str) -> None:
    snap = load_demo(demo)
    for namespace in sorted({p.namespace for p in snap.pods})[:3]:
        assert_same_matrix(snap, "auto", namespace, ports=(), deciding=50)


@pytest.mark.parametrize("fixture", ["mixed", "gke_kinds"])
@pytest.mark.parametrize("model", ["auto", *ALL_MODELS])
def test_fixture_matrices_are_the_reference(fixture: str, model: str) -> None:
    assert_same_matrix(load_files([str(FIXTURES / fixture)]), model, ports=(FlowPort(443),))


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
def test_demo_model_diffs_are_the_reference(demo: str) -> None:
    snap = load_demo(demo)
    for old, new in [("calico", "dataplane-v2"), ("dataplane-v2", "calico"), ("none", "calico"),
                     ("calico", "none"), ("kubernetes", "dataplane-v2")]:
        assert_same_diff(PolicyEngine(snap, old), PolicyEngine(snap, new), ports=(), deciding=30)


def _proposal(namespace: str, **spec) -> object:
    return parse_network_policy({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                 "metadata": {"name": "proposed", "namespace": namespace}, "spec": spec})


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
def test_demo_change_diffs_are_the_reference(demo: str) -> None:
    snap = load_demo(demo)
    namespaces = sorted({p.namespace for p in snap.pods})[:4]
    found = 0
    for namespace in namespaces:
        for spec in ({"podSelector": {}, "policyTypes": ["Ingress"]},
                     {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {}}]}]},
                     {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 8080}]}]}):
            before = PolicyEngine(snap)
            after = PolicyEngine(apply_change(snap, [_proposal(namespace, **spec)]))
            found += len(assert_same_diff(before, after, ports=(), deciding=20).changes)
    removed = PolicyEngine(apply_change(snap, [], [snap.policies[0].key]))
    found += len(assert_same_diff(PolicyEngine(snap), removed, ports=(), deciding=20).changes)
    assert found  # some of these proposals change flows: the comparison is not of empty lists


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
def test_one_engine_answers_several_diffs_and_its_matrix(demo: str) -> None:
    """The before-engine keeps its pods' facts between diffs (engine.memo): each later diff, from
    an engine derived with another proposal, is still the reference's."""
    snap = load_demo(demo)
    before = PolicyEngine(snap)
    found = 0
    for namespace in sorted({p.namespace for p in snap.pods})[:3]:
        for spec in ({"podSelector": {}, "policyTypes": ["Ingress"]},
                     {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": {}}]}]}):
            after = before.derive(apply_change(snap, [_proposal(namespace, **spec)]))
            found += len(assert_same_diff(before, after, ports=(), deciding=5).changes)
    fast, reference = build_matrix(before, None, ASKED), build_matrix_reference(PolicyEngine(snap), None, ASKED)
    assert _classes(fast.classes) == _classes(reference.classes)
    assert fast.counts() == reference.counts() and dict(fast.cells()) == dict(reference.cells())
    assert found
    assert bool(before.memo) is supported(before)  # kept where the fast path ran


def test_the_fast_path_steps_aside_when_it_cannot_answer_exactly() -> None:
    pods = [pod("a", "a", {"app": "x"}, "10.0.0.1"), pod("b", "b", {}, "10.0.0.2")]
    assert supported(PolicyEngine(snapshot(pods, [])))
    assert not supported(PolicyEngine(snapshot(pods, [], unread=[(Kind.NETWORK_POLICY, "forbidden (403)")])))
    dual = [pod("a", "a", {}, ips=["10.0.0.1", "fd00::1"]), pods[1]]
    assert not supported(PolicyEngine(snapshot(dual, [])))


# ------------------------------------------------------------------------ random

@st.composite
def varied_cluster_st(draw):
    """cluster_st with some pods on the host network, without an IP, sharing an IP, finished, or
    owned by one workload (so a class has several pods and a class-to-itself flow is asked)."""
    pods, policies, namespaces = draw(cluster_st())
    changed = []
    for index, item in enumerate(pods):
        roll = draw(st.sampled_from(["plain", "plain", "owned", "owned", "host", "no-ip", "shared", "done"]))
        if roll == "owned":
            item = dataclasses.replace(item, owner_kind="DaemonSet", owner_name="agent")
        elif roll == "host":
            item = dataclasses.replace(item, host_network=True, pod_ips=(f"10.128.0.{index + 1}",))
        elif roll == "no-ip":
            item = dataclasses.replace(item, pod_ips=())
        elif roll == "shared":
            item = dataclasses.replace(item, pod_ips=("10.0.0.1",))
        elif roll == "done":
            item = dataclasses.replace(item, phase="Succeeded")
        changed.append(item)
    return changed, policies, namespaces


def _snap(cluster, unread_namespaces: bool):
    pods, policies, namespaces = cluster
    return snapshot(pods, policies, namespaces, unread=[Kind.NAMESPACE] if unread_namespaces else [])


@SETTINGS
@given(varied_cluster_st(), st.sampled_from(ALL_MODELS), st.booleans())
def test_random_matrices_are_the_reference(cluster, model, unread_namespaces) -> None:
    snap = _snap(cluster, unread_namespaces)
    assert _classes(pod_classes(PolicyEngine(snap, model))) == _classes(pod_classes_reference(PolicyEngine(snap, model)))
    assert_same_matrix(snap, model)
    assert_same_matrix(snap, model, namespace="a")


@SETTINGS
@given(varied_cluster_st(), policy_st, st.sampled_from(ALL_MODELS), st.booleans(), st.booleans())
def test_random_change_diffs_are_the_reference(cluster, proposed, model, unread_namespaces, replace) -> None:
    snap = _snap(cluster, unread_namespaces)
    # Named like an existing policy, the proposal replaces it (kubectl apply); else it is added.
    proposed = dataclasses.replace(proposed, name="p0" if replace else "proposed")
    before, after = PolicyEngine(snap, model), PolicyEngine(apply_change(snap, [proposed]), model)
    engines = [before, after]
    assert _classes(pod_classes(engines)) == _classes(pod_classes_reference(engines))
    assert_same_diff(before, after)
    assert_same_diff(before, after, namespace="b")
    removed = PolicyEngine(apply_change(snap, [], [snap.policies[0].key]), model)
    assert_same_diff(before, removed)


@SETTINGS
@given(varied_cluster_st(), st.sampled_from(ALL_MODELS), st.sampled_from(ALL_MODELS), st.booleans())
def test_random_model_diffs_are_the_reference(cluster, old, new, unread_namespaces) -> None:
    snap = _snap(cluster, unread_namespaces)
    assert_same_diff(PolicyEngine(snap, old), PolicyEngine(snap, new))


def _spelled_out_cluster():
    """A few pods and policies that exercise each rule of a side on purpose: an endPort range
    (ignored by Dataplane V2), named ports on both sides, an ipBlock holding pod and hostNetwork
    IPs, a namespaceSelector, and a workload of two pods (a class to itself)."""
    web = {"name": "http", "containerPort": 8080}
    pods = [dataclasses.replace(pod("w0", "a", {"app": "web"}, "10.0.0.1", ports=[web]), owner_kind="DaemonSet",
                                owner_name="web"),
            dataclasses.replace(pod("w1", "a", {"app": "web"}, "10.0.0.2", ports=[web]), owner_kind="DaemonSet",
                                owner_name="web"),
            pod("db", "b", {"app": "db"}, "10.0.1.1", ports=[{"name": "pg", "containerPort": 5432}]),
            pod("node-agent", "b", {"app": "agent"}, "10.128.0.9", host_network=True)]
    policies = [
        policy("ranges", "a", podSelector={}, ingress=[{"ports": [{"port": 50, "endPort": 60}]},
                                                       {"from": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                                                        "ports": [{"port": "http"}]}]),
        policy("db-in", "b", podSelector={"matchLabels": {"app": "db"}},
               ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}}}], "ports": [{"port": "pg"}]},
                        {"from": [{"ipBlock": {"cidr": "10.128.0.0/16"}}]}]),
        policy("web-out", "a", podSelector={"matchLabels": {"app": "web"}}, policyTypes=["Egress"],
               egress=[{"to": [{"podSelector": {}, "namespaceSelector": {}}], "ports": [{"port": "pg"}]},
                       {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.1.0/24"]}}]}]),
    ]
    return pods, policies, [namespace_object("a", {"team": "x"}), namespace_object("b", {"team": "y"})]


@pytest.mark.parametrize("model", ALL_MODELS)
@pytest.mark.parametrize("unread_namespaces", [False, True])
def test_each_rule_of_a_side_as_the_reference(model: str, unread_namespaces: bool) -> None:
    snap = _snap(_spelled_out_cluster(), unread_namespaces)
    ports = (*ASKED, FlowPort(55), FlowPort(60))
    matrix = assert_same_matrix(snap, model, ports=ports)
    verdicts = {f.verdict for f in matrix.flows}
    assert "allow" in verdicts and ("deny" in verdicts or model == "none")
    assert ("unknown" in verdicts) is (unread_namespaces and model != "none")
    for other in ALL_MODELS:
        assert_same_diff(PolicyEngine(snap, model), PolicyEngine(snap, other), ports=ports)


@pytest.mark.parametrize("model", MODELS)
def test_a_diff_between_snapshots_whose_namespaces_differ_compares_every_flow(model: str) -> None:
    pods, policies, namespaces = _spelled_out_cluster()
    before = snapshot(pods, policies, namespaces)
    relabelled = dataclasses.replace(before, namespaces=(namespace_object("a", {"team": "y"}),
                                                         namespace_object("b", {"team": "x"})))
    diff = assert_same_diff(PolicyEngine(before, model), PolicyEngine(relabelled, model))
    assert diff.changes  # db-in's namespaceSelector now names the other namespace
