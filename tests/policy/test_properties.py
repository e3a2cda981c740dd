"""Property tests (hypothesis) on random small clusters, and a brute-force reference oracle."""

from __future__ import annotations

import dataclasses
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.parse import parse_network_policy
from netpol_tui.model.policy import IPBlock, PolicyPeer, PolicyRule
from netpol_tui.policy import PolicyEngine
from tests.policy.builders import MODELS, namespace, pod, snapshot

NAMESPACES = ("a", "b")
KEYS = ("app", "tier")
VALUES = ("x", "y")
ADDRESSES = ("203.0.113.5", "10.0.0.200", "2001:db8::1", "10.0.0.1")
PORTS = (53, 80, 5432, 8080)
CIDRS = [("10.0.0.0/30", ["10.0.0.1/32"]), ("10.0.0.0/24", []), ("0.0.0.0/0", ["10.0.0.0/8"]),
         ("0.0.0.0/0", []), ("203.0.113.0/24", []), ("::/0", []), ("2001:db8::/32", ["2001:db8::/64"])]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

labels_st = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2)
expr_st = st.one_of(
    st.builds(lambda k, v: {"key": k, "operator": "In", "values": v}, st.sampled_from(KEYS),
              st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True)),
    st.builds(lambda k, v: {"key": k, "operator": "NotIn", "values": v}, st.sampled_from(KEYS),
              st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True)),
    st.builds(lambda k: {"key": k, "operator": "Exists"}, st.sampled_from(KEYS)),
    st.builds(lambda k: {"key": k, "operator": "DoesNotExist"}, st.sampled_from(KEYS)),
)
selector_st = st.one_of(
    st.just({}),
    st.builds(lambda ml, ex: {"matchLabels": ml, "matchExpressions": ex},
              st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=1),
              st.lists(expr_st, max_size=1)))
ns_selector_st = st.one_of(st.just({}), st.builds(lambda t: {"matchLabels": {"team": t}}, st.sampled_from(VALUES)))
ipblock_st = st.builds(lambda c: {"cidr": c[0], "except": c[1]}, st.sampled_from(CIDRS))
peer_st = st.one_of(
    st.builds(lambda s: {"podSelector": s}, selector_st),
    st.builds(lambda s: {"namespaceSelector": s}, ns_selector_st),
    st.builds(lambda s, n: {"podSelector": s, "namespaceSelector": n}, selector_st, ns_selector_st),
    st.builds(lambda b: {"ipBlock": b}, ipblock_st),
)
port_st = st.one_of(
    st.builds(lambda p, pr: {"port": p, "protocol": pr}, st.sampled_from(PORTS), st.sampled_from(("TCP", "UDP"))),
    st.builds(lambda p, pr: {"port": p, "protocol": pr}, st.sampled_from(("http", "dns")), st.sampled_from(("TCP", "UDP"))),
    st.builds(lambda pr: {"protocol": pr}, st.sampled_from(("TCP", "UDP"))),
    st.builds(lambda p, e: {"port": p, "endPort": p + e}, st.sampled_from((50, 80, 5000)), st.sampled_from((0, 10, 5000))),
)
# Mostly rules with from/to and ports: a rule without them matches everything and hides the rest.
peers_st = st.one_of(st.none(), st.lists(peer_st, min_size=1, max_size=2), st.lists(peer_st, min_size=1, max_size=2),
                     st.lists(st.builds(lambda b: {"ipBlock": b}, ipblock_st), min_size=1, max_size=1))
ports_st = st.one_of(st.none(), st.lists(port_st, min_size=1, max_size=2), st.lists(port_st, min_size=1, max_size=2))
rule_st = st.builds(lambda peers, ports: {k: v for k, v in (("peers", peers), ("ports", ports)) if v is not None},
                    peers_st, ports_st)


def _policy_dict(index, ns, selector, types, ingress, egress):
    spec = {"podSelector": selector}
    if types is not None:
        spec["policyTypes"] = types
    if ingress is not None:
        spec["ingress"] = [{("from" if k == "peers" else k): v for k, v in rule.items()} for rule in ingress]
    if egress is not None:
        spec["egress"] = [{("to" if k == "peers" else k): v for k, v in rule.items()} for rule in egress]
    return parse_network_policy({"metadata": {"name": f"p{index}", "namespace": ns}, "spec": spec})


policy_st = st.builds(
    _policy_dict, st.integers(0, 10**6), st.sampled_from(NAMESPACES), selector_st,
    st.one_of(st.none(), st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]])),
    st.one_of(st.none(), st.lists(rule_st, max_size=2)), st.one_of(st.none(), st.lists(rule_st, max_size=2)))


@st.composite
def cluster_st(draw):
    count = draw(st.integers(1, 4))
    pods = []
    for index in range(count):
        ports = draw(st.sampled_from([[], [{"name": "http", "containerPort": 8080}],
                                      [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                       {"name": "http", "containerPort": 80}]]))
        pods.append(pod(f"pod{index}", draw(st.sampled_from(NAMESPACES)), draw(labels_st), f"10.0.0.{index + 1}",
                        ports=ports))
    policies = draw(st.lists(policy_st, min_size=1, max_size=4))
    policies = [dataclasses.replace(p, name=f"p{i}") for i, p in enumerate(policies)]
    namespaces = [namespace("a", {"team": "x"}), namespace("b", {"team": draw(st.sampled_from(VALUES))})]
    return pods, policies, namespaces


endpoint_st = st.one_of(st.integers(0, 3), st.sampled_from(ADDRESSES))
query_st = st.tuples(endpoint_st, endpoint_st, st.sampled_from(PORTS), st.sampled_from(("TCP", "UDP")))


def _endpoint(engine, pods, item):
    if isinstance(item, int):
        return engine.resolve(f"{pods[item % len(pods)].namespace}/{pods[item % len(pods)].name}")[0]
    return engine.resolve(item)[0]


def _verdicts(pods, policies, namespaces, queries, model):
    engine = PolicyEngine(snapshot(pods, policies, namespaces), model)
    return [engine.evaluate(_endpoint(engine, pods, s), _endpoint(engine, pods, d), port, proto).allowed
            for s, d, port, proto in queries]


# --------------------------------------------------------------------- reference


def _ref_selects(selector, labels):
    if any(labels.get(k) != v for k, v in selector.match_labels.items()):
        return False
    for req in selector.match_expressions:
        present = req.key in labels
        if req.operator == "In" and not (present and labels[req.key] in req.values):
            return False
        if req.operator == "NotIn" and present and labels[req.key] in req.values:
            return False
        if req.operator == "Exists" and not present:
            return False
        if req.operator == "DoesNotExist" and present:
            return False
    return True


def _ref_in_block(block, ip):
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block.cidr, strict=False)
    if address.version != network.version or address not in network:
        return False
    return not any(address in ipaddress.ip_network(e, strict=False) for e in block.excepts)


def _ref_allowed(snap, model, src, dst, port, proto):
    """src/dst: a Pod or an address string. Straight from the spec, no index, no cache."""
    def peer_ok(policy, peer, other):
        if peer.ip_block is not None:
            if not isinstance(other, str) and model == "dataplane-v2":
                return False
            ip = other if isinstance(other, str) else other.ip
            return _ref_in_block(peer.ip_block, ip)
        if isinstance(other, str):
            return False
        if peer.namespace_selector is None:
            if other.namespace != policy.namespace:
                return False
        elif not _ref_selects(peer.namespace_selector, snap.namespace_labels(other.namespace)):
            return False
        return peer.pod_selector is None or _ref_selects(peer.pod_selector, other.labels)

    def port_ok(pp):
        if pp.protocol != proto:
            return False
        if pp.port is None:
            return True
        if isinstance(pp.port, str):
            if isinstance(dst, str):
                return False
            return any(c.name == pp.port and c.protocol == pp.protocol and c.container_port == port for c in dst.ports)
        if pp.end_port is not None and model != "dataplane-v2":
            return pp.port <= port <= pp.end_port
        return pp.port == port

    def side(subject, other, direction):
        if isinstance(subject, str):
            return True
        policies = [p for p in snap.policies if p.namespace == subject.namespace and direction in p.policy_types
                    and _ref_selects(p.pod_selector, subject.labels)]
        if not policies:
            return True
        for p in policies:
            for rule in (p.ingress if direction == "Ingress" else p.egress):
                if (not rule.peers or any(peer_ok(p, peer, other) for peer in rule.peers)) and \
                        (not rule.ports or any(port_ok(pp) for pp in rule.ports)):
                    return True
        return False

    if not isinstance(src, str) and src is dst:
        return True   # a pod's traffic to itself never leaves its network namespace
    return side(src, dst, "Egress") and side(dst, src, "Ingress")


# -------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cluster_st(), st.sampled_from(MODELS))
def test_engine_agrees_with_reference(cluster, model):
    """Every pod/address pair, port and protocol against the brute-force reading of the spec."""
    pods, policies, namespaces = cluster
    snap = snapshot(pods, policies, namespaces)
    engine = PolicyEngine(snap, model)
    endpoints = [engine.resolve(f"{p.namespace}/{p.name}")[0] for p in pods]
    endpoints += [engine.resolve(address)[0] for address in ("203.0.113.5", "2001:db8::1")]
    for src in endpoints:
        for dst in endpoints:
            if src.is_external and dst.is_external:
                continue
            for port in PORTS:
                for proto in ("TCP", "UDP"):
                    expected = _ref_allowed(snap, model, src.pod or src.address, dst.pod or dst.address, port, proto)
                    verdict = engine.evaluate(src, dst, port, proto)
                    assert verdict.allowed == expected, "\n".join(verdict.sentences())


@SETTINGS
@given(cluster_st(), st.lists(query_st, min_size=1, max_size=6), st.sampled_from(MODELS), policy_st,
       st.sampled_from(["label", "namespace"]))
def test_policy_selecting_no_pod_changes_nothing(cluster, queries, model, extra, how):
    pods, policies, namespaces = cluster
    if how == "label":
        extra = dataclasses.replace(extra, name="extra", pod_selector=dataclasses.replace(
            extra.pod_selector, match_labels={**extra.pod_selector.match_labels, "nobody": "here"}))
    else:
        extra = dataclasses.replace(extra, name="extra", namespace="empty-ns")
    before = _verdicts(pods, policies, namespaces, queries, model)
    assert _verdicts(pods, [*policies, extra], namespaces, queries, model) == before


@SETTINGS
@given(cluster_st(), st.lists(query_st, min_size=1, max_size=6), st.sampled_from(MODELS))
def test_without_policies_everything_is_allowed(cluster, queries, model):
    pods, _, namespaces = cluster
    assert all(_verdicts(pods, [], namespaces, queries, model))


@SETTINGS
@given(cluster_st(), st.lists(query_st, min_size=1, max_size=6), st.sampled_from(MODELS), rule_st,
       st.integers(0, 10), st.sampled_from(["ingress", "egress"]))
def test_adding_an_allow_rule_never_denies(cluster, queries, model, rule, which, section):
    pods, policies, namespaces = cluster
    if not policies:
        return
    target = policies[which % len(policies)]
    direction = "Ingress" if section == "ingress" else "Egress"
    if direction not in target.policy_types:
        section = "egress" if section == "ingress" else "ingress"
        direction = "Ingress" if section == "ingress" else "Egress"
    key = "from" if section == "ingress" else "to"
    parsed = parse_network_policy({"metadata": {"name": "tmp"}, "spec": {
        "podSelector": {}, "policyTypes": [direction],
        section: [{(key if k == "peers" else k): v for k, v in rule.items()}]}})
    new_rule = getattr(parsed, section)[0]
    grown = dataclasses.replace(target, **{section: (*getattr(target, section), new_rule)})
    changed = [grown if p is target else p for p in policies]
    before = _verdicts(pods, policies, namespaces, queries, model)
    after = _verdicts(pods, changed, namespaces, queries, model)
    assert all(a or not b for b, a in zip(before, after, strict=True))


def _rewrite_blocks(policy, cidr):
    def peers(rule):
        return PolicyRule(tuple(PolicyPeer(ip_block=IPBlock(cidr[0], tuple(cidr[1]))) if p.ip_block else p
                                for p in rule.peers), rule.ports)
    return dataclasses.replace(policy, ingress=tuple(peers(r) for r in policy.ingress),
                               egress=tuple(peers(r) for r in policy.egress))


@SETTINGS
@given(cluster_st(), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(PORTS),
                                        st.sampled_from(("TCP", "UDP"))), min_size=1, max_size=6),
       st.sampled_from(CIDRS))
def test_dataplane_v2_pod_to_pod_ignores_ipblocks(cluster, queries, cidr):
    pods, policies, namespaces = cluster
    before = _verdicts(pods, policies, namespaces, queries, "dataplane-v2")
    rewritten = [_rewrite_blocks(p, cidr) for p in policies]
    assert _verdicts(pods, rewritten, namespaces, queries, "dataplane-v2") == before
