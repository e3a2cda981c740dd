"""Namespaces, pods, nodes, workloads and events.

The pod parser is the hot path of a 100,000-pod load; see benchmarks/load.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netpol_tui.model.objects import (
    ContainerPort,
    Event,
    Namespace,
    Node,
    NodeCondition,
    Origin,
    Pod,
    Workload,
)
from netpol_tui.model.parse_fields import (
    _INT64,
    _PROTOCOL_CONSTANTS,
    _PROTOCOL_SET,
    NAMESPACE_NAME_LABEL,
    ParseError,
    _bool,
    _cidr,
    _dict,
    _int,
    _intern,
    _interned_map,
    _ip,
    _is_ipv4,
    _list,
    _metadata,
    _port_number,
    _protocol,
    _scalar_text,
    _str,
    _string_map,
)
from netpol_tui.model.quantity import QuantityError, _cpu_millis, _memory_bytes, cpu_millis, memory_bytes

# --------------------------------------------------------------------------- core kinds


def parse_namespace(obj: Mapping[str, Any], origin: Origin | None = None) -> Namespace:
    meta, name, _ = _metadata(obj, namespaced=False)
    labels = _string_map(meta.get("labels"), "metadata.labels")
    if labels.get(NAMESPACE_NAME_LABEL) != name:
        labels = {**labels, NAMESPACE_NAME_LABEL: name}
    status = _dict(obj.get("status"), "status")
    return Namespace(name, labels, _str(status.get("phase"), "status.phase") or "Active",
                     _str(meta.get("creationTimestamp"), "metadata.creationTimestamp"), origin)


def _requests(container: dict[str, Any], where: str | int) -> tuple[int, int]:
    """A container's (cpu millis, memory bytes) requests. `where` is the container's path, or its
    index in spec.containers: the path is spelled out only for a message (the hot path of a load)."""
    resources = container.get("resources")
    if not resources:
        return 0, 0
    if type(resources) is not dict:
        resources = _dict(resources, f"{_container_path(where)}.resources")
    requests = resources.get("requests")
    if not requests:
        if requests is None or isinstance(requests, dict | list):
            return 0, 0
    if type(requests) is not dict:
        requests = _dict(requests, f"{_container_path(where)}.resources.requests")
    try:
        cpu = requests.get("cpu")
        memory = requests.get("memory")
        cpu_value = cpu_text_millis(cpu) if type(cpu) is str else 0 if cpu is None else cpu_millis(cpu)
        memory_value = (memory_text_bytes(memory) if type(memory) is str
                        else 0 if memory is None else memory_bytes(memory))
        return cpu_value, memory_value
    except QuantityError as exc:
        raise ParseError(f"{_container_path(where)}.resources.requests: {exc}") from None


#: Values already computed for the texts a cluster repeats across its pods (request quantities,
#: node IPs, container ports): a dict look-up instead of lru_cache's typed key (~0.2 us) or the IP
#: pattern (~0.5 us), and one shared ContainerPort per distinct port. Bounded: hostile input
#: with endless distinct values only stops being cached.
_CACHE_LIMIT = 65536
_CPU_TEXT: dict[str, int] = {}
_MEMORY_TEXT: dict[str, int] = {}
_IPV4_SEEN: dict[str, str] = {}
_PORT_SEEN: dict[tuple[int, str, str | None, str], ContainerPort] = {}


def shared_port(number: int, protocol: str, name: str | None, container: str) -> ContainerPort:
    """One ContainerPort per distinct (number, protocol, name, container): a cluster repeats them."""
    key = (number, protocol, name, container)
    port = _PORT_SEEN.get(key)
    if port is None:
        port = _shared(_PORT_SEEN, key, ContainerPort(number, _PROTOCOL_CONSTANTS[protocol],
                                                      _intern(name) if name else name, container))
    return port


def cpu_text_millis(text: str) -> int:
    """A CPU request's millis, each distinct text parsed once (raises QuantityError as `_cpu_millis`)."""
    value = _CPU_TEXT.get(text)
    return _shared(_CPU_TEXT, text, _cpu_millis(text)) if value is None else value


def memory_text_bytes(text: str) -> int:
    """A memory request's bytes, each distinct text parsed once (raises QuantityError)."""
    value = _MEMORY_TEXT.get(text)
    return _shared(_MEMORY_TEXT, text, _memory_bytes(text)) if value is None else value


def _shared(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
    return value


def _container_path(where: str | int) -> str:
    return where if type(where) is str else f"spec.containers[{where}]"


#: (field, path) of the container status lists whose waiting reasons a pod keeps.
_STATUS_LISTS = (("initContainerStatuses", "status.initContainerStatuses"),
                 ("containerStatuses", "status.containerStatuses"))


def _container_port(raw: Any, path: str, container: str) -> ContainerPort:
    raw = _dict(raw, path)
    return ContainerPort(_port_number(raw.get("containerPort"), f"{path}.containerPort"),
                         _protocol(raw.get("protocol"), f"{path}.protocol"),
                         _str(raw.get("name"), f"{path}.name"), container)


def parse_pod(obj: Mapping[str, Any], origin: Origin | None = None) -> Pod:
    # The hot path of a 100,000-pod load: exact type checks first, the general helpers (and
    # their error messages) only when a value is not of the usual shape.
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = obj.get("spec")
    if type(spec) is not dict:
        spec = _dict(spec, "spec")
    status = obj.get("status")
    if type(status) is not dict:
        status = _dict(status, "status")
    ports: list[ContainerPort] = []
    cpu_total = memory_total = 0
    containers = spec.get("containers")
    if type(containers) is not list:
        containers = _list(containers, "spec.containers")
    for index, container in enumerate(containers):
        if type(container) is not dict:
            container = _dict(container, f"spec.containers[{index}]")
        raw_ports = container.get("ports")
        if raw_ports:
            if type(raw_ports) is not list:
                raw_ports = _list(raw_ports, f"spec.containers[{index}].ports")
            cname = container.get("name") or ""
            if type(cname) is not str:
                cname = _str(cname, f"spec.containers[{index}].name") or ""
            cname = _intern(cname)
            for pindex, raw in enumerate(raw_ports):
                if type(raw) is dict:
                    number = raw.get("containerPort")
                    protocol = raw.get("protocol") or "TCP"
                    port_name = raw.get("name")
                    if (type(number) is int and 0 < number < 65536 and type(protocol) is str
                            and protocol in _PROTOCOL_SET and (port_name is None or type(port_name) is str)):
                        ports.append(shared_port(number, protocol, port_name, cname))
                        continue
                ports.append(_container_port(raw, f"spec.containers[{index}].ports[{pindex}]", cname))
        if container.get("resources"):
            cpu, memory = _requests(container, index)
            cpu_total += cpu
            memory_total += memory
    init_containers = spec.get("initContainers")
    if init_containers:
        for index, container in enumerate(_list(init_containers, "spec.initContainers")):
            path = f"spec.initContainers[{index}]"
            cpu, memory = _requests(_dict(container, path), path)
            cpu_total, memory_total = max(cpu_total, cpu), max(memory_total, memory)
    pod_ips: tuple[str, ...] = ()
    raw_ips = status.get("podIPs")
    if raw_ips:
        if type(raw_ips) is list and len(raw_ips) == 1 and type(raw_ips[0]) is dict:
            address = raw_ips[0].get("ip")
            if type(address) is str and _is_ipv4(address):
                pod_ips = (address,)
        if not pod_ips:
            found = []
            for index, entry in enumerate(_list(raw_ips, "status.podIPs")):
                address = entry.get("ip") if type(entry) is dict else None
                if address is not None:
                    found.append(_ip(address, f"status.podIPs[{index}].ip"))
            pod_ips = tuple(ip for ip in found if ip)
    if not pod_ips:
        single = _ip(status.get("podIP"), "status.podIP")
        if single:
            pod_ips = (single,)
    host_ip = status.get("hostIP")
    if type(host_ip) is str and host_ip in _IPV4_SEEN:
        host_ip = _IPV4_SEEN[host_ip]
    elif host_ip is not None:
        if type(host_ip) is str and _is_ipv4(host_ip):
            host_ip = _shared(_IPV4_SEEN, host_ip, _intern(host_ip))
        else:
            host_ip = _ip(host_ip, "status.hostIP")
    waiting = []
    for statuses, statuses_path in _STATUS_LISTS:
        entries = status.get(statuses)
        if not entries:
            continue
        if type(entries) is not list:
            entries = _list(entries, statuses_path)
        for entry in entries:
            state = entry.get("state") if type(entry) is dict else None
            if type(state) is dict:
                waiting_state = state.get("waiting")
                if type(waiting_state) is dict:
                    reason = waiting_state.get("reason") or "Waiting"
                    waiting.append(reason if type(reason) is str else _scalar_text(reason, "state.waiting.reason"))
    owner_kind = owner_name = None
    owners = meta.get("ownerReferences")
    if owners:
        if type(owners) is not list:
            owners = _list(owners, "metadata.ownerReferences")
        for index, owner in enumerate(owners):
            if type(owner) is dict and (owner.get("controller") in (True, "true") or len(owners) == 1):
                owner_kind, owner_name = owner.get("kind"), owner.get("name")
                if type(owner_kind) is not str or type(owner_name) is not str:
                    owner_kind = _str(owner_kind, f"metadata.ownerReferences[{index}].kind")
                    owner_name = _str(owner_name, f"metadata.ownerReferences[{index}].name")
                break
    phase = status.get("phase")
    if type(phase) is not str:
        phase = _str(phase, "status.phase", "Pending")
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is not None and (type(grace) is not int or grace not in _INT64):
        grace = _int(grace, "spec.terminationGracePeriodSeconds")
    node_name = spec.get("nodeName")
    if node_name is not None and type(node_name) is not str:
        node_name = _str(node_name, "spec.nodeName")
    uid = meta.get("uid")
    if type(uid) is not str:
        uid = _str(uid, "metadata.uid", "") or ""
    created = meta.get("creationTimestamp")
    if created is not None and type(created) is not str:
        created = _str(created, "metadata.creationTimestamp")
    deleted = meta.get("deletionTimestamp")
    if deleted is not None and type(deleted) is not str:
        deleted = _str(deleted, "metadata.deletionTimestamp")
    host_network = spec.get("hostNetwork", False)
    if type(host_network) is not bool:
        host_network = _bool(host_network, "spec.hostNetwork")
    labels = _string_map(meta.get("labels"), "metadata.labels")
    return Pod(
        name=name, namespace=_intern(namespace), labels=_interned_map(labels) if labels else labels,
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"),
        phase=_intern(phase), node_name=_intern(node_name) if node_name else node_name,
        host_network=host_network, pod_ips=pod_ips, host_ip=_intern(host_ip) if host_ip else host_ip,
        ports=tuple(ports), waiting_reasons=tuple(waiting),
        owner_kind=_intern(owner_kind) if owner_kind else owner_kind,
        owner_name=_intern(owner_name) if owner_name else owner_name,
        cpu_request_millis=cpu_total, memory_request_bytes=memory_total,
        termination_grace_period_seconds=grace, deletion_timestamp=deleted,
        creation_timestamp=_intern(created) if created else created,
        uid=uid, origin=origin,
    )


def parse_node(obj: Mapping[str, Any], origin: Origin | None = None) -> Node:
    meta, name, _ = _metadata(obj, namespaced=False)
    spec = _dict(obj.get("spec"), "spec")
    status = _dict(obj.get("status"), "status")
    conditions = tuple(
        NodeCondition(_scalar_text(c.get("type", ""), "status.conditions.type"),
                      _scalar_text(c.get("status", ""), "status.conditions.status"),
                      _str(c.get("reason"), "status.conditions.reason") or "",
                      _str(c.get("message"), "status.conditions.message") or "")
        for c in _list(status.get("conditions"), "status.conditions") if isinstance(c, dict)
    )
    allocatable = _dict(status.get("allocatable"), "status.allocatable")
    try:
        cpu = cpu_millis(allocatable["cpu"]) if allocatable.get("cpu") is not None else None
        memory = memory_bytes(allocatable["memory"]) if allocatable.get("memory") is not None else None
    except QuantityError as exc:
        raise ParseError(f"status.allocatable: {exc}") from None
    internal = external = None
    for index, address in enumerate(_list(status.get("addresses"), "status.addresses")):
        if not isinstance(address, dict):
            continue
        if address.get("type") == "InternalIP" and internal is None:
            internal = _ip(address.get("address"), f"status.addresses[{index}].address")
        elif address.get("type") == "ExternalIP" and external is None:
            external = _ip(address.get("address"), f"status.addresses[{index}].address")
    cidrs = tuple(_cidr(item, f"spec.podCIDRs[{index}]") or ""
                  for index, item in enumerate(_list(spec.get("podCIDRs"), "spec.podCIDRs")))
    if not cidrs and spec.get("podCIDR") is not None:
        cidrs = (_cidr(spec.get("podCIDR"), "spec.podCIDR") or "",)
    cidrs = tuple(cidr for cidr in cidrs if cidr)
    taints = tuple(
        (_scalar_text(t.get("key", ""), "spec.taints.key"), _str(t.get("value"), "spec.taints.value") or "",
         _scalar_text(t.get("effect", ""), "spec.taints.effect"))
        for t in _list(spec.get("taints"), "spec.taints") if isinstance(t, dict)
    )
    info = _dict(status.get("nodeInfo"), "status.nodeInfo")
    return Node(
        name=name, labels=_string_map(meta.get("labels"), "metadata.labels"),
        unschedulable=_bool(spec.get("unschedulable"), "spec.unschedulable"),
        conditions=conditions, allocatable_cpu_millis=cpu, allocatable_memory_bytes=memory,
        internal_ip=internal, external_ip=external, pod_cidrs=cidrs,
        kubelet_version=_str(info.get("kubeletVersion"), "status.nodeInfo.kubeletVersion"),
        creation_timestamp=_str(meta.get("creationTimestamp"), "metadata.creationTimestamp"),
        taints=taints, origin=origin,
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
        kind=_scalar_text(kind, "kind"), name=name, namespace=namespace,
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


#: Kinds without a namespace: their events live in "default" but the object is in none.
_CLUSTER_SCOPED = frozenset({"Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
                             "ClusterRoleBinding", "CustomResourceDefinition"})


def _involved_namespace(involved: dict[str, Any], where: str, event_namespace: str) -> str:
    written = involved.get("namespace")
    if written is not None:
        return _str(written, f"{where}.namespace") or ""
    kind = involved.get("kind")
    return "" if type(kind) is str and kind in _CLUSTER_SCOPED else event_namespace


def parse_event(obj: Mapping[str, Any], origin: Origin | None = None) -> Event:
    """core/v1 Event or events.k8s.io/v1 Event."""
    meta, name, namespace = _metadata(obj, namespaced=True)
    involved = obj.get("involvedObject")
    where = "involvedObject"
    if involved is None:
        involved, where = obj.get("regarding"), "regarding"
    involved = _dict(involved, where)
    message = obj.get("message")
    if message is None:
        message = obj.get("note")
    count = obj.get("count")
    if count is None:
        count = obj.get("deprecatedCount")
    series = obj.get("series")
    if not isinstance(series, dict):
        series = {}
    if series.get("count") is not None:
        count = series["count"]
    last = (obj.get("lastTimestamp") or obj.get("deprecatedLastTimestamp") or series.get("lastObservedTime")
            or obj.get("eventTime") or obj.get("firstTimestamp") or obj.get("deprecatedFirstTimestamp")
            or meta.get("creationTimestamp"))
    return Event(
        namespace=namespace, name=name,
        involved_kind=_str(involved.get("kind"), f"{where}.kind", "") or "",
        involved_name=_str(involved.get("name"), f"{where}.name", "") or "",
        involved_namespace=_involved_namespace(involved, where, namespace),
        reason=_str(obj.get("reason"), "reason", "") or "", message=_str(message, "message", "") or "",
        type=_str(obj.get("type"), "type", "Normal") or "Normal",
        count=_int(count, "count", 1) or 1, last_time=_str(last, "lastTimestamp"), origin=origin,
    )
