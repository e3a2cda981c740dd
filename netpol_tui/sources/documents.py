"""Recognising decoded documents and parsing the objects they hold, for the SnapshotBuilder.

`DocumentReader` walks one decoded YAML/JSON document (kubectl objects and Lists, gcloud cluster
and operation output, a netpol-tui manifest), parses each object of a kind netpol-tui reads, and
hands every outcome to a few methods its subclass implements: the SnapshotBuilder stores them;
a recorder (the files source) keeps them to hand to another builder later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from msgspec import UNSET

from netpol_tui.model.objects import Origin
from netpol_tui.model.parse import (
    K8S_PARSERS,
    ParseError,
    looks_like_cluster,
    looks_like_operation,
    parse_cluster,
    parse_operation,
)
from netpol_tui.model.pod_structs import PodStruct, as_mapping, fast_pod, make_origin
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.save import MANIFEST_KIND

_T = TypeVar("_T")

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


class DocumentReader:
    """Walks documents and parses objects; every outcome goes to the methods below the walk.

    Those methods (`problem`, `reject`, `mark_loaded`, `skip`, `put_object`, `put_cluster`,
    `put_operation`, `put_manifest`) are what a subclass implements: the walk itself keeps no
    state but a cache of the apiVersions already checked.
    """

    def __init__(self) -> None:
        #: (kind, apiVersion) pairs already checked against _GROUPS.
        self._api_ok: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ outcomes (the subclass's)

    def problem(self, source: str, message: str, location: str | None = None) -> None:
        """One problem line (names and values in it come from the input)."""
        raise NotImplementedError

    def reject(self, kind: Kind, source: str, message: str, location: str | None = None, obj: Any = None) -> None:
        """One object of `kind` cannot be used."""
        raise NotImplementedError

    def mark_loaded(self, kind: Kind) -> None:
        """A (possibly empty) list of `kind` was read."""
        raise NotImplementedError

    def skip(self, kind: str) -> None:
        """A document of a kind (or API group) netpol-tui does not read."""
        raise NotImplementedError

    def put_object(self, kind: Kind, key: tuple[str, ...], parsed: Any, source: str, location: str | None,
                   k8s_kind: str, object_key: tuple[str, ...], lazy: tuple[str | None, int] | None) -> None:
        """A parsed object; `lazy` is (location, item index), made into text only when needed."""
        raise NotImplementedError

    def put_cluster(self, cluster: Any, where: str) -> None:
        """A parsed GKE cluster and where it was (`source (location)`)."""
        raise NotImplementedError

    def put_operation(self, operation: Any, source: str, location: str | None) -> None:
        """A parsed GKE operation."""
        raise NotImplementedError

    def put_manifest(self, document: dict[str, Any], source: str, location: str | None) -> None:
        """A netpol-tui manifest (`snapshot save`): capture time, context and unknown parts."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the walk

    def add_document(self, document: Any, source: str, location: str | None = None,
                     origin: Origin | None = None, _depth: int = 0) -> None:
        """Recognise a decoded document by its content and add what it holds."""
        if isinstance(document, list):
            if _depth >= _MAX_LIST_DEPTH:
                self.problem(source, "lists nested too deeply; not kubectl or gcloud output", location)
                return
            top = origin is not None and _depth == 0 and origin.item is None
            for index, item in enumerate(document):
                item_origin = _item_origin(origin, index) if top and origin is not None else origin
                self.add_document(item, source, _join(location, f"item {index}"), item_origin, _depth + 1)
            return
        if not isinstance(document, dict):
            if document is not None:
                self.problem(source, f"expected an object, found {_type_name(document)}", location)
            return
        kind = document.get("kind")
        if isinstance(kind, str) and kind:
            if kind == MANIFEST_KIND:
                self.put_manifest(document, source, location)
            elif kind == "List" or (kind.endswith("List") and "items" in document):
                self._add_list(document, kind, source, location, origin, _depth)
            elif kind in K8S_PARSERS:
                self.add_object(kind, document, source, location, origin)
            else:
                self.skip(kind)
            return
        if kind is not None:
            self.problem(source, f"'kind' must be a non-empty string, found {_type_name(kind)}", location)
            return
        if isinstance(document.get("clusters"), list):
            self.mark_loaded(Kind.CLUSTER)
            for index, item in enumerate(document["clusters"]):
                self._add_cluster(item, source, _join(location, f"cluster {index}"), origin)
        elif isinstance(document.get("operations"), list):
            self.mark_loaded(Kind.OPERATION)
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

    def _add_list(self, document: dict[str, Any], kind: str, source: str, location: str | None,
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
            self.mark_loaded(K8S_PARSERS[item_kind][0])
        add_object = self.add_object
        # Only a document's own List numbers its items: inside a nested list an index would not
        # say where in the file the object is, so the enclosing item's origin is kept.
        top = origin is not None and depth == 0 and origin.item is None
        path, line, number = (origin.path, origin.line, origin.document) if top and origin is not None \
            else ("", None, None)
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
                    self.add_document(item, source, where, _item_origin(origin, index) if top and origin is not None
                                      else origin, depth + 1)
                elif item_own_kind.endswith("List"):
                    self.problem(source, "lists nested too deeply; not kubectl or gcloud output", where)
                else:
                    self.skip(item_own_kind)
            elif item_own_kind is not None and not isinstance(item_own_kind, str):
                message = f"'kind' must be a non-empty string, found {_type_name(item_own_kind)}"
                if item_kind in K8S_PARSERS:
                    self.reject(K8S_PARSERS[item_kind][0], source, f"{item_kind} {_object_name(item)}: {message}",
                                where, item)
                else:
                    self.problem(source, message, where)
            else:
                self.problem(source, "list item has no 'kind'", where)

    def add_pod_structs(self, list_kind: str, items: list[PodStruct], source: str, location: str | None = None,
                        origin: Origin | None = None) -> None:
        """A List of pods decoded into Structs (`model.pod_structs.decode_pod_structs`), with the
        outcomes `add_document` gives for the same List decoded as dicts: each pod of the usual
        shape built by `fast_pod`, any other one parsed by `add_object` as ever (same messages)."""
        item_kind = list_kind[:-4] if list_kind != "List" else None
        if item_kind in K8S_PARSERS:
            self.mark_loaded(K8S_PARSERS[item_kind][0])
        top = origin is not None and origin.item is None
        path, line, number = (origin.path, origin.line, origin.document) if top and origin is not None \
            else ("", None, None)
        api_ok, put, pod_kind = self._api_ok, self.put_object, Kind.POD
        for index, item in enumerate(items):
            item_origin = make_origin(path, line, number, index) if top else origin
            api_version = item.apiVersion
            # An apiVersion not yet checked (or not a string) is left to add_object, which checks
            # and remembers it or rejects the pod.
            if api_version is UNSET or api_version is None or (type(api_version) is str
                                                                and ("Pod", api_version) in api_ok):
                pod = fast_pod(item, item_origin)
                if pod is not None:
                    key = (pod.namespace, pod.name)
                    put(pod_kind, key, pod, source, None, "Pod", key, (location, index))
                    continue
            self.add_object("Pod", as_mapping(item), source, None, item_origin, _lazy=(location, index))

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
                self.skip(f"{k8s_kind}.{group or 'core'}")
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
        self.put_object(kind, key, parsed, source, location, k8s_kind, object_key, _lazy)

    def _add_cluster(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        cluster = self._parse_gke(Kind.CLUSTER, "cluster", parse_cluster, obj, source, location, origin)
        if cluster is not None:
            self.put_cluster(cluster, source + (f" ({location})" if location else ""))

    def _add_operation(self, obj: Any, source: str, location: str | None, origin: Origin | None) -> None:
        operation = self._parse_gke(Kind.OPERATION, "operation", parse_operation, obj, source, location, origin)
        if operation is not None:
            self.put_operation(operation, source, location)

    def _parse_gke(self, kind: Kind, noun: str, parse: Callable[[Any, Origin | None], _T], obj: Any, source: str,
                   location: str | None, origin: Origin | None) -> _T | None:
        """One GKE API object parsed, or None with one rejection line: hostile input costs a line,
        never the load. A cluster is always named in the line (`(unnamed)`), an operation when it has one."""
        if not isinstance(obj, dict):
            article = "an" if noun[0] in "aeiou" else "a"
            self.reject(kind, source, f"expected {article} {noun} object, found {_type_name(obj)}", location)
            return None
        try:
            return parse(obj, origin)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, ParseError) else \
                f"unusable ({type(exc).__name__}: {_exception_text(exc)})"
            name = obj.get("name")
            shown = f" {name[:80]}" if isinstance(name, str) and name else (" (unnamed)" if kind is Kind.CLUSTER else "")
            self.reject(kind, source, f"GKE {noun}{shown}: {reason}", location)
            return None


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
