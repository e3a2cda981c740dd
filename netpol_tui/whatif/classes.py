"""Pods that no policy can tell apart, and the ports worth asking about between them.

Why classes, not pods: a verdict depends on a pod only through which policies isolate it, which
rule peers match it (by labels, namespace labels, or — on Calico and the Kubernetes model — its
IP in an ipBlock), whether it runs on the host network, and which named ports it declares. Two
live pods of one namespace that agree on all of that get the same verdict to and from anyone,
so the matrix asks the engine once per pair of classes, with one representative pod each.

A class is shown by its workload (the owning Deployment, StatefulSet, DaemonSet or Job, else the
pod) and namespace; a workload whose pods fall into several classes (mid-rollout, or pods
labelled apart) gets one entry per class, named `web#2`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netpol_tui.model.objects import Pod
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Direction

#: `ReplicaSet web-5d8f7` of a pod labelled `pod-template-hash=5d8f7` belongs to `Deployment web`.
TEMPLATE_HASH = "pod-template-hash"


@dataclass(frozen=True, slots=True)
class PodClass:
    """Pods of one namespace with the same policy-relevant facts; `pod` stands for all of them."""

    namespace: str
    workload: str
    #: Deployment, StatefulSet, DaemonSet, Job, CronJob, or Pod when it has no controller.
    workload_kind: str
    pods: tuple[Pod, ...]

    @property
    def pod(self) -> Pod:
        return self.pods[0]

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.workload}"

    def to_dict(self) -> dict[str, object]:
        return {"namespace": self.namespace, "workload": self.workload, "kind": self.workload_kind,
                "pods": [pod.name for pod in self.pods]}


@dataclass(frozen=True, slots=True, order=True)
class FlowPort:
    port: int
    protocol: str = "TCP"

    def __str__(self) -> str:
        return f"{self.port}/{self.protocol}"


def workload_of(pod: Pod) -> tuple[str, str]:
    """(kind, name) of the controller that owns the pod, following a ReplicaSet to its Deployment."""
    kind, name = pod.owner_kind, pod.owner_name
    if not kind or not name:
        return "Pod", pod.name
    if kind == "ReplicaSet":
        template = pod.labels.get(TEMPLATE_HASH)
        if template and name.endswith(f"-{template}"):
            return "Deployment", name[: -len(template) - 1]
    return kind, name


def _signatures(engine: PolicyEngine, pods: list[Pod]) -> dict[int, list[object]]:
    """Per pod id, the facts a verdict can depend on under this engine (besides namespace)."""
    signature: dict[int, list[object]] = {}
    for pod in pods:
        signature[id(pod)] = [tuple(id(p) for p in engine.isolating_policies(pod, Direction.INGRESS)),
                              tuple(id(p) for p in engine.isolating_policies(pod, Direction.EGRESS))]
    for policy in engine.snapshot.policies:
        for rules in (policy.ingress, policy.egress):
            for rule in rules:
                for peer in rule.peers:
                    for pod in engine.peer_matches(policy, peer):
                        entry = signature.get(id(pod))
                        if entry is not None:
                            entry.append(id(peer))
    return signature


def pod_classes(engines: PolicyEngine | Sequence[PolicyEngine], namespace: str | None = None) -> list[PodClass]:
    """The classes of the live pods (of one namespace, if given), sorted by label.

    With several engines over snapshots that share their pods (a snapshot and the same one with
    a policy added, or under another dataplane model), pods are in one class only when every
    engine agrees they cannot be told apart, so one representative answers for all in each.
    Computed from peer matches keyed by content (whatif.facts); `pod_classes_reference` is the
    plain per-pod computation it must agree with.
    """
    from netpol_tui.whatif.facts import ApiFacts, Context

    engines = [engines] if isinstance(engines, PolicyEngine) else list(engines)
    snapshot_pods = engines[0].snapshot.pods
    pods = [pod for pod in snapshot_pods if pod.is_live and (namespace is None or pod.namespace == namespace)]
    context = Context(pods, snapshot_pods)
    facts = [ApiFacts(engine, context).facts for engine in engines]
    combined = list(zip(*facts, strict=True))
    return _grouped(pods, lambda index, pod: combined[index])


def pod_classes_reference(engines: PolicyEngine | Sequence[PolicyEngine],
                          namespace: str | None = None) -> list[PodClass]:
    """`pod_classes` the slow, obvious way (every peer's matched pods): the tests' reference."""
    engines = [engines] if isinstance(engines, PolicyEngine) else list(engines)
    pods = [pod for pod in engines[0].snapshot.pods
            if pod.is_live and (namespace is None or pod.namespace == namespace)]
    signatures = [_signatures(engine, pods) for engine in engines]
    return _grouped(pods, lambda index, pod: tuple((tuple(s[id(pod)][:2]), frozenset(s[id(pod)][2:]))
                                                   for s in signatures))


def _grouped(pods: list[Pod], facts_of) -> list[PodClass]:
    grouped: dict[tuple, list[Pod]] = {}
    workloads: dict[tuple, tuple[str, str]] = {}
    for index, pod in enumerate(pods):
        if pod.owner_kind and pod.owner_name:
            owner = (pod.owner_kind, pod.owner_name, pod.labels.get(TEMPLATE_HASH))
            workload = workloads.get(owner)
            if workload is None:
                workload = workloads[owner] = workload_of(pod)
        else:
            workload = ("Pod", pod.name)
        named_ports = tuple(sorted((p.name, p.protocol, p.container_port) for p in pod.ports if p.name)) \
            if pod.ports else ()
        key = (pod.namespace, workload[0], workload[1], pod.host_network, named_ports, facts_of(index, pod))
        group = grouped.get(key)
        if group is None:
            grouped[key] = [pod]
        else:
            group.append(pod)
    seen: dict[tuple[str, str], int] = {}
    classes = []
    for key in sorted(grouped, key=lambda k: (k[0], k[2], k[1], min(p.name for p in grouped[k]))):
        ns, kind, name = key[0], key[1], key[2]
        count = seen[(ns, name)] = seen.get((ns, name), 0) + 1
        label = name if count == 1 else f"{name}#{count}"
        classes.append(PodClass(ns, label, kind, tuple(sorted(grouped[key], key=lambda p: p.name))))
    return classes


def _resolve(pod: Pod, port: int | str | None, protocol: str) -> int | None:
    if isinstance(port, int):
        return port
    if isinstance(port, str):
        return next((p.container_port for p in pod.ports if p.name == port and p.protocol == protocol), None)
    return None


def destination_ports(engine: PolicyEngine, target: PodClass, extra: Iterable[FlowPort] = ()) -> tuple[FlowPort, ...]:
    """The ports to ask about toward a class: those its pods declare, those the policies that
    isolate it (or that allow egress to it) name, resolved on the pod, and its Services' target
    ports, plus `extra`."""
    pod = target.pod
    found: set[FlowPort] = set(extra)
    found.update(FlowPort(p.container_port, p.protocol) for p in pod.ports)
    policies = list(engine.isolating_policies(pod, Direction.INGRESS))
    for policy in policies:
        for rule in policy.ingress:
            for port in rule.ports:
                number = _resolve(pod, port.port, port.protocol)
                if number is not None:
                    found.add(FlowPort(number, port.protocol))
    for policy in engine.snapshot.policies:
        for rule in policy.egress:
            if rule.peers and not any(any(match is pod for match in engine.peer_matches(policy, peer))
                                      for peer in rule.peers):
                continue
            for port in rule.ports:
                number = _resolve(pod, port.port, port.protocol)
                if number is not None:
                    found.add(FlowPort(number, port.protocol))
    for service in engine.snapshot.services:
        if service.namespace != pod.namespace or not service.selector:
            continue
        if all(pod.labels.get(k) == v for k, v in service.selector.items()):
            for service_port in service.ports:
                number = engine.service_target_port(service, pod, service_port.port, service_port.protocol)
                if number is not None:
                    found.add(FlowPort(number, service_port.protocol))
    return tuple(sorted(port for port in found if port.protocol in ("TCP", "UDP", "SCTP")))
