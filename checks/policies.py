"""Policy objects that do not do what they say: NP001-NP003, NP006 (gke-facts 4); NP005 (named
ports) is named_ports.py."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from netpol_tui.checks.context import (
    Context,
    Hit,
    commands,
    is_system_namespace,
    selector_key,
)
from netpol_tui.checks.manifests import dump, policy_dict
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer, PolicyRule
from netpol_tui.model.selector_text import selector_text
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import ShellCommand, apply, kubectl, objects
from netpol_tui.text import listed, plural

if TYPE_CHECKING:
    pass

NEAR_WORDS = ("one character", "only in case")
MAX_HINTS = 6


def _subject(policy: NetworkPolicy) -> Subject:
    return Subject("NetworkPolicy", policy.namespace, policy.name)


def _name(policy: NetworkPolicy) -> str:
    return f"{policy.namespace}/{policy.name}"


def _label_sets(pods: Iterable[Pod]) -> list[Mapping[str, str]]:
    seen: dict[frozenset[tuple[str, str]], Mapping[str, str]] = {}
    for pod in pods:
        seen.setdefault(frozenset(pod.labels.items()), pod.labels)
    return list(seen.values())


def _near_hints(selector: LabelSelector, label_sets: Iterable[Mapping[str, str]], whose: str) -> list[str]:
    """Near-miss hints (one edit, case) of the selector's failing terms against the label sets."""
    from netpol_tui.policy import explain_terms

    hints: list[str] = []
    for labels in label_sets:
        for term in explain_terms(selector, labels):
            if not term.matched and term.hint and any(word in term.hint for word in NEAR_WORDS):
                text = f"{term.text}: {whose} {term.hint}"
                if text not in hints:
                    hints.append(text)
        if len(hints) >= MAX_HINTS:
            break
    return hints


def _corrections(selector: LabelSelector, label_sets: list[Mapping[str, str]]) -> list[LabelSelector]:
    """Selectors with one matchLabels key or value corrected to a near miss that then matches."""
    from netpol_tui.policy import CompiledSelector, one_edit_apart

    out: list[LabelSelector] = []
    for key, value in selector.match_labels.items():
        options: set[tuple[str, str]] = set()
        for labels in label_sets:
            current = labels.get(key)
            if current is not None and current != value and (one_edit_apart(current, value)
                                                             or current.lower() == value.lower()):
                options.add((key, current))
            for other, other_value in labels.items():
                if other != key and other_value == value and (one_edit_apart(other, key) or other.lower() == key.lower()):
                    options.add((other, value))
        for new_key, new_value in sorted(options):
            labels = {(new_key if k == key else k): (new_value if k == key else v)
                      for k, v in selector.match_labels.items()}
            candidate = replace(selector, match_labels=labels)
            compiled = CompiledSelector(candidate)
            if any(compiled.matches(ls) for ls in label_sets) and candidate not in out:
                out.append(candidate)
    return out


class _LabelIndex:
    """Live pods' label sets across the cluster with an inverted (key, value) index."""

    def __init__(self, by_namespace: Mapping[str, Mapping[frozenset[tuple[str, str]], Mapping[str, str]]]) -> None:
        self.sets: dict[frozenset[tuple[str, str]], tuple[Mapping[str, str], set[str]]] = {}
        for namespace, label_sets in by_namespace.items():
            for key, labels in label_sets.items():
                entry = self.sets.get(key)
                if entry is None:
                    entry = self.sets[key] = (labels, set())
                entry[1].add(namespace)
        self.cache: dict[tuple[Hashable, ...], set[str]] = {}
        self.posting: dict[tuple[str, str], list[frozenset[tuple[str, str]]]] = {}
        for key in self.sets:
            for pair in key:
                self.posting.setdefault(pair, []).append(key)

    def namespaces_matching(self, selector: LabelSelector) -> set[str]:
        key = selector_key(selector)
        cached = self.cache.get(key)
        if cached is None:
            cached = self.cache[key] = self._namespaces_matching(selector)
        return cached

    def _namespaces_matching(self, selector: LabelSelector) -> set[str]:
        from netpol_tui.policy import CompiledSelector

        compiled = CompiledSelector(selector)
        pairs = compiled.candidate_pairs()
        keys: Iterable[frozenset[tuple[str, str]]] = self.sets
        if pairs is not None:
            keys = {key for pair in pairs for key in self.posting.get(pair, ())}
        out: set[str] = set()
        for key in keys:
            labels, namespaces = self.sets[key]
            if compiled.matches(labels):
                out |= namespaces
        return out


def _label_index(ctx: Context) -> _LabelIndex:
    index = ctx.cache.get("label-index")
    if index is None:
        index = ctx.cache["label-index"] = _LabelIndex(ctx.label_set_index(host_network=False))
    return index


# ------------------------------------------------------------------ NP001


def check_policy_selects_nothing(ctx: Context) -> Iterator[Hit]:
    """A policy's podSelector matches no live pod in its namespace, so the policy does nothing.

    Usually a typo in a label key or value, labels changed by a new release, or a policy
    created in the wrong namespace (a podSelector only ever selects pods of the policy's own
    namespace). `kubectl describe networkpolicy` shows the PodSelector to compare with
    `kubectl get pods --show-labels`.
    """
    ctx.need(Kind.NETWORK_POLICY, Kind.POD)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        if ctx.any_live_pod_matches(policy.namespace, policy.pod_selector):
            continue
        pods = ctx.live_pods_by_namespace.get(policy.namespace, [])
        label_sets = _label_sets(pods)
        selector = selector_text(policy.pod_selector)
        evidence = [Evidence("spec.podSelector", selector, f"labels of a live pod in namespace {policy.namespace}"),
                    Evidence(f"live pods in namespace {policy.namespace}", str(len(pods)))]
        hints = _near_hints(policy.pod_selector, label_sets, "a pod")
        evidence += [Evidence("near miss", hint) for hint in hints]
        elsewhere = sorted(_label_index(ctx).namespaces_matching(policy.pod_selector) - {policy.namespace}) \
            if not policy.pod_selector.is_empty else []
        if elsewhere:
            evidence.append(Evidence("pods matching the selector in other namespaces", listed(elsewhere, 8),
                                     f"namespace {policy.namespace} (a policy selects only its own namespace)"))
        fixes = _corrections(policy.pod_selector, label_sets)
        manifest = dump([policy_dict(policy, pod_selector=fixes[0])]) if len(fixes) == 1 else None
        items: list[tuple[ShellCommand, str]] = []
        if manifest:
            items.append((apply(manifest), f"the same policy with the near-miss selector corrected to "
                                 f"{selector_text(fixes[0])}"))
        items += [(kubectl("get", "pods", "--show-labels", namespace=policy.namespace), "compare the pods' labels"),
                  (kubectl("describe", *objects("networkpolicy", policy.name), namespace=policy.namespace),
                   "with the PodSelector")]
        cmds, placeholders = commands(*items)
        hint = f" (near miss: {hints[0]})" if hints else (f" (matching pods exist in namespace {elsewhere[0]})"
                                                         if elsewhere else "")
        yield Hit(_subject(policy),
                  f"Policy {_name(policy)} selects no live pod in namespace {policy.namespace} "
                  f"(podSelector {selector}){hint}.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ NP002


def _enforced_sections(policy: NetworkPolicy) -> Iterator[tuple[str, str, str, tuple[PolicyRule, ...]]]:
    if policy.affects_ingress:
        yield "Ingress", "ingress", "from", policy.ingress
    if policy.affects_egress:
        yield "Egress", "egress", "to", policy.egress


def check_peer_matches_nothing(ctx: Context) -> Iterator[Hit]:
    """A rule's peer selects no pod (or no namespace), so that part of the rule allows nothing.

    A podSelector peer without a namespaceSelector looks only in the policy's own namespace;
    a namespaceSelector matches namespace labels (every namespace carries
    `kubernetes.io/metadata.name`). A typo or a wrong namespace leaves the rule dead and the
    traffic it was written for denied.
    """
    ctx.need(Kind.NETWORK_POLICY, Kind.POD)
    ctx.need_engine()
    namespaces_missing = ctx.kind_missing(Kind.NAMESPACE)
    namespace_labels = {ns.name: ns.labels for ns in ctx.snapshot.namespaces}
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence: list[Evidence] = []
        sections = {"Ingress": list(policy.ingress), "Egress": list(policy.egress)}
        fixed = 0
        messages = []
        for direction, field, key, rules in _enforced_sections(policy):
            for i, rule in enumerate(rules):
                for j, peer in enumerate(rule.peers):
                    if peer.ip_block is not None:
                        continue
                    if peer.namespace_selector is not None and namespaces_missing:
                        ctx.partial(f"namespaceSelector peers not judged: {namespaces_missing}")
                        continue
                    path = f"spec.{field}[{i}].{key}[{j}]"
                    text = _peer_text(peer)
                    targets = (ctx.namespaces_matching(peer.namespace_selector)
                               if peer.namespace_selector is not None else (policy.namespace,))
                    if peer.pod_selector is None:
                        if targets:
                            continue
                        # no targets: a namespaceSelector (without one, the policy's namespace is the target)
                        assert peer.namespace_selector is not None
                        hints = _near_hints(peer.namespace_selector, namespace_labels.values(), "a namespace")
                        fixes = _corrections(peer.namespace_selector, list(namespace_labels.values()))
                        new_peer = replace(peer, namespace_selector=fixes[0]) if len(fixes) == 1 else None
                        evidence.append(Evidence(path, f"{text} matches no namespace", "at least one namespace"))
                    else:
                        if any(ctx.any_live_pod_matches(ns, peer.pod_selector, host_network=False) for ns in targets):
                            continue
                        label_sets = _label_sets(p for ns in targets for p in ctx.live_pods_by_namespace.get(ns, ()))
                        hints = _near_hints(peer.pod_selector, label_sets, "a pod")
                        fixes = _corrections(peer.pod_selector, label_sets)
                        new_peer = replace(peer, pod_selector=fixes[0]) if len(fixes) == 1 else None
                        if peer.namespace_selector is None:
                            observed = f"{text} matches no live pod in namespace {policy.namespace}"
                        elif not targets:
                            observed = f"{text}: the namespaceSelector matches no namespace"
                        else:
                            observed = f"{text} matches no live pod in the {plural(len(targets), 'namespace')} it selects"
                        evidence.append(Evidence(path, observed, "at least one live pod"))
                        if not peer.pod_selector.is_empty:
                            elsewhere = sorted(_label_index(ctx).namespaces_matching(peer.pod_selector) - set(targets))
                            if elsewhere:
                                hints.append(f"pods matching {selector_text(peer.pod_selector)} run in namespace "
                                             f"{listed(elsewhere, 5)}" + (" (add a namespaceSelector)"
                                                                          if peer.namespace_selector is None else ""))
                    evidence += [Evidence(f"{path} near miss", hint) for hint in hints[:MAX_HINTS]]
                    messages.append(f"{direction.lower()} rule {i} peer {j} ({text})")
                    if new_peer is not None:
                        peers = list(sections[direction][i].peers)
                        peers[j] = new_peer
                        sections[direction][i] = replace(sections[direction][i], peers=tuple(peers))
                        fixed += 1
        if not evidence:
            continue
        manifest = dump([policy_dict(policy, ingress=sections["Ingress"], egress=sections["Egress"])]) if fixed \
            else None
        items: list[tuple[ShellCommand, str]] = []
        if manifest:
            items.append((apply(manifest), "the same policy with the near-miss selectors corrected"))
        items += [(kubectl("get", "pods", "-A", "--show-labels"), "compare the pods' labels with the peers"),
                  (kubectl("get", "namespaces", "--show-labels"), "and the namespaces' labels")]
        cmds, placeholders = commands(*items)
        yield Hit(_subject(policy),
                  f"Policy {_name(policy)} has {plural(len(messages), 'peer')} that "
                  f"{'matches' if len(messages) == 1 else 'match'} nothing, so "
                  f"{'that rule allows' if len(messages) == 1 else 'those rules allow'} no traffic from them: "
                  f"{listed(messages, 4)}.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


def _rules(policy: NetworkPolicy, direction: str) -> tuple[PolicyRule, ...]:
    return policy.ingress if direction == "Ingress" else policy.egress


def _peer_text(peer: PolicyPeer) -> str:
    parts = []
    if peer.namespace_selector is not None:
        parts.append(f"namespaceSelector {selector_text(peer.namespace_selector)}")
    if peer.pod_selector is not None:
        parts.append(f"podSelector {selector_text(peer.pod_selector)}")
    return " + ".join(parts)


# ------------------------------------------------------------------ NP003


def check_unprotected_namespace(ctx: Context) -> Iterator[Hit]:
    """A namespace runs pods that no NetworkPolicy selects, so they accept traffic from anywhere.

    Without a policy selecting a pod, Kubernetes allows all traffic to and from it. A
    namespace with no policy at all is often simply forgotten; a default-deny ingress policy is
    the usual starting point once the traffic it needs is allowed.
    """
    ctx.need(Kind.NETWORK_POLICY, Kind.POD)
    engine = ctx.need_engine()
    for namespace in sorted(ctx.live_pods_by_namespace):
        if is_system_namespace(namespace):
            continue
        running = [pod for pod in ctx.live_pods_by_namespace[namespace] if pod.is_running]
        if not running:
            continue
        policies = ctx.policies_by_namespace.get(namespace, [])
        if any(ctx.any_live_pod_matches(namespace, policy.pod_selector) for policy in policies) or any(
                engine.pods_selected_by(policy) for policy in policies):
            continue
        manifest = dump([{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                          "metadata": {"name": "default-deny-ingress", "namespace": namespace},
                          "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}])
        cmds, placeholders = commands(
            (kubectl("get", "networkpolicy", namespace=namespace), "confirm no policy applies"),
            (apply(manifest), "a default-deny ingress policy for the namespace: apply only after adding policies that "
                    "allow the traffic these pods need"))
        names = sorted(pod.name for pod in running)
        yield Hit(Subject("Namespace", namespace, namespace),
                  f"Namespace {namespace} runs {plural(len(running), 'pod')} that no NetworkPolicy selects"
                  + (f" ({plural(len(policies), 'policy', 'policies')} select nothing)" if policies else "") + ".",
                  (Evidence(f"running pods in {namespace}", f"{len(names)}: {listed(names)}", "selected by a policy"),
                   Evidence(f"NetworkPolicies in {namespace}", str(len(policies)))),
                  cmds, manifest, placeholders,
                  origin=ctx.namespaces[namespace].origin if namespace in ctx.namespaces else None)


# ------------------------------------------------------------------ NP006


def check_ignored_policy_section(ctx: Context) -> Iterator[Hit]:
    """A policy has ingress or egress rules that its policyTypes leaves out, so they are ignored.

    When `policyTypes` is written, only the listed directions take effect: an `egress`
    section under `policyTypes: [Ingress]` is silently ignored and egress stays unrestricted.
    """
    ctx.need(Kind.NETWORK_POLICY)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        ignored = [direction for direction, rules in (("Ingress", policy.ingress), ("Egress", policy.egress))
                   if rules and direction not in policy.policy_types]
        if not ignored:
            continue
        types = [*policy.policy_types, *ignored]
        manifest = dump([policy_dict(policy, policy_types=[t for t in ("Ingress", "Egress") if t in types])])
        cmds, placeholders = commands(
            (apply(manifest), f"the same policy with {' and '.join(ignored)} added to policyTypes: this isolates the "
                    f"selected pods for {' and '.join(d.lower() for d in ignored)} (or delete the ignored section)"))
        yield Hit(_subject(policy),
                  f"Policy {_name(policy)} has {' and '.join(d.lower() for d in ignored)} rules but policyTypes is "
                  f"{list(policy.policy_types)}, so they are ignored.",
                  (Evidence("spec.policyTypes", ", ".join(policy.policy_types), ", ".join(types)),
                   *(Evidence(f"spec.{d.lower()}", f"{plural(len(_rules(policy, d)), 'rule')} ignored") for d in ignored)),
                  cmds, manifest, placeholders, origin=policy.origin)
