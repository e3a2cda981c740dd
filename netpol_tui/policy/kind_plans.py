"""What the FQDN and Cilium policies say about a pod, looked up once per *class* of pods.

A class is the pods of one namespace that agree on every label some Cilium endpointSelector or
FQDN podSelector names: whatever else differs between them (`version`, `pod-template-hash`, a
StatefulSet's pod name), every such selector matches all of them or none. So the rule sets that
select a pod (`GkeIndexMixin._cilium_side`, per direction and peer kind) and the FQDN policies
that select it (`_fqdn_selecting`) are computed for the first pod group of a class and shared by
the others: on the 100,000-pod synthetic cluster 33,765 pod groups make 8,911 classes.

`KindPlan.empty` lets the verdict code skip the kinds entirely for a pod no such policy can
touch. The cache is tied to the engine's `GkeIndex` (a new index, a new cache), and filled with
single assignments like the index's own caches (safe for concurrent readers under the GIL).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector
from netpol_tui.policy.gke_index import Entry, GkeIndex, GkeIndexMixin, Selecting, Side
from netpol_tui.policy.gke_rules import (
    NAMESPACE_KEY,
    NAMESPACE_LABEL_PREFIX,
    cilium_key,
    compile_cilium_selector,
)


class KindPlan:
    """The rule sets of one class for each (direction, peer kind) and its FQDN policies."""

    __slots__ = ("empty", "fqdn", "relaxed", "sides")

    def __init__(self, sides: tuple[tuple[Side, ...], ...], fqdn: tuple[FqdnNetworkPolicy, ...],
                 relaxed: tuple[tuple[CiliumPolicy, ...], tuple[CiliumPolicy, ...]] = ((), ())) -> None:
        #: indexed by 2 * egress + peer (peer 0: a pod, 1: an address), as `_cilium_side` gives them
        self.sides = sides
        self.fqdn = fqdn
        #: per direction (ingress, egress): the policies of the selecting rule sets that have rules
        #: there but do not isolate, by `enableDefaultDeny: false` (a field of Cilium 1.16 and later)
        self.relaxed = relaxed
        self.empty = not fqdn and not any(sides)

    def side(self, egress: bool, peer: int) -> tuple[Side, ...]:
        return self.sides[2 * egress + peer]


@dataclass(slots=True)
class _PlanCache:
    index: GkeIndex
    #: raw pod label keys an FQDN podSelector names
    raw_keys: frozenset[str]
    #: normalised label keys a Cilium endpointSelector names (and the namespace's)
    cilium_keys: frozenset[str]
    #: id(pod group) -> (group, plan)
    by_group: dict[int, tuple[object, KindPlan]] = field(default_factory=dict)
    #: (namespace, the group's labels on the keys above) -> plan
    by_class: dict[tuple[object, ...], KindPlan] = field(default_factory=dict)
    #: label key -> 0: neither of the keys above, 1: one of them, 2: one with a Cilium source
    #: prefix (`k8s:app`, which may clash with `app` in the identity)
    relevant: dict[str, int] = field(default_factory=dict)


def _selector_keys(selector: LabelSelector) -> list[str]:
    return [*selector.match_labels, *(requirement.key for requirement in selector.match_expressions)]


class KindPlansMixin(GkeIndexMixin):
    """`_kind_plan(pod)`: the FQDN and Cilium policies of the pod's class (see the module docstring)."""

    _kind_plans: _PlanCache | None = None

    def _plan_cache(self) -> _PlanCache:
        index = self._required_gke_index()
        raw = {key for policy in self.snapshot.fqdn_policies for key in _selector_keys(policy.pod_selector)}
        cilium: set[str] = set()
        for policy in self.snapshot.cilium_policies:
            for rule_set in policy.rules:
                if rule_set.endpoint_selector is not None:
                    compiled = compile_cilium_selector(rule_set.endpoint_selector)
                    cilium.update(key for key, _ in compiled.equals)
                    cilium.update(key for _, key, _ in compiled.expressions)
        cilium.add(NAMESPACE_KEY)  # a CiliumNetworkPolicy's bucket is its namespace, whatever its selector names
        cache = _PlanCache(index, frozenset(raw), frozenset(cilium))
        self._kind_plans = cache
        return cache

    def _kind_plan(self, pod: Pod) -> KindPlan:
        """The plan of the pod's class; cached per pod group and per class."""
        cache = self._kind_plans
        if cache is None or cache.index is not self._gke_index:
            cache = self._plan_cache()
        group = self._group_for(pod)
        hit = cache.by_group.get(id(group))
        if hit is not None and hit[0] is group:
            return hit[1]
        relevant = cache.relevant
        kept = []
        prefixed = False
        for key, value in group.labels.items():
            wanted = relevant.get(key)
            if wanted is None:
                normalised = cilium_key(key)
                wanted = relevant[key] = (2 if normalised != key else 1) if (
                    key in cache.raw_keys or normalised in cache.cilium_keys) else 0
            if wanted:
                kept.append((key, value))
                prefixed = prefixed or wanted == 2
        ordered = tuple(kept)
        kept.sort()
        class_key: tuple[object, ...] = (pod.namespace, tuple(kept))
        if prefixed and len({cilium_key(key) for key, _ in ordered}) < len(ordered):
            class_key = (pod.namespace, ordered, "ordered")  # `app` and `k8s:app`: the later one counts
        plan = cache.by_class.get(class_key)
        if plan is None:
            selecting = self._class_selecting(cache, pod.namespace, ordered)
            plan = cache.by_class[class_key] = KindPlan(_sides(selecting), tuple(self._fqdn_selecting(pod)),
                                                        _relaxed(selecting))
        cache.by_group[id(group)] = (group, plan)
        return plan

    def _class_selecting(self, cache: _PlanCache, namespace: str,
                         kept: tuple[tuple[str, str], ...]) -> list[Selecting]:
        """`_cilium_selecting` for a class, from the class's labels alone: the Cilium identity cut
        down to the keys some endpointSelector names (a selector looks up no other key, and every
        bucket of the index is keyed by such labels), in the index's order of rule sets."""
        index = cache.index
        wanted = cache.cilium_keys
        identity = {cilium_key(key): value for key, value in kept}
        identity[NAMESPACE_KEY] = namespace
        for key, value in self.namespace_labels(namespace).items():
            if NAMESPACE_LABEL_PREFIX + key in wanted:
                identity[NAMESPACE_LABEL_PREFIX + key] = value
        items = [item for item in identity.items() if item[0] in wanted]
        candidates = index.candidates(items)
        candidates.sort(key=_order)
        found: list[Selecting] = []
        for _, policy, rule_set, compiled, prepared in candidates:
            if policy.namespace is not None and policy.namespace != namespace:
                continue
            selected = compiled.matches(identity)
            if selected is not False:
                found.append((policy, rule_set, selected, prepared))
        return found


def _order(entry: Entry) -> int:
    return entry[0]


def _sides(selecting: list[Selecting]) -> tuple[tuple[Side, ...], ...]:
    """`_cilium_side(pod, egress, peer)` for the four (egress, peer) pairs in one pass over the
    selecting rule sets (the same filter: a rule set is left out of a side when it has no rule
    for that peer kind and neither isolates nor leaves anything in doubt)."""
    sides: tuple[list[Side], ...] = ([], [], [], [])
    for policy, rule_set, selected, prepared_pair in selecting:
        doubt = bool(rule_set.unsupported) or selected is None
        for egress in (0, 1):
            prepared = prepared_pair[egress]
            if not prepared:
                continue
            allow_pairs, deny_pairs, isolates = prepared
            for peer in (0, 1):
                allow_rules, deny_rules = allow_pairs[peer], deny_pairs[peer]
                if allow_rules or deny_rules or isolates or doubt:
                    sides[2 * egress + peer].append((policy, rule_set, selected, allow_rules, deny_rules, isolates))
    return tuple(tuple(side) for side in sides)


def _relaxed(selecting: list[Selecting]) -> tuple[tuple[CiliumPolicy, ...], tuple[CiliumPolicy, ...]]:
    """(ingress, egress): the policies of the selecting rule sets whose `enableDefaultDeny` turns
    off the isolation their rules in that direction would otherwise bring (see KindPlan.relaxed)."""
    ingress: dict[int, CiliumPolicy] = {}
    egress: dict[int, CiliumPolicy] = {}
    for policy, rule_set, _, _ in selecting:
        if rule_set.default_deny_ingress is False and (rule_set.ingress or rule_set.ingress_deny):
            ingress.setdefault(id(policy), policy)
        if rule_set.default_deny_egress is False and (rule_set.egress or rule_set.egress_deny):
            egress.setdefault(id(policy), policy)
    return tuple(ingress.values()), tuple(egress.values())
