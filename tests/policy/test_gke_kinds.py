"""FQDNNetworkPolicy and Cilium (cluster-wide) policies in the Dataplane V2 engine: one test per
semantic point. Snapshots are small and built in code through the real parsers."""

from __future__ import annotations

import dataclasses

import pytest

from netpol_tui.model.parse import parse_node
from netpol_tui.model.parse_gke_policy import fqdn_matches, parse_cilium_policy, parse_fqdn_network_policy
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint
from tests.policy.builders import namespace, pod, policy, snapshot

NODE_IP = "10.128.0.2"
OUTSIDE = "203.0.113.5"


def pods():
    return [
        pod("web-0", "shop", {"app": "web"}, "10.64.0.10", ports=[{"name": "http", "containerPort": 8080}]),
        pod("db-0", "shop", {"app": "db"}, "10.64.0.11", ports=[{"name": "pg", "containerPort": 5432}]),
        pod("job-0", "batch", {"app": "job"}, "10.64.1.10"),
        pod("mon-0", "ops", {"app": "mon"}, "10.64.2.10"),
    ]


def namespaces():
    return [namespace("shop", {"kubernetes.io/metadata.name": "shop", "team": "payments"}),
            namespace("batch", {"kubernetes.io/metadata.name": "batch"}),
            namespace("ops", {"kubernetes.io/metadata.name": "ops"})]


def fqdn(name: str, ns: str, selector: dict, *egress: dict):
    return parse_fqdn_network_policy({"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
                                      "metadata": {"name": name, "namespace": ns},
                                      "spec": {"podSelector": selector, "egress": list(egress)}})


def ccnp(name: str, **spec):
    return parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                                "metadata": {"name": name}, "spec": spec})


def cnp(name: str, ns: str, **spec):
    return parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                                "metadata": {"name": name, "namespace": ns}, "spec": spec})


def engine(*, fqdn_policies=(), cilium_policies=(), policies=(), unread=(), dataplane="dataplane-v2", nodes=()):
    snap = snapshot(pods(), policies, namespaces(), unread=unread)
    snap = dataclasses.replace(snap, fqdn_policies=tuple(fqdn_policies), cilium_policies=tuple(cilium_policies),
                               nodes=tuple(nodes))
    return PolicyEngine(snap, dataplane)


def ask(eng, src: str, dst: str, port: int, protocol: str = "TCP"):
    def endpoint(text: str) -> Endpoint:
        return eng.resolve(text)[0]

    return eng.evaluate(endpoint(src), endpoint(dst), port, protocol)


WEB = {"matchLabels": {"app": "web"}}


# ------------------------------------------------------------------------------------ FQDN


def test_fqdn_policy_isolates_egress_only():
    eng = engine(fqdn_policies=[fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}]})])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is False  # egress isolated, nothing allows pods
    verdict = ask(eng, "shop/db-0", "shop/web-0", 8080)
    assert verdict.allowed is True and verdict.ingress.isolated is False  # ingress untouched
    assert ask(eng, "shop/db-0", "shop/web-0", 8080).egress.isolated is False  # db not selected


@pytest.mark.parametrize(("host", "expected"), [
    ("api.company.com", True), ("store.company.com", True), ("API.Company.com.", True),
    ("eu.api.company.com", False), ("company.com", False), ("api.company.com.evil", False),
])
def test_pattern_wildcard_is_one_dns_label(host, expected):
    """GKE: `*.company.com` matches api.company.com and store.company.com, not eu.api.company.com
    nor company.com."""
    rule = fqdn("p", "shop", WEB, {"matches": [{"pattern": "*.company.com"}]}).egress[0]
    assert fqdn_matches(rule, host) is expected


def test_exact_name_and_inner_wildcard():
    rule = fqdn("p", "shop", WEB, {"matches": [{"name": "www.example.com"}, {"pattern": "api-*.example.com"}]}).egress[0]
    assert fqdn_matches(rule, "www.example.com") and not fqdn_matches(rule, "w.www.example.com")
    assert fqdn_matches(rule, "api-eu1.example.com") and fqdn_matches(rule, "api-.example.com")
    assert not fqdn_matches(rule, "api-eu.1.example.com")


def test_fqdn_ports_protocol_and_port():
    eng = engine(fqdn_policies=[fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}],
                                                          "ports": [{"protocol": "TCP", "port": 443},
                                                                    {"protocol": "UDP"}]})])
    web = eng.resolve("shop/web-0")[0]
    assert eng.evaluate_name(web, "api.example", 443).allowed is True
    assert eng.evaluate_name(web, "api.example", 80).allowed is False
    assert eng.evaluate_name(web, "api.example", 1234, "UDP").allowed is True  # UDP without port: every port
    assert eng.evaluate_name(web, "other.example", 443).allowed is False


def test_allowed_if_a_networkpolicy_or_an_fqdn_policy_allows():
    np_allow_db = policy("to-db", "shop", pod_selector=WEB, policy_types=["Egress"],
                         egress=[{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}])
    np_allow_world = policy("to-world", "shop", pod_selector=WEB, policy_types=["Egress"],
                            egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}])
    fqdn_api = fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}], "ports": [{"port": 8443}]})
    eng = engine(fqdn_policies=[fqdn_api], policies=[np_allow_db, np_allow_world])
    web = eng.resolve("shop/web-0")[0]
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True  # the NetworkPolicy allows, FQDN isolates
    assert eng.evaluate_name(web, "any.example", 443).allowed is True  # NP: every outside address on 443
    assert eng.evaluate_name(web, "api.example", 8443).allowed is True  # only the FQDN rule
    assert eng.evaluate_name(web, "any.example", 8443).allowed is False


def test_address_only_an_fqdn_rule_might_allow_is_unknown_with_nslookup():
    eng = engine(fqdn_policies=[fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}]})])
    verdict = eng.evaluate(eng.resolve("shop/web-0")[0], Endpoint.for_address(OUTSIDE), 443)
    assert verdict.allowed is None
    assert any("`nslookup api.example`" in reason for reason in verdict.unknown_because)


def test_partial_networkpolicy_cover_leaves_a_name_unknown():
    np_some = policy("to-range", "shop", pod_selector=WEB, policy_types=["Egress"],
                     egress=[{"to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}]}])
    eng = engine(policies=[np_some])
    verdict = eng.evaluate_name(eng.resolve("shop/web-0")[0], "example.com", 443)
    assert verdict.allowed is None and any("nslookup example.com" in r for r in verdict.unknown_because)


# ---------------------------------------------------------------------------- selection


def test_ccnp_empty_endpoint_selector_selects_every_pod_and_node_selector_none():
    deny_all = ccnp("lockdown", endpointSelector={}, ingress=[{}])
    host_policy = ccnp("hosts", nodeSelector={}, ingress=[{}])
    eng = engine(cilium_policies=[deny_all])
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is False
    assert ask(eng, "shop/db-0", "ops/mon-0", 80).allowed is False
    eng = engine(cilium_policies=[host_policy])
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is True  # a host policy selects nodes, not pods


def test_endpoint_selector_by_namespace_label():
    lock_batch = ccnp("batch-in", endpointSelector={"matchLabels": {"k8s:io.kubernetes.pod.namespace": "batch"}},
                      ingress=[{}])
    eng = engine(cilium_policies=[lock_batch])
    assert ask(eng, "shop/web-0", "batch/job-0", 80).allowed is False
    assert ask(eng, "batch/job-0", "shop/web-0", 8080).allowed is True


def test_cnp_selects_only_its_namespace():
    eng = engine(cilium_policies=[cnp("all-in", "shop", endpointSelector={}, ingress=[{}])])
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is False
    assert ask(eng, "shop/db-0", "batch/job-0", 80).allowed is True


def test_from_endpoints_namespace_scoping():
    # CNP: fromEndpoints without a namespace label means the policy's namespace only
    same_ns = cnp("db-in", "shop", endpointSelector={"matchLabels": {"app": "db"}},
                  ingress=[{"fromEndpoints": [{}]}])
    eng = engine(cilium_policies=[same_ns])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is False
    # ... and with k8s:io.kubernetes.pod.namespace it reaches across namespaces
    other_ns = cnp("db-in", "shop", endpointSelector={"matchLabels": {"app": "db"}},
                   ingress=[{"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "batch"}}]}])
    eng = engine(cilium_policies=[other_ns])
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is True
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is False
    # CCNP: an endpoint selector matches pods of every namespace; namespace labels via io.cilium.k8s.namespace.labels
    by_team = ccnp("db-in", endpointSelector={"matchLabels": {"app": "db"}},
                   ingress=[{"fromEndpoints": [{"matchLabels": {"io.cilium.k8s.namespace.labels.team": "payments"}}]}])
    eng = engine(cilium_policies=[by_team])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True
    assert ask(eng, "ops/mon-0", "shop/db-0", 5432).allowed is False


def test_to_endpoints_egress():
    eng = engine(cilium_policies=[ccnp("web-out", endpointSelector=WEB,
                                       egress=[{"toEndpoints": [{"matchLabels": {"app": "db"}}]}])])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True
    assert ask(eng, "shop/web-0", "batch/job-0", 80).allowed is False


def test_service_account_selector_is_unknown():
    eng = engine(cilium_policies=[ccnp("sa", endpointSelector={"matchLabels": {
        "io.cilium.k8s.policy.serviceaccount": "web"}}, ingress=[{}])])
    verdict = ask(eng, "batch/job-0", "shop/db-0", 5432)
    assert verdict.allowed is None and any("endpointSelector" in r for r in verdict.unknown_because)


# ----------------------------------------------------------------------------- entities


@pytest.mark.parametrize(("entity", "pod_peer", "outside_peer"), [
    ("world", False, True), ("cluster", True, False), ("all", True, True),
])
def test_entities_for_pods_and_outside_addresses(entity, pod_peer, outside_peer):
    eng = engine(cilium_policies=[ccnp("e", endpointSelector=WEB, egress=[{"toEntities": [entity]}])])
    web = eng.resolve("shop/web-0")[0]
    assert eng.evaluate(web, eng.resolve("shop/db-0")[0], 5432).allowed is pod_peer
    assert eng.evaluate(web, Endpoint.for_address(OUTSIDE), 443).allowed is outside_peer


@pytest.mark.parametrize("entity", ["host", "remote-node"])
def test_host_entities_are_unknown_for_a_node_address_and_miss_pods(entity):
    node = parse_node({"metadata": {"name": "n1"}, "status": {"addresses": [
        {"type": "InternalIP", "address": NODE_IP}]}})
    eng = engine(cilium_policies=[ccnp("e", endpointSelector=WEB, egress=[{"toEntities": [entity]}])], nodes=[node])
    web = eng.resolve("shop/web-0")[0]
    assert eng.evaluate(web, Endpoint.for_address(NODE_IP), 10250).allowed is None  # which node is local: unknown
    assert eng.evaluate(web, eng.resolve("shop/db-0")[0], 5432).allowed is False
    assert eng.evaluate(web, Endpoint.for_address(OUTSIDE), 443).allowed is False


def test_kube_apiserver_entity_is_unknown_for_outside_addresses():
    eng = engine(cilium_policies=[ccnp("e", endpointSelector=WEB, egress=[{"toEntities": ["kube-apiserver"]}])])
    verdict = eng.evaluate(eng.resolve("shop/web-0")[0], Endpoint.for_address(OUTSIDE), 443)
    assert verdict.allowed is None


# -------------------------------------------------------------------------------- CIDR


def test_to_cidr_and_cidr_set_with_except():
    eng = engine(cilium_policies=[ccnp("c", endpointSelector=WEB, egress=[
        {"toCIDR": ["192.0.2.0/24"]},
        {"toCIDRSet": [{"cidr": "198.51.100.0/24", "except": ["198.51.100.128/25"]}]}])])
    web = eng.resolve("shop/web-0")[0]
    assert eng.evaluate(web, Endpoint.for_address("192.0.2.7"), 443).allowed is True
    assert eng.evaluate(web, Endpoint.for_address("198.51.100.7"), 443).allowed is True
    assert eng.evaluate(web, Endpoint.for_address("198.51.100.200"), 443).allowed is False
    assert eng.evaluate(web, eng.resolve("shop/db-0")[0], 5432).allowed is False  # CIDRs never match pods


def test_from_cidr_ingress():
    eng = engine(cilium_policies=[ccnp("c", endpointSelector=WEB, ingress=[{"fromCIDR": ["192.0.2.0/24"]}])])
    web = eng.resolve("shop/web-0")[0]
    assert eng.evaluate(Endpoint.for_address("192.0.2.9"), web, 8080).allowed is True
    assert eng.evaluate(Endpoint.for_address(OUTSIDE), web, 8080).allowed is False


# ------------------------------------------------------------------------------- ports


def test_to_ports_port_range_protocol_and_named_port():
    eng = engine(cilium_policies=[ccnp("p", endpointSelector={"matchLabels": {"app": "db"}}, ingress=[
        {"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "5000", "endPort": 5010, "protocol": "TCP"}]}]},
        {"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "53", "protocol": "UDP"}]}]},
        {"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "pg"}]}]}])])
    assert ask(eng, "shop/web-0", "shop/db-0", 5005).allowed is True
    assert ask(eng, "shop/web-0", "shop/db-0", 5011).allowed is False
    assert ask(eng, "shop/web-0", "shop/db-0", 53, "UDP").allowed is True
    assert ask(eng, "shop/web-0", "shop/db-0", 53).allowed is False  # TCP 53 not allowed
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True  # named port pg -> 5432 on the pod
    assert ask(eng, "shop/web-0", "shop/db-0", 5433).allowed is False


def test_ports_without_peers_allow_every_peer_on_them():
    eng = engine(cilium_policies=[ccnp("p", endpointSelector={"matchLabels": {"app": "db"}},
                                       ingress=[{"toPorts": [{"ports": [{"port": "5432", "protocol": "ANY"}]}]}])])
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is True
    assert eng.evaluate(Endpoint.for_address(OUTSIDE), eng.resolve("shop/db-0")[0], 5432).allowed is True
    assert ask(eng, "batch/job-0", "shop/db-0", 22).allowed is False


# -------------------------------------------------------------------------------- deny


def test_deny_beats_every_allow_networkpolicy_included():
    np_allow = policy("allow-all-in", "shop", pod_selector={}, ingress=[{}])
    allow = ccnp("allow", endpointSelector={}, ingress=[{"fromEntities": ["all"]}])
    deny = ccnp("deny-batch", endpointSelector={"matchLabels": {"app": "db"}},
                ingressDeny=[{"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "batch"}}]}])
    eng = engine(policies=[np_allow], cilium_policies=[allow, deny])
    verdict = ask(eng, "batch/job-0", "shop/db-0", 5432)
    assert verdict.allowed is False and "ingressDeny[0] of CCNP deny-batch" in verdict.ingress.summary
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True


def test_egress_deny_beats_fqdn_and_networkpolicy_for_names():
    np_world = policy("to-world", "shop", pod_selector=WEB, policy_types=["Egress"],
                      egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])
    deny_world = ccnp("no-world", endpointSelector=WEB, egressDeny=[{"toEntities": ["world"]}],
                      enableDefaultDeny={"egress": False})
    eng = engine(policies=[np_world], cilium_policies=[deny_world],
                 fqdn_policies=[fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}]})])
    web = eng.resolve("shop/web-0")[0]
    verdict = eng.evaluate_name(web, "api.example", 443)
    assert verdict.allowed is False and "egressDeny[0] of CCNP no-world" in verdict.egress.summary
    assert eng.evaluate(web, Endpoint.for_address(OUTSIDE), 443).allowed is False


def test_deny_only_policy_isolates_unless_default_deny_is_off():
    deny = {"endpointSelector": {"matchLabels": {"app": "db"}},
            "ingressDeny": [{"fromEndpoints": [{"matchLabels": {"app": "job"}}]}]}
    eng = engine(cilium_policies=[ccnp("d", **deny)])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is False  # Cilium: deny rules enable default deny
    eng = engine(cilium_policies=[ccnp("d", **deny, enableDefaultDeny={"ingress": False})])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is False


# ------------------------------------------------------------------------- unsupported


@pytest.mark.parametrize(("rule", "field"), [
    ({"toEndpoints": [{}], "toPorts": [{"ports": [{"port": "5432"}], "rules": {"http": [{"method": "GET"}]}}]},
     "toPorts[0].rules"),
    ({"toFQDNs": [{"matchName": "api.example"}]}, "toFQDNs"),
    ({"toServices": [{"k8sService": {"serviceName": "db", "namespace": "shop"}}]}, "toServices"),
    ({"toGroups": [{"aws": {"securityGroupsIds": ["sg-1"]}}]}, "toGroups"),
    ({"toEndpoints": [{}], "icmps": [{"fields": [{"type": 8}]}]}, "icmps"),
    ({"toEndpoints": [{}], "authentication": {"mode": "required"}}, "authentication"),
])
def test_unsupported_fields_make_the_verdict_unknown_naming_the_field(rule, field):
    eng = engine(cilium_policies=[cnp("u", "shop", endpointSelector=WEB, egress=[rule])])
    verdict = ask(eng, "shop/web-0", "shop/db-0", 5432)
    assert verdict.allowed is None
    assert any(field in reason for reason in verdict.unknown_because), verdict.unknown_because


def test_narrowing_fields_on_a_rule_that_misses_stay_a_miss():
    eng = engine(cilium_policies=[cnp("u", "shop", endpointSelector=WEB, egress=[
        {"toEndpoints": [{"matchLabels": {"app": "nothing"}}],
         "toPorts": [{"ports": [{"port": "5432"}], "rules": {"http": [{}]}}]}])])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is False


def test_unsupported_spec_field_is_unknown_only_for_pods_it_selects():
    eng = engine(cilium_policies=[ccnp("s", endpointSelector=WEB, egress=[{}], newField=True)])
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is None
    assert ask(eng, "batch/job-0", "shop/db-0", 5432).allowed is True


# ------------------------------------------------------------------------ dataplanes


@pytest.mark.parametrize("dataplane", ["calico", "kubernetes"])
def test_other_dataplanes_ignore_these_kinds(dataplane):
    eng = engine(dataplane=dataplane, cilium_policies=[ccnp("lockdown", endpointSelector={}, ingress=[{}])],
                 fqdn_policies=[fqdn("api", "shop", WEB, {"matches": [{"name": "api.example"}]})],
                 unread=((Kind.FQDN_POLICY, "forbidden"),))
    assert ask(eng, "shop/web-0", "shop/db-0", 5432).allowed is True


def test_verdicts_unchanged_by_loaded_kinds_that_select_nothing(world):
    """The kinds present but selecting nobody leave every Dataplane V2 verdict as without them."""
    base = snapshot(world["pods"], (), world["namespaces"])
    np = policy("db-in", "shop", pod_selector={"matchLabels": {"app": "db"}},
                ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}])
    base = dataclasses.replace(base, policies=(np,))
    idle = dataclasses.replace(base, cilium_policies=(ccnp("nobody", endpointSelector={"matchLabels": {
        "app": "nobody"}}, ingress=[{}], egressDeny=[{"toEntities": ["all"]}]),), fqdn_policies=(
        fqdn("nobody", "shop", {"matchLabels": {"app": "nobody"}}, {"matches": [{"name": "x.example"}]}),))
    plain, with_kinds = PolicyEngine(base, "dataplane-v2"), PolicyEngine(idle, "dataplane-v2")
    names = [f"{p.namespace}/{p.name}" for p in world["pods"]]
    for src in names:
        for dst in names:
            for port in (80, 5432):
                a, b = ask(plain, src, dst, port), ask(with_kinds, src, dst, port)
                assert (a.allowed, a.egress.summary, a.ingress.summary) == \
                       (b.allowed, b.egress.summary, b.ingress.summary), (src, dst, port)


# ------------------------------------------------------------------------------ unread


def test_cilium_kind_unread_is_unknown_both_ways_with_the_permission():
    eng = engine(unread=((Kind.CILIUM_POLICY, "forbidden: list ciliumclusterwidenetworkpolicies.cilium.io at "
                                              "cluster scope"),))
    verdict = ask(eng, "shop/web-0", "shop/db-0", 5432)
    assert verdict.allowed is None
    text = " ".join(verdict.unknown_because)
    assert "`kubectl auth can-i list ciliumclusterwidenetworkpolicies.cilium.io`" in text
    assert "ciliumnetworkpolicies.cilium.io -A" not in text  # only the list that failed


def test_fqdn_kind_unread_is_unknown_for_egress_only():
    eng = engine(unread=((Kind.FQDN_POLICY, "forbidden: list fqdnnetworkpolicies.networking.gke.io"),))
    verdict = ask(eng, "shop/web-0", "shop/db-0", 5432)
    assert verdict.allowed is None and verdict.ingress.allowed is True and verdict.egress.allowed is None
    assert any("`kubectl auth can-i list fqdnnetworkpolicies.networking.gke.io -A`" in r
               for r in verdict.unknown_because)
    assert engine(unread=((Kind.FQDN_POLICY, "forbidden"),), dataplane="calico") \
        .evaluate(Endpoint.for_address(OUTSIDE), eng.resolve("shop/web-0")[0], 8080).allowed is True


def test_index_buckets_find_what_a_scan_of_every_rule_set_finds():
    """The by-namespace / by-label buckets are an optimisation: the rule sets they yield for each
    pod are exactly those a plain scan selects, in snapshot order."""
    policies = [
        ccnp("all", endpointSelector={}, ingress=[{}]),
        ccnp("by-ns", endpointSelector={"matchLabels": {"k8s:io.kubernetes.pod.namespace": "shop"}}, ingress=[{}]),
        ccnp("by-app", endpointSelector={"matchLabels": {"app": "db", "any:team": "x"}}, ingress=[{}]),
        ccnp("by-app2", endpointSelector={"matchLabels": {"app": "db"}}, egress=[{}]),
        ccnp("by-expr", endpointSelector={"matchExpressions": [{"key": "app", "operator": "In",
                                                                "values": ["job", "web"]}]}, ingress=[{}]),
        ccnp("by-team", endpointSelector={"matchLabels": {"io.cilium.k8s.namespace.labels.team": "payments"}},
             ingress=[{}]),
        ccnp("sa", endpointSelector={"matchLabels": {"io.cilium.k8s.policy.serviceaccount": "x"}}, ingress=[{}]),
        cnp("ns-web", "shop", endpointSelector=WEB, egress=[{}]),
        cnp("ns-all", "batch", endpointSelector={}, egress=[{}]),
        ccnp("hosts", nodeSelector={}, ingress=[{}]),
    ]
    eng = engine(cilium_policies=policies)
    job = eng.resolve("batch/job-0")[0].pod
    assert [policy.name for policy, *_ in eng._cilium_selecting(job)] == ["all", "by-expr", "sa", "ns-all"]
    for p in pods():
        scanned = [(policy.name, rule_set.section, state) for policy in policies for rule_set in policy.rules
                   if (state := eng._policy_selects(policy, rule_set, p)) is not False]
        indexed = [(policy.name, rule_set.section, state) for policy, rule_set, state, _ in eng._cilium_selecting(p)]
        assert indexed == scanned, p.name
    assert [name for name, _, _ in scanned] == ["all", "sa"]  # mon-0 of ops, last in pods(): "sa" unknown


def test_kind_rule_refs_never_stand_for_a_networkpolicy_of_the_same_name():
    same_name = policy("allow-api", "shop", pod_selector=WEB, policy_types=["Egress"], egress=[])
    eng = engine(policies=[same_name],
                 fqdn_policies=[fqdn("allow-api", "shop", WEB, {"matches": [{"name": "api.example"}]})])
    ref = eng.evaluate_name(eng.resolve("shop/web-0")[0], "api.example", 443).egress.allowed_by[0]
    assert ref.policy == "shop/allow-api" and ref.policy_key != same_name.key
    assert ref.to_dict()["kind"] == "FQDNNetworkPolicy" and str(ref) == "egress[0] of FQDNNetworkPolicy shop/allow-api"


# ------------------------------------------------------------- deny rules as structured references


def _deny_engine():
    deny = cnp("deny-in", "shop", endpointSelector={"matchLabels": {"app": "db"}}, ingressDeny=[
        {"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "batch"}}],
         "toPorts": [{"ports": [{"port": "5432", "protocol": "TCP"}]}]},
        {"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "ops"}}]},
        {"fromEndpoints": [{"matchLabels": {"io.cilium.k8s.policy.serviceaccount": "web"}}]},
    ])
    return engine(cilium_policies=[deny]), deny


def test_cilium_deny_rules_returns_the_matching_rules_as_structured_references():
    from netpol_tui.policy import Direction
    from netpol_tui.policy.gke_kinds import KindRuleRef

    eng, deny = _deny_engine()
    db = eng.resolve("shop/db-0")[0].pod
    job, mon = eng.resolve("batch/job-0")[0], eng.resolve("ops/mon-0")[0]
    (ref,) = eng.cilium_deny_rules(deny, db, job, 5432, "TCP", Direction.INGRESS)
    assert ref == KindRuleRef("shop", "deny-in", Direction.INGRESS, 0, label="CNP shop/deny-in", section="ingressDeny")
    assert (ref.kind, ref.namespace, ref.name, ref.section, ref.rule_index, ref.is_deny) == (
        "CNP", "shop", "deny-in", "ingressDeny", 0, True)
    assert str(ref) == "ingressDeny[0] of CNP shop/deny-in"
    assert [r.rule_index for r in eng.cilium_deny_rules(deny, db, mon, 80, "TCP", Direction.INGRESS)] == [1]


def test_cilium_deny_rules_leaves_out_rules_that_miss_or_may_match():
    from netpol_tui.policy import Direction

    eng, deny = _deny_engine()
    db, web = eng.resolve("shop/db-0")[0].pod, eng.resolve("shop/web-0")[0].pod
    job, web_end = eng.resolve("batch/job-0")[0], eng.resolve("shop/web-0")[0]
    assert eng.cilium_deny_rules(deny, db, job, 8080, "TCP", Direction.INGRESS) == ()  # rule 0 is on 5432 only
    assert eng.cilium_deny_rules(deny, db, job, 5432, "UDP", Direction.INGRESS) == ()
    assert eng.cilium_deny_rules(deny, web, job, 5432, "TCP", Direction.INGRESS) == ()  # web not selected
    assert eng.cilium_deny_rules(deny, db, job, 5432, "TCP", Direction.EGRESS) == ()  # no egressDeny
    # rule 2 names a service account: it may match web-0, which is unknown, so not a certain deny
    assert eng.cilium_deny_rules(deny, db, web_end, 5432, "TCP", Direction.INGRESS) == ()
    allow_all = ccnp("allow", endpointSelector={}, ingress=[{"fromEntities": ["all"]}])
    doubt = ask(engine(cilium_policies=[deny, allow_all]), "shop/web-0", "shop/db-0", 5432)
    assert doubt.allowed is None and doubt.ingress.denied_by == ()
    assert any("ingressDeny[2] of CNP shop/deny-in may deny it" in r for r in doubt.unknown_because)


def test_a_deny_verdict_carries_the_deciding_deny_rules():
    eng, _ = _deny_engine()
    verdict = ask(eng, "batch/job-0", "shop/db-0", 5432)
    assert verdict.allowed is False
    (ref,) = verdict.ingress.denied_by
    assert (ref.kind, ref.namespace, ref.name, ref.section, ref.rule_index) == ("CNP", "shop", "deny-in", "ingressDeny", 0)
    assert verdict.to_dict()["ingress"]["denied_by"][0]["section"] == "ingressDeny"
    allowed = ask(eng, "batch/job-0", "shop/web-0", 8080)
    assert allowed.allowed is True and allowed.ingress.denied_by == ()
    assert "denied_by" not in allowed.to_dict()["ingress"]


def test_a_deny_for_a_name_carries_its_deny_rule():
    deny_world = ccnp("no-world", endpointSelector=WEB, egressDeny=[{"toEntities": ["world"]}])
    eng = engine(cilium_policies=[deny_world])
    verdict = eng.evaluate_name(eng.resolve("shop/web-0")[0], "api.example", 443)
    assert verdict.allowed is False
    (ref,) = verdict.egress.denied_by
    assert (ref.kind, ref.namespace, ref.name, ref.section, ref.rule_index) == ("CCNP", "", "no-world", "egressDeny", 0)
