"""Selection queries: policies selecting a pod, pods selected by a policy, near misses."""

from __future__ import annotations

from netpol_tui.model.policy import LabelSelector, LabelSelectorRequirement, SelectorOperator
from netpol_tui.policy import PolicyEngine, one_edit_apart
from tests.policy.builders import namespace, pod, policy, snapshot


def build():
    pods = [pod("store-0", "shop", {"app": "store", "tier": "web"}, "10.0.0.1"),
            pod("store-1", "shop", {"app": "store", "tier": "web"}, "10.0.0.2"),
            pod("db-0", "shop", {"app": "db"}, "10.0.0.3"),
            pod("store-0", "other", {"app": "store"}, "10.0.1.1"),
            pod("agent", "shop", {"app": "store", "tier": "web"}, "10.0.9.9", host_network=True)]
    policies = [policy("typo", "shop", podSelector={"matchLabels": {"app": "stor"}}),
                policy("all", "shop"),
                policy("store", "shop", podSelector={"matchLabels": {"app": "store"}}),
                policy("keytypo", "shop", podSelector={"matchLabels": {"ap": "store"}}),
                policy("expr", "shop", podSelector={"matchExpressions": [
                    {"key": "tier", "operator": "In", "values": ["web", "api"]}]},
                    ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}},
                                       {"podSelector": {"matchLabels": {"app": "db"}}},
                                       {"ipBlock": {"cidr": "10.0.0.0/30"}}]}])]
    snap = snapshot(pods, policies, [namespace("shop", {"env": "prod"}), namespace("other", {"env": "dev"})])
    return snap, PolicyEngine(snap, "kubernetes")


def test_policies_selecting_pod():
    snap, engine = build()
    store = snap.pods[0]
    assert [p.name for p in engine.policies_selecting(store)] == ["all", "store", "expr"]
    assert [p.name for p in engine.policies_selecting(snap.pods[2])] == ["all"]
    assert engine.policies_selecting(snap.pods[3]) == ()
    # the same label set shares the cached answer
    assert engine.policies_selecting(snap.pods[1]) is engine.policies_selecting(store)


def test_pods_selected_by_policy():
    snap, engine = build()
    by_name = {p.name: p for p in snap.policies}
    assert [p.name for p in engine.pods_selected_by(by_name["store"])] == ["agent", "store-0", "store-1"]
    assert engine.pods_selected_by(by_name["typo"]) == ()
    assert len(engine.pods_selected_by(by_name["all"])) == 4
    assert [p.name for p in engine.pods_selected_by(by_name["expr"])] == ["agent", "store-0", "store-1"]


def test_non_selecting_policies_with_one_character_typo_hint():
    snap, engine = build()
    misses = {miss.policy.name: miss for miss in engine.non_selecting_policies(snap.pods[0])}
    assert set(misses) == {"typo", "keytypo"}
    typo = misses["typo"]
    (term,) = typo.failing
    assert term.text == "app=stor" and term.actual == "app=store"
    assert "one character away" in term.hint and typo.near_miss
    assert "needs app=stor; pod has app=store" in str(typo)
    key = misses["keytypo"].failing[0]
    assert key.actual == "no label ap" and "label key 'app' is one character away from 'ap'" in key.hint


def test_value_present_with_other_value_hint():
    snap, engine = build()
    (miss,) = [m for m in engine.non_selecting_policies(snap.pods[2]) if m.policy.name == "store"]
    assert "key app is present with value 'db'" in miss.failing[0].hint


def test_peer_matches_and_namespaces():
    snap, engine = build()
    expr = snap.policies[4]
    ns_peer, pod_peer, ip_peer = expr.ingress[0].peers
    assert engine.namespaces_matching(ns_peer.namespace_selector) == ("shop",)
    assert [p.name for p in engine.peer_matches(expr, ns_peer)] == ["db-0", "store-0", "store-1"]  # no hostNetwork
    assert [p.name for p in engine.peer_matches(expr, pod_peer)] == ["db-0"]
    assert [p.name for p in engine.peer_matches(expr, ip_peer)] == ["store-0", "store-1", "db-0"] or \
        {p.name for p in engine.peer_matches(expr, ip_peer)} == {"store-0", "store-1", "db-0"}
    v2 = PolicyEngine(snap, "dataplane-v2")
    assert v2.peer_matches(expr, ip_peer) == ()
    assert engine.peer_namespaces(expr, pod_peer) == ("shop",)


def test_explain_selector_terms():
    snap, engine = build()
    selector = LabelSelector({"app": "store"}, (
        LabelSelectorRequirement("tier", SelectorOperator.NOT_IN, ("web",)),
        LabelSelectorRequirement("env", SelectorOperator.DOES_NOT_EXIST),
        LabelSelectorRequirement("zone", SelectorOperator.EXISTS),
        LabelSelectorRequirement("tier", SelectorOperator.IN, ("web", "wbe"))))
    terms = engine.explain_selector(selector, {"app": "store", "tier": "web"})
    assert [(t.text, t.matched) for t in terms] == [
        ("app=store", True), ("tier notin (web)", False), ("!env", True), ("zone", False),
        ("tier in (wbe,web)", True)]
    assert engine.explain_selector(LabelSelector(), {"a": "b"}) == ()


def test_one_edit_apart():
    assert one_edit_apart("store", "stor") and one_edit_apart("stor", "store")
    assert one_edit_apart("store", "stroe") and one_edit_apart("store", "stare")
    assert not one_edit_apart("store", "store") and not one_edit_apart("store", "st")
