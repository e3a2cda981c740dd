"""The blast radius of added policies from the classes they can touch, not the whole cluster.

Why it is exact (Kubernetes semantics; same pods, namespaces, dataplane and read kinds): a flow's
verdict is its source's egress and its destination's ingress, and a side depends only on the
policies that isolate it. An added policy P in namespace N changes only the sides of the pods it
selects in its policyTypes: when those pods were already isolated in that direction, P can only
add allowed peers, so every changed flow has one end selected by P (namespace N) and the other
matched by one of P's peers (the namespaces the peers reach). Classes are per namespace and
workload (`classes._grouped`), and a class's facts are per pod, so the classes of those
namespaces, grouped alone, are the full diff's classes of those namespaces, in the same relative
order and with the same `#n` labels; verdicts between two of them are the full grid's. A flow
unknown on either side (a namespace whose labels were not read) is never a change, here as in
the full diff: an unchanged side answers the same, unknown or not.

When that does not hold the caller runs the full change diff (`targeted` answers None): a pod
newly isolated (it could be newly denied from or toward any class of the cluster), a rule
without peers (from or to everyone), an ipBlock peer (pods anywhere by IP), a removed or
replaced policy, anything the fast path does not model
(`facts.supported`: NetworkPolicies not read, Dataplane V2 with FQDN or Cilium policies,
dual-stack pods), or peers reaching more than MAX_SHARE of the live pods (the full diff is then
no dearer).
"""

from __future__ import annotations

from collections.abc import Sequence

from netpol_tui.model.policy import NetworkPolicy, PolicyPeer
from netpol_tui.policy import CompiledSelector, PolicyEngine
from netpol_tui.whatif.classes import _grouped
from netpol_tui.whatif.facts import ApiFacts, Context, supported
from netpol_tui.whatif.fastdiff import _touched
from netpol_tui.whatif.grid import IN, OUT, Grid
from netpol_tui.whatif.ports import PortFinder
from netpol_tui.whatif.tally import Questions

#: Above this share of live pods in the namespaces the change reaches, the full diff is used.
MAX_SHARE = 0.25


class SubsetFacts(ApiFacts):
    """`ApiFacts` over a context of a few namespaces' pods: a namespaceSelector peer is matched
    against those namespaces only (the API view's `peer_namespaces` restricted to them: each
    holds live pods, so the engine knows it), not against every namespace of the cluster."""

    def _key_groups(self, policy: NetworkPolicy, peer: PolicyPeer, key: tuple) -> list[int]:
        if peer.ip_block is not None or peer.namespace_selector is None:
            return super()._key_groups(policy, peer, key)
        context, engine = self.context, self.engine
        cache = context.reach_cache(engine)
        reach = cache.get(key[2])
        if reach is None:
            compiled = context.compiled(key[2])
            reach = cache[key[2]] = tuple(ns for ns in context.groups_by_ns
                                          if compiled.matches(engine.namespace_labels(ns)))
        return [group for namespace in reach for group in context.groups_matching(namespace, key[3])]


def _reach(engine: PolicyEngine, policy: NetworkPolicy, namespaces: Sequence[str]) -> set[str] | None:
    """Namespaces (of those holding live pods) the policy's peers can name; None: not targeted."""
    found = {policy.namespace}
    for rules in (policy.ingress, policy.egress):
        for rule in rules:
            if not rule.peers:
                return None
            for peer in rule.peers:
                if peer.ip_block is not None:
                    return None
                if peer.namespace_selector is None:
                    continue
                compiled = CompiledSelector(peer.namespace_selector)
                found.update(ns for ns in namespaces if compiled.matches(engine.namespace_labels(ns)))
    return found


def targeted(before: PolicyEngine, after: PolicyEngine, added: Sequence[NetworkPolicy],
             max_share: float = MAX_SHARE) -> list[tuple] | None:
    """The change diff's changes (src class, dst class, port, before, after) in its order, for
    `after` = `before` with `added` policies added; None when it must be the full diff."""
    b, a = before.snapshot, after.snapshot
    if a.pods is not b.pods or a.namespaces is not b.namespaces or before.dataplane is not after.dataplane \
            or set(before.unread.kinds) != set(after.unread.kinds) or not (supported(before) and supported(after)):
        return None
    old_ids = {id(p) for p in b.policies}
    added_ids = {id(p) for p in added}
    if len(a.policies) != len(b.policies) + len(added) or old_ids & added_ids \
            or {id(p) for p in a.policies} != old_ids | added_ids:
        return None
    live = [pod for pod in b.pods if pod.is_live]
    namespaces = list(dict.fromkeys(pod.namespace for pod in live))
    subset: set[str] = set()
    for policy in added:
        reach = _reach(before, policy, namespaces)
        if reach is None:
            return None
        subset |= reach
    pods = [pod for pod in live if pod.namespace in subset]
    if len(pods) > max_share * len(live):
        return None
    context = Context(pods, b.pods, before.label_groups(pods))
    first = SubsetFacts(before, context)
    second = SubsetFacts.derived(first, after)
    combined = list(zip(first.facts, second.facts, strict=True))
    classes = _grouped(pods, lambda index, pod: combined[index])
    finders = [PortFinder(before, first), PortFinder(after, second)]
    ports_of = [tuple(sorted({p for finder in finders for p in finder.ports(c)})) for c in classes]
    old, new = Grid(before, classes, context), Grid(after, classes, context)
    for pod_class in classes:
        pod = pod_class.pod
        for direction in (IN, OUT):
            if not old.isolating(pod, direction) and new.isolating(pod, direction):
                return None  # newly isolated: may be newly denied from or toward anyone
    changes, _, _, _ = _touched(old, new, Questions(classes, ports_of, None), 0)
    return changes
