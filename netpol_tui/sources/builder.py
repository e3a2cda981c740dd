"""Collects parsed objects from any source into one Snapshot.

Shared by the files, demo and live sources so that recognising documents, de-duplicating
objects and reporting bad ones work the same everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
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
from netpol_tui.model.snapshot import Kind, LoadProblem, RejectedObject, Snapshot, SourceInfo, UnknownPart
from netpol_tui.sources.save import MANIFEST_KIND, ManifestError, ManifestInfo, parse_manifest
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

#: The API groups each kind we read belongs to ("" is the core group, apiVersion "v1"). The same
#: kind name in another group is a different resource: Calico's `crd.projectcalico.org`
#: NetworkPolicy has another schema, and reading it as a Kubernetes one would give wrong verdicts.
_GROUPS: dict[str, tuple[str, ...]] = {
    "Namespace": ("",), "Pod": ("",), "Node": ("",), "Service": ("",),
    "Event": ("", "events.k8s.io"),
    "NetworkPolicy": ("networking.k8s.io", "extensions"),
    "Ingress": ("networking.k8s.io", "extensions"),
    "Deployment": ("apps", "extensions"), "StatefulSet": ("apps",), "DaemonSet": ("apps", "extensions"),
    "ReplicaSet": ("apps", "extensions"), "Job": ("batch",), "CronJob": ("batch",),
    "FQDNNetworkPolicy": ("networking.gke.io",),
    "CiliumNetworkPolicy": ("cilium.io",), "CiliumClusterwideNetworkPolicy": ("cilium.io",),
    "NetworkLogging": ("networking.gke.io",),
}

#: Lists inside lists inside lists are not kubectl output; deeper nesting is refused, which
#: also keeps a YAML alias bomb (shared lists of lists) from being walked exponentially.
_MAX_LIST_DEPTH = 3


def _group(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


class SnapshotBuilder:
    """Accumulates documents; `build()` returns the immutable Snapshot."""

    def __init__(self, *, wanted_cluster: str | None = None) -> None:
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
        #: (kind, apiVersion) pairs already checked against _GROUPS.
        self._api_ok: set[tuple[str, str]] = set()
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

    # ------------------------------------------------------------------ documents

    def add_document(self, document: Any, source: str, location: str | None = None,
                     origin: Origin | None = None, _depth: int = 0) -> None:
        """Recognise a decoded document by its content and add what it holds."""
        if isinstance(document, list):
            if _depth >= _MAX_LIST_DEPTH:
                self.problem(source, "lists nested too deeply; not kubectl or gcloud output", location)
                return
            top = origin is not None and _depth == 0 and origin.item is None
            for index, item in enumerate(document):
                item_origin = _item_origin(origin, index) if top else origin
                self.add_document(item, source, _join(location, f"item {index}"), item_origin, _depth + 1)
            return
        if not isinstance(document, dict):
            if document is not None:
                self.problem(source, f"expected an object, found {_type_name(document)}", location)
            return
        kind = document.get("kind")
        if isinstance(kind, str) and kind:
            if kind == MANIFEST_KIND:
                self._add_manifest(document, source, location)
            elif kind == "List" or (kind.endswith("List") and "items" in document):
                self._add_list(document, kind, source, location, origin, _depth)
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
            keys = ", ".join(repr(str(key)[:30]) for key in list(document)[:5])
            self.problem(source, "not a Kubernetes object (no 'kind') nor gcloud cluster/operation output "
                         f"(keys: {keys})", location)

    def _add_list(self, document: dict, kind: str, source: str, location: str | None,
                  origin: Origin | None, depth: int) -> None:
        items = document.get("items")
        if items is None:
            items = []
        if not isinstance(items, list):
            self.problem(source, f"{kind}.items must be a list, found {_type_name(items)}", location)
            return
        # Raw API lists (`PodList`, `ConfigMapList`) leave `kind` out of their items.
        item_kind = kind[:-4] if kind != "List" and kind.endswith("List") else None
        if item_kind in K8S_PARSERS:
            self._loaded.add(K8S_PARSERS[item_kind][0])
        add_object = self.add_object
        # Only a document's own List numbers its items: inside a nested list an index would not
        # say where in the file the object is, so the enclosing item's origin is kept.
        top = origin is not None and depth == 0 and origin.item is None
        path, line, number = (origin.path, origin.line, origin.document) if top else ("", None, None)
        for index, item in enumerate(items):
            # Location strings are built only when needed: 100,000 f-strings are measurable.
            if type(item) is dict:
                item_own_kind = item.get("kind") or item_kind
                if type(item_own_kind) is str and item_own_kind in K8S_PARSERS:
                    add_object(item_own_kind, item, source, None,
                               Origin(path, line, number, index) if top else origin, _lazy=(location, index))
                    continue
            where = _join(location, f"item {index}")
            if not isinstance(item, dict):
                message = f"expected an object, found {_type_name(item)}"
                if item_kind in K8S_PARSERS:
                    self.reject(K8S_PARSERS[item_kind][0], source, f"{item_kind}: {message}", where)
                else:
                    self.problem(source, message, where)
                continue
            item_own_kind = item.get("kind") or item_kind
            if isinstance(item_own_kind, str) and item_own_kind:
                if item_own_kind.endswith("List") and depth + 1 < _MAX_LIST_DEPTH:
                    self.add_document(item, source, where, _item_origin(origin, index) if top else origin, depth + 1)
                elif item_own_kind.endswith("List"):
                    self.problem(source, "lists nested too deeply; not kubectl or gcloud output", where)
                else:
                    self._skipped[item_own_kind] += 1
            elif item_own_kind is not None and not isinstance(item_own_kind, str):
                message = f"'kind' must be a non-empty string, found {_type_name(item_own_kind)}"
                if item_kind in K8S_PARSERS:
                    self.reject(K8S_PARSERS[item_kind][0], source, f"{item_kind} {_object_name(item)}: {message}",
                                where, item)
                else:
                    self.problem(source, message, where)
            else:
                self.problem(source, "list item has no 'kind'", where)

    def add_object(self, k8s_kind: str, obj: Mapping[str, Any], source: str, location: str | None = None,
                   origin: Origin | None = None, *, item: int | None = None,
                   _lazy: tuple[str | None, int] | None = None) -> None:
        """Parse one object of a known kind; a bad object becomes a problem line.

        `item` is the object's index in its list, named in the problem line (built only then).
        """
        if item is not None and _lazy is None:
            _lazy = (location, item)
            location = None
        kind, parser = K8S_PARSERS[k8s_kind]
        api_version = obj.get("apiVersion")
        if api_version is not None and (type(api_version) is not str or (k8s_kind, api_version) not in self._api_ok):
            if type(api_version) is not str:
                self.reject(kind, source, f"{k8s_kind} {_object_name(obj)}: apiVersion must be a string, "
                            f"found {_type_name(api_version)}", _where(location, _lazy), obj)
                return
            group = _group(api_version)
            if group not in _GROUPS[k8s_kind]:
                self._skipped[f"{k8s_kind}.{group or 'core'}"] += 1
                return
            self._api_ok.add((k8s_kind, api_version))
        try:
            if kind in (Kind.WORKLOAD, Kind.CILIUM_POLICY) and k8s_kind != obj.get("kind"):
                obj = {**obj, "kind": k8s_kind}
            parsed = parser(obj, origin)
        except ParseError as exc:
            self.reject(kind, source, f"{k8s_kind} {_object_name(obj)}: {exc}", _where(location, _lazy), obj)
            return
        except Exception as exc:  # hostile input must cost one line, never the load
            self.reject(kind, source, f"{k8s_kind} {_object_name(obj)}: unusable object "
                        f"({type(exc).__name__}: {_exception_text(exc)})", _where(location, _lazy), obj)
            return
        object_key = parsed.key
        key: tuple[str, ...] = (parsed.kind, *object_key) if kind is Kind.WORKLOAD else object_key
        bucket = self._objects[kind]
        if key in bucket:
            self._store(kind, key, parsed, source, location, (k8s_kind, object_key), _lazy)
            return
        if not bucket:
            self._loaded.add(kind)
        bucket[key] = parsed
        self._where[(kind, key)] = (source, location, _lazy)

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

    def _add_manifest(self, document: dict, source: str, location: str | None) -> None:
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

    def _add_cluster(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        if not isinstance(obj, dict):
            self.reject(Kind.CLUSTER, source, f"expected a cluster object, found {_type_name(obj)}", location)
            return
        try:
            cluster = parse_cluster(obj, origin)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, ParseError) else \
                f"unusable ({type(exc).__name__}: {_exception_text(exc)})"
            name = obj.get("name")
            shown = name[:80] if isinstance(name, str) and name else "(unnamed)"
            self.reject(Kind.CLUSTER, source, f"GKE cluster {shown}: {reason}", location)
            return
        self._loaded.add(Kind.CLUSTER)
        self._clusters.append((cluster, source + (f" ({location})" if location else "")))

    def _add_operation(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        if not isinstance(obj, dict):
            self.reject(Kind.OPERATION, source, f"expected an operation object, found {_type_name(obj)}", location)
            return
        try:
            operation = parse_operation(obj, origin)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, ParseError) else \
                f"unusable ({type(exc).__name__}: {_exception_text(exc)})"
            name = obj.get("name")
            shown = f" {name[:80]}" if isinstance(name, str) and name else ""
            self.reject(Kind.OPERATION, source, f"GKE operation{shown}: {reason}", location)
            return
        self._loaded.add(Kind.OPERATION)
        self._store(Kind.OPERATION, (operation.name,), operation, source, location, ("operation", (operation.name,)))

    # ------------------------------------------------------------------ result

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


def _join(location: str | None, part: str) -> str:
    return f"{location}, {part}" if location else part


def _where(location: str | None, lazy: tuple[str | None, int] | None) -> str | None:
    if lazy is None:
        return location
    return _join(lazy[0], f"item {lazy[1]}")


def _item_origin(origin: Origin, index: int) -> Origin:
    return Origin(origin.path, origin.line, origin.document, index)


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)


def _exception_text(exc: BaseException) -> str:
    try:
        return str(exc)[:200]
    except Exception:  # str() of a hostile value may itself fail
        return "(no message)"


def _identity(obj: Any) -> tuple[str | None, str | None]:
    """(namespace, name) of a raw object when they are usable strings, else None for each."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return None, None
    namespace, name = meta.get("namespace"), meta.get("name")
    return (namespace[:253] if isinstance(namespace, str) and namespace else None,
            name[:253] if isinstance(name, str) and name else None)


def _object_name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        name, namespace = meta.get("name"), meta.get("namespace")
        if isinstance(name, str) and name:
            name = name[:120]
            return f"{namespace[:80]}/{name}" if isinstance(namespace, str) and namespace else name
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
