"""The immutable Snapshot every engine, check and screen works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from netpol_tui.model.gke import GkeCluster, GkeOperation
from netpol_tui.model.gke_logging import NETWORK_LOGGING_NAME, NetworkLogging
from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
from netpol_tui.model.objects import Event, Ingress, Namespace, Node, Pod, Service, Workload
from netpol_tui.model.policy import NetworkPolicy


class Kind(StrEnum):
    """The kinds a source can deliver; `Snapshot.loaded_kinds` says which it did."""

    NAMESPACE = "Namespace"
    POD = "Pod"
    NODE = "Node"
    NETWORK_POLICY = "NetworkPolicy"
    SERVICE = "Service"
    INGRESS = "Ingress"
    WORKLOAD = "Workload"
    EVENT = "Event"
    CLUSTER = "Cluster"
    OPERATION = "Operation"
    #: networking.gke.io FQDNNetworkPolicy (Dataplane V2).
    FQDN_POLICY = "FQDNNetworkPolicy"
    #: cilium.io CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (Dataplane V2).
    CILIUM_POLICY = "CiliumPolicy"
    #: networking.gke.io NetworkLogging, cluster-scoped (network policy logging, Dataplane V2).
    NETWORK_LOGGING = "NetworkLogging"


#: Kinds that exist only where their CRD is installed (GKE Dataplane V2 features): a source that
#: did not list them is taken to hold none; only a failed read (in `Snapshot.unknown`) is unknown.
CRD_KINDS = frozenset({Kind.FQDN_POLICY, Kind.CILIUM_POLICY, Kind.NETWORK_LOGGING})


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A non-fatal problem met while loading: one clear line for the user."""

    source: str
    message: str
    #: Document index, line, or object name inside the source, when known.
    location: str | None = None

    def __str__(self) -> str:
        where = self.source + (f" ({self.location})" if self.location else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class UnknownPart:
    """A kind the source could not read (e.g. 403 on events): checks needing it say unknown."""

    kind: Kind
    reason: str


@dataclass(frozen=True, slots=True)
class RejectedObject:
    """One object that could not be used (a wrong type in some field), kept so that a verdict
    about its namespace can say it may be incomplete; the rest of its kind still loaded."""

    kind: Kind
    #: From the object's metadata when usable strings, else None.
    namespace: str | None
    name: str | None
    #: The problem line's message: kind, name and field.
    reason: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    #: "demo", "files" or "live".
    kind: str
    description: str
    context: str | None = None
    paths: tuple[str, ...] = ()
    #: gcloud-style identity flags, for filling remediation commands.
    project: str | None = None
    location: str | None = None
    cluster: str | None = None
    namespace: str | None = None
    #: What `Snapshot.captured_at` is: "captured" (a snapshot manifest's capture time), "read"
    #: (a live read), "loaded" (files without a manifest: when they were read; capture unknown).
    capture: str = "read"


@dataclass(frozen=True, slots=True)
class Snapshot:
    source: SourceInfo
    captured_at: datetime
    namespaces: tuple[Namespace, ...] = ()
    pods: tuple[Pod, ...] = ()
    nodes: tuple[Node, ...] = ()
    policies: tuple[NetworkPolicy, ...] = ()
    services: tuple[Service, ...] = ()
    ingresses: tuple[Ingress, ...] = ()
    workloads: tuple[Workload, ...] = ()
    events: tuple[Event, ...] = ()
    cluster: GkeCluster | None = None
    operations: tuple[GkeOperation, ...] = ()
    fqdn_policies: tuple[FqdnNetworkPolicy, ...] = ()
    cilium_policies: tuple[CiliumPolicy, ...] = ()
    network_logging: tuple[NetworkLogging, ...] = ()
    problems: tuple[LoadProblem, ...] = ()
    unknown: tuple[UnknownPart, ...] = ()
    #: Objects dropped for a bad field; a kind all of whose objects were dropped is in `unknown`.
    rejected: tuple[RejectedObject, ...] = ()
    #: Kinds the source delivered, even as empty lists: tells "none" from "not read".
    loaded_kinds: frozenset[Kind] = field(default_factory=frozenset)
    #: Documents of kinds netpol-tui does not use, counted by kind.
    skipped_kinds: tuple[tuple[str, int], ...] = ()

    def has(self, kind: Kind) -> bool:
        return kind in self.loaded_kinds

    def unknown_reason(self, kind: Kind) -> str | None:
        for part in self.unknown:
            if part.kind == kind:
                return part.reason
        return None

    def rejected_of(self, kind: Kind) -> tuple[RejectedObject, ...]:
        """Objects of `kind` that were dropped while the rest of the kind loaded."""
        return tuple(item for item in self.rejected if item.kind == kind)

    def counts(self) -> dict[str, int]:
        """Objects per kind; the CRD kinds only when there are some (most clusters have none)."""
        extra = {name: count for name, count in (("fqdnnetworkpolicies", len(self.fqdn_policies)),
                                                 ("ciliumpolicies", len(self.cilium_policies)),
                                                 ("networkloggings", len(self.network_logging))) if count}
        return extra | {
            "namespaces": len(self.namespaces),
            "pods": len(self.pods),
            "nodes": len(self.nodes),
            "networkpolicies": len(self.policies),
            "services": len(self.services),
            "ingresses": len(self.ingresses),
            "workloads": len(self.workloads),
            "events": len(self.events),
            "clusters": 1 if self.cluster else 0,
            "operations": len(self.operations),
        }

    @property
    def logging_config(self) -> NetworkLogging | None:
        """The `NetworkLogging` object GKE reads (named `default`), or None when there is none.

        None says nothing about whether it was read: ask `has(Kind.NETWORK_LOGGING)`."""
        return next((item for item in self.network_logging if item.name == NETWORK_LOGGING_NAME), None)

    def namespace_labels(self, name: str) -> dict[str, str]:
        """Labels of a namespace; a namespace not in the snapshot gets the label the
        API server sets on every namespace (kubernetes.io/metadata.name)."""
        for namespace in self.namespaces:
            if namespace.name == name:
                return namespace.labels
        return {"kubernetes.io/metadata.name": name}
