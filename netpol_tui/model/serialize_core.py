"""Core Kubernetes kinds back to kubectl-shaped dicts: Namespace, Pod, Node, Service, Ingress,
workloads and Event.

Split from `serialize.py` (the public entry, which re-exports these) to mirror
`parse_core`: one module per family of kinds, each the inverse of its parser.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.model.objects import (
    Event,
    Ingress,
    IngressBackend,
    Namespace,
    Node,
    Pod,
    Service,
    Workload,
)
from netpol_tui.model.serialize_fields import cpu_text, k8s_object, memory_text, object_metadata


def _port_value(port: int | str | None) -> dict[str, Any]:
    if port is None:
        return {}
    return {"number": port} if isinstance(port, int) else {"name": port}


# ----------------------------------------------------------------------- core kinds


def namespace_to_dict(namespace: Namespace) -> dict[str, Any]:
    meta = object_metadata(namespace.name, labels=namespace.labels, creation_timestamp=namespace.creation_timestamp)
    return k8s_object("Namespace", meta, spec={}, status={"phase": namespace.phase})


def pod_to_dict(pod: Pod) -> dict[str, Any]:
    owners = None
    if pod.owner_kind is not None or pod.owner_name is not None:
        owner: dict[str, Any] = {"controller": True}
        if pod.owner_kind is not None:
            owner["kind"] = pod.owner_kind
        if pod.owner_name is not None:
            owner["name"] = pod.owner_name
        owners = [owner]
    meta = object_metadata(pod.name, pod.namespace, labels=pod.labels, annotations=pod.annotations, uid=pod.uid,
                           creation_timestamp=pod.creation_timestamp, deletionTimestamp=pod.deletion_timestamp,
                           ownerReferences=owners)
    containers: list[dict[str, Any]] = []
    for port in pod.ports:
        if not containers or containers[-1]["name"] != port.container:
            containers.append({"name": port.container, "ports": []})
        entry: dict[str, Any] = {"containerPort": port.container_port, "protocol": port.protocol}
        if port.name is not None:
            entry["name"] = port.name
        containers[-1]["ports"].append(entry)
    requests: dict[str, str] = {}
    if pod.cpu_request_millis:
        requests["cpu"] = cpu_text(pod.cpu_request_millis)
    if pod.memory_request_bytes:
        requests["memory"] = memory_text(pod.memory_request_bytes)
    if requests:
        if not containers:
            containers.append({"name": ""})
        # The model keeps the effective request of the whole pod; one container carries it.
        containers[0]["resources"] = {"requests": requests}
    spec: dict[str, Any] = {}
    if pod.node_name is not None:
        spec["nodeName"] = pod.node_name
    if pod.host_network:
        spec["hostNetwork"] = True
    if pod.termination_grace_period_seconds is not None:
        spec["terminationGracePeriodSeconds"] = pod.termination_grace_period_seconds
    if containers:
        spec["containers"] = containers
    status: dict[str, Any] = {"phase": pod.phase}
    if pod.host_ip is not None:
        status["hostIP"] = pod.host_ip
    if pod.pod_ips:
        status["podIP"] = pod.pod_ips[0]
        status["podIPs"] = [{"ip": ip} for ip in pod.pod_ips]
    if pod.waiting_reasons:
        status["containerStatuses"] = [{"name": "", "state": {"waiting": {"reason": reason}}}
                                       for reason in pod.waiting_reasons]
    return k8s_object("Pod", meta, spec=spec, status=status)


def node_to_dict(node: Node) -> dict[str, Any]:
    meta = object_metadata(node.name, labels=node.labels, creation_timestamp=node.creation_timestamp)
    spec: dict[str, Any] = {}
    if node.pod_cidrs:
        spec["podCIDR"] = node.pod_cidrs[0]
        spec["podCIDRs"] = list(node.pod_cidrs)
    if node.unschedulable:
        spec["unschedulable"] = True
    if node.taints:
        spec["taints"] = [{"key": key, **({"value": value} if value else {}), "effect": effect}
                          for key, value, effect in node.taints]
    status: dict[str, Any] = {}
    allocatable: dict[str, str] = {}
    if node.allocatable_cpu_millis is not None:
        allocatable["cpu"] = cpu_text(node.allocatable_cpu_millis)
    if node.allocatable_memory_bytes is not None:
        allocatable["memory"] = memory_text(node.allocatable_memory_bytes)
    if allocatable:
        status["allocatable"] = allocatable
    addresses = []
    if node.internal_ip is not None:
        addresses.append({"type": "InternalIP", "address": node.internal_ip})
    if node.external_ip is not None:
        addresses.append({"type": "ExternalIP", "address": node.external_ip})
    if addresses:
        status["addresses"] = addresses
    if node.conditions:
        status["conditions"] = [
            {"type": c.type, "status": c.status, **({"reason": c.reason} if c.reason else {}),
             **({"message": c.message} if c.message else {})}
            for c in node.conditions
        ]
    if node.kubelet_version is not None:
        status["nodeInfo"] = {"kubeletVersion": node.kubelet_version}
    return k8s_object("Node", meta, spec=spec, status=status)


def service_to_dict(service: Service) -> dict[str, Any]:
    meta = object_metadata(service.name, service.namespace, labels=service.labels, annotations=service.annotations)
    spec: dict[str, Any] = {"type": service.type}
    if service.selector:
        spec["selector"] = dict(service.selector)
    if service.cluster_ips:
        spec["clusterIP"] = service.cluster_ips[0]
        spec["clusterIPs"] = list(service.cluster_ips)
    if service.ports:
        ports = []
        for port in service.ports:
            entry: dict[str, Any] = {"port": port.port, "protocol": port.protocol}
            if port.name is not None:
                entry["name"] = port.name
            if port.target_port is not None:
                entry["targetPort"] = port.target_port
            if port.node_port is not None:
                entry["nodePort"] = port.node_port
            ports.append(entry)
        spec["ports"] = ports
    if service.external_traffic_policy is not None:
        spec["externalTrafficPolicy"] = service.external_traffic_policy
    status = {"loadBalancer": {"ingress": [{"ip": ip} for ip in service.load_balancer_ips]}} \
        if service.load_balancer_ips else None
    return k8s_object("Service", meta, spec=spec, status=status)


def _backend(backend: IngressBackend) -> dict[str, Any]:
    service: dict[str, Any] = {"name": backend.service_name}
    if backend.service_port is not None:
        service["port"] = _port_value(backend.service_port)
    return {"service": service}


def ingress_to_dict(ingress: Ingress) -> dict[str, Any]:
    meta = object_metadata(ingress.name, ingress.namespace, labels=ingress.labels, annotations=ingress.annotations)
    spec: dict[str, Any] = {}
    if ingress.ingress_class is not None:
        spec["ingressClassName"] = ingress.ingress_class
    backends = list(ingress.backends)
    # Only spec.defaultBackend plus the legacy spec.backend can repeat a backend; rule paths are
    # de-duplicated by the parser, so a leading duplicate pair is written in those two fields.
    if len(backends) >= 2 and backends[0] == backends[1]:
        spec["defaultBackend"] = _backend(backends[0])
        legacy: dict[str, Any] = {"serviceName": backends[1].service_name}
        if backends[1].service_port is not None:
            legacy["servicePort"] = backends[1].service_port
        spec["backend"] = legacy
        backends = backends[2:]
    if backends:
        spec["rules"] = [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": _backend(b)}
                                             for b in backends]}}]
    return k8s_object("Ingress", meta, spec=spec)


def workload_to_dict(workload: Workload) -> dict[str, Any]:
    meta = object_metadata(workload.name, workload.namespace, labels=workload.labels, annotations=workload.annotations)
    template_meta: dict[str, Any] = {}
    if workload.template_labels:
        template_meta["labels"] = dict(workload.template_labels)
    if workload.template_annotations:
        template_meta["annotations"] = dict(workload.template_annotations)
    template_spec: dict[str, Any] = {}
    if workload.template_node_selector:
        template_spec["nodeSelector"] = dict(workload.template_node_selector)
    if workload.template_host_network:
        template_spec["hostNetwork"] = True
    spec: dict[str, Any] = {}
    if workload.replicas is not None:
        spec["replicas"] = workload.replicas
    if workload.selector:
        spec["selector"] = {"matchLabels": dict(workload.selector)}
    spec["template"] = {"metadata": template_meta, "spec": template_spec}
    if workload.kind == "CronJob":
        spec = {"jobTemplate": {"spec": spec}}
    status: dict[str, Any] = {}
    for key, value in (("desiredNumberScheduled", workload.desired_scheduled),
                       ("currentNumberScheduled", workload.current_scheduled),
                       ("numberReady", workload.number_ready)):
        if value is not None:
            status[key] = value
    return k8s_object(workload.kind, meta, spec=spec, status=status)


def event_to_dict(event: Event) -> dict[str, Any]:
    meta = object_metadata(event.name, event.namespace)
    involved = {"kind": event.involved_kind, "name": event.involved_name, "namespace": event.involved_namespace}
    out = k8s_object("Event", meta, involvedObject=involved)
    out.update({"reason": event.reason, "message": event.message, "type": event.type, "count": event.count})
    if event.last_time is not None:
        out["lastTimestamp"] = event.last_time
    return out
