"""Property: a definite verdict never depends on data that was not read.

Random small clusters; a random subset of the verdict kinds (NetworkPolicies, Namespaces, Pods,
Services) is "not read" (absent from the snapshot, as after a 403). Whenever the engine still
answers allow or deny, filling the unread kinds with any random data (a perturbation) and
evaluating the same question on that complete snapshot must give the same answer.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.parse import parse_network_policy
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import EndpointError, EndpointUnknown, PolicyEngine, combine
from tests.policy.builders import MODELS, namespace, pod, service, snapshot
from tests.policy.test_properties import KEYS, NAMESPACES, VALUES, ipblock_st, labels_st, port_st, selector_st

VERDICT_KINDS = (Kind.NETWORK_POLICY, Kind.NAMESPACE, Kind.POD, Kind.SERVICE)
POD_IPS = ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "203.0.113.5")
CLUSTER_IPS = ("10.0.0.200", "10.96.0.10")
ADDRESSES = POD_IPS + CLUSTER_IPS + ("8.8.8.8", "2001:db8::1")
PORTS = (53, 80, 5432, 8080)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAME_LABEL = "kubernetes.io/metadata.name"

# namespace selectors, including terms on the label the API server sets (decidable without labels)
ns_selector_st = st.one_of(
    st.just({}),
    st.builds(lambda t: {"matchLabels": {"team": t}}, st.sampled_from(VALUES)),
    st.builds(lambda n: {"matchLabels": {NAME_LABEL: n}}, st.sampled_from(NAMESPACES)),
    st.builds(lambda n, op: {"matchExpressions": [{"key": NAME_LABEL, "operator": op, "values": [n]}]},
              st.sampled_from(NAMESPACES), st.sampled_from(("In", "NotIn"))),
    st.builds(lambda n, t: {"matchLabels": {NAME_LABEL: n, "team": t}}, st.sampled_from(NAMESPACES),
              st.sampled_from(VALUES)),
)
# podSelector {} often: policies that select pods make the answers depend on the rules
pod_selector_st = st.one_of(st.just({}), selector_st)
peer_st = st.one_of(
    st.builds(lambda s: {"podSelector": s}, pod_selector_st),
    st.builds(lambda s: {"namespaceSelector": s}, ns_selector_st),
    st.builds(lambda s: {"namespaceSelector": s}, ns_selector_st),
    st.builds(lambda s, n: {"podSelector": s, "namespaceSelector": n}, pod_selector_st, ns_selector_st),
    st.builds(lambda b: {"ipBlock": b}, ipblock_st),
    st.builds(lambda c: {"ipBlock": {"cidr": c}}, st.sampled_from(("10.0.0.0/24", "10.0.0.0/30", "10.96.0.0/16"))),
)
rule_st = st.builds(lambda peers, ports: {k: v for k, v in (("peers", peers), ("ports", ports)) if v is not None},
                    st.one_of(st.none(), st.lists(peer_st, min_size=1, max_size=2),
                              st.lists(peer_st, min_size=1, max_size=2)),
                    st.one_of(st.none(), st.lists(port_st, min_size=1, max_size=2)))


def _policy(index, ns, selector, types, ingress, egress):
    spec = {"podSelector": selector}
    if types is not None:
        spec["policyTypes"] = types
    if ingress is not None:
        spec["ingress"] = [{("from" if k == "peers" else k): v for k, v in rule.items()} for rule in ingress]
    if egress is not None:
        spec["egress"] = [{("to" if k == "peers" else k): v for k, v in rule.items()} for rule in egress]
    return parse_network_policy({"metadata": {"name": f"p{index}", "namespace": ns}, "spec": spec})


policy_st = st.builds(
    _policy, st.integers(0, 10**6), st.sampled_from(NAMESPACES), pod_selector_st,
    st.one_of(st.none(), st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]])),
    st.one_of(st.none(), st.lists(rule_st, min_size=1, max_size=2)),
    st.one_of(st.none(), st.lists(rule_st, min_size=1, max_size=2)))
policies_st = st.lists(policy_st, max_size=4).map(
    lambda items: [dataclasses.replace(p, name=f"p{i}") for i, p in enumerate(items)])
ports_st = st.sampled_from([[], [{"name": "http", "containerPort": 8080}],
                            [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                             {"name": "http", "containerPort": 80}]])


@st.composite
def pods_st(draw):
    count = draw(st.integers(1, 4))
    ips = draw(st.lists(st.sampled_from(POD_IPS), min_size=count, max_size=count, unique=True))
    return [pod(f"pod{i}", draw(st.sampled_from(NAMESPACES)), draw(labels_st), ip, ports=draw(ports_st))
            for i, ip in enumerate(ips)]


@st.composite
def namespaces_st(draw):
    return [namespace(name, draw(st.one_of(st.just({}), st.builds(lambda t: {"team": t}, st.sampled_from(VALUES)))))
            for name in NAMESPACES]


selector_labels_st = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), min_size=1, max_size=2)


@st.composite
def services_st(draw):
    ips = draw(st.lists(st.sampled_from(CLUSTER_IPS), max_size=2, unique=True))
    return [service(f"s{i}", draw(st.sampled_from(NAMESPACES)), draw(selector_labels_st),
                    [{"port": draw(st.sampled_from(PORTS)), "targetPort": draw(st.sampled_from((80, 8080, 53, "http")))}],
                    cluster_ip=ip)
            for i, ip in enumerate(ips)]


@st.composite
def world_st(draw):
    return {Kind.POD: draw(pods_st()), Kind.NETWORK_POLICY: draw(policies_st), Kind.NAMESPACE: draw(namespaces_st()),
            Kind.SERVICE: draw(services_st())}


endpoint_st = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from(ADDRESSES))
query_st = st.tuples(endpoint_st, endpoint_st, st.sampled_from(PORTS), st.sampled_from(("TCP", "UDP")))


def build(world, unread=frozenset()):
    snap = snapshot(world[Kind.POD] if Kind.POD not in unread else [],
                    world[Kind.NETWORK_POLICY] if Kind.NETWORK_POLICY not in unread else [],
                    world[Kind.NAMESPACE], world[Kind.SERVICE] if Kind.SERVICE not in unread else [],
                    unread=[(kind, "forbidden") for kind in unread])
    if Kind.NAMESPACE in unread:
        snap = dataclasses.replace(snap, namespaces=())
    return snap


def endpoint_text(world, item, pods_read):
    if isinstance(item, str):
        return item
    chosen = world[Kind.POD][item % len(world[Kind.POD])]
    return f"{chosen.namespace}/{chosen.name}" if pods_read else chosen.ip


def answer(engine, src, dst, port, protocol):
    """allow True / deny False / unknown None for the question, or "error" for a bad one."""
    try:
        pairs = [(a, b) for a in engine.resolve(src) for b in engine.resolve(dst)]
    except EndpointUnknown:
        return None
    except EndpointError:
        return "error"
    return combine([engine.evaluate(a, b, port, protocol).allowed for a, b in pairs])


def check_invariance(world, unread, queries, model, perturbations):
    """Every definite answer on the partial snapshot equals the answer on each completed one."""
    partial = PolicyEngine(build(world, unread), model)
    fulls = [PolicyEngine(build(world), model)]
    # namespace labels are few: try each uniform labelling besides the random ones
    perturbations = perturbations + [{**perturbations[0], Kind.NAMESPACE: [namespace(name, labels)
                                                                           for name in NAMESPACES]}
                                     for labels in ({"team": "x"}, {"team": "y"})]
    for other in perturbations:
        fulls.append(PolicyEngine(build({kind: other[kind] if kind in unread else world[kind]
                                         for kind in VERDICT_KINDS}), model))
    for src_item, dst_item, port, protocol in queries:
        src = endpoint_text(world, src_item, Kind.POD not in unread)
        dst = endpoint_text(world, dst_item, Kind.POD not in unread)
        seen = answer(partial, src, dst, port, protocol)
        if seen is None or seen == "error":
            continue
        for full in fulls:
            truth = answer(full, src, dst, port, protocol)
            assert truth == seen, (src, dst, port, protocol, unread, seen, truth)


@SETTINGS
@given(world_st(), st.sets(st.sampled_from(VERDICT_KINDS), min_size=1), st.lists(query_st, min_size=1, max_size=8),
       st.sampled_from(MODELS), st.lists(world_st(), min_size=2, max_size=2))
def test_definite_verdicts_do_not_change_with_the_unread_data(world, unread, queries, model, perturbations):
    check_invariance(world, unread, queries, model, perturbations)


# Namespace selectors decide only a few of the random worlds' answers: a world made of them.
ns_rule_st = st.builds(lambda peers, ports: {"peers": peers, **({"ports": ports} if ports else {})},
                       st.lists(st.one_of(st.builds(lambda n: {"namespaceSelector": n}, ns_selector_st),
                                          st.builds(lambda s, n: {"podSelector": s, "namespaceSelector": n},
                                                    selector_st, ns_selector_st)), min_size=1, max_size=2),
                       st.one_of(st.none(), st.lists(port_st, min_size=1, max_size=1)))
ns_policy_st = st.builds(_policy, st.integers(0, 10**6), st.sampled_from(NAMESPACES), pod_selector_st,
                         st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]]),
                         st.lists(ns_rule_st, min_size=1, max_size=2), st.lists(ns_rule_st, min_size=1, max_size=2))


@st.composite
def ns_world_st(draw):
    world = draw(world_st())
    policies = draw(st.lists(ns_policy_st, min_size=1, max_size=3))
    world[Kind.NETWORK_POLICY] = [dataclasses.replace(p, name=f"p{i}") for i, p in enumerate(policies)]
    return world


pod_query_st = st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(PORTS), st.sampled_from(("TCP", "UDP")))


@SETTINGS
@given(ns_world_st(), st.lists(pod_query_st, min_size=1, max_size=8), st.sampled_from(MODELS),
       st.lists(world_st(), min_size=2, max_size=2))
def test_namespace_selector_verdicts_do_not_change_with_unread_namespaces(world, queries, model, perturbations):
    check_invariance(world, {Kind.NAMESPACE}, queries, model, perturbations)


@SETTINGS
@given(world_st(), st.lists(query_st, min_size=1, max_size=4), st.sampled_from(MODELS))
def test_unread_policies_leave_no_pod_side_definite(world, queries, model):
    """Unread NetworkPolicies make every isolation unknown: a pod subject to policy never gets a
    definite side."""
    engine = PolicyEngine(build(world, {Kind.NETWORK_POLICY}), model)
    for src_item, dst_item, port, protocol in queries:
        try:
            src = engine.resolve(endpoint_text(world, src_item, True))[0]
            dst = engine.resolve(endpoint_text(world, dst_item, True))[0]
        except EndpointError:
            continue
        verdict = engine.evaluate(src, dst, port, protocol)
        for side, endpoint in ((verdict.egress, verdict.src), (verdict.ingress, verdict.dst)):
            if endpoint.pod is not None and not endpoint.pod.host_network and verdict.src.pod is not verdict.dst.pod:
                assert side.allowed is None and side.unknown_because
