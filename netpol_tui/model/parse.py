"""Parse plain kubectl / Kubernetes API / gcloud JSON dicts into model objects.

Deliberately not the kubernetes client's typed models: those reject a whole list for one
odd object and are several times slower than reading the dicts directly.

Every parser raises `ParseError` with a message fit to show the user; the sources turn it
into one `LoadProblem` line and keep going with the next object.
"""

from __future__ import annotations

import ipaddress
import math
import re
import sys
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
from netpol_tui.model.quantity import QuantityError, _cpu_millis, _memory_bytes, cpu_millis, memory_bytes
from netpol_tui.model.snapshot import Kind

PROTOCOLS = ("TCP", "UDP", "SCTP")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


class ParseError(ValueError):
    """An object that cannot be used; the message names the field and the problem."""


# ---------------------------------------------------------------------------- helpers

_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}
_INTEGER = re.compile(r"^\s*[-+]?[0-9]{1,18}\s*$")
_PROTOCOL_SET = frozenset(PROTOCOLS)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: Dotted-quad IPv4 exactly as ipaddress accepts it, ~10x faster; anything else goes to ipaddress.
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_is_ipv4 = _IPV4.fullmatch
_intern = sys.intern
_PROTOCOL_CONSTANTS = {protocol: protocol for protocol in PROTOCOLS}


def _interned_map(value: dict[str, str]) -> dict[str, str]:
    """The same map with its values replaced by shared strings (equal, so nobody can tell).

    100,000 pods repeat a few hundred namespaces, node names and label values: sharing the
    strings keeps a loaded snapshot about a third smaller (see benchmarks/load.md). The map is
    the freshly decoded one, so updating it in place is cheaper than building a new one.
    """
    for key, item in value.items():
        value[key] = _intern(item)
    return value


def _type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value)) or getattr(value, "type_name", None) or type(value).__name__


def _show(value: Any, limit: int = 60) -> str:
    """repr() for messages, cut short: hostile input must not become a megabyte-long problem line."""
    if type(value) is int and not -10**limit < value < 10**limit:
        return "a number of more than 60 digits"  # repr() of a huge int is slow or refused
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _key(key: Any) -> str:
    """A mapping key as a path segment: as written when plain, else quoted and cut short."""
    text = _scalar_text(key) if isinstance(key, str | int | float) else repr(key)
    return text if len(text) <= 60 and text.isprintable() else _show(text)


def _dict(value: Any, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{path} must be a mapping, got {_type(value)}")
    return value


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{path} must be a list, got {_type(value)}")
    return value


def _scalar_text(value: Any, path: str = "value") -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise ParseError(f"{path} must be a string, got {_type(value)}")
    return str(value)


def _string_map(value: Any, path: str) -> dict[str, str]:
    """labels/annotations/selectors: string to string (YAML scalars are accepted as text)."""
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str or type(item) is not str:
                return _coerced_map(value, path)
        return value
    if value is None or (not value and isinstance(value, dict | list)):
        return {}
    if isinstance(value, dict):
        return _coerced_map(value, path)
    raise ParseError(f"{path} must be a mapping of strings, got {_type(value)}")


def _coerced_map(value: dict, path: str) -> dict[str, str]:
    out = {}
    for key, item in value.items():
        if isinstance(item, dict | list) or item is None:
            raise ParseError(f"{path}.{_key(key)} must be a string, got {_type(item)}")
        out[_scalar_text(key, f"{path} key")] = _scalar_text(item, f"{path}.{_key(key)}")
    return out


def _str(value: Any, path: str, default: str | None = None) -> str | None:
    if value is None:
        return default
    if type(value) is str:
        return value
    if isinstance(value, bool | dict | list) or not isinstance(value, int | float | str):
        raise ParseError(f"{path} must be a string, got {_type(value)}")
    return str(value)


#: Kubernetes and GKE integers are int64 at most; a bigger number is not from an API server.
_INT64 = range(-(2**63), 2**63)


def _int(value: Any, path: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if type(value) is int:
        if value in _INT64:
            return value
        raise ParseError(f"{path} is out of range: {_show(value)}")
    if isinstance(value, bool):
        raise ParseError(f"{path} must be an integer, got a boolean")
    if isinstance(value, int):
        return _int(int(value), path)
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    raise ParseError(f"{path} must be an integer, got {_show(value)}")


def _bool(value: Any, path: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParseError(f"{path} must be a boolean, got {_show(value)}")


def _ip(value: Any, path: str) -> str | None:
    """An IP address as written; None when absent. Bad text is an error, not a silent miss."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ParseError(f"{path} must be an IP address, got {_type(value)}")
    if _IPV4.fullmatch(value):
        return value
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ParseError(f"{path} is not an IP address: {_show(value)}") from None
    return value


def _cidr(value: Any, path: str) -> str | None:
    """A CIDR as written (cluster ranges, node pod CIDRs); None when absent."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise ParseError(f"{path} must be a CIDR such as 10.0.0.0/14, got {_type(value)}")
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ParseError(f"{path} is not a valid CIDR: {_show(value)}") from None
    return value


def _str_tuple(value: Any, path: str) -> tuple[str, ...]:
    return tuple(_scalar_text(item, f"{path}[{index}]") for index, item in enumerate(_list(value, path)))


def _metadata(obj: Mapping[str, Any], namespaced: bool) -> tuple[dict, str, str]:
    meta = obj.get("metadata")
    if type(meta) is not dict:
        raise ParseError("metadata is missing" if meta is None else f"metadata must be a mapping, got {_type(meta)}")
    name = meta.get("name")
    if type(name) is not str or not name:
        raise ParseError("metadata.name is missing" if name is None or name == ""
                         else f"metadata.name must be a string, got {_type(name)}")
    namespace = ""
    if namespaced:
        namespace = meta.get("namespace") or "default"
        if type(namespace) is not str:
            raise ParseError(f"metadata.namespace must be a string, got {_type(namespace)}")
    return meta, name, namespace


def _port_number(value: Any, path: str) -> int:
    if type(value) is int and 0 < value < 65536:
        return value
    number = _int(value, path)
    if number is None or not 0 < number < 65536:
        raise ParseError(f"{path} must be a port number 1-65535, got {_show(value)}")
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
        if value.isascii() and value.isdigit():
            if len(value) > 5:
                raise ParseError(f"{path} must be a port number 1-65535, got {_show(value)}")
            return _port_number(int(value), path)
        if not value or len(value) > 15:
            raise ParseError(f"{path} is not a valid port name: {_show(value)}")
        return value
    raise ParseError(f"{path} must be a port number or name, got {_type(value)}")


def _protocol(value: Any, path: str) -> str:
    if value is None:
        return "TCP"
    if type(value) is str and value in _PROTOCOL_SET:
        return value
    if not isinstance(value, str) or value.upper() not in _PROTOCOL_SET:
        raise ParseError(f"{path} must be TCP, UDP or SCTP, got {_show(value)}")
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
            raise ParseError(f"{where}.key is missing" if key is None or key == ""
                             else f"{where}.key must be a string, got {_type(key)}")
        operator_text = raw.get("operator")
        try:
            operator = SelectorOperator(operator_text)
        except (ValueError, TypeError):
            raise ParseError(
                f"{where}.operator {_show(operator_text)} is not one of In, NotIn, Exists, DoesNotExist"
            ) from None
        values = tuple(_scalar_text(v, f"{where}.values[{i}]")
                       for i, v in enumerate(_list(raw.get("values"), f"{where}.values")))
        if operator in (SelectorOperator.IN, SelectorOperator.NOT_IN) and not values:
            raise ParseError(f"{where}: operator {operator} needs at least one value")
        if operator in (SelectorOperator.EXISTS, SelectorOperator.DOES_NOT_EXIST) and values:
            raise ParseError(f"{where}: operator {operator} takes no values")
        expressions.append(LabelSelectorRequirement(key, operator, values))
    return LabelSelector(labels, tuple(expressions))


# ----------------------------------------------------------------------- NetworkPolicy


def _network(text: Any, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not isinstance(text, str) or "/" not in text:
        raise ParseError(f"{path} must be a CIDR such as 10.0.0.0/8, got {_show(text)}")
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ParseError(f"{path} is not a valid CIDR: {_show(text)}") from None


def _ip_block(value: Any, path: str) -> IPBlock:
    data = _dict(value, path)
    cidr = data.get("cidr")
    network = _network(cidr, f"{path}.cidr")
    excepts = []
    for index, item in enumerate(_list(data.get("except"), f"{path}.except")):
        inner = _network(item, f"{path}.except[{index}]")
        if inner.version != network.version or not inner.subnet_of(network) or inner == network:
            raise ParseError(f"{path}.except[{index}] {_show(item)} must lie strictly inside {_show(cidr)}")
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
    if obj.get("spec") is None:
        raise ParseError("spec is missing")
    spec = _dict(obj.get("spec"), "spec")
    # A missing podSelector decodes as the empty selector on the API server too: all pods.
    pod_selector = parse_label_selector(spec.get("podSelector"), "spec.podSelector")
    ingress = _rules(spec.get("ingress"), "spec.ingress", "from")
    egress = _rules(spec.get("egress"), "spec.egress", "to")
    written = _list(spec.get("policyTypes"), "spec.policyTypes")
    if written:
        types = []
        for index, item in enumerate(written):
            if item not in ("Ingress", "Egress"):
                raise ParseError(f"spec.policyTypes[{index}] must be Ingress or Egress, got {_show(item)}")
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
        uid=_str(meta.get("uid"), "metadata.uid", "") or "",
        creation_timestamp=_str(meta.get("creationTimestamp"), "metadata.creationTimestamp"),
        origin=origin,
    )


# --------------------------------------------------------------------------- core kinds


def parse_namespace(obj: Mapping[str, Any], origin: Origin | None = None) -> Namespace:
    meta, name, _ = _metadata(obj, namespaced=False)
    labels = _string_map(meta.get("labels"), "metadata.labels")
    if labels.get(NAMESPACE_NAME_LABEL) != name:
        labels = {**labels, NAMESPACE_NAME_LABEL: name}
    status = _dict(obj.get("status"), "status")
    return Namespace(name, labels, _str(status.get("phase"), "status.phase") or "Active",
                     _str(meta.get("creationTimestamp"), "metadata.creationTimestamp"), origin)


def _requests(container: dict, path: str) -> tuple[int, int]:
    resources = container.get("resources")
    if not resources:
        return 0, 0
    if type(resources) is not dict:
        resources = _dict(resources, f"{path}.resources")
    requests = resources.get("requests")
    if not requests:
        if requests is None or isinstance(requests, dict | list):
            return 0, 0
    if type(requests) is not dict:
        requests = _dict(requests, f"{path}.resources.requests")
    try:
        cpu = requests.get("cpu")
        memory = requests.get("memory")
        return ((0 if cpu is None else _cpu_millis(cpu) if type(cpu) is str else cpu_millis(cpu)),
                (0 if memory is None else _memory_bytes(memory) if type(memory) is str else memory_bytes(memory)))
    except QuantityError as exc:
        raise ParseError(f"{path}.resources.requests: {exc}") from None


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
                        ports.append(ContainerPort(number, _PROTOCOL_CONSTANTS[protocol],
                                                   _intern(port_name) if port_name else port_name, cname))
                        continue
                ports.append(_container_port(raw, f"spec.containers[{index}].ports[{pindex}]", cname))
        if container.get("resources"):
            cpu, memory = _requests(container, f"spec.containers[{index}]")
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
    if host_ip is not None and not (type(host_ip) is str and _is_ipv4(host_ip)):
        host_ip = _ip(host_ip, "status.hostIP")
    waiting = []
    for statuses in ("initContainerStatuses", "containerStatuses"):
        entries = status.get(statuses)
        if not entries:
            continue
        for entry in _list(entries, f"status.{statuses}"):
            state = entry.get("state") if type(entry) is dict else None
            if type(state) is dict:
                waiting_state = state.get("waiting")
                if type(waiting_state) is dict:
                    reason = waiting_state.get("reason") or "Waiting"
                    waiting.append(reason if type(reason) is str else _scalar_text(reason, "state.waiting.reason"))
    owner_kind = owner_name = None
    owners = meta.get("ownerReferences")
    if owners:
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


def parse_service(obj: Mapping[str, Any], origin: Origin | None = None) -> Service:
    meta, name, namespace = _metadata(obj, namespaced=True)
    spec = _dict(obj.get("spec"), "spec")
    ports = []
    for index, raw in enumerate(_list(spec.get("ports"), "spec.ports")):
        path = f"spec.ports[{index}]"
        raw = _dict(raw, path)
        port = _port_number(raw.get("port"), f"{path}.port")
        target = _int_or_name(raw.get("targetPort"), f"{path}.targetPort")
        node_port = raw.get("nodePort")
        ports.append(ServicePort(port, _protocol(raw.get("protocol"), f"{path}.protocol"),
                                 _str(raw.get("name"), f"{path}.name"),
                                 target if target is not None else port,
                                 _port_number(node_port, f"{path}.nodePort") if node_port else None))
    selector = spec.get("selector")
    ips = tuple(_ip(ip, f"spec.clusterIPs[{index}]") or "" for index, ip in
                enumerate(_list(spec.get("clusterIPs"), "spec.clusterIPs")) if ip not in ("", "None"))
    if not ips and spec.get("clusterIP") not in (None, "", "None"):
        ips = (_ip(spec.get("clusterIP"), "spec.clusterIP") or "",)
    ingress_status = _dict(_dict(obj.get("status"), "status").get("loadBalancer"), "status.loadBalancer")
    lb_ips = tuple(_ip(entry["ip"], f"status.loadBalancer.ingress[{index}].ip") or ""
                   for index, entry in enumerate(_list(ingress_status.get("ingress"), "status.loadBalancer.ingress"))
                   if isinstance(entry, dict) and entry.get("ip") is not None)
    return Service(
        name=name, namespace=namespace, type=_str(spec.get("type"), "spec.type", "ClusterIP") or "ClusterIP",
        selector=_string_map(selector, "spec.selector") if selector else None,
        ports=tuple(ports),
        external_traffic_policy=_str(spec.get("externalTrafficPolicy"), "spec.externalTrafficPolicy"),
        cluster_ips=tuple(ip for ip in ips if ip), load_balancer_ips=tuple(ip for ip in lb_ips if ip),
        labels=_string_map(meta.get("labels"), "metadata.labels"),
        annotations=_string_map(meta.get("annotations"), "metadata.annotations"), origin=origin,
    )


def _backend(raw: Any, path: str) -> IngressBackend | None:
    raw = _dict(raw, path)
    if raw.get("service") is not None:
        service = _dict(raw["service"], f"{path}.service")
        port = _dict(service.get("port"), f"{path}.service.port")
        value = port.get("number") if port.get("number") is not None else port.get("name")
        return IngressBackend(_str(service.get("name"), f"{path}.service.name", "") or "",
                              _int_or_name(value, f"{path}.service.port"))
    if raw.get("serviceName"):
        return IngressBackend(_str(raw["serviceName"], f"{path}.serviceName") or "",
                              _int_or_name(raw.get("servicePort"), f"{path}.servicePort"))
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
        ingress_class=_str(spec.get("ingressClassName"), "spec.ingressClassName")
        or annotations.get("kubernetes.io/ingress.class"),
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


def _involved_namespace(involved: dict, where: str, event_namespace: str) -> str:
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
    series = obj.get("series") if isinstance(obj.get("series"), dict) else {}
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


# ----------------------------------------------------------------------------- GKE


def _project_from_link(link: str | None) -> str | None:
    if link and "/projects/" in link:
        return link.split("/projects/", 1)[1].split("/")[0] or None
    return None


def _maintenance(raw_policy: Any) -> MaintenancePolicy:
    base = "maintenancePolicy.window"
    window = _dict(_dict(raw_policy, "maintenancePolicy").get("window"), base)
    daily = _dict(window.get("dailyMaintenanceWindow"), f"{base}.dailyMaintenanceWindow")
    recurring = _dict(window.get("recurringWindow"), f"{base}.recurringWindow")
    recurring_window = _dict(recurring.get("window"), f"{base}.recurringWindow.window")
    exclusions = []
    raw_exclusions = _dict(window.get("maintenanceExclusions"), f"{base}.maintenanceExclusions")
    for key, value in raw_exclusions.items():
        where = f"{base}.maintenanceExclusions.{_key(key)}"
        value = _dict(value, where)
        options = _dict(value.get("maintenanceExclusionOptions"), f"{where}.maintenanceExclusionOptions")
        exclusions.append(MaintenanceExclusion(
            _scalar_text(key), _str(value.get("startTime"), f"{where}.startTime"),
            _str(value.get("endTime"), f"{where}.endTime"),
            _str(options.get("scope"), f"{where}.maintenanceExclusionOptions.scope")))
    return MaintenancePolicy(
        daily_start_time=_str(daily.get("startTime"), f"{base}.dailyMaintenanceWindow.startTime"),
        daily_duration=_str(daily.get("duration"), f"{base}.dailyMaintenanceWindow.duration"),
        recurring_start_time=_str(recurring_window.get("startTime"), f"{base}.recurringWindow.window.startTime"),
        recurring_end_time=_str(recurring_window.get("endTime"), f"{base}.recurringWindow.window.endTime"),
        recurrence=_str(recurring.get("recurrence"), f"{base}.recurringWindow.recurrence"),
        exclusions=tuple(exclusions),
    )


def _node_pool(raw: Any, index: int) -> GkeNodePool:
    path = f"nodePools[{index}]"
    raw = _dict(raw, path)
    config = _dict(raw.get("config"), f"{path}.config")
    scaling = _dict(raw.get("autoscaling"), f"{path}.autoscaling")
    wmc = _dict(config.get("workloadMetadataConfig"), f"{path}.config.workloadMetadataConfig")
    mode = wmc.get("mode") if wmc.get("mode") is not None else wmc.get("nodeMetadata")
    return GkeNodePool(
        name=_str(raw.get("name"), f"{path}.name") or f"pool-{index}",
        version=_str(raw.get("version"), f"{path}.version"), status=_str(raw.get("status"), f"{path}.status"),
        machine_type=_str(config.get("machineType"), f"{path}.config.machineType"),
        initial_node_count=_int(raw.get("initialNodeCount"), f"{path}.initialNodeCount"),
        autoscaling_enabled=_bool(scaling.get("enabled"), f"{path}.autoscaling.enabled"),
        min_node_count=_int(scaling.get("minNodeCount"), f"{path}.autoscaling.minNodeCount"),
        max_node_count=_int(scaling.get("maxNodeCount"), f"{path}.autoscaling.maxNodeCount"),
        locations=_str_tuple(raw.get("locations"), f"{path}.locations"),
        workload_metadata_mode=_str(mode, f"{path}.config.workloadMetadataConfig.mode"),
    )


def parse_cluster(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeCluster:
    """A gcloud `clusters describe --format=json` document or a REST Cluster (camelCase)."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("cluster name is missing" if name is None or name == ""
                         else f"cluster name must be a string, got {_type(name)}")
    addons = _dict(obj.get("addonsConfig"), "addonsConfig")
    addon = addons.get("networkPolicyConfig")
    addon_present = addon is not None
    addon = _dict(addon, "addonsConfig.networkPolicyConfig")
    policy = _dict(obj.get("networkPolicy"), "networkPolicy")
    network = _dict(obj.get("networkConfig"), "networkConfig")
    # The API leaves false and empty fields out, so a missing `networkPolicy` means "off" only in a
    # whole document (which always has addonsConfig); in a trimmed one it is unknown.
    setting_known = obj.get("networkPolicy") is not None or obj.get("addonsConfig") is not None
    allocation = _dict(obj.get("ipAllocationPolicy"), "ipAllocationPolicy")
    private = _dict(obj.get("privateClusterConfig"), "privateClusterConfig")
    endpoints = _dict(_dict(obj.get("controlPlaneEndpointsConfig"), "controlPlaneEndpointsConfig")
                      .get("ipEndpointsConfig"), "controlPlaneEndpointsConfig.ipEndpointsConfig")
    pools = tuple(_node_pool(raw, index) for index, raw in enumerate(_list(obj.get("nodePools"), "nodePools")))
    raw_policy = obj.get("maintenancePolicy")
    maintenance = _maintenance(raw_policy) if raw_policy is not None else None
    dns = _dict(network.get("dnsConfig"), "networkConfig.dnsConfig")
    self_link = _str(obj.get("selfLink"), "selfLink")

    def first(*candidates: tuple[Any, str]) -> str | None:
        for value, path in candidates:
            if value:
                return _str(value, path)
        return None

    pod_range = first((allocation.get("clusterIpv4CidrBlock"), "ipAllocationPolicy.clusterIpv4CidrBlock"),
                      (allocation.get("clusterIpv4Cidr"), "ipAllocationPolicy.clusterIpv4Cidr"),
                      (obj.get("clusterIpv4Cidr"), "clusterIpv4Cidr"))
    service_range = first((allocation.get("servicesIpv4CidrBlock"), "ipAllocationPolicy.servicesIpv4CidrBlock"),
                          (allocation.get("servicesIpv4Cidr"), "ipAllocationPolicy.servicesIpv4Cidr"),
                          (obj.get("servicesIpv4Cidr"), "servicesIpv4Cidr"))
    return GkeCluster(
        name=name, location=first((obj.get("location"), "location"), (obj.get("zone"), "zone")),
        project=_project_from_link(self_link), self_link=self_link, status=_str(obj.get("status"), "status"),
        autopilot=_bool(_dict(obj.get("autopilot"), "autopilot").get("enabled"), "autopilot.enabled"),
        current_master_version=_str(obj.get("currentMasterVersion"), "currentMasterVersion"),
        current_node_version=_str(obj.get("currentNodeVersion"), "currentNodeVersion"),
        network_policy_enabled=_bool(policy.get("enabled"), "networkPolicy.enabled") if setting_known else None,
        network_policy_provider=_str(policy.get("provider"), "networkPolicy.provider"),
        network_policy_addon_present=addon_present,
        network_policy_addon_disabled=_bool(addon.get("disabled"), "addonsConfig.networkPolicyConfig.disabled"),
        addons_config_present=obj.get("addonsConfig") is not None,
        network_config_present=obj.get("networkConfig") is not None,
        datapath_provider=_str(network.get("datapathProvider"), "networkConfig.datapathProvider"),
        enable_fqdn_network_policy=_bool(network.get("enableFqdnNetworkPolicy"),
                                         "networkConfig.enableFqdnNetworkPolicy"),
        cluster_dns=_str(dns.get("clusterDns"), "networkConfig.dnsConfig.clusterDns"),
        dns_cache_enabled=_bool(_dict(addons.get("dnsCacheConfig"), "addonsConfig.dnsCacheConfig").get("enabled"),
                                "addonsConfig.dnsCacheConfig.enabled"),
        node_pools=pools, locations=_str_tuple(obj.get("locations"), "locations"),
        maintenance_policy=maintenance,
        private_endpoint=_ip(private.get("privateEndpoint"), "privateClusterConfig.privateEndpoint"),
        psc_private_endpoint=_ip(endpoints.get("privateEndpoint"),
                                 "controlPlaneEndpointsConfig.ipEndpointsConfig.privateEndpoint"),
        public_endpoint=first((obj.get("endpoint"), "endpoint"),
                              (endpoints.get("publicEndpoint"), "controlPlaneEndpointsConfig.ipEndpointsConfig"
                                                                ".publicEndpoint")),
        workload_pool=_str(_dict(obj.get("workloadIdentityConfig"), "workloadIdentityConfig").get("workloadPool"),
                           "workloadIdentityConfig.workloadPool"),
        pod_ipv4_cidr=_cidr(pod_range, "pod range (ipAllocationPolicy.clusterIpv4CidrBlock)"),
        services_ipv4_cidr=_cidr(service_range, "Service range (ipAllocationPolicy.servicesIpv4CidrBlock)"),
        network=_str(obj.get("network"), "network"), subnetwork=_str(obj.get("subnetwork"), "subnetwork"),
        origin=origin,
    )


def _metric_value(raw: dict) -> int | None:
    """progress.metrics values: intValue is an int64 as a JSON string; doubleValue a number."""
    value = raw.get("intValue", raw.get("doubleValue"))
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return int(number)


def parse_operation(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeOperation:
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("operation name is missing" if name is None or name == ""
                         else f"operation name must be a string, got {_type(name)}")
    metrics = []
    progress = _dict(obj.get("progress"), "progress")
    for raw in _list(progress.get("metrics"), "progress.metrics"):
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            value = _metric_value(raw)
            if value is not None:
                metrics.append((raw["name"], value))
    return GkeOperation(
        name=name, operation_type=_str(obj.get("operationType"), "operationType", "") or "",
        status=_str(obj.get("status"), "status", "") or "",
        target_link=_str(obj.get("targetLink"), "targetLink"), start_time=_str(obj.get("startTime"), "startTime"),
        end_time=_str(obj.get("endTime"), "endTime"), status_message=_str(obj.get("statusMessage"), "statusMessage"),
        progress_metrics=tuple(metrics),
        zone=_str(obj.get("location"), "location") if obj.get("location") else _str(obj.get("zone"), "zone"),
        origin=origin,
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
