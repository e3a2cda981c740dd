"""`PolicyEngine.derive` answers exactly as a fresh build (hypothesis).

Random small clusters (the engine property tests' strategies, with hostNetwork pods, pods sharing
or lacking an IP, finished pods, FQDN policies and CCNP/CNPs) change as a followed cluster does:
pods added, removed or relabelled in place, policies added, changed or removed, namespaces
relabelled, added or removed; the new snapshot shares every unchanged object with the old one.
The old engine answers every question first (so its lazily filled caches are copied too), then
each observable answer of the derived engine is compared with a fresh build's, over two steps
of changes (an engine derived from a derived one).
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.parse import parse_network_policy
from netpol_tui.model.parse_gke_policy import parse_cilium_policy, parse_fqdn_network_policy
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import PolicyEngine, derive
from netpol_tui.policy.results import Direction, Endpoint, EndpointError
from netpol_tui.sources.follow_apply import Objects
from netpol_tui.whatif.diff import apply_change
from tests.policy.builders import namespace, pod, snapshot
from tests.policy.test_properties import (
    KEYS,
    NAMESPACES,
    VALUES,
    cluster_st,
    labels_st,
    policy_st,
    selector_st,
)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODELS = ("kubernetes", "calico", "dataplane-v2", "none")
ASKED = ((80, "TCP"), (53, "UDP"), (8080, "TCP"))
ADDRESSES = ("203.0.113.5", "10.0.0.2", "10.128.0.9")

cilium_selector_st = st.one_of(
    st.just({}), st.builds(lambda k, v: {"matchLabels": {k: v}}, st.sampled_from(KEYS), st.sampled_from(VALUES)),
    st.builds(lambda ns: {"matchLabels": {"k8s:io.kubernetes.pod.namespace": ns}}, st.sampled_from(NAMESPACES)),
    st.builds(lambda t: {"matchLabels": {"io.cilium.k8s.namespace.labels.team": t}}, st.sampled_from(VALUES)))
cilium_rule_st = st.one_of(
    st.just({}), st.builds(lambda s: {"fromEndpoints": [s]}, cilium_selector_st),
    st.builds(lambda p: {"toPorts": [{"ports": [{"port": str(p), "protocol": "TCP"}]}]}, st.sampled_from((80, 8080))),
    st.just({"fromEntities": ["world"]}), st.just({"fromCIDR": ["10.0.0.0/30"]}))


def _cilium(index: int, ns: str | None, selector: dict, section: str, rules: list[dict]) -> object:
    if section.startswith("egress"):  # the same peers, spelled for egress
        rules = [{k.replace("from", "to"): v for k, v in rule.items()} for rule in rules]
    kind = "CiliumNetworkPolicy" if ns else "CiliumClusterwideNetworkPolicy"
    metadata = {"name": f"c{index}", **({"namespace": ns} if ns else {})}
    return parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": kind, "metadata": metadata,
                                "spec": {"endpointSelector": selector, section: rules}})


cilium_st = st.builds(_cilium, st.integers(0, 10**6), st.one_of(st.none(), st.sampled_from(NAMESPACES)),
                      cilium_selector_st, st.sampled_from(("ingress", "egress", "ingressDeny", "egressDeny")),
                      st.lists(cilium_rule_st, min_size=1, max_size=2))
fqdn_st = st.builds(
    lambda index, ns, selector: parse_fqdn_network_policy({
        "apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
        "metadata": {"name": f"f{index}", "namespace": ns},
        "spec": {"podSelector": selector, "egress": [{"matches": [{"name": "api.example"}], "ports": [{"port": 443}]}]}}),
    st.integers(0, 10**6), st.sampled_from(NAMESPACES), selector_st)


def _vary(draw, item, index: int):
    roll = draw(st.sampled_from(["plain", "plain", "plain", "host", "no-ip", "shared", "done"]))
    if roll == "host":
        return dataclasses.replace(item, host_network=True, pod_ips=(f"10.128.0.{index + 1}",))
    if roll == "no-ip":
        return dataclasses.replace(item, pod_ips=())
    if roll == "shared":
        return dataclasses.replace(item, pod_ips=("10.0.0.1",))
    if roll == "done":
        return dataclasses.replace(item, phase="Succeeded")
    return item


@st.composite
def world_st(draw):
    """(pods, policies, namespaces, fqdn policies, cilium policies) of a small cluster."""
    pods, policies, namespaces = draw(cluster_st())
    pods = [_vary(draw, item, index) for index, item in enumerate(pods)]
    gke = draw(st.booleans())
    fqdn = draw(st.lists(fqdn_st, max_size=1)) if gke else []
    cilium = draw(st.lists(cilium_st, max_size=2)) if gke else []
    return pods, policies, namespaces, fqdn, cilium


def _snap(world):
    pods, policies, namespaces, fqdn, cilium = world
    return dataclasses.replace(snapshot(pods, policies, namespaces), fqdn_policies=tuple(fqdn),
                               cilium_policies=tuple(cilium))


@st.composite
def change_st(draw, before):
    """The snapshot after one batch of followed changes, sharing every object not changed."""
    pods = list(before.pods)
    for _ in range(draw(st.integers(0, 2))):  # relabel in place (a new object, same name)
        if pods:
            at = draw(st.integers(0, len(pods) - 1))
            pods[at] = dataclasses.replace(pods[at], labels=draw(labels_st))
    for _ in range(draw(st.integers(0, 2))):
        if pods:
            del pods[draw(st.integers(0, len(pods) - 1))]
    for index in range(draw(st.integers(0, 2))):
        ip = draw(st.sampled_from(["10.0.0.1", "10.0.0.2", f"10.0.1.{index + 1}", None]))
        host = draw(st.booleans()) and ip is not None
        new = pod(f"new{draw(st.integers(0, 10**6))}-{index}", draw(st.sampled_from(NAMESPACES)), draw(labels_st),
                  ip, ports=[{"name": "http", "containerPort": 8080}], host_network=host)
        if any((p.namespace, p.name) == (new.namespace, new.name) for p in pods):
            continue
        pods.insert(draw(st.integers(0, len(pods))), new) if draw(st.booleans()) else pods.append(new)
    policies = list(before.policies)
    for _ in range(draw(st.integers(0, 2))):
        roll = draw(st.sampled_from(["add", "change", "remove"]))
        if roll == "add" or not policies:
            policies.append(dataclasses.replace(draw(policy_st), name=f"added{len(policies)}"))
        elif roll == "change":
            at = draw(st.integers(0, len(policies) - 1))
            policies[at] = dataclasses.replace(draw(policy_st), name=policies[at].name,
                                               namespace=policies[at].namespace)
        else:
            del policies[draw(st.integers(0, len(policies) - 1))]
    namespaces = list(before.namespaces)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(namespaces) - 1))
        namespaces[at] = namespace(namespaces[at].name, {"team": draw(st.sampled_from(VALUES)),
                                                         "kubernetes.io/metadata.name": namespaces[at].name})
    if draw(st.booleans()):
        namespaces.append(namespace("c", {"team": "x"}))
    fields = {"pods": tuple(pods) if pods != list(before.pods) else before.pods,
              "policies": tuple(policies) if policies != list(before.policies) else before.policies,
              "namespaces": tuple(namespaces) if namespaces != list(before.namespaces) else before.namespaces}
    if before.cilium_policies and draw(st.booleans()):
        fields["cilium_policies"] = before.cilium_policies[1:]
    return dataclasses.replace(before, **fields)


def _names(pods) -> list[str]:
    return [f"{p.namespace}/{p.name}" for p in pods]


def _policy_names(policies) -> list[str]:
    return [f"{p.namespace}/{p.name}" for p in policies]


def observe(engine: PolicyEngine) -> dict:
    """Every answer the engine gives about its snapshot, as plain values."""
    snap = engine.snapshot
    seen: dict = {"dataplane": str(engine.dataplane), "notes": engine.notes,
                  "namespaces": engine.known_namespaces()}
    endpoints: list[Endpoint] = []
    for item in snap.pods:
        endpoints.append(Endpoint.for_pod(item))
        for direction in Direction:
            seen[("iso", item.namespace, item.name, direction)] = (
                _policy_names(engine.isolating_policies(item, direction)), engine.is_isolated(item, direction))
        seen[("selecting", item.namespace, item.name)] = _policy_names(engine.policies_selecting(item))
        seen[("missing", item.namespace, item.name)] = [
            (miss.policy.name, [str(term) for term in miss.terms]) for miss in engine.non_selecting_policies(item)]
        seen[("kinds", item.namespace, item.name)] = [
            (selection.policy.name, selection.selected, selection.sections, selection.where)
            for selection in engine.kind_policies_selecting(item)]
        seen[("name", item.namespace, item.name)] = engine.evaluate_name(
            Endpoint.for_pod(item), "api.example", 443).to_dict()
        seen[("cidr", item.namespace, item.name)] = engine.evaluate_cidr(
            item, "10.0.0.0/24", 80, "TCP", Direction.EGRESS).to_dict()
    for text in (*ADDRESSES, *_names(snap.pods), *(p.name for p in snap.pods), "a/nope", "nope"):
        try:
            seen[("resolve", text)] = [e.to_dict() for e in engine.resolve(text)]
        except EndpointError as exc:
            seen[("resolve", text)] = (type(exc).__name__, str(exc), getattr(exc, "suggestions", None))
        if text in ADDRESSES:
            endpoints.append(engine.resolve_address(text))
    for policy in snap.policies:
        seen[("selected", policy.namespace, policy.name)] = (_names(engine.pods_selected_by(policy)),
                                                            _names(engine.pods_selected_by(policy, live_only=True)))
        for rules in (policy.ingress, policy.egress):
            for rule in rules:
                for index, peer in enumerate(rule.peers):
                    key = ("peer", policy.namespace, policy.name, id(rule), index)
                    seen[key] = (_names(engine.peer_matches(policy, peer)), engine.peer_namespaces(policy, peer))
    for policy in (*snap.fqdn_policies, *snap.cilium_policies):
        seen[("kind pods", type(policy).__name__, getattr(policy, "kind", ""), policy.namespace, policy.name)] = [
            (f"{p.namespace}/{p.name}", state) for p, state in engine.pods_selected_by_kind(policy)]
    for src in endpoints:
        for dst in endpoints:
            for port, protocol in ASKED:
                try:
                    verdict = engine.evaluate(src, dst, port, protocol)
                except EndpointError as exc:
                    seen[("verdict", src.name, dst.name, port, protocol)] = str(exc)
                    continue
                seen[("verdict", src.name, dst.name, port, protocol)] = (verdict.to_dict(), verdict.sentences())
    seen["groups"] = sorted((ns, sorted(group.labels.items()), _names(group.pods))
                            for ns, groups in engine._groups_by_ns.items() for group in groups)
    return seen


def assert_same(derived: PolicyEngine, fresh: PolicyEngine) -> None:
    got, want = observe(derived), observe(fresh)
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == value, (key, derived.derivation)


@SETTINGS
@given(st.data(), world_st(), st.sampled_from(MODELS))
def test_a_derived_engine_answers_as_a_fresh_build(data, world, model) -> None:
    first = _snap(world)
    engine = PolicyEngine(first, model)
    for _ in range(2):
        observe(engine)  # fill the lazy caches that a derived engine copies
        later = data.draw(change_st(first))
        derived = engine.derive(later)
        assert derived.derivation.startswith("derived"), derived.derivation
        assert_same(derived, PolicyEngine(later, model))
        engine, first = derived, later


@SETTINGS
@given(world_st(), st.lists(policy_st, min_size=1, max_size=2), st.sampled_from(MODELS))
def test_a_proposed_change_derived_answers_as_a_fresh_build(world, proposed, model) -> None:
    before = _snap(world)
    engine = PolicyEngine(before, model)
    observe(engine)
    after = apply_change(before, [dataclasses.replace(p, name=f"proposed{i}") for i, p in enumerate(proposed)],
                         [before.policies[0].key])
    derived = engine.derive(after, engine.dataplane)
    assert derived.derivation.startswith("derived"), derived.derivation
    assert_same(derived, PolicyEngine(after, engine.dataplane))


@SETTINGS
@given(world_st(), st.sampled_from(MODELS), st.sampled_from(MODELS))
def test_the_engine_of_another_model_derived_answers_as_a_fresh_build(world, model, other) -> None:
    snap = _snap(world)
    engine = PolicyEngine(snap, model)
    observe(engine)
    derived = engine.derive(snap, other)
    assert derived.derivation.startswith("derived"), derived.derivation
    assert_same(derived, PolicyEngine(snap, other))


def test_a_reordered_snapshot_is_built_afresh() -> None:
    pods = [pod(f"p{i}", "a", {"app": str(i)}, f"10.0.0.{i + 1}") for i in range(3)]
    first = snapshot(pods, [parse_network_policy({"metadata": {"name": "x", "namespace": "a"},
                                                  "spec": {"podSelector": {}}})])
    engine = PolicyEngine(first, "calico")
    assert engine.derive(first).derivation == "derived (nothing changed)"
    reordered = dataclasses.replace(first, pods=tuple(reversed(first.pods)))
    assert engine.derive(reordered).derivation == "full build (pods in another order)"
    assert engine.derive(first, "dataplane-v2").derivation == "derived (calico -> dataplane-v2)"
    assert_same(engine.derive(reordered), PolicyEngine(reordered, "calico"))


def test_a_large_change_is_built_afresh() -> None:
    pods = [pod(f"p{i}", "a", {"app": str(i % 7)}, f"10.0.{i // 250}.{i % 250 + 1}") for i in range(400)]
    first = snapshot(pods, [])
    engine = PolicyEngine(first, "calico")
    relabelled = dataclasses.replace(first, pods=tuple(dataclasses.replace(p, labels={"app": "x"}) for p in pods))
    derived = engine.derive(relabelled)
    assert derived.derivation.startswith("full build (400 pods added and 400 removed"), derived.derivation
    few = dataclasses.replace(first, pods=first.pods[:-3])
    assert engine.derive(few).derivation == "derived (0 pods added, 3 removed)"


def _raw_pod(name: str, ns: str, labels: dict, ip: str) -> dict:
    return {"metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "main", "ports": [{"name": "http", "containerPort": 8080}]}]},
            "status": {"phase": "Running", "podIP": ip}}


@pytest.mark.parametrize("prune", [False, True])
@pytest.mark.parametrize("model", MODELS)
def test_followed_snapshots_derived_answer_as_fresh_builds(model, prune, monkeypatch) -> None:
    """Through the follower's own event application (`follow_apply.Objects`), batch by batch;
    with `prune`, the compiled selectors a chain of engines keeps are pruned at every step."""
    if prune:
        monkeypatch.setattr(derive, "PRUNE_FACTOR", 0)
        monkeypatch.setattr(derive, "PRUNE_SLACK", 0)
    pods = [pod(f"web-{i}", "a", {"app": "web"}, f"10.0.0.{i + 1}") for i in range(4)]
    pods += [pod(f"db-{i}", "b", {"app": "db"}, f"10.0.1.{i + 1}") for i in range(3)]
    policies = [parse_network_policy({"metadata": {"name": "db-in", "namespace": "b"}, "spec": {
        "podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "x"}}}], "ports": [{"port": 80}]}]}})]
    current = snapshot(pods, policies, [namespace("a", {"team": "y"}), namespace("b", {"team": "x"})])
    engine = PolicyEngine(current, model)
    objects = Objects(current)
    batches = [
        [("Pod", "MODIFIED", _raw_pod("web-1", "a", {"app": "db"}, "10.0.0.2")),
         ("Pod", "ADDED", _raw_pod("web-9", "a", {"app": "web"}, "10.0.0.9"))],
        [("Namespace", "MODIFIED", {"metadata": {"name": "a", "labels": {"team": "x"}}}),
         ("Pod", "DELETED", _raw_pod("db-0", "b", {"app": "db"}, "10.0.1.1"))],
        [("NetworkPolicy", "ADDED", {"metadata": {"name": "web-out", "namespace": "a"}, "spec": {
            "podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": {}}]}]}}),
         ("Pod", "ADDED", _raw_pod("db-7", "b", {"app": "db"}, "10.0.0.9"))],  # a shared IP
        [("NetworkPolicy", "DELETED", {"metadata": {"name": "db-in", "namespace": "b"}}),
         ("Namespace", "ADDED", {"metadata": {"name": "c", "labels": {"team": "x"}}})],
    ]
    for batch in batches:
        observe(engine)
        for k8s_kind, action, raw in batch:
            kind = {"Pod": Kind.POD, "Namespace": Kind.NAMESPACE, "NetworkPolicy": Kind.NETWORK_POLICY}[k8s_kind]
            assert objects.apply_event(kind, k8s_kind, action, raw, "test") is not None
        current = objects.snapshot(current)
        derived = engine.derive(current)
        assert derived.derivation.startswith("derived"), derived.derivation
        assert_same(derived, PolicyEngine(current, model))
        engine = derived
