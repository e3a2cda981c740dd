"""Where the engine looks for the FQDN and Cilium policies of a pod: the index built once per
snapshot (`GkeIndex`) and the lookups cached per pod group (selecting rule sets, the rule sets
that matter for one direction and peer kind, Cilium identities, compiled selectors).

Split from `gke_kinds.py` so that finding the candidate policies (and caching that) sits apart
from deciding what their rules say; `GkeKindsMixin` inherits this mixin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.gke_policy import CiliumPeerRule, CiliumPolicy, CiliumRuleSet, FqdnNetworkPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector
from netpol_tui.policy.gke_rules import (
    NAMESPACE_KEY,
    NAMESPACE_LABEL_PREFIX,
    CiliumSelector,
    Prepared,
    cilium_key,
    compile_cilium_selector,
    prepare_direction,
)
from netpol_tui.policy.index import PolicyIndex

#: (place in the snapshot, policy, rule set, compiled endpointSelector, (ingress, egress) prepared)
Entry = tuple[int, CiliumPolicy, CiliumRuleSet, CiliumSelector, tuple[Prepared | None, Prepared | None]]
#: (policy, rule set, selected True or None, (ingress, egress) prepared): a rule set selecting a pod
Selecting = tuple[CiliumPolicy, CiliumRuleSet, bool | None, tuple[Prepared | None, Prepared | None]]
#: (policy, rule set, selected, allow rules, deny rules, isolates) for one direction and peer kind
Side = tuple[CiliumPolicy, CiliumRuleSet, bool | None, tuple[tuple[int, CiliumPeerRule], ...],
             tuple[tuple[int, CiliumPeerRule], ...], str]


@dataclass(slots=True)
class GkeIndex:
    """Where to look for the policies of a pod: FQDN policies by namespace; Cilium rule sets by
    one label their endpointSelector requires (the namespace for a CNP), or in `everyone` when
    it requires none (or one netpol-tui cannot read). Entries carry their place in the snapshot,
    so candidates keep the snapshot's order."""

    fqdn_by_namespace: dict[str, list[FqdnNetworkPolicy]]
    everyone: list[Entry]
    #: by one required label, or by two: ((key, value), (key, value))
    by_label: dict[tuple[str, str] | tuple[tuple[str, str], tuple[str, str]], list[Entry]]
    #: the first labels of the two-label buckets
    first_keys: frozenset[tuple[str, str]]
    #: id(pod group) -> (group, ((policy, rule set, selected True/None), ...))
    selecting: dict[int, tuple[object, tuple[Selecting, ...]]]
    #: (id(pod group), egress, peer kind) -> (group, entries of `_cilium_side`)
    sides: dict[tuple[int, bool, int], tuple[object, tuple[Side, ...]]]
    #: id(pod group) -> (group, FQDN policies selecting it)
    fqdn: dict[int, tuple[object, list[FqdnNetworkPolicy]]]
    #: id(pod group) -> (group, Cilium identity labels)
    identities: dict[int, tuple[object, dict[str, str]]]
    #: id(selector) -> (selector, compiled)
    selectors: dict[int, tuple[LabelSelector, CiliumSelector]]
    #: id(policy) -> (policy, `pods_selected_by_kind` answer)
    kind_pods: dict[int, tuple[object, tuple[tuple[Pod, bool | None], ...]]] = field(default_factory=dict)

    def candidates(self, labels: list[tuple[str, str]]) -> list[Entry]:
        """The entries whose required labels may be among `labels` (everyone's, the one-label
        buckets, the two-label buckets), unsorted: the callers order them."""
        found = list(self.everyone)
        by_label = self.by_label
        for item in labels:
            bucket = by_label.get(item)
            if bucket:
                found.extend(bucket)
            if item in self.first_keys:
                for other in labels:
                    bucket = by_label.get((item, other))
                    if bucket:
                        found.extend(bucket)
        return found


@dataclass(frozen=True, slots=True)
class KindSelection:
    """An FQDNNetworkPolicy or Cilium policy rule set that selects a pod (`kind_policies_selecting`).

    `selected` True: certainly; None: maybe (its endpointSelector names a label netpol-tui does
    not know for pods, such as a service account). `sections` are the rule sections the rule set
    has (`egress` for an FQDN policy; `ingress`, `ingressDeny`, `egress`, `egressDeny`), `where`
    the rule set's place in the policy (`spec`, `specs[1]`).
    """

    policy: FqdnNetworkPolicy | CiliumPolicy
    selected: bool | None
    sections: tuple[str, ...]
    where: str = "spec"


class GkeIndexMixin(PolicyIndex):
    """Builds the `GkeIndex` and answers, cached per pod group, which policies may apply to a pod."""

    def _build_gke_index(self) -> GkeIndex:
        fqdn_by_namespace: dict[str, list[FqdnNetworkPolicy]] = {}
        for fqdn_policy in self.snapshot.fqdn_policies:
            fqdn_by_namespace.setdefault(fqdn_policy.namespace, []).append(fqdn_policy)
        everyone: list[Entry] = []
        #: keyed by one (key, value) label or by a pair of them (see GkeIndex.by_label)
        by_label: dict[tuple[str, str] | tuple[tuple[str, str], tuple[str, str]], list[Entry]] = {}
        order = 0
        for policy in self.snapshot.cilium_policies:
            for rule_set in policy.rules:
                order += 1
                selector = rule_set.endpoint_selector
                if selector is None:
                    continue  # a host policy (nodeSelector) selects no pod
                compiled = compile_cilium_selector(selector)
                entry = (order, policy, rule_set, compiled, (prepare_direction(rule_set, False, policy.label), prepare_direction(rule_set, True, policy.label)))
                if policy.namespace is not None:
                    by_label.setdefault((NAMESPACE_KEY, policy.namespace), []).append(entry)
                elif compiled.equals and not compiled.unknown:
                    # the namespace is the most selective label a CCNP can require; with two required
                    # labels the bucket is keyed by both (looked up per pair of the pod's labels)
                    key = next((item for item in compiled.equals if item[0] == NAMESPACE_KEY), compiled.equals[0])
                    rest = [item for item in compiled.equals if item != key]
                    by_label.setdefault((key, rest[0]) if rest else key, []).append(entry)
                else:
                    everyone.append(entry)
        first_keys = frozenset(key[0] for key in by_label if isinstance(key[0], tuple))
        return GkeIndex(fqdn_by_namespace, everyone, by_label, first_keys, {}, {}, {}, {}, {})

    def _required_gke_index(self) -> GkeIndex:
        """The index, for the lookups their callers make only when it was built (the snapshot has
        FQDN or Cilium policies)."""
        index = self._gke_index
        if index is None:
            raise RuntimeError("no FQDN or Cilium policy index: the snapshot has none of those policies")
        return index

    def _fqdn_selecting(self, pod: Pod) -> list[FqdnNetworkPolicy]:
        """The FQDN policies whose podSelector selects the pod (its namespace's only), cached per
        pod group."""
        index = self._required_gke_index()
        policies = index.fqdn_by_namespace.get(pod.namespace)
        if not policies:
            return []
        group = self._group_for(pod)
        cached = index.fqdn.get(id(group))
        if cached is not None and cached[0] is group:
            return cached[1]
        found = [policy for policy in policies if self._compiled(policy.pod_selector).matches(pod.labels)]
        index.fqdn[id(group)] = (group, found)
        return found

    def _cilium_selecting(self, pod: Pod) -> tuple[Selecting, ...]:
        """(policy, rule set, selected, sides) for the rule sets that select the pod (True) or may
        (None), in snapshot order, `sides` as `prepare_direction` made them (ingress, egress); cached per pod
        group (same namespace and labels, same identity)."""
        index = self._required_gke_index()
        group = self._group_for(pod)
        cached = index.selecting.get(id(group))
        if cached is not None and cached[0] is group:
            return cached[1]
        identity = self._identity(pod)
        candidates = index.candidates(list(identity.items()))
        candidates.sort(key=lambda entry: entry[0])
        found = []
        namespace = pod.namespace
        for _, policy, rule_set, compiled, sides in candidates:
            if policy.namespace is not None and policy.namespace != namespace:
                continue
            selected = compiled.matches(identity)
            if selected is not False:
                found.append((policy, rule_set, selected, sides))
        result = tuple(found)
        index.selecting[id(group)] = (group, result)
        return result

    def _cilium_side(self, pod: Pod, egress: bool, peer: int) -> tuple[Side, ...]:
        """The rule sets that can matter for one direction of the pod and one kind of peer (0 a
        pod, 1 an address): (policy, rule set, selected, allow rules, deny rules, isolates), the
        rules `prepare_direction` kept for that peer. A rule set is left out when it has no rule for
        such a peer and neither isolates nor leaves anything in doubt. Cached per pod group."""
        index = self._required_gke_index()
        group = self._group_for(pod)
        key = (id(group), egress, peer)
        cached = index.sides.get(key)
        if cached is not None and cached[0] is group:
            return cached[1]
        entries = []
        for policy, rule_set, selected, sides in self._cilium_selecting(pod):
            prepared = sides[egress]
            if not prepared:
                continue
            allow_pairs, deny_pairs, isolates = prepared
            allow_rules, deny_rules = allow_pairs[peer], deny_pairs[peer]
            if allow_rules or deny_rules or isolates or rule_set.unsupported or selected is None:
                entries.append((policy, rule_set, selected, allow_rules, deny_rules, isolates))
        result = tuple(entries)
        index.sides[key] = (group, result)
        return result

    def _identity(self, pod: Pod) -> dict[str, str]:
        """The labels Cilium selects a pod by: its own, its namespace's name and labels; cached per
        pod group (same namespace, same labels)."""
        index = self._gke_index
        group = self._group_for(pod) if index is not None else None
        cached = index.identities.get(id(group)) if index is not None else None
        if cached is not None and cached[0] is group:
            return cached[1]
        labels = {cilium_key(k): v for k, v in pod.labels.items()}
        labels[NAMESPACE_KEY] = pod.namespace
        for key, value in self.namespace_labels(pod.namespace).items():
            labels[NAMESPACE_LABEL_PREFIX + key] = value
        if index is not None:
            index.identities[id(group)] = (group, labels)
        return labels

    def _cilium_selector(self, selector: LabelSelector) -> CiliumSelector:
        index = self._gke_index
        cached = index.selectors.get(id(selector)) if index is not None else None
        if cached is not None and cached[0] is selector:
            return cached[1]
        compiled = compile_cilium_selector(selector)
        if index is not None:
            index.selectors[id(selector)] = (selector, compiled)
        return compiled

    # --------------------------------------------------------- public selection queries

    def kind_policies_selecting(self, pod: Pod) -> tuple[KindSelection, ...]:
        """The FQDNNetworkPolicies and Cilium policy rule sets that select the pod (or may), FQDN
        first, each in snapshot order; empty when the snapshot has none of these kinds. The API
        view: whether the dataplane enforces them is the verdict's business."""
        if self._gke_index is None:
            return ()
        found = [KindSelection(policy, True, ("egress",)) for policy in self._fqdn_selecting(pod)]
        for policy, rule_set, selected, _ in self._cilium_selecting(pod):
            sections = tuple(name for name, rules in (("ingress", rule_set.ingress), ("ingressDeny", rule_set.ingress_deny),
                                                      ("egress", rule_set.egress), ("egressDeny", rule_set.egress_deny))
                             if rules)
            found.append(KindSelection(policy, selected, sections, rule_set.section))
        return tuple(found)

    def pods_selected_by_kind(self, policy: FqdnNetworkPolicy | CiliumPolicy) -> tuple[tuple[Pod, bool | None], ...]:
        """(pod, True certainly / None maybe) for the pods an FQDN or Cilium policy selects, sorted
        by namespace and name; a CiliumClusterwideNetworkPolicy may select pods of every namespace,
        a host policy (nodeSelector only) selects none. Per pod group and cached per policy (a
        cluster-wide policy over 100,000 pods takes about a second the first time)."""
        index = self._gke_index
        cached = index.kind_pods.get(id(policy)) if index is not None else None
        if cached is not None and cached[0] is policy:
            return cached[1]
        with gc_paused():  # ~1 tuple per pod: no full collection over the snapshot meanwhile
            result = self._kind_pods(policy)
        if index is not None:
            index.kind_pods[id(policy)] = (policy, result)
        return result

    def _kind_pods(self, policy: FqdnNetworkPolicy | CiliumPolicy) -> tuple[tuple[Pod, bool | None], ...]:
        pods: list[tuple[Pod, bool | None]]
        if isinstance(policy, FqdnNetworkPolicy):
            groups = self._matching_groups(policy.namespace, policy.pod_selector)
            pods = [(pod, True) for group in groups for pod in group.pods]
        else:
            rule_sets = [rule_set for rule_set in policy.rules if rule_set.endpoint_selector is not None]
            if policy.namespace is not None:
                groups = self._groups_by_ns.get(policy.namespace, [])
            else:
                groups = [group for members in self._groups_by_ns.values() for group in members]
            pods = []
            for group in groups:
                if not group.pods or not rule_sets:
                    continue
                states = [self._policy_selects(policy, rule_set, group.pods[0]) for rule_set in rule_sets]
                state = True if True in states else None if None in states else False
                if state is not False:
                    pods.extend((pod, state) for pod in group.pods)
        return tuple(sorted(pods, key=lambda item: (item[0].namespace, item[0].name)))
