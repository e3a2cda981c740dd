"""The engine's index: pods that share a namespace and a label set share every answer, so they are
grouped, and per group the index caches which policies select it (per direction). Nothing
compares every pod with every policy.

Caches keyed by `id()` of model objects always keep a reference to the object itself, so an id
can never be reused for another object while its entry exists. All caches are filled with
idempotent single assignments, which makes concurrent reads safe under the GIL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer, PolicyRule
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.policy import ranges
from netpol_tui.policy.addresses import (
    Address,
    ParsedBlock,
    parse_block,
    try_parse_address,
)
from netpol_tui.policy.common import (
    DV2,
    NAMESPACE_NAME_LABEL,
    View,
    _CPeer,
    _CRule,
    _Group,
    check_direction,
    policy_name,
)
from netpol_tui.policy.dataplane import resolve_dataplane
from netpol_tui.policy.engine_parts import EngineParts
from netpol_tui.policy.pod_index import claim_ips, claim_node_ips, services_index
from netpol_tui.policy.results import (
    Dataplane,
    Direction,
    SelectionMiss,
    TermResult,
)
from netpol_tui.policy.selectors import CompiledSelector, explain_terms
from netpol_tui.policy.unread import Unread

Ranges = ranges.Ranges


class PolicyIndex(EngineParts):
    """The index over one Snapshot: pods grouped by namespace and labels, the policies selecting
    each group, compiled rules, and the API-view selection queries the screens and checks use."""

    def __init__(self, snapshot: Snapshot, dataplane: str | Dataplane = "auto") -> None:
        self._setup(snapshot, dataplane)
        # Building allocates ~1 object per pod; with a big snapshot on the heap each automatic full
        # collection would walk millions of objects, so the cyclic GC pauses meanwhile.
        with gc_paused():
            self._build()

    def _setup(self, snapshot: Snapshot, dataplane: str | Dataplane) -> None:
        """Everything but the index: the model, the unread kinds and empty caches (derive.py
        fills the index from another engine's instead of `_build`)."""
        self.snapshot = snapshot
        #: the model as asked ("auto", ...): `derive` asks the same of the next snapshot
        self.requested_dataplane = dataplane
        self.dataplane, self.notes = resolve_dataplane(snapshot, dataplane)
        #: How this engine was made: "full build", or "derived (...)" (derive.py).
        self.derivation = "full build"
        #: Kinds a verdict may depend on that the snapshot lacks (verdicts using them are unknown).
        self.unread = Unread(snapshot)
        #: FQDN or Cilium policies exist, or could not be read: Dataplane V2 verdicts consult them.
        self._gke_kinds_present = bool(snapshot.fqdn_policies or snapshot.cilium_policies or any(
            snapshot.unknown_reason(kind) for kind in (Kind.FQDN_POLICY, Kind.CILIUM_POLICY)))
        self._compiled_cache: dict[int, CompiledSelector] = {}
        self._ns_match_cache: dict[tuple[int, str], bool] = {}
        self._block_cache: dict[Any, ParsedBlock] = {}
        self._address_cache: dict[str, Address] = {}
        self._selected_cache: dict[int, tuple[NetworkPolicy, tuple[Pod, ...]]] = {}
        self._peer_cache: dict[tuple[int, int], tuple[NetworkPolicy, PolicyPeer, tuple[Pod, ...]]] = {}
        self._posting_cache: dict[str, dict[tuple[str, str], list[_Group]]] = {}
        self._names_index: dict[str, list[Pod]] | None = None
        #: explanation fragments: (id(selector), values of its keys[, labels]) -> text
        self._rules_cache: dict[int, tuple[NetworkPolicy, tuple[_CRule, ...], tuple[_CRule, ...]]] = {}
        #: (namespace, direction, ids of the isolating policies) -> view (holds the policies: ids stay valid)
        self._views: dict[tuple[str, Direction, tuple[int, ...]], View] = {}
        #: namespace -> ((policy, its podSelector's match function), ...)
        self._ns_selectors: dict[str, tuple[tuple[NetworkPolicy, Callable[[Mapping[str, str]], bool]], ...]] = {}
        self._selector_text_cache: dict[tuple[Hashable, ...], tuple[LabelSelector, str | None]] = {}
        #: what layers above compute about this engine and keep with it (e.g. the what-if facts of its
        #: pods), by the computing module's name; a derived engine starts empty
        self.memo: dict[str, Any] = {}
        #: groups made on demand for pods the snapshot does not hold (`_group_for`), apart from the index
        self._foreign_groups: dict[tuple[str, frozenset[tuple[str, str]]], _Group] = {}

    # ------------------------------------------------------------------ index

    def _build(self) -> None:
        snapshot = self.snapshot
        self._index_namespaces()
        self._index_policies()
        groups: dict[tuple[str, frozenset[tuple[str, str]]], _Group] = {}
        by_ns: dict[str, list[_Group]] = {}
        pod_group: dict[int, tuple[Pod, _Group]] = {}
        by_key: dict[tuple[str, str], Pod] = {}
        by_ip: dict[str, Pod] = {}
        host_ips: dict[str, str] = {}
        #: IPs that several live (non-hostNetwork) pods claim: a stale or inconsistent snapshot
        shared: dict[str, list[Pod]] = {}
        for pod in snapshot.pods:
            key = (pod.namespace, frozenset(pod.labels.items()))
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(pod.namespace, pod.labels)
                by_ns.setdefault(pod.namespace, []).append(group)
            group.pods.append(pod)
            pod_group[id(pod)] = (pod, group)
            by_key.setdefault((pod.namespace, pod.name), pod)
            claim_ips(pod, by_ip, host_ips, shared)
        claim_node_ips(snapshot.nodes, host_ips)
        self._groups = groups
        self._groups_by_ns = by_ns
        #: no two (namespace, name) alike and no pod object twice: what `derive` relies on
        self._pods_distinct = len(by_key) == len(pod_group) == len(snapshot.pods)
        self._pod_group = pod_group
        self._pods_by_key = by_key
        self._pod_by_ip = by_ip
        self._host_ips = host_ips
        self._shared_ips = shared
        self._index_ranges()
        self._services, self._service_ips = services_index(snapshot.services)
        # Answer the per-group questions now (a few policies per namespace each), so that queries
        # only look them up: which policies select each group, per direction, with compiled rules.
        for group in groups.values():
            self._select(group)
            self._view(group, Direction.INGRESS)
            self._view(group, Direction.EGRESS)
        # FQDN and Cilium policies by namespace / required label (GkeKindsMixin), only when present.
        self._gke_index = self._build_gke_index() if self._gke_kinds_present else None

    def _index_namespaces(self) -> None:
        self._ns_labels: dict[str, Mapping[str, str]] = {}
        for namespace in self.snapshot.namespaces:
            self._ns_labels.setdefault(namespace.name, namespace.labels)
        #: Namespaces whose labels are known: the ones listed, when the kind was read.
        self._ns_known = frozenset(self._ns_labels) if Kind.NAMESPACE not in self.unread else frozenset()

    def _index_policies(self) -> None:
        policies = self.snapshot.policies
        self._policies_by_ns: dict[str, list[NetworkPolicy]] = {}
        for policy in policies:
            self._policies_by_ns.setdefault(policy.namespace, []).append(policy)
        #: per direction: does any policy of the snapshot list it in policyTypes?
        self._any_isolating = {direction: any(direction in policy.policy_types for policy in policies)
                               for direction in Direction}

    def _index_ranges(self) -> None:
        snapshot = self.snapshot
        cluster = snapshot.cluster
        node_ranges = [cidr for node in snapshot.nodes for cidr in node.pod_cidrs]
        node_part = self._ranges([], node_ranges, "a node's pod range (spec.podCIDRs)")
        # Every pod IP lies in some node's podCIDRs, so with nodes read they bound the pod addresses.
        self._node_pod_ranges = node_part if snapshot.has(Kind.NODE) else []
        self._pod_ranges = self._ranges(
            [(cluster.pod_ipv4_cidr, f"the cluster's pod range {cluster.pod_ipv4_cidr}")] if cluster else [],
            [], "") + node_part
        self._service_ranges = self._ranges(
            [(cluster.services_ipv4_cidr, f"the cluster's Service range {cluster.services_ipv4_cidr}")]
            if cluster else [], [], "")

    # the cluster's address ranges as functions of ranges.py, kept as methods for the parts
    _ranges = staticmethod(ranges.ranges_of)
    _range_holding = staticmethod(ranges.range_holding)
    _range_of = staticmethod(ranges.range_of)

    def _select(self, group: _Group) -> _Group:
        if group.selecting is None:
            candidates = self._ns_selectors.get(group.namespace)
            if candidates is None:
                candidates = self._ns_selectors[group.namespace] = tuple(
                    (policy, self._compiled(policy.pod_selector).matches)
                    for policy in self._policies_by_ns.get(group.namespace, ()))
            labels = group.labels
            selecting = tuple(policy for policy, matches in candidates if matches(labels))
            group.ingress = tuple(policy for policy in selecting if policy.affects_ingress)
            group.egress = tuple(policy for policy in selecting if policy.affects_egress)
            group.selecting = selecting
        return group

    def _group_for(self, pod: Pod) -> _Group:
        entry = self._pod_group.get(id(pod))
        group: _Group | None
        if entry is not None and entry[0] is pod:
            group = entry[1]
        else:
            key = (pod.namespace, frozenset(pod.labels.items()))
            group = self._groups.get(key)
            if group is None:
                group = self._foreign_groups.get(key)
            if group is None:
                group = self._foreign_groups.setdefault(key, _Group(pod.namespace, dict(pod.labels)))
        return group if group.selecting is not None else self._select(group)

    def _compiled(self, selector: LabelSelector) -> CompiledSelector:
        compiled = self._compiled_cache.get(id(selector))
        if compiled is None or compiled.selector is not selector:
            compiled = CompiledSelector(selector)
            self._compiled_cache[id(selector)] = compiled
        return compiled

    def namespace_labels(self, name: str) -> Mapping[str, str]:
        labels = self._ns_labels.get(name)
        if labels is None:
            labels = self._ns_labels.setdefault(name, {NAMESPACE_NAME_LABEL: name})
        return labels

    def _ns_matches(self, selector: LabelSelector, namespace: str) -> bool:
        compiled = self._compiled(selector)
        key = (id(selector), namespace)
        result = self._ns_match_cache.get(key)
        if result is None:
            result = self._ns_match_cache[key] = compiled.matches(self.namespace_labels(namespace))
        return result

    def _block(self, block: Any) -> ParsedBlock:
        parsed = self._block_cache.get(block)
        if parsed is None:
            parsed = self._block_cache[block] = parse_block(block)
        return parsed

    def _address(self, text: str | None) -> Address | None:
        if text is None:
            return None
        parsed = self._address_cache.get(text)
        if parsed is None:
            parsed = try_parse_address(text)
            if parsed is None:
                return None
            self._address_cache[text] = parsed
        return parsed

    def _posting(self, namespace: str) -> dict[tuple[str, str], list[_Group]]:
        posting = self._posting_cache.get(namespace)
        if posting is None:
            posting = {}
            for group in self._groups_by_ns.get(namespace, ()):
                for pair in group.labels.items():
                    posting.setdefault(pair, []).append(group)
            self._posting_cache[namespace] = posting
        return posting

    def _matching_groups(self, namespace: str, selector: LabelSelector | None) -> list[_Group]:
        groups = self._groups_by_ns.get(namespace, [])
        if selector is None:
            return list(groups)
        compiled = self._compiled(selector)
        if compiled.is_empty:
            return list(groups)
        pairs = compiled.candidate_pairs()
        if pairs is not None and len(groups) > 8:
            posting = self._posting(namespace)
            seen: set[int] = set()
            candidates = []
            for pair in pairs:
                for group in posting.get(pair, ()):
                    if id(group) not in seen:
                        seen.add(id(group))
                        candidates.append(group)
            groups = candidates
        return [group for group in groups if compiled.matches(group.labels)]

    def known_namespaces(self) -> tuple[str, ...]:
        names = set(self._ns_labels) | set(self._groups_by_ns) | set(self._policies_by_ns)
        return tuple(sorted(names))

    # --------------------------------------------------------- selection queries

    def policies_selecting(self, pod: Pod) -> tuple[NetworkPolicy, ...]:
        """Policies of the pod's namespace whose podSelector selects it (any policyTypes)."""
        return self._group_for(pod).selecting or ()

    def isolating_policies(self, pod: Pod, direction: Direction | str) -> tuple[NetworkPolicy, ...]:
        """Policies that select the pod and list the direction in policyTypes (API view,
        whatever the dataplane or hostNetwork)."""
        group = self._group_for(pod)
        if direction.__class__ is not Direction:  # the check costs more than the lookup: text only
            direction = check_direction(direction)
        return group.ingress if direction is Direction.INGRESS else group.egress

    def is_isolated(self, pod: Pod, direction: Direction | str) -> bool:
        """Isolated as enforced: False on a cluster without enforcement and for hostNetwork pods."""
        if self.dataplane is Dataplane.NONE or pod.host_network:
            return False
        return bool(self.isolating_policies(pod, direction))

    def pods_selected_by(self, policy: NetworkPolicy, live_only: bool = False) -> tuple[Pod, ...]:
        """Pods of the policy's namespace its podSelector selects, sorted by name."""
        entry = self._selected_cache.get(id(policy))
        if entry is None or entry[0] is not policy:
            groups = self._matching_groups(policy.namespace, policy.pod_selector)
            pods = sorted((pod for group in groups for pod in group.pods), key=lambda pod: pod.name)
            entry = (policy, tuple(pods))
            self._selected_cache[id(policy)] = entry
        if live_only:
            return tuple(pod for pod in entry[1] if pod.is_live)
        return entry[1]

    def namespaces_matching(self, selector: LabelSelector) -> tuple[str, ...]:
        """Known namespaces (listed, or holding pods or policies) whose labels match."""
        return tuple(name for name in self.known_namespaces() if self._ns_matches(selector, name))

    def peer_namespaces(self, policy: NetworkPolicy, peer: PolicyPeer) -> tuple[str, ...]:
        """Namespaces a selector peer reaches into: its namespaceSelector, else the policy's own."""
        if peer.ip_block is not None:
            return ()
        if peer.namespace_selector is None:
            return (policy.namespace,)
        return self.namespaces_matching(peer.namespace_selector)

    def peer_matches(self, policy: NetworkPolicy, peer: PolicyPeer) -> tuple[Pod, ...]:
        """Pods a peer matches under this dataplane (hostNetwork pods never; ipBlock peers match
        pod IPs on kubernetes/calico and no pod on Dataplane V2)."""
        key = (id(policy), id(peer))
        entry = self._peer_cache.get(key)
        if entry is not None and entry[0] is policy and entry[1] is peer:
            return entry[2]
        if peer.ip_block is not None:
            pods: list[Pod] = []
            if self.dataplane is not DV2:
                block = self._block(peer.ip_block)
                seen: set[int] = set()
                for ip, pod in self._pod_by_ip.items():
                    address = self._address(ip)
                    if id(pod) not in seen and address is not None and block.contains(address):
                        seen.add(id(pod))
                        pods.append(pod)
        else:
            pods = []
            for namespace in self.peer_namespaces(policy, peer):
                for group in self._matching_groups(namespace, peer.pod_selector):
                    pods.extend(pod for pod in group.pods if not pod.host_network)
        result = tuple(sorted(pods, key=lambda pod: (pod.namespace, pod.name)))
        self._peer_cache[key] = (policy, peer, result)
        return result

    def explain_selector(self, selector: LabelSelector, labels: Mapping[str, str]) -> tuple[TermResult, ...]:
        """Each term of the selector against the labels, with near-miss hints."""
        return explain_terms(selector, labels)

    def non_selecting_policies(self, pod: Pod) -> tuple[SelectionMiss, ...]:
        """Policies of the pod's namespace that do not select it, with the failing terms."""
        selecting = {id(policy) for policy in self.policies_selecting(pod)}
        return tuple(SelectionMiss(policy, explain_terms(policy.pod_selector, pod.labels))
                     for policy in self._policies_by_ns.get(pod.namespace, ())
                     if id(policy) not in selecting)

    def label_groups(self, pods: Iterable[Pod]) -> list[object]:
        """Per pod, its label group as an opaque token, the same for pods of one namespace with
        equal labels: for callers that group pods as the index does, without hashing labels."""
        get = self._pod_group.get
        found: list[object] = []
        for pod in pods:
            entry = get(id(pod))
            found.append(entry[1] if entry is not None and entry[0] is pod else self._group_for(pod))
        return found

    def pod(self, namespace: str, name: str) -> Pod | None:
        return self._pods_by_key.get((namespace, name))

    def _rules_of(self, policy: NetworkPolicy, direction: Direction) -> tuple[_CRule, ...]:
        """The policy's rules of that direction, compiled once."""
        entry = self._rules_cache.get(id(policy))
        if entry is None or entry[0] is not policy:
            entry = (policy, self._compile_rules(policy.ingress), self._compile_rules(policy.egress))
            self._rules_cache[id(policy)] = entry
        return entry[1] if direction is Direction.INGRESS else entry[2]

    def _compile_rules(self, rules: tuple[PolicyRule, ...]) -> tuple[_CRule, ...]:
        compiled = []
        for index, rule in enumerate(rules):
            peers = tuple(_CPeer(
                peer, self._block(peer.ip_block) if peer.ip_block is not None else None,
                self._compiled(peer.namespace_selector) if peer.namespace_selector is not None else None,
                self._compiled(peer.pod_selector) if peer.pod_selector is not None else None)
                for peer in rule.peers)
            compiled.append(_CRule(index, rule, peers, rule.ports))
        return tuple(compiled)

    def _view(self, group: _Group, direction: Direction) -> View:
        """(names, ((policy, compiled rules), ...), others) of the group's isolating policies for the
        direction; shared by the groups of a namespace that the same policies select."""
        view = group.views.get(direction)
        if view is None:
            policies = group.egress if direction is Direction.EGRESS else group.ingress
            key = (group.namespace, direction, tuple(id(policy) for policy in policies))
            view = self._views.get(key)
            if view is None:
                chosen = set(key[2])
                others = tuple((policy, self._rules_of(policy, direction))
                               for policy in self._policies_by_ns.get(group.namespace, ())
                               if id(policy) not in chosen and direction in policy.policy_types)
                view = (tuple(policy_name(policy) for policy in policies),
                        tuple((policy, self._rules_of(policy, direction)) for policy in policies), others, policies)
                self._views[key] = view
            group.views[direction] = view
        return view
