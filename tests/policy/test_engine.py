"""Explanations, notes, dataplane choice, endpoint resolution, Services and CIDR sweeps."""

from __future__ import annotations

import json

import pytest

from netpol_tui.policy import (
    Dataplane,
    Direction,
    Endpoint,
    EndpointError,
    PolicyEngine,
    RuleRef,
    resolve_dataplane,
)
from tests.policy.builders import cluster, namespace, pod, policy, service, snapshot

EXT = "203.0.113.5"


def engine_for(world, policies, model="kubernetes", **extra):
    snap = snapshot(extra.pop("pods", world["pods"]), policies, world["namespaces"], **extra)
    return PolicyEngine(snap, model)


def ask(engine, src, dst, port, protocol="TCP"):
    (a,) = engine.resolve(src)
    (b,) = engine.resolve(dst)
    return engine.evaluate(a, b, port, protocol)


# ------------------------------------------------------------------ explanations


def test_typo_in_peer_selector_is_explained(world):
    engine = engine_for(world, [policy("allow-db", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "wbe"}}}]}])])
    verdict = ask(engine, "shop/web-0", "shop/db-0", 5432)
    assert not verdict.allowed
    (reason,) = verdict.ingress.denied_because
    assert reason.startswith("peer 0 of ingress rule 0 of policy shop/allow-db needs app=wbe, source has app=web")
    assert "one character away" in reason
    assert verdict.ingress.isolating_policies == ("shop/allow-db",)
    assert verdict.egress.allowed and not verdict.egress.isolated


def test_egress_peer_explains_destination(world):
    engine = engine_for(world, [policy("out", "shop", podSelector={"matchLabels": {"app": "web"}},
                                       egress=[{"to": [{"podSelector": {"matchLabels": {"app": "dbb"}}}]}])])
    verdict = ask(engine, "shop/web-0", "shop/db-0", 5432)
    (reason,) = verdict.egress.denied_because
    assert "peer 0 of egress rule 0 of policy shop/out needs app=dbb, destination has app=db" in reason


def test_endport_ignored_on_dataplane_v2_is_explained(world):
    spec = dict(podSelector={"matchLabels": {"app": "db"}}, ingress=[{"ports": [{"port": 80, "endPort": 443}]}])
    v2 = ask(engine_for(world, [policy("range", "shop", **spec)], "dataplane-v2"), EXT, "shop/db-0", 8080)
    assert "port entry 0 of ingress rule 0 of policy shop/range: port 8080 not in 80-443 (endPort ignored on " \
           "Dataplane V2)" in v2.ingress.denied_because
    inside = ask(engine_for(world, [policy("range", "shop", **spec)], "dataplane-v2"), EXT, "shop/db-0", 100)
    assert any("only port 80 is open" in r for r in inside.ingress.denied_because)
    k8s = ask(engine_for(world, [policy("range", "shop", **spec)], "kubernetes"), EXT, "shop/db-0", 8080)
    assert any(r.endswith("port 8080 not in 80-443") for r in k8s.ingress.denied_because)


def test_ipblock_on_pod_traffic_dataplane_v2_is_explained(world):
    engine = engine_for(world, [policy("ip", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}])], "dataplane-v2")
    verdict = ask(engine, "shop/web-0", "shop/db-0", 80)
    assert any("ipBlock 10.0.0.0/8 does not apply to pod traffic on Dataplane V2" in r
               for r in verdict.ingress.denied_because)


def test_ipblock_except_and_family_explained(world):
    engine = engine_for(world, [policy("ip", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"ipBlock": {"cidr": "203.0.113.0/24",
                                                                       "except": ["203.0.113.0/29"]}},
                                                          {"ipBlock": {"cidr": "fd00::/8"}}]}])])
    reasons = ask(engine, EXT, "shop/db-0", 80).ingress.denied_because
    assert any("excluded by its except 203.0.113.0/29" in r for r in reasons)
    assert any("IPv6" in r and "never matches" in r for r in reasons)


def test_namespace_reasons(world):
    engine = engine_for(world, [policy("ns", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "webb"}}},
                                                          {"podSelector": {"matchLabels": {"app": "client"}}}]}])])
    reasons = ask(engine, "web/client-0", "shop/db-0", 80).ingress.denied_because
    assert any("needs a namespace with team=webb, namespace web has team=web" in r for r in reasons)
    assert any("matches only pods in namespace shop" in r and "source is in namespace web" in r for r in reasons)


def test_selector_peer_against_external_explained(world):
    engine = engine_for(world, [policy("sel", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"namespaceSelector": {}}]}])])
    (reason,) = ask(engine, EXT, "shop/db-0", 80).ingress.denied_because
    assert "is not a pod in the cluster" in reason


def test_named_port_reasons(world):
    engine = engine_for(world, [policy("out", "shop", podSelector={"matchLabels": {"app": "web"}},
                                       egress=[{"ports": [{"port": "pg"}]}])])
    assert any("cannot match destination 203.0.113.5" in r
               for r in ask(engine, "shop/web-0", EXT, 5432).egress.denied_because)
    assert any("declares no TCP container port named pg" in r
               for r in ask(engine, "shop/web-0", "web/client-0", 5432).egress.denied_because)
    assert any("resolves to TCP 5432" in r for r in ask(engine, "shop/web-0", "shop/db-0", 1).egress.denied_because)


def test_nearest_rule_shown_first_and_far_rules_dropped(world):
    engine = engine_for(world, [policy("p", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"podSelector": {"matchLabels": {"app": "x"}}}], "ports": [{"port": 1}]},   # peer and port fail
        {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 81}]},  # only port fails
    ])])
    reasons = ask(engine, "shop/web-0", "shop/db-0", 80).ingress.denied_because
    assert reasons == ("port entry 0 of ingress rule 1 of policy shop/p: port 80 is not 81",)


def test_allowed_by_rule_refs(world):
    engine = engine_for(world, [policy("p", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"podSelector": {"matchLabels": {"app": "x"}}}, {"podSelector": {"matchLabels": {"app": "web"}}}],
         "ports": [{"port": 1}, {"port": 80}]}, {}])])
    verdict = ask(engine, "shop/web-0", "shop/db-0", 80)
    assert verdict.ingress.allowed_by == (
        RuleRef("shop", "p", Direction.INGRESS, 0, 1, 1), RuleRef("shop", "p", Direction.INGRESS, 1, None, None))
    assert str(verdict.ingress.allowed_by[1]) == "ingress rule 1 of policy shop/p (every peer, every port)"
    data = verdict.to_dict()
    json.dumps(data)
    assert data["ingress"]["allowed_by"][0]["peer"] == 1


def test_to_dict_shape(world):
    verdict = ask(engine_for(world, [policy("d", "shop", policyTypes=["Ingress"])]), "shop/web-0", "shop/db-0", 80)
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["verdict"] == "deny" and data["dataplane"] == "kubernetes" and isinstance(data["notes"], list)
    for side in ("egress", "ingress"):
        assert {"isolated", "verdict", "allowed_by", "denied_because"} <= set(data[side])
    assert data["ingress"]["verdict"] == "deny" and data["egress"]["verdict"] == "allow"
    text = verdict.sentences()
    assert text[0].startswith("Traffic from shop/web-0 (10.1.0.1) to shop/db-0 (10.1.0.2) on TCP port 80 is DENIED")


# ------------------------------------------------------------------- dataplane


@pytest.mark.parametrize(("kind", "expected"), [
    ("dataplane-v2", Dataplane.DATAPLANE_V2), ("autopilot", Dataplane.DATAPLANE_V2),
    ("calico", Dataplane.CALICO), ("calico-off", Dataplane.NONE), (None, Dataplane.KUBERNETES)])
def test_auto_dataplane(kind, expected):
    snap = snapshot(cluster=cluster(kind) if kind else None)
    chosen, notes = resolve_dataplane(snap, "auto")
    assert chosen is expected
    if kind is None:
        assert notes and "No GKE cluster information" in notes[0]


def test_explicit_dataplane_differs_from_cluster_note():
    chosen, notes = resolve_dataplane(snapshot(cluster=cluster("calico")), "dataplane-v2")
    assert chosen is Dataplane.DATAPLANE_V2 and "uses Calico" in notes[0]
    with pytest.raises(ValueError):
        resolve_dataplane(snapshot(), "cilium")


def test_enforcement_off_allows_everything_with_note(world):
    snap = snapshot(world["pods"], [policy("d", "shop", policyTypes=["Ingress", "Egress"])], world["namespaces"],
                    cluster=cluster("calico-off"))
    engine = PolicyEngine(snap)
    assert engine.dataplane is Dataplane.NONE
    verdict = ask(engine, "shop/web-0", "shop/db-0", 80)
    assert verdict.allowed and verdict.to_dict()["dataplane"] == "none"
    assert any("1 NetworkPolicy exists but none is enforced" in n for n in verdict.notes)
    assert any("would be denied" in n for n in verdict.notes)
    assert not engine.is_isolated(world["pods"][1], "Ingress")
    assert engine.isolating_policies(world["pods"][1], "Ingress")


def test_metadata_server_note_on_dataplane_v2(world):
    engine = engine_for(world, [], "dataplane-v2")
    verdict = ask(engine, "shop/web-0", "169.254.169.254", 80)
    assert any("rewritten" in n for n in verdict.notes)
    assert not any("rewritten" in n for n in ask(engine, "shop/web-0", EXT, 80).notes)


def test_host_network_pod_gets_a_note_not_a_silent_verdict(world):
    agent = pod("agent", "shop", {"app": "agent"}, "10.128.0.5", host_network=True)
    pods = [*world["pods"], agent]
    engine = engine_for(world, [policy("d", "shop", policyTypes=["Ingress", "Egress"])], pods=pods)
    verdict = ask(engine, "shop/agent", EXT, 80)
    assert verdict.allowed and not verdict.egress.applies
    assert any("hostNetwork" in n for n in verdict.notes)
    assert not engine.is_isolated(agent, Direction.EGRESS)
    into = ask(engine, "shop/agent", "shop/db-0", 80)
    assert not into.allowed and any("hostNetwork" in n for n in into.notes)


def test_pod_to_itself_is_not_subject_to_policy(world):
    engine = engine_for(world, [policy("d", "shop", policyTypes=["Ingress", "Egress"])])
    verdict = ask(engine, "shop/db-0", "10.1.0.2", 5432)
    assert verdict.allowed and not verdict.ingress.applies and not verdict.egress.applies
    assert any("never leaves the pod's network namespace" in n for n in verdict.notes)
    assert not ask(engine, "shop/web-0", "shop/db-0", 5432).allowed


def test_pod_ip_address_resolves_to_pod(world):
    engine = engine_for(world, [])
    endpoint = engine.resolve_address("10.1.0.2")
    assert endpoint.pod is world["pods"][1]
    assert engine.resolve_address(EXT).is_external
    # evaluate() resolves an address endpoint that is a pod IP too
    verdict = engine.evaluate(Endpoint.for_address("10.1.0.1"), Endpoint.for_address("10.1.0.2"), 80)
    assert verdict.src.pod is world["pods"][0] and any("is the IP of pod shop/web-0" in n for n in verdict.notes)


# ------------------------------------------------------------------- resolution


def test_resolve_forms_and_errors(world):
    engine = engine_for(world, [])
    assert engine.resolve("db-0", "shop")[0].pod.name == "db-0"
    assert engine.resolve("client-0")[0].pod.namespace == "web"       # unique across namespaces
    assert engine.resolve(" 2001:DB8::5 ")[0].address == "2001:db8::5"
    with pytest.raises(EndpointError) as info:
        engine.resolve("shop/db-1")
    assert "shop/db-0" in info.value.suggestions
    with pytest.raises(EndpointError) as info:
        engine.resolve("shpo/db-0")
    assert "shop/db-0" in info.value.suggestions
    with pytest.raises(EndpointError):
        engine.resolve("10.0.0.0/8")
    with pytest.raises(EndpointError):
        engine.resolve("a/b/c/d")
    with pytest.raises(EndpointError):
        engine.evaluate(engine.resolve("shop/db-0")[0], engine.resolve(EXT)[0], 0)
    with pytest.raises(EndpointError):
        engine.evaluate(engine.resolve("shop/db-0")[0], engine.resolve(EXT)[0], 80, "ICMP")


def test_ambiguous_bare_pod_name():
    snap = snapshot([pod("x", "a", ip="10.0.0.1"), pod("x", "b", ip="10.0.0.2")])
    with pytest.raises(EndpointError) as info:
        PolicyEngine(snap).resolve("x")
    assert set(info.value.suggestions) == {"a/x", "b/x"}


def test_service_resolves_to_backing_pods_and_target_port(world):
    pods = [*world["pods"], pod("db-1", "shop", {"app": "db"}, "10.1.0.9", ports=[{"name": "pg", "containerPort": 6432}])]
    svc = service("db", "shop", {"app": "db"}, [{"port": 80, "targetPort": "pg"}], cluster_ip="10.96.0.10")
    engine = engine_for(world, [policy("p", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"ports": [{"port": 5432}]}])], pods=pods, services=[svc])
    endpoints = engine.resolve("shop/svc/db")
    assert [e.pod.name for e in endpoints] == ["db-0", "db-1"]
    src = engine.resolve("shop/web-0")[0]
    verdicts = [engine.evaluate(src, dst, 80) for dst in endpoints]
    assert [(v.port, v.requested_port, v.verdict) for v in verdicts] == [(5432, 80, "allow"), (6432, 80, "deny")]
    assert verdicts[0].to_dict()["service_port"] == 80
    with pytest.raises(EndpointError) as info:
        engine.resolve("shop/svc/dbb")
    assert info.value.suggestions == ("shop/svc/db",)
    clusterip = engine.evaluate(src, Endpoint.for_address("10.96.0.10"), 80)
    assert any("ClusterIP of Service shop/db" in n for n in clusterip.notes)
    assert [e.pod.name for e in engine.resolve("10.96.0.10")] == ["db-0", "db-1"]


def test_service_without_selector_or_pods():
    snap = snapshot([pod("a", "ns", {"app": "a"})], [],
                    services=[service("manual", "ns"), service("empty", "ns", {"app": "zzz"})])
    engine = PolicyEngine(snap)
    with pytest.raises(EndpointError, match="no selector"):
        engine.resolve("ns/svc/manual")
    with pytest.raises(EndpointError, match="selects no live pod"):
        engine.resolve("ns/svc/empty")


# ------------------------------------------------------------------ CIDR sweep


def test_evaluate_cidr(world):
    db = world["pods"][1]
    engine = engine_for(world, [policy("lb", "shop", podSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"from": [{"ipBlock": {"cidr": "130.211.0.0/22"}}], "ports": [{"port": 8080}]},
        {"from": [{"ipBlock": {"cidr": "35.191.0.0/16", "except": ["35.191.1.0/24"]}}], "ports": [{"port": 8080}]},
    ])], "dataplane-v2")
    full = engine.evaluate_cidr(db, "130.211.0.0/22", 8080, "TCP", Direction.INGRESS)
    assert full.fully_allowed and not full.partially_allowed and full.isolated and full.allowed_by
    partial = engine.evaluate_cidr(db, "35.191.0.0/16", 8080, "TCP", "Ingress")
    assert not partial.fully_allowed and partial.partially_allowed and partial.uncovered == ("35.191.1.0/24",)
    wrong_port = engine.evaluate_cidr(db, "130.211.0.0/22", 80, "TCP", "Ingress")
    assert not wrong_port.fully_allowed and not wrong_port.partially_allowed
    assert wrong_port.uncovered == ("130.211.0.0/22",)
    open_egress = engine.evaluate_cidr(db, "0.0.0.0/0", 53, "UDP", Direction.EGRESS)
    assert open_egress.fully_allowed and not open_egress.isolated


def test_evaluate_cidr_egress_named_port_and_metadata(world):
    web = world["pods"][0]
    engine = engine_for(world, [policy("out", "shop", podSelector={"matchLabels": {"app": "web"}}, egress=[
        {"ports": [{"port": "http"}]},
        {"to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}], "ports": [{"port": 80}]}])], "dataplane-v2")
    metadata = engine.evaluate_cidr(web, "169.254.169.254/32", 80, "TCP", "Egress")
    assert metadata.fully_allowed and any("rewritten" in n for n in metadata.notes)
    other = engine.evaluate_cidr(web, "169.254.169.252/32", 988, "TCP", "Egress")
    assert not other.fully_allowed and other.uncovered == ("169.254.169.252/32",)


def test_evaluate_cidr_ipv6_block_never_covers_ipv4(world):
    db = world["pods"][1]
    engine = engine_for(world, [policy("v6", "shop", podSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"from": [{"ipBlock": {"cidr": "::/0"}}]}])])
    assert not engine.evaluate_cidr(db, "10.0.0.0/8", 80, "TCP", "Ingress").partially_allowed
    assert engine.evaluate_cidr(db, "2001:db8::/32", 80, "TCP", "Ingress").fully_allowed


def test_namespace_absent_from_snapshot_has_metadata_name_label():
    snap = snapshot([pod("c", "ghost", {"app": "c"}, "10.0.0.1"), pod("s", "srv", {"app": "s"}, "10.0.0.2")],
                    [policy("p", "srv", ingress=[{"from": [{"namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ghost"}}}]}])],
                    namespaces=[namespace("srv")])
    snap = type(snap)(source=snap.source, captured_at=snap.captured_at, namespaces=(namespace("srv"),),
                      pods=snap.pods, policies=snap.policies, loaded_kinds=snap.loaded_kinds)
    engine = PolicyEngine(snap)
    assert engine.evaluate(engine.resolve("ghost/c")[0], engine.resolve("srv/s")[0], 80).allowed
