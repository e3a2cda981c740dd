"""FQDNNetworkPolicy and Cilium (cluster-wide) policies on top of a NetworkPolicy side verdict.

Only under the Dataplane V2 model: Calico does not enforce these kinds (a check says so), and
the Kubernetes model is NetworkPolicy alone. The combination follows Cilium and GKE:

- deny rules (`ingressDeny`/`egressDeny`) take precedence over every allow, NetworkPolicy
  included;
- a pod selected by any policy of any kind for a direction is isolated there (Cilium's
  `enableDefaultDeny` may turn that off per policy); FQDNNetworkPolicy isolates egress;
- isolated traffic is allowed when any rule of any kind allows it.

An FQDN rule allows names, not addresses: to an address it *may* apply (if the name resolved to
it), so the answer is unknown with the `nslookup` to run. Whatever netpol-tui does not evaluate
(L7 rules, `toFQDNs`, `toServices`, service-account selectors, ...) makes a verdict it could
touch unknown, the field named.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, replace

from netpol_tui.model.gke_policy import CiliumPeerRule, CiliumPolicy, CiliumPort, CiliumRuleSet, FqdnRule
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, SelectorOperator
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.results import Direction, DirectionResult, Endpoint, RuleRef
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
    """A rule of a FQDNNetworkPolicy or Cilium policy: `CCNP lockdown egressDeny[0]`."""

    label: str = ""
    section: str = ""

    @property
    def policy(self) -> str:
        """`shop/allow-api`; a cluster-wide policy has no namespace: `lockdown`."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def policy_key(self) -> tuple[str, ...]:  # type: ignore[override]
        """(namespace, name, kind): never equal to a NetworkPolicy's key, so a view that looks
        NetworkPolicies up by `policy_key` cannot show one of the same name in its place."""
        return (self.namespace, self.name, self.label.split(" ", 1)[0])

    def __str__(self) -> str:
        return f"{self.section}[{self.rule_index}] of {self.label}"

    def to_dict(self) -> dict[str, object]:
        return {**RuleRef.to_dict(self), "kind": self.label.split(" ", 1)[0], "section": self.section, "text": str(self)}


def _key(key: str) -> str:
    for prefix in ("k8s:", "any:"):
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


@dataclass(frozen=True, slots=True)
class _CiliumSelector:
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


def _compile(selector: LabelSelector) -> _CiliumSelector:
    equals = tuple((_key(key), value) for key, value in selector.match_labels.items())
    expressions = tuple((r.operator, _key(r.key), frozenset(r.values)) for r in selector.match_expressions)
    keys = [key for key, _ in equals] + [key for _, key, _ in expressions]
    unknown = any(key.startswith(UNKNOWN_KEYS) or ":" in key for key in keys)
    return _CiliumSelector(unknown, equals, expressions, NAMESPACE_KEY in keys)


def _port_state(ports: tuple[CiliumPort, ...], port: int, protocol: str, target: Pod | None) -> bool:
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


def _prepare(rule_set: CiliumRuleSet, egress: bool, label: str) -> tuple | None:
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


def _by_peer(rules: tuple[CiliumPeerRule, ...]) -> tuple[tuple, tuple]:
    """((index, rule) pairs that can match a pod peer), (... an address peer): a rule with CIDRs
    alone never matches a pod, one with endpoints alone never an address."""
    if not rules:
        return ((), ())
    for_pods, for_addresses = [], []
    for index, rule in enumerate(rules):
        open_ended = not rule.has_l3 or bool(rule.unsupported) or bool(rule.entities)
        if open_ended or rule.endpoints:
            for_pods.append((index, rule))
        if open_ended or rule.cidrs:
            for_addresses.append((index, rule))
    return (tuple(for_pods), tuple(for_addresses))


@functools.lru_cache(maxsize=8192)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


@functools.lru_cache(maxsize=8192)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(cidr)


def _in_network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, cidr: str) -> bool:
    network = _network(cidr)
    return address.version == network.version and address in network


def _fqdn_port(rule: FqdnRule, port: int, protocol: str) -> bool:
    return not rule.ports or any(p == protocol and (n is None or n == port) for p, n in rule.ports)


def _fqdn_targets(rule: FqdnRule) -> str:
    items = [*rule.names, *(f"names matching {pattern}" for pattern in rule.patterns)]
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def _lookup_hint(rule: FqdnRule) -> str:
    """The `nslookup` to copy, one per exact name; a pattern alone names no host to look up."""
    if rule.names:
        return "check with " + ", ".join(f"`nslookup {quote(name)}`" for name in rule.names[:3])
    return "look up the name the pod used with `nslookup`; a pattern names no single host"


@dataclass(slots=True)
class GkeIndex:
    """Where to look for the policies of a pod: FQDN policies by namespace; Cilium rule sets by
    one label their endpointSelector requires (the namespace for a CNP), or in `everyone` when
    it requires none (or one netpol-tui cannot read). Entries carry their place in the snapshot,
    so candidates keep the snapshot's order."""

    fqdn_by_namespace: dict[str, list]
    everyone: list[tuple[int, CiliumPolicy, CiliumRuleSet, _CiliumSelector, tuple]]
    #: by one required label, or by two: ((key, value), (key, value))
    by_label: dict[tuple, list[tuple[int, CiliumPolicy, CiliumRuleSet, _CiliumSelector, tuple]]]
    #: the first labels of the two-label buckets
    first_keys: frozenset[tuple[str, str]]
    #: id(pod group) -> (group, ((policy, rule set, selected True/None), ...))
    selecting: dict[int, tuple[object, tuple]]
    #: (id(pod group), egress, peer kind) -> (group, entries of `_cilium_side`)
    sides: dict[tuple[int, bool, int], tuple[object, tuple]]
    #: id(pod group) -> (group, FQDN policies selecting it)
    fqdn: dict[int, tuple[object, list]]
    #: id(pod group) -> (group, Cilium identity labels)
    identities: dict[int, tuple[object, dict[str, str]]]
    #: id(selector) -> (selector, compiled)
    selectors: dict[int, tuple[LabelSelector, _CiliumSelector]]


class GkeKindsMixin:
    """Adds the Dataplane V2 policy kinds to a side verdict (see the module docstring)."""

    def _build_gke_index(self) -> GkeIndex:
        fqdn_by_namespace: dict[str, list] = {}
        for policy in self.snapshot.fqdn_policies:
            fqdn_by_namespace.setdefault(policy.namespace, []).append(policy)
        everyone: list = []
        by_label: dict[tuple[str, str], list] = {}
        order = 0
        for policy in self.snapshot.cilium_policies:
            for rule_set in policy.rules:
                order += 1
                selector = rule_set.endpoint_selector
                if selector is None:
                    continue  # a host policy (nodeSelector) selects no pod
                compiled = _compile(selector)
                entry = (order, policy, rule_set, compiled, (_prepare(rule_set, False, policy.label), _prepare(rule_set, True, policy.label)))
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

    def _fqdn_selecting(self, pod: Pod) -> list:
        """The FQDN policies whose podSelector selects the pod (its namespace's only), cached per
        pod group."""
        index = self._gke_index
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

    def _cilium_selecting(self, pod: Pod) -> tuple:
        """(policy, rule set, selected, sides) for the rule sets that select the pod (True) or may
        (None), in snapshot order, `sides` as `_prepare` made them (ingress, egress); cached per pod
        group (same namespace and labels, same identity)."""
        index = self._gke_index
        group = self._group_for(pod)
        cached = index.selecting.get(id(group))
        if cached is not None and cached[0] is group:
            return cached[1]
        identity = self._identity(pod)
        candidates = list(index.everyone)
        by_label = index.by_label
        pairs = list(identity.items())
        for item in pairs:
            bucket = by_label.get(item)
            if bucket:
                candidates.extend(bucket)
            if item in index.first_keys:
                for other in pairs:
                    bucket = by_label.get((item, other))
                    if bucket:
                        candidates.extend(bucket)
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

    def _cilium_side(self, pod: Pod, egress: bool, peer: int) -> tuple:
        """The rule sets that can matter for one direction of the pod and one kind of peer (0 a
        pod, 1 an address): (policy, rule set, selected, allow rules, deny rules, isolates), the
        rules those `_by_peer` kept for that peer. A rule set is left out when it has no rule for
        such a peer and neither isolates nor leaves anything in doubt. Cached per pod group."""
        index = self._gke_index
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
        labels = {_key(k): v for k, v in pod.labels.items()}
        labels[NAMESPACE_KEY] = pod.namespace
        for key, value in self.namespace_labels(pod.namespace).items():
            labels[NAMESPACE_LABEL_PREFIX + key] = value
        if index is not None:
            index.identities[id(group)] = (group, labels)
        return labels

    def _cilium_selector(self, selector: LabelSelector) -> _CiliumSelector:
        index = self._gke_index
        cached = index.selectors.get(id(selector)) if index is not None else None
        if cached is not None and cached[0] is selector:
            return cached[1]
        compiled = _compile(selector)
        if index is not None:
            index.selectors[id(selector)] = (selector, compiled)
        return compiled

    def _policy_selects(self, policy: CiliumPolicy, rule_set: CiliumRuleSet, pod: Pod) -> bool | None:
        if rule_set.endpoint_selector is None:
            return False  # a nodeSelector rule is a host policy: it selects nodes, not pods
        if policy.namespace is not None and pod.namespace != policy.namespace:
            return False
        return self._cilium_selector(rule_set.endpoint_selector).matches(self._identity(pod))

    def _peer_state(self, policy: CiliumPolicy, rule: CiliumPeerRule, other: Endpoint, other_ip: str | None,
                    port: int, protocol: str, target: Pod | None) -> bool | None:
        if not _port_state(rule.ports, port, protocol, target):
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
            address = _address(other_ip)
            for cidr, excepts in rule.cidrs:
                if _in_network(address, cidr) and not any(_in_network(address, item) for item in excepts):
                    return True
        return result

    def _unread_kinds(self, egress: bool) -> tuple[str, ...]:
        """One sentence per CRD kind that was not read and can decide this direction (FQDN
        policies only egress), naming the permission to ask for."""
        if not self.snapshot.unknown:
            return ()
        kinds = (Kind.FQDN_POLICY, Kind.CILIUM_POLICY) if egress else (Kind.CILIUM_POLICY,)
        sentences = (self.unread.crd_sentence(kind) for kind in kinds)
        return tuple(f"{text}; on Dataplane V2 they can isolate, allow or deny this traffic"
                     for text in sentences if text)

    def _with_gke_kinds(self, direction: Direction, t: object, side: DirectionResult) -> DirectionResult:
        egress = direction is Direction.EGRESS
        subject, other = (t.src, t.dst) if egress else (t.dst, t.src)
        other_ip = t.dst_ip if egress else t.src_ip
        pod = subject.pod
        if pod is None or pod.host_network:
            return side
        missing = self._unread_kinds(egress)
        if missing:
            return replace(side, allowed=None, summary=f"{side.summary} Unknown: {'; '.join(missing)}.",
                           unknown_because=side.unknown_because + missing)
        peer = 0 if other.pod is not None else 1
        entries = self._cilium_side(pod, egress, peer)
        if not entries and not (egress and self._fqdn_selecting(pod)):
            return side
        target = t.dst.pod
        deny_hits: list[KindRuleRef] = []
        deny_doubt: list[str] = []
        allows: list[KindRuleRef] = []
        allow_doubt: list[str] = []
        isolating: list[str] = []
        select_doubt: list[str] = []
        allow_key, deny_key = ("egress", "egressDeny") if egress else ("ingress", "ingressDeny")
        port, protocol = t.port, t.protocol
        for policy, rule_set, selected, allow_rules, deny_rules, isolates in entries:
            if rule_set.unsupported:
                select_doubt.append(f"{policy.label} selects {pod.namespace}/{pod.name} and has fields "
                                    f"netpol-tui does not evaluate ({', '.join(rule_set.unsupported[:3])}), "
                                    "which may decide this traffic")
            if selected is None:
                if isolates or allow_rules or deny_rules:
                    select_doubt.append(f"whether {policy.label} selects {pod.namespace}/{pod.name} (its "
                                        "endpointSelector uses a label netpol-tui does not know)")
                continue
            if isolates:
                isolating.append(isolates)
            for index, rule in deny_rules:
                state = self._peer_state(policy, rule, other, other_ip, port, protocol, target)
                if state is False:
                    continue
                ref = KindRuleRef(policy.namespace or "", policy.name, direction, index, label=policy.label,
                                  section=deny_key)
                if state:
                    deny_hits.append(ref)
                else:
                    deny_doubt.append(f"{ref} may deny it ({', '.join(rule.unsupported) or 'unknown peer'})")
            for index, rule in allow_rules:
                state = self._peer_state(policy, rule, other, other_ip, port, protocol, target)
                if state is False:
                    continue
                ref = KindRuleRef(policy.namespace or "", policy.name, direction, index, label=policy.label,
                                  section=allow_key)
                if state:
                    allows.append(ref)
                else:
                    allow_doubt.append(f"{ref} may allow it ({', '.join(rule.unsupported) or 'unknown peer'})")
        if egress:
            self._fqdn(pod, other, t, isolating, allows, allow_doubt)
        if not (deny_hits or deny_doubt or isolating or allows or allow_doubt or select_doubt):
            return side
        name = side.endpoint
        word = "Egress of" if egress else "Ingress to"
        names = tuple(dict.fromkeys((*side.isolating_policies, *isolating)))
        if deny_hits:
            return DirectionResult(direction, name, True, True, False, names, (), (
                f"{deny_hits[0]} denies it, and a deny rule takes precedence over every allow",), (
                f"{word} {name}: denied by {deny_hits[0]} (deny rules take precedence over every allow)."))
        isolated = True if (isolating or side.isolated) else (None if side.isolated is None else False)
        by_rule = side.allowed is True and side.isolated is True
        if isolated is False:
            allowed: bool | None = True
        elif by_rule or allows:
            allowed = True
        elif side.allowed is None or allow_doubt or isolated is None:
            allowed = None
        else:
            allowed = False
        doubts = tuple(deny_doubt + select_doubt + ([] if allowed is True else allow_doubt))
        # A rule set whose selection or fields are unknown may isolate, allow or deny: unknown
        # either way; a deny in doubt matters only for traffic something allows.
        if select_doubt or (allowed is not False and deny_doubt):
            allowed = None
        allowed_by = side.allowed_by + tuple(allows)
        if allowed is True:
            summary = (f"{word} {name}: allowed; isolated by {', '.join(names)}; allowed by {allowed_by[0]}."
                       if allowed_by else f"{word} {name}: allowed, not isolated by any policy kind.")
            return DirectionResult(direction, name, True, isolated, True, names, allowed_by, (), summary)
        if allowed is None:
            return DirectionResult(direction, name, True, isolated, None, names, allowed_by, side.denied_because,
                                   f"{word} {name}: unknown; {'; '.join(doubts or side.unknown_because)}.",
                                   side.unknown_because + doubts)
        denied = side.denied_because if side.isolated else ()
        return DirectionResult(direction, name, True, True, False, names, (), denied + tuple(
            f"{label} isolates it and none of its rules allows {t.protocol} port {t.port}" for label in isolating
            if label not in side.isolating_policies), (
            f"{word} {name}: denied; isolated by {', '.join(names)} and no rule of any policy kind allows "
            f"{t.protocol} port {t.port}."))

    def _fqdn(self, pod: Pod, other: Endpoint, t: object, isolating: list[str], allows: list[KindRuleRef],
              doubt: list[str]) -> None:
        """FQDN policies isolate the pod's egress; to an address outside the cluster a rule on the
        port *may* allow it (if a name it allows resolved to that address)."""
        for policy in self._fqdn_selecting(pod):
            isolating.append(policy.label)
            if other.pod is not None or t.dst_ip is None:
                continue  # FQDN rules name endpoints outside the cluster; a Service VIP never matches
            for index, rule in enumerate(policy.egress):
                if _fqdn_port(rule, t.port, t.protocol):
                    doubt.append(f"egress[{index}] of {policy.label} allows {_fqdn_targets(rule)} on this port: "
                                 f"allowed only if {t.dst_ip} is what such a name resolved to for the pod "
                                 f"({_lookup_hint(rule)})")
