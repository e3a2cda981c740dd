"""Table test: every networking.k8s.io/v1 rule under each dataplane model.

A case is (id, policies, queries); a query is (from, to, port, protocol, expected) where expected
is "allow"/"deny" for every model, or a (kubernetes, calico, dataplane-v2) tuple.
"""

from __future__ import annotations

import pytest

from netpol_tui.policy import PolicyEngine
from tests.policy.builders import MODELS, policy, snapshot

ML = "matchLabels"
EXT, EXT6 = "203.0.113.5", "2001:db8::5"


def sel(**labels):
    return {ML: labels}


CASES = [
    ("no-policies", [], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        (EXT, "shop/db-0", 80, "UDP", "allow"),
        ("shop/db-0", EXT, 443, "TCP", "allow"),
    ]),
    ("default-deny-ingress", [dict(name="deny", namespace="shop", policyTypes=["Ingress"])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
        (EXT, "shop/db-0", 80, "TCP", "deny"),
        ("shop/db-0", EXT, 80, "TCP", "allow"),           # egress not isolated
        ("shop/db-0", "web/client-0", 80, "TCP", "allow"),
    ]),
    ("ingress-empty-rule-allows-all", [dict(name="all", namespace="shop", ingress=[{}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        (EXT, "shop/db-0", 9999, "SCTP", "allow"),
    ]),
    ("ingress-empty-list-denies", [dict(name="none", namespace="shop", ingress=[], policyTypes=["Ingress"])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("policytypes-default-ingress-only", [dict(name="bare", namespace="shop", pod_selector=sel(app="db"))], [
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
        ("shop/db-0", EXT, 80, "TCP", "allow"),
        ("web/client-0", "shop/web-0", 80, "TCP", "allow"),  # not selected
    ]),
    ("policytypes-default-egress-when-egress-rules",
     [dict(name="eg", namespace="shop", pod_selector=sel(app="web"), egress=[{"to": [{"podSelector": sel(app="db")}]}])], [
        ("shop/web-0", "shop/db-0", 5432, "TCP", "allow"),
        ("shop/web-0", EXT, 443, "TCP", "deny"),
        ("shop/web-0", "web/client-0", 80, "TCP", "deny"),  # podSelector alone = own namespace
        (EXT, "shop/web-0", 80, "TCP", "deny"),             # Ingress defaulted too: no ingress rules
    ]),
    ("policytypes-default-no-egress-for-empty-egress",
     [dict(name="eg", namespace="shop", pod_selector=sel(app="web"), egress=[], ingress=[{}])], [
        ("shop/web-0", EXT, 443, "TCP", "allow"),
        (EXT, "shop/web-0", 443, "TCP", "allow"),
    ]),
    ("section-outside-policytypes-ignored",
     [dict(name="eg", namespace="shop", pod_selector=sel(app="db"), policyTypes=["Egress"],
           ingress=[{"from": [{"podSelector": sel(app="nobody")}]}], egress=[{}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
    ]),
    ("pod-to-pod-needs-both-sides",
     [dict(name="db-in", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"podSelector": sel(app="web")}]}]),
      dict(name="web-out", namespace="shop", pod_selector=sel(app="web"), policyTypes=["Egress"])], [
        ("shop/web-0", "shop/db-0", 5432, "TCP", "deny"),
        (EXT, "shop/web-0", 80, "TCP", "allow"),           # external source: web-0 egress irrelevant
    ]),
    ("pod-to-pod-both-allow",
     [dict(name="db-in", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"podSelector": sel(app="web")}]}]),
      dict(name="web-out", namespace="shop", pod_selector=sel(app="web"), egress=[{"to": [{"podSelector": sel(app="db")}]}])], [
        ("shop/web-0", "shop/db-0", 5432, "TCP", "allow"),
        ("shop/db-0", "shop/web-0", 5432, "TCP", "deny"),   # web-out defaulted to Ingress+Egress: no ingress rules
        ("web/client-0", "shop/db-0", 5432, "TCP", "deny"),
    ]),
    ("external-checks-only-pod-side",
     [dict(name="web-in", namespace="shop", pod_selector=sel(app="web"), policyTypes=["Ingress", "Egress"],
           ingress=[{}])], [
        (EXT, "shop/web-0", 80, "TCP", "allow"),
        ("shop/web-0", EXT, 80, "TCP", "deny"),
    ]),
    ("rule-without-from-matches-every-peer",
     [dict(name="p80", namespace="shop", pod_selector=sel(app="db"), ingress=[{"ports": [{"port": 80}]}])], [
        (EXT, "shop/db-0", 80, "TCP", "allow"),
        (EXT6, "shop/db-0", 80, "TCP", "allow"),
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        (EXT, "shop/db-0", 81, "TCP", "deny"),
    ]),
    ("rule-without-ports-matches-every-port",
     [dict(name="fromweb", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"podSelector": sel(app="web")}]}])], [
        ("shop/web-0", "shop/db-0", 9999, "UDP", "allow"),
        ("shop/web-0", "shop/db-0", 1, "SCTP", "allow"),
    ]),
    ("protocol-defaults-to-tcp",
     [dict(name="p53", namespace="shop", pod_selector=sel(app="db"), ingress=[{"ports": [{"port": 53}]}])], [
        (EXT, "shop/db-0", 53, "TCP", "allow"),
        (EXT, "shop/db-0", 53, "UDP", "deny"),
    ]),
    ("protocol-without-port-means-every-port",
     [dict(name="udp", namespace="shop", pod_selector=sel(app="db"), ingress=[{"ports": [{"protocol": "UDP"}]}])], [
        (EXT, "shop/db-0", 1234, "UDP", "allow"),
        (EXT, "shop/db-0", 1234, "TCP", "deny"),
    ]),
    ("named-port-ingress-name-and-protocol",
     [dict(name="named", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"ports": [{"port": "pg"}, {"port": "dns", "protocol": "UDP"}, {"port": "metrics", "protocol": "UDP"}]}])], [
        (EXT, "shop/db-0", 5432, "TCP", "allow"),
        (EXT, "shop/db-0", 5433, "TCP", "deny"),
        (EXT, "shop/db-0", 5432, "UDP", "deny"),
        (EXT, "shop/db-0", 53, "UDP", "allow"),
        (EXT, "shop/db-0", 9090, "UDP", "deny"),          # metrics is TCP on the pod
        (EXT, "shop/db-0", 9090, "TCP", "deny"),
    ]),
    ("named-port-egress-resolves-on-destination",
     [dict(name="out", namespace="shop", pod_selector=sel(app="web"), egress=[{"ports": [{"port": "pg"}]}])], [
        ("shop/web-0", "shop/db-0", 5432, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 5433, "TCP", "deny"),
        ("shop/web-0", "web/client-0", 5432, "TCP", "deny"),  # client declares no pg
        ("shop/web-0", EXT, 5432, "TCP", "deny"),             # external: a name cannot match
    ]),
    ("endport-range",
     [dict(name="range", namespace="shop", pod_selector=sel(app="db"), ingress=[{"ports": [{"port": 5000, "endPort": 6000}]}])], [
        (EXT, "shop/db-0", 5432, "TCP", ("allow", "allow", "deny")),
        (EXT, "shop/db-0", 6000, "TCP", ("allow", "allow", "deny")),
        (EXT, "shop/db-0", 5000, "TCP", "allow"),
        (EXT, "shop/db-0", 6001, "TCP", "deny"),
        (EXT, "shop/db-0", 4999, "TCP", "deny"),
    ]),
    ("namespace-and-pod-selector-in-one-peer-is-and",
     [dict(name="and", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"namespaceSelector": sel(team="web"), "podSelector": sel(app="client")}]}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("namespace-and-pod-selector-and-fails-on-pod",
     [dict(name="and", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"namespaceSelector": sel(team="web"), "podSelector": sel(app="web")}]}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("separate-peers-are-or",
     [dict(name="or", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"namespaceSelector": sel(team="web")}, {"podSelector": sel(app="web")}]}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/dual-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("pod-selector-alone-means-own-namespace",
     [dict(name="own", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"podSelector": {}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
        (EXT, "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("empty-namespace-selector-means-all-namespaces",
     [dict(name="allns", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"namespaceSelector": {}}]}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        (EXT, "shop/db-0", 80, "TCP", "deny"),             # selectors never match outside addresses
    ]),
    ("namespace-selector-by-metadata-name",
     [dict(name="byname", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"namespaceSelector": sel(**{"kubernetes.io/metadata.name": "web"})}]}])], [
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("match-expressions-in",
     [dict(name="in", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "x"]}]}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/dual-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("match-expressions-notin-matches-absent-key",
     [dict(name="notin", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}}]}])], [
        ("shop/dual-0", "shop/db-0", 80, "TCP", "allow"),   # no tier label
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),     # tier=front
    ]),
    ("match-expressions-exists-doesnotexist",
     [dict(name="ex", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}}]}]),
      dict(name="dne", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}}]}],
           policyTypes=["Ingress"])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),    # tier exists
        ("shop/dual-0", "shop/db-0", 80, "TCP", "deny"),    # no tier, has app
    ]),
    ("match-expressions-doesnotexist-allows-absent",
     [dict(name="dne", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}}]}])], [
        ("shop/dual-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("match-labels-and-expressions",
     [dict(name="both", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": {ML: {"app": "web"},
                                               "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("policy-pod-selector-expressions",
     [dict(name="sel", namespace="shop", pod_selector={"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
           policyTypes=["Ingress"])], [
        (EXT, "shop/db-0", 80, "TCP", "deny"),
        (EXT, "shop/web-0", 80, "TCP", "allow"),
    ]),
    ("ipblock-with-except-external",
     [dict(name="ip", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.0/28"]}}]}])], [
        (EXT, "shop/db-0", 80, "TCP", "deny"),
        ("203.0.113.20", "shop/db-0", 80, "TCP", "allow"),
        ("198.51.100.1", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("ipblock-matches-pod-ip-except-on-dataplane-v2",
     [dict(name="ip", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"ipBlock": {"cidr": "10.1.0.0/16"}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", ("allow", "allow", "deny")),
        ("10.1.0.1", "shop/db-0", 80, "TCP", ("allow", "allow", "deny")),   # a pod IP is that pod
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("ipblock-everything-on-pods",
     [dict(name="ip", namespace="shop", pod_selector=sel(app="web"), egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", ("allow", "allow", "deny")),
        ("shop/web-0", EXT, 80, "TCP", "allow"),
        ("shop/web-0", EXT6, 80, "TCP", "deny"),            # IPv4 block never matches IPv6
    ]),
    ("ipblock-internet-except-pod-range",
     [dict(name="ip", namespace="shop", pod_selector=sel(app="web"),
           egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "deny"),
        ("shop/web-0", EXT, 80, "TCP", "allow"),
    ]),
    ("ipv6-block",
     [dict(name="v6", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"ipBlock": {"cidr": "::/0"}}]}])], [
        (EXT, "shop/db-0", 80, "TCP", "deny"),
        (EXT6, "shop/db-0", 80, "TCP", "allow"),
    ]),
    ("ipv6-pod-address-for-ipv6-peer",
     [dict(name="v6", namespace="shop", pod_selector=sel(app="dual"), policyTypes=["Egress"],
           egress=[{"to": [{"ipBlock": {"cidr": "2001:db8::/32"}}]}])], [
        ("shop/dual-0", EXT6, 443, "TCP", "allow"),
        ("shop/dual-0", EXT, 443, "TCP", "deny"),
    ]),
    ("sctp",
     [dict(name="sctp", namespace="shop", pod_selector=sel(app="db"), ingress=[{"ports": [{"protocol": "SCTP", "port": 3868}]}])], [
        (EXT, "shop/db-0", 3868, "SCTP", "allow"),
        (EXT, "shop/db-0", 3868, "TCP", "deny"),
    ]),
    ("union-of-policies",
     [dict(name="a", namespace="shop", pod_selector=sel(app="db"), ingress=[{"from": [{"podSelector": sel(app="web")}]}]),
      dict(name="b", namespace="shop", pod_selector={}, ingress=[{"from": [{"namespaceSelector": sel(team="web")}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("web/client-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/dual-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("other-namespace-policy-does-not-select",
     [dict(name="deny", namespace="web", policyTypes=["Ingress", "Egress"])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "web/client-0", 80, "TCP", "deny"),
        ("web/client-0", "shop/db-0", 80, "TCP", "deny"),
    ]),
    ("several-ports-one-rule",
     [dict(name="ports", namespace="shop", pod_selector=sel(app="db"),
           ingress=[{"from": [{"podSelector": sel(app="web")}], "ports": [{"port": 80}, {"port": 443, "protocol": "UDP"}]}])], [
        ("shop/web-0", "shop/db-0", 80, "TCP", "allow"),
        ("shop/web-0", "shop/db-0", 443, "UDP", "allow"),
        ("shop/web-0", "shop/db-0", 443, "TCP", "deny"),
    ]),
]


def _params():
    for case_id, policies, queries in CASES:
        for index, query in enumerate(queries):
            for model_index, model in enumerate(MODELS):
                expected = query[4] if isinstance(query[4], str) else query[4][model_index]
                yield pytest.param(policies, query[:4], model, expected, id=f"{case_id}-{index}-{model}")


@pytest.mark.parametrize(("policies", "query", "model", "expected"), list(_params()))
def test_table(world, policies, query, model, expected):
    snap = snapshot(world["pods"], [policy(**spec) for spec in policies], world["namespaces"])
    engine = PolicyEngine(snap, model)
    src, dst, port, protocol = query
    (source,) = engine.resolve(src)
    (destination,) = engine.resolve(dst)
    verdict = engine.evaluate(source, destination, port, protocol)
    assert verdict.verdict == expected, "\n".join(verdict.sentences())
    data = verdict.to_dict()
    assert data["verdict"] == expected and data["dataplane"] == model
    # every denial says why, every allow says which rule (or that the side is not isolated)
    for side in (verdict.egress, verdict.ingress):
        if not side.allowed:
            assert side.isolated and side.denied_because
        elif side.isolated:
            assert side.allowed_by
