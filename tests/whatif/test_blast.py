"""The targeted blast radius (`whatif.blast.targeted`: only the classes added policies can touch)
against the full change diff (fast path) and the reference (every question asked of `evaluate`):
the same changes in the same order, on random snapshots and random added allow policies
(hypothesis), on the demos' suggestions under every model, and the cases where it must step aside.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.parse_policy import parse_network_policy
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint
from netpol_tui.sources.demo import load_demo
from netpol_tui.whatif.blast import targeted
from netpol_tui.whatif.diff import apply_change, diff_engines, diff_engines_reference
from netpol_tui.whatif.suggest import NoSuggestion, suggest
from tests.policy.builders import MODELS, pod, policy, snapshot
from tests.policy.test_properties import NAMESPACES, ns_selector_st, policy_st, port_st, selector_st
from tests.whatif.test_fast import ALL_MODELS, varied_cluster_st

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Peers a suggestion writes (selectors, no ipBlock): the case the targeted path answers.
selector_peer_st = st.one_of(
    st.builds(lambda s: {"podSelector": s}, selector_st),
    st.builds(lambda s: {"namespaceSelector": s}, ns_selector_st),
    st.builds(lambda s, n: {"podSelector": s, "namespaceSelector": n}, selector_st, ns_selector_st))
allow_rule_st = st.builds(lambda peers, ports: {"peers": peers, **({"ports": ports} if ports else {})},
                          st.lists(selector_peer_st, min_size=1, max_size=2), st.lists(port_st, max_size=2))


def _allow(index, namespace, selector, types, ingress, egress):
    spec = {"podSelector": selector, "policyTypes": types}
    if "Ingress" in types:
        spec["ingress"] = [{"from": rule["peers"], **({"ports": rule["ports"]} if "ports" in rule else {})}
                           for rule in ingress]
    if "Egress" in types:
        spec["egress"] = [{"to": rule["peers"], **({"ports": rule["ports"]} if "ports" in rule else {})}
                          for rule in egress]
    return parse_network_policy({"metadata": {"name": f"proposed-{index}", "namespace": namespace}, "spec": spec})


allow_st = st.builds(_allow, st.integers(0, 10**6), st.sampled_from(NAMESPACES), selector_st,
                     st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]]),
                     st.lists(allow_rule_st, min_size=1, max_size=2), st.lists(allow_rule_st, min_size=1, max_size=2))


def _tuples(changes) -> list[tuple]:
    return [(c.src, c.dst, c.port, c.before, c.after) for c in changes]


def _plain(added) -> bool:
    """Every rule names peers, none an ipBlock: what `targeted` answers when nothing is newly isolated."""
    return all(rule.peers and all(peer.ip_block is None for peer in rule.peers)
               for p in added for rules in (p.ingress, p.egress) for rule in rules)


def assert_targeted_is_the_diff(before: PolicyEngine, after: PolicyEngine, added, reference: bool = True):
    found = targeted(before, after, added, max_share=1.0)
    if found is not None:
        assert found == _tuples(diff_engines(before, after, "b", "a").changes)
        if reference:
            assert found == _tuples(diff_engines_reference(before, after, "b", "a").changes)
    return found


@SETTINGS
@given(varied_cluster_st(), st.lists(st.one_of(allow_st, allow_st, policy_st), min_size=1, max_size=2),
       st.sampled_from(ALL_MODELS), st.booleans(), st.booleans(), st.booleans())
def test_random_targeted_blast_radii_are_the_change_diff(cluster, added, model, deny_all, unread_namespaces,
                                                         derive) -> None:
    pods, policies, namespaces = cluster
    if deny_all:  # every pod isolated both ways: an allow policy then isolates nobody anew
        policies = [*policies, *(policy(f"deny-{ns}", ns, policyTypes=["Ingress", "Egress"]) for ns in NAMESPACES)]
    snap = snapshot(pods, policies, namespaces, unread=[Kind.NAMESPACE] if unread_namespaces else [])
    added = [dataclasses.replace(p, name=f"proposed-{i}") for i, p in enumerate(added)]
    before = PolicyEngine(snap, model)
    changed = apply_change(snap, added)
    after = before.derive(changed, model) if derive else PolicyEngine(changed, model)
    found = assert_targeted_is_the_diff(before, after, added)
    if deny_all and _plain(added):
        assert found is not None  # the comparison above ran: the targeted path is not vacuous here


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
@pytest.mark.parametrize("model", MODELS)
def test_demo_suggestions_blast_radii_are_the_change_diff(demo: str, model: str) -> None:
    snap = load_demo(demo)
    engine = PolicyEngine(snap, model)
    live = sorted((p for p in snap.pods if p.is_live and p.ports), key=lambda p: (p.namespace, p.name))
    tried = engaged = 0
    for dst in live[::3]:
        for src in live[::5]:
            if src is dst:
                continue
            port = dst.ports[0].container_port
            try:
                item = suggest(engine, Endpoint.for_pod(src), Endpoint.for_pod(dst), port, dst.ports[0].protocol)
            except NoSuggestion:
                continue
            tried += 1
            after = engine.derive(apply_change(snap, item.policies), model)
            full = diff_engines(engine, after, "b", "a").changes
            found = assert_targeted_is_the_diff(engine, after, item.policies, reference=tried <= 3)
            engaged += found is not None
            reported = [c for c in full if c in (*item.also_allows, *item.also_denies)]
            assert len(reported) == len(item.also_allows) + len(item.also_denies) >= len(full) - 1
    assert tried
    if demo == "calico" or model != "dataplane-v2":
        assert engaged  # the targeted path answered some (Dataplane V2 with FQDN policies steps aside)


def test_the_targeted_path_steps_aside_where_the_diff_reaches_further() -> None:
    pods = [pod("a1", "a", {"app": "x"}, "10.0.0.1"), pod("b1", "b", {"app": "y"}, "10.0.0.2")]
    base = policy("deny", "a", policyTypes=["Ingress"])
    snap = snapshot(pods, [base])
    engine = PolicyEngine(snap)

    def answer(spec: dict):
        added = [parse_network_policy({"metadata": {"name": "proposed", "namespace": "a"}, "spec": spec})]
        return assert_targeted_is_the_diff(engine, PolicyEngine(apply_change(snap, added)), added)

    allow = {"podSelector": {}, "policyTypes": ["Ingress"],
             "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "y"}}}]}]}
    assert answer(allow) is not None
    assert answer({**allow, "policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": {}}]}]}) is None  # isolates
    assert answer({**allow, "ingress": [{"ports": [{"port": 80}]}]}) is None  # from everyone
    assert answer({**allow, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}) is None
    replaced = [parse_network_policy({"metadata": {"name": "deny", "namespace": "a"}, "spec": allow})]  # kubectl apply
    assert targeted(engine, PolicyEngine(apply_change(snap, replaced)), replaced, max_share=1.0) is None
    # only one namespace of two is reached, yet that is over a quarter of the pods: the full diff
    added = [parse_network_policy({"metadata": {"name": "proposed", "namespace": "a"}, "spec": {
        **allow, "ingress": [{"from": [{"podSelector": {}}]}]}})]
    assert targeted(engine, PolicyEngine(apply_change(snap, added)), added) is None
    assert targeted(engine, PolicyEngine(apply_change(snap, added)), added, max_share=1.0) is not None


def test_a_suggestion_reports_exactly_the_full_diff_in_its_order() -> None:
    pods = [pod("a1", "a", {"app": "x"}, "10.0.0.1", ports=[{"name": "http", "containerPort": 80}]),
            pod("a2", "a", {"app": "z"}, "10.0.0.3", ports=[{"containerPort": 80}]),
            pod("b1", "b", {"app": "y"}, "10.0.0.2"), pod("b2", "b", {"app": "y", "x": "1"}, "10.0.0.4")]
    snap = snapshot(pods, [policy("deny", "a", policyTypes=["Ingress"])])
    engine = PolicyEngine(snap)
    item = suggest(engine, Endpoint.for_pod(pods[2]), Endpoint.for_pod(pods[0]), 80)
    after = PolicyEngine(apply_change(snap, item.policies))
    full = diff_engines(engine, after, "b", "a").changes
    asked = [c for c in full if c.src.pods[0] is pods[2] and c.dst.pods[0] is pods[0]]
    assert len(asked) == 1 and targeted(engine, after, item.policies, max_share=1.0) is not None
    assert _tuples(item.also_allows) == _tuples(c for c in full if c.after and c not in asked)
    assert _tuples(item.also_denies) == _tuples(c for c in full if not c.after)
