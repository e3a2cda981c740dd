"""Adversarial audit of the verdict engine against networking.k8s.io/v1 and gke-facts sections 6-7.

Each test pins one corner of the spec; where the engine was already right the test documents it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from netpol_tui.cli import main
from netpol_tui.commands.explain import evaluate_batch
from netpol_tui.model.parse import parse_cluster, parse_node, parse_pod
from netpol_tui.model.snapshot import Kind, Snapshot, SourceInfo
from netpol_tui.policy import Dataplane, Direction, Endpoint, EndpointError, PolicyEngine
from tests.policy.builders import MODELS, cluster, namespace, pod, policy, service, snapshot

EXT = "203.0.113.5"
EXT6 = "2001:db8::5"


def base_pods():
    return [
        pod("web-0", "shop", {"app": "web"}, "10.1.0.1"),
        pod("db-0", "shop", {"app": "db"}, "10.1.0.2", ports=[{"name": "pg", "containerPort": 5432}]),
        pod("bare-0", "shop", None, "10.1.0.9"),
        pod("client-0", "web", {"app": "client"}, "10.2.0.1"),
    ]


def make(policies=(), model="kubernetes", pods=None, namespaces=(), **extra) -> PolicyEngine:
    return PolicyEngine(snapshot(base_pods() if pods is None else pods, policies, namespaces, **extra), model)


def ask(engine: PolicyEngine, src: str, dst: str, port: int, protocol: str = "TCP"):
    (a,) = engine.resolve(src)
    (b,) = engine.resolve(dst)
    return engine.evaluate(a, b, port, protocol)


DENY_ALL_INGRESS = policy("deny", "shop", policyTypes=["Ingress"])


def allow_db(peers=None, ports=None, **extra):
    rule = {}
    if peers is not None:
        rule["from"] = peers
    if ports is not None:
        rule["ports"] = ports
    return policy("allow-db", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[rule], **extra)


# ------------------------------------------------------------------ policyTypes defaults


def test_egress_only_policy_type_leaves_ingress_open_even_with_ingress_rules():
    pol = policy("p", "shop", policyTypes=["Egress"], ingress=[{"from": [{"podSelector": {"matchLabels": {"x": "y"}}}]}],
                 egress=[{}])
    engine = make([pol])
    db = engine.pod("shop", "db-0")
    assert not engine.is_isolated(db, Direction.INGRESS)
    assert engine.is_isolated(db, Direction.EGRESS)
    assert ask(engine, "web/client-0", "shop/db-0", 5432).allowed


def test_empty_egress_list_without_policy_types_is_not_egress_isolating():
    engine = make([policy("p", "shop", egress=[])])
    db = engine.pod("shop", "db-0")
    assert engine.is_isolated(db, Direction.INGRESS)
    assert not engine.is_isolated(db, Direction.EGRESS)
    assert ask(engine, "shop/db-0", EXT, 443).allowed


def test_egress_rules_without_policy_types_isolate_both_directions():
    engine = make([policy("p", "shop", egress=[{"ports": [{"port": 53, "protocol": "UDP"}]}])])
    db = engine.pod("shop", "db-0")
    assert engine.is_isolated(db, Direction.INGRESS) and engine.is_isolated(db, Direction.EGRESS)
    assert not ask(engine, "shop/db-0", EXT, 443).allowed
    assert ask(engine, "shop/db-0", EXT, 53, "UDP").allowed


# ------------------------------------------------------------------ selectors


def test_empty_namespace_and_pod_selector_peer_matches_every_pod_of_every_namespace():
    engine = make([DENY_ALL_INGRESS, allow_db([{"namespaceSelector": {}, "podSelector": {}}])])
    assert ask(engine, "web/client-0", "shop/db-0", 5432).allowed
    assert not ask(engine, EXT, "shop/db-0", 5432).allowed


def test_empty_pod_selector_alone_means_same_namespace_only():
    engine = make([allow_db([{"podSelector": {}}])])
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed
    verdict = ask(engine, "web/client-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert any("namespace shop" in reason for reason in verdict.ingress.denied_because)


@pytest.mark.parametrize(("expression", "allowed"), [
    ({"key": "env", "operator": "NotIn", "values": ["prod"]}, True),
    ({"key": "env", "operator": "DoesNotExist"}, True),
    ({"key": "env", "operator": "Exists"}, False),
    ({"key": "env", "operator": "In", "values": ["prod", "dev"]}, False),
])
def test_expressions_on_an_absent_key(expression, allowed):
    engine = make([allow_db([{"podSelector": {"matchExpressions": [expression]}}])])
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed is allowed


def test_in_with_a_value_list_and_match_labels_are_anded():
    pods = base_pods() + [pod("api-0", "shop", {"app": "api", "env": "dev"}, "10.1.0.5"),
                          pod("api-1", "shop", {"app": "api", "env": "qa"}, "10.1.0.6"),
                          pod("api-2", "shop", {"app": "web", "env": "dev"}, "10.1.0.7")]
    sel = {"matchLabels": {"app": "api"}, "matchExpressions": [{"key": "env", "operator": "In",
                                                                "values": ["dev", "prod"]}]}
    engine = make([allow_db([{"podSelector": sel}])], pods=pods)
    assert ask(engine, "shop/api-0", "shop/db-0", 5432).allowed
    assert not ask(engine, "shop/api-1", "shop/db-0", 5432).allowed
    assert not ask(engine, "shop/api-2", "shop/db-0", 5432).allowed


def test_pod_without_labels_is_selected_by_empty_pod_selector():
    engine = make([DENY_ALL_INGRESS])
    bare = engine.pod("shop", "bare-0")
    assert engine.policies_selecting(bare) == (DENY_ALL_INGRESS,)
    assert not ask(engine, "shop/web-0", "shop/bare-0", 80).allowed


def test_policies_of_another_namespace_never_select():
    engine = make([policy("deny", "web", policyTypes=["Ingress", "Egress"])])
    db = engine.pod("shop", "db-0")
    assert engine.policies_selecting(db) == ()
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed


def test_namespace_missing_from_snapshot_still_has_its_name_label():
    pods = base_pods()
    pol = allow_db([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}}}])
    snap = Snapshot(source=SourceInfo(kind="files", description="test"), captured_at=datetime.now(UTC),
                    namespaces=(namespace("shop"),), pods=tuple(pods), policies=(pol,),
                    loaded_kinds=frozenset(Kind))
    engine = PolicyEngine(snap, "kubernetes")
    assert ask(engine, "web/client-0", "shop/db-0", 5432).allowed
    assert not ask(engine, "shop/web-0", "shop/db-0", 5432).allowed


def test_namespace_labels_come_from_the_snapshot():
    pol = allow_db([{"namespaceSelector": {"matchLabels": {"team": "web"}}}])
    before = make([pol], namespaces=[namespace("web", {"team": "web"}), namespace("shop")])
    after = make([pol], namespaces=[namespace("web", {"team": "frontend"}), namespace("shop")])
    assert ask(before, "web/client-0", "shop/db-0", 5432).allowed
    verdict = ask(after, "web/client-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert any("team=frontend" in reason for reason in verdict.ingress.denied_because)


# ------------------------------------------------------------------ ports


def two_container_pod():
    return parse_pod({
        "metadata": {"name": "dns-0", "namespace": "shop", "labels": {"app": "db"}},
        "spec": {"containers": [
            {"name": "a", "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]},
            {"name": "b", "ports": [{"name": "dns", "containerPort": 5353, "protocol": "TCP"}]},
        ]},
        "status": {"phase": "Running", "podIP": "10.1.0.53"},
    })


def test_named_port_with_same_name_on_two_containers_with_different_protocols():
    pods = base_pods() + [two_container_pod()]
    engine = make([allow_db(ports=[{"port": "dns"}]),
                   policy("udp", "shop", podSelector={"matchLabels": {"app": "db"}},
                          ingress=[{"ports": [{"port": "dns", "protocol": "UDP"}]}])], pods=pods)
    assert ask(engine, "shop/web-0", "shop/dns-0", 5353).allowed
    assert ask(engine, "shop/web-0", "shop/dns-0", 53, "UDP").allowed
    assert not ask(engine, "shop/web-0", "shop/dns-0", 53).allowed
    assert not ask(engine, "shop/web-0", "shop/dns-0", 5353, "UDP").allowed


def test_named_port_in_egress_to_an_external_address_cannot_match():
    engine = make([policy("eg", "shop", podSelector={"matchLabels": {"app": "web"}}, policyTypes=["Egress"],
                          egress=[{"ports": [{"port": "https"}]}])])
    verdict = ask(engine, "shop/web-0", EXT, 443)
    assert not verdict.allowed
    assert any("not a pod" in reason for reason in verdict.egress.denied_because)


def test_named_port_declared_on_udp_does_not_match_tcp_traffic():
    pods = [pod("db-0", "shop", {"app": "db"}, "10.1.0.2", ports=[{"name": "pg", "containerPort": 5432,
                                                                   "protocol": "UDP"}]),
            pod("web-0", "shop", {"app": "web"}, "10.1.0.1")]
    engine = make([allow_db(ports=[{"port": "pg"}])], pods=pods)
    verdict = ask(engine, "shop/web-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert any("UDP 5432" in reason for reason in verdict.ingress.denied_because)


def test_sctp_and_default_tcp_protocol():
    engine = make([allow_db(ports=[{"port": 9000, "protocol": "SCTP"}, {"port": 5432}])])
    assert ask(engine, "shop/web-0", "shop/db-0", 9000, "sctp").allowed
    assert not ask(engine, "shop/web-0", "shop/db-0", 9000).allowed
    assert ask(engine, "shop/web-0", "shop/db-0", 5432, "tcp").allowed
    assert not ask(engine, "shop/web-0", "shop/db-0", 5432, "UDP").allowed


@pytest.mark.parametrize("model", MODELS)
def test_end_port_equal_to_port(model):
    engine = make([allow_db(ports=[{"port": 5432, "endPort": 5432}])], model)
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed
    assert not ask(engine, "shop/web-0", "shop/db-0", 5433).allowed


def test_end_port_is_ignored_on_dataplane_v2():
    pol = allow_db(ports=[{"port": 5000, "endPort": 6000}])
    dv2 = make([pol], "dataplane-v2")
    calico = make([pol], "calico")
    assert ask(dv2, "shop/web-0", "shop/db-0", 5000).allowed
    assert not ask(dv2, "shop/web-0", "shop/db-0", 5432).allowed
    assert ask(calico, "shop/web-0", "shop/db-0", 5432).allowed


# ------------------------------------------------------------------ ipBlock


@pytest.mark.parametrize("model", MODELS)
def test_ip_block_except_containing_the_address(model):
    engine = make([allow_db([{"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.0/28"]}}])], model)
    assert not ask(engine, EXT, "shop/db-0", 5432).allowed
    assert ask(engine, "203.0.113.20", "shop/db-0", 5432).allowed


def test_except_equal_to_a_pod_ip_excludes_that_pod_on_calico():
    pol = allow_db([{"ipBlock": {"cidr": "10.1.0.0/16", "except": ["10.1.0.1/32"]}}])
    engine = make([pol], "calico")
    assert not ask(engine, "shop/web-0", "shop/db-0", 5432).allowed
    assert ask(engine, "shop/bare-0", "shop/db-0", 5432).allowed
    assert not ask(engine, "web/client-0", "shop/db-0", 5432).allowed
    assert not ask(make([pol], "dataplane-v2"), "shop/bare-0", "shop/db-0", 5432).allowed


def test_ipv6_pod_never_matches_ipv4_block_and_v6_any_matches_v6():
    pods = base_pods() + [pod("v6-0", "web", {"app": "v6"}, "fd00::7")]
    v4 = make([allow_db([{"ipBlock": {"cidr": "0.0.0.0/0"}}])], "calico", pods=pods)
    v6 = make([allow_db([{"ipBlock": {"cidr": "::/0"}}])], "calico", pods=pods)
    assert not ask(v4, "web/v6-0", "shop/db-0", 5432).allowed
    assert not ask(v4, EXT6, "shop/db-0", 5432).allowed
    assert ask(v6, EXT6, "shop/db-0", 5432).allowed
    assert not ask(v6, EXT, "shop/db-0", 5432).allowed


def test_any_block_matches_pods_on_calico_but_not_on_dataplane_v2():
    pol = allow_db([{"ipBlock": {"cidr": "0.0.0.0/0"}}])
    assert ask(make([pol], "calico"), "shop/web-0", "shop/db-0", 5432).allowed
    assert ask(make([pol], "kubernetes"), "shop/web-0", "shop/db-0", 5432).allowed
    dv2 = make([pol], "dataplane-v2")
    verdict = ask(dv2, "shop/web-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert any("Dataplane V2" in reason for reason in verdict.ingress.denied_because)
    assert ask(dv2, EXT, "shop/db-0", 5432).allowed


@pytest.mark.parametrize("model", MODELS)
def test_pod_inside_block_and_matched_by_selector_is_allowed(model):
    engine = make([allow_db([{"ipBlock": {"cidr": "10.1.0.0/16"}}, {"podSelector": {"matchLabels": {"app": "web"}}}])],
                  model)
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed


def test_external_to_pod_and_pod_to_external():
    engine = make([policy("both", "shop", podSelector={"matchLabels": {"app": "db"}},
                          policyTypes=["Ingress", "Egress"],
                          ingress=[{"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}],
                          egress=[{"to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}]}])])
    inbound = ask(engine, EXT, "shop/db-0", 5432)
    assert inbound.allowed and not inbound.egress.applies
    assert not ask(engine, "198.51.100.1", "shop/db-0", 5432).allowed
    outbound = ask(engine, "shop/db-0", "198.51.100.1", 443)
    assert outbound.allowed and not outbound.ingress.applies
    assert not ask(engine, "shop/db-0", EXT, 443).allowed


# ------------------------------------------------------------------ odd endpoints


def test_service_cluster_ip_destination_is_answered_for_the_backing_pods():
    svc = service("db", "shop", {"app": "db"}, [{"port": 5432}], cluster_ip="10.96.0.10")
    engine = make([DENY_ALL_INGRESS], services=[svc])
    # the ClusterIP is DNAT'ed to a backing pod before policy runs: resolve it like shop/svc/db
    (via_ip,) = engine.resolve("10.96.0.10")
    assert via_ip.pod is engine.pod("shop", "db-0") and via_ip.service is svc
    assert not ask(engine, "shop/web-0", "10.96.0.10", 5432).allowed
    # an address endpoint built by hand is not translated, and says so
    (src,) = engine.resolve("shop/web-0")
    verdict = engine.evaluate(src, Endpoint.for_address("10.96.0.10"), 5432)
    assert any("ClusterIP" in note and "shop/svc/db" in note for note in verdict.notes)
    # through the Service name the verdict is about the backing pod
    (src,) = engine.resolve("shop/web-0")
    (dst,) = engine.resolve("shop/svc/db")
    assert dst.pod is engine.pod("shop", "db-0")
    assert not engine.evaluate(src, dst, 5432).allowed


def test_succeeded_pod_ip_reused_by_a_running_pod():
    done = pod("job-0", "shop", {"app": "job"}, "10.1.0.50", phase="Succeeded")
    live = pod("api-0", "shop", {"app": "api"}, "10.1.0.50")
    engine = make([DENY_ALL_INGRESS], pods=base_pods() + [done, live])
    (endpoint,) = engine.resolve("10.1.0.50")
    assert endpoint.pod is live
    verdict = ask(engine, "shop/web-0", "shop/job-0", 80)
    assert any("Succeeded" in note for note in verdict.notes)
    assert any("now belongs to live pod shop/api-0" in note for note in verdict.notes)


def test_two_live_pods_with_the_same_ip_are_flagged():
    first = pod("a-0", "shop", {"app": "a"}, "10.1.0.60")
    second = pod("b-0", "web", {"app": "b"}, "10.1.0.60")
    engine = make([DENY_ALL_INGRESS], pods=base_pods() + [first, second])
    verdict = ask(engine, "10.1.0.60", "shop/db-0", 5432)
    assert any("10.1.0.60" in note and "shop/a-0" in note and "web/b-0" in note for note in verdict.notes)


def test_host_network_source_and_destination():
    pods = base_pods() + [pod("node-agent", "kube-system", {"app": "agent"}, "10.128.0.2", host_network=True)]
    pol = allow_db([{"podSelector": {"matchLabels": {"app": "agent"}}}])
    engine = make([pol], pods=pods)
    src = ask(engine, "kube-system/node-agent", "shop/db-0", 5432)
    assert not src.allowed  # selectors do not match hostNetwork traffic (it carries the node IP)
    assert any("host network" in note for note in src.notes)
    dst = ask(engine, "shop/web-0", "kube-system/node-agent", 22)
    assert dst.allowed and not dst.ingress.applies


@pytest.mark.parametrize("model", MODELS)
def test_host_network_source_matched_by_ip_block_of_node_address(model):
    pods = base_pods() + [pod("node-agent", "kube-system", {"app": "agent"}, "10.128.0.2", host_network=True)]
    engine = make([allow_db([{"ipBlock": {"cidr": "10.128.0.0/20"}}])], model, pods=pods)
    assert ask(engine, "kube-system/node-agent", "shop/db-0", 5432).allowed


# ------------------------------------------------------------------ dataplane choice


def test_no_enforcement_allows_and_says_what_would_happen():
    engine = make([DENY_ALL_INGRESS], "none")
    verdict = ask(engine, "shop/web-0", "shop/db-0", 5432)
    assert verdict.allowed
    assert any("would be denied" in note for note in verdict.notes)
    auto = make([DENY_ALL_INGRESS], "auto", cluster=cluster("calico-off"))
    assert auto.dataplane is Dataplane.NONE and ask(auto, "shop/web-0", "shop/db-0", 5432).allowed


def test_explicit_dataplane_overrides_the_cluster_with_a_note():
    pol = allow_db([{"ipBlock": {"cidr": "0.0.0.0/0"}}])
    engine = make([pol], "calico", cluster=cluster("dataplane-v2"))
    assert engine.dataplane is Dataplane.CALICO
    assert any("Dataplane V2" in note for note in engine.notes)
    assert ask(engine, "shop/web-0", "shop/db-0", 5432).allowed
    assert not ask(make([pol], "auto", cluster=cluster("dataplane-v2")), "shop/web-0", "shop/db-0", 5432).allowed
    with pytest.raises(ValueError):
        make([pol], "cilium")


# ------------------------------------------------------------------ batch input


@pytest.mark.parametrize(("entry", "message"), [
    ({"from": "shop/web-0", "to": "shop/db-0", "port": "abc"}, "not a port"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": 0}, "outside"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": 70000}, "outside"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": 5432.5}, "not a port"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": True}, "not a port"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": 80, "protocol": "icmp"}, "protocol"),
    ({"from": "shop/web-0", "to": "shop/db-0", "port": 80, "protocol": 6}, "protocol"),
    ({"to": "shop/db-0", "port": 80}, "from"),
    ({"from": "shop/web-0", "port": 80}, "to"),
    ({"from": "shop/web-0", "to": "shop/db-0"}, "port"),
    ({"from": ["shop/web-0"], "to": "shop/db-0", "port": 80}, "from"),
    ("shop/web-0 -> shop/db-0", "mapping"),
])
def test_bad_batch_entries_are_errors_not_crashes(entry, message):
    engine = make([DENY_ALL_INGRESS])
    (result,), (code,) = evaluate_batch(engine, [entry])
    assert code == 2 and result["verdict"] == "error"
    assert message in result["message"]


def test_batch_from_equal_to_is_allowed_with_a_note():
    engine = make([DENY_ALL_INGRESS])
    (result,), (code,) = evaluate_batch(engine, [{"id": "self", "from": "shop/db-0", "to": "shop/db-0",
                                                   "port": "5432", "protocol": "tcp"}])
    assert code == 0 and result["id"] == "self" and result["verdict"] == "allow"
    assert any("same pod" in note for note in result["notes"])


# ------------------------------------------------------------------ endpoint text


@pytest.mark.parametrize("text", ["  shop/db-0  ", "shop/db-0/", "shop / db-0", "shop/pod/db-0", "10.1.0.2",
                                  " 10.1.0.2 "])
def test_endpoint_text_variants_resolve_to_the_pod(text):
    engine = make()
    (endpoint,) = engine.resolve(text)
    assert endpoint.pod is engine.pod("shop", "db-0")


@pytest.mark.parametrize("text", ["[fd00::7]", "FD00::7", "fd00:0::7", "[fd00::7]"])
def test_ipv6_literals_with_brackets_or_uppercase(text):
    pods = base_pods() + [pod("v6-0", "web", {"app": "v6"}, "fd00::7")]
    engine = make(pods=pods)
    (endpoint,) = engine.resolve(text)
    assert endpoint.pod is engine.pod("web", "v6-0")


def test_ipv6_zone_id_is_rejected_clearly():
    engine = make()
    with pytest.raises(EndpointError, match="zone"):
        engine.resolve("fe80::1%eth0")


def test_cidr_is_not_an_endpoint():
    with pytest.raises(EndpointError, match="CIDR"):
        make().resolve("10.1.0.0/16")


def test_unknown_pod_in_known_namespace_suggests_close_names():
    with pytest.raises(EndpointError) as info:
        make().resolve("shop/db-1")
    assert "shop/db-0" in info.value.suggestions


def test_endpoint_for_address_accepts_brackets():
    assert Endpoint.for_address("[2001:db8::5]").address == EXT6


# ------------------------------------------------------------------ dual stack


def dual_world(model="calico"):
    pods = [pod("src-0", "shop", {"app": "web"}, ips=["10.1.0.3", "fd00::3"]),
            pod("db-0", "shop", {"app": "db"}, ips=["10.1.0.4", "fd00::4"])]
    return make([allow_db([{"ipBlock": {"cidr": "fd00::/64"}}])], model, pods=pods)


def test_dual_stack_pods_default_to_the_primary_family_and_say_when_ipv6_differs():
    engine = dual_world()
    verdict = ask(engine, "shop/src-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert any("IPv6" in note and "allowed" in note for note in verdict.notes)


def test_explicit_ipv6_address_of_a_dual_stack_pod_is_kept():
    engine = dual_world()
    verdict = ask(engine, "fd00::3", "shop/db-0", 5432)
    assert verdict.allowed
    assert ask(engine, "shop/src-0", "fd00::4", 5432).allowed
    assert not ask(engine, "10.1.0.3", "shop/db-0", 5432).allowed


def test_dual_stack_note_absent_when_families_agree():
    engine = dual_world("dataplane-v2")
    verdict = ask(engine, "shop/src-0", "shop/db-0", 5432)
    assert not verdict.allowed
    assert not any("IPv6" in note for note in verdict.notes)


# ------------------------------------------------------------------ CIDR sweep


def test_cidr_sweep_reports_the_uncovered_part():
    engine = make([allow_db([{"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.0/26"]}}],
                            [{"port": 5432}])])
    db = engine.pod("shop", "db-0")
    whole = engine.evaluate_cidr(db, "203.0.113.0/24", 5432, "TCP", "Ingress")
    assert whole.partially_allowed and not whole.fully_allowed and whole.uncovered == ("203.0.113.0/26",)
    assert engine.evaluate_cidr(db, "203.0.113.128/25", 5432, "TCP", "ingress").fully_allowed
    wrong_port = engine.evaluate_cidr(db, "203.0.113.128/25", 80, "TCP", "Ingress")
    assert not wrong_port.fully_allowed and not wrong_port.partially_allowed
    assert engine.evaluate_cidr(db, "203.0.113.0/24", 80, "TCP", "Egress").fully_allowed  # not egress-isolated
    with pytest.raises(EndpointError):
        engine.evaluate_cidr(db, "203.0.113.0/33", 80, "TCP", "Ingress")


def test_cidr_sweep_selector_peers_cover_no_outside_address():
    engine = make([allow_db([{"namespaceSelector": {}}])])
    result = engine.evaluate_cidr(engine.pod("shop", "db-0"), "0.0.0.0/0", 5432, "TCP", "Ingress")
    assert result.isolated and not result.fully_allowed and not result.partially_allowed


# ------------------------------------------------------------------ rendering never crashes


@pytest.mark.parametrize("model", [*MODELS, "none"])
def test_every_odd_verdict_renders(model):
    pods = base_pods() + [pod("node-agent", "kube-system", {}, "10.128.0.2", host_network=True),
                          pod("pending-0", "shop", {"app": "db"}, None, phase="Pending"),
                          pod("v6-0", "web", {"app": "v6"}, "fd00::7")]
    pol = allow_db([{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/24"]}},
                    {"podSelector": {"matchLabels": {"app": "wbe"}}}], [{"port": "pg"}, {"port": 1, "endPort": 9}])
    engine = make([pol, policy("eg", "shop", policyTypes=["Egress"])], model, pods=pods)
    names = ["shop/web-0", "shop/db-0", "kube-system/node-agent", "shop/pending-0", "web/v6-0", EXT, EXT6]
    for src in names:
        for dst in names:
            verdict = ask(engine, src, dst, 5432, "TCP")
            assert verdict.to_dict()["verdict"] in ("allow", "deny")
            assert verdict.sentences()


def test_ingress_only_policy_type_ignores_its_egress_rules():
    pol = policy("p", "shop", policyTypes=["Ingress"], ingress=[{}],
                 egress=[{"to": [{"ipBlock": {"cidr": "192.0.2.0/24"}}]}])
    engine = make([pol])
    assert not engine.is_isolated(engine.pod("shop", "db-0"), "Egress")
    assert ask(engine, "shop/db-0", EXT, 443).allowed


# ------------------------------------------------------------------ through the CLI


CLI_OBJECTS = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.0.1"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-0", "namespace": "shop", "labels": {"app": "db"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.0.2"}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "db", "namespace": "shop"},
     "spec": {"podSelector": {"matchLabels": {"app": "db"}},
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                           "ports": [{"port": 9000, "protocol": "SCTP"}]}]}},
]}


@pytest.fixture
def cli_dump(tmp_path):
    (tmp_path / "objects.json").write_text(json.dumps(CLI_OBJECTS))
    return tmp_path


def cli(capsys, *argv):
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lowercase_protocol_and_trailing_slash(cli_dump, capsys):
    code, out, err = cli(capsys, "--files", str(cli_dump), "--from", "shop/web-0/", "--to", " shop/db-0",
                         "--port", "9000", "--protocol", "sctp")
    assert code == 0, err
    code, _, _ = cli(capsys, "--files", str(cli_dump), "--from", "shop/web-0", "--to", "shop/db-0", "--port", "9000")
    assert code == 1


def test_cli_zone_id_is_bad_input_without_traceback(cli_dump, capsys):
    code, out, err = cli(capsys, "--files", str(cli_dump), "--from", "fe80::1%eth0", "--to", "shop/db-0",
                         "--port", "80")
    assert code == 2 and "zone" in err and "Traceback" not in err


def test_cli_batch_with_bad_entries_keeps_order_and_exits_2(cli_dump, capsys, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text("- {id: a, from: shop/web-0, to: shop/db-0, port: 9000, protocol: sctp}\n"
                     "- {id: b, from: shop/web-0, to: shop/db-0, port: abc}\n"
                     "- {id: c, from: '[10.0.0.1]', to: shop/db-0, port: 9000, protocol: SCTP}\n"
                     "- 42\n")
    code, out, err = cli(capsys, "--files", str(cli_dump), "--batch", str(batch))
    results = json.loads(out)["results"]
    assert [r["verdict"] for r in results] == ["allow", "error", "allow", "error"]
    assert code == 2 and "2 of 4" in err


def test_named_port_repeated_on_two_containers_with_the_same_protocol_matches_both():
    twin = parse_pod({
        "metadata": {"name": "twin-0", "namespace": "shop", "labels": {"app": "db"}},
        "spec": {"containers": [{"name": "a", "ports": [{"name": "http", "containerPort": 8080}]},
                                {"name": "b", "ports": [{"name": "http", "containerPort": 8081}]}]},
        "status": {"phase": "Running", "podIP": "10.1.0.77"},
    })
    engine = make([allow_db(ports=[{"port": "http"}])], pods=[*base_pods(), twin])
    assert ask(engine, "shop/web-0", "shop/twin-0", 8080).allowed
    assert ask(engine, "shop/web-0", "shop/twin-0", 8081).allowed
    assert not ask(engine, "shop/web-0", "shop/twin-0", 8082).allowed


# ------------------------------------------------------------------ addresses inside the cluster's ranges


def ranged_cluster():
    return parse_cluster({"name": "c1", "currentMasterVersion": "1.29.1-gke.100",
                          "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"},
                          "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.1.0.0/16",
                                                 "servicesIpv4CidrBlock": "10.96.0.0/20"}})


def test_unknown_address_in_the_pod_range_is_flagged():
    engine = make([allow_db([{"ipBlock": {"cidr": "10.0.0.0/8"}}])], "auto", cluster=ranged_cluster())
    verdict = ask(engine, "10.1.3.3", "shop/db-0", 5432)
    assert verdict.allowed  # as an outside address; but it is most likely a pod the snapshot lacks
    assert any("pod range 10.1.0.0/16" in note for note in verdict.notes)
    assert not any("pod range" in note for note in ask(engine, EXT, "shop/db-0", 5432).notes)
    for edge in ("10.1.0.0", "10.1.255.255"):
        assert any("pod range" in note for note in ask(engine, edge, "shop/db-0", 5432).notes)
    assert not any("pod range" in note for note in ask(engine, "10.2.0.0", "shop/db-0", 5432).notes)


def test_unknown_address_in_the_service_range_is_flagged():
    engine = make([], "auto", cluster=ranged_cluster())
    verdict = ask(engine, "shop/web-0", "10.96.0.99", 80)
    assert any("Service range 10.96.0.0/20" in note for note in verdict.notes)


def test_cidr_sweep_over_the_pod_range_warns_on_dataplane_v2():
    engine = make([allow_db([{"ipBlock": {"cidr": "10.0.0.0/8"}}])], "auto", cluster=ranged_cluster())
    result = engine.evaluate_cidr(engine.pod("shop", "db-0"), "10.0.0.0/8", 5432, "TCP", "Ingress")
    assert result.fully_allowed
    assert any("10.1.0.0/16" in note and "Dataplane V2" in note for note in result.notes)


def test_node_pod_cidrs_count_as_pod_ranges_without_cluster_info():
    node = parse_node({"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["10.9.1.0/24"]},
                       "status": {"addresses": [{"type": "InternalIP", "address": "10.128.0.9"}]}})
    snap = dataclasses.replace(snapshot(base_pods(), [DENY_ALL_INGRESS]), nodes=(node,))
    engine = PolicyEngine(snap, "calico")
    assert any("a node's pod range" in note for note in ask(engine, "10.9.1.7", "shop/db-0", 80).notes)
    node_note = ask(engine, "10.128.0.9", "shop/db-0", 80).notes
    assert any("node n1" in note for note in node_note) and not any("pod range" in n for n in node_note)
