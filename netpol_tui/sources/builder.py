"""Collects parsed objects from any source into one Snapshot.

Shared by the files, demo and live sources so that recognising documents, de-duplicating
objects and reporting bad ones work the same everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.objects import Origin
from netpol_tui.model.parse import (
    K8S_PARSERS,
    ParseError,
    looks_like_cluster,
    looks_like_operation,
    parse_cluster,
    parse_operation,
)
from netpol_tui.model.snapshot import Kind, LoadProblem, Snapshot, SourceInfo, UnknownPart

_SNAPSHOT_FIELDS = {
    Kind.NAMESPACE: "namespaces",
    Kind.POD: "pods",
    Kind.NODE: "nodes",
    Kind.NETWORK_POLICY: "policies",
    Kind.SERVICE: "services",
    Kind.INGRESS: "ingresses",
    Kind.WORKLOAD: "workloads",
    Kind.EVENT: "events",
    Kind.OPERATION: "operations",
}

#: List kinds whose items carry no `kind` of their own (raw API list responses).
_LIST_ITEM_KINDS = {f"{kind}List": kind for kind in K8S_PARSERS}


class SnapshotBuilder:
    """Accumulates documents; `build()` returns the immutable Snapshot."""

    def __init__(self, *, wanted_cluster: str | None = None) -> None:
        self._objects: dict[Kind, dict[tuple[str, ...], Any]] = {kind: {} for kind in _SNAPSHOT_FIELDS}
        self._where: dict[tuple[Kind, tuple[str, ...]], str] = {}
        self._clusters: list[Any] = []
        self._problems: list[LoadProblem] = []
        self._unknown: list[UnknownPart] = []
        self._loaded: set[Kind] = set()
        self._skipped: Counter[str] = Counter()
        self._wanted_cluster = wanted_cluster

    # ------------------------------------------------------------------ reporting

    def problem(self, source: str, message: str, location: str | None = None) -> None:
        self._problems.append(LoadProblem(source, message, location))

    def mark_unknown(self, kind: Kind, reason: str) -> None:
        self._unknown.append(UnknownPart(kind, reason))

    def mark_loaded(self, kind: Kind) -> None:
        self._loaded.add(kind)

    @property
    def problem_count(self) -> int:
        return len(self._problems)

    @property
    def object_count(self) -> int:
        return sum(len(objects) for objects in self._objects.values()) + len(self._clusters)

    # ------------------------------------------------------------------ documents

    def add_document(self, document: Any, source: str, location: str | None = None,
                     origin: Origin | None = None) -> None:
        """Recognise a decoded document by its content and add what it holds."""
        if isinstance(document, list):
            for index, item in enumerate(document):
                self.add_document(item, source, _join(location, f"item {index}"), origin)
            return
        if not isinstance(document, dict):
            if document is not None:
                self.problem(source, f"expected an object, found {_type_name(document)}", location)
            return
        kind = document.get("kind")
        if isinstance(kind, str) and kind:
            if kind == "List" or (kind.endswith("List") and "items" in document):
                self._add_list(document, kind, source, location, origin)
            elif kind in K8S_PARSERS:
                self.add_object(kind, document, source, location, origin)
            else:
                self._skipped[kind] += 1
            return
        if kind is not None:
            self.problem(source, f"'kind' must be a non-empty string, found {_type_name(kind)}", location)
            return
        if isinstance(document.get("clusters"), list):
            self._loaded.add(Kind.CLUSTER)
            for index, item in enumerate(document["clusters"]):
                self._add_cluster(item, source, _join(location, f"cluster {index}"), origin)
        elif isinstance(document.get("operations"), list):
            self._loaded.add(Kind.OPERATION)
            for index, item in enumerate(document["operations"]):
                self._add_operation(item, source, _join(location, f"operation {index}"), origin)
        elif looks_like_cluster(document):
            self._add_cluster(document, source, location, origin)
        elif looks_like_operation(document):
            self._add_operation(document, source, location, origin)
        elif not document:
            return
        else:
            self.problem(source, "not a Kubernetes object (no 'kind') nor gcloud cluster/operation output",
                         location)

    def _add_list(self, document: dict, kind: str, source: str, location: str | None,
                  origin: Origin | None) -> None:
        items = document.get("items")
        if items is None:
            items = []
        if not isinstance(items, list):
            self.problem(source, f"{kind}.items must be a list, found {_type_name(items)}", location)
            return
        item_kind = _LIST_ITEM_KINDS.get(kind)
        if item_kind:
            self._loaded.add(K8S_PARSERS[item_kind][0])
        for index, item in enumerate(items):
            where = _join(location, f"item {index}")
            if not isinstance(item, dict):
                self.problem(source, f"expected an object, found {_type_name(item)}", where)
                continue
            item_own_kind = item.get("kind") or item_kind
            if item_own_kind in K8S_PARSERS:
                self.add_object(item_own_kind, item, source, where, origin)
            elif isinstance(item_own_kind, str) and item_own_kind:
                if item_own_kind.endswith("List"):
                    self.add_document(item, source, where, origin)
                else:
                    self._skipped[item_own_kind] += 1
            else:
                self.problem(source, "list item has no 'kind'", where)

    def add_object(self, k8s_kind: str, obj: Mapping[str, Any], source: str, location: str | None = None,
                   origin: Origin | None = None) -> None:
        kind, parser = K8S_PARSERS[k8s_kind]
        try:
            parsed = parser(obj, origin) if k8s_kind == obj.get("kind") or kind != Kind.WORKLOAD \
                else parser({**obj, "kind": k8s_kind}, origin)
        except ParseError as exc:
            self.problem(source, f"{k8s_kind} {_object_name(obj)}: {exc}", location)
            return
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.problem(source, f"{k8s_kind} {_object_name(obj)}: unusable object ({exc})", location)
            return
        self._loaded.add(kind)
        key: tuple[str, ...] = (parsed.kind, *parsed.key) if kind == Kind.WORKLOAD else parsed.key
        self._store(kind, key, parsed, source, location, f"{k8s_kind} {'/'.join(k for k in parsed.key if k)}")

    def _store(self, kind: Kind, key: tuple[str, ...], parsed: Any, source: str, location: str | None,
               label: str) -> None:
        bucket = self._objects[kind]
        here = source + (f" ({location})" if location else "")
        if key in bucket:
            self.problem(source, f"duplicate {label}, also in {self._where[(kind, key)]}; the later one is kept",
                         location)
        bucket[key] = parsed
        self._where[(kind, key)] = here

    def _add_cluster(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        if not isinstance(obj, dict):
            self.problem(source, f"expected a cluster object, found {_type_name(obj)}", location)
            return
        try:
            cluster = parse_cluster(obj, origin)
        except ParseError as exc:
            self.problem(source, f"GKE cluster {obj.get('name', '?')!s:.80}: {exc}", location)
            return
        self._loaded.add(Kind.CLUSTER)
        self._clusters.append((cluster, source + (f" ({location})" if location else "")))

    def _add_operation(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        if not isinstance(obj, dict):
            self.problem(source, f"expected an operation object, found {_type_name(obj)}", location)
            return
        try:
            operation = parse_operation(obj, origin)
        except ParseError as exc:
            self.problem(source, f"GKE operation: {exc}", location)
            return
        self._loaded.add(Kind.OPERATION)
        self._store(Kind.OPERATION, (operation.name,), operation, source, location, f"operation {operation.name}")

    # ------------------------------------------------------------------ result

    def _pick_cluster(self) -> Any:
        if not self._clusters:
            return None
        candidates = self._clusters
        if self._wanted_cluster:
            candidates = [c for c in self._clusters if c[0].name == self._wanted_cluster]
            if not candidates:
                names = ", ".join(sorted({c[0].name for c in self._clusters}))
                self.problem("cluster", f"no GKE cluster named {self._wanted_cluster!r} in the input (found: {names})")
                return None
        by_name = {}
        for cluster, where in candidates:
            by_name[cluster.name] = (cluster, where)
        if len(by_name) > 1:
            first = candidates[0][0].name
            names = ", ".join(sorted(by_name))
            self.problem("cluster", f"several GKE clusters in the input ({names}); using {first!r}. "
                         "Choose one with --cluster NAME")
            return candidates[0][0]
        return candidates[-1][0]

    def build(self, source: SourceInfo, captured_at: datetime | None = None) -> Snapshot:
        cluster = self._pick_cluster()
        operations = list(self._objects[Kind.OPERATION].values())
        if cluster is not None:
            operations = [op for op in operations if op.cluster in (None, cluster.name)]
        fields = {name: tuple(self._objects[kind].values()) for kind, name in _SNAPSHOT_FIELDS.items()}
        fields["operations"] = tuple(operations)
        return Snapshot(
            source=source, captured_at=captured_at or datetime.now(UTC), cluster=cluster,
            problems=tuple(self._problems), unknown=tuple(self._unknown),
            loaded_kinds=frozenset(self._loaded), skipped_kinds=tuple(sorted(self._skipped.items())),
            **fields,
        )


def _join(location: str | None, part: str) -> str:
    return f"{location}, {part}" if location else part


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)


def _object_name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        name, namespace = meta.get("name"), meta.get("namespace")
        if isinstance(name, str):
            return f"{namespace}/{name}" if isinstance(namespace, str) and namespace else name
    return "(unnamed)"


def build_from_documents(documents: Iterable[tuple[Any, str, str | None]], source: SourceInfo,
                         on_progress: Callable[[int], None] | None = None) -> Snapshot:
    """Convenience for tests and small inputs: (document, source name, location) triples."""
    builder = SnapshotBuilder(wanted_cluster=source.cluster)
    for count, (document, name, location) in enumerate(documents, 1):
        builder.add_document(document, name, location)
        if on_progress:
            on_progress(count)
    return builder.build(source)
