"""CIDR sweeps: is every address of a range allowed to reach a pod (or be reached from it)?
"""

from __future__ import annotations

from netpol_tui.model.objects import Pod
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.addresses import (
    Interval,
    intersect,
    interval_cidrs,
    network_interval,
    parse_network,
    subtract,
)
from netpol_tui.policy.common import (
    DV2,
    METADATA_ADDRESS,
    _Traffic,
    check_direction,
    check_port,
    check_protocol,
    policy_name,
)
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import (
    CidrVerdict,
    Dataplane,
    Direction,
    Endpoint,
    EndpointError,
    RuleRef,
)


class CidrMixin(PolicyIndex):
    """Range sweeps (a CIDR against a pod), used by the load-balancer and node checks."""

    # ------------------------------------------------------------- CIDR sweep

    def evaluate_cidr(self, pod: Pod, cidr: str, port: int, protocol: str,
                      direction: Direction | str) -> CidrVerdict:
        """Is EVERY address of cidr allowed to reach the pod (Ingress) / be reached from it
        (Egress) on port/protocol? The addresses are treated as outside the cluster."""
        direction = check_direction(direction)
        protocol = check_protocol(protocol)
        port = check_port(port)
        try:
            network = parse_network(cidr)
        except ValueError:
            raise EndpointError(f"not a CIDR: {cidr!r}") from None
        notes = list(self.notes)
        group = self._group_for(pod)
        policies = group.ingress if direction is Direction.INGRESS else group.egress
        names = tuple(policy_name(policy) for policy in policies)

        def verdict(full: bool, partial: bool, isolated: bool, refs: tuple[RuleRef, ...] = (),
                    uncovered: tuple[str, ...] = ()) -> CidrVerdict:
            return CidrVerdict(pod, str(network), port, protocol, direction, self.dataplane, full, partial,
                               isolated, refs, uncovered, names, tuple(notes))

        if self.dataplane is Dataplane.NONE:
            return verdict(True, False, False)
        if pod.host_network:
            notes.append(f"{pod.namespace}/{pod.name} uses the host network: NetworkPolicy does not apply to it "
                         "in practice.")
            return verdict(True, False, False)
        if Kind.NETWORK_POLICY in self.unread:
            because = self.unread.because(Kind.NETWORK_POLICY, f"which policies isolate the {direction.word} "
                                                               f"of {pod.namespace}/{pod.name}")
            return CidrVerdict(pod, str(network), port, protocol, direction, self.dataplane, False, False, None,
                               (), (), (), tuple(notes), (because,))
        if not policies:
            return verdict(True, False, False)
        target = [network_interval(network)]
        if self.dataplane is DV2 and direction is Direction.EGRESS \
                and intersect(target, [network_interval(parse_network(METADATA_ADDRESS + "/32"))]):
            notes.append(f"On Dataplane V2 traffic to {METADATA_ADDRESS} is rewritten by the node before policy "
                         "runs; this verdict is uncertain.")
        overlap = self._range_holding(self._pod_ranges, target)
        if overlap:
            notes.append(f"{network} overlaps {overlap}: this sweep treats every address as outside the cluster, "
                         "but pods there are governed by selectors"
                         + (", and ipBlock rules never match pod traffic on Dataplane V2" if self.dataplane is DV2
                            else "") + ".")
        subject = Endpoint.for_pod(pod)
        if direction is Direction.INGRESS:
            traffic = _Traffic(Endpoint.for_address(str(network.network_address)), subject, None, None, port,
                               protocol)
        else:
            traffic = _Traffic(subject, Endpoint.for_address(str(network.network_address)), None, None, port,
                               protocol)
        covered: list[Interval] = []
        refs: list[RuleRef] = []
        for policy in policies:
            rules = policy.ingress if direction is Direction.INGRESS else policy.egress
            for index, rule in enumerate(rules):
                port_index = None
                if rule.ports:
                    port_index = next((k for k, p in enumerate(rule.ports)
                                       if self._port_matches(p, traffic, self.dataplane)), None)
                    if port_index is None:
                        continue
                if not rule.peers:
                    covered.extend(target)
                    refs.append(RuleRef(policy.namespace, policy.name, direction, index, None, port_index))
                    continue
                first_peer = None
                for j, peer in enumerate(rule.peers):
                    if peer.ip_block is None:
                        continue
                    part = intersect(self._block(peer.ip_block).intervals(), target)
                    if part:
                        covered.extend(part)
                        first_peer = j if first_peer is None else first_peer
                if first_peer is not None:
                    refs.append(RuleRef(policy.namespace, policy.name, direction, index, first_peer, port_index))
        uncovered = subtract(target, covered)
        full = not uncovered
        return verdict(full, bool(covered) and not full, True, tuple(refs), interval_cidrs(uncovered))
