"""NetworkPolicy YAML for remediations: complete objects a user can pipe to `kubectl apply -f -`.

New allow-policies reuse the podSelectors of the policies that already isolate the affected
pods. A policy that selects a pod and lists a direction isolates it, so such a selector can
never pull a pod that was not isolated into isolation: the fix only ever opens traffic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyRule
from netpol_tui.model.serialize import rule_to_dict, selector_to_dict


class _Dumper(yaml.SafeDumper):
    """Block style with lists indented under their key, which reads more easily in a ticket."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(documents: Sequence[dict[str, Any]]) -> str:
    """One or more YAML documents separated by `---`."""
    return "---\n".join(yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False)
                        for doc in documents)


def selector_dict(selector: LabelSelector | None) -> dict[str, Any]:
    return {} if selector is None else selector_to_dict(selector)


def policy_dict(policy: NetworkPolicy, *, policy_types: Iterable[str] | None = None,
                ingress: Sequence[PolicyRule] | None = None, egress: Sequence[PolicyRule] | None = None,
                pod_selector: LabelSelector | None = None) -> dict[str, Any]:
    """The policy as YAML-ready data, with any part replaced."""
    ingress = policy.ingress if ingress is None else ingress
    egress = policy.egress if egress is None else egress
    spec: dict[str, Any] = {"podSelector": selector_dict(pod_selector or policy.pod_selector),
                            "policyTypes": list(policy.policy_types if policy_types is None else policy_types)}
    if ingress:
        spec["ingress"] = [rule_to_dict(rule, "from") for rule in ingress]
    if egress:
        spec["egress"] = [rule_to_dict(rule, "to") for rule in egress]
    metadata: dict[str, Any] = {"name": policy.name, "namespace": policy.namespace}
    if policy.labels:
        metadata["labels"] = dict(policy.labels)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata, "spec": spec}


def allow_policy(name: str, namespace: str, selector: LabelSelector | None, direction: str,
                 peers: Sequence[dict[str, Any]], ports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A new policy allowing one direction to/from peers on ports for the selected pods."""
    rule: dict[str, Any] = {("to" if direction == "Egress" else "from"): list(peers)}
    if ports:
        rule["ports"] = list(ports)
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"podSelector": selector_dict(selector), "policyTypes": [direction],
                     direction.lower(): [rule]}}


def isolating_selectors(policies: Iterable[NetworkPolicy]) -> list[LabelSelector]:
    """Distinct podSelectors of the given (isolating) policies; just the empty one if any is empty."""
    out: list[LabelSelector] = []
    seen: set[str] = set()
    for policy in policies:
        selector = policy.pod_selector
        if selector.is_empty:
            return [selector]
        key = repr(selector_dict(selector))
        if key not in seen:
            seen.add(key)
            out.append(selector)
    return out


def allow_policies(base_name: str, namespace: str, selectors: Sequence[LabelSelector], direction: str,
                   peers: Sequence[dict[str, Any]], ports: Sequence[dict[str, Any]]) -> str:
    """One allow-policy per selector, named base, base-2, ..."""
    docs = [allow_policy(base_name if index == 0 else f"{base_name}-{index + 1}", namespace, selector,
                         direction, peers, ports) for index, selector in enumerate(selectors)]
    return dump(docs)


def namespace_peer(namespace: str, pod_labels: dict[str, str] | None = None) -> dict[str, Any]:
    peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
    if pod_labels is not None:
        peer["podSelector"] = {"matchLabels": dict(pod_labels)} if pod_labels else {}
    return peer


def ip_peer(cidr: str, excepts: Sequence[str] = ()) -> dict[str, Any]:
    block: dict[str, Any] = {"cidr": cidr}
    if excepts:
        block["except"] = list(excepts)
    return {"ipBlock": block}


#: Labels that differ per pod or per rollout: never useful in a suggested selector.
VOLATILE_LABELS = ("pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
                   "pod-template-generation", "apps.kubernetes.io/pod-index",
                   "batch.kubernetes.io/controller-uid", "controller-uid", "batch.kubernetes.io/job-name",
                   "job-name")
_APP_KEYS = ("app.kubernetes.io/name", "app", "k8s-app", "name")


def identifying_labels(labels: dict[str, str]) -> dict[str, str]:
    """The label that names the workload (app.kubernetes.io/name, app, ...), else the stable labels."""
    for key in _APP_KEYS:
        if key in labels:
            return {key: labels[key]}
    return {key: value for key, value in labels.items() if key not in VOLATILE_LABELS}


def json_pointer_escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")
