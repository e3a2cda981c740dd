"""What `e` puts into the Explain form for the selected pod, Service or policy.

A pod and a Service are the destination (`ns/pod`, `ns/svc/name`) with their first port; a
policy's destination is the first live pod it selects, on the first port its ingress rules
name. Values are cleaned: an input shows text as it is, and a control character in a name
(possible in files, never through an API server) would reach the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netpol_tui.text import clean


@dataclass(frozen=True, slots=True)
class Prefill:
    dst: str = ""
    port: str = ""
    namespace: str | None = None
    src: str = ""


def _safe(text: str) -> str:
    return clean(text, 300, single_line=True)


def prefill_for(kind: str, obj: Any, engine: Any) -> Prefill:
    if kind == "ns":
        return Prefill(namespace=obj)
    if kind == "pod":
        port = str(obj.ports[0].container_port) if obj.ports else ""
        return Prefill(_safe(f"{obj.namespace}/{obj.name}"), port, obj.namespace)
    if kind == "svc":
        port = str(obj.ports[0].port) if obj.ports else ""
        return Prefill(_safe(f"{obj.namespace}/svc/{obj.name}"), port, obj.namespace)
    if kind == "pol":
        pods = [pod for pod in engine.pods_selected_by(obj) if pod.is_live] if engine is not None else []
        port = next((str(item.port) for rule in obj.ingress for item in rule.ports
                     if isinstance(item.port, int)), "")
        if not port and pods and pods[0].ports:
            port = str(pods[0].ports[0].container_port)
        return Prefill(_safe(f"{pods[0].namespace}/{pods[0].name}") if pods else "", port, obj.namespace)
    if kind in ("fqdn", "cnp", "ccnp") and engine is not None:
        return _kind_prefill(kind, obj, engine)
    return Prefill()


def _kind_prefill(kind: str, obj: Any, engine: Any) -> Prefill:
    """An FQDN policy: from its first live pod to its first exact name and port. A Cilium policy:
    its first live pod, the source when it has egress rules, else the destination."""
    pods = [pod for pod, state in engine.pods_selected_by_kind(obj) if state and pod.is_live]
    pod = _safe(f"{pods[0].namespace}/{pods[0].name}") if pods else ""
    namespace = pods[0].namespace if pods else obj.namespace
    if kind == "fqdn":
        name = next((name for rule in obj.egress for name in rule.names), "")
        port = next((str(port) for rule in obj.egress for _, port in rule.ports if port is not None), "")
        return Prefill(_safe(name), port, namespace, pod)
    egress = any(rule_set.egress or rule_set.egress_deny for rule_set in obj.rules)
    return Prefill("" if egress else pod, "", namespace, pod if egress else "")
