"""Build snapshots from small dicts through the model parsers (what kubectl would print)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.objects import Namespace, Pod, Service
from netpol_tui.model.parse import (
    parse_cluster,
    parse_namespace,
    parse_network_policy,
    parse_pod,
    parse_service,
)
from netpol_tui.model.policy import NetworkPolicy
from netpol_tui.model.snapshot import Kind, Snapshot, SourceInfo, UnknownPart

MODELS = ("kubernetes", "calico", "dataplane-v2")


def pod(name: str, namespace: str = "default", labels: dict | None = None, ip: str | None = None,
        ports: list[dict] | None = None, host_network: bool = False, ips: list[str] | None = None,
        phase: str = "Running") -> Pod:
    status: dict[str, Any] = {"phase": phase}
    if ips:
        status["podIPs"] = [{"ip": item} for item in ips]
        status["podIP"] = ips[0]
    elif ip:
        status["podIP"] = ip
    spec: dict[str, Any] = {"containers": [{"name": "main", "ports": ports or []}]}
    if host_network:
        spec["hostNetwork"] = True
    return parse_pod({"metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
                      "spec": spec, "status": status})


def namespace(name: str, labels: dict | None = None) -> Namespace:
    return parse_namespace({"metadata": {"name": name, "labels": labels or {}}})


def policy(name: str, namespace: str = "default", **spec: Any) -> NetworkPolicy:
    spec = {("podSelector" if key == "pod_selector" else "policyTypes" if key == "policy_types" else key): value
            for key, value in spec.items()}
    spec.setdefault("podSelector", {})
    return parse_network_policy({"metadata": {"name": name, "namespace": namespace}, "spec": spec})


def service(name: str, namespace: str = "default", selector: dict | None = None,
            ports: list[dict] | None = None, cluster_ip: str | None = None) -> Service:
    spec: dict[str, Any] = {"ports": ports or [{"port": 80}]}
    if selector is not None:
        spec["selector"] = selector
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    return parse_service({"metadata": {"name": name, "namespace": namespace}, "spec": spec})


def cluster(kind: str):
    """kind: dataplane-v2, autopilot, calico, calico-off."""
    data: dict[str, Any] = {"name": "c1", "currentMasterVersion": "1.29.1-gke.100"}
    if kind == "dataplane-v2":
        data["networkConfig"] = {"datapathProvider": "ADVANCED_DATAPATH"}
    elif kind == "autopilot":
        data["autopilot"] = {"enabled": True}
    elif kind == "calico":
        data["networkPolicy"] = {"enabled": True, "provider": "CALICO"}
        data["addonsConfig"] = {"networkPolicyConfig": {}}
    elif kind == "calico-off":
        data["addonsConfig"] = {"networkPolicyConfig": {"disabled": True}}
    return parse_cluster(data)


def snapshot(pods=(), policies=(), namespaces=(), services=(), cluster=None, unread=()) -> Snapshot:
    """A snapshot whose kinds all count as read, except `unread` (kinds, or (kind, reason) pairs:
    those are listed in Snapshot.unknown as a failed read would be)."""
    names = {ns.name for ns in namespaces}
    extra = [namespace(name) for name in sorted({p.namespace for p in pods} | {p.namespace for p in policies})
             if name not in names]
    return Snapshot(source=SourceInfo(kind="files", description="test"), captured_at=datetime.now(UTC),
                    namespaces=tuple(namespaces) + tuple(extra), pods=tuple(pods), policies=tuple(policies),
                    services=tuple(services), cluster=cluster,
                    loaded_kinds=frozenset(Kind) - {item[0] if isinstance(item, tuple) else item for item in unread},
                    unknown=tuple(UnknownPart(*item) for item in unread if isinstance(item, tuple)))
