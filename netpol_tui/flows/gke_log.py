"""GKE network policy logging records (log `policy-action`, resource type `k8s_node`).

A record is the `jsonPayload` of a Cloud Logging LogEntry (what `gcloud logging read
--format=json` prints and what log exports write), or the bare payload. It holds
`connection` {src_ip, dest_ip, src_port, dest_port, protocol, direction}, `disposition`
(allow/deny), `policies` [{name, namespace, kind}] (the policies that allowed an allowed connection; deny
records usually name none), `src`/`dest` (pod_name, pod_namespace or namespace, workload_name,
workload_kind; an endpoint that is no pod carries only `instance`, its IP), `count` (connections
folded into the record), `node_name` (the node that logged it) and `timestamp`. Checked against
GKE's "Use network policy logging" page. Protocols arrive lower case (`tcp`), directions as
`ingress`/`egress`, dispositions as `allow`/`deny`; read through the Cloud Logging API the
payload is a protobuf Struct, so ports and counts may arrive as floats (8080.0). Fields this
reader does not know are ignored.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from netpol_tui.flows.records import (
    ALLOW,
    DENY,
    EGRESS,
    GKE_LOG,
    INGRESS,
    FlowKey,
    Peer,
    RecordError,
    time_key,
)

PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "6": "TCP", "17": "UDP", "132": "SCTP"}
#: Protocols NetworkPolicy ports cannot name: such records are counted apart, not compared.
OTHER_PROTOCOLS = {"icmp", "icmpv6", "icmp6", "1", "58"}
DISPOSITIONS = {"allow": ALLOW, "allowed": ALLOW, "deny": DENY, "denied": DENY}
DIRECTIONS = {"ingress": INGRESS, "egress": EGRESS}
_IP_CACHE: dict[str, str] = {}


class SkipRecord(Exception):
    """A well-formed record that is not compared (e.g. ICMP); `reason` names the group it is counted in."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_ip(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(field, "missing IP address" if value in (None, "") else f"not an IP address: {value!r}")
    cached = _IP_CACHE.get(value)
    if cached is not None:
        return cached
    if canonical_ipv4(value):  # what GKE writes: its own canonical text, no ipaddress parse
        if len(_IP_CACHE) < 500_000:
            _IP_CACHE[value] = value
        return value
    try:
        text = str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        raise RecordError(field, f"not an IP address: {value!r}") from None
    if len(_IP_CACHE) < 500_000:
        _IP_CACHE[value] = text
    return text


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


def canonical_ipv4(text: str) -> bool:
    """Dotted IPv4 text exactly as `str(ipaddress.ip_address(text))` writes it."""
    return _CANONICAL_IPV4.fullmatch(text) is not None


def check_port(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None:
        raise RecordError(field, "missing port" if value is None else f"not a port number: {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RecordError(field, f"not a port number: {value!r}") from None
    if not 0 < number < 65536 or (isinstance(value, float) and not value.is_integer()):
        raise RecordError(field, f"port {value!r} is outside 1-65535")
    return number


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _peer(data: Any, field: str, ip: str) -> Peer:
    if data is None:
        return Peer(ip=ip)
    if not isinstance(data, dict):
        raise RecordError(field, f"expected an object, got {type(data).__name__}")
    pod = _text(data.get("pod_name"))
    namespace = _text(data.get("pod_namespace")) or _text(data.get("namespace"))
    return Peer(namespace=namespace, pod=pod, ip=ip, workload_kind=_text(data.get("workload_kind")),
                workload_name=_text(data.get("workload_name")))


def _policies(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError("policies", f"expected a list, got {type(value).__name__}")
    names = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not item.get("name"):
            raise RecordError(f"policies[{index}]", "expected {name, namespace, kind}")
        names.append(policy_ref(item))
    return tuple(sorted(set(names)))


def policy_ref(item: dict) -> str:
    """`namespace/name` for a NetworkPolicy; `KIND:name` for other kinds (AdminNetworkPolicy and the
    like are cluster-scoped and carry no namespace), so they never pass for a NetworkPolicy name.
    Hubble calls a Kubernetes NetworkPolicy `KubernetesNetworkPolicy`."""
    kind = item.get("kind")
    namespace = item.get("namespace")
    if kind not in (None, "", "NetworkPolicy", "KubernetesNetworkPolicy"):
        return f"{kind}:{namespace + '/' if namespace else ''}{item['name']}"
    return f"{namespace}/{item['name']}" if namespace else str(item["name"])


_FAST_PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "sctp": "SCTP", "TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP"}
_FAST_DIRECTIONS = {"ingress": INGRESS, "egress": EGRESS}
_FAST_DISPOSITIONS = {"allow": ALLOW, "deny": DENY}


def _fast_peer(data: Any, ip: str) -> Peer:
    if data is None:
        return Peer(None, None, ip)
    get = data.get
    pod, kind, name = get("pod_name"), get("workload_kind"), get("workload_name")
    namespace = get("pod_namespace") or get("namespace")
    if type(pod) is str and type(namespace) is str and type(kind) is str and type(name) is str:
        return Peer(namespace, pod, ip, kind, name)
    if any(value is not None and type(value) is not str for value in (pod, namespace, kind, name)):
        raise KeyError("peer")
    return Peer(namespace or None, pod or None, ip, kind or None, name or None)


def parse_policy_action(record: dict) -> tuple[FlowKey, int, str | None, str | None]:
    """(key, count, time key, node name) of one record; RecordError or SkipRecord otherwise.

    Records as GKE writes them take a fast path that only looks fields up; anything unusual
    (a field missing, of another type, an IP not seen before) falls back to the checking path,
    which says what is wrong.
    """
    try:
        payload = record.get("jsonPayload", record)
        connection = payload["connection"]
        src_ip = _IP_CACHE[connection["src_ip"]]
        dst_ip = _IP_CACHE[connection["dest_ip"]]
        port = connection["dest_port"]
        if type(port) is not int or not 0 < port < 65536:
            raise KeyError("dest_port")
        protocol = _FAST_PROTOCOLS[connection["protocol"]]
        direction = _FAST_DIRECTIONS[connection["direction"]]
        disposition = _FAST_DISPOSITIONS[payload["disposition"]]
        count = payload.get("count", 1)
        if type(count) is not int or count < 1:
            raise KeyError("count")
        stamp = payload.get("timestamp") or record.get("timestamp")
        if type(stamp) is not str or len(stamp) < 20 or stamp[-1] != "Z" or stamp[10] != "T":
            raise KeyError("timestamp")
        node = payload.get("node_name")
        if type(node) is not str or not node:
            raise KeyError("node_name")
        policies = payload.get("policies")
        if policies is not None:
            policies = _policies(policies) if policies else ()
        key = FlowKey(GKE_LOG, _fast_peer(payload.get("src"), src_ip), _fast_peer(payload.get("dest"), dst_ip),
                      port, protocol, direction, disposition, policies)
        return key, count, stamp[:-1], node
    except (KeyError, TypeError, AttributeError, RecordError):
        return _parse_checked(record)


def _parse_checked(record: dict) -> tuple[FlowKey, int, str | None, str | None]:
    payload = record.get("jsonPayload", record)
    if not isinstance(payload, dict):
        raise RecordError("jsonPayload", f"expected an object, got {type(payload).__name__}")
    connection = payload.get("connection")
    if not isinstance(connection, dict):
        raise RecordError("connection", "missing" if connection is None else "expected an object")
    raw_protocol = connection.get("protocol")
    protocol = PROTOCOLS.get(str(raw_protocol).strip().lower()) if raw_protocol is not None else None
    if protocol is None:
        if raw_protocol is not None and str(raw_protocol).strip().lower() in OTHER_PROTOCOLS:
            raise SkipRecord(f"protocol {str(raw_protocol).upper()}: NetworkPolicy ports cannot name it")
        raise RecordError("connection.protocol", "missing" if raw_protocol is None
                          else f"unknown protocol {raw_protocol!r}")
    src_ip = check_ip(connection.get("src_ip"), "connection.src_ip")
    dst_ip = check_ip(connection.get("dest_ip"), "connection.dest_ip")
    port = check_port(connection.get("dest_port"), "connection.dest_port")
    raw_direction = connection.get("direction")
    direction = DIRECTIONS.get(str(raw_direction).strip().lower()) if raw_direction is not None else None
    if raw_direction is not None and direction is None:
        raise RecordError("connection.direction", f"expected ingress or egress, got {raw_direction!r}")
    raw_disposition = payload.get("disposition")
    disposition = DISPOSITIONS.get(str(raw_disposition).strip().lower()) if raw_disposition is not None else None
    if disposition is None:
        raise RecordError("disposition", "missing" if raw_disposition is None
                          else f"expected allow or deny, got {raw_disposition!r}")
    count = payload.get("count", 1)
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    # the Cloud Logging API carries jsonPayload as a protobuf Struct: its numbers arrive as floats
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise RecordError("count", f"expected a positive integer, got {count!r}")
    stamp = payload.get("timestamp") or record.get("timestamp")
    when = time_key(stamp) if stamp is not None else None
    if stamp is not None and when is None:
        raise RecordError("timestamp", f"not an RFC 3339 time: {stamp!r}")
    node = payload.get("node_name")
    if node is None:
        resource = record.get("resource")
        labels = resource.get("labels") if isinstance(resource, dict) else None
        node = labels.get("node_name") if isinstance(labels, dict) else None
    key = FlowKey(GKE_LOG, _peer(payload.get("src"), "src", src_ip), _peer(payload.get("dest"), "dest", dst_ip),
                  port, protocol, direction, disposition, _policies(payload.get("policies")))
    return key, count, when, _text(node)
