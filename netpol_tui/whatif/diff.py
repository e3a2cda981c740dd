"""What a change would change: every flow whose verdict differs between two engines.

The two engines are the snapshot before and after proposed manifests are applied (or policies
removed), or the same snapshot under two dataplane models (Calico -> Dataplane V2, enforcement
turned on or off). The reference (`diff_engines_reference`) asks both with
`PolicyEngine.evaluate`, the engine `explain` uses, so for every listed change `explain` on the
before and after snapshot gives the two verdicts; `diff_engines` gives the same diff from bitsets
(fastdiff.py), recomputing only the classes a change touches. A flow that is unknown on either
side (a kind not read) is never a change: it is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from netpol_tui.model.policy import NetworkPolicy
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import PolicyEngine
from netpol_tui.text import plural
from netpol_tui.whatif.classes import FlowPort, PodClass, pod_classes_reference
from netpol_tui.whatif.matrix import evaluate_flow, flow_questions, verdict_word


class ChangeError(ValueError):
    """A proposed change that cannot be applied (a policy to remove that is not there)."""


def apply_change(snapshot: Snapshot, add: Iterable[NetworkPolicy] = (),
                 remove: Iterable[tuple[str, str]] = ()) -> Snapshot:
    """The snapshot with `remove` (namespace, name) deleted and `add` applied as `kubectl apply`
    would: a policy of the same namespace and name is replaced. Pods and everything else are
    shared, so classes of both snapshots hold the same pod objects."""
    removing = set(remove)
    present = {policy.key for policy in snapshot.policies}
    missing = sorted(removing - present)
    if missing:
        raise ChangeError(f"no NetworkPolicy {', '.join(f'{ns}/{name}' for ns, name in missing)} in the snapshot "
                          "to remove")
    added = {policy.key: policy for policy in add}
    kept = tuple(policy for policy in snapshot.policies if policy.key not in removing and policy.key not in added)
    return replace(snapshot, policies=kept + tuple(added.values()))


@dataclass(frozen=True, slots=True)
class Change:
    src: PodClass
    dst: PodClass
    port: FlowPort
    before: bool
    after: bool
    _before_deciding: tuple[str, ...] | None = field(default=(), compare=False, repr=False)
    _after_deciding: tuple[str, ...] | None = field(default=(), compare=False, repr=False)
    #: The `--batch` entry's id this change answers, if any.
    id: object = None
    #: (before, after) engines that answer the deciding rules when first read (fast path).
    _engines: tuple[PolicyEngine, PolicyEngine] | None = field(default=None, compare=False, repr=False)

    @property
    def before_deciding(self) -> tuple[str, ...]:
        words = self._before_deciding
        if words is None:
            words = self._asked(0)
            object.__setattr__(self, "_before_deciding", words)
        return words

    @property
    def after_deciding(self) -> tuple[str, ...]:
        words = self._after_deciding
        if words is None:
            words = self._asked(1)
            object.__setattr__(self, "_after_deciding", words)
        return words

    def _asked(self, side: int) -> tuple[str, ...]:
        """The deciding rules under the before (0) or after (1) engine: a change is made either
        with its words or, by the fast path, with the engines that answer them."""
        assert self._engines is not None, "a Change without its deciding rules carries its engines"
        return evaluate_flow(self._engines[side], self.src, self.dst, self.port).deciding

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {} if self.id is None else {"id": self.id}
        data.update({"from": self.src.to_dict(), "to": self.dst.to_dict(), "port": self.port.port,
                     "protocol": self.port.protocol, "before": verdict_word(self.before),
                     "after": verdict_word(self.after), "before_deciding": list(self.before_deciding),
                     "after_deciding": list(self.after_deciding)})
        return data


@dataclass(frozen=True, slots=True)
class Diff:
    before: str
    after: str
    changes: tuple[Change, ...]
    compared: int
    #: Flows unknown before or after (data not read): neither counted as changes nor as unchanged.
    unknown: int = 0
    unknown_because: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> list[str]:
        """One line per destination namespace with changes: "shop: 12 flows newly denied, 3 newly allowed"."""
        per: dict[str, list[int]] = {}
        for change in self.changes:
            per.setdefault(change.dst.namespace, [0, 0])[0 if change.after is False else 1] += 1
        lines = []
        for namespace in sorted(per):
            denied, allowed = per[namespace]
            parts = [f"{plural(denied, 'flow')} newly denied"] if denied else []
            if allowed:
                parts.append(f"{plural(allowed, 'flow')} newly allowed" if not denied else f"{allowed:,} newly allowed")
            lines.append(f"{namespace}: {', '.join(parts)}")
        return lines

    def to_dict(self) -> dict[str, object]:
        return {"before": self.before, "after": self.after, "compared": self.compared, "unknown": self.unknown,
                "unknown_because": list(self.unknown_because), "changes": [c.to_dict() for c in self.changes],
                "summary": self.summary(), "notes": list(self.notes)}


def diff_engines(before: PolicyEngine, after: PolicyEngine, before_label: str, after_label: str,
                 namespace: str | None = None, extra_ports: Iterable[FlowPort] = (),
                 classes: Sequence[PodClass] | None = None) -> Diff:
    """Every flow of the matrix (classes that neither engine can split) compared on both:
    from bitsets, recomputing only what a change touches (`fastdiff`), when both engines allow
    it; else `diff_engines_reference`. Both give the same diff."""
    from netpol_tui.whatif.facts import supported

    if classes is not None or not (supported(before) and supported(after)) \
            or before.snapshot.pods is not after.snapshot.pods:
        return diff_engines_reference(before, after, before_label, after_label, namespace, extra_ports, classes)
    from netpol_tui.gcpause import gc_paused
    from netpol_tui.whatif.fastdiff import fast_diff

    with gc_paused():  # as the engine's build: bulk allocation beside a big snapshot
        changes, compared, unknown, reasons = fast_diff(before, after, namespace, extra_ports)
    made = tuple(Change(src, dst, port, old, new, None, None, None, (before, after))
                 for src, dst, port, old, new in changes)
    notes = tuple(dict.fromkeys((*before.notes, *after.notes)))
    return Diff(before_label, after_label, made, compared, unknown, tuple(reasons), notes)


def diff_engines_reference(before: PolicyEngine, after: PolicyEngine, before_label: str, after_label: str,
                           namespace: str | None = None, extra_ports: Iterable[FlowPort] = (),
                           classes: Sequence[PodClass] | None = None) -> Diff:
    """Every question asked of both engines with `PolicyEngine.evaluate`: the reference."""
    if classes is None:
        classes = pod_classes_reference([before, after])
    changes: list[Change] = []
    unknown = 0
    reasons: dict[str, None] = {}
    questions = flow_questions([before, after], classes, namespace, extra_ports)
    for src, dst, port in questions:
        old = evaluate_flow(before, src, dst, port)
        new = evaluate_flow(after, src, dst, port)
        if old.allowed is None or new.allowed is None:
            unknown += 1
            for flow in (old, new):
                if flow.allowed is None:
                    reasons.update(dict.fromkeys(flow.deciding))
            continue
        if old.allowed != new.allowed:
            changes.append(Change(src, dst, port, old.allowed, new.allowed, old.deciding, new.deciding))
    notes = tuple(dict.fromkeys((*before.notes, *after.notes)))
    return Diff(before_label, after_label, tuple(changes), len(questions), unknown, tuple(reasons), notes)
