"""One engine's pod-to-pod verdicts between classes, as bitsets (Python ints) over class indices.

Why bitsets: the reference asks `PolicyEngine.evaluate` once per (source class, destination
class, port), millions of times on a big cluster, although a side's verdict is a union of a few
rule peer sets. Here each distinct peer (by content, `facts.peer_key`) is matched once into a
set of classes; a rule's set is the union of its peers'; a destination's ingress over all
sources on a port is the union of its isolating rules' sets that name that port; the sources'
egress toward a destination comes from the egress views (classes isolated by the same
policies), transposed once per port. Three-valued like the engine: a peer whose namespace's
labels were not read may be undecided, and such flows are unknown.

The rules mirror `EvaluationMixin._side` for two pods asked by name (no address): not enforced
(`none`) allows; a hostNetwork subject allows; a subject no policy isolates allows; else some
rule must match the port (named ports on the destination pod, endPort except on Dataplane V2)
and the peer (ipBlock never matches such a pod); undecided when no rule matches for sure but
one may; a definite denial on either side decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import NetworkPolicy, PolicyPort
from netpol_tui.policy import Dataplane, Direction, PolicyEngine, combine
from netpol_tui.whatif.classes import PodClass
from netpol_tui.whatif.facts import DV2, Context, EvalPeers, peer_key

IN, OUT = Direction.INGRESS, Direction.EGRESS

# One port's egress views transposed (see `Grid.columns`): the sources allowed toward every
# destination, then per destination index the sources excluded from that, included besides, maybe.
Columns = tuple[int, dict[int, int], dict[int, int], dict[int, int]]


def iter_bits(bits: int) -> Iterator[int]:
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def named_ports(pod: Pod) -> tuple:
    return tuple(sorted((p.name, p.protocol, p.container_port) for p in pod.ports if p.name))


class Grid:
    """Verdict bitsets of one engine over a list of classes (each answered by its first pod)."""

    def __init__(self, engine: PolicyEngine, classes: Sequence[PodClass], context: Context) -> None:
        self.engine, self.classes = engine, list(classes)
        self.n = n = len(self.classes)
        self.all = (1 << n) - 1
        self.none = engine.dataplane is Dataplane.NONE
        self.model = engine.dataplane
        self.peers = EvalPeers(engine, context)
        self.by_ns: dict[str, list[int]] = {}
        self.named: dict[tuple, int] = {}
        self._named_of: list[tuple] = []
        for index, pod_class in enumerate(self.classes):
            self.by_ns.setdefault(pod_class.namespace, []).append(index)
            ports = named_ports(pod_class.pod)
            self._named_of.append(ports)
            for entry in ports:
                self.named[entry] = self.named.get(entry, 0) | (1 << index)
        self._keybits: dict[tuple, tuple[int, int]] = {}
        self._rules: dict[tuple, tuple] = {}
        self._ingress: dict[tuple, tuple[int, int]] = {}
        self._columns: dict[tuple[int, str], Columns] = {}
        self._rows: dict[tuple, tuple[int, int]] = {}
        self.unisolated = 0
        self.views: dict[tuple, list] = {}
        self.view_of: list[tuple | None] = []
        for index, pod_class in enumerate(self.classes):
            policies = self.isolating(pod_class.pod, OUT)
            if not policies:
                self.unisolated |= 1 << index
                self.view_of.append(None)
                continue
            key = tuple(id(p) for p in policies)
            self.views.setdefault(key, [policies, 0])[1] |= 1 << index
            self.view_of.append(key)

    def isolating(self, pod: Pod, direction: Direction) -> tuple[NetworkPolicy, ...]:
        """The policies whose rules decide the pod's side (none: the side allows)."""
        if self.none or pod.host_network:
            return ()
        return self.engine.isolating_policies(pod, direction)

    # ------------------------------------------------------------------ sets

    def key_bits(self, key: tuple) -> tuple[int, int]:
        """(classes the peer matches for sure, classes it may match)."""
        found = self._keybits.get(key)
        if found is None:
            matched = maybe = 0
            if key[0] == "ip":
                for index, pod_class in enumerate(self.classes):
                    if self.peers.state(key, pod_class.pod):
                        matched |= 1 << index
            else:
                _, own, ns_key, _ = key
                for namespace in ([own] if ns_key is None else list(self.by_ns)):
                    if ns_key is not None and self.peers.ns_state(ns_key, namespace) is False:
                        continue
                    for index in self.by_ns.get(namespace, ()):
                        state = self.peers.state(key, self.classes[index].pod)
                        if state:
                            matched |= 1 << index
                        elif state is None:
                            maybe |= 1 << index
            found = self._keybits[key] = (matched, maybe)
        return found

    def rules(self, policy: NetworkPolicy, direction: Direction) -> list[tuple]:
        """Per rule of that direction: (ports, peers for sure, peers maybe)."""
        cache_key = (id(policy), direction)
        entry = self._rules.get(cache_key)
        if entry is None:
            out = []
            for rule in policy.ingress if direction is IN else policy.egress:
                if not rule.peers:
                    sure, maybe = self.all, 0
                else:
                    sure = maybe = 0
                    for peer in rule.peers:
                        matched, undecided = self.key_bits(peer_key(policy, peer))
                        sure |= matched
                        maybe |= undecided
                    maybe &= ~sure
                out.append((rule.ports, sure, maybe))
            entry = self._rules[cache_key] = (policy, out)
        return entry[1]

    def port_bits(self, ports: tuple[PolicyPort, ...], port: int, protocol: str) -> int:
        """Destination classes on which some entry matches the port (every one, or those whose
        pod names that port)."""
        if not ports:
            return self.all
        found = 0
        for entry in ports:
            if entry.protocol != protocol:
                continue
            if entry.port is None:
                return self.all
            if isinstance(entry.port, str):
                found |= self.named.get((entry.port, protocol, port), 0)
            elif entry.end_port is not None and self.model is not DV2:
                if entry.port <= port <= entry.end_port:
                    return self.all
            elif entry.port == port:
                return self.all
        return found

    # -------------------------------------------------------------- verdicts

    def columns(self, port: int, protocol: str) -> Columns:
        """The egress views transposed for one port: per destination, the sources whose egress
        allows it (sure) or may (maybe); see `egress_into`."""
        key = (port, protocol)
        found = self._columns.get(key)
        if found is not None:
            return found
        base = self.unisolated
        excluded: dict[int, int] = {}
        included: dict[int, int] = {}
        maybe: dict[int, int] = {}
        half = self.n // 2
        for policies, sources in self.views.values():
            sure = undecided = 0
            for policy in policies:
                for ports, peers, peers_maybe in self.rules(policy, OUT):
                    bits = self.port_bits(ports, port, protocol)
                    if bits:
                        sure |= bits & peers
                        undecided |= bits & peers_maybe
            undecided &= ~sure
            if sure.bit_count() > half:
                base |= sources
                for target in iter_bits(self.all & ~sure):
                    excluded[target] = excluded.get(target, 0) | sources
            else:
                for target in iter_bits(sure):
                    included[target] = included.get(target, 0) | sources
            for target in iter_bits(undecided):
                maybe[target] = maybe.get(target, 0) | sources
        found = self._columns[key] = (base, excluded, included, maybe)
        return found

    def forget_columns(self) -> None:
        self._columns.clear()

    def egress_into(self, target: int, port: int, protocol: str) -> tuple[int, int]:
        base, excluded, included, maybe = self.columns(port, protocol)
        sure = (base & ~excluded.get(target, 0)) | included.get(target, 0)
        return sure, maybe.get(target, 0) & ~sure

    def ingress_from(self, target: int, port: int, protocol: str) -> tuple[int, int]:
        policies = self.isolating(self.classes[target].pod, IN)
        if not policies:
            return self.all, 0
        key = (tuple(id(p) for p in policies), port, protocol, self._named_of[target])
        found = self._ingress.get(key)
        if found is None:
            bit = 1 << target
            sure = maybe = 0
            for policy in policies:
                for ports, peers, peers_maybe in self.rules(policy, IN):
                    if self.port_bits(ports, port, protocol) & bit:
                        sure |= peers
                        maybe |= peers_maybe
            found = self._ingress[key] = (sure, maybe & ~sure)
        return found

    def vector(self, target: int, port: int, protocol: str, sources: int) -> tuple[int, int]:
        """(allowed, unknown) over the sources toward the target class on the port; the rest
        of `sources` is denied. The target's own bit is answered by `scalar` instead."""
        if self.none:
            return sources, 0
        egress, egress_maybe = self.egress_into(target, port, protocol)
        ingress, ingress_maybe = self.ingress_from(target, port, protocol)
        denied = (~(egress | egress_maybe) | ~(ingress | ingress_maybe)) & sources
        allowed = egress & ingress & sources
        return allowed, sources & ~(allowed | denied)

    def scalar(self, src: Pod, dst: Pod, port: int, protocol: str) -> bool | None:
        """One pod-to-pod verdict by the same rules (a class to itself: two different pods)."""
        if self.none:
            return True
        return combine((self._side(OUT, src, dst, dst, port, protocol), self._side(IN, dst, src, dst, port, protocol)))

    def _side(self, direction: Direction, subject: Pod, other: Pod, dst: Pod, port: int, protocol: str) -> bool | None:
        policies = self.isolating(subject, direction)
        if not policies:
            return True
        undecided = False
        for policy in policies:
            for rule in policy.ingress if direction is IN else policy.egress:
                if not self._port_matches(rule.ports, dst, port, protocol):
                    continue
                if not rule.peers:
                    return True
                states = [self.peers.state(peer_key(policy, peer), other) for peer in rule.peers]
                if any(state is True for state in states):
                    return True
                undecided = undecided or any(state is None for state in states)
        return None if undecided else False

    def _port_matches(self, ports: tuple[PolicyPort, ...], dst: Pod, port: int, protocol: str) -> bool:
        if not ports:
            return True
        for entry in ports:
            if entry.protocol != protocol:
                continue
            if entry.port is None:
                return True
            if isinstance(entry.port, str):
                if any(p.name == entry.port and p.protocol == protocol and p.container_port == port for p in dst.ports):
                    return True
            elif entry.end_port is not None and self.model is not DV2:
                if entry.port <= port <= entry.end_port:
                    return True
            elif entry.port == port:
                return True
        return False

    def egress_row(self, src: int, port: int, protocol: str) -> tuple[int, int]:
        """(sure, maybe) over destinations of the source's egress on the port."""
        key = self.view_of[src]
        if key is None:
            return self.all, 0
        cache_key = (key, port, protocol)
        found = self._rows.get(cache_key)
        if found is None:
            sure = maybe = 0
            for policy in self.views[key][0]:
                for ports, peers, peers_maybe in self.rules(policy, OUT):
                    bits = self.port_bits(ports, port, protocol)
                    if bits:
                        sure |= bits & peers
                        maybe |= bits & peers_maybe
            found = self._rows[cache_key] = (sure, maybe & ~sure)
        return found

    def verdict_by_row(self, src: int, dst: int, port: int, protocol: str) -> bool | None:
        """`verdict` from the source's egress row (no transposition: for a few sources)."""
        if src == dst or self.none:
            return self.verdict(src, dst, port, protocol)
        sure, maybe = self.egress_row(src, port, protocol)
        bit, own = 1 << dst, 1 << src
        egress = True if sure & bit else (None if maybe & bit else False)
        sure, maybe = self.ingress_from(dst, port, protocol)
        return combine((egress, True if sure & own else (None if maybe & own else False)))

    def may_be_unknown(self) -> bool:
        """Could any pod-to-pod verdict be unknown? Only through a namespaceSelector on a
        namespace whose labels were not read."""
        unread = [ns for ns in self.by_ns if ns not in self.peers.known]
        if not unread:
            return False
        policies = self.engine.snapshot.policies
        return any(peer.namespace_selector is not None for policy in policies
                   for rules in (policy.ingress, policy.egress) for rule in rules for peer in rule.peers)

    def verdict(self, src: int, dst: int, port: int, protocol: str) -> bool | None:
        """The flow's verdict between two classes, with the reference's representatives."""
        if src == dst:
            pods = self.classes[dst].pods
            return self.scalar(pods[0], pods[1] if len(pods) > 1 else pods[0], port, protocol)
        allowed, unknown = self.vector(dst, port, protocol, 1 << src)
        return True if allowed else (None if unknown else False)
