"""Verdicts for one connection: the source's egress and the destination's ingress, each allowed,
denied or unknown; a definite denial on one side decides, an allow needs both.
"""

from __future__ import annotations

from netpol_tui.model.policy import NetworkPolicy, PolicyPort
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.common import (
    DV2,
    NO_DOUBT,
    NO_MATCH,
    UNDECIDED,
    WORDS,
    _CPeer,
    _CRule,
    _subject_to_policy,
    _Traffic,
    check_port,
    check_protocol,
)
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import (
    Dataplane,
    Direction,
    DirectionResult,
    Endpoint,
    RuleRef,
    Verdict,
    combine,
)
from netpol_tui.policy.selectors import CompiledSelector
from netpol_tui.policy.unread import namespace_match_without_labels
from netpol_tui.text import plural


class EvaluationMixin(PolicyIndex):
    """Three-valued evaluation of a connection: each side allowed, denied, or unknown when it
    depends on data that was not read."""

    def evaluate(self, src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> Verdict:
        """Is a connection from src to dst on port/protocol allowed?

        Pod to pod needs the source's egress and the destination's ingress; an address outside
        the cluster is checked on the pod side only. When dst came from a Service (resolve
        `NS/svc/NAME`), `port` is the Service port and is translated to the pod's targetPort.
        """
        protocol = check_protocol(protocol)
        port = check_port(port)
        notes = list(self.notes)
        src = self._canonical(src, notes)
        dst = self._canonical(dst, notes)
        target, requested = port, None
        if dst.service is not None and dst.pod is not None:
            service = dst.service
            mapped = self.service_target_port(service, dst.pod, port, protocol)
            if mapped is None:
                if any(sp.port == port and sp.protocol == protocol for sp in service.ports):
                    notes.append(f"Service {service.namespace}/{service.name} port {port}/{protocol} targets a "
                                 f"named port that pod {dst.name} does not declare, so the Service does not "
                                 f"send this port to that pod; port {port} was checked on the pod directly.")
                else:
                    notes.append(f"Service {service.namespace}/{service.name} has no {protocol} port {port}; "
                                 f"port {port} was checked on the pod directly.")
            elif mapped != port:
                target, requested = mapped, port
        src_ip, dst_ip = self._traffic_ips(src, dst, notes)
        traffic = _Traffic(src, dst, src_ip, dst_ip, target, protocol, self._doubt(src), self._doubt(dst))
        if src.pod is not None and src.pod is dst.pod and dst.service is None:
            # Packets to the pod's own IP are routed inside its network namespace and never reach
            # the datapath that enforces NetworkPolicy.
            egress = DirectionResult(Direction.EGRESS, src.name, False, False, True, summary=(
                f"Egress of {src.name}: not checked, traffic from a pod to itself stays inside the pod."))
            ingress = DirectionResult(Direction.INGRESS, dst.name, False, False, True, summary=(
                f"Ingress to {dst.name}: not checked, traffic from a pod to itself stays inside the pod."))
        elif self.dataplane is Dataplane.NONE:
            would_egress = self._side(Direction.EGRESS, traffic, Dataplane.CALICO)
            would_ingress = self._side(Direction.INGRESS, traffic, Dataplane.CALICO)
            egress = self._unenforced(Direction.EGRESS, src, would_egress)
            ingress = self._unenforced(Direction.INGRESS, dst, would_ingress)
            would = combine((would_egress.allowed, would_ingress.allowed))
            notes.append(f"If Calico enforcement were turned on, this traffic would be "
                         f"{ {True: 'allowed', False: 'denied', None: 'unknown (some data was not read)'}[would]}.")
        else:
            egress = self._side(Direction.EGRESS, traffic, self.dataplane)
            ingress = self._side(Direction.INGRESS, traffic, self.dataplane)
            if self.dataplane is DV2 and self._gke_kinds_present:
                egress = self._with_gke_kinds(Direction.EGRESS, traffic, egress)
                ingress = self._with_gke_kinds(Direction.INGRESS, traffic, ingress)
                self._default_deny_notes(traffic, egress, ingress, notes)
            self._other_family(traffic, combine((egress.allowed, ingress.allowed)), notes)
        allowed = combine((egress.allowed, ingress.allowed))
        self._caveats(traffic, notes)
        if allowed is not None and self.unread:
            notes.append(self._independence_note(allowed, egress, ingress))
        return Verdict(allowed, self.dataplane, src, dst, target, protocol,
                       egress, ingress, tuple(notes), requested)

    def _independence_note(self, allowed: bool, egress: DirectionResult, ingress: DirectionResult) -> str:
        """Says why a definite verdict stands although some kinds were not read."""
        kinds = ", ".join(str(kind) for kind in self.unread.kinds)
        if self.dataplane is Dataplane.NONE:
            why = "NetworkPolicy is not enforced on this cluster"
        elif allowed:
            why = "both sides allow it by data that was read"
        else:
            denying = egress if egress.allowed is False else ingress
            why = f"the {WORDS[denying.direction]} side denies it by rules that do not involve the missing data"
        return f"{kinds} objects were not read, but this verdict does not depend on them: {why}."

    def _other_family(self, t: _Traffic, allowed: bool | None, notes: list[str]) -> None:
        """Two dual-stack pods may talk over either family, and ipBlock rules can tell them apart:
        say so when the other family's verdict differs (only when neither IP was chosen)."""
        src, dst = t.src, t.dst
        if src.pod is None or dst.pod is None or src.pod is dst.pod or t.src_ip is None or t.dst_ip is None:
            return
        if t.src_ip != src.pod.ip or t.dst_ip != dst.pod.ip:
            return
        other = ":" not in t.src_ip
        src_ip, dst_ip = self._pick_ip(src, other), self._pick_ip(dst, other)
        if src_ip is None or dst_ip is None:
            return
        alt = _Traffic(src, dst, src_ip, dst_ip, t.port, t.protocol)
        alt_allowed = combine((self._side(Direction.EGRESS, alt, self.dataplane).allowed,
                               self._side(Direction.INGRESS, alt, self.dataplane).allowed))
        if alt_allowed is not None and allowed is not None and alt_allowed != allowed:
            family = "IPv6" if other else "IPv4"
            notes.append(f"Both pods are dual-stack: this verdict is for {t.src_ip} -> {t.dst_ip}; over {family} "
                         f"({src_ip} -> {dst_ip}) the traffic would be {'allowed' if alt_allowed else 'denied'} "
                         "(ipBlock rules match one family); ask with the pods' IPs to see that case.")

    def _unenforced(self, direction: Direction, endpoint: Endpoint, would: DirectionResult) -> DirectionResult:
        side = "Egress of" if direction is Direction.EGRESS else "Ingress to"
        return DirectionResult(direction, endpoint.name, would.applies, False, True,
                               would.isolating_policies, (), (),
                               f"{side} {endpoint.name}: allowed, NetworkPolicy is not enforced on this cluster.")

    def _side(self, direction: Direction, t: _Traffic, model: Dataplane) -> DirectionResult:
        egress = direction is Direction.EGRESS
        subject, other = (t.src, t.dst) if egress else (t.dst, t.src)
        other_ip = t.dst_ip if egress else t.src_ip
        other_doubt = t.dst_doubt if egress else t.src_doubt
        side = "Egress of" if egress else "Ingress to"
        name = subject.name
        if subject.pod is None:
            doubt = self._address_side_doubt(direction, subject, t.src_doubt if egress else t.dst_doubt)
            if doubt:
                return DirectionResult(direction, name, False, None, None, summary=(
                    f"{side} {name}: unknown, the address may belong to a pod (or a Service) of the cluster, "
                    "whose policies would apply."), unknown_because=tuple(doubt))
            return DirectionResult(direction, name, False, False, True, summary=(
                f"{side} {name}: not checked, the address is outside the cluster (only the pod side of "
                "the connection is subject to NetworkPolicy)."))
        if subject.pod.host_network:
            group = self._group_for(subject.pod)
            names = self._view(group, direction)[0]
            return DirectionResult(direction, name, False, False, True, names, summary=(
                f"{side} {name}: not checked, it is a hostNetwork pod and NetworkPolicy does not apply "
                "to it in practice."))
        if Kind.NETWORK_POLICY in self.unread:
            return DirectionResult(direction, name, True, None, None, summary=(
                f"{side} {name}: unknown, the NetworkPolicies were not read, so whether any policy isolates "
                "it is unknown."), unknown_because=(self.unread.because(
                    Kind.NETWORK_POLICY, f"whether any policy isolates the {WORDS[direction]} of {name}"),))
        group = self._group_for(subject.pod)
        names, compiled, others, _ = self._view(group, direction)
        if not names:
            return DirectionResult(direction, name, True, False, True, summary=(
                f"{side} {name}: allowed, not isolated (no policy with {direction} in policyTypes "
                "selects it)."))
        other_is_pod = _subject_to_policy(other)
        allowed_by: list[RuleRef] = []
        undecided: list[tuple[NetworkPolicy, _CRule, int | None, int | None]] = []
        outcomes = []
        for policy, rules in compiled:
            results = []
            for rule in rules:
                port_index = self._first_port(rule.ports, t, model)
                peer_index = self._first_peer(policy.namespace, rule.peers, other, other_is_pod, other_ip, model,
                                              other_doubt)
                if port_index != NO_MATCH and peer_index != NO_MATCH:
                    if port_index == UNDECIDED or peer_index == UNDECIDED:
                        undecided.append((policy, rule, peer_index, port_index))
                    else:
                        allowed_by.append(RuleRef(policy.namespace, policy.name, direction, rule.index,
                                                  peer_index, port_index))
                results.append((rule, peer_index, port_index))
            outcomes.append((policy, results))
        isolated_by = f"isolated by {', '.join(names)}"
        if allowed_by:
            more = f" (and {plural(len(allowed_by) - 1, 'more rule')})" if len(allowed_by) > 1 else ""
            return DirectionResult(direction, name, True, True, True, names, tuple(allowed_by), (),
                                   f"{side} {name}: allowed; {isolated_by}; allowed by {allowed_by[0]}{more}.")
        peer_word = "to" if egress else "from"
        if undecided:
            because = self._undecided_reasons(undecided, direction, other, other_doubt, t)
            return DirectionResult(direction, name, True, True, None, names, (), (), (
                f"{side} {name}: unknown; {isolated_by}, no {WORDS[direction]} rule allows {t.protocol} port "
                f"{t.port} {peer_word} {other.name} for sure, and {plural(len(undecided), 'rule')} may, "
                "depending on data that was not read."),
                tuple(because))
        if not egress and Kind.SERVICE in other_doubt:
            # `resolve` reads a ClusterIP as the Service's pods, and this very pod may be one of them:
            # traffic a pod sends itself never meets policy.
            return DirectionResult(direction, name, True, True, None, names, (), (), (
                f"{side} {name}: unknown; {isolated_by} and no {WORDS[direction]} rule allows it, but {other.name} "
                f"may be a ClusterIP whose Service sends to {name} itself."), (self.unread.because(
                    Kind.SERVICE, f"whether {other.name} is a ClusterIP of a Service backed by {name}"),))
        reasons = self._explain_denial(outcomes, direction, subject, other, other_ip, t, model)
        reasons.extend(self._would_allow(subject.pod, direction, others, subject, other, other_ip, t, model))
        return DirectionResult(direction, name, True, True, False, names, (), tuple(reasons), (
            f"{side} {name}: denied; {isolated_by} and no {WORDS[direction]} rule allows {t.protocol} port "
            f"{t.port} {peer_word} {other.name}."))

    def _address_side_doubt(self, direction: Direction, subject: Endpoint, doubt: tuple[Kind, ...]) -> list[str]:
        """Why the policy side of an address is unknown: it may be a pod (pods not read) or a
        ClusterIP translated to a pod (Services not read). Definite when no policy of the snapshot
        isolates that direction (whatever pod it is, it is not isolated)."""
        reasons: list[str] = []
        kinds = list(doubt)
        if not kinds:
            return reasons
        if Kind.NETWORK_POLICY not in self.unread and not self._any_isolating[direction]:
            return reasons
        for kind in kinds:
            what = (f"whether {subject.name} is a pod, and which policies select it" if kind is Kind.POD
                    else f"whether {subject.name} is a Service's ClusterIP, and which pods it sends to")
            reasons.append(self.unread.because(kind, what))
        if Kind.NETWORK_POLICY in self.unread:
            reasons.append(self.unread.because(Kind.NETWORK_POLICY, f"which policies isolate {subject.name}"))
        return reasons

    def _first_port(self, ports: tuple[PolicyPort, ...], t: _Traffic, model: Dataplane) -> int | None:
        """Index of the first matching port entry; None for no ports list (every port); NO_MATCH;
        UNDECIDED when no entry matches for sure but one may (the destination's ports are unread)."""
        if not ports:
            return None
        doubt = t.dst_doubt
        undecided = False
        for index, port in enumerate(ports):
            if doubt and port.protocol == t.protocol and port.port is not None:
                # a ClusterIP's port becomes the Service's targetPort; a named port resolves on a pod
                if Kind.SERVICE in doubt or isinstance(port.port, str):
                    undecided = True
                    continue
            if self._port_matches(port, t, model):
                return index
        return UNDECIDED if undecided else NO_MATCH

    def _first_peer(self, namespace: str, peers: tuple[_CPeer, ...], other: Endpoint, other_is_pod: bool,
                    other_ip: str | None, model: Dataplane, doubt: tuple[Kind, ...] = NO_DOUBT) -> int | None:
        """Index of the first matching peer; None for no from/to list (every peer); NO_MATCH;
        UNDECIDED when no peer matches for sure but one may."""
        if not peers:
            return None
        undecided = False
        for index, peer in enumerate(peers):
            state = self._peer_matches(namespace, peer, other, other_is_pod, other_ip, model, doubt)
            if state:
                return index
            if state is None:
                undecided = True
        return UNDECIDED if undecided else NO_MATCH

    def _peer_matches(self, namespace: str, peer: _CPeer, endpoint: Endpoint, is_pod: bool,
                      ip: str | None, model: Dataplane, doubt: tuple[Kind, ...] = NO_DOUBT) -> bool | None:
        """True, False, or None when the answer depends on data that was not read."""
        block = peer.block
        if block is not None:
            if is_pod and model is DV2:
                return False
            address = self._address(ip)
            contains = address is not None and block.contains(address)
            if doubt:
                if Kind.SERVICE in doubt:
                    return None  # the packet's destination becomes an unknown pod's IP
                if not contains:
                    return False
                return None if model is DV2 else True  # on Dataplane V2 ipBlock never matches a pod
            return contains
        if not is_pod:
            return None if doubt and endpoint.pod is None else False
        pod = endpoint.pod
        assert pod is not None, "is_pod: the endpoint is a pod"
        ns_sel = peer.ns_sel
        state: bool | None = True
        if ns_sel is None:
            if pod.namespace != namespace:
                return False
        elif pod.namespace in self._ns_known:
            key = (id(ns_sel.selector), pod.namespace)
            matched = self._ns_match_cache.get(key)
            if matched is None:
                matched = self._ns_matches(ns_sel.selector, pod.namespace)
            if not matched:
                return False
        else:
            state = self._ns_match_state(ns_sel, pod.namespace)
            if state is False:
                return False
        if peer.pod_sel is not None and not peer.pod_sel.matches(pod.labels):
            return False
        return state

    def _ns_match_state(self, compiled: CompiledSelector, namespace: str) -> bool | None:
        """A namespaceSelector against a namespace whose labels are unknown (not read, or not among
        the namespaces read): decided by kubernetes.io/metadata.name alone where it can be."""
        return namespace_match_without_labels(compiled, namespace)

    def _match_rule(self, policy: NetworkPolicy, direction: Direction, rule: _CRule, other: Endpoint,
                    other_ip: str | None, t: _Traffic, model: Dataplane) -> RuleRef | None:
        port_index = self._first_port(rule.ports, t, model)
        if port_index in (NO_MATCH, UNDECIDED):
            return None
        peer_index = self._first_peer(policy.namespace, rule.peers, other, _subject_to_policy(other), other_ip,
                                      model)
        if peer_index in (NO_MATCH, UNDECIDED):
            return None
        return RuleRef(policy.namespace, policy.name, direction, rule.index, peer_index, port_index)

    def _port_matches(self, port: PolicyPort, t: _Traffic, model: Dataplane) -> bool:
        if port.protocol != t.protocol:
            return False
        if port.port is None:
            return True
        if isinstance(port.port, str):
            # Containers may repeat a port name (the API only warns); policy matches any of them.
            pod = t.dst.pod
            return pod is not None and any(p.name == port.port and p.protocol == port.protocol
                                           and p.container_port == t.port for p in pod.ports)
        if port.end_port is not None and model is not DV2:
            return port.port <= t.port <= port.end_port
        return t.port == port.port
