"""A proposed fix for a denied connection, checked before anyone pastes it.

The smallest NetworkPolicy change that allows exactly the asked traffic: a new policy in the
destination's namespace when its ingress denies, in the source's when its egress denies, with
selectors made of labels that already identify the workloads (the owner's selector when the
snapshot has it, else the pod's labels without per-revision hashes, cut down to the fewest that
still select just that workload's pods), and the port by name when the container names it.

Then the change diff runs on the proposal: the asked flow must turn allowed under the cluster's
dataplane model (else there is no suggestion, and the reason), and every other flow it would
open is listed — the blast radius — before the block is copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from netpol_tui.model.objects import Pod
from netpol_tui.model.parse_policy import parse_network_policy
from netpol_tui.model.policy import NetworkPolicy
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint, Verdict
from netpol_tui.whatif.classes import workload_of
from netpol_tui.whatif.diff import Change, apply_change, diff_engines

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: Labels that differ per revision or per pod: a selector on them breaks at the next rollout.
UNSTABLE_LABELS = frozenset({"pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
                             "apps.kubernetes.io/pod-index", "batch.kubernetes.io/controller-uid", "controller-uid",
                             "batch.kubernetes.io/job-name", "job-name"})
#: Keys that usually name the application; tried first when cutting a label set down.
PREFERRED_KEYS = ("app.kubernetes.io/name", "app", "k8s-app", "app.kubernetes.io/instance",
                  "app.kubernetes.io/component", "component", "tier", "role")


class NoSuggestion(ValueError):
    """Why no policy is proposed: already allowed, unknown, or not fixable by an allow rule."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    policies: tuple[NetworkPolicy, ...]
    manifest: str
    #: Every other flow the proposal would newly allow.
    also_allows: tuple[Change, ...]
    after: Verdict
    #: Flows it would newly deny: its podSelector isolates pods no policy isolated before (a
    #: workload without labels of its own is selected with its whole namespace).
    also_denies: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"manifest": self.manifest, "policies": [f"{p.namespace}/{p.name}" for p in self.policies],
                "verified": self.after.allowed is True, "after": self.after.verdict,
                "also_allows": [c.to_dict() for c in self.also_allows],
                "also_denies": [c.to_dict() for c in self.also_denies]}


def _matches(selector: dict[str, str], pod: Pod) -> bool:
    return all(pod.labels.get(k) == v for k, v in selector.items())


def identifying_labels(engine: PolicyEngine, pod: Pod) -> dict[str, str]:
    """Labels that select this pod's workload in its namespace and (if possible) nothing else."""
    kind, name = workload_of(pod)
    owner = next((w for w in engine.snapshot.workloads
                  if w.namespace == pod.namespace and w.kind == kind and w.name == name and w.selector), None)
    if owner is not None and _matches(owner.selector, pod):
        return {k: v for k, v in owner.selector.items() if k not in UNSTABLE_LABELS} or dict(owner.selector)
    stable = {k: v for k, v in pod.labels.items() if k not in UNSTABLE_LABELS}
    same_ns = [p for p in engine.snapshot.pods if p.namespace == pod.namespace and p.is_live]
    mine = {id(p) for p in same_ns if workload_of(p) == (kind, name)}
    ordered = sorted(stable, key=lambda k: (PREFERRED_KEYS.index(k) if k in PREFERRED_KEYS else len(PREFERRED_KEYS), k))
    chosen: dict[str, str] = {}
    for key in ordered:
        others = [p for p in same_ns if id(p) not in mine and _matches(chosen, p)]
        if not others and chosen:
            break
        chosen[key] = stable[key]
    return chosen or stable


def _dns_name(*parts: str) -> str:
    text = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
    return re.sub(r"-{2,}", "-", text)[:63].rstrip("-") or "allow"


def _port_entry(pod: Pod, port: int, protocol: str) -> dict[str, object]:
    named = next((p.name for p in pod.ports if p.container_port == port and p.protocol == protocol and p.name), None)
    return {"protocol": protocol, "port": named or port}


def _peer(engine: PolicyEngine, endpoint: Endpoint, own_namespace: str) -> dict[str, object]:
    if endpoint.pod is None:
        address = endpoint.address or ""
        return {"ipBlock": {"cidr": f"{address}/{128 if ':' in address else 32}"}}
    peer: dict[str, object] = {"podSelector": {"matchLabels": identifying_labels(engine, endpoint.pod)}}
    if endpoint.pod.namespace != own_namespace:
        peer["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: endpoint.pod.namespace}}
    return peer


def _document(name: str, namespace: str, selector: dict[str, str], direction: str,
              peer: dict[str, object], port: dict[str, object]) -> dict[str, object]:
    rule_key = "from" if direction == "Ingress" else "to"
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"podSelector": {"matchLabels": selector}, "policyTypes": [direction],
                     direction.lower(): [{rule_key: [peer], "ports": [port]}]}}


def suggest(engine: PolicyEngine, src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> Suggestion:
    """Propose, apply in memory, verify, and measure the blast radius; NoSuggestion says why not."""
    verdict = engine.evaluate(src, dst, port, protocol)
    if verdict.allowed is None:
        raise NoSuggestion("the verdict is unknown (data not read), so no change can be shown to fix it: "
                           + "; ".join(verdict.unknown_because))
    if verdict.allowed:
        raise NoSuggestion("this traffic is already allowed: nothing to change")
    documents = []
    src_pod, dst_pod = verdict.src.pod, verdict.dst.pod
    target_port = verdict.port
    # A side may be left undecided once the other denies: propose for every side that does not allow.
    if verdict.ingress.allowed is not True and dst_pod is not None:
        documents.append(_document(
            _dns_name("allow", _short(src_pod, verdict.src), "to", workload_of(dst_pod)[1], str(target_port)),
            dst_pod.namespace, identifying_labels(engine, dst_pod), "Ingress",
            _peer(engine, verdict.src, dst_pod.namespace), _port_entry(dst_pod, target_port, protocol)))
    if verdict.egress.allowed is not True and src_pod is not None:
        documents.append(_document(
            _dns_name("allow", workload_of(src_pod)[1], "to", _short(dst_pod, verdict.dst), str(target_port),
                      "egress"),
            src_pod.namespace, identifying_labels(engine, src_pod), "Egress",
            _peer(engine, verdict.dst, src_pod.namespace),
            _port_entry(dst_pod, target_port, protocol) if dst_pod is not None else {"protocol": protocol,
                                                                                     "port": target_port}))
    if not documents:
        raise NoSuggestion("the denying side is not a pod a NetworkPolicy can select")
    _unique_names(engine, documents)
    policies = tuple(parse_network_policy(document) for document in documents)
    # derived: the pods' index is the engine's own, only the proposal's namespaces are re-indexed
    after_engine = engine.derive(apply_change(engine.snapshot, policies), engine.dataplane)
    after = after_engine.evaluate(src, dst, port, protocol)
    if after.allowed is not True:
        raise NoSuggestion(f"a new allow policy would not change it under {engine.dataplane.title}: "
                           + " ".join(after.sentences()[1:3]))
    changes = blast_radius(engine, after_engine, policies)
    asked = (workload_of(src_pod) if src_pod else None, workload_of(dst_pod) if dst_pod else None, target_port)
    others = [change for change in changes
              if (workload_of(change.src.pod), workload_of(change.dst.pod), change.port.port) != asked]
    manifest = yaml.safe_dump_all(documents, sort_keys=False)
    return Suggestion(policies, manifest, tuple(c for c in others if c.after), after,
                      tuple(c for c in others if not c.after))


def blast_radius(engine: PolicyEngine, after_engine: PolicyEngine,
                 policies: tuple[NetworkPolicy, ...]) -> tuple[Change, ...]:
    """The change diff's changes of adding `policies`: from the classes they can touch
    (`blast.targeted`) when that is exact, else the full change diff."""
    from netpol_tui.gcpause import gc_paused
    from netpol_tui.whatif.blast import targeted

    with gc_paused():
        found = targeted(engine, after_engine, policies)
    if found is None:
        return diff_engines(engine, after_engine, "now", "with the suggestion").changes
    return tuple(Change(src, dst, port, old, new, None, None, None, (engine, after_engine))
                 for src, dst, port, old, new in found)


def _unique_names(engine: PolicyEngine, documents: list[dict]) -> None:
    """Names no policy of the snapshot (nor another proposal) has: applying must add, never replace."""
    taken = {policy.key for policy in engine.snapshot.policies}
    for document in documents:
        metadata = document["metadata"]
        base, number = metadata["name"], 1
        while (metadata["namespace"], metadata["name"]) in taken:
            number += 1
            metadata["name"] = f"{base[:60]}-{number}"
        taken.add((metadata["namespace"], metadata["name"]))


def _short(pod: Pod | None, endpoint: Endpoint) -> str:
    return workload_of(pod)[1] if pod is not None else (endpoint.address or "peer").replace(":", "-")
