"""Collects parsed objects from any source into one Snapshot.

Shared by the files, demo and live sources so that recognising documents, de-duplicating
objects and reporting bad ones work the same everywhere. Recognising documents and parsing
their objects is `documents.DocumentReader`'s; this module keeps what it finds and builds the
Snapshot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.snapshot import Kind, LoadProblem, RejectedObject, Snapshot, SourceInfo, UnknownPart
from netpol_tui.sources.documents import DocumentReader, _identity, _where
from netpol_tui.sources.save import ManifestError, ManifestInfo, parse_manifest
from netpol_tui.text import clean

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
    Kind.FQDN_POLICY: "fqdn_policies",
    Kind.CILIUM_POLICY: "cilium_policies",
    Kind.NETWORK_LOGGING: "network_logging",
}


class SnapshotBuilder(DocumentReader):
    """Accumulates documents; `build()` returns the immutable Snapshot."""

    def __init__(self, *, wanted_cluster: str | None = None) -> None:
        super().__init__()
        self._objects: dict[Kind, dict[tuple[str, ...], Any]] = {kind: {} for kind in _SNAPSHOT_FIELDS}
        self._where: dict[tuple[Kind, tuple[str, ...]], tuple[str, str | None, tuple[str | None, int] | None]] = {}
        self._clusters: list[tuple[Any, str]] = []
        self._problems: list[LoadProblem] = []
        self._unknown: list[UnknownPart] = []
        self._loaded: set[Kind] = set()
        self._skipped: Counter[str] = Counter()
        #: Objects of each kind that could not be used, and the first such problem per kind: a kind
        #: whose every object failed is reported as not read, never as read and empty.
        self._failed: Counter[Kind] = Counter()
        self._first_failure: dict[Kind, str] = {}
        self._rejected: list[RejectedObject] = []
        self._wanted_cluster = wanted_cluster
        #: The first netpol-tui manifest read (`snapshot save`) and where it was.
        self._manifest: tuple[ManifestInfo, str] | None = None

    # ------------------------------------------------------------------ reporting

    def problem(self, source: str, message: str, location: str | None = None) -> None:
        """Record one problem line. Names and values in it come from the input: the line is
        cleaned of control characters and escape sequences before anyone prints it."""
        self._problems.append(LoadProblem(clean(source, 300, single_line=True), clean(message, 400, single_line=True),
                                          clean(location, 100, single_line=True) if location else location))

    def reject(self, kind: Kind, source: str, message: str, location: str | None = None, obj: Any = None) -> None:
        """One object of `kind` cannot be used: a problem line naming it, and a count for `build()`."""
        self.problem(source, message, location)
        self._failed[kind] += 1
        self._first_failure.setdefault(kind, self._problems[-1].message)
        namespace, name = _identity(obj)
        self._rejected.append(RejectedObject(kind, namespace, name, self._problems[-1].message))

    def mark_unknown(self, kind: Kind, reason: str) -> None:
        self._unknown.append(UnknownPart(kind, reason))

    def mark_loaded(self, kind: Kind) -> None:
        self._loaded.add(kind)

    def skip(self, kind: str) -> None:
        self._skipped[kind] += 1

    @property
    def object_count(self) -> int:
        return sum(len(objects) for objects in self._objects.values()) + len(self._clusters)

    @property
    def usable(self) -> bool:
        """Something was loaded: an object, or a recognised (possibly empty) list of a kind we read.

        An empty `kubectl get networkpolicies -A -o json` is an answer (no policies), not nothing.
        """
        return self.object_count > 0 or bool(self._loaded)

    @property
    def skipped(self) -> dict[str, int]:
        """Documents of kinds netpol-tui does not read, counted by kind."""
        return dict(self._skipped)

    # ------------------------------------------------------------------ objects

    def put_object(self, kind: Kind, key: tuple[str, ...], parsed: Any, source: str, location: str | None,
                   k8s_kind: str, object_key: tuple[str, ...], lazy: tuple[str | None, int] | None) -> None:
        bucket = self._objects[kind]
        if key in bucket:
            self._store(kind, key, parsed, source, location, (k8s_kind, object_key), lazy)
            return
        if not bucket:
            self._loaded.add(kind)
        bucket[key] = parsed
        self._where[(kind, key)] = (source, location, lazy)

    def put_cluster(self, cluster: Any, where: str) -> None:
        self._loaded.add(Kind.CLUSTER)
        self._clusters.append((cluster, where))

    def put_operation(self, operation: Any, source: str, location: str | None) -> None:
        self._loaded.add(Kind.OPERATION)
        self._store(Kind.OPERATION, (operation.name,), operation, source, location, ("operation", (operation.name,)))

    def _describe_where(self, kind: Kind, key: tuple[str, ...]) -> str:
        source, location, lazy = self._where[(kind, key)]
        location = _where(location, lazy)
        return source + (f" ({location})" if location else "")

    def _store(self, kind: Kind, key: tuple[str, ...], parsed: Any, source: str, location: str | None,
               label: tuple[str, tuple[str, ...]], lazy: tuple[str | None, int] | None = None) -> None:
        """Keep the object; a second one with the same key is reported and replaces the first."""
        bucket = self._objects[kind]
        if key in bucket:
            name = "/".join(part for part in label[1] if part)
            self.problem(source, f"duplicate {label[0]} {name}, also in {self._describe_where(kind, key)}; "
                         "the later one is kept", _where(location, lazy))
        bucket[key] = parsed
        self._where[(kind, key)] = (source, location, lazy)

    def put_manifest(self, document: dict[str, Any], source: str, location: str | None) -> None:
        """Remember a saved snapshot's capture time, context and unknown parts for `build()`.

        Without it a reread dump would be stamped "now" and ages, ETAs and the next maintenance
        window would be computed against the wrong time; a bad manifest costs one problem line.
        """
        where = source + (f" ({location})" if location else "")
        if self._manifest is not None:
            self.problem(source, f"another netpol-tui manifest; only the first one (in {self._manifest[1]}) "
                         "gives the capture time, context and unknown parts", location)
            return
        try:
            info = parse_manifest(document)
        except ManifestError as exc:
            self.problem(source, f"netpol-tui manifest not used: {exc}; capture time taken as the load time",
                         location)
            return
        self._manifest = (info, where)


    def _pick_cluster(self) -> Any:
        if not self._clusters:
            return None
        candidates = self._clusters
        if self._wanted_cluster:
            candidates = [c for c in self._clusters if c[0].name == self._wanted_cluster]
            if not candidates:
                names = ", ".join(sorted({c[0].name for c in self._clusters}))
                self.problem(self._clusters[0][1], f"no GKE cluster named {self._wanted_cluster!r} in the input "
                             f"(found: {names}); cluster information not used")
                return None
        by_name: dict[str, tuple[Any, str]] = {}
        for cluster, where in candidates:
            by_name[cluster.name] = (cluster, where)
        if len(by_name) > 1:
            first, where = candidates[0]
            names = ", ".join(sorted(by_name))
            self.problem(where, f"{len(by_name)} GKE clusters in the input ({names}); using {first.name!r}. "
                         "Choose one with --cluster NAME")
            return first
        return candidates[-1][0]

    def build(self, source: SourceInfo, captured_at: datetime | None = None) -> Snapshot:
        cluster = self._pick_cluster()
        operations = list(self._objects[Kind.OPERATION].values())
        if cluster is not None:
            operations = [op for op in operations if op.cluster in (None, cluster.name)]
        fields = {name: tuple(self._objects[kind].values()) for kind, name in _SNAPSHOT_FIELDS.items()}
        fields["operations"] = tuple(operations)
        unknown = list(self._unknown)
        problems, rejected = list(self._problems), list(self._rejected)
        loaded = set(self._loaded)
        named = {part.kind for part in unknown}
        for kind, count in self._failed.items():
            usable = bool(self._clusters) if kind is Kind.CLUSTER else bool(self._objects[kind])
            if usable:
                continue
            # Read as "none" this kind would make every check pass; it was not read at all.
            loaded.discard(kind)
            if kind not in named:
                what = "the only object" if count == 1 else f"all {count} objects"
                unknown.append(UnknownPart(kind, f"{what} of this kind could not be used "
                                                 f"(first: {self._first_failure[kind]})"))
                named.add(kind)
        if self._manifest is not None:
            info = self._manifest[0]
            if captured_at is None:
                source = replace(source, capture="captured")
            captured_at = captured_at or info.captured_at
            if source.context is None and info.context:
                source = replace(source, context=info.context)
            # A part the original source could not read stays unknown only while no file supplies it.
            for part in info.unknown:
                if part.kind not in loaded and part.kind not in named:
                    unknown.append(part)
                    named.add(part.kind)
            for item in info.rejected:
                rejected.append(item)
                problems.append(LoadProblem(self._manifest[1], f"when captured: {item.reason}; missing here too"))
        elif captured_at is None:
            source = replace(source, capture="loaded")
        return Snapshot(
            source=source, captured_at=captured_at or datetime.now(UTC), cluster=cluster,
            problems=tuple(problems), unknown=tuple(unknown), rejected=tuple(rejected),
            loaded_kinds=frozenset(loaded), skipped_kinds=tuple(sorted(self._skipped.items())),
            **fields,
        )



def build_from_documents(documents: Iterable[tuple[Any, str, str | None]], source: SourceInfo,
                         on_progress: Callable[[int], None] | None = None) -> Snapshot:
    """Convenience for tests and small inputs: (document, source name, location) triples."""
    builder = SnapshotBuilder(wanted_cluster=source.cluster)
    for count, (document, name, location) in enumerate(documents, 1):
        builder.add_document(document, name, location)
        if on_progress:
            on_progress(count)
    return builder.build(source)
