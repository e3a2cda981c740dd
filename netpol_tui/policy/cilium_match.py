"""Does a Cilium rule match one piece of traffic: whether a rule set selects a pod, and whether
a peer rule (ports, entities, endpoint selectors, CIDRs, unsupported fields) matches the other
end, three-valued (True, False, None: unknown).

Split from `gke_kinds.py` so that matching one rule sits apart from combining the rules into a
verdict; both the verdict code and `GkeKindsMixin.cilium_deny_rules` (GKE026) use `_collect_matches`.
"""

from __future__ import annotations

from collections.abc import Iterable

from netpol_tui.model.gke_policy import CiliumPeerRule, CiliumPolicy, CiliumRuleSet
from netpol_tui.model.objects import Pod
from netpol_tui.policy.gke_rules import (
    KNOWN_ENTITIES,
    POD_ENTITIES,
    KindRuleRef,
    cidrs_hold,
    parse_ip,
    port_state,
    unsupported_state,
)
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import Direction, Endpoint


class CiliumMatchMixin(PolicyIndex):
    """Matches Cilium rules against traffic (uses the index's cached selectors and identities)."""

    def _policy_selects(self, policy: CiliumPolicy, rule_set: CiliumRuleSet, pod: Pod) -> bool | None:
        if rule_set.endpoint_selector is None:
            return False  # a nodeSelector rule is a host policy: it selects nodes, not pods
        if policy.namespace is not None and pod.namespace != policy.namespace:
            return False
        return self._cilium_selector(rule_set.endpoint_selector).matches(self._identity(pod))

    def _peer_state(self, policy: CiliumPolicy, rule: CiliumPeerRule, other: Endpoint, other_ip: str | None,
                    port: int, protocol: str, target: Pod | None) -> bool | None:
        if not port_state(rule.ports, port, protocol, target):
            return False
        if not rule.has_l3:
            state: bool | None = bool(rule.ports)
        else:
            state = self._l3_state(policy, rule, other, other_ip)
        return unsupported_state(rule, state)

    def _l3_state(self, policy: CiliumPolicy, rule: CiliumPeerRule, other: Endpoint,
                  other_ip: str | None) -> bool | None:
        result: bool | None = False
        pod = other.pod
        for entity in rule.entities:
            if entity not in KNOWN_ENTITIES:
                result = None
            elif pod is not None and not pod.host_network:
                if entity in POD_ENTITIES:
                    return True
            elif pod is not None:  # a hostNetwork pod has its node's identity: host or remote-node
                if entity in ("cluster", "all"):
                    return True
                if entity in ("host", "remote-node"):
                    result = None
            else:
                in_cluster = other_ip is not None and other_ip in self._host_ips
                if entity == "all" or (entity.startswith("world") and not in_cluster and other_ip is not None):
                    if entity == "world-ipv4" and other_ip and ":" in other_ip:
                        continue
                    if entity == "world-ipv6" and other_ip and ":" not in other_ip:
                        continue
                    return True
                if entity in ("host", "remote-node", "cluster") and in_cluster:
                    result = None  # which node is local to the pod is not modelled
                if entity == "kube-apiserver":
                    result = None  # the API server's addresses are not in the snapshot
        if pod is not None and not pod.host_network:
            for selector in rule.endpoints:
                compiled = self._cilium_selector(selector)
                if policy.namespace is not None and not compiled.names_namespace and pod.namespace != policy.namespace:
                    continue
                state = compiled.matches(self._identity(pod))
                if state:
                    return True
                if state is None:
                    result = None
        elif pod is None and other_ip is not None and rule.cidrs:
            if cidrs_hold(rule.cidrs, parse_ip(other_ip)):
                return True
        return result

    def _collect_matches(self, policy: CiliumPolicy, rules: Iterable[tuple[int, CiliumPeerRule]], section: str,
                         direction: Direction, other: Endpoint, other_ip: str | None, port: int, protocol: str,
                         target: Pod | None, hits: list[KindRuleRef], doubts: list[str]) -> None:
        """Sort the (index, rule) pairs of one section (`ingress`, `egressDeny`, ...) of `policy` by
        how they match the traffic: a reference to each rule that matches onto `hits`, a sentence
        for each that may (unsupported fields, unknown peer) onto `doubts`; certain misses are
        dropped. `target` is the destination pod (for named ports)."""
        namespace = policy.namespace or ""
        verb = "deny" if section.endswith("Deny") else "allow"
        for index, rule in rules:
            # _peer_state, inlined: this loop runs for every rule of every selecting rule set
            ports = rule.ports
            if ports and not port_state(ports, port, protocol, target):
                continue
            state = self._l3_state(policy, rule, other, other_ip) if rule.has_l3 else bool(ports)
            if rule.unsupported:
                state = unsupported_state(rule, state)
            if state is False:
                continue
            ref = KindRuleRef(namespace, policy.name, direction, index, label=policy.label, section=section)
            if state:
                hits.append(ref)
            else:
                doubts.append(f"{ref} may {verb} it ({', '.join(rule.unsupported) or 'unknown peer'})")
