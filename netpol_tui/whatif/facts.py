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

from collections.abc import Sequence
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


def supported(engine: PolicyEngine) -> bool:
    """Does the fast path give exactly the engine's pod-to-pod verdicts under this engine?"""
    snapshot = engine.snapshot
    if Kind.NETWORK_POLICY in engine.unread:
        return False
    if any(len(pod.pod_ips) > 1 for pod in snapshot.pods if pod.is_live):
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

    def __init__(self, pods: Sequence[Pod], all_pods: Sequence[Pod]) -> None:
        self.pods = list(pods)
        self.index = {id(pod): i for i, pod in enumerate(self.pods)}
        self.groups: list[tuple[str, Any]] = []
        self.group_of: list[int] = []
        found: dict[tuple, int] = {}
        groups, group_of = self.groups, self.group_of
        for pod in self.pods:
            # Equal label sets written in another order make two groups: only a cache's grain.
            key = (pod.namespace, tuple(pod.labels.items()))
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
        self._block_members: dict[tuple, frozenset[int]] = {}
        self._reach: dict[int, tuple] = {}
        self._compiled: dict[tuple, CompiledSelector] = {}
        self._groups_matching: dict[tuple, list[int]] = {}

    def block_members(self, key: tuple, block: Any, engine: PolicyEngine) -> frozenset[int]:
        """Indices of the pods an ipBlock peer matches in the API view: a pod (not hostNetwork)
        holding an IP in the block; an IP several pods claim counts for the engine's choice."""
        found = self._block_members.get(key)
        if found is None:
            if self._claims is None:
                claims: dict[str, int] = {}
                for pod in self._all_pods:
                    if not pod.host_network:
                        for ip in pod.pod_ips:
                            claims[ip] = claims.get(ip, 0) + 1
                self._claims = claims
            members = []
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
                    if self._claims.get(ip, 0) > 1 and engine.resolve_address(text).pod is not pod:
                        continue
                    address = try_parse_address(text)
                    if address is not None and block.contains(address):
                        members.append(index)
                        break
            found = self._block_members[key] = frozenset(members)
        return found

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
        blocks: dict[tuple, Any] = {}
        seen: set[tuple] = set()
        namespaces = context.reach_cache(engine)
        for policy in engine.snapshot.policies:
            for rules in (policy.ingress, policy.egress):
                for rule in rules:
                    for peer in rule.peers:
                        key = peer_key(policy, peer)
                        if key in seen:
                            continue
                        seen.add(key)
                        if peer.ip_block is not None:
                            if engine.dataplane is not DV2:
                                blocks[key] = parse_block(peer.ip_block)
                            continue
                        ns_key = None if peer.namespace_selector is None else key[2]
                        if ns_key is None:
                            reach: tuple[str, ...] = (policy.namespace,)
                        else:
                            reach = namespaces.get(ns_key)
                            if reach is None:
                                reach = namespaces[ns_key] = engine.peer_namespaces(policy, peer)
                        for namespace in reach:
                            for group in context.groups_matching(namespace, key[3]):
                                group_keys[group].append(key)
        frozen = [frozenset(keys) for keys in group_keys]
        members = [(key, context.block_members(key, block, engine)) for key, block in blocks.items()]
        isolating: dict[int, tuple] = {}
        self.keys: list[frozenset] = []
        self.facts: list[tuple] = []
        made: dict[tuple, tuple] = {}
        empty: frozenset = frozenset()
        for index, pod in enumerate(context.pods):
            group = context.group_of[index]
            iso = isolating.get(group)
            if iso is None:
                iso = isolating[group] = (tuple(id(p) for p in engine.isolating_policies(pod, Direction.INGRESS)),
                                          tuple(id(p) for p in engine.isolating_policies(pod, Direction.EGRESS)))
            hits = tuple(key for key, inside in members if index in inside) if members else ()
            cache_key = (group, pod.host_network, hits)
            entry = made.get(cache_key)
            if entry is None:
                keys = empty if pod.host_network else (frozen[group] | frozenset(hits) if hits else frozen[group])
                entry = made[cache_key] = (keys, (iso, keys))
            self.keys.append(entry[0])
            self.facts.append(entry[1])


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
