"""Small snapshots for the flows tests, built through the model parsers like kubectl output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.parse import parse_network_policy, parse_node, parse_pod
from netpol_tui.model.snapshot import Kind, Snapshot, SourceInfo
from tests.policy.builders import cluster, namespace, service

CAPTURED = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
RECORD_TIME = "2026-12-01T10:00:00Z"
ALL_KINDS = frozenset({Kind.POD, Kind.NODE, Kind.NETWORK_POLICY, Kind.NAMESPACE, Kind.SERVICE, Kind.CLUSTER})


def pod(name: str, namespace_name: str, labels: dict, ip: str, node: str = "node-1", owner: str | None = None,
        created: str = "2026-11-20T08:00:00Z", host_network: bool = False, ports: list | None = None):
    meta: dict[str, Any] = {"name": name, "namespace": namespace_name, "labels": dict(labels),
                            "creationTimestamp": created}
    if owner:
        template_hash = "5d4f8"
        meta["labels"]["pod-template-hash"] = template_hash
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": f"{owner}-{template_hash}", "controller": True}]
    spec: dict[str, Any] = {"nodeName": node, "containers": [{"name": "main", "ports": ports or []}]}
    if host_network:
        spec["hostNetwork"] = True
    return parse_pod({"metadata": meta, "spec": spec, "status": {"phase": "Running", "podIP": ip}})


def policy(name: str, namespace_name: str, spec: dict, created: str = "2026-11-01T00:00:00Z"):
    spec = {"podSelector": {}, **spec}
    return parse_network_policy({"metadata": {"name": name, "namespace": namespace_name,
                                              "creationTimestamp": created}, "spec": spec})


def node(name: str, ip: str, calico_ready: bool = True):
    labels = {"cloud.google.com/gke-nodepool": "default-pool"}
    if calico_ready:
        labels["projectcalico.org/ds-ready"] = "true"
    return parse_node({"metadata": {"name": name, "labels": labels},
                       "status": {"addresses": [{"type": "InternalIP", "address": ip}],
                                  "conditions": [{"type": "Ready", "status": "True"}]}})


def world(cluster_kind: str | None = "dataplane-v2", policies=(), pods=None, nodes=None, services=(),
          captured: datetime = CAPTURED) -> Snapshot:
    """shop/web (2 pods), shop/db, shop/cache, other/client; nodes node-1, node-2."""
    if pods is None:
        pods = [pod("web-5d4f8-a", "shop", {"app": "web"}, "10.8.0.1", owner="web"),
                pod("web-5d4f8-b", "shop", {"app": "web"}, "10.8.0.2", "node-2", owner="web"),
                pod("db-0", "shop", {"app": "db"}, "10.8.1.1", "node-2"),
                pod("cache-0", "shop", {"app": "cache"}, "10.8.1.2"),
                pod("client-0", "other", {"app": "client"}, "10.9.0.1")]
    if nodes is None:
        nodes = [node("node-1", "10.128.0.1"), node("node-2", "10.128.0.2")]
    namespaces = [namespace("shop", {"team": "shop"}), namespace("other", {"team": "other"}),
                  namespace("kube-system")]
    return Snapshot(source=SourceInfo(kind="files", description="test"), captured_at=captured,
                    namespaces=tuple(namespaces), pods=tuple(pods), nodes=tuple(nodes), policies=tuple(policies),
                    services=tuple(services), cluster=cluster(cluster_kind) if cluster_kind else None,
                    loaded_kinds=ALL_KINDS)


def db_service():
    return service("db", "shop", {"app": "db"}, [{"port": 5432, "targetPort": 5432}], cluster_ip="10.96.0.10")


DENY_ALL_INGRESS = {"policyTypes": ["Ingress"]}
ALLOW_WEB_TO_DB = {"podSelector": {"matchLabels": {"app": "db"}},
                   "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                                "ports": [{"port": 5432}]}]}
