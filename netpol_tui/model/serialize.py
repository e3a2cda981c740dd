"""Model objects back to kubectl/gcloud-shaped dicts: the exact inverse of `model.parse`.

`snapshot save` writes these so that `--files DIR` reads back an equal Snapshot, and the
console's YAML view shows them. Only the fields the parsers read are written (the model keeps
nothing else), so for every object a parser produced, `parse(serialize(obj)) == obj` holds
(apart from `origin`). Where the model holds a derived value the output says so in the shape
the parser accepts: a pod's effective resource requests are written on one container, and its
waiting reasons as container statuses without container names.

This module is the public entry: the dispatch (`to_k8s_dict`, `list_document`) lives here and
every serializer is re-exported from the module of its family: `serialize_fields` (shared
pieces, quantities), `serialize_core`, `serialize_policy`, `serialize_gke`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netpol_tui.model.gke import GkeCluster, GkeOperation
from netpol_tui.model.gke_logging import NetworkLogging
from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
from netpol_tui.model.objects import Event, Ingress, Namespace, Node, Pod, Service, Workload
from netpol_tui.model.policy import NetworkPolicy
from netpol_tui.model.serialize_core import (
    event_to_dict,
    ingress_to_dict,
    namespace_to_dict,
    node_to_dict,
    pod_to_dict,
    service_to_dict,
    workload_to_dict,
)
from netpol_tui.model.serialize_fields import API_VERSIONS, cpu_text, memory_text
from netpol_tui.model.serialize_gke import cluster_to_dict, crd_policy_to_dict, operation_to_dict
from netpol_tui.model.serialize_policy import (
    ip_block_to_dict,
    network_policy_to_dict,
    peer_to_dict,
    policy_port_to_dict,
    rule_to_dict,
    selector_to_dict,
)

# --------------------------------------------------------------------------- dispatch

_SERIALIZERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    Namespace: namespace_to_dict, Pod: pod_to_dict, Node: node_to_dict, Service: service_to_dict,
    Ingress: ingress_to_dict, Workload: workload_to_dict, Event: event_to_dict,
    NetworkPolicy: network_policy_to_dict, GkeCluster: cluster_to_dict, GkeOperation: operation_to_dict,
    FqdnNetworkPolicy: crd_policy_to_dict, CiliumPolicy: crd_policy_to_dict, NetworkLogging: crd_policy_to_dict,
}


def to_k8s_dict(obj: Any) -> dict[str, Any]:
    """The kubectl/gcloud-shaped dict of any model object (what the console's YAML view shows)."""
    serializer = _SERIALIZERS.get(type(obj))
    if serializer is None:
        raise TypeError(f"cannot serialize {type(obj).__name__}")
    return serializer(obj)


def list_document(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """`kubectl get KIND -o json` shape: a typed List, which also marks the kind as read when empty."""
    return {"apiVersion": API_VERSIONS.get(kind, "v1"), "kind": f"{kind}List", "metadata": {"resourceVersion": ""},
            "items": items}


__all__ = [
    "API_VERSIONS", "cluster_to_dict", "cpu_text", "crd_policy_to_dict", "event_to_dict", "ingress_to_dict",
    "ip_block_to_dict", "list_document", "memory_text", "namespace_to_dict", "network_policy_to_dict",
    "node_to_dict", "operation_to_dict", "peer_to_dict", "pod_to_dict", "policy_port_to_dict", "rule_to_dict",
    "selector_to_dict", "service_to_dict", "to_k8s_dict", "workload_to_dict",
]
