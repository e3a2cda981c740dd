"""Build flow records as GKE policy logging and Hubble write them, and write them to files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def gke_payload(src_ip: str, dst_ip: str, port: int, disposition: str = "allow", direction: str = "ingress",
                src: tuple[str, str] | None = None, dst: tuple[str, str] | None = None, protocol: str = "tcp",
                node: str = "node-1", timestamp: str = "2026-12-01T10:00:00.123456789Z", count: int = 1,
                policies: list[tuple[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    def peer(value: tuple[str, str] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        namespace, name = value
        return {"pod_name": name, "pod_namespace": namespace, "namespace": namespace,
                "workload_name": name.rsplit("-", 1)[0], "workload_kind": "ReplicaSet"}

    payload: dict[str, Any] = {
        "connection": {"src_ip": src_ip, "dest_ip": dst_ip, "src_port": 41000, "dest_port": port,
                       "protocol": protocol, "direction": direction},
        "disposition": disposition, "count": count, "node_name": node, "timestamp": timestamp,
    }
    if src is not None:
        payload["src"] = peer(src)
    else:
        payload["src"] = {"instance": src_ip}
    if dst is not None:
        payload["dest"] = peer(dst)
    else:
        payload["dest"] = {"instance": dst_ip}
    if policies is not None:
        payload["policies"] = [{"name": name, "namespace": ns, "kind": "NetworkPolicy"} for ns, name in policies]
    payload.update(extra)
    return payload


def log_entry(payload: dict[str, Any], project: str = "p1") -> dict[str, Any]:
    """A Cloud Logging LogEntry around a policy-action payload."""
    return {"insertId": "x1", "jsonPayload": payload, "logName": f"projects/{project}/logs/policy-action",
            "receiveTimestamp": payload.get("timestamp"), "timestamp": payload.get("timestamp"),
            "resource": {"type": "k8s_node", "labels": {"cluster_name": "c1", "location": "europe-west1",
                                                        "node_name": payload.get("node_name"),
                                                        "project_id": project}}}


def hubble_flow(src_ip: str, dst_ip: str, port: int, verdict: str = "FORWARDED", direction: str = "INGRESS",
                src: tuple[str, str] | None = None, dst: tuple[str, str] | None = None, protocol: str = "TCP",
                drop_reason: str | None = None, reply: bool = False, node: str = "node-1",
                time: str = "2026-12-01T10:00:00.5Z", wrapped: bool = True, **extra: Any) -> dict[str, Any]:
    def endpoint(value: tuple[str, str] | None) -> dict[str, Any]:
        if value is None:
            return {"identity": 2, "labels": ["reserved:world"]}
        namespace, name = value
        return {"ID": 101, "identity": 4242, "namespace": namespace, "pod_name": name,
                "labels": [f"k8s:io.kubernetes.pod.namespace={namespace}"],
                "workloads": [{"name": name.rsplit("-", 1)[0], "kind": "Deployment"}]}

    flow: dict[str, Any] = {
        "time": time, "verdict": verdict, "ethernet": {"source": "aa:bb", "destination": "cc:dd"},
        "IP": {"source": src_ip, "destination": dst_ip, "ipVersion": "IPv4"},
        "l4": {protocol: {"source_port": 41000, "destination_port": port, "flags": {"SYN": True}}},
        "source": endpoint(src), "destination": endpoint(dst), "Type": "L3_L4", "node_name": node,
        "event_type": {"type": 5}, "traffic_direction": direction, "is_reply": reply,
        "Summary": "TCP Flags: SYN",
    }
    if drop_reason is not None:
        flow["drop_reason_desc"] = drop_reason
    flow.update(extra)
    return {"flow": flow, "node_name": node, "time": time} if wrapped else flow


def write_lines(path: Path, records: list[Any], truncate_last: int = 0) -> Path:
    text = "".join(json.dumps(record) + "\n" for record in records)
    if truncate_last:
        text = text[:-truncate_last]
    path.write_text(text, encoding="utf-8")
    return path


def write_array(path: Path, records: list[Any], truncate_last: int = 0) -> Path:
    text = json.dumps(records, indent=2)
    if truncate_last:
        text = text[:-truncate_last]
    path.write_text(text, encoding="utf-8")
    return path
