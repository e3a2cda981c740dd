"""Kubernetes objects as the checks and the verdict engine need them.

Only the fields netpol-tui reads are kept: a whole pod JSON is 2-4 KB, these are a few
hundred bytes, which is what lets a 100,000-pod cluster fit in memory. Mapping fields
(labels, annotations, ...) are plain dicts that nobody mutates after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIVE_PHASES_EXCLUDED = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an object was read from: a file and the line its document starts on.

    `item` is the object's index inside its document's List `items` (or top-level array). The
    object's own line is not computed while loading, which must stay fast for 100,000 pods:
    `netpol_tui.sources.locate.object_line` finds it from `item` when an output needs it.
    """

    path: str
    line: int | None = None
    document: int | None = None
    item: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.document is not None:
            where += f" (document {self.document})"
        return where


@dataclass(frozen=True, slots=True)
class Namespace:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    phase: str = "Active"
    creation_timestamp: str | None = None
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return ("", self.name)


@dataclass(frozen=True, slots=True)
class ContainerPort:
    container_port: int
    protocol: str = "TCP"
    name: str | None = None
    container: str = ""


@dataclass(frozen=True, slots=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    phase: str = "Pending"
    node_name: str | None = None
    host_network: bool = False
    pod_ips: tuple[str, ...] = ()
    host_ip: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    #: Reasons of containers in the waiting state, e.g. ContainerCreating.
    waiting_reasons: tuple[str, ...] = ()
    owner_kind: str | None = None
    owner_name: str | None = None
    #: Effective requests: containers summed, at least the largest init container.
    cpu_request_millis: int = 0
    memory_request_bytes: int = 0
    termination_grace_period_seconds: int | None = None
    deletion_timestamp: str | None = None
    creation_timestamp: str | None = None
    uid: str = ""
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def is_live(self) -> bool:
        """Not finished: Pending and Unknown pods still count."""
        return self.phase not in LIVE_PHASES_EXCLUDED

    @property
    def is_running(self) -> bool:
        return self.phase == "Running" and not self.host_network

    @property
    def ip(self) -> str | None:
        return self.pod_ips[0] if self.pod_ips else None


@dataclass(frozen=True, slots=True)
class NodeCondition:
    type: str
    status: str
    reason: str = ""
    message: str = ""


NODE_POOL_LABEL = "cloud.google.com/gke-nodepool"
CALICO_READY_LABEL = "projectcalico.org/ds-ready"
MASQ_READY_LABEL = "node.kubernetes.io/masq-agent-ds-ready"
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    unschedulable: bool = False
    conditions: tuple[NodeCondition, ...] = ()
    allocatable_cpu_millis: int | None = None
    allocatable_memory_bytes: int | None = None
    internal_ip: str | None = None
    external_ip: str | None = None
    pod_cidrs: tuple[str, ...] = ()
    kubelet_version: str | None = None
    creation_timestamp: str | None = None
    taints: tuple[tuple[str, str, str], ...] = ()
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return ("", self.name)

    @property
    def node_pool(self) -> str | None:
        return self.labels.get(NODE_POOL_LABEL)

    @property
    def machine_type(self) -> str | None:
        for label in INSTANCE_TYPE_LABELS:
            if label in self.labels:
                return self.labels[label]
        return None

    @property
    def calico_ready(self) -> bool:
        return self.labels.get(CALICO_READY_LABEL) == "true"

    @property
    def ready(self) -> bool | None:
        """Ready condition; None when the node reports none."""
        for condition in self.conditions:
            if condition.type == "Ready":
                return condition.status == "True"
        return None

    @property
    def status_text(self) -> str:
        """What `kubectl get nodes` prints in STATUS."""
        ready = self.ready
        text = "Ready" if ready else ("NotReady" if ready is False else "Unknown")
        return text + (",SchedulingDisabled" if self.unschedulable else "")


@dataclass(frozen=True, slots=True)
class ServicePort:
    port: int
    protocol: str = "TCP"
    name: str | None = None
    #: An int, or the name of a container port.
    target_port: int | str | None = None
    node_port: int | None = None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    namespace: str
    type: str = "ClusterIP"
    #: None when the Service has no selector (manually managed endpoints).
    selector: dict[str, str] | None = None
    ports: tuple[ServicePort, ...] = ()
    external_traffic_policy: str | None = None
    cluster_ips: tuple[str, ...] = ()
    load_balancer_ips: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def cluster_ip(self) -> str | None:
        return self.cluster_ips[0] if self.cluster_ips else None


@dataclass(frozen=True, slots=True)
class IngressBackend:
    service_name: str
    #: Service port number, or its name.
    service_port: int | str | None = None


@dataclass(frozen=True, slots=True)
class Ingress:
    name: str
    namespace: str
    backends: tuple[IngressBackend, ...] = ()
    ingress_class: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")


@dataclass(frozen=True, slots=True)
class Workload:
    """An apps/v1 (or batch/v1) controller and its pod template."""

    kind: str
    name: str
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    selector: dict[str, str] = field(default_factory=dict)
    template_labels: dict[str, str] = field(default_factory=dict)
    template_annotations: dict[str, str] = field(default_factory=dict)
    template_node_selector: dict[str, str] = field(default_factory=dict)
    template_host_network: bool = False
    replicas: int | None = None
    #: DaemonSet status: desiredNumberScheduled / currentNumberScheduled / numberReady.
    desired_scheduled: int | None = None
    current_scheduled: int | None = None
    number_ready: int | None = None
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class Event:
    namespace: str
    name: str
    involved_kind: str = ""
    involved_name: str = ""
    involved_namespace: str = ""
    reason: str = ""
    message: str = ""
    type: str = "Normal"
    count: int = 1
    last_time: str | None = None
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)
