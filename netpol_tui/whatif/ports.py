"""`destination_ports` for every class at once: the same ports, without asking every egress rule
of the snapshot about every destination.

The reference (`classes.destination_ports`) walks all policies' egress rules per destination and
lists each peer's matched pods; here the egress rules are indexed by their peers' content keys
once, and a destination's rules are those with no peers plus those naming one of the keys that
match its representative pod (`facts.ApiFacts`).
"""

from __future__ import annotations

from collections.abc import Iterable

from netpol_tui.model.policy import PolicyPort
from netpol_tui.policy import Direction, PolicyEngine
from netpol_tui.whatif.classes import FlowPort, PodClass, _resolve
from netpol_tui.whatif.facts import ApiFacts, peer_key

PROTOCOLS = ("TCP", "UDP", "SCTP")


class PortFinder:
    """The ports to ask about toward each class under one engine (see `destination_ports`)."""

    def __init__(self, engine: PolicyEngine, api: ApiFacts, extra: Iterable[FlowPort] = ()) -> None:
        self.engine, self.api, self.extra = engine, api, tuple(extra)
        universal: dict[PolicyPort, None] = {}
        by_key: dict[tuple, dict[PolicyPort, None]] = {}
        for policy in engine.snapshot.policies:
            for rule in policy.egress:
                if not rule.ports:
                    continue
                if not rule.peers:
                    universal.update(dict.fromkeys(rule.ports))
                    continue
                for peer in rule.peers:
                    by_key.setdefault(peer_key(policy, peer), {}).update(dict.fromkeys(rule.ports))
        self.universal = tuple(universal)
        self.by_key = {key: tuple(entries) for key, entries in by_key.items()}
        self.services: dict[str, list] = {}
        for service in engine.snapshot.services:
            if service.selector:
                self.services.setdefault(service.namespace, []).append(service)

    def ports(self, target: PodClass) -> tuple[FlowPort, ...]:
        engine, pod = self.engine, target.pod
        found: set[FlowPort] = set(self.extra)
        found.update(FlowPort(p.container_port, p.protocol) for p in pod.ports)
        entries: list[PolicyPort] = []
        for policy in engine.isolating_policies(pod, Direction.INGRESS):
            for rule in policy.ingress:
                entries.extend(rule.ports)
        entries.extend(self.universal)
        index = self.api.context.index.get(id(pod))
        if index is not None:
            for key in self.api.keys[index]:
                entries.extend(self.by_key.get(key, ()))
        for port in entries:
            number = _resolve(pod, port.port, port.protocol)
            if number is not None:
                found.add(FlowPort(number, port.protocol))
        for service in self.services.get(pod.namespace, ()):
            if all(pod.labels.get(k) == v for k, v in service.selector.items()):
                for service_port in service.ports:
                    number = engine.service_target_port(service, pod, service_port.port, service_port.protocol)
                    if number is not None:
                        found.add(FlowPort(number, service_port.protocol))
        return tuple(sorted(port for port in found if port.protocol in PROTOCOLS))
