"""The facts the fast what-if path works from: which pods each peer names, keyed by content.

Why content keys: a synthetic or real cluster repeats the same peer (`podSelector: {app: web}`,
`namespaceSelector: {team: platform}`) in thousands of policies; matching each copy against the
pods again is what made the matrix slow. A peer is keyed by what decides its matches (its
selectors, and its policy's namespace when it has no namespaceSelector; or its ipBlock), so each
distinct peer is matched once, per label set of live pods rather than per pod, and the result is
shared by every engine over the same pods (a snapshot before and after a change, or under two
dataplane models).

Two views of "matches", as the engine has them:
- the API view (`PolicyEngine.peer_matches`): what tells pods apart when grouping them into
  classes, and which egress rules name a destination (its ports are asked about);
- the evaluation view (`PolicyEngine.evaluate` on two pods): three-valued, a namespace whose
  labels were not read may leave a namespaceSelector undecided; an ipBlock holds a pod by its
  IP, except a pod's (not hostNetwork) on Dataplane V2.

`supported` says when the fast path answers exactly as the engine; anything else (NetworkPolicies
not read, Dataplane V2 with FQDN or Cilium policies) takes the reference path.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import itemgetter
from socket import AF_INET, inet_pton
from typing import Any

from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy import CompiledSelector, Dataplane, Direction, EndpointError, PolicyEngine, parse_block
from netpol_tui.policy.addresses import try_parse_address
from netpol_tui.policy.results import normalise_address
from netpol_tui.policy.unread import namespace_match_without_labels

DV2 = Dataplane.DATAPLANE_V2
GKE_KINDS = (Kind.FQDN_POLICY, Kind.CILIUM_POLICY)


#: (pods, any live pod dual-stack) of the last pods asked: a diff asks it of two engines over one pods tuple
_last_dual_stack: list[tuple[Sequence[Pod], bool]] = []


def _dual_stack(pods: Sequence[Pod]) -> bool:
    last = _last_dual_stack[-1] if _last_dual_stack else None
    if last is not None and last[0] is pods:
        return last[1]
    found = any(len(pod.pod_ips) > 1 for pod in pods if pod.is_live)
    _last_dual_stack[:] = [(pods, found)]
    return found


def supported(engine: PolicyEngine) -> bool:
    """Does the fast path give exactly the engine's pod-to-pod verdicts under this engine?"""
    snapshot = engine.snapshot
    if Kind.NETWORK_POLICY in engine.unread:
        return False
    if _dual_stack(snapshot.pods):
        return False  # a dual-stack pair's traffic may use either family, chosen per question
    gke_kinds = bool(snapshot.fqdn_policies or snapshot.cilium_policies
                     or any(snapshot.unknown_reason(kind) for kind in GKE_KINDS))
    return not (engine.dataplane is DV2 and gke_kinds)


def engine_is_dv2(engine: PolicyEngine) -> bool:
    return engine.dataplane is DV2


def selector_key(selector: LabelSelector | None) -> tuple | None:
    if selector is None:
        return None
    return (tuple(sorted(selector.match_labels.items())), selector.match_expressions)


def peer_key(policy: NetworkPolicy, peer: PolicyPeer) -> tuple:
    """What decides a peer's matches: equal keys match the same pods under every engine."""
    if peer.ip_block is not None:
        return ("ip", peer.ip_block)
    own = policy.namespace if peer.namespace_selector is None else None
    return ("sel", own, selector_key(peer.namespace_selector), selector_key(peer.pod_selector))


class Context:
    """The live pods asked about (one namespace's, or all), grouped by namespace and label set,
    with the matching caches every engine over these pods shares."""

    def __init__(self, pods: Sequence[Pod], all_pods: Sequence[Pod], tokens: Sequence[object] | None = None) -> None:
        """`tokens`: per pod, an object shared by the pods of one namespace and label set (an
        engine's `label_groups`), which spares hashing every pod's labels."""
        self.pods = list(pods)
        self.index = {id(pod): i for i, pod in enumerate(self.pods)}
        self.groups: list[tuple[str, Any]] = []
        self.group_of: list[int] = []
        found: dict[object, int] = {}
        groups, group_of = self.groups, self.group_of
        keys: Iterable[object] = map(id, tokens) if tokens is not None else (
            # Equal label sets written in another order make two groups: only a cache's grain.
            (pod.namespace, tuple(pod.labels.items())) for pod in self.pods)
        for pod, key in zip(self.pods, keys, strict=True):
            group = found.get(key)
            if group is None:
                group = found[key] = len(groups)
                groups.append((pod.namespace, pod.labels))
            group_of.append(group)
        self.groups_by_ns: dict[str, list[int]] = {}
        for group, (namespace, _) in enumerate(self.groups):
            self.groups_by_ns.setdefault(namespace, []).append(group)
        self._all_pods = all_pods
        self._claims: dict[str, int] | None = None
        self._addresses: tuple[list[tuple[int, int]], list[tuple[tuple[int, int], int, str, str]]] | None = None
        self._block_members: dict[tuple, frozenset[int]] = {}
        self._reach: dict[int, tuple] = {}
        self._compiled: dict[tuple, CompiledSelector] = {}
        self._groups_matching: dict[tuple, list[int]] = {}

    def block_members(self, key: tuple, block: Any, engine: PolicyEngine) -> frozenset[int]:
        """Indices of the pods an ipBlock peer matches in the API view: a pod (not hostNetwork)
        holding an IP in the block; an IP several pods claim counts for the engine's choice.
        Found by bisecting the sorted addresses over the block's intervals (CIDR minus excepts)."""
        found = self._block_members.get(key)
        if found is None:
            values, rows = self._sorted_addresses()
            members: set[int] = set()
            for version, first, last in block.intervals():
                for _, index, ip, text in rows[bisect_left(values, (version, first)):
                                               bisect_right(values, (version, last))]:
                    if index in members:
                        continue
                    if self._claims_of(ip) > 1 and engine.resolve_address(text).pod is not self.pods[index]:
                        continue
                    members.add(index)
            found = self._block_members[key] = frozenset(members)
        return found

    def _claims_of(self, ip: str) -> int:
        """How many pods (not hostNetwork) of the snapshot claim this IP text."""
        if self._claims is None:
            claims: dict[str, int] = {}
            for pod in self._all_pods:
                if not pod.host_network:
                    for item in pod.pod_ips:
                        claims[item] = claims.get(item, 0) + 1
            self._claims = claims
        return self._claims.get(ip, 0)

    def _sorted_addresses(self) -> tuple[list[tuple[int, int]], list[tuple[tuple[int, int], int, str, str]]]:
        """((version, value) sorted, rows (key, pod index, IP as written, IP as the engine keys it))
        of the IPs of the pods asked about (not hostNetwork); made once per context."""
        if self._addresses is None:
            rows = []
            for index, pod in enumerate(self.pods):
                if pod.host_network:
                    continue
                for ip in pod.pod_ips:
                    text = ip
                    if ":" in ip:
                        try:
                            text = normalise_address(ip)
                        except EndpointError:
                            continue
                        address = try_parse_address(text)
                        value = None if address is None else (address.version, address.value)
                    else:
                        try:  # strict dotted quads, as the parser's own fast path
                            value = (4, int.from_bytes(inet_pton(AF_INET, text), "big"))
                        except OSError:
                            address = try_parse_address(text)
                            value = None if address is None else (address.version, address.value)
                    if value is not None:
                        rows.append((value, index, ip, text))
            rows.sort(key=itemgetter(0))
            self._addresses = ([row[0] for row in rows], rows)
        return self._addresses

    def reach_cache(self, engine: PolicyEngine) -> dict[tuple, tuple[str, ...]]:
        """namespaceSelector key -> namespaces it reaches, shared by engines over the same
        Namespace objects (they differ at most in namespaces without pods, which no group holds)."""
        namespaces = engine.snapshot.namespaces
        entry = self._reach.get(id(namespaces))
        if entry is None or entry[0] is not namespaces:
            entry = self._reach[id(namespaces)] = (namespaces, {})
        return entry[1]

    def compiled(self, key: tuple) -> CompiledSelector:
        compiled = self._compiled.get(key)
        if compiled is None:
            labels, expressions = key
            compiled = self._compiled[key] = CompiledSelector(LabelSelector(dict(labels), expressions))
        return compiled

    def groups_matching(self, namespace: str, pod_key: tuple | None) -> list[int]:
        """Label groups of the namespace a podSelector (None: every pod) selects."""
        key = (namespace, pod_key)
        found = self._groups_matching.get(key)
        if found is None:
            groups = self.groups_by_ns.get(namespace, [])
            if pod_key is not None and not self.compiled(pod_key).is_empty:
                matches = self.compiled(pod_key).matches
                groups = [g for g in groups if matches(self.groups[g][1])]
            found = self._groups_matching[key] = list(groups)
        return found


class ApiFacts:
    """Per live pod, under one engine: its isolating policies (ids, per direction) and the peer
    keys that match it in the API view; what the reference path groups pods by."""

    def __init__(self, engine: PolicyEngine, context: Context) -> None:
        self.engine, self.context = engine, context
        group_keys: list[list[tuple]] = [[] for _ in context.groups]
        self.blocks: dict[tuple, Any] = {}
        self.key_set: set[tuple] = set()
        for policy, peer, key in self._new_keys(engine, self.key_set):
            for group in self._key_groups(policy, peer, key):
                group_keys[group].append(key)
        self.group_sets = [frozenset(keys) for keys in group_keys]
        self.iso: dict[int, tuple] = {}
        self.keys: list[frozenset] = []
        self.facts: list[tuple] = []
        self._made: dict[tuple, tuple[frozenset, tuple]] = {}
        # A pod's facts are its label group's (none for a hostNetwork pod), made once per group,
        # unless an ipBlock peer holds its IP (few pods: their facts are made apart).
        held = {index for key, block in self.blocks.items() for index in context.block_members(key, block, engine)}
        by_group: dict[tuple[int, bool], tuple[frozenset, tuple]] = {}
        keys_list, facts_list = self.keys, self.facts
        for index, (pod, group) in enumerate(zip(context.pods, context.group_of, strict=True)):
            if index in held:
                entry = self._facts_of(index, pod)
            else:
                shared = by_group.get((group, pod.host_network))
                if shared is None:
                    shared = by_group[(group, pod.host_network)] = self._facts_of(index, pod)
                entry = shared
            keys_list.append(entry[0])
            facts_list.append(entry[1])

    def _new_keys(self, engine: PolicyEngine, seen: set[tuple]):
        """(policy, peer, key) for each peer key of the engine's policies not in `seen` (added)."""
        for policy in engine.snapshot.policies:
            for rules in (policy.ingress, policy.egress):
                for rule in rules:
                    for peer in rule.peers:
                        key = peer_key(policy, peer)
                        if key not in seen:
                            seen.add(key)
                            yield policy, peer, key

    def _key_groups(self, policy: NetworkPolicy, peer: PolicyPeer, key: tuple) -> list[int]:
        """Label groups a selector peer matches (an ipBlock peer is noted in `blocks`: it
        matches pods by IP, not groups)."""
        engine, context = self.engine, self.context
        if peer.ip_block is not None:
            if engine.dataplane is not DV2:
                self.blocks[key] = parse_block(peer.ip_block)
            return []
        if peer.namespace_selector is None:
            reach: tuple[str, ...] = (policy.namespace,)
        else:
            namespaces = context.reach_cache(engine)
            cached = namespaces.get(key[2])
            if cached is None:
                cached = namespaces[key[2]] = engine.peer_namespaces(policy, peer)
            reach = cached
        return [group for namespace in reach for group in context.groups_matching(namespace, key[3])]

    def _facts_of(self, index: int, pod: Pod) -> tuple[frozenset, tuple]:
        engine, context = self.engine, self.context
        group = context.group_of[index]
        iso = self.iso.get(group)
        if iso is None:
            iso = self.iso[group] = (tuple(id(p) for p in engine.isolating_policies(pod, Direction.INGRESS)),
                                     tuple(id(p) for p in engine.isolating_policies(pod, Direction.EGRESS)))
        hits = tuple(key for key, block in self.blocks.items()
                     if index in context.block_members(key, block, engine)) if self.blocks else ()
        cache_key = (group, pod.host_network, hits)
        entry = self._made.get(cache_key)
        if entry is None:
            base = self.group_sets[group]
            keys = frozenset() if pod.host_network else (base | frozenset(hits) if hits else base)
            entry = self._made[cache_key] = (keys, (iso, keys))
        return entry

    @classmethod
    def derived(cls, base: ApiFacts, engine: PolicyEngine) -> ApiFacts:
        """The facts under an engine over the same pods, namespaces and dataplane as `base`'s
        whose policies differ by a few: only the pods those policies select or name are asked
        again (every other pod's facts are the same values: kept policies are the same objects)."""
        before = base.engine
        if engine.dataplane is not before.dataplane or engine.snapshot.namespaces is not before.snapshot.namespaces \
                or engine.snapshot.pods is not before.snapshot.pods:
            return cls(engine, base.context)
        self = cls.__new__(cls)
        self.engine, self.context = engine, base.context
        context = self.context
        old_ids = {id(p) for p in before.snapshot.policies}
        new_ids = {id(p) for p in engine.snapshot.policies}
        moved = [p for p in before.snapshot.policies if id(p) not in new_ids] + \
            [p for p in engine.snapshot.policies if id(p) not in old_ids]
        touched = {group for policy in moved for group in context.groups_by_ns.get(policy.namespace, ())}
        self.blocks = {}
        self.key_set = set()
        added = list(self._new_keys(engine, self.key_set))
        gone = base.key_set - self.key_set
        fresh = [(policy, peer, key) for policy, peer, key in added if key not in base.key_set]
        self.blocks = {key: block for key, block in base.blocks.items() if key not in gone}
        changed_keys: dict[int, set[tuple]] = {}
        touched_pods: set[int] = set()
        for policy, peer, key in fresh:
            for group in self._key_groups(policy, peer, key):
                changed_keys.setdefault(group, set()).add(key)
        for key in set(self.blocks) - set(base.blocks) | (gone & set(base.blocks)):
            block = self.blocks.get(key) or base.blocks[key]
            touched_pods.update(context.block_members(key, block, engine))
        self.group_sets = list(base.group_sets)
        for group, new_keys in changed_keys.items():
            self.group_sets[group] = self.group_sets[group] | new_keys
        if gone:
            for group, group_keys in enumerate(self.group_sets):
                if group_keys & gone:
                    self.group_sets[group] = group_keys - gone
                    touched.add(group)
        touched.update(changed_keys)
        self.iso = {group: iso for group, iso in base.iso.items() if group not in touched}
        self._made = {}
        self.keys, self.facts = list(base.keys), list(base.facts)
        for index, pod in enumerate(context.pods):
            if context.group_of[index] in touched or index in touched_pods:
                self.keys[index], self.facts[index] = self._facts_of(index, pod)
        return self


class EvalPeers:
    """The evaluation view of peers against pods (three-valued), for one engine."""

    def __init__(self, engine: PolicyEngine, context: Context) -> None:
        self.engine, self.context = engine, context
        self.known = (frozenset(ns.name for ns in engine.snapshot.namespaces)
                      if Kind.NAMESPACE not in engine.unread else frozenset())
        self._ns_state: dict[tuple, bool | None] = {}
        self._blocks: dict[tuple, Any] = {}
        self._addresses: dict[str, Any] = {}

    def ns_state(self, ns_key: tuple, namespace: str) -> bool | None:
        key = (ns_key, namespace)
        if key in self._ns_state:
            return self._ns_state[key]
        compiled = self.context.compiled(ns_key)
        if namespace in self.known:
            state: bool | None = compiled.matches(self.engine.namespace_labels(namespace))
        else:
            state = namespace_match_without_labels(compiled, namespace)
        self._ns_state[key] = state
        return state

    def state(self, key: tuple, pod: Pod) -> bool | None:
        """Does the peer match the pod as the other end of a pod-to-pod question?"""
        if key[0] == "ip":
            if engine_is_dv2(self.engine) and not pod.host_network:
                return False
            block = self._blocks.get(key)
            if block is None:
                block = self._blocks[key] = parse_block(key[1])
            ip = pod.ip
            if ip is None:
                return False
            address = self._addresses.get(ip)
            if address is None:
                address = self._addresses[ip] = try_parse_address(ip)
            return address is not None and block.contains(address)
        if pod.host_network:
            return False
        _, own, ns_key, pod_key = key
        state: bool | None = True
        if ns_key is None:
            if pod.namespace != own:
                return False
        else:
            state = self.ns_state(ns_key, pod.namespace)
            if state is False:
                return False
        if pod_key is not None and not self.context.compiled(pod_key).matches(pod.labels):
            return False
        return state
