"""Parse plain kubectl / Kubernetes API / gcloud JSON dicts into model objects.

Deliberately not the kubernetes client's typed models: those reject a whole list for one
odd object and are several times slower than reading the dicts directly.

Every parser raises `ParseError` with a message fit to show the user; the sources turn it
into one `LoadProblem` line and keep going with the next object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.model.parse_core import parse_event, parse_namespace, parse_node, parse_pod, parse_workload
from netpol_tui.model.parse_fields import NAMESPACE_NAME_LABEL, PROTOCOLS, ParseError
from netpol_tui.model.parse_gke import parse_cluster, parse_operation
from netpol_tui.model.parse_gke_logging import parse_network_logging
from netpol_tui.model.parse_gke_policy import parse_cilium_policy, parse_fqdn_network_policy
from netpol_tui.model.parse_policy import parse_label_selector, parse_network_policy
from netpol_tui.model.parse_services import parse_ingress, parse_service
from netpol_tui.model.snapshot import Kind

__all__ = [
    "CLUSTER_HINT_KEYS", "K8S_PARSERS", "NAMESPACE_NAME_LABEL", "PROTOCOLS", "ParseError", "looks_like_cluster",
    "looks_like_operation", "parse_cluster", "parse_event", "parse_ingress", "parse_label_selector",
    "parse_namespace", "parse_network_policy", "parse_node", "parse_operation", "parse_pod", "parse_service",
    "parse_workload",
]

# -------------------------------------------------------------------------- dispatch

#: Kubernetes kind -> (snapshot kind, parser).
K8S_PARSERS: dict[str, tuple[Kind, Callable[..., Any]]] = {
    "Namespace": (Kind.NAMESPACE, parse_namespace),
    "Pod": (Kind.POD, parse_pod),
    "Node": (Kind.NODE, parse_node),
    "NetworkPolicy": (Kind.NETWORK_POLICY, parse_network_policy),
    "Service": (Kind.SERVICE, parse_service),
    "Ingress": (Kind.INGRESS, parse_ingress),
    "Event": (Kind.EVENT, parse_event),
    **{kind: (Kind.WORKLOAD, parse_workload) for kind in WORKLOAD_KINDS},
    "FQDNNetworkPolicy": (Kind.FQDN_POLICY, parse_fqdn_network_policy),
    "CiliumNetworkPolicy": (Kind.CILIUM_POLICY, parse_cilium_policy),
    "CiliumClusterwideNetworkPolicy": (Kind.CILIUM_POLICY, parse_cilium_policy),
    "NetworkLogging": (Kind.NETWORK_LOGGING, parse_network_logging),
}

CLUSTER_HINT_KEYS = ("currentMasterVersion", "nodePools", "addonsConfig", "networkConfig",
                     "ipAllocationPolicy", "masterAuth")


def looks_like_cluster(obj: Mapping[str, Any]) -> bool:
    if "kind" in obj or "apiVersion" in obj:
        return False
    return any(key in obj for key in CLUSTER_HINT_KEYS)


def looks_like_operation(obj: Mapping[str, Any]) -> bool:
    if "kind" in obj or "apiVersion" in obj:
        return False
    return "operationType" in obj
