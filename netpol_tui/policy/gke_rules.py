"""What a Cilium or FQDN rule matches, without the engine: normalised Cilium selectors, ports,
CIDRs, entities' constants, unsupported fields, and the rule references (`KindRuleRef`).

Split from `gke_kinds.py` (which re-exports the public names): these are pure functions of a
rule and a value, shared by the verdict code (`gke_kinds`), the index (`gke_index`), the
matching (`cilium_match`) and egress to DNS names (`names`).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from netpol_tui.model.gke_policy import CiliumPeerRule, CiliumPort, CiliumRuleSet, FqdnRule
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, SelectorOperator
from netpol_tui.policy.results import RuleRef
from netpol_tui.shell import quote

NAMESPACE_KEY = "io.kubernetes.pod.namespace"
NAMESPACE_LABEL_PREFIX = "io.cilium.k8s.namespace.labels."
#: Label keys of Cilium identities netpol-tui does not know for a pod.
UNKNOWN_KEYS = ("io.cilium.k8s.policy.serviceaccount", "io.cilium.k8s.policy.cluster")
POD_ENTITIES = frozenset({"cluster", "all"})
KNOWN_ENTITIES = frozenset({"world", "cluster", "host", "remote-node", "kube-apiserver", "all", "init", "health",
                            "unmanaged", "ingress", "world-ipv4", "world-ipv6"})


@dataclass(frozen=True, slots=True)
class KindRuleRef(RuleRef):
    """A rule of a FQDNNetworkPolicy or Cilium policy: `egressDeny[0] of CCNP lockdown`.

    The structured reference a consumer reads instead of a sentence: `kind` (`CCNP`, `CNP`,
    `FQDNNetworkPolicy`), `namespace` ("" for a cluster-wide policy), `name`, `section`
    (`ingress`, `egress`, `ingressDeny`, `egressDeny`) and `rule_index` (within the section of
    the rule set the rule belongs to). `str()` gives the text the explanations show.
    """

    label: str = ""
    section: str = ""

    @property
    def kind(self) -> str:
        """The policy kind as its label names it: `CCNP`, `CNP` or `FQDNNetworkPolicy`."""
        return self.label.split(" ", 1)[0]

    @property
    def is_deny(self) -> bool:
        """A deny rule (`ingressDeny`/`egressDeny`): it takes precedence over every allow."""
        return self.section in ("ingressDeny", "egressDeny")

    @property
    def policy(self) -> str:
        """`shop/allow-api`; a cluster-wide policy has no namespace: `lockdown`."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def policy_key(self) -> tuple[str, ...]:  # type: ignore[override]
        """(namespace, name, kind): never equal to a NetworkPolicy's key, so a view that looks
        NetworkPolicies up by `policy_key` cannot show one of the same name in its place."""
        return (self.namespace, self.name, self.kind)

    def __str__(self) -> str:
        return f"{self.section}[{self.rule_index}] of {self.label}"

    def to_dict(self) -> dict[str, object]:
        return {**RuleRef.to_dict(self), "kind": self.kind, "section": self.section, "text": str(self)}


def cilium_key(key: str) -> str:
    """A Cilium label key without its source prefix: `k8s:app` and `any:app` are `app`."""
    for prefix in ("k8s:", "any:"):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


@dataclass(frozen=True, slots=True)
class CiliumSelector:
    """A Cilium label selector with its keys normalised once (`k8s:` and `any:` dropped)."""

    #: It names a label netpol-tui does not know for pods: its match is unknown.
    unknown: bool
    equals: tuple[tuple[str, str], ...]
    expressions: tuple[tuple[SelectorOperator, str, frozenset[str]], ...]
    names_namespace: bool

    def matches(self, labels: dict[str, str]) -> bool | None:
        if self.unknown:
            return None
        for key, value in self.equals:
            if labels.get(key) != value:
                return False
        for operator, key, values in self.expressions:
            present = key in labels
            if operator is SelectorOperator.IN and not (present and labels[key] in values):
                return False
            if operator is SelectorOperator.NOT_IN and present and labels[key] in values:
                return False
            if operator is SelectorOperator.EXISTS and not present:
                return False
            if operator is SelectorOperator.DOES_NOT_EXIST and present:
                return False
        return True


def compile_cilium_selector(selector: LabelSelector) -> CiliumSelector:
    """The selector with normalised keys, unknown when it names a label netpol-tui cannot see."""
    equals = tuple((cilium_key(key), value) for key, value in selector.match_labels.items())
    expressions = tuple((r.operator, cilium_key(r.key), frozenset(r.values)) for r in selector.match_expressions)
    keys = [key for key, _ in equals] + [key for _, key, _ in expressions]
    unknown = any(key.startswith(UNKNOWN_KEYS) or ":" in key for key in keys)
    return CiliumSelector(unknown, equals, expressions, NAMESPACE_KEY in keys)


def port_state(ports: tuple[CiliumPort, ...], port: int, protocol: str, target: Pod | None) -> bool:
    """Does a rule's `toPorts` list hold the port (no list: every port)? A named port matches
    when `target` (the destination pod) declares it with that number."""
    if not ports:
        return True
    for entry in ports:
        if entry.protocol not in ("ANY", protocol):
            continue
        if entry.port is None:
            return True
        if isinstance(entry.port, str):
            if target is not None and any(p.name == entry.port and p.protocol == protocol and p.container_port == port
                                          for p in target.ports):
                return True
            continue
        if entry.end_port:
            if entry.port <= port <= entry.end_port:
                return True
        elif entry.port == port:
            return True
    return False


#: Unsupported fields that only narrow what a rule matches (L7 rules under toPorts, ICMP types,
#: mutual authentication): a rule whose peers and ports already miss stays a miss.
_NARROWING = (".toPorts[", ".icmps", ".authentication")


def unsupported_state(rule: CiliumPeerRule, state: bool | None) -> bool | None:
    """A rule's match once its unsupported fields are counted: unknown, unless the fields can
    only narrow a rule that misses anyway. `toFQDNs`, `toServices`, `toGroups` and the like add
    peers: with them even a miss by the evaluated fields is unknown."""
    if not rule.unsupported:
        return state
    if state is False and all(any(mark in item for mark in _NARROWING) for item in rule.unsupported):
        return False
    return None


#: (index, rule) pairs of a rule list: those that can match a pod peer, those that can match an address.
PeerRules = tuple[tuple[tuple[int, CiliumPeerRule], ...], tuple[tuple[int, CiliumPeerRule], ...]]
#: One direction of a rule set ready for queries (see prepare_direction).
Prepared = tuple[PeerRules, PeerRules, str]


def prepare_direction(rule_set: CiliumRuleSet, egress: bool, label: str) -> Prepared | None:
    """One direction of a rule set, ready for queries: (allow rules, deny rules, isolates), the
    rules as `_by_peer` pairs, `isolates` the policy's label when it isolates the pods it selects
    in that direction (else ""); None when the rule set has nothing to say there."""
    allow_rules = rule_set.egress if egress else rule_set.ingress
    deny_rules = rule_set.egress_deny if egress else rule_set.ingress_deny
    default = rule_set.default_deny_egress if egress else rule_set.default_deny_ingress
    isolates = default if default is not None else bool(allow_rules or deny_rules)
    if not (allow_rules or deny_rules or isolates or rule_set.unsupported):
        return None
    return (_by_peer(allow_rules), _by_peer(deny_rules), label if isolates else "")


def _by_peer(rules: tuple[CiliumPeerRule, ...]) -> PeerRules:
    """((index, rule) pairs that can match a pod peer), (... an address peer): a rule with CIDRs
    alone never matches a pod, one with endpoints alone never an address."""
    if not rules:
        return ((), ())
    for_pods: list[tuple[int, CiliumPeerRule]] = []
    for_addresses: list[tuple[int, CiliumPeerRule]] = []
    for index, rule in enumerate(rules):
        open_ended = not rule.has_l3 or bool(rule.unsupported) or bool(rule.entities)
        if open_ended or rule.endpoints:
            for_pods.append((index, rule))
        if open_ended or rule.cidrs:
            for_addresses.append((index, rule))
    return (tuple(for_pods), tuple(for_addresses))


@functools.lru_cache(maxsize=8192)
def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address parsed once (cached: the same peers are asked about again and again)."""
    return ipaddress.ip_address(text)


@functools.lru_cache(maxsize=8192)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(cidr)


def in_network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, cidr: str) -> bool:
    """Is the address in the CIDR (never across IP versions)?"""
    network = _network(cidr)
    return address.version == network.version and address in network


#: (version, first, last, ((first, last) of each except of that version, ...)) per CIDR of a rule
CidrIntervals = tuple[tuple[int, int, int, tuple[tuple[int, int], ...]], ...]


@functools.lru_cache(maxsize=16384)
def cidr_intervals(cidrs: tuple[tuple[str, tuple[str, ...]], ...]) -> CidrIntervals:
    """A rule's `(cidr, excepts)` pairs as integer intervals, computed once per distinct list
    (an except of the other IP version can never hold an address of the CIDR's: left out)."""
    out = []
    for cidr, excepts in cidrs:
        network = _network(cidr)
        holes = tuple((int(hole.network_address), int(hole.broadcast_address))
                      for hole in map(_network, excepts) if hole.version == network.version)
        out.append((network.version, int(network.network_address), int(network.broadcast_address), holes))
    return tuple(out)


def cidrs_hold(cidrs: tuple[tuple[str, tuple[str, ...]], ...],
               address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Is the address in one of the CIDRs and in none of that CIDR's excepts (`in_network` each)?"""
    version, value = address.version, int(address)
    for cidr_version, first, last, holes in cidr_intervals(cidrs):
        if cidr_version == version and first <= value <= last and not any(a <= value <= b for a, b in holes):
            return True
    return False


def fqdn_port(rule: FqdnRule, port: int, protocol: str) -> bool:
    """Does an FQDN rule's ports list hold the port (no list: every port)?"""
    return not rule.ports or any(p == protocol and (n is None or n == port) for p, n in rule.ports)


def fqdn_targets(rule: FqdnRule) -> str:
    """The names an FQDN rule allows, three at most: `api.example, names matching *.cdn.example`."""
    items = [*rule.names, *(f"names matching {pattern}" for pattern in rule.patterns)]
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def lookup_hint(rule: FqdnRule) -> str:
    """The `nslookup` to copy, one per exact name; a pattern alone names no host to look up."""
    if rule.names:
        return "check with " + ", ".join(f"`nslookup {quote(name)}`" for name in rule.names[:3])
    return "look up the name the pod used with `nslookup`; a pattern names no single host"
