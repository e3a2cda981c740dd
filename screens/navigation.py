"""Go to an object from wherever it is named, and the trail of places visited (the breadcrumb).

A finding, an evidence line, a policy in a pod's list or a pod in a policy's list names an
object; `GoTo` asks the app to open it on its screen (Policies for namespaces, pods, policies,
Services and workloads; Nodes for nodes and pools; Status for the cluster) with its row
selected. Every screen change, by number key or by going to an object, adds a `Crumb` to the
`Trail`; Esc walks it back, reselecting what was selected there (and reopening the finding
dialog one left from).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any

# GoTo, ObjectRef, evidence_ref and find_object live below the dialogs and widgets (which post
# GoTo and name objects); re-exported here, where the screens and older code look for them.
from netpol_tui.messages import GoTo as GoTo
from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.refs import ANY_POLICY, GKE_POLICY_KINDS, policy_candidates, policy_link
from netpol_tui.refs import MODE_OF_KIND as MODE_OF_KIND
from netpol_tui.refs import POLICIES_KINDS as POLICIES_KINDS
from netpol_tui.refs import ObjectRef as ObjectRef
from netpol_tui.refs import evidence_ref as evidence_ref
from netpol_tui.refs import find_object as find_object

MAX_TRAIL = 30
MAX_CLOSEST = 5
#: Kinds whose closest names a "not in the snapshot" notice offers -> the snapshot field holding them.
_NAMED_FIELDS = {"Pod": "pods", "NetworkPolicy": "policies", "Service": "services", "Node": "nodes",
                 "FQDNNetworkPolicy": "fqdn_policies"}


def closest_names(snapshot: Any, ref: ObjectRef, limit: int = MAX_CLOSEST) -> list[str]:
    """The names a user who asked for `ref` (not in the snapshot) most likely meant: in its namespace
    the names it starts (`web` for `web-7d4b9c-x2x1`) or is close to, then the same name in other
    namespaces, then close names in close namespaces. Per namespace, so 100,000 pods stay quick."""
    field = _NAMED_FIELDS.get(ref.kind)
    if snapshot is None or field is None:
        return []
    by_namespace: dict[str | None, list[str]] = {}
    for obj in getattr(snapshot, field):
        by_namespace.setdefault(getattr(obj, "namespace", None), []).append(obj.name)
    namespace = ref.namespace if ref.kind != "Node" else None
    here = by_namespace.get(namespace, [])
    names = [name for name in here if name.startswith(f"{ref.name}-")][:limit]
    names += [name for name in difflib.get_close_matches(ref.name, here, n=limit, cutoff=0.6) if name not in names]
    out = [f"{namespace}/{name}" if namespace else name for name in names]
    if namespace is not None:
        out += [f"{other}/{ref.name}" for other, there in by_namespace.items()
                if other != namespace and ref.name in there]
        for other in difflib.get_close_matches(namespace, [ns for ns in by_namespace if ns], n=3, cutoff=0.6):
            if other != namespace:
                out += [f"{other}/{name}" for name in difflib.get_close_matches(ref.name, by_namespace[other], n=limit)]
    return list(dict.fromkeys(out))[:limit]


def not_found_text(snapshot: Any, ref: ObjectRef) -> str:
    """`pod shop/web is not in the snapshot. Did you mean shop/web-1, ...?` (plain text)."""
    from netpol_tui.text import clean

    close = closest_names(snapshot, ref)
    text = f"{ref.label} is not in the snapshot." + (f" Did you mean {', '.join(close)}?" if close else "")
    return clean(text, 600, single_line=True)


def owned_pod(snapshot: Any, ref: ObjectRef) -> Any:
    """A live pod of a workload (its owner, or a Deployment's ReplicaSet `NAME-hash`), or None."""
    prefix = f"{ref.name}-"
    fallback = None
    for pod in snapshot.pods:
        if pod.namespace != ref.namespace:
            continue
        owner = pod.owner_name or ""
        if owner == ref.name or (ref.kind == "Deployment" and owner.startswith(prefix)):
            if pod.is_live:
                return pod
            fallback = fallback or pod
    return fallback


# ---------------------------------------------------------------------------- the trail


@dataclass(frozen=True, slots=True)
class Crumb:
    """A place: a mode, what was selected there, and the finding whose dialog was open."""

    mode: str
    ref: ObjectRef | None = None
    finding: Any = None
    #: The highlighted row's key (a finding, a group) when there is no object to name.
    selected: Any = None

    def label(self, titles: dict[str, str]) -> str:
        title = titles.get(self.mode, self.mode)
        if self.finding is not None:
            return f"{title}: {self.finding.id} {self.finding.subject.name}"
        return f"{title}: {self.ref.label}" if self.ref is not None and self.ref.kind != "Cluster" else title


class Trail:
    """Places visited, the current one last; Esc pops."""

    def __init__(self, first: str) -> None:
        self.crumbs: list[Crumb] = [Crumb(first)]

    @property
    def here(self) -> Crumb:
        return self.crumbs[-1]

    def update_here(self, **changes: Any) -> None:
        self.crumbs[-1] = replace(self.crumbs[-1], **changes)

    def push(self, crumb: Crumb) -> None:
        self.crumbs = [*self.crumbs[-(MAX_TRAIL - 1):], crumb]

    def back(self) -> Crumb | None:
        """The place to return to (it becomes current), or None at the start."""
        if len(self.crumbs) < 2:
            return None
        self.crumbs.pop()
        return self.crumbs[-1]

    def text(self, titles: dict[str, str], shown: int = 5) -> str:
        labels = [crumb.label(titles) for crumb in self.crumbs[-shown:]]
        return ("… › " if len(self.crumbs) > shown else "") + " › ".join(labels)


# ---------------------------------------------------------------------------- finding the row


def _policies_predicate(state: Any, ref: ObjectRef) -> tuple[Any, str | None]:
    """(predicate over Policies row keys, note) for `ref`; a workload goes to one of its pods, an
    Ingress to its namespace (neither has a row)."""
    note = None
    if ref.kind in WORKLOAD_KINDS:
        pod = owned_pod(state.snapshot, ref)
        if pod is not None:
            return (lambda key: key[1] is pod), f"{ref.label}: showing its pod {pod.name}"
        ref, note = ObjectRef("Namespace", ref.namespace, ref.namespace or ""), f"{ref.label} has no pod loaded"
    elif ref.kind == "Ingress":
        ref, note = ObjectRef("Namespace", ref.namespace, ref.namespace or ""), f"{ref.label} is shown by its namespace"
    elif ref.kind == ANY_POLICY:
        found = policy_candidates(state.snapshot, ref)
        if len(found) != 1:
            return (lambda key: False), None  # reveal_in_list says why (none, or several)
        ref = found[0]
    if ref.kind == "Namespace":
        name = ref.name
        return (lambda key: key[0] == "ns" and key[1] == name), note
    code = {"Pod": "pod", "NetworkPolicy": "pol", "Service": "svc", **GKE_POLICY_KINDS}[ref.kind]
    namespace, name = ref.namespace, ref.name
    return (lambda key: key[0] == code and key[1].name == name and key[1].namespace == namespace), note


def _nodes_predicate(ref: ObjectRef) -> Any:
    name = ref.name
    if ref.kind == "NodePool":
        return lambda node: node.node_pool == name
    return lambda node: node.name == name


def row_matching(virtual_list: Any, state: Any, ref: ObjectRef) -> tuple[int | None, Any, str | None]:
    """(position, row, note) of `ref` in a Policies or Nodes list (row None: not there)."""
    if ref.mode == "nodes":
        return (*virtual_list.find(_nodes_predicate(ref)), None)
    predicate, note = _policies_predicate(state, ref)
    return (*virtual_list.find(predicate), note)


def any_policy_problem(snapshot: Any, ref: ObjectRef) -> str | None:
    """Why a policy named without its kind (`--policy shop/x`) cannot be selected: not in the
    snapshot (with the closest names), or several policies of that name (each with the value that
    names it alone); None when exactly one matches."""
    from netpol_tui.text import clean

    found = policy_candidates(snapshot, ref)
    if len(found) == 1:
        return None
    if not found:
        if ref.namespace is not None:
            return not_found_text(snapshot, ObjectRef("NetworkPolicy", ref.namespace, ref.name))
        close = difflib.get_close_matches(ref.name, sorted({p.name for p in (
            *snapshot.policies, *snapshot.fqdn_policies, *snapshot.cilium_policies)}), n=MAX_CLOSEST, cutoff=0.6)
        return clean(f"{ref.label} is not in the snapshot (no policy of any kind has that name)."
                     + (f" Did you mean {', '.join(close)}?" if close else ""), 600, single_line=True)
    listed = ", ".join(f"{c.kind} {c.namespace}/{c.name}" if c.namespace else f"{c.kind} {c.name}" for c in found)
    return clean(f"{ref.label} is ambiguous: {len(found)} policies have that name ({listed}); choose one with "
                 f"--policy {' or '.join(policy_link(candidate) for candidate in found)}.", 600, single_line=True)


def reveal_in_list(screen: Any, virtual_list: Any, state: Any, ref: ObjectRef) -> bool | str:
    """Select `ref`'s row (clearing a filter that hides it), focus the list: True, or why not."""
    if ref.kind == ANY_POLICY:
        problem = any_policy_problem(state.snapshot, ref)
        if problem is not None:
            return problem
    position, row, note = row_matching(virtual_list, state, ref)
    if row is None:
        return not_found_text(state.snapshot, ref)
    if position is None:  # the filter hides it
        from netpol_tui.widgets.inputs import FilterInput

        for filter_input in screen.query(FilterInput):
            if filter_input.id == f"{virtual_list.id}-filter":
                filter_input.value = ""
        virtual_list.set_filter("")
        position, row, _ = row_matching(virtual_list, state, ref)
    virtual_list.cursor = position
    screen.set_focus(virtual_list)
    if note:
        screen.notify(note, title="Go to", markup=False)
    return True
