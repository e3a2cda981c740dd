"""Pod Lists decoded into msgspec Structs, and a pod parser for the usual shape of those Structs.

The typed decode of `typed_decode` gives trimmed dicts that `parse_pod` then validates field by
field. Here the same trimmed schema is a set of `msgspec.Struct`s (cheaper to build, read and
free than dicts), accepting exactly what the TypedDict schema accepts (every leaf a JSON scalar or
absent, every container the type the API gives), and `fast_pod` builds the model's Pod straight
from them for a pod of the usual shape. It does not validate anything differently: for every value
it does not accept as is (a number where a string belongs, a label that is not text, a bad IP or
quantity, a missing name, anything raising), it returns None and the caller parses that one pod
with `parse_pod` on `as_mapping(struct)`, the very dict the TypedDict decode would have given, so
problems and messages stay the ones `parse_pod` writes. tests/model/test_pod_structs.py checks,
pod for pod, that both roads give equal Pods and that the clean synthetic pods take the fast one.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

import msgspec
from msgspec import UNSET, UnsetType

from netpol_tui.model.construct import positional_constructor
from netpol_tui.model.objects import ContainerPort, Origin, Pod
from netpol_tui.model.parse_core import _IPV4_SEEN, _shared, cpu_text_millis, memory_text_bytes, shared_port
from netpol_tui.model.parse_fields import _INT64, _PROTOCOL_SET, _intern, _ip, _is_ipv4

_Int = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
#: A JSON scalar or absent (UNSET): as typed_decode's _Scalar, with missing keys kept apart from null.
_S = Union[_Int, float, str, bool, None, UnsetType]  # noqa: UP007  (msgspec reads the typing form)
_Map = Union[dict[str, Union[_Int, float, str, bool, None]], None, UnsetType]  # noqa: UP007


class _Base(msgspec.Struct, gc=False):
    """No reference cycles are possible: the collector need not track these."""


class _OwnerReference(_Base):
    kind: _S = UNSET
    name: _S = UNSET
    controller: _S = UNSET


class _ObjectMeta(_Base):
    name: _S = UNSET
    namespace: _S = UNSET
    labels: _Map = UNSET
    annotations: _Map = UNSET
    uid: _S = UNSET
    creationTimestamp: _S = UNSET
    deletionTimestamp: _S = UNSET
    ownerReferences: Union[list[_OwnerReference], None, UnsetType] = UNSET  # noqa: UP007


class _ContainerPort(_Base):
    containerPort: _S = UNSET
    protocol: _S = UNSET
    name: _S = UNSET


class _Resources(_Base):
    requests: _Map = UNSET


class _Container(_Base):
    name: _S = UNSET
    ports: Union[list[_ContainerPort], None, UnsetType] = UNSET  # noqa: UP007
    resources: Union[_Resources, None, UnsetType] = UNSET  # noqa: UP007


class _PodSpec(_Base):
    containers: Union[list[_Container], None, UnsetType] = UNSET  # noqa: UP007
    initContainers: Union[list[_Container], None, UnsetType] = UNSET  # noqa: UP007
    nodeName: _S = UNSET
    hostNetwork: _S = UNSET
    terminationGracePeriodSeconds: _S = UNSET


class _PodIP(_Base):
    ip: _S = UNSET


class _Waiting(_Base):
    reason: _S = UNSET


class _ContainerState(_Base):
    waiting: Union[_Waiting, None, UnsetType] = UNSET  # noqa: UP007


class _ContainerStatus(_Base):
    state: Union[_ContainerState, None, UnsetType] = UNSET  # noqa: UP007


class _PodStatus(_Base):
    podIPs: Union[list[_PodIP], None, UnsetType] = UNSET  # noqa: UP007
    podIP: _S = UNSET
    hostIP: _S = UNSET
    phase: _S = UNSET
    containerStatuses: Union[list[_ContainerStatus], None, UnsetType] = UNSET  # noqa: UP007
    initContainerStatuses: Union[list[_ContainerStatus], None, UnsetType] = UNSET  # noqa: UP007


class PodStruct(_Base):
    apiVersion: _S = UNSET
    kind: _S = UNSET
    metadata: Union[_ObjectMeta, None, UnsetType] = UNSET  # noqa: UP007
    spec: Union[_PodSpec, None, UnsetType] = UNSET  # noqa: UP007
    status: Union[_PodStatus, None, UnsetType] = UNSET  # noqa: UP007


class _ListMeta(_Base):
    """As typed_decode's _ListMeta, so that the same Lists are accepted."""

    continue_: _S = msgspec.field(default=UNSET, name="continue")
    remainingItemCount: _S = UNSET
    resourceVersion: _S = UNSET


class _PodList(_Base):
    apiVersion: _S = UNSET
    kind: _S = UNSET
    metadata: Union[_ListMeta, None, UnsetType] = UNSET  # noqa: UP007
    items: Union[list[PodStruct], None, UnsetType] = UNSET  # noqa: UP007


_DECODER = msgspec.json.Decoder(_PodList)
_REFUSED = (msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError, ValueError)


def decode_pod_structs(data: bytes) -> tuple[str, list[PodStruct]] | None:
    """(the List's kind, its pods) of a JSON List of pods, or None when the typed decode refuses
    the bytes or the document is not a List of pods only (decode it the generic way then).
    Accepts and refuses exactly what `typed_decode.decode_list(data, "Pod")` does."""
    try:
        if not data.isascii():
            data.decode("utf-8")  # msgspec does not look inside skipped parts (see typed_decode)
        document = _DECODER.decode(data)
    except _REFUSED:
        return None
    kind, items = document.kind, document.items
    if type(kind) is not str or not kind.endswith("List") or type(items) is not list:
        return None
    own = kind[:-4] if kind != "List" else None
    for item in items:
        if (item.kind or own) != "Pod":  # UNSET is false, like a missing key
            return None
    return kind, items


def as_mapping(pod: PodStruct) -> dict[str, Any]:
    """The pod as the TypedDict decode gives it (absent keys absent): what `parse_pod` reads."""
    mapping: dict[str, Any] = msgspec.to_builtins(pod)
    return mapping


_make_pod = positional_constructor(Pod)
make_origin = positional_constructor(Origin)


def fast_pod(pod: PodStruct, origin: Origin | None) -> Pod | None:
    """The Pod `parse_pod(as_mapping(pod), origin)` returns, for a pod of the usual shape; None
    for any other (parse it with parse_pod then). Never raises for a PodStruct."""
    try:
        return _fast_pod(pod, origin)
    except Exception:  # a bad quantity or IP, or anything unexpected: parse_pod reports it
        return None


def _fast_pod(pod: PodStruct, origin: Origin | None) -> Pod | None:
    meta = pod.metadata
    spec = pod.spec
    status = pod.status
    if type(meta) is not _ObjectMeta or type(spec) is not _PodSpec or type(status) is not _PodStatus:
        return None
    name = meta.name
    if type(name) is not str or not name:
        return None
    namespace = meta.namespace
    if type(namespace) is not str:
        if namespace is not UNSET and namespace is not None:
            return None
        namespace = "default"
    elif not namespace:
        namespace = "default"
    ports: list[ContainerPort] = []
    cpu_total = memory_total = 0
    containers = spec.containers
    if containers:
        for container in containers:
            raw_ports = container.ports
            if raw_ports:
                cname = container.name
                if type(cname) is not str:
                    if cname is not UNSET and cname is not None:
                        return None
                    cname = ""
                cname = _intern(cname)
                for raw in raw_ports:
                    number = raw.containerPort
                    protocol = raw.protocol or "TCP"
                    port_name = raw.name
                    if port_name is UNSET:
                        port_name = None
                    if not (type(number) is int and 0 < number < 65536 and type(protocol) is str
                            and protocol in _PROTOCOL_SET and (port_name is None or type(port_name) is str)):
                        return None
                    ports.append(shared_port(number, protocol, port_name, cname))
            resources = container.resources
            if resources:
                requests = resources.requests
                if requests:
                    cpu, memory = _requests(requests)
                    cpu_total += cpu
                    memory_total += memory
    init_containers = spec.initContainers
    if init_containers:
        for container in init_containers:
            resources = container.resources
            if resources:
                requests = resources.requests
                if requests:
                    cpu, memory = _requests(requests)
                    cpu_total, memory_total = max(cpu_total, cpu), max(memory_total, memory)
    pod_ips: tuple[str, ...] = ()
    raw_ips = status.podIPs
    if raw_ips:
        if len(raw_ips) == 1:
            address = raw_ips[0].ip
            if type(address) is str and _is_ipv4(address):
                pod_ips = (address,)
        if not pod_ips:
            found = []
            for entry in raw_ips:
                address = entry.ip
                if address is not UNSET and address is not None:
                    if type(address) is not str:
                        return None
                    found.append(_ip(address, "status.podIPs.ip"))  # raises (fallback) when bad
            pod_ips = tuple(ip for ip in found if ip)
    if not pod_ips:
        single = status.podIP
        if single is not UNSET and single is not None:
            if type(single) is not str:
                return None
            single = _ip(single, "status.podIP")
            if single:
                pod_ips = (single,)
    host_ip = status.hostIP
    if type(host_ip) is str:
        seen = _IPV4_SEEN.get(host_ip)
        if seen is not None:
            host_ip = seen
        elif _is_ipv4(host_ip):
            host_ip = _shared(_IPV4_SEEN, host_ip, _intern(host_ip))
        else:
            host_ip = _ip(host_ip, "status.hostIP")
            if host_ip:
                host_ip = _intern(host_ip)
    elif host_ip is UNSET or host_ip is None:
        host_ip = None
    else:
        return None
    waiting: list[str] = []
    for entries in (status.initContainerStatuses, status.containerStatuses):
        if entries:
            for container_status in entries:
                state = container_status.state
                if state:
                    waiting_state = state.waiting
                    if waiting_state:
                        reason = waiting_state.reason or "Waiting"
                        if type(reason) is not str:
                            return None
                        waiting.append(reason)
    owner_kind = owner_name = None
    owners = meta.ownerReferences
    if owners:
        for owner in owners:
            if owner.controller in (True, "true") or len(owners) == 1:
                owner_kind, owner_name = owner.kind, owner.name
                if type(owner_kind) is not str or type(owner_name) is not str:
                    return None
                owner_kind = _intern(owner_kind) if owner_kind else owner_kind
                owner_name = _intern(owner_name) if owner_name else owner_name
                break
    phase = status.phase
    if type(phase) is not str:
        if phase is not UNSET and phase is not None:
            return None
        phase = "Pending"
    grace = spec.terminationGracePeriodSeconds
    if grace is UNSET:
        grace = None
    elif grace is not None and (type(grace) is not int or grace not in _INT64):
        return None
    node_name = spec.nodeName
    if type(node_name) is str:
        if node_name:
            node_name = _intern(node_name)
    elif node_name is UNSET or node_name is None:
        node_name = None
    else:
        return None
    uid = meta.uid
    if type(uid) is not str:
        if uid is not UNSET and uid is not None:
            return None
        uid = ""
    created = meta.creationTimestamp
    if type(created) is str:
        if created:
            created = _intern(created)
    elif created is UNSET or created is None:
        created = None
    else:
        return None
    deleted = meta.deletionTimestamp
    if deleted is UNSET:
        deleted = None
    elif deleted is not None and type(deleted) is not str:
        return None
    host_network = spec.hostNetwork
    if type(host_network) is not bool:
        if host_network is not UNSET and host_network is not None:
            return None
        host_network = False
    labels = meta.labels
    if labels:
        for key, value in labels.items():
            if type(value) is not str:
                return None
            labels[key] = _intern(value)
    else:
        labels = {}
    annotations = meta.annotations
    if annotations:
        for value in annotations.values():
            if type(value) is not str:
                return None
    else:
        annotations = {}
    return _make_pod(name, _intern(namespace), labels, annotations, _intern(phase), node_name, host_network,
                     pod_ips, host_ip, tuple(ports), tuple(waiting), owner_kind, owner_name, cpu_total,
                     memory_total, grace, deleted, created, uid, origin)


def _requests(requests: dict[str, Any]) -> tuple[int, int]:
    """(cpu millis, memory bytes) of a requests map of the usual shape; raises (fallback) otherwise."""
    cpu = requests.get("cpu")
    memory = requests.get("memory")
    if (cpu is not None and type(cpu) is not str) or (memory is not None and type(memory) is not str):
        raise _Unusual
    return (0 if cpu is None else cpu_text_millis(cpu)), (0 if memory is None else memory_text_bytes(memory))


class _Unusual(Exception):
    """A value fast_pod leaves to parse_pod."""


__all__ = ["PodStruct", "as_mapping", "decode_pod_structs", "fast_pod", "make_origin"]
