"""Checks of a followed snapshot that reuse the previous run where that is provably the same.

The console re-checks a followed cluster after every batch of changes (at most every 2 s); a batch
changes a few pods out of 100,000, and the follower shares every unchanged object with the last
snapshot (`sources/follow_apply.py`), so "unchanged" is a test of identity, not of equality.

What is reused, and why it equals a full run:

- The live pods' label groups of a namespace (`Context._label_groups`, the index most checks
  start from): a function of that namespace's live pods in snapshot order alone, so the previous
  run's groups are taken for a namespace whose live pods are the very same objects in the same
  order (the namespaces keep their first-seen order, as the full build has it).
- NP004 (DNS blocked by egress policy, the costliest check: ~40 % of a 100,000-pod run): a
  namespace's hits depend on its own live pods and NetworkPolicies and on what all namespaces
  share (`reachability_dns.DnsQuestion`): the kube-dns pods and kube-system's policies, the
  cluster (DNS mode), nodes (NodeLocal DNSCache labels), every Namespace (their labels feed
  namespaceSelectors), the cluster-wide and Cilium/FQDN policy kinds, what was not read, and the
  engine's dataplane and notes. They are reused for a namespace whose own pods and policies are
  identical while all of the shared part is identical too; anything shared that changed means a
  full NP004. Its one cross-namespace state, the reasons of unknown verdicts collected for the
  partial notes, is empty when nothing is unknown: hits are reused only after a run that
  recorded no unknown verdict at all (a namespace with the same inputs then adds none either).

Everything else runs in full. Other checks were not made incremental because their findings
read across namespaces (NP001's and NP002's evidence names matching pods in *other* namespaces;
NP002's peers select other namespaces' pods) or are cheap. `tests/checks/test_incremental.py`
compares incremental and full runs on follow-style changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from netpol_tui.checks.context import Context, Hit
from netpol_tui.checks.model import Report
from netpol_tui.checks.reachability_dns import DnsQuestion
from netpol_tui.checks.registry import CATALOG, CheckSpec, run_prepared
from netpol_tui.model.objects import Pod
from netpol_tui.model.snapshot import Snapshot

if TYPE_CHECKING:
    from netpol_tui.policy import PolicyEngine

#: The namespace whose objects every namespace's DNS question shares.
SHARED_NAMESPACE = "kube-system"


def _same(a: Iterable[Any] | None, b: Iterable[Any] | None) -> bool:
    """The same objects in the same order (identity, not equality)."""
    if a is None or b is None:
        return a is b
    left, right = list(a), list(b)
    return len(left) == len(right) and all(x is y for x, y in zip(left, right, strict=True))


def _by_namespace(items: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(item.namespace, []).append(item)
    return out


def _shared_inputs(snapshot: Snapshot, engine: PolicyEngine | None, pods: dict[str, list[Pod]],
                   policies: dict[str, list[Any]]) -> tuple[Any, ...]:
    """What every namespace's NP004 answer may read besides its own pods and policies."""
    return (snapshot.cluster, snapshot.nodes, snapshot.namespaces, snapshot.cilium_policies, snapshot.fqdn_policies,
            snapshot.unknown, snapshot.loaded_kinds, pods.get(SHARED_NAMESPACE, ()),
            policies.get(SHARED_NAMESPACE, ()), engine.dataplane if engine is not None else None,
            tuple(engine.notes) if engine is not None else None)


def _same_shared(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    cluster, nodes, namespaces, cilium, fqdn, unknown, loaded, dns_pods, dns_policies, dataplane, notes = a
    return (cluster is b[0] and _same(nodes, b[1]) and _same(namespaces, b[2]) and _same(cilium, b[3])
            and _same(fqdn, b[4]) and unknown == b[5] and loaded == b[6] and _same(dns_pods, b[7])
            and _same(dns_policies, b[8]) and dataplane == b[9] and notes == b[10])


class IncrementalRun:
    """All checks of one snapshot, reusing `previous` (the run of the snapshot before) where the
    module docstring says. `report()` runs them; `reused` counts the namespaces whose NP004 hits
    were taken over (for the trace)."""

    def __init__(self, snapshot: Snapshot, engine: PolicyEngine | None, previous: IncrementalRun | None = None,
                 specs: tuple[CheckSpec, ...] = CATALOG) -> None:
        self.snapshot: Snapshot | None = snapshot
        self.engine: PolicyEngine | None = engine
        self.specs = specs
        self.reused = 0
        self.reused_groups = 0
        #: Kept for the next run: the live pods and label groups per namespace, NP004's inputs and hits.
        self.live_by_namespace: dict[str, list[Pod]] = {}
        self.label_groups: dict[str, dict[tuple[Hashable, ...], list[Pod]]] = {}
        self.policies_by_namespace: dict[str, list[Any]] = {}
        self.shared: tuple[Any, ...] = ()
        self.dns_hits: dict[str, list[Hit]] | None = None
        self._previous = previous

    def report(self) -> Report:
        previous, self._previous = self._previous, None  # the run before is let go once this one ran
        assert self.snapshot is not None, "a run reports once"
        ctx = Context(self.snapshot, self.engine)
        self._seed_label_groups(ctx, previous)
        self.policies_by_namespace = _by_namespace(self.snapshot.policies)
        self.shared = _shared_inputs(self.snapshot, self.engine, self.live_by_namespace, self.policies_by_namespace)
        def dns(ctx: Context) -> Iterator[Hit]:
            return self._dns(ctx, previous)

        specs = tuple(replace(spec, function=dns) if spec.id == "NP004" else spec for spec in self.specs)
        report = run_prepared(ctx, specs)
        self.snapshot, self.engine = None, None  # kept for the next run: the indexes above, not these
        return report

    def _seed_label_groups(self, ctx: Context, previous: IncrementalRun | None) -> None:
        """`ctx._label_groups`, taking the previous run's groups of every namespace whose live pods
        are the same objects in the same order (the full build's result for them, see the docstring)."""
        self.live_by_namespace = by_namespace = ctx.live_pods_by_namespace
        old_pods = previous.live_by_namespace if previous is not None else {}
        old_groups = previous.label_groups if previous is not None else {}
        groups: dict[str, dict[tuple[Hashable, ...], list[Pod]]] = {}
        for namespace, pods in by_namespace.items():
            old = old_groups.get(namespace)
            if old is not None and _same(old_pods.get(namespace), pods):
                groups[namespace] = old
                self.reused_groups += 1
                continue
            built: dict[tuple[Hashable, ...], list[Pod]] = {}
            for pod in pods:
                built.setdefault((frozenset(pod.labels.items()), pod.host_network), []).append(pod)
            groups[namespace] = built
        self.label_groups = groups
        ctx.__dict__["_label_groups"] = groups  # the cached_property's slot: Context builds the same

    def _dns(self, ctx: Context, previous: IncrementalRun | None) -> Iterator[Hit]:
        """NP004, with the hits of unchanged namespaces taken from `previous` (see the docstring)."""
        dns = DnsQuestion(ctx)
        reusable = (previous is not None and previous.dns_hits is not None
                    and _same_shared(self.shared, previous.shared))
        hits: dict[str, list[Hit]] = {}
        for namespace in sorted(ctx.live_pods_by_namespace):
            if reusable and namespace != SHARED_NAMESPACE:
                assert previous is not None and previous.dns_hits is not None
                old = previous.dns_hits.get(namespace)
                if old is not None and _same(previous.live_by_namespace.get(namespace),
                                             self.live_by_namespace.get(namespace)) \
                        and _same(previous.policies_by_namespace.get(namespace, ()),
                                  self.policies_by_namespace.get(namespace, ())):
                    hits[namespace] = old
                    self.reused += 1
                    yield from old
                    continue
            hits[namespace] = found = dns.namespace_hits(namespace)
            yield from found
        # reusable next time only when no verdict was unknown (the one state shared across namespaces)
        self.dns_hits = hits if not dns.unknown_because and not ctx.partial_unknown.get("NP004") else None
