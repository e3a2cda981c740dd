"""NetworkPolicy back to its kubectl-shaped dict, with its selectors, peers, ports and rules.

Split from `serialize.py` (the public entry, which re-exports these) to mirror
`parse_policy`; `checks/manifests.py` also writes single selectors and rules through here.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.model.policy import (
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
)
from netpol_tui.model.serialize_fields import API_VERSIONS, object_metadata


def selector_to_dict(selector: LabelSelector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [
            {"key": e.key, "operator": str(e.operator), **({"values": list(e.values)} if e.values else {})}
            for e in selector.match_expressions
        ]
    return out


def ip_block_to_dict(block: IPBlock) -> dict[str, Any]:
    return {"cidr": block.cidr, **({"except": list(block.excepts)} if block.excepts else {})}


def peer_to_dict(peer: PolicyPeer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if peer.pod_selector is not None:
        out["podSelector"] = selector_to_dict(peer.pod_selector)
    if peer.namespace_selector is not None:
        out["namespaceSelector"] = selector_to_dict(peer.namespace_selector)
    if peer.ip_block is not None:
        out["ipBlock"] = ip_block_to_dict(peer.ip_block)
    return out


def policy_port_to_dict(port: PolicyPort) -> dict[str, Any]:
    out: dict[str, Any] = {"protocol": port.protocol}
    if port.port is not None:
        out["port"] = port.port
    if port.end_port is not None:
        out["endPort"] = port.end_port
    return out


def rule_to_dict(rule: PolicyRule, peer_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rule.peers:
        out[peer_key] = [peer_to_dict(peer) for peer in rule.peers]
    if rule.ports:
        out["ports"] = [policy_port_to_dict(port) for port in rule.ports]
    return out


def network_policy_to_dict(policy: NetworkPolicy) -> dict[str, Any]:
    meta = object_metadata(policy.name, policy.namespace, labels=policy.labels, annotations=policy.annotations,
                           uid=policy.uid, creation_timestamp=policy.creation_timestamp)
    spec: dict[str, Any] = {"podSelector": selector_to_dict(policy.pod_selector)}
    if policy.ingress:
        spec["ingress"] = [rule_to_dict(rule, "from") for rule in policy.ingress]
    if policy.egress:
        spec["egress"] = [rule_to_dict(rule, "to") for rule in policy.egress]
    if policy.policy_types_written:
        spec["policyTypes"] = list(policy.policy_types)
    return {"apiVersion": API_VERSIONS["NetworkPolicy"], "kind": "NetworkPolicy", "metadata": meta, "spec": spec}
