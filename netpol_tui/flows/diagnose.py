"""Why a group's observed disposition differs from the engine's (or why the engine cannot say).

Each diagnosis is `{"kind": ..., "text": ...}`; kinds, in the order they are tried:
enforcement-inactive, policy-changed, pod-not-in-snapshot, dataplane-semantics, policies-differ,
and not-explained (with what is needed to reproduce) when none of them applies. A group whose
record GKE does not write for the decision (egress an FQDNNetworkPolicy may decide) gets
fqdn-not-logged instead: it is not compared, so nothing else is looked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from netpol_tui import __version__
from netpol_tui.flows.compare import DISAGREES, NOT_LOGGED, UNKNOWN, FlowGroup, side_of
from netpol_tui.flows.join import NODE, Joined
from netpol_tui.flows.records import ALLOW, DENY, EGRESS, INGRESS, display_time, key_time
from netpol_tui.model.objects import CALICO_READY_LABEL
from netpol_tui.model.policy import IPBlock, NetworkPolicy
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.policy import Dataplane, PolicyEngine, parse_block, policy_name
from netpol_tui.policy.addresses import Address, ParsedBlock, try_parse_address
from netpol_tui.timestamps import parse_timestamp

ENFORCEMENT, POLICY_CHANGED, POD_MISSING = "enforcement-inactive", "policy-changed", "pod-not-in-snapshot"
DATAPLANE, POLICIES_DIFFER, NOT_EXPLAINED = "dataplane-semantics", "policies-differ", "not-explained"
CANNOT_EVALUATE = "cannot-evaluate"
FQDN_NOT_LOGGED = "fqdn-not-logged"
AGENT_COMMAND = "kubectl -n kube-system get pods -l k8s-app=cilium -o wide"


def _item(kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "text": text, **extra}


def deciding_policies(group: FlowGroup) -> set[str]:
    """Policies that decided the engine's answer on the side the record reports."""
    verdict = group.evaluation.shared_verdict
    if verdict is None:
        return set()
    sides = [side_of(verdict, group.direction)] if group.direction else [verdict.egress, verdict.ingress]
    names: set[str] = set()
    for side in sides:
        if side is None:
            continue
        if side.allowed:
            names.update(ref.policy for ref in side.allowed_by)
        else:
            names.update(side.isolating_policies)
    return names


class Diagnoser:
    def __init__(self, engine: PolicyEngine, snapshot: Snapshot) -> None:
        self.engine = engine
        self.snapshot = snapshot
        self._nodes = {node.name: node for node in snapshot.nodes}
        self._agents: set[str] | None = None
        self._policies = {policy.key: policy for policy in snapshot.policies}
        self._by_namespace: dict[str, list[NetworkPolicy]] = {}
        self._stamps: dict[str | None, datetime | None] = {}
        self._key_times: dict[str | None, datetime | None] = {}
        self._addresses: dict[str, Address | None] = {}
        self._blocks: dict[int, tuple[IPBlock, ParsedBlock | None]] = {}
        for policy in snapshot.policies:
            self._by_namespace.setdefault(policy.namespace, []).append(policy)

    def diagnose(self, group: FlowGroup) -> list[dict[str, Any]]:
        out: list[dict[str, Any]]
        if group.status == NOT_LOGGED:
            reason = group.evaluation.not_logged
            return [_item(FQDN_NOT_LOGGED, reason or "FQDNNetworkPolicy decisions are not logged")] + [
                _item(POD_MISSING, text) for text in self._missing(group)]
        if group.status == UNKNOWN:
            out = [_item(POD_MISSING, text) for text in self._missing(group)]
            out += [_item(CANNOT_EVALUATE, reason) for reason in group.evaluation.reasons]
            return out
        if group.status != DISAGREES:
            return []
        out = []
        out += [_item(ENFORCEMENT, text) for text in self._enforcement(group)]
        out += [_item(POLICY_CHANGED, text) for text in self._changed(group)]
        out += [_item(POD_MISSING, text) for text in self._missing(group)]
        out += [_item(DATAPLANE, text) for text in self._semantics(group)]
        out += [_item(POLICIES_DIFFER, text) for text in self._policies_differ(group)]
        if not out:
            out.append(self._not_explained(group))
        return out

    # ----------------------------------------------------------------- helpers

    def _subjects(self, group: FlowGroup) -> list[tuple[str, Joined, Joined]]:
        """(direction, the pod whose policy decides, the other end) for the side(s) the record reports."""
        src, dst = group.evaluation.src, group.evaluation.dst
        if group.direction == INGRESS:
            return [(INGRESS, dst, src)]
        if group.direction == EGRESS:
            return [(EGRESS, src, dst)]
        return [(EGRESS, src, dst), (INGRESS, dst, src)]

    def _first(self, group: FlowGroup) -> str:
        return display_time(group.first) or "an unknown time"

    def _enforcement(self, group: FlowGroup) -> list[str]:
        if not (group.observed == ALLOW and group.predicted == DENY):
            return []
        nodes = set(group.nodes)
        for _, subject, _ in self._subjects(group):
            if subject.pod is not None and subject.pod.node_name:
                nodes.add(subject.pod.node_name)
        cluster = self.snapshot.cluster
        out = []
        for name in sorted(nodes):
            node = self._nodes.get(name)
            if node is None:
                if self.snapshot.has(Kind.NODE):
                    out.append(f"node {name}, which logged it, is not in the snapshot (added since?): whether it "
                               "enforces NetworkPolicy is unknown")
                continue
            if cluster is not None and cluster.calico_enforcement and not node.calico_ready:
                out.append(f"enforcement is not active on node {name}, which logged it: it lacks "
                           f"{CALICO_READY_LABEL}=true, so it is still waiting to be recreated (see check GKE003)")
            elif self.engine.dataplane is Dataplane.DATAPLANE_V2:
                agents = self._agent_nodes()
                if agents and name not in agents:
                    out.append(f"no Dataplane V2 agent (anetd, k8s-app=cilium) runs on node {name}, which logged it, "
                               f"so policy is not enforced there; check with `{AGENT_COMMAND}`")
        return out

    def _stamp(self, text: str | None) -> datetime | None:
        """parse_timestamp, once per distinct text (objects share creation times; groups number 10^4-10^5)."""
        if text not in self._stamps:
            self._stamps[text] = parse_timestamp(text)
        return self._stamps[text]

    def _address(self, text: str) -> Address | None:
        """try_parse_address, once per distinct text (a group's other end recurs across groups)."""
        if text not in self._addresses:
            self._addresses[text] = try_parse_address(text)
        return self._addresses[text]

    def _block(self, ip_block: IPBlock) -> ParsedBlock | None:
        """parse_block, once per ipBlock object (None when it does not parse); kept with the object so
        its id stays its own."""
        entry = self._blocks.get(id(ip_block))
        if entry is None or entry[0] is not ip_block:
            try:
                parsed = parse_block(ip_block)
            except ValueError:
                parsed = None
            entry = self._blocks[id(ip_block)] = (ip_block, parsed)
        return entry[1]

    def _key_time(self, key: str | None) -> datetime | None:
        """key_time, kept for the group being diagnosed (several checks read its first record's time)."""
        if key not in self._key_times:
            if len(self._key_times) > 4:
                self._key_times.clear()
            self._key_times[key] = key_time(key)
        return self._key_times[key]

    def _agent_nodes(self) -> set[str]:
        if self._agents is None:
            self._agents = {pod.node_name for pod in self.snapshot.pods
                            if pod.namespace == "kube-system" and pod.labels.get("k8s-app") == "cilium"
                            and pod.is_live and pod.node_name}
        return self._agents

    def _changed(self, group: FlowGroup) -> list[str]:
        out = []
        first = self._key_time(group.first)
        last = self._key_time(group.last)
        namespaces = {subject.pod.namespace for _, subject, _ in self._subjects(group) if subject.pod is not None}
        if first is not None:
            for policy in (policy for namespace in sorted(namespaces) for policy in self._by_namespace.get(namespace, ())):
                created = self._stamp(policy.creation_timestamp)
                if created is not None and created > first:
                    out.append(f"policy {policy_name(policy)} was created at {policy.creation_timestamp}, after the "
                               f"first record ({self._first(group)}): the records predate it")
        logged = group.policies_logged or set()
        for name in sorted(logged):
            namespace, _, short = name.partition("/")
            if short and (namespace, short) not in self._policies and self.snapshot.has(Kind.NETWORK_POLICY):
                out.append(f"policy {name}, named by the log, is not in the snapshot: it was deleted or renamed "
                           "after the record")
        captured = self.snapshot.captured_at
        if last is not None and captured is not None and last > captured:
            out.append(f"the records run until {display_time(group.last)}, after the snapshot was taken "
                       f"({captured.isoformat()}): a policy may have changed since; take a new snapshot")
        return out

    def _missing(self, group: FlowGroup) -> list[str]:
        out = []
        captured = self.snapshot.captured_at.isoformat() if self.snapshot.captured_at else "unknown"
        first = self._key_time(group.first)
        for role, joined in (("source", group.evaluation.src), ("destination", group.evaluation.dst)):
            times = f"(record {self._first(group)}, snapshot {captured})"
            if joined.missing:
                out.append(f"{role}: {'; '.join(joined.notes)} {times}")
                continue
            pod = joined.pod
            if pod is not None and first is not None:
                created = self._stamp(pod.creation_timestamp)
                if created is not None and created > first:
                    out.append(f"{role}: pod {pod.namespace}/{pod.name} in the snapshot was created at "
                               f"{pod.creation_timestamp}, after the record: the record is about an earlier pod of "
                               f"that name {times}")
            if joined.notes and joined.kind != NODE and pod is not None:
                out.extend(f"{role}: {note} {times}" for note in joined.notes)
        return out

    def _semantics(self, group: FlowGroup) -> list[str]:
        out = []
        model = self.engine.dataplane
        cluster = self.snapshot.cluster
        # Records only come from Dataplane V2; say so when the model is another by default or by request
        # (a Calico cluster's own model is kept: its records are then unusual enough to speak for themselves).
        if model is not Dataplane.DATAPLANE_V2 and (cluster is None or cluster.is_dataplane_v2):
            out.append(f"the records come from Dataplane V2 (GKE policy logging or Hubble) but the engine evaluated "
                       f"under {model.title}: run again with --dataplane dataplane-v2")
        for role, joined in (("source", group.evaluation.src), ("destination", group.evaluation.dst)):
            if joined.pod is not None and joined.pod.host_network:
                out.append(f"the {role} {joined.pod.namespace}/{joined.pod.name} is a hostNetwork pod: NetworkPolicy "
                           "does not govern it in practice and its traffic carries the node's address")
        for direction, subject, other in self._subjects(group):
            if subject.pod is None:
                continue
            for policy in self.engine.isolating_policies(subject.pod, direction.capitalize()):
                out.extend(self._policy_semantics(policy, direction, group.port, group.protocol, other, model))
        return out

    def _policy_semantics(self, policy: NetworkPolicy, direction: str, port: int, protocol: str, other: Joined,
                          model: Dataplane) -> list[str]:
        out = []
        rules = policy.ingress if direction == INGRESS else policy.egress
        address = self._address(other.ip) if other.ip else None
        for index, rule in enumerate(rules):
            for entry in rule.ports:
                if isinstance(entry.port, int) and entry.end_port is not None and entry.protocol == protocol \
                        and entry.port < port <= entry.end_port:
                    out.append(f"policy {policy_name(policy)} {direction} rule {index} allows {protocol} "
                               f"{entry.port}-{entry.end_port} with endPort: Dataplane V2 ignores endPort and opens "
                               f"only port {entry.port}, Calico opens the range")
            if address is None or not (other.pod is not None or other.kind == NODE):
                continue
            for peer_index, peer in enumerate(rule.peers):
                if peer.ip_block is None:
                    continue
                block = self._block(peer.ip_block)
                if block is None:
                    continue
                try:
                    covers = block.contains(address)
                except ValueError:
                    continue
                if covers:
                    what = "node" if other.kind == NODE else "pod"
                    out.append(f"policy {policy_name(policy)} {direction} rule {index} peer {peer_index} is ipBlock "
                               f"{peer.ip_block.cidr}, which covers the {what} address {other.ip}: Dataplane V2 never "
                               "matches pod traffic with ipBlock, Calico does; node traffic differs by dataplane")
        return out

    def _policies_differ(self, group: FlowGroup) -> list[str]:
        logged = group.policies_logged
        if logged is None:
            return []
        deciding = deciding_policies(group)
        if logged == deciding:
            return []
        return [f"the log names {', '.join(sorted(logged)) or 'no policy'}, the engine's deciding policies are "
                f"{', '.join(sorted(deciding)) or 'none'}"]

    def _not_explained(self, group: FlowGroup) -> dict[str, Any]:
        conn = group.connections[0][0]
        file, line, index = conn.where
        where = f"{file}:{line}" if line is not None else f"{file} (record {index})"
        verdict = group.evaluation.verdict
        return _item(NOT_EXPLAINED, "not explained: please report it with the record, the snapshot and the "
                                    "explain output below", reproduce={
            "record": where, "snapshot_captured_at": self.snapshot.captured_at.isoformat(),
            "source": self.snapshot.source.description, "dataplane": str(self.engine.dataplane),
            "netpol_tui": __version__, "engine": verdict.to_dict() if verdict is not None else None})
