"""Connections compared with the verdict engine: `Comparer` joins each recorded endpoint to the
snapshot and evaluates it once per verdict class (endpoints the engine cannot tell apart share
one answer). Folding records into connections and groups is `groups.py` (re-exported here).
"""

from __future__ import annotations

# The groups' side moved to groups.py; its names stay importable from here.
from netpol_tui.flows.groups import (  # noqa: F401
    AGREES,
    DISAGREES,
    FQDN_KIND,
    NOT_LOGGED,
    UNKNOWN,
    Connection,
    Evaluation,
    FlowGroup,
    aggregate,
    endpoint_text,
    group_connections,
    predicted_of,
    side_of,
)
from netpol_tui.flows.join import EXTERNAL, NODE, SERVICE, Joined, Resolver
from netpol_tui.flows.records import EGRESS, GKE_LOG, FlowKey, Peer
from netpol_tui.model.gke_policy import FqdnNetworkPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector, NetworkPolicy
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import (
    CompiledSelector,
    Dataplane,
    DirectionResult,
    Endpoint,
    EndpointError,
    ParsedBlock,
    PolicyEngine,
    Verdict,
    parse_block,
)
from netpol_tui.policy.addresses import Address, try_parse_address
from netpol_tui.policy.engine import METADATA_ADDRESS
from netpol_tui.policy.gke_rules import KindRuleRef, cilium_key, fqdn_port, fqdn_targets


class Comparer:
    """Evaluates connections with one engine.

    Verdicts are cached per class of endpoints the engine cannot tell apart: a pod's namespace,
    the labels some policy's pod selector names (no other label can change a verdict),
    hostNetwork, phase and container ports; its IP too unless the model is Dataplane V2 (only
    there does ipBlock never match pod traffic); an outside address as the ipBlocks that hold it.
    """

    def __init__(self, engine: PolicyEngine, snapshot: Snapshot) -> None:
        self.engine = engine
        self.snapshot = snapshot
        self.resolver = Resolver(engine, snapshot)
        #: FQDN policies by namespace, with their compiled selectors; only the Dataplane V2 model
        #: enforces them, so only there can a verdict depend on one.
        self._fqdn_by_ns: dict[str, list[tuple[FqdnNetworkPolicy, CompiledSelector]]] = {}
        if engine.dataplane is Dataplane.DATAPLANE_V2:
            for fqdn in snapshot.fqdn_policies:
                self._fqdn_by_ns.setdefault(fqdn.namespace, []).append((fqdn, CompiledSelector(fqdn.pod_selector)))
        self._fqdn_selecting: dict[int, tuple[Pod, list[FqdnNetworkPolicy]]] = {}
        self._not_logged: dict[tuple, str | None] = {}
        self._shared: dict[tuple, tuple[tuple[Verdict, ...], tuple[str, ...]]] = {}
        self._exact: dict[tuple, tuple[tuple[Verdict, ...], tuple[str, ...]]] = {}
        self._classes: dict[int, tuple[Pod, int]] = {}
        self._endpoint_classes: dict[int, tuple[Endpoint, tuple]] = {}
        self._class_ids: dict[tuple, int] = {}
        self._ip_blind = engine.dataplane is Dataplane.DATAPLANE_V2
        self._label_keys = _selector_keys(snapshot)
        self._service_targets: dict[tuple[str, str], list[Endpoint] | EndpointError] = {}
        self._address_classes: dict[tuple[str, str], tuple] = {}
        self._answers: dict[tuple, tuple[str, tuple[Verdict, ...], tuple[str, ...]]] = {}
        #: id(peer) -> (peer, joined, token or None): see `token`; read inline by `group_connections`
        self.tokens: dict[int, tuple[Peer, Joined, int | None]] = {}
        self._token_ids: dict[tuple, int] = {}
        self._blocks: dict[str, list[ParsedBlock]] = {}
        self._parsed: dict[str, Address | None] = {}
        self._policies_by_ns: dict[str, list[NetworkPolicy]] = {}
        for policy in snapshot.policies:
            self._policies_by_ns.setdefault(policy.namespace, []).append(policy)
        #: addresses the engine remarks on (nodes, Services, the metadata server): kept apart
        self._special = {METADATA_ADDRESS} | {ip for node in snapshot.nodes for ip in (node.internal_ip,
                                                                                        node.external_ip) if ip} \
            | {ip for service in snapshot.services for ip in service.cluster_ips}

    def _address_class(self, address: str | None, namespace: str | None) -> tuple:
        """An outside address as the set of ipBlock peers (of the pod side's namespace) holding it."""
        if address is None or namespace is None:
            return ("address", address)
        key = (namespace, address)
        signature = self._address_classes.get(key)
        if signature is None:
            blocks = self._blocks.get(namespace)
            if blocks is None:
                blocks = self._blocks[namespace] = [
                    parse_block(peer.ip_block) for policy in self._policies_by_ns.get(namespace, ())
                    for rule in (*policy.ingress, *policy.egress) for peer in rule.peers if peer.ip_block is not None]
            if address in self._parsed:
                parsed = self._parsed[address]
            else:
                parsed = self._parsed[address] = try_parse_address(address)
            if parsed is None:
                signature = ("address", address)
            else:
                signature = ("blocks", namespace, frozenset(i for i, block in enumerate(blocks) if block.contains(parsed)),
                             address in self._special)
            self._address_classes[key] = signature
        return signature

    def _class(self, endpoint: Endpoint, namespace: str | None = None) -> tuple:
        """The endpoint's verdict class; `namespace` is the pod side's, for an outside address."""
        known = self._endpoint_classes.get(id(endpoint))
        if known is not None and known[0] is endpoint:
            return known[1]
        pod = endpoint.pod
        if pod is None:
            return self._address_class(endpoint.address, namespace)
        entry = self._classes.get(id(pod))
        if entry is None or entry[0] is not pod:
            keys = self._label_keys
            pod_labels = pod.labels
            labels = frozenset((key, pod_labels[key]) for key in keys & pod_labels.keys())
            features = (pod.namespace, labels, pod.host_network, pod.is_live,
                        tuple((p.container_port, p.protocol, p.name) for p in pod.ports))
            # a small number stands for the features: cache keys then hash and compare cheaply
            entry = (pod, self._class_ids.setdefault(features, len(self._class_ids)))
            self._classes[id(pod)] = entry
        address = None if self._ip_blind and not pod.host_network else endpoint.address
        signature = (entry[1], address, endpoint.service.key if endpoint.service is not None else None)
        # a pod endpoint's class does not depend on the other side: kept per endpoint object
        self._endpoint_classes[id(endpoint)] = (endpoint, signature)
        return signature

    def token(self, peer: Peer) -> int | None:
        """A number standing for what the engine's answer and the group take from this end: its
        verdict class (`_class`) and grouping identity. An outside address's class depends on the
        other end's namespace, which the other end's token holds (a pod's class names its
        namespace). None for an end the short way does not cover (a Service, nothing to evaluate)."""
        entry = self.tokens.get(id(peer))
        if entry is not None and entry[0] is peer:
            return entry[2]
        joined = self.resolver.resolve(peer)
        endpoint = joined.endpoint
        token: int | None = None
        if endpoint is not None and joined.kind != SERVICE:
            if endpoint.pod is not None:
                if joined.pod is endpoint.pod:
                    features: tuple = ("pod", self._class(endpoint), joined.identity)
                    token = self._token_ids.setdefault(features, len(self._token_ids))
            elif joined.pod is None:
                features = ("address", endpoint.address, joined.identity)
                token = self._token_ids.setdefault(features, len(self._token_ids))
        self.tokens[id(peer)] = (peer, joined, token)
        return token

    def _run(self, cache: dict, key: tuple, src: Endpoint, dsts: list[Endpoint], port: int, protocol: str
             ) -> tuple[tuple[Verdict, ...], tuple[str, ...]]:
        cached = cache.get(key)
        if cached is None:
            try:
                cached = (tuple(self.engine.evaluate(src, dst, port, protocol) for dst in dsts), ())
            except EndpointError as exc:
                cached = ((), (f"the engine cannot evaluate it: {exc}",))
            cache[key] = cached
        return cached

    def _targets(self, dst: Joined) -> list[Endpoint] | str:
        if dst.kind != SERVICE:
            assert dst.endpoint is not None
            return [dst.endpoint]
        assert dst.service is not None
        service_key = dst.service.key
        targets = self._service_targets.get(service_key)
        if targets is None:
            try:
                targets = self.engine.resolve(f"{dst.service.namespace}/svc/{dst.service.name}")
            except EndpointError as exc:
                targets = exc
            self._service_targets[service_key] = targets
        if isinstance(targets, EndpointError):
            return f"destination {dst.ip} is a Service ClusterIP whose pods cannot be told: {targets}"
        return targets

    def exact(self, key: FlowKey, src: Joined, dst: Joined) -> tuple[Verdict, ...]:
        targets = self._targets(dst)
        if src.endpoint is None or isinstance(targets, str):
            return ()
        pair = (src.endpoint, tuple(targets), key.port, key.protocol)
        return self._run(self._exact, pair, src.endpoint, targets, key.port, key.protocol)[0]

    def evaluate(self, key: FlowKey, src: Joined | None = None, dst: Joined | None = None) -> Evaluation:
        """`src` and `dst`, when given, are the key's peers as the resolver joined them."""
        # called once per connection (10^5 and more): the caches by object are read here, inline
        if src is None or dst is None:
            resolver = self.resolver
            by_id = resolver.by_id
            peer = key.src
            entry = by_id.get(id(peer))
            src = entry[1] if entry is not None and entry[0] is peer else resolver.resolve(peer)
            peer = key.dst
            entry = by_id.get(id(peer))
            dst = entry[1] if entry is not None and entry[0] is peer else resolver.resolve(peer)
        src_ep, dst_ep = src.endpoint, dst.endpoint
        if src_ep is None or dst_ep is None or dst.kind == SERVICE:
            return self._evaluate_other(key, src, dst)
        # the common case, one pod or address to another: one lookup per verdict class and side
        # (a Joined's pod is its endpoint's pod, read without the property)
        src_pod, dst_pod = src.pod, dst.pod
        classes = self._endpoint_classes
        known = classes.get(id(src_ep))
        src_class = known[1] if known is not None and known[0] is src_ep else \
            self._class(src_ep, dst_pod.namespace if dst_pod is not None else None)
        known = classes.get(id(dst_ep))
        dst_class = known[1] if known is not None and known[0] is dst_ep else \
            self._class(dst_ep, src_pod.namespace if src_pod is not None else None)
        class_key = (src_class, dst_class, key.port, key.protocol, src_pod is not None and src_pod is dst_pod,
                     key.direction)
        answer = self._answers.get(class_key)
        if answer is None:
            verdicts, errors = self._run(self._shared, class_key[:5], src_ep, [dst_ep], key.port, key.protocol)
            predicted = predicted_of(verdicts[0], key.direction) if verdicts else UNKNOWN
            answer = self._answers[class_key] = (predicted, verdicts, errors)
        not_logged: str | None = None
        if self._fqdn_by_ns and key.kind == GKE_LOG and key.direction == EGRESS and src_pod is not None:
            if class_key in self._not_logged:  # None is a cached answer too (the record compares)
                not_logged = self._not_logged[class_key]
            else:
                not_logged = self._not_logged[class_key] = self.fqdn_not_logged(src_pod, dst, answer[1], key)
        if answer[2]:
            return Evaluation(UNKNOWN, src, dst, (), answer[2], not_logged=not_logged)
        return Evaluation(answer[0], src, dst, answer[1], (), self, key, not_logged)

    def fqdn_policies(self, pod: Pod) -> list[FqdnNetworkPolicy]:
        """The FQDNNetworkPolicies selecting the pod (none off the Dataplane V2 model), cached per pod."""
        entries = self._fqdn_by_ns.get(pod.namespace)
        if not entries or pod.host_network:
            return []
        cached = self._fqdn_selecting.get(id(pod))
        if cached is None or cached[0] is not pod:
            cached = self._fqdn_selecting[id(pod)] = (pod, [fqdn for fqdn, selector in entries
                                                            if selector.matches(pod.labels)])
        return cached[1]

    def fqdn_not_logged(self, pod: Pod, dst: Joined, verdicts: tuple[Verdict, ...], key: FlowKey) -> str | None:
        """Why a policy-action record of this egress cannot be compared, or None when it can.

        The source is isolated by an FQDNNetworkPolicy and, for some verdict (one per pod behind a
        Service), the answer could change without the FQDN policies: it was not decided by a deny
        rule, nor allowed by a NetworkPolicy or Cilium rule, nor denied by another policy that
        isolates the pod while no FQDN rule can match (an FQDN rule matches only an address
        outside the cluster, on its ports). GKE does not log FQDN decisions (gke-facts section 13).
        """
        fqdn = self.fqdn_policies(pod)
        if not fqdn:
            return None
        labels = {policy.label for policy in fqdn}
        outside = dst.kind in (EXTERNAL, NODE) and dst.pod is None and dst.ip is not None
        rules = [f"egress[{index}] of {policy.label} allows {fqdn_targets(rule)} on {key.protocol} port {key.port}"
                 for policy in fqdn for index, rule in enumerate(policy.egress)
                 if outside and fqdn_port(rule, key.port, key.protocol)]
        sides: list[DirectionResult | None] = [verdict.egress for verdict in verdicts] or [None]
        if all(_decided_without_fqdn(side, labels, bool(rules)) for side in sides):
            return None
        # no pod named: the answer is cached per verdict class and shared by the pods of that class
        why = f" ({'; '.join(rules[:2])})" if rules else ""
        return (f"{', '.join(sorted(labels))} selects the source and isolates its egress, so the verdict depends on "
                f"it{why}; GKE network policy logging does not record FQDNNetworkPolicy decisions, so this record "
                "neither confirms nor contradicts the engine")

    def _evaluate_other(self, key: FlowKey, src: Joined, dst: Joined) -> Evaluation:
        """Endpoints the snapshot cannot stand for, and Services (one verdict per backing pod)."""
        reasons: list[str] = []
        for role, joined in (("source", src), ("destination", dst)):
            # a Service ClusterIP stands for its pods as a destination only (as a source it crashed here)
            if joined.endpoint is None and (joined.kind != SERVICE or role == "source"):
                reasons.append(f"the {role} cannot be evaluated: {'; '.join(joined.notes) or 'unknown endpoint'}")
        if reasons:
            return Evaluation(UNKNOWN, src, dst, (), tuple(reasons))
        assert src.endpoint is not None
        targets = self._targets(dst)
        if isinstance(targets, str):
            return Evaluation(UNKNOWN, src, dst, (), (targets,))
        src_pod = src.endpoint.pod
        src_class = self._class(src.endpoint, targets[0].pod.namespace if targets[0].pod is not None else None)
        same = len(targets) == 1 and targets[0].pod is not None and targets[0].pod is src_pod
        dst_classes = tuple(self._class(target, src_pod.namespace if src_pod is not None else None)
                            for target in targets)
        cache_key = (src_class, dst_classes, key.port, key.protocol, same)
        verdicts, errors = self._run(self._shared, cache_key, src.endpoint, targets, key.port, key.protocol)
        if errors:
            return Evaluation(UNKNOWN, src, dst, (), errors)
        answers = {predicted_of(verdict, key.direction) for verdict in verdicts}
        not_logged = None
        if self._fqdn_by_ns and key.kind == GKE_LOG and key.direction == EGRESS and src_pod is not None:
            not_logged = self.fqdn_not_logged(src_pod, dst, verdicts, key)
        if len(answers) != 1:
            return Evaluation(UNKNOWN, src, dst, verdicts, (
                f"Service {dst.ip} sends to {len(verdicts)} pods and the verdicts differ between them; the record "
                "does not say which pod was reached",), self, key, not_logged)
        return Evaluation(answers.pop(), src, dst, verdicts, (), self, key, not_logged)


def _decided_without_fqdn(side: DirectionResult | None, fqdn_labels: set[str], fqdn_rule_applies: bool) -> bool:
    """The egress answer stands whatever the FQDN policies say (see `Comparer.fqdn_not_logged`)."""
    if side is None:
        return False
    if side.denied_by:
        return True  # a deny rule takes precedence over every allow, FQDN rules included
    if side.allowed is True:
        return any(not (isinstance(ref, KindRuleRef) and ref.kind == FQDN_KIND) for ref in side.allowed_by)
    # denied or unknown: another policy isolates the pod anyway, and no FQDN rule can match
    others = [label for label in side.isolating_policies if label not in fqdn_labels]
    return bool(others) and not fqdn_rule_applies


def _selector_keys(snapshot: Snapshot) -> frozenset[str]:
    """Label keys that any policy's selector tests: NetworkPolicy pod selectors (of the policy or of
    a peer), FQDNNetworkPolicy pod selectors, Cilium endpoint selectors (their `k8s:`/`any:`
    prefix dropped). Pods differing only in other labels get the same verdicts."""
    keys: set[str] = set()

    def add(selector: LabelSelector | None) -> None:
        if selector is not None:
            keys.update(cilium_key(key) for key in selector.match_labels)
            keys.update(cilium_key(requirement.key) for requirement in selector.match_expressions)

    for policy in snapshot.policies:
        add(policy.pod_selector)
        for rule in (*policy.ingress, *policy.egress):
            for peer in rule.peers:
                add(peer.pod_selector)
    for fqdn in snapshot.fqdn_policies:
        add(fqdn.pod_selector)
    for cilium in snapshot.cilium_policies:
        for rule_set in cilium.rules:
            add(rule_set.endpoint_selector)
            for peer_rule in (*rule_set.ingress, *rule_set.ingress_deny, *rule_set.egress, *rule_set.egress_deny):
                for selector in peer_rule.endpoints:
                    add(selector)
    return frozenset(keys)


