"""Turning watch events and re-reads into the next immutable Snapshot, sharing what did not change.

`Objects` keeps every kind's objects by key (the builder's keys: (namespace, name), with the
workload kind in front for workloads) in arrival order. A batch of events replaces objects by
key, deletes remove them, a re-read list replaces everything one list owns; only the kinds a
batch touched get a new tuple in the new Snapshot, and an object equal to the one it replaces
is kept as it was, so engines and screens can tell what changed by identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from netpol_tui.model.gke import GkeOperation
from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.model.parse import K8S_PARSERS, ParseError
from netpol_tui.model.snapshot import Kind, LoadProblem, RejectedObject, Snapshot, UnknownPart
from netpol_tui.sources.builder import _SNAPSHOT_FIELDS
from netpol_tui.sources.follow_state import Change
from netpol_tui.text import clean

#: Problem lines the follower adds at most (the newest are kept): a churning broken object
#: must not grow the snapshot without end.
MAX_FOLLOW_PROBLEMS = 200

Key = tuple[str, ...]


def raw_key(k8s_kind: str, kind: Kind, obj: Mapping[str, Any]) -> Key | None:
    """The builder's key of a raw object from its metadata; None when it has no usable name."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return None
    name, namespace = meta.get("name"), meta.get("namespace") or ""
    if not isinstance(name, str) or not name or not isinstance(namespace, str):
        return None
    return (k8s_kind, namespace, name) if kind is Kind.WORKLOAD else (namespace, name)


def object_key(kind: Kind, parsed: Any) -> Key:
    return (parsed.kind, *parsed.key) if kind is Kind.WORKLOAD else parsed.key


def parse_raw(k8s_kind: str, obj: Mapping[str, Any]) -> Any:
    """Parse one raw API object as the builder does; raises ParseError (or any error for hostile input)."""
    kind, parser = K8S_PARSERS[k8s_kind]
    if kind is Kind.WORKLOAD and obj.get("kind") != k8s_kind:
        obj = {**obj, "kind": k8s_kind}
    return parser(obj, None)


def _identity(key: Key, kind: Kind) -> tuple[str | None, str]:
    namespace, name = key[-2], key[-1]
    return (namespace or None), name


class Objects:
    """The follower's current objects; `snapshot()` makes the next immutable Snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.base = snapshot
        self.buckets: dict[Kind, dict[Key, Any]] = {}
        for kind, field_name in _SNAPSHOT_FIELDS.items():
            if kind is Kind.OPERATION:
                continue
            self.buckets[kind] = {object_key(kind, item): item for item in getattr(snapshot, field_name)}
        self.changed: set[Kind] = set()
        self.problems: list[LoadProblem] = []
        self.rejected: dict[tuple[Kind, Key], RejectedObject] = {}
        #: Objects the initial read could not use; an event about one replaces its entry.
        self.base_rejected = list(snapshot.rejected)
        self.unknown: dict[Kind, str] = {part.kind: part.reason for part in snapshot.unknown}
        self.loaded: set[Kind] = set(snapshot.loaded_kinds)
        self.cluster = snapshot.cluster
        self.operations = snapshot.operations
        self.meta_changed = False

    # ------------------------------------------------------------------ events

    def owned_keys(self, kind: Kind, k8s_kind: str, shares_kind: bool) -> set[Key]:
        """Keys of the objects one list delivered (a kind fed by several lists: those of its k8s kind)."""
        bucket = self.buckets[kind]
        if not shares_kind:
            return set(bucket)
        return {key for key, item in bucket.items() if getattr(item, "kind", None) == k8s_kind}

    def apply_event(self, kind: Kind, k8s_kind: str, action: str, obj: Mapping[str, Any], source: str) -> Change | None:
        """ADDED / MODIFIED / DELETED of one raw object; the Change, or None when nothing changed."""
        key = raw_key(k8s_kind, kind, obj)
        if key is None:
            self.problem(source, f"{k8s_kind}: a watch event's object has no usable name; skipped")
            return None
        bucket = self.buckets[kind]
        self._forget_base_rejected(kind, key)
        if action == "DELETED":
            self._forget_rejected(kind, key)
            if bucket.pop(key, None) is None:
                return None
            self.changed.add(kind)
            return Change(kind, "deleted", k8s_kind, *_identity(key, kind))
        try:
            parsed = parse_raw(k8s_kind, obj)
        except Exception as exc:  # hostile input costs a line, never the follower
            reason = str(exc) if isinstance(exc, ParseError) else f"unusable object ({type(exc).__name__})"
            message = f"{k8s_kind} {'/'.join(part for part in key[-2:] if part)}: {clean(reason, 200)}"
            self.problem(source, message)
            namespace, name = _identity(key, kind)
            self.rejected[(kind, key)] = RejectedObject(kind, namespace, name, self.problems[-1].message)
            self.meta_changed = True
            if bucket.pop(key, None) is not None:
                self.changed.add(kind)
                return Change(kind, "deleted", k8s_kind, namespace, name)
            return None
        self._forget_rejected(kind, key)
        return self._put(kind, k8s_kind, object_key(kind, parsed), parsed)

    def _put(self, kind: Kind, k8s_kind: str, key: Key, parsed: Any) -> Change | None:
        bucket = self.buckets[kind]
        old = bucket.get(key)
        if old is not None and old == parsed:
            return None
        bucket[key] = parsed
        self.changed.add(kind)
        return Change(kind, "modified" if old is not None else "added", k8s_kind, *_identity(key, kind))

    def replace_list(self, kind: Kind, k8s_kind: str, shares_kind: bool, items: Iterable[Any],
                     source: str) -> list[Change]:
        """A re-read list: everything it owns is replaced; objects gone from it are deleted."""
        before = self.owned_keys(kind, k8s_kind, shares_kind)
        seen: set[Key] = set()
        changes: list[Change] = []
        for item in items:
            if not isinstance(item, dict):
                self.problem(source, f"{k8s_kind}: a list item is not an object; skipped")
                continue
            key = raw_key(k8s_kind, kind, item)
            if key is not None:
                seen.add(key)
            change = self.apply_event(kind, k8s_kind, "MODIFIED", item, source)
            if change is not None:
                changes.append(change)
        for key in before - seen:
            self.buckets[kind].pop(key, None)
            self._forget_rejected(kind, key)
            self._forget_base_rejected(kind, key)
            self.changed.add(kind)
            changes.append(Change(kind, "deleted", k8s_kind, *_identity(key, kind)))
        return changes

    def mark_read(self, kind: Kind) -> None:
        """Every list of `kind` has been read: the kind is known again."""
        if kind not in self.loaded or kind in self.unknown:
            self.loaded.add(kind)
            self.unknown.pop(kind, None)
            self.meta_changed = True

    def mark_unread(self, kind: Kind, reason: str) -> None:
        """A list of `kind` can no longer be read: its verdicts are unknown, never stale."""
        if self.unknown.get(kind) != reason:
            self.unknown[kind] = reason
            self.loaded.discard(kind)
            self.meta_changed = True

    def set_gke(self, cluster: Any, operations: tuple[GkeOperation, ...] | None, cluster_reason: str | None,
                operations_reason: str | None) -> list[Change]:
        """The latest GKE poll: cluster and operations replaced (compared by value)."""
        changes: list[Change] = []
        if cluster is not None:
            if cluster != self.cluster:
                changes.append(Change(Kind.CLUSTER, "modified" if self.cluster else "added", "GKE cluster", None,
                                      cluster.name))
                self.cluster = cluster
                self.meta_changed = True
            self.mark_read(Kind.CLUSTER)
        elif cluster_reason:
            self.mark_unread(Kind.CLUSTER, cluster_reason)
        if operations is not None:
            if self.cluster is not None:
                operations = tuple(op for op in operations if op.cluster in (None, self.cluster.name))
            old = {op.name: op for op in self.operations}
            new = {op.name: op for op in operations}
            for name, op in new.items():
                if name not in old:
                    changes.append(Change(Kind.OPERATION, "added", "GKE operation", None, name))
                elif old[name] != op:
                    changes.append(Change(Kind.OPERATION, "modified", "GKE operation", None, name))
            changes += [Change(Kind.OPERATION, "deleted", "GKE operation", None, name) for name in old
                        if name not in new]
            if changes or tuple(operations) != self.operations:
                self.operations = tuple(old.get(op.name, op) if old.get(op.name) == op else op for op in operations)
                self.meta_changed = True
            self.mark_read(Kind.OPERATION)
        elif operations_reason:
            self.mark_unread(Kind.OPERATION, operations_reason)
        return changes

    def _forget_rejected(self, kind: Kind, key: Key) -> None:
        if self.rejected.pop((kind, key), None) is not None:
            self.meta_changed = True

    def _forget_base_rejected(self, kind: Kind, key: Key) -> None:
        if not self.base_rejected:
            return
        identity = _identity(key, kind)
        kept = [item for item in self.base_rejected if item.kind != kind or (item.namespace, item.name) != identity]
        if len(kept) != len(self.base_rejected):
            self.base_rejected = kept
            self.meta_changed = True

    def problem(self, source: str, message: str) -> None:
        """One problem line of the follow (a skipped event, an unusable object), the newest kept."""
        self.problems.append(LoadProblem(clean(source, 300, single_line=True), clean(message, 400, single_line=True)))
        del self.problems[:-MAX_FOLLOW_PROBLEMS]
        self.meta_changed = True

    # ------------------------------------------------------------------ result

    @property
    def dirty(self) -> bool:
        return bool(self.changed) or self.meta_changed

    def snapshot(self, previous: Snapshot) -> Snapshot:
        """The next Snapshot: new tuples only for the kinds that changed since `previous`."""
        fields: dict[str, Any] = {}
        for kind in self.changed:
            values = tuple(self.buckets[kind].values())
            if kind is Kind.WORKLOAD:
                order = {name: index for index, name in enumerate(WORKLOAD_KINDS)}
                values = tuple(sorted(values, key=lambda w: order.get(w.kind, len(order))))
            fields[_SNAPSHOT_FIELDS[kind]] = values
        if self.meta_changed:
            fields.update(
                cluster=self.cluster, operations=self.operations,
                problems=self.base.problems + tuple(self.problems),
                rejected=tuple(self.base_rejected) + tuple(self.rejected.values()),
                unknown=tuple(UnknownPart(kind, reason) for kind, reason in self.unknown.items()),
                loaded_kinds=frozenset(self.loaded - set(self.unknown)),
            )
        self.changed.clear()
        self.meta_changed = False
        return replace(previous, captured_at=datetime.now(UTC), **fields)




def share_unchanged(old: Snapshot, new: Snapshot) -> tuple[Snapshot, list[Change]]:
    """`new` with every object equal to one in `old` replaced by the old one, and what changed.

    For sources re-read whole (files): the result still shares what did not change.
    """
    fields: dict[str, Any] = {}
    changes: list[Change] = []
    for kind, field_name in _SNAPSHOT_FIELDS.items():
        if kind is Kind.OPERATION:
            continue
        before = {object_key(kind, item): item for item in getattr(old, field_name)}
        after: list[Any] = []
        seen: set[Key] = set()
        for item in getattr(new, field_name):
            key = object_key(kind, item)
            seen.add(key)
            previous = before.get(key)
            if previous is not None and previous == item:
                after.append(previous)
                continue
            k8s_kind = getattr(item, "kind", None) if kind in (Kind.WORKLOAD, Kind.CILIUM_POLICY) else str(kind)
            changes.append(Change(kind, "modified" if previous is not None else "added", str(k8s_kind or kind),
                                  *_identity(key, kind)))
            after.append(item)
        for key, item in before.items():
            if key not in seen:
                k8s_kind = getattr(item, "kind", None) if kind in (Kind.WORKLOAD, Kind.CILIUM_POLICY) else str(kind)
                changes.append(Change(kind, "deleted", str(k8s_kind or kind), *_identity(key, kind)))
        fields[field_name] = tuple(after)
    if new.cluster != old.cluster and (new.cluster or old.cluster):
        changed = new.cluster or old.cluster
        assert changed is not None  # the condition above
        name = changed.name
        action = "deleted" if new.cluster is None else ("added" if old.cluster is None else "modified")
        changes.append(Change(Kind.CLUSTER, action, "GKE cluster", None, name))
    elif old.cluster is not None:
        fields["cluster"] = old.cluster
    old_ops = {op.name: op for op in old.operations}
    new_ops = {op.name: op for op in new.operations}
    for name, op in new_ops.items():
        if name not in old_ops or old_ops[name] != op:
            changes.append(Change(Kind.OPERATION, "modified" if name in old_ops else "added", "GKE operation",
                                  None, name))
    changes += [Change(Kind.OPERATION, "deleted", "GKE operation", None, name) for name in old_ops
                if name not in new_ops]
    fields["operations"] = tuple(old_ops[op.name] if old_ops.get(op.name) == op else op for op in new.operations)
    return replace(new, **fields), changes


def merge_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """One change per object for a batch: added then modified is added, added then deleted is nothing."""
    merged: dict[tuple[Kind, str, str | None, str], Change] = {}
    for change in changes:
        key = (change.kind, change.k8s_kind, change.namespace, change.name)
        earlier = merged.get(key)
        if earlier is not None and earlier.action == "added":
            if change.action == "deleted":
                del merged[key]
            continue
        if earlier is not None and earlier.action == "deleted" and change.action == "added":
            change = replace(change, action="modified")
        merged.pop(key, None)
        merged[key] = change
    return tuple(merged.values())


__all__ = ["MAX_FOLLOW_PROBLEMS", "Objects", "merge_changes", "object_key", "parse_raw", "raw_key", "share_unchanged"]
