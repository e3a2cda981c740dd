"""Immutable snapshot model: plain frozen dataclasses parsed from kubectl/gcloud JSON."""

from netpol_tui.model.gke import (
    GkeCluster,
    GkeNodePool,
    GkeOperation,
    MaintenanceExclusion,
    MaintenancePolicy,
)
from netpol_tui.model.objects import (
    ContainerPort,
    Event,
    Ingress,
    IngressBackend,
    Namespace,
    Node,
    NodeCondition,
    Origin,
    Pod,
    Service,
    ServicePort,
    Workload,
)
from netpol_tui.model.policy import (
    IPBlock,
    LabelSelector,
    LabelSelectorRequirement,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    SelectorOperator,
)
from netpol_tui.model.snapshot import Kind, LoadProblem, RejectedObject, Snapshot, SourceInfo, UnknownPart

__all__ = [
    "ContainerPort", "Event", "GkeCluster", "GkeNodePool", "GkeOperation", "IPBlock", "Ingress",
    "IngressBackend", "Kind", "LabelSelector", "LabelSelectorRequirement", "LoadProblem",
    "MaintenanceExclusion", "MaintenancePolicy", "Namespace", "NetworkPolicy", "Node",
    "NodeCondition", "Origin", "Pod", "PolicyPeer", "PolicyPort", "PolicyRule", "RejectedObject",
    "SelectorOperator", "Service", "ServicePort", "Snapshot", "SourceInfo", "UnknownPart",
    "Workload",
]
