"""Verdicts on snapshots missing a kind: unknown wherever the answer depends on it, definite elsewhere."""

from __future__ import annotations

from dataclasses import replace

import pytest

from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import EndpointUnknown, PolicyEngine
from tests.policy.builders import cluster, namespace, pod, policy, service, snapshot

FORBIDDEN = "forbidden: list networkpolicies.networking.k8s.io at cluster scope"
NS_FORBIDDEN = "forbidden: list namespaces at cluster scope"
PODS_FORBIDDEN = "forbidden: list pods at cluster scope"
SVC_FORBIDDEN = "forbidden: list services at cluster scope"


def pods():
    return [pod("web-0", "shop", {"app": "web"}, "10.1.0.1"),
            pod("db-0", "shop", {"app": "db"}, "10.1.0.2", ports=[{"name": "pg", "containerPort": 5432}]),
            pod("client-0", "web", {"app": "client"}, "10.2.0.1"),
            pod("node-agent", "kube-system", {"app": "agent"}, "10.128.0.5", host_network=True)]


def namespaces():
    return [namespace("shop", {"team": "shop"}), namespace("web", {"team": "web"}), namespace("kube-system")]


DENY_ALL = policy("deny-all", "shop", policy_types=["Ingress", "Egress"])


def db_from(*peers, ports=None):
    rule = {"from": list(peers)}
    if ports is not None:
        rule["ports"] = ports
    return policy("db", "shop", pod_selector={"matchLabels": {"app": "db"}}, ingress=[rule])


def ask(engine, src, dst, port=5432, protocol="TCP"):
    return engine.evaluate(engine.resolve(src)[0], engine.resolve(dst)[0], port, protocol)


def make(policies, unread=(), model="kubernetes", **kwargs):
    kwargs.setdefault("namespaces", namespaces())
    return PolicyEngine(snapshot(pods(), policies, unread=unread, **kwargs), model)


# ------------------------------------------------------------------------ NetworkPolicies


def test_forbidden_policies_make_pod_traffic_unknown_with_the_permission_to_ask_for():
    engine = make([DENY_ALL], unread=[(Kind.NETWORK_POLICY, FORBIDDEN)])
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.allowed is None and verdict.verdict == "unknown"
    assert verdict.egress.allowed is None and verdict.ingress.allowed is None
    assert verdict.egress.isolated is None
    text = " ".join(verdict.unknown_because)
    assert "NetworkPolicy objects were not read" in text and FORBIDDEN in text
    assert "`kubectl auth can-i list networkpolicies -A`" in text
    assert "UNKNOWN" in verdict.sentences()[0]
    data = verdict.to_dict()
    assert data["verdict"] == "unknown" and data["unknown_because"] == list(verdict.unknown_because)


def test_policies_not_supplied_in_files_say_how_to_supply_them():
    engine = make([], unread=[Kind.NETWORK_POLICY])
    verdict = ask(engine, "shop/web-0", "shop/db-0")
    assert verdict.allowed is None
    assert any("kubectl get networkpolicies -A -o json" in r for r in verdict.unknown_because)


def test_namespace_scoped_source_asks_for_the_namespace_permission():
    snap = snapshot(pods(), [], namespaces(), unread=[(Kind.NETWORK_POLICY, FORBIDDEN)])
    snap = replace(snap, source=replace(snap.source, kind="live", namespace="shop", context="gke_p_z_c1"))
    verdict = ask(PolicyEngine(snap), "shop/web-0", "shop/db-0")
    assert any("kubectl auth can-i list networkpolicies -n shop --context gke_p_z_c1" in r
               for r in verdict.unknown_because)


def test_enforcement_off_stays_allowed_and_says_why():
    engine = make([DENY_ALL], unread=[(Kind.NETWORK_POLICY, FORBIDDEN)], model="auto",
                  cluster=cluster("calico-off"))
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.allowed is True
    assert any("does not depend on them" in note and "not enforced" in note for note in verdict.notes)


def test_traffic_no_policy_can_govern_stays_definite():
    engine = make([], unread=[(Kind.NETWORK_POLICY, FORBIDDEN)])
    # hostNetwork pod to an outside address: neither side is subject to NetworkPolicy
    assert ask(engine, "kube-system/node-agent", "203.0.113.9", 443).allowed is True
    # a pod to itself never reaches the datapath that enforces policy
    assert ask(engine, "shop/db-0", "shop/db-0").allowed is True


def test_cidr_sweep_is_unknown_without_policies():
    engine = make([DENY_ALL], unread=[(Kind.NETWORK_POLICY, FORBIDDEN)])
    verdict = engine.evaluate_cidr(engine.resolve("shop/db-0")[0].pod, "130.211.0.0/22", 5432, "TCP", "Ingress")
    assert verdict.verdict == "unknown" and not verdict.fully_allowed and not verdict.partially_allowed
    assert "networkpolicies" in verdict.unknown_because[0]
    assert verdict.to_dict()["unknown_because"]


# ------------------------------------------------------------------------ Namespaces


@pytest.mark.parametrize("selector, expected", [
    ({"matchLabels": {"team": "web"}}, None),
    ({"matchExpressions": [{"key": "team", "operator": "Exists"}]}, None),
    ({}, True),
    ({"matchLabels": {"kubernetes.io/metadata.name": "web"}}, True),
    ({"matchLabels": {"kubernetes.io/metadata.name": "other"}}, False),
    ({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["web", "x"]}]}, True),
    ({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["web"]}]}, False),
    ({"matchLabels": {"kubernetes.io/metadata.name": "other", "team": "web"}}, False),
    ({"matchLabels": {"kubernetes.io/metadata.name": "web", "team": "web"}}, None),
    ({"matchLabels": {"team": "web"}, "matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}, False),
    ({"matchExpressions": [{"key": "team", "operator": "In", "values": ["a"]},
                           {"key": "team", "operator": "NotIn", "values": ["a"]}]}, False),
])
def test_namespace_selector_without_namespace_labels(selector, expected):
    engine = make([db_from({"namespaceSelector": selector})], unread=[(Kind.NAMESPACE, NS_FORBIDDEN)])
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.allowed is expected
    if expected is None:
        assert any("labels of namespace web" in r and "kubectl auth can-i list namespaces" in r
                   for r in verdict.unknown_because)
    else:
        assert any("does not depend on them" in note for note in verdict.notes)


def test_full_snapshot_gives_the_definite_answer_the_unread_one_withholds():
    rule = db_from({"namespaceSelector": {"matchLabels": {"team": "billing"}}})
    assert ask(make([rule]), "web/client-0", "shop/db-0").allowed is False
    assert ask(make([rule], unread=[(Kind.NAMESPACE, NS_FORBIDDEN)]), "web/client-0", "shop/db-0").allowed is None


def test_one_side_denying_for_sure_decides_while_the_other_is_unknown():
    egress_deny = policy("client-egress", "web", policy_types=["Egress"])
    engine = make([egress_deny, db_from({"namespaceSelector": {"matchLabels": {"team": "web"}}})],
                  unread=[(Kind.NAMESPACE, NS_FORBIDDEN)])
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.egress.allowed is False and verdict.ingress.allowed is None
    assert verdict.allowed is False and verdict.verdict == "deny"
    assert any("egress side denies it" in note for note in verdict.notes)


def test_a_rule_allowing_for_sure_decides_although_another_is_unknown():
    engine = make([db_from({"namespaceSelector": {"matchLabels": {"team": "x"}}},
                           {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}}})],
                  unread=[(Kind.NAMESPACE, NS_FORBIDDEN)])
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.allowed is True and verdict.ingress.allowed_by[0].peer_index == 1


def test_a_namespace_missing_from_the_namespaces_read_is_unknown():
    snap = snapshot(pods(), [db_from({"namespaceSelector": {"matchLabels": {"team": "web"}}})], namespaces())
    engine = PolicyEngine(replace(snap, namespaces=(namespace("shop"),)), "kubernetes")
    verdict = ask(engine, "web/client-0", "shop/db-0")
    assert verdict.allowed is None
    assert any("namespace web is not among the Namespaces read" in r for r in verdict.unknown_because)


def test_same_namespace_pod_selector_does_not_need_namespaces():
    engine = make([db_from({"podSelector": {"matchLabels": {"app": "web"}}})], unread=[(Kind.NAMESPACE, NS_FORBIDDEN)])
    assert ask(engine, "shop/web-0", "shop/db-0").allowed is True
    assert ask(engine, "web/client-0", "shop/db-0").allowed is False


# ------------------------------------------------------------------------ Pods


def no_pods(policies, model="kubernetes"):
    return PolicyEngine(snapshot([], policies, namespaces(), unread=[(Kind.POD, PODS_FORBIDDEN)]), model)


def test_pods_unread_a_pod_name_is_unknown_not_a_bad_question():
    engine = no_pods([DENY_ALL])
    with pytest.raises(EndpointUnknown) as caught:
        engine.resolve("shop/db-0")
    assert "kubectl auth can-i list pods -A" in caught.value.unknown_because[0]
    with pytest.raises(EndpointUnknown):
        engine.resolve("db-0")


def test_pods_unread_a_pod_ip_is_unknown():
    engine = no_pods([DENY_ALL])
    verdict = ask(engine, "10.2.0.1", "10.1.0.2")
    assert verdict.allowed is None
    assert any("whether 10.1.0.2 is a pod" in r and "kubectl auth can-i list pods -A" in r
               for r in verdict.unknown_because)


def test_pods_unread_but_no_policy_isolates_anything_stays_allowed():
    engine = no_pods([])
    assert ask(engine, "10.2.0.1", "10.1.0.2").allowed is True


def test_pods_unread_public_addresses_are_not_pods():
    engine = no_pods([DENY_ALL])
    verdict = ask(engine, "34.120.0.7", "8.8.8.8", 53)
    assert verdict.allowed is True


def test_pods_unread_selector_peer_for_an_address_is_unknown_ipblock_is_not():
    web = [pod("web-0", "shop", {"app": "web"}, "10.1.0.1")]
    ipblock = db_from({"ipBlock": {"cidr": "10.2.0.0/16"}})
    selector = db_from({"podSelector": {"matchLabels": {"app": "web"}}})
    # the destination is a known pod; the source's identity is in doubt
    for rule, expected in ((ipblock, True), (selector, None)):
        snap = snapshot(web + [pods()[1]], [rule], namespaces())
        snap = replace(snap, loaded_kinds=snap.loaded_kinds - {Kind.POD}, pods=snap.pods)
        engine = PolicyEngine(snap, "kubernetes")
        verdict = engine.evaluate(engine.resolve_address("10.2.0.1"), engine.resolve("shop/db-0")[0], 5432)
        assert verdict.ingress.allowed is expected, rule


def test_nodes_pod_ranges_bound_what_may_be_a_pod():
    from netpol_tui.model.parse import parse_node

    node = parse_node({"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["10.1.0.0/24"]},
                       "status": {"addresses": [{"type": "InternalIP", "address": "10.128.0.2"}]}})
    snap = snapshot([], [DENY_ALL], namespaces(), unread=[(Kind.POD, PODS_FORBIDDEN)])
    snap = replace(snap, nodes=(node,))
    engine = PolicyEngine(snap, "kubernetes")
    assert ask(engine, "10.9.0.1", "10.9.0.2").allowed is True  # outside every node's podCIDRs
    assert ask(engine, "10.9.0.1", "10.1.0.7").allowed is None


def test_pods_unread_dataplane_v2_ipblock_for_a_maybe_pod_is_unknown():
    engine = PolicyEngine(snapshot([pods()[1]], [db_from({"ipBlock": {"cidr": "10.2.0.0/16"}})], namespaces()),
                          "dataplane-v2")
    engine = PolicyEngine(replace(engine.snapshot, loaded_kinds=engine.snapshot.loaded_kinds - {Kind.POD}),
                          "dataplane-v2")
    verdict = engine.evaluate(engine.resolve_address("10.2.0.1"), engine.resolve("shop/db-0")[0], 5432)
    assert verdict.ingress.allowed is None


# ------------------------------------------------------------------------ Services


def test_services_unread_a_service_name_is_unknown():
    engine = make([], unread=[(Kind.SERVICE, SVC_FORBIDDEN)])
    with pytest.raises(EndpointUnknown) as caught:
        engine.resolve("shop/svc/db")
    assert "kubectl auth can-i list services -A" in caught.value.unknown_because[0]


def test_services_unread_a_cluster_ip_destination_is_unknown():
    cl = cluster("calico")
    cl = replace(cl, services_ipv4_cidr="10.96.0.0/20", pod_ipv4_cidr="10.0.0.0/14")
    engine = make([policy("web-egress", "web", policy_types=["Egress"],
                          egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": 5432}]}])],
                  unread=[(Kind.SERVICE, SVC_FORBIDDEN)], cluster=cl, model="auto")
    verdict = ask(engine, "web/client-0", "10.96.0.10")
    assert verdict.allowed is None
    assert any("ClusterIP" in r and "kubectl auth can-i list services -A" in r for r in verdict.unknown_because)
    # outside the Service range: an outside address, decided by the ipBlock
    assert ask(engine, "web/client-0", "10.200.0.1").allowed is True


def test_services_read_a_service_with_pods_unread_is_unknown():
    snap = snapshot([], [], namespaces(), services=[service("db", "shop", {"app": "db"}, [{"port": 5432}])],
                    unread=[(Kind.POD, PODS_FORBIDDEN)])
    with pytest.raises(EndpointUnknown):
        PolicyEngine(snap).resolve("shop/svc/db")


def test_named_port_of_a_maybe_pod_destination_is_unknown():
    egress = policy("e", "web", policy_types=["Egress"], egress=[{"ports": [{"port": "pg"}]}])
    snap = snapshot([pods()[2]], [egress], namespaces())
    snap = replace(snap, loaded_kinds=snap.loaded_kinds - {Kind.POD})
    engine = PolicyEngine(snap, "kubernetes")
    verdict = engine.evaluate(engine.resolve("web/client-0")[0], engine.resolve_address("10.1.0.2"), 5432)
    assert verdict.egress.allowed is None
    assert any("named ports" in r for r in verdict.unknown_because)
