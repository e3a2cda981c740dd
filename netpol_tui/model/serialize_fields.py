"""The pieces every serializer shares: the apiVersion of each kind, the `metadata` block, the
object envelope, and exact CPU and memory quantities.

Split from `serialize.py` (the public entry, which re-exports these) so that the per-kind
serializers in `serialize_core`, `serialize_policy` and `serialize_gke` build on one helper
each, as the parsers do on `parse_fields`.
"""

from __future__ import annotations

from typing import Any

#: Kubernetes kind -> apiVersion written for it.
API_VERSIONS = {
    "Namespace": "v1", "Pod": "v1", "Node": "v1", "Service": "v1", "Event": "v1",
    "NetworkPolicy": "networking.k8s.io/v1", "Ingress": "networking.k8s.io/v1",
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1",
    "FQDNNetworkPolicy": "networking.gke.io/v1alpha1", "CiliumNetworkPolicy": "cilium.io/v2",
    "CiliumClusterwideNetworkPolicy": "cilium.io/v2", "NetworkLogging": "networking.gke.io/v1alpha1",
}

_BINARY_UNITS = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))


def object_metadata(name: str, namespace: str | None = None, *, labels: dict[str, str] | None = None,
                    annotations: dict[str, str] | None = None, uid: str = "",
                    creation_timestamp: str | None = None, **extra: Any) -> dict[str, Any]:
    """An object's `metadata`: the fields given, empty labels and annotations and None extras left out."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if uid:
        meta["uid"] = uid
    if creation_timestamp is not None:
        meta["creationTimestamp"] = creation_timestamp
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    meta.update({key: value for key, value in extra.items() if value is not None})
    return meta


def k8s_object(kind: str, metadata: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The object envelope (apiVersion, kind, metadata) with the non-empty fields."""
    out: dict[str, Any] = {"apiVersion": API_VERSIONS.get(kind, "apps/v1"), "kind": kind, "metadata": metadata}
    out.update({key: value for key, value in fields.items() if value})
    return out


def cpu_text(millis: int) -> str:
    """Millicores as a quantity the parser reads back exactly ("2", "250m")."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_text(count: int) -> str:
    """Bytes as an exact binary quantity when one fits ("128Mi"), else plain bytes."""
    for unit, size in _BINARY_UNITS:
        if count and count % size == 0:
            return f"{count // size}{unit}"
    return str(count)
