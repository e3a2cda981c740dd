"""The `NetworkLogging` object (networking.gke.io/v1alpha1), validated.

A wrong type is a ParseError naming the field: the object is rejected, and a check that needs
it says unknown instead of reading "logging off" from a value it could not understand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netpol_tui.model.gke_logging import NETWORK_LOGGING_API_VERSION, LogAction, NetworkLogging
from netpol_tui.model.objects import Origin
from netpol_tui.model.parse_fields import ParseError, _bool, _dict, _metadata


def _action(raw: Any, path: str) -> LogAction:
    raw = _dict(raw, path)
    log = _bool(raw.get("log"), f"{path}.log")
    delegate = _bool(raw.get("delegate"), f"{path}.delegate")
    if delegate and not log:
        # GKE's schema calls this combination invalid; reading it as either would be a guess.
        raise ParseError(f"{path}.delegate is true while {path}.log is false (GKE rejects this combination)")
    return LogAction(log, delegate)


def parse_network_logging(obj: Mapping[str, Any], origin: Origin | None = None) -> NetworkLogging:
    _, name, _ = _metadata(obj, namespaced=False)
    spec = _dict(obj.get("spec"), "spec")
    cluster = _dict(spec.get("cluster"), "spec.cluster")
    metadata = {k: v for k, v in dict(obj.get("metadata") or {}).items() if k != "managedFields"}
    raw = {"apiVersion": obj.get("apiVersion") or NETWORK_LOGGING_API_VERSION, "kind": "NetworkLogging",
           "metadata": metadata, **{k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}}
    return NetworkLogging(name, _action(cluster.get("allow"), "spec.cluster.allow"),
                          _action(cluster.get("deny"), "spec.cluster.deny"), origin, raw)


__all__ = ["parse_network_logging"]
