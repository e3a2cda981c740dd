"""Tests written to kill the mutants of the Dataplane V2 kinds' code (cilium_match.py, gke_rules.py)
that survived the area's tests (docs/mutation.md). Cilium semantics: docs.cilium.io "Entities"."""

from __future__ import annotations

import dataclasses

from netpol_tui.model.parse_gke_policy import parse_cilium_policy
from netpol_tui.policy import PolicyEngine
from tests.policy.builders import namespace, pod, snapshot

OUTSIDE4 = "203.0.113.5"
OUTSIDE6 = "2001:db8::5"


def cnp_egress(*entities: str):
    return parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                                "metadata": {"name": "web-out", "namespace": "shop"},
                                "spec": {"endpointSelector": {"matchLabels": {"app": "web"}},
                                         "egress": [{"toEntities": list(entities)}]}})


def engine(*cilium) -> PolicyEngine:
    pods = [pod("web-0", "shop", {"app": "web"}, "10.64.0.10"),
            pod("agent", "shop", {"app": "agent"}, "10.128.0.2", host_network=True)]
    snap = snapshot(pods, (), [namespace("shop", {"kubernetes.io/metadata.name": "shop"})])
    return PolicyEngine(dataclasses.replace(snap, cilium_policies=tuple(cilium)), "dataplane-v2")


def egress(eng: PolicyEngine, dst: str, port: int = 443):
    (a,) = eng.resolve("shop/web-0")
    (b,) = eng.resolve(dst)
    return eng.evaluate(a, b, port, "TCP").egress.allowed


# kills: cilium_match.py a hostNetwork peer: `cluster`/`all` True -> False, and host/remote-node's
# unknown dropped (a hostNetwork pod has its node's identity, host or remote-node depending on
# the node, which the snapshot does not model)
def test_a_host_network_peer_is_in_the_cluster_entity_and_maybe_host():
    assert egress(engine(cnp_egress("cluster")), "shop/agent") is True
    assert egress(engine(cnp_egress("all")), "shop/agent") is True
    assert egress(engine(cnp_egress("host")), "shop/agent") is None
    assert egress(engine(cnp_egress("remote-node")), "shop/agent") is None
    assert egress(engine(cnp_egress("world")), "shop/agent") is False


# kills: cilium_match.py world-ipv4 / world-ipv6 family checks (`==` -> `!=`, a branch dropped)
def test_world_ipv4_and_world_ipv6_cover_one_family_each():
    v4, v6 = engine(cnp_egress("world-ipv4")), engine(cnp_egress("world-ipv6"))
    assert egress(v4, OUTSIDE4) is True and egress(v4, OUTSIDE6) is False
    assert egress(v6, OUTSIDE6) is True and egress(v6, OUTSIDE4) is False
    world = engine(cnp_egress("world"))
    assert egress(world, OUTSIDE4) is True and egress(world, OUTSIDE6) is True


def ccnp_selecting(labels: dict):
    return parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                                "metadata": {"name": "web-lockdown"},
                                "spec": {"endpointSelector": {"matchLabels": labels},
                                         "egressDeny": [{"toEntities": ["world"]}]}})


# kills: gke_index.py the two-label bucket's first key (`key[0]` -> `key[-1]`), and
# pods_selected_by_kind's `if state is not False` dropped: a CCNP requiring the namespace and a
# label selects exactly the pods that have both
def test_a_ccnp_requiring_namespace_and_label_selects_the_pods_with_both():
    lockdown = ccnp_selecting({"k8s:io.kubernetes.pod.namespace": "shop", "app": "web"})
    eng = engine(lockdown)
    assert egress(eng, OUTSIDE4) is False  # denied by the CCNP's egressDeny
    assert [(p.name, state) for p, state in eng.pods_selected_by_kind(lockdown)] == [("web-0", True)]
    other = ccnp_selecting({"k8s:io.kubernetes.pod.namespace": "shop", "app": "db"})
    assert egress(engine(other), OUTSIDE4) is True
    assert engine(other).pods_selected_by_kind(other) == ()


# a CCNP whose endpointSelector requires two plain labels (no namespace) selects exactly the pods
# carrying both (Cilium matchLabels are ANDed, as in Kubernetes), in every namespace. Written for
# gke_index.py's two-label bucket (`rest` filter `if item != key` dropped / flipped): those mutants
# are equivalent (docs/mutation.md), the (key, key) bucket is still looked up and matches() filters
def test_a_ccnp_requiring_two_plain_labels_selects_the_pods_with_both():
    lockdown = ccnp_selecting({"app": "web", "tier": "front"})
    pods = [pod("web-0", "shop", {"app": "web", "tier": "front"}, "10.64.0.10"),
            pod("web-1", "shop", {"app": "web"}, "10.64.0.11"),
            pod("web-2", "edge", {"app": "web", "tier": "front"}, "10.64.0.12")]
    snap = snapshot(pods, (), [namespace("shop", {"kubernetes.io/metadata.name": "shop"}),
                               namespace("edge", {"kubernetes.io/metadata.name": "edge"})])
    eng = PolicyEngine(dataclasses.replace(snap, cilium_policies=(lockdown,)), "dataplane-v2")
    assert sorted(p.name for p, state in eng.pods_selected_by_kind(lockdown) if state) == ["web-0", "web-2"]
    assert egress(eng, OUTSIDE4) is False  # web-0: denied by the CCNP's egressDeny
    (one,) = eng.resolve("shop/web-1")
    (out,) = eng.resolve(OUTSIDE4)
    assert eng.evaluate(one, out, 443, "TCP").egress.allowed is True


# kills: gke_index.py `_identity`'s cache hit `return cached[1]` (-> cached[0], cached[2]): a pod's
# Cilium identity is its labels plus its namespace's; asked again (the same pod as the subject of
# one answer and the peer of another), it is the same identity, so a CNP allowing egress
# toEndpoints app=db allows web -> db every time and nothing else
def test_a_cilium_identity_is_the_same_when_asked_again():
    to_db = parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                                 "metadata": {"name": "web-to-db", "namespace": "shop"},
                                 "spec": {"endpointSelector": {"matchLabels": {"app": "web"}},
                                          "egress": [{"toEndpoints": [{"matchLabels": {"app": "db"}}]}]}})
    db_in = parse_cilium_policy({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                                 "metadata": {"name": "db-from-web", "namespace": "shop"},
                                 "spec": {"endpointSelector": {"matchLabels": {"app": "db"}},
                                          "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}]}]}})
    pods = [pod("web-0", "shop", {"app": "web"}, "10.64.0.10"), pod("db-0", "shop", {"app": "db"}, "10.64.0.11"),
            pod("cache-0", "shop", {"app": "cache"}, "10.64.0.12")]
    snap = snapshot(pods, (), [namespace("shop", {"kubernetes.io/metadata.name": "shop"})])
    eng = PolicyEngine(dataclasses.replace(snap, cilium_policies=(to_db, db_in)), "dataplane-v2")
    for _ in range(2):
        assert egress(eng, "shop/db-0", 5432) is True
        assert egress(eng, "shop/cache-0", 5432) is False
        (db,) = eng.resolve("shop/db-0")
        (web,) = eng.resolve("shop/web-0")
        assert eng.evaluate(db, web, 8080, "TCP").allowed is True  # web's ingress is not isolated
