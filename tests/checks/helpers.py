"""Small builders for check tests: kubectl/gcloud-shaped dicts parsed by the real builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.snapshot import Snapshot, SourceInfo
from netpol_tui.sources.builder import build_from_documents

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday


def cluster(name: str = "prod", *, calico: bool | None = True, addon: bool | None = True,
            datapath: str | None = "LEGACY_DATAPATH", version: str = "1.30.5-gke.1014001",
            **extra: Any) -> dict:
    """gcloud `clusters describe` JSON; calico/addon None leave the fields out."""
    doc: dict[str, Any] = {
        "name": name, "location": "europe-west1", "currentMasterVersion": version,
        "selfLink": f"https://container.googleapis.com/v1/projects/acme-prod/locations/europe-west1/clusters/{name}",
        "addonsConfig": {}, "ipAllocationPolicy": {"clusterIpv4CidrBlock": "10.64.0.0/14",
                                                   "servicesIpv4CidrBlock": "10.96.0.0/20"},
        "locations": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
        "nodePools": [{"name": "default-pool", "version": version, "config": {"machineType": "e2-standard-4"},
                       "initialNodeCount": 1}],
    }
    if datapath:
        doc["networkConfig"] = {"datapathProvider": datapath}
    if addon is not None:
        doc["addonsConfig"]["networkPolicyConfig"] = {} if addon else {"disabled": True}
    if calico is not None:
        doc["networkPolicy"] = {"enabled": True, "provider": "CALICO"} if calico else {}
    doc.update(extra)
    return doc


def node(name: str, *, pool: str = "default-pool", labelled: bool = True, cordoned: bool = False,
         machine: str = "e2-standard-4", ip: str | None = None, cpu: str = "3920m", memory: str = "13Gi",
         labels: dict | None = None) -> dict:
    all_labels = {"cloud.google.com/gke-nodepool": pool, "node.kubernetes.io/instance-type": machine,
                  **({"projectcalico.org/ds-ready": "true"} if labelled else {}), **(labels or {})}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": all_labels, "creationTimestamp": "2026-11-20T12:00:00Z"},
            "spec": {"unschedulable": True} if cordoned else {},
            "status": {"allocatable": {"cpu": cpu, "memory": memory},
                       "conditions": [{"type": "Ready", "status": "True"}],
                       "addresses": [{"type": "InternalIP", "address": ip or "10.128.0.2"}],
                       "nodeInfo": {"kubeletVersion": "v1.30.5-gke.1014001"}}}


def pod(name: str, namespace: str = "shop", *, labels: dict | None = None, ip: str = "10.64.0.10",
        node_name: str = "node-a", phase: str = "Running", ports: list | None = None,
        owner: tuple[str, str] | None = None, annotations: dict | None = None, cpu: str | None = None,
        memory: str | None = None, host_network: bool = False) -> dict:
    container: dict[str, Any] = {"name": "main", "ports": ports or []}
    if cpu or memory:
        container["resources"] = {"requests": {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}}
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels or {},
                            "annotations": annotations or {}, "creationTimestamp": "2026-11-25T12:00:00Z"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    spec: dict[str, Any] = {"nodeName": node_name, "containers": [container]}
    if host_network:
        spec["hostNetwork"] = True
    status: dict[str, Any] = {"phase": phase}
    if ip:
        status.update(podIP=ip, podIPs=[{"ip": ip}])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def policy(name: str, namespace: str = "shop", spec: dict | None = None) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec if spec is not None else {"podSelector": {}, "policyTypes": ["Ingress"]}}


def namespace(name: str, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}}


def operation(name: str, op_type: str = "UPGRADE_NODES", status: str = "RUNNING", *, pool: str | None = None,
              done: int | None = None, total: int | None = None, cluster_name: str = "prod") -> dict:
    link = f"https://container.googleapis.com/v1/projects/acme-prod/locations/europe-west1/clusters/{cluster_name}"
    if pool:
        link += f"/nodePools/{pool}"
    doc: dict[str, Any] = {"name": name, "operationType": op_type, "status": status, "targetLink": link,
                           "startTime": "2026-11-26T11:00:00Z"}
    metrics = [{"name": n, "intValue": str(v)} for n, v in (("NODES_DONE", done), ("NODES_TOTAL", total))
               if v is not None]
    if metrics:
        doc["progress"] = {"metrics": metrics}
    return doc


def lst(kind: str, items: list[dict]) -> dict:
    """A `kubectl get -o json` List: marks the kind as loaded even when empty."""
    return {"apiVersion": "v1", "kind": f"{kind}List", "items": items}


def snapshot(*documents: Any, now: datetime = NOW, context: str | None = None, **source: Any) -> Snapshot:
    """Parse the documents through the real SnapshotBuilder."""
    info = SourceInfo(kind="files", description="test", context=context, **source)
    built = build_from_documents(((doc, "test", None) for doc in documents), info)
    assert not built.problems, built.problems
    from dataclasses import replace

    return replace(built, captured_at=now)
