"""Parse plain kubectl / Kubernetes API / gcloud JSON dicts into model objects.

Deliberately not the kubernetes client's typed models: those reject a whole list for one
odd object and are several times slower than reading the dicts directly.

Every parser raises `ParseError` with a message fit to show the user; the sources turn it
into one `LoadProblem` line and keep going with the next object.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from netpol_tui.model.gke import (
    GkeCluster,
    GkeNodePool,
    GkeOperation,
    MaintenanceExclusion,
    MaintenancePolicy,
)
from netpol_tui.model.objects import (
    WORKLOAD_KINDS,
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
from netpol_tui.model.quantity import QuantityError, cpu_millis, memory_bytes
from netpol_tui.model.snapshot import Kind

PROTOCOLS = ("TCP", "UDP", "SCTP")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


class ParseError(ValueError):
    """An object that cannot be used; the message names the field and the problem."""


# ---------------------------------------------------------------------------- helpers


def _dict(value: Any, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{path} must be a mapping, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{path} must be a list, got {type(value).__name__}")
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _string_map(value: Any, path: str) -> dict[str, str]:
    """labels/annotations/selectors: string to string (YAML scalars are accepted as text)."""
    if not value:
        if value is None or isinstance(value, dict | list):
            return {}
    if not isinstance(value, dict):
        raise ParseError(f"{path} must be a mapping of strings, got {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            if isinstance(item, dict | list) or item is None:
                raise ParseError(f"{path}.{key} must be a string, got {type(item).__name__}")
            return {str(k): _scalar_text(v) for k, v in value.items()}
    return value


def _str(value: Any, path: str, default: str | None = None) -> str | None:
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        raise ParseError(f"{path} must be a string, got {type(value).__name__}")
    return str(value)


def _int(value: Any, path: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool):
        raise ParseError(f"{path} must be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ParseError(f"{path} must be an integer, got {value!r}"[:200])


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParseError(f"{path} must be a boolean, got {value!r}"[:200])


def _metadata(obj: Mapping[str, Any], namespaced: bool) -> tuple[dict, str, str]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        raise ParseError("metadata is missing" if meta is None else "metadata must be a mapping")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("metadata.name is missing" if name in (None, "") else "metadata.name must be a string")
    namespace = ""
    if namespaced:
        namespace = meta.get("namespace") or "default"
        if not isinstance(namespace, str):
            raise ParseError("metadata.namespace must be a string")
    return meta, name, namespace


def _port_number(value: Any, path: str) -> int:
    number = _int(value, path)
    if number is None or not 0 < number < 65536:
        raise ParseError(f"{path} must be a port number 1-65535, got {value!r}")
    return number


def _int_or_name(value: Any, path: str) -> int | str | None:
    """IntOrString ports: an int, a digit string (as an int) or a port name."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(f"{path} must be a port number or name, got a boolean")
    if isinstance(value, int):
        return _port_number(value, path)
    if isinstance(value, str):
        if value.isdigit():
            return _port_number(int(value), path)
        if not value or len(value) > 15:
            raise ParseError(f"{path} is not a valid port name: {value!r}")
        return value
    raise ParseError(f"{path} must be a port number or name, got {type(value).__name__}")


def _protocol(value: Any, path: str) -> str:
    if value is None:
        return "TCP"
    if not isinstance(value, str) or value.upper() not in PROTOCOLS:
        raise ParseError(f"{path} must be TCP, UDP or SCTP, got {value!r}")
    return value.upper()


# --------------------------------------------------------------------------- selectors


def parse_label_selector(value: Any, path: str) -> LabelSelector:
    data = _dict(value, path)
    labels = _string_map(data.get("matchLabels"), f"{path}.matchLabels")
    expressions = []
    for index, raw in enumerate(_list(data.get("matchExpressions"), f"{path}.matchExpressions")):
        where = f"{path}.matchExpressions[{index}]"
        raw = _dict(raw, where)
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            raise ParseError(f"{where}.key is missing")
        operator_text = raw.get("operator")
        try:
            operator = SelectorOperator(operator_text)
        except ValueError:
            raise ParseError(
                f"{where}.operator {operator_text!r} is not one of In, NotIn, Exists, DoesNotExist"
            ) from None
        values = tuple(_scalar_text(v) for v in _list(raw.get("values"), f"{where}.values"))
        if operator in (SelectorOperator.IN, SelectorOperator.NOT_IN) and not values:
            raise ParseError(f"{where}: operator {operator} needs at least one value")
        if operator in (SelectorOperator.EXISTS, SelectorOperator.DOES_NOT_EXIST) and values:
            raise ParseError(f"{where}: operator {operator} takes no values")
        expressions.append(LabelSelectorRequirement(key, operator, values))
    return LabelSelector(labels, tuple(expressions))


# ----------------------------------------------------------------------- NetworkPolicy


def _network(text: Any, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(text, str) or "/" not in text:
        raise ParseError(f"{path} must be a CIDR such as 10.0.0.0/8, got {text!r}")
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ParseError(f"{path} is not a valid CIDR: {text!r}") from None


def _ip_block(value: Any, path: str) -> IPBlock:
    data = _dict(value, path)
    cidr = data.get("cidr")
    network = _network(cidr, f"{path}.cidr")
    excepts = []
    for index, item in enumerate(_list(data.get("except"), f"{path}.except")):
        inner = _network(item, f"{path}.except[{index}]")
        if inner.version != network.version or not inner.subnet_of(network) or inner == network:
            raise ParseError(f"{path}.except[{index}] {item} must lie strictly inside {cidr}")
        excepts.append(item.strip())
    return IPBlock(cidr.strip(), tuple(excepts))


def _peers(value: Any, path: str) -> tuple[PolicyPeer, ...]:
    peers = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        pod = raw.get("podSelector")
        namespace = raw.get("namespaceSelector")
        block = raw.get("ipBlock")
        if block is not None and (pod is not None or namespace is not None):
            raise ParseError(f"{where}: ipBlock cannot be combined with podSelector or namespaceSelector")
        if block is None and pod is None and namespace is None:
            raise ParseError(f"{where} must set podSelector, namespaceSelector or ipBlock")
        peers.append(PolicyPeer(
            parse_label_selector(pod, f"{where}.podSelector") if pod is not None else None,
            parse_label_selector(namespace, f"{where}.namespaceSelector") if namespace is not None else None,
            _ip_block(block, f"{where}.ipBlock") if block is not None else None,
        ))
    return tuple(peers)


def _policy_ports(value: Any, path: str) -> tuple[PolicyPort, ...]:
    ports = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        port = _int_or_name(raw.get("port"), f"{where}.port")
        end_port = raw.get("endPort")
        if end_port is not None:
            end_port = _port_number(end_port, f"{where}.endPort")
            if not isinstance(port, int):
                raise ParseError(f"{where}.endPort needs a numeric port")
            if end_port < port:
                raise ParseError(f"{where}.endPort {end_port} is below port {port}")
        ports.append(PolicyPort(_protocol(raw.get("protocol"), f"{where}.protocol"), port, end_port))
    return tuple(ports)


def _rules(value: Any, path: str, peer_key: str) -> tuple[PolicyRule, ...]:
    rules = []
    for index, raw in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        raw = _dict(raw, where)
        rules.append(PolicyRule(_peers(raw.get(peer_key), f"{where}.{peer_key}"),
                                _policy_ports(raw.get("ports"), f"{where}.ports")))
    return tuple(rules)


def parse_network_policy(obj: Mapping[str, Any], origin: Origin | None = None) -> NetworkPolicy:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    if "podSelector" not in spec and obj.get("spec") is None:
        raise ParseError("spec is missing")
    pod_selector = parse_label_selector(spec.get("podSelector"), "spec.podSelector")
    ingress = _rules(spec.get("ingress"), "spec.ingress", "from")
    egress = _rules(spec.get("egress"), "spec.egress", "to")
    written = _list(spec.get("policyTypes"), "spec.policyTypes")
    if written:
        types = []
        for index, item in enumerate(written):
            if item not in ("Ingress", "Egress"):
                raise ParseError(f"spec.policyTypes[{index}] must be Ingress or Egress, got {item!r}")
            if item not in types:
                types.append(item)
        policy_types = tuple(types)
    else:
        # The API server's defaulting: Ingress always, Egress only with a non-empty egress list.
        policy_types = ("Ingress", "Egress") if egress else ("Ingress",)
    return NetworkPolicy(
        name=name, namespace=namespace, pod_selector=pod_selector, policy_types=policy_types,
        ingress=ingress, egress=egress, policy_types_written=bool(written),
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        uid=_str(meta.get("uid"), "metadata.uid", ""), creation_timestamp=meta.get("creationTimestamp"),
        origin=origin,
    )


# --------------------------------------------------------------------------- core kinds


def parse_namespace(obj: Mapping[str, Any], origin: Origin | None = None) -> Namespace:
    meta, name, _ = _metadata(obj, namespaced=False)
    labels = _string_map(meta.get("labels"), "metadata.labels")
    if labels.get(NAMESPACE_NAME_LABEL) != name:
        labels = {**labels, NAMESPACE_NAME_LABEL: name}
    status = _dict(obj.get("status"), "status")
    return Namespace(name, labels, status.get("phase") or "Active", meta.get("creationTimestamp"), origin)


def _requests(container: dict, path: str) -> tuple[int, int]:
    resources = container.get("resources")
    if not resources:
        return 0, 0
    requests = _dict(_dict(resources, f"{path}.resources").get("requests"), f"{path}.resources.requests")
    try:
        cpu = cpu_millis(requests["cpu"]) if "cpu" in requests else 0
        memory = memory_bytes(requests["memory"]) if "memory" in requests else 0
    except QuantityError as exc:
        raise ParseError(f"{path}.resources.requests: {exc}") from None
    return cpu, memory


def parse_pod(obj: Mapping[str, Any], origin: Origin | None = None) -> Pod:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    status = _dict(obj.get("status"), "status")
    ports: list[ContainerPort] = []
    cpu_total = memory_total = 0
    for index, container in enumerate(_list(spec.get("containers"), "spec.containers")):
        path = f"spec.containers[{index}]"
        container = _dict(container, path)
        cname = container.get("name") or ""
        for pindex, raw in enumerate(_list(container.get("ports"), f"{path}.ports")):
            raw = _dict(raw, f"{path}.ports[{pindex}]")
            ports.append(ContainerPort(
                _port_number(raw.get("containerPort"), f"{path}.ports[{pindex}].containerPort"),
                _protocol(raw.get("protocol"), f"{path}.ports[{pindex}].protocol"),
                raw.get("name"), cname,
            ))
        cpu, memory = _requests(container, path)
        cpu_total += cpu
        memory_total += memory
    for index, container in enumerate(_list(spec.get("initContainers"), "spec.initContainers")):
        path = f"spec.initContainers[{index}]"
        cpu, memory = _requests(_dict(container, path), path)
        cpu_total, memory_total = max(cpu_total, cpu), max(memory_total, memory)
    pod_ips: tuple[str, ...] = tuple(
        entry["ip"] for entry in _list(status.get("podIPs"), "status.podIPs")
        if isinstance(entry, dict) and isinstance(entry.get("ip"), str)
    )
    if not pod_ips and isinstance(status.get("podIP"), str):
        pod_ips = (status["podIP"],)
    waiting = []
    for statuses in ("initContainerStatuses", "containerStatuses"):
        for entry in _list(status.get(statuses), f"status.{statuses}"):
            state = entry.get("state") if isinstance(entry, dict) else None
            if isinstance(state, dict) and isinstance(state.get("waiting"), dict):
                waiting.append(state["waiting"].get("reason") or "Waiting")
    owner_kind = owner_name = None
    owners = _list(meta.get("ownerReferences"), "metadata.ownerReferences")
    for owner in owners:
        if isinstance(owner, dict) and (owner.get("controller") or len(owners) == 1):
            owner_kind, owner_name = owner.get("kind"), owner.get("name")
            break
    return Pod(
        name=name, namespace=namespace,
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        phase=_str(status.get("phase"), "status.phase", "Pending"),
        node_name=_str(spec.get("nodeName"), "spec.nodeName"),
        host_network=_bool(spec.get("hostNetwork"), "spec.hostNetwork"),
        pod_ips=pod_ips, host_ip=_str(status.get("hostIP"), "status.hostIP"),
        ports=tuple(ports), waiting_reasons=tuple(waiting),
        owner_kind=owner_kind, owner_name=owner_name,
        cpu_request_millis=cpu_total, memory_request_bytes=memory_total,
        termination_grace_period_seconds=_int(spec.get("terminationGracePeriodSeconds"),
                                              "spec.terminationGracePeriodSeconds"),
        deletion_timestamp=meta.get("deletionTimestamp"),
        creation_timestamp=meta.get("creationTimestamp"),
        uid=_str(meta.get("uid"), "metadata.uid", ""), origin=origin,
    )


def parse_node(obj: Mapping[str, Any], origin: Origin | None = None) -> Node:
    meta, name, _ = _metadata(obj, namespaced=False)
    spec = _dict(obj.get("spec"), "spec")
    status = _dict(obj.get("status"), "status")
    conditions = tuple(
        NodeCondition(str(c.get("type", "")), str(c.get("status", "")), str(c.get("reason") or ""),
                      str(c.get("message") or ""))
        for c in _list(status.get("conditions"), "status.conditions") if isinstance(c, dict)
    )
    allocatable = _dict(status.get("allocatable"), "status.allocatable")
    try:
        cpu = cpu_millis(allocatable["cpu"]) if "cpu" in allocatable else None
        memory = memory_bytes(allocatable["memory"]) if "memory" in allocatable else None
    except QuantityError as exc:
        raise ParseError(f"status.allocatable: {exc}") from None
    internal = external = None
    for address in _list(status.get("addresses"), "status.addresses"):
        if not isinstance(address, dict):
            continue
        if address.get("type") == "InternalIP" and internal is None:
            internal = address.get("address")
        elif address.get("type") == "ExternalIP" and external is None:
            external = address.get("address")
    cidrs = tuple(_list(spec.get("podCIDRs"), "spec.podCIDRs")) or (
        (spec["podCIDR"],) if isinstance(spec.get("podCIDR"), str) else ())
    taints = tuple(
        (str(t.get("key", "")), str(t.get("value") or ""), str(t.get("effect", "")))
        for t in _list(spec.get("taints"), "spec.taints") if isinstance(t, dict)
    )
    info = _dict(status.get("nodeInfo"), "status.nodeInfo")
    return Node(
        name=name, labels=_string_map(meta.get("labels"), "metadata.labels"),
        unschedulable=_bool(spec.get("unschedulable"), "spec.unschedulable"),
        conditions=conditions, allocatable_cpu_millis=cpu, allocatable_memory_bytes=memory,
        internal_ip=internal, external_ip=external, pod_cidrs=cidrs,
        kubelet_version=info.get("kubeletVersion"), creation_timestamp=meta.get("creationTimestamp"),
        taints=taints, origin=origin,
    )


def parse_service(obj: Mapping[str, Any], origin: Origin | None = None) -> Service:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    ports = []
    for index, raw in enumerate(_list(spec.get("ports"), "spec.ports")):
        path = f"spec.ports[{index}]"
        raw = _dict(raw, path)
        port = _port_number(raw.get("port"), f"{path}.port")
        target = _int_or_name(raw.get("targetPort"), f"{path}.targetPort")
        ports.append(ServicePort(port, _protocol(raw.get("protocol"), f"{path}.protocol"), raw.get("name"),
                                 target if target is not None else port,
                                 _int(raw.get("nodePort"), f"{path}.nodePort")))
    selector = spec.get("selector")
    ips = tuple(ip for ip in _list(spec.get("clusterIPs"), "spec.clusterIPs") if isinstance(ip, str))
    if not ips and isinstance(spec.get("clusterIP"), str) and spec["clusterIP"] not in ("", "None"):
        ips = (spec["clusterIP"],)
    ingress_status = _dict(_dict(obj.get("status"), "status").get("loadBalancer"), "status.loadBalancer")
    lb_ips = tuple(entry["ip"] for entry in _list(ingress_status.get("ingress"), "status.loadBalancer.ingress")
                   if isinstance(entry, dict) and isinstance(entry.get("ip"), str))
    return Service(
        name=name, namespace=namespace, type=_str(spec.get("type"), "spec.type", "ClusterIP"),
        selector=_string_map(selector, "spec.selector") if selector else None,
        ports=tuple(ports), external_traffic_policy=spec.get("externalTrafficPolicy"),
        cluster_ips=tuple(ip for ip in ips if ip != "None"), load_balancer_ips=lb_ips,
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"), origin=origin,
    )


def _backend(raw: Any, path: str) -> IngressBackend | None:
    raw = _dict(raw, path)
    if isinstance(raw.get("service"), dict):
        service = raw["service"]
        port = _dict(service.get("port"), f"{path}.service.port")
        value = port.get("number") if port.get("number") is not None else port.get("name")
        return IngressBackend(str(service.get("name", "")), _int_or_name(value, f"{path}.service.port"))
    if raw.get("serviceName"):
        return IngressBackend(str(raw["serviceName"]), _int_or_name(raw.get("servicePort"), f"{path}.servicePort"))
    return None


def parse_ingress(obj: Mapping[str, Any], origin: Origin | None = None) -> Ingress:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    backends = []
    for key in ("defaultBackend", "backend"):
        if spec.get(key) is not None:
            backend = _backend(spec[key], f"spec.{key}")
            if backend:
                backends.append(backend)
    for rindex, rule in enumerate(_list(spec.get("rules"), "spec.rules")):
        http = _dict(_dict(rule, f"spec.rules[{rindex}]").get("http"), f"spec.rules[{rindex}].http")
        for pindex, path in enumerate(_list(http.get("paths"), f"spec.rules[{rindex}].http.paths")):
            where = f"spec.rules[{rindex}].http.paths[{pindex}]"
            backend = _backend(_dict(path, where).get("backend"), f"{where}.backend")
            if backend and backend not in backends:
                backends.append(backend)
    annotations = _string_map(meta.get("annotations"), "metadata.annotations")
    return Ingress(
        name=name, namespace=namespace, backends=tuple(backends),
        ingress_class=spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class"),
        labels=_string_map(meta.get("labels"), "metadata.labels"), annotations=annotations, origin=origin,
    )


def parse_workload(obj: Mapping[str, Any], origin: Origin | None = None) -> Workload:
    kind = obj.get("kind")
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    if kind == "CronJob":
        spec = _dict(_dict(spec.get("jobTemplate"), "spec.jobTemplate").get("spec"), "spec.jobTemplate.spec")
    template = _dict(spec.get("template"), "spec.template")
    template_meta = _dict(template.get("metadata"), "spec.template.metadata")
    template_spec = _dict(template.get("spec"), "spec.template.spec")
    selector = _dict(spec.get("selector"), "spec.selector")
    status = _dict(obj.get("status"), "status")
    return Workload(
        kind=str(kind), name=name, namespace=namespace,
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        selector=_string_map(selector.get("matchLabels"), "spec.selector.matchLabels"),
        template_labels=_string_map(template_meta.get("labels"), "spec.template.metadata.labels"),
        template_annotations=_string_map(template_meta.get("annotations"), "spec.template.metadata.annotations"),
        template_node_selector=_string_map(template_spec.get("nodeSelector"), "spec.template.spec.nodeSelector"),
        template_host_network=_bool(template_spec.get("hostNetwork"), "spec.template.spec.hostNetwork"),
        replicas=_int(spec.get("replicas"), "spec.replicas"),
        desired_scheduled=_int(status.get("desiredNumberScheduled"), "status.desiredNumberScheduled"),
        current_scheduled=_int(status.get("currentNumberScheduled"), "status.currentNumberScheduled"),
        number_ready=_int(status.get("numberReady"), "status.numberReady"),
        origin=origin,
    )


def parse_event(obj: Mapping[str, Any], origin: Origin | None = None) -> Event:
    """core/v1 Event or events.k8s.io/v1 Event."""
    meta, name, namespace = _metadata(obj, namespaced=True)
    involved = obj.get("involvedObject")
    if involved is None:
        involved = obj.get("regarding")
    involved = _dict(involved, "involvedObject")
    message = obj.get("message")
    if message is None:
        message = obj.get("note")
    count = obj.get("count")
    if count is None:
        count = obj.get("deprecatedCount")
    series = obj.get("series") if isinstance(obj.get("series"), dict) else {}
    if series.get("count") is not None:
        count = series["count"]
    last = (obj.get("lastTimestamp") or obj.get("deprecatedLastTimestamp") or series.get("lastObservedTime")
            or obj.get("eventTime") or obj.get("firstTimestamp") or meta.get("creationTimestamp"))
    return Event(
        namespace=namespace, name=name,
        involved_kind=str(involved.get("kind") or ""), involved_name=str(involved.get("name") or ""),
        involved_namespace=str(involved.get("namespace") or namespace),
        reason=_str(obj.get("reason"), "reason", "") or "", message=_str(message, "message", "") or "",
        type=_str(obj.get("type"), "type", "Normal") or "Normal",
        count=_int(count, "count", 1) or 1, last_time=last, origin=origin,
    )


# ----------------------------------------------------------------------------- GKE


def _project_from_link(link: str | None) -> str | None:
    if link and "/projects/" in link:
        return link.split("/projects/", 1)[1].split("/")[0]
    return None


def parse_cluster(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeCluster:
    """A gcloud `clusters describe --format=json` document or a REST Cluster (camelCase)."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("cluster name is missing")
    addons = _dict(obj.get("addonsConfig"), "addonsConfig")
    addon = addons.get("networkPolicyConfig")
    addon_present = addon is not None
    addon = _dict(addon, "addonsConfig.networkPolicyConfig")
    policy = _dict(obj.get("networkPolicy"), "networkPolicy")
    network = _dict(obj.get("networkConfig"), "networkConfig")
    allocation = _dict(obj.get("ipAllocationPolicy"), "ipAllocationPolicy")
    private = _dict(obj.get("privateClusterConfig"), "privateClusterConfig")
    endpoints = _dict(_dict(obj.get("controlPlaneEndpointsConfig"), "controlPlaneEndpointsConfig")
                      .get("ipEndpointsConfig"), "controlPlaneEndpointsConfig.ipEndpointsConfig")
    pools = []
    for index, raw in enumerate(_list(obj.get("nodePools"), "nodePools")):
        path = f"nodePools[{index}]"
        raw = _dict(raw, path)
        config = _dict(raw.get("config"), f"{path}.config")
        scaling = _dict(raw.get("autoscaling"), f"{path}.autoscaling")
        wmc = _dict(config.get("workloadMetadataConfig"), f"{path}.config.workloadMetadataConfig")
        pools.append(GkeNodePool(
            name=str(raw.get("name") or f"pool-{index}"), version=raw.get("version"), status=raw.get("status"),
            machine_type=config.get("machineType"),
            initial_node_count=_int(raw.get("initialNodeCount"), f"{path}.initialNodeCount"),
            autoscaling_enabled=_bool(scaling.get("enabled"), f"{path}.autoscaling.enabled"),
            min_node_count=_int(scaling.get("minNodeCount"), f"{path}.autoscaling.minNodeCount"),
            max_node_count=_int(scaling.get("maxNodeCount"), f"{path}.autoscaling.maxNodeCount"),
            locations=tuple(_list(raw.get("locations"), f"{path}.locations")),
            workload_metadata_mode=wmc.get("mode") or wmc.get("nodeMetadata"),
        ))
    maintenance = None
    raw_policy = obj.get("maintenancePolicy")
    if raw_policy is not None:
        window = _dict(_dict(raw_policy, "maintenancePolicy").get("window"), "maintenancePolicy.window")
        daily = _dict(window.get("dailyMaintenanceWindow"), "maintenancePolicy.window.dailyMaintenanceWindow")
        recurring = _dict(window.get("recurringWindow"), "maintenancePolicy.window.recurringWindow")
        recurring_window = _dict(recurring.get("window"), "maintenancePolicy.window.recurringWindow.window")
        exclusions = []
        raw_exclusions = _dict(window.get("maintenanceExclusions"), "maintenancePolicy.window.maintenanceExclusions")
        for key, value in raw_exclusions.items():
            value = _dict(value, f"maintenancePolicy.window.maintenanceExclusions.{key}")
            options = _dict(value.get("maintenanceExclusionOptions"), "maintenanceExclusionOptions")
            exclusions.append(MaintenanceExclusion(str(key), value.get("startTime"), value.get("endTime"),
                                                   options.get("scope")))
        maintenance = MaintenancePolicy(
            daily_start_time=daily.get("startTime"), daily_duration=daily.get("duration"),
            recurring_start_time=recurring_window.get("startTime"),
            recurring_end_time=recurring_window.get("endTime"),
            recurrence=recurring.get("recurrence"), exclusions=tuple(exclusions),
        )
    dns = _dict(network.get("dnsConfig"), "networkConfig.dnsConfig")
    self_link = obj.get("selfLink")
    return GkeCluster(
        name=name, location=obj.get("location") or obj.get("zone"),
        project=_project_from_link(self_link), self_link=self_link, status=obj.get("status"),
        autopilot=_bool(_dict(obj.get("autopilot"), "autopilot").get("enabled"), "autopilot.enabled"),
        current_master_version=obj.get("currentMasterVersion"),
        current_node_version=obj.get("currentNodeVersion"),
        network_policy_enabled=_bool(policy.get("enabled"), "networkPolicy.enabled"),
        network_policy_provider=policy.get("provider"),
        network_policy_addon_present=addon_present,
        network_policy_addon_disabled=_bool(addon.get("disabled"), "addonsConfig.networkPolicyConfig.disabled"),
        datapath_provider=network.get("datapathProvider"),
        enable_fqdn_network_policy=_bool(network.get("enableFqdnNetworkPolicy"), "networkConfig.enableFqdnNetworkPolicy"),
        cluster_dns=dns.get("clusterDns"),
        dns_cache_enabled=_bool(_dict(addons.get("dnsCacheConfig"), "addonsConfig.dnsCacheConfig").get("enabled"),
                                "addonsConfig.dnsCacheConfig.enabled"),
        node_pools=tuple(pools), locations=tuple(_list(obj.get("locations"), "locations")),
        maintenance_policy=maintenance,
        private_endpoint=private.get("privateEndpoint"), psc_private_endpoint=endpoints.get("privateEndpoint"),
        public_endpoint=obj.get("endpoint") or endpoints.get("publicEndpoint"),
        workload_pool=_dict(obj.get("workloadIdentityConfig"), "workloadIdentityConfig").get("workloadPool"),
        pod_ipv4_cidr=allocation.get("clusterIpv4CidrBlock") or allocation.get("clusterIpv4Cidr")
        or obj.get("clusterIpv4Cidr"),
        services_ipv4_cidr=allocation.get("servicesIpv4CidrBlock") or allocation.get("servicesIpv4Cidr")
        or obj.get("servicesIpv4Cidr"),
        network=obj.get("network"), subnetwork=obj.get("subnetwork"), origin=origin,
    )


def parse_operation(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeOperation:
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("operation name is missing")
    metrics = []
    progress = _dict(obj.get("progress"), "progress")
    for raw in _list(progress.get("metrics"), "progress.metrics"):
        if isinstance(raw, dict) and raw.get("name") is not None:
            value = raw.get("intValue", raw.get("doubleValue"))
            try:
                metrics.append((str(raw["name"]), int(float(value))))
            except (TypeError, ValueError):
                continue
    return GkeOperation(
        name=name, operation_type=str(obj.get("operationType") or ""), status=str(obj.get("status") or ""),
        target_link=obj.get("targetLink"), start_time=obj.get("startTime"), end_time=obj.get("endTime"),
        status_message=obj.get("statusMessage"), progress_metrics=tuple(metrics),
        zone=obj.get("location") or obj.get("zone"), origin=origin,
    )


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
