"""Pod classes: what splits a workload, and how classes are named."""

from __future__ import annotations

import dataclasses

from netpol_tui.policy import PolicyEngine
from netpol_tui.whatif.classes import FlowPort, destination_ports, pod_classes, workload_of
from tests.policy.builders import pod, policy, service, snapshot

FROM_APP_X = {"from": [{"podSelector": {"matchLabels": {"app": "x"}}, "namespaceSelector": {}}]}


def _owned(*pods, kind: str = "DaemonSet", name: str = "agent"):
    return [dataclasses.replace(p, owner_kind=kind, owner_name=name) for p in pods]


def test_a_peer_that_matches_one_pod_splits_its_workload() -> None:
    pods = _owned(pod("p0", "a", {"app": "x"}, "10.0.0.1"), pod("p1", "a", {}, "10.0.0.2"), pod("q", "b", {}, "10.0.0.3"))
    engine = PolicyEngine(snapshot(pods, [policy("p", "b", podSelector={}, ingress=[FROM_APP_X])]))
    assert [(c.label, [p.name for p in c.pods]) for c in pod_classes(engine)] == [
        ("a/agent", ["p0"]), ("a/agent#2", ["p1"]), ("b/agent", ["q"])]


def test_pods_alike_to_every_policy_share_a_class_even_with_other_labels() -> None:
    pods = _owned(pod("p0", "a", {"app": "x", "hash": "1"}, "10.0.0.1"), pod("p1", "a", {"app": "x", "hash": "2"},
                                                                           "10.0.0.2"))
    engine = PolicyEngine(snapshot(pods, [policy("p", "a", podSelector={"matchLabels": {"app": "x"}})]))
    assert [[p.name for p in c.pods] for c in pod_classes(engine)] == [["p0", "p1"]]


def test_isolation_splits_and_host_network_splits() -> None:
    pods = _owned(pod("p0", "a", {"app": "x"}, "10.0.0.1"), pod("p1", "a", {}, "10.0.0.2"),
                  pod("p2", "a", {}, "10.0.0.3", host_network=True))
    engine = PolicyEngine(snapshot(pods, [policy("p", "a", podSelector={"matchLabels": {"app": "x"}})]))
    assert sorted(len(c.pods) for c in pod_classes(engine)) == [1, 1, 1]


def test_workload_follows_a_replicaset_to_its_deployment() -> None:
    owned = dataclasses.replace(pod("web-5d8f7-abcde", "shop", {"pod-template-hash": "5d8f7"}),
                                owner_kind="ReplicaSet", owner_name="web-5d8f7")
    assert workload_of(owned) == ("Deployment", "web")
    other = dataclasses.replace(pod("x", "shop", {"pod-template-hash": "zzz"}), owner_kind="ReplicaSet",
                                owner_name="web-5d8f7")
    assert workload_of(other) == ("ReplicaSet", "web-5d8f7")
    assert workload_of(pod("lonely", "shop")) == ("Pod", "lonely")


def test_destination_ports_come_from_pods_policies_and_services() -> None:
    target = pod("db-0", "data", {"app": "db"}, "10.0.0.9", ports=[{"name": "pg", "containerPort": 5432}])
    rules = [{"ports": [{"port": "pg"}, {"port": 6432}, {"port": 53, "protocol": "UDP"}]}]
    engine = PolicyEngine(snapshot([target], [policy("p", "data", podSelector={}, ingress=rules)],
                                   services=[service("db", "data", {"app": "db"},
                                                     ports=[{"port": 80, "targetPort": 7000}])]))
    (pod_class,) = pod_classes(engine)
    assert destination_ports(engine, pod_class, [FlowPort(443)]) == (
        FlowPort(53, "UDP"), FlowPort(443), FlowPort(5432), FlowPort(6432), FlowPort(7000))
