"""Hubble flows as `hubble observe -o json` prints them (one JSON object a line).

Newer Hubble wraps each flow as `{"flow": {...}, "node_name": ..., "time": ...}`; older versions
print the flow itself. Field names follow Cilium's flow schema (api/v1/flow/flow.proto) in its
protobuf JSON form; both the proto names (`drop_reason_desc`) and the lowerCamel JSON names
(`dropReasonDesc`) are accepted, and enum values as names or numbers.

Only policy decisions are compared. Reply packets, drops for other reasons (e.g.
CT_MAP_INSERTION_FAILED), errors and trace-only events are counted apart by reason.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.flows.gke_log import SkipRecord, check_ip, check_port, policy_ref
from netpol_tui.flows.records import (
    ALLOW,
    DENY,
    EGRESS,
    HUBBLE,
    INGRESS,
    FlowKey,
    Peer,
    RecordError,
    time_key,
)

VERDICTS = {0: "VERDICT_UNKNOWN", 1: "FORWARDED", 2: "DROPPED", 3: "ERROR", 4: "AUDIT", 5: "REDIRECTED",
            6: "TRACED", 7: "TRANSLATED"}
#: Drop reasons that are policy decisions (flow.proto DropReason).
POLICY_DROPS = {"POLICY_DENIED": 133, "POLICY_DENY": 181, "AUTH_REQUIRED": 189}
DROP_NAMES = {133: "POLICY_DENIED", 181: "POLICY_DENY", 189: "AUTH_REQUIRED", 155: "CT_MAP_INSERTION_FAILED",
              130: "INVALID_SOURCE_MAC", 132: "INVALID_SOURCE_IP", 134: "INVALID_PACKET_DROPPED",
              136: "CT_MISSING_TCP_ACK_FLAG", 151: "STALE_OR_UNROUTABLE_IP", 158: "SERVICE_BACKEND_NOT_FOUND",
              163: "UNKNOWN_CONNECTION_TRACKING_STATE", 169: "FIB_LOOKUP_FAILED", 196: "TTL_EXCEEDED"}
DIRECTIONS = {"INGRESS": INGRESS, "EGRESS": EGRESS, 1: INGRESS, 2: EGRESS}
L4_PROTOCOLS = {"TCP": "TCP", "UDP": "UDP", "SCTP": "SCTP"}
#: Reserved identities of endpoints that are no pod.
RESERVED = ("world", "host", "remote-node", "kube-apiserver", "health", "init", "unmanaged", "ingress")


def _get(data: dict, snake: str, camel: str | None = None) -> Any:
    value = data.get(snake)
    if value is None and camel is not None:
        value = data.get(camel)
    return value


def is_hubble(record: dict) -> bool:
    flow = record.get("flow")
    if isinstance(flow, dict):
        return True
    return "verdict" in record and ("IP" in record or "l4" in record or "source" in record)


def _enum(value: Any, names: dict[int, str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, str(value))
    return str(value).strip().upper()


def _peer(data: Any, field: str, ip: str) -> Peer:
    if data is None:
        return Peer(ip=ip)
    if not isinstance(data, dict):
        raise RecordError(field, f"expected an object, got {type(data).__name__}")
    labels = data.get("labels")
    if labels is None:
        labels = []
    if not isinstance(labels, list):
        raise RecordError(f"{field}.labels", "expected a list of strings")
    reserved = None
    for label in labels:
        if isinstance(label, str) and label.startswith("reserved:"):
            reserved = label[len("reserved:"):]
            break
    workloads = data.get("workloads")
    kind = name = None
    if isinstance(workloads, list) and workloads and isinstance(workloads[0], dict):
        kind, name = workloads[0].get("kind") or None, workloads[0].get("name") or None
    pod = _get(data, "pod_name", "podName") or None
    return Peer(namespace=data.get("namespace") or None, pod=pod, ip=ip, workload_kind=kind, workload_name=name,
                reserved=reserved if not pod else None)


def _policies(flow: dict, names: tuple[tuple[str, str], ...]) -> tuple[str, ...] | None:
    found: list[str] = []
    present = False
    for snake, camel in names:
        value = _get(flow, snake, camel)
        if value is None:
            continue
        present = True
        if not isinstance(value, list):
            raise RecordError(snake, "expected a list of policies")
        for item in value:
            if isinstance(item, dict) and item.get("name"):
                found.append(policy_ref(item))
    return tuple(sorted(set(found))) if present else None


def parse_hubble(record: dict) -> tuple[FlowKey, int, str | None, str | None]:
    """(key, 1, time key, node name) of one policy decision; SkipRecord for other flows."""
    flow = record.get("flow", record)
    if not isinstance(flow, dict):
        raise RecordError("flow", f"expected an object, got {type(flow).__name__}")
    verdict = _enum(flow.get("verdict"), VERDICTS)
    if verdict is None:
        raise RecordError("verdict", "missing")
    reply = _get(flow, "is_reply", "isReply")
    if reply is None:
        reply = flow.get("reply")
    if reply is True:
        raise SkipRecord("reply packets (the answer of an allowed connection)")
    flow_type = _enum(flow.get("Type", flow.get("type")), {0: "UNKNOWN_TYPE", 1: "L3_L4", 2: "L7", 3: "SOCK"})
    if flow_type in ("L7", "SOCK"):
        raise SkipRecord(f"{flow_type} events (not a packet policy decision)")
    audit = False
    if verdict == "DROPPED":
        reason = _get(flow, "drop_reason_desc", "dropReasonDesc")
        if reason is None:
            reason = flow.get("drop_reason", flow.get("dropReason"))
        name = _enum(reason, DROP_NAMES)
        if name not in POLICY_DROPS:
            raise SkipRecord(f"dropped for a reason other than policy: {name or 'unknown reason'}")
        disposition = DENY
    elif verdict == "AUDIT":
        disposition, audit = DENY, True
    elif verdict in ("FORWARDED", "REDIRECTED"):
        disposition = ALLOW
    elif verdict == "ERROR":
        raise SkipRecord("ERROR verdicts (processing errors, not policy)")
    elif verdict in ("TRACED", "TRANSLATED"):
        raise SkipRecord(f"{verdict} events (no verdict reached)")
    else:
        raise RecordError("verdict", f"unknown verdict {verdict!r}")
    ip = flow.get("IP", flow.get("ip"))
    if not isinstance(ip, dict):
        raise RecordError("IP", "missing" if ip is None else "expected an object")
    src_ip = check_ip(ip.get("source"), "IP.source")
    dst_ip = check_ip(ip.get("destination"), "IP.destination")
    l4 = flow.get("l4")
    if not isinstance(l4, dict) or not l4:
        raise RecordError("l4", "missing" if l4 is None else "expected an object naming TCP, UDP or SCTP")
    protocol = None
    for name, value in l4.items():
        protocol = L4_PROTOCOLS.get(str(name).upper())
        if protocol is not None:
            if not isinstance(value, dict):
                raise RecordError(f"l4.{name}", "expected an object")
            port = check_port(_get(value, "destination_port", "destinationPort"), f"l4.{name}.destination_port")
            break
        if str(name).upper().startswith("ICMP"):
            raise SkipRecord(f"{name} flows (NetworkPolicy ports cannot name ICMP)")
    if protocol is None:
        raise RecordError("l4", f"unknown protocol {', '.join(map(str, l4))}")
    raw_direction = _get(flow, "traffic_direction", "trafficDirection")
    direction = DIRECTIONS.get(raw_direction if isinstance(raw_direction, int) else str(raw_direction).upper()) \
        if raw_direction is not None else None
    policies = _policies(flow, (("ingress_denied_by", "ingressDeniedBy"), ("egress_denied_by", "egressDeniedBy"))) \
        if disposition == DENY else \
        _policies(flow, (("ingress_allowed_by", "ingressAllowedBy"), ("egress_allowed_by", "egressAllowedBy")))
    stamp = flow.get("time") or record.get("time")
    when = time_key(stamp) if stamp is not None else None
    if stamp is not None and when is None:
        raise RecordError("time", f"not an RFC 3339 time: {stamp!r}")
    node = _get(flow, "node_name", "nodeName") or record.get("node_name")
    key = FlowKey(HUBBLE, _peer(flow.get("source"), "source", src_ip), _peer(flow.get("destination"), "destination",
                                                                           dst_ip),
                  port, protocol, direction, disposition, policies, audit)
    return key, 1, when, node or None
