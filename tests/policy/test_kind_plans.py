"""The per-class cache of the FQDN and Cilium policies (policy/kind_plans.py) gives exactly what the
per-pod-group lookups give, and verdicts with it equal verdicts computed without it.

Pods get random labels from a small alphabet (so pods of one namespace often agree on the labels
the selectors name and differ elsewhere: they share a class but not a group); the policies select
by matchLabels and by every matchExpressions operator, some on keys no pod has, some on namespace
labels, some on a service account (unknown to netpol-tui)."""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.kind_plans import KindPlansMixin
from tests.policy.builders import namespace, pod, snapshot
from tests.policy.test_gke_kinds import ccnp, cnp, fqdn

NAMESPACES = ("shop", "batch")
KEYS = ("app", "tier", "version", "k8s:app", "io.kubernetes.pod.namespace",
        "io.cilium.k8s.namespace.labels.team", "io.cilium.k8s.policy.serviceaccount")
POD_KEYS = ("app", "tier", "version", "extra")
VALUES = ("a", "b", "shop")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

labels_st = st.dictionaries(st.sampled_from(POD_KEYS), st.sampled_from(VALUES[:2]), max_size=4)
expression_st = st.builds(
    lambda key, op, values: {"key": key, "operator": op, **({"values": values} if op in ("In", "NotIn") else {})},
    st.sampled_from(KEYS), st.sampled_from(OPERATORS), st.lists(st.sampled_from(VALUES), min_size=1, max_size=2))
selector_st = st.builds(lambda labels, expressions: {"matchLabels": labels, "matchExpressions": expressions},
                        st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2),
                        st.lists(expression_st, max_size=2))
port_st = st.sampled_from([[], [{"ports": [{"port": "80", "protocol": "TCP"}]}],
                           [{"ports": [{"port": "http"}]}]])
rule_st = st.one_of(
    st.builds(lambda sel, ports: {"fromEndpoints": [sel], "toPorts": ports}, selector_st, port_st),
    st.builds(lambda ports: {"fromEntities": ["cluster"], "toPorts": ports}, port_st),
    st.builds(lambda ports: {"fromCIDR": ["203.0.113.0/24"], "toPorts": ports}, port_st))
egress_rule_st = st.one_of(
    st.builds(lambda sel, ports: {"toEndpoints": [sel], "toPorts": ports}, selector_st, port_st),
    st.builds(lambda ports: {"toEntities": ["world"], "toPorts": ports}, port_st),
    st.builds(lambda ports: {"toCIDRSet": [{"cidr": "203.0.113.0/24", "except": ["203.0.113.0/28"]}],
                             "toPorts": ports}, port_st))
spec_st = st.fixed_dictionaries({"endpointSelector": selector_st}, optional={
    "ingress": st.lists(rule_st, max_size=2), "ingressDeny": st.lists(rule_st, max_size=1),
    "egress": st.lists(egress_rule_st, max_size=2), "egressDeny": st.lists(egress_rule_st, max_size=1)})


@st.composite
def cluster_st(draw):
    pods = []
    for index, labels in enumerate(draw(st.lists(labels_st, min_size=2, max_size=14))):
        ns = NAMESPACES[index % 2]
        pods.append(pod(f"p-{index}", ns, labels, f"10.64.0.{index + 10}",
                        ports=[{"name": "http", "containerPort": 80}]))
    cilium = [ccnp(f"c{i}", **spec) for i, spec in enumerate(draw(st.lists(spec_st, min_size=1, max_size=4)))]
    cilium += [cnp(f"n{i}", NAMESPACES[i % 2], **spec)
               for i, spec in enumerate(draw(st.lists(spec_st, max_size=2)))]
    fqdns = [fqdn(f"f{i}", NAMESPACES[i % 2], {"matchLabels": sel},
                  {"matches": [{"name": "api.example"}], "ports": [{"protocol": "TCP", "port": 443}]})
             for i, sel in enumerate(draw(st.lists(st.dictionaries(st.sampled_from(POD_KEYS),
                                                                   st.sampled_from(VALUES[:2]), max_size=2),
                                                   max_size=3)))]
    namespaces = [namespace("shop", {"kubernetes.io/metadata.name": "shop", "team": "a"}),
                  namespace("batch", {"kubernetes.io/metadata.name": "batch", "team": "b"})]
    snap = dataclasses.replace(snapshot(pods, [], namespaces), cilium_policies=tuple(cilium),
                               fqdn_policies=tuple(fqdns))
    return snap


def _uncached(self, pod):
    """The plan built for this very pod, never shared."""
    from netpol_tui.policy.kind_plans import KindPlan

    return KindPlan(tuple(self._cilium_side(pod, egress, peer) for egress in (False, True) for peer in (0, 1)),
                    tuple(self._fqdn_selecting(pod)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster_st())
def test_class_plans_equal_per_pod_answers(snap):
    shared = PolicyEngine(snap, "dataplane-v2")
    plans = [shared._kind_plan(p) for p in snap.pods]   # classes filled in snapshot order
    alone = PolicyEngine(snap, "dataplane-v2")
    for p, plan in zip(snap.pods, plans, strict=True):
        expected = _uncached(alone, p)
        assert plan.sides == expected.sides, p.name
        assert plan.fqdn == expected.fqdn, p.name
        assert plan.empty == (not expected.fqdn and not any(expected.sides))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster_st(), st.sampled_from([80, 443, 8080]), st.sampled_from(["TCP", "UDP"]))
def test_verdicts_with_and_without_the_class_cache(snap, port, protocol):
    cached = PolicyEngine(snap, "dataplane-v2")
    endpoints = [f"{p.namespace}/{p.name}" for p in snap.pods] + ["203.0.113.40", "203.0.113.3", "8.8.8.8"]
    pairs = [(a, b) for a, b in itertools.product(endpoints, repeat=2) if "/" in a or "/" in b]
    with_cache = [cached.evaluate(cached.resolve(a)[0], cached.resolve(b)[0], port, protocol).to_dict()
                  for a, b in pairs]
    original = KindPlansMixin._kind_plan
    KindPlansMixin._kind_plan = _uncached  # type: ignore[method-assign]
    try:
        plain = PolicyEngine(snap, "dataplane-v2")
        without = [plain.evaluate(plain.resolve(a)[0], plain.resolve(b)[0], port, protocol).to_dict()
                   for a, b in pairs]
    finally:
        KindPlansMixin._kind_plan = original  # type: ignore[method-assign]
    assert with_cache == without


def test_pods_differing_only_in_unselected_labels_share_a_plan():
    pods = [pod("a-0", "shop", {"app": "a", "version": "1"}, "10.64.0.10"),
            pod("a-1", "shop", {"app": "a", "version": "2"}, "10.64.0.11"),
            pod("b-0", "shop", {"app": "b", "version": "1"}, "10.64.0.12")]
    snap = dataclasses.replace(snapshot(pods, [], [namespace("shop", {"kubernetes.io/metadata.name": "shop"})]),
                               cilium_policies=(ccnp("deny", endpointSelector={"matchLabels": {"app": "a"}},
                                                     egressDeny=[{"toEntities": ["world"]}]),))
    engine = PolicyEngine(snap, "dataplane-v2")
    first, second, other = (engine._kind_plan(p) for p in pods)
    assert first is second  # version is named by no selector
    assert other is not first and other.empty and not first.empty
