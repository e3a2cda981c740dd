"""An engine derived from another: `engine.derive(snapshot)` answers every question exactly as
`PolicyEngine(snapshot, ...)` would, re-indexing only what differs between the two snapshots.

Made for snapshots that share most objects by identity with the engine's own: a followed
snapshot (a few pods, policies or namespaces changed; `sources/follow_apply.py` keeps the
others' objects) or a snapshot with proposed policies applied (`whatif.diff.apply_change`).

What each part of the index depends on, and so what is redone:

- a pod group (pods of one namespace with one label set) holds the policies of its namespace
  that select it and their compiled rules: a group is made anew when it gains or loses pods or
  when its namespace's NetworkPolicies change (every group of that namespace); others are the
  same objects (never changed once built, so both engines may read them at once);
- the IP index: only the addresses of added or removed pods are claimed again, from every pod
  that claims them, in snapshot order (the same precedence as a build);
- caches keyed by content (compiled selectors and rules, parsed blocks and addresses, selector
  texts) are copied; those that depend on pods or namespace labels are copied without the
  entries a change can touch (a namespace's labels: its namespaceSelector answers and the
  Cilium identities of its groups); nothing evaluates namespaceSelectors ahead of a question,
  so relabelling a namespace re-indexes no pod;
- FQDN and Cilium policies: the index is rebuilt when those policies differ (it is small), its
  per-group caches otherwise kept for the groups kept.

The index does not depend on the dataplane model (only the verdicts do, and the pods an ipBlock
peer matches, a cache dropped then), so `derive(snapshot, "dataplane-v2")` of a Calico engine
is a model diff's second engine. A full build is made instead (`derivation` says which and why)
when the read kinds differ, when pods are duplicated or reordered, or when the change is large (more than
REBUILD_SHARE of the pods or pod groups touched), where a build is about as fast.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any, Self

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.common import _Group
from netpol_tui.policy.gke_index import GkeIndex
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.pod_index import claim_ips, claim_node_ips, pod_addresses, services_index
from netpol_tui.policy.results import Dataplane, Direction

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netpol_tui.model.objects import Pod
    from netpol_tui.model.snapshot import Snapshot

#: Above this share of the pods (added + removed) or of the pod groups (touched) a full build
#: is made: deriving costs about as much as building per touched pod, plus copying the rest.
REBUILD_SHARE = 0.25
#: Changes this small are always derived, whatever the share (a tiny snapshot).
ALWAYS_DERIVE = 64


#: The compiled selectors kept are pruned to the snapshot's own above this many per policy.
PRUNE_FACTOR = 8
PRUNE_SLACK = 1000


def _selector_ids(snapshot: Snapshot) -> set[int]:
    """Ids of the label selectors of the snapshot's NetworkPolicies and FQDN policies."""
    found: set[int] = set()
    for policy in snapshot.policies:
        found.add(id(policy.pod_selector))
        for rules in (policy.ingress, policy.egress):
            for rule in rules:
                for peer in rule.peers:
                    if peer.pod_selector is not None:
                        found.add(id(peer.pod_selector))
                    if peer.namespace_selector is not None:
                        found.add(id(peer.namespace_selector))
    found.update(id(policy.pod_selector) for policy in snapshot.fqdn_policies)
    return found


def _same(first: Sequence[object], second: Sequence[object]) -> bool:
    return len(first) == len(second) and all(map(operator.is_, first, second))


class DeriveMixin(PolicyIndex):
    """`derive`: the engine of a snapshot that shares most objects with this engine's."""

    def derive(self, snapshot: Snapshot, dataplane: str | Dataplane | None = None) -> Self:
        """An engine over `snapshot` whose every answer is `PolicyEngine(snapshot, dataplane)`'s,
        built from this engine's index where the snapshots share objects. `dataplane` defaults
        to the model this engine was asked for (e.g. "auto", resolved again for `snapshot`).
        This engine is only read: both may be used, from any thread, afterwards."""
        engine = type(self).__new__(type(self))
        requested = self.requested_dataplane if dataplane is None else dataplane
        engine._setup(snapshot, requested)
        with gc_paused():
            reason = engine._derive_from(self)
            if reason is not None:
                engine._setup(snapshot, requested)  # nothing copied survives into the build
                engine._build()
                engine.derivation = f"full build ({reason})"
        return engine

    def _derive_from(self, old: PolicyIndex) -> str | None:
        """Fill the index from `old`'s; a reason when a full build must be made instead."""
        snapshot, before = self.snapshot, old.snapshot
        if self.unread.reasons != old.unread.reasons:
            return "other kinds read"
        if not old._pods_distinct:
            return "the previous snapshot repeats a pod"
        pods = snapshot.pods
        if pods is before.pods:
            added: list[Pod] = []
            removed: list[Pod] = []
        else:
            old_ids, new_ids = set(map(id, before.pods)), set(map(id, pods))
            if len(new_ids) != len(pods):
                return "a pod object twice"
            added = [pod for pod in pods if id(pod) not in old_ids]
            removed = [pod for pod in before.pods if id(pod) not in new_ids]
            if len(added) + len(removed) > max(ALWAYS_DERIVE, REBUILD_SHARE * len(pods)):
                return f"{len(added)} pods added and {len(removed)} removed"
            kept_new = [pod for pod in pods if id(pod) in old_ids] if added else pods
            kept_old = [pod for pod in before.pods if id(pod) in new_ids] if removed else before.pods
            if not _same(kept_new, kept_old):
                return "pods in another order"
            gone = {(pod.namespace, pod.name) for pod in removed}
            names = set()
            for pod in added:
                key = (pod.namespace, pod.name)
                if key in names or (key in old._pods_by_key and key not in gone):
                    return f"two pods named {pod.namespace}/{pod.name}"
                names.add(key)
        self._index_namespaces()
        changed_ns = self._changed_namespaces(old)
        self._index_policies()
        if snapshot.policies is before.policies:
            policy_ns: set[str] = set()
        else:
            policy_ns = {ns for ns in old._policies_by_ns.keys() | self._policies_by_ns.keys()
                         if not _same(old._policies_by_ns.get(ns, ()), self._policies_by_ns.get(ns, ()))}
        regrouped = sum(len(old._groups_by_ns.get(ns, ())) for ns in policy_ns)
        if regrouped > max(ALWAYS_DERIVE, REBUILD_SHARE * len(old._groups)):
            return f"the policies of {len(policy_ns)} namespaces changed"
        pod_ns = {pod.namespace for pod in (*added, *removed)}
        self._copy_caches(old, policy_ns, changed_ns, pod_ns)
        stale = self._derive_groups(old, added, removed, policy_ns)
        self._derive_addresses(old, added, removed)
        self._derive_gke(old, stale, changed_ns, bool(pod_ns))
        self._pods_distinct = True
        parts = [f"{len(added)} pods added", f"{len(removed)} removed"] if added or removed else []
        parts += [f"policies of {len(policy_ns)} namespaces"] if policy_ns else []
        parts += [f"labels of {len(changed_ns)} namespaces"] if changed_ns else []
        parts += [f"{old.dataplane} -> {self.dataplane}"] if self.dataplane is not old.dataplane else []
        self.derivation = f"derived ({', '.join(parts) or 'nothing changed'})"
        return None

    def _changed_namespaces(self, old: PolicyIndex) -> set[str]:
        """Namespaces listed with other labels, or listed in only one of the snapshots."""
        if self.snapshot.namespaces is old.snapshot.namespaces:
            return set()
        labels: dict[str, object] = {}
        for namespace in old.snapshot.namespaces:
            labels.setdefault(namespace.name, namespace.labels)
        after = self._ns_labels
        return {name for name in labels.keys() | after.keys()
                if labels.get(name) is not after.get(name) and labels.get(name) != after.get(name)}

    def _copy_caches(self, old: PolicyIndex, policy_ns: set[str], changed_ns: set[str], pod_ns: set[str]) -> None:
        # Each copy is taken first (atomic under the GIL), then filtered: `old` may be filling a
        # cache from another thread meanwhile.
        compiled = old._compiled_cache.copy()
        self._block_cache = old._block_cache.copy()
        self._address_cache = old._address_cache.copy()
        texts = old._selector_text_cache.copy()
        matches = old._ns_match_cache.copy()
        if len(compiled) > PRUNE_FACTOR * (len(self.snapshot.policies) + len(self.snapshot.fqdn_policies)) + PRUNE_SLACK:
            # A long chain of derived engines (a followed cluster) would keep every selector it ever
            # compiled: keep those of the snapshot's policies, and the answers keyed by their ids.
            live = _selector_ids(self.snapshot)
            compiled = {k: v for k, v in compiled.items() if k in live}
            matches = {k: v for k, v in matches.items() if k[0] in live}
            texts = {k: v for k, v in texts.items() if k[0] in live}
        self._compiled_cache = compiled
        self._selector_text_cache = texts
        present = {id(policy) for policy in self.snapshot.policies} if policy_ns else None
        rules = old._rules_cache.copy()
        self._rules_cache = rules if present is None else {k: v for k, v in rules.items() if k in present}
        self._ns_match_cache = {k: v for k, v in matches.items() if k[1] not in changed_ns} if changed_ns else matches
        views = old._views.copy()
        self._views = {k: v for k, v in views.items() if k[0] not in policy_ns} if policy_ns else views
        selectors = old._ns_selectors.copy()
        self._ns_selectors = {k: v for k, v in selectors.items() if k not in policy_ns}
        # per namespace: the pods a policy's podSelector selects, the label postings of the groups
        regrouped = policy_ns | pod_ns
        selected = old._selected_cache.copy()
        self._selected_cache = {k: v for k, v in selected.items() if v[0].namespace not in pod_ns
                                and (present is None or k in present)}
        postings = old._posting_cache.copy()
        self._posting_cache = {k: v for k, v in postings.items() if k not in regrouped}
        if not pod_ns:
            self._names_index = old._names_index
            if not changed_ns and self.dataplane is old.dataplane:
                # peers reach across namespaces and match IPs (by the model): kept only when no pod moved
                peers = old._peer_cache.copy()
                self._peer_cache = peers if present is None else {k: v for k, v in peers.items() if k[0] in present}

    def _derive_groups(self, old: PolicyIndex, added: list[Pod], removed: list[Pod],
                       policy_ns: set[str]) -> set[int]:
        """The pod groups, sharing every group that neither gained nor lost pods nor had its
        namespace's policies change; the ids of the old groups not carried over."""
        groups = old._groups.copy()
        pod_group = old._pod_group.copy()
        made: dict[int, _Group] = {}  # id(old group) -> its replacement
        mine: set[int] = set()  # ids of the replacements and of the new groups
        new_groups: list[_Group] = []

        def remake(group: _Group) -> _Group:
            copy = made.get(id(group))
            if copy is None:
                copy = made[id(group)] = _Group(group.namespace, group.labels)
                mine.add(id(copy))
                copy.pods = list(group.pods)
                if group.namespace not in policy_ns:  # the same policies select it: the same answers
                    copy.selecting, copy.ingress, copy.egress = group.selecting, group.ingress, group.egress
                    copy.views = dict(group.views)
                groups[(group.namespace, frozenset(group.labels.items()))] = copy
            return copy

        for namespace in policy_ns:
            for group in old._groups_by_ns.get(namespace, ()):
                remake(group)
        gone_ids = {id(pod) for pod in removed}
        thinned: set[int] = set()
        for pod in removed:
            entry = pod_group.pop(id(pod))
            thinned.add(id(remake(entry[1])))
        grown: dict[int, _Group] = {}
        for pod in added:
            key = (pod.namespace, frozenset(pod.labels.items()))
            found = groups.get(key)
            if found is None:
                group = groups[key] = _Group(pod.namespace, pod.labels)
                mine.add(id(group))
                new_groups.append(group)
            else:
                group = found if id(found) in mine else remake(found)
            group.pods.append(pod)
            grown[id(group)] = group
        for copy in made.values():
            if id(copy) in thinned:
                copy.pods = [pod for pod in copy.pods if id(pod) not in gone_ids]
        pods = self.snapshot.pods
        if added and not _same(pods[len(pods) - len(added):], added):
            # added pods are not all at the end: the grown groups' pods in snapshot order
            wanted = {id(pod) for group in grown.values() for pod in group.pods}
            place = {id(pod): index for index, pod in enumerate(pods) if id(pod) in wanted}
            for group in grown.values():
                group.pods.sort(key=lambda pod: place[id(pod)])
        by_ns = old._groups_by_ns.copy()
        touched_ns = {group.namespace for group in made.values()} | {group.namespace for group in new_groups}
        for namespace in touched_ns:
            members = [made.get(id(group), group) for group in old._groups_by_ns.get(namespace, ())]
            members += [group for group in new_groups if group.namespace == namespace]
            kept = [group for group in members if group.pods]
            for group in members:
                if not group.pods:
                    del groups[(group.namespace, frozenset(group.labels.items()))]
            if kept:
                by_ns[namespace] = kept
            else:
                by_ns.pop(namespace, None)
        for group in (*made.values(), *new_groups):
            for pod in group.pods:
                pod_group[id(pod)] = (pod, group)
        self._groups, self._groups_by_ns, self._pod_group = groups, by_ns, pod_group
        by_key = old._pods_by_key.copy()
        for pod in removed:
            del by_key[(pod.namespace, pod.name)]
        for pod in added:
            by_key[(pod.namespace, pod.name)] = pod
        self._pods_by_key = by_key
        for group in (*made.values(), *new_groups):
            if group.pods:
                self._select(group)
                self._view(group, Direction.INGRESS)
                self._view(group, Direction.EGRESS)
        return set(made)

    def _derive_addresses(self, old: PolicyIndex, added: list[Pod], removed: list[Pod]) -> None:
        """Pod, host and Service addresses; only the IPs of added or removed pods claimed again."""
        snapshot, before = self.snapshot, old.snapshot
        nodes_changed = snapshot.nodes is not before.nodes
        touched = {ip for pod in (*added, *removed) for ip in pod_addresses(pod)}
        by_ip, host_ips, shared = old._pod_by_ip.copy(), old._host_ips.copy(), old._shared_ips.copy()
        if nodes_changed:
            host_ips = {}
            for pod in snapshot.pods:
                if pod.host_network:
                    claim_ips(pod, {}, host_ips, {})  # a hostNetwork pod's IPs are host addresses only
        if touched:
            for ip in touched:
                by_ip.pop(ip, None)
                shared.pop(ip, None)
            # A pod kept claims one of these IPs only if the old index holds it; else only added pods do.
            if any(ip in old._pod_by_ip or ip in old._host_ips for ip in touched):
                if any(":" in ip for ip in touched):
                    claimants: Sequence[Pod] = snapshot.pods
                else:
                    claimants = [pod for pod in snapshot.pods if not touched.isdisjoint(pod.pod_ips)]
                if not nodes_changed:
                    for ip in touched:
                        host_ips.pop(ip, None)
            else:
                claimants = added
            for pod in claimants:
                claim_ips(pod, by_ip, host_ips, shared, only=touched)
        claim_node_ips(snapshot.nodes, host_ips)  # the last node naming an IP wins, as in a build
        self._pod_by_ip, self._host_ips, self._shared_ips = by_ip, host_ips, shared
        if nodes_changed or snapshot.cluster is not before.cluster or snapshot.has(Kind.NODE) != before.has(Kind.NODE):
            self._index_ranges()
        else:
            self._node_pod_ranges, self._pod_ranges = old._node_pod_ranges, old._pod_ranges
            self._service_ranges = old._service_ranges
        if snapshot.services is before.services:
            self._services, self._service_ips = old._services, old._service_ips
        else:
            self._services, self._service_ips = services_index(snapshot.services)

    def _derive_gke(self, old: PolicyIndex, stale: set[int], changed_ns: set[str], pods_changed: bool) -> None:
        """The FQDN and Cilium index: kept with its per-group answers for the groups kept (and not
        in a relabelled namespace: identities hold namespace labels), rebuilt when those policies
        differ."""
        snapshot, before, index = self.snapshot, old.snapshot, old._gke_index
        if not self._gke_kinds_present:
            self._gke_index = None
            return
        if index is None or snapshot.fqdn_policies is not before.fqdn_policies \
                or snapshot.cilium_policies is not before.cilium_policies:
            self._gke_index = self._build_gke_index()
            return
        stale = stale | {id(group) for ns in changed_ns for group in old._groups_by_ns.get(ns, ())}

        def kept(cache: dict[Any, Any]) -> dict[Any, Any]:
            cache = cache.copy()
            return {k: v for k, v in cache.items() if (k if isinstance(k, int) else k[0]) not in stale}

        self._gke_index = GkeIndex(
            index.fqdn_by_namespace, index.everyone, index.by_label, index.first_keys, kept(index.selecting),
            kept(index.sides), kept(index.fqdn), kept(index.identities), index.selectors.copy(),
            index.kind_pods.copy() if not (pods_changed or changed_ns) else {})
