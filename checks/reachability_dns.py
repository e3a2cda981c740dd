"""DNS reachability from egress-isolated pods: NP004.

Which DNS the pods use (kube-dns, NodeLocal DNSCache or Cloud DNS) decides what egress must
allow; `checks/fqdn_dns.py` (GKE021) asks the same question for FQDN-isolated pods and uses
the DNS mode, its wording in a finding, the kube-dns pods and the allow-DNS peers from here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.manifests import ip_peer, namespace_peer
from netpol_tui.checks.model import Evidence, Severity, Subject
from netpol_tui.checks.reachability_common import _Blocked, _egress_manifest, _pods_evidence
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import NetworkPolicy, PolicyPort
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply
from netpol_tui.text import plural

CLOUD_DNS_ADDRESS = "169.254.169.254"
NODE_LOCAL_DNS_ADDRESS = "169.254.20.10"
NODE_LOCAL_DNS_LABEL = "addon.gke.io/node-local-dns-ds-ready"
KUBE_DNS_LABELS = {"k8s-app": "kube-dns"}
#: What DNS is here, per DNS mode, as NP004 and GKE021 name it in a finding.
DNS_TARGET_TEXT = {"cloud-dns": f"Cloud DNS at {CLOUD_DNS_ADDRESS}",
                   "node-local": f"NodeLocal DNSCache ({NODE_LOCAL_DNS_ADDRESS}) or the kube-dns pods",
                   "kube-dns": "the kube-dns pods (k8s-app=kube-dns in kube-system)"}


# ------------------------------------------------------------------ NP004


def _dns_mode(ctx: Context) -> str:
    cluster = ctx.snapshot.cluster
    if cluster is not None and (cluster.cluster_dns or "").upper() == "CLOUD_DNS":
        return "cloud-dns"
    if (cluster is not None and cluster.dns_cache_enabled) or any(
            node.labels.get(NODE_LOCAL_DNS_LABEL) == "true" for node in ctx.snapshot.nodes):
        return "node-local"
    return "kube-dns"


def _kube_dns_pods(ctx: Context) -> tuple[list[Pod], bool]:
    """Live kube-dns pods, or a stand-in (no IP) when the snapshot has none; second: stand-in used."""
    pods = [pod for pod in ctx.live_pods_by_namespace.get("kube-system", ())
            if all(pod.labels.get(k) == v for k, v in KUBE_DNS_LABELS.items())]
    if pods:
        return pods, False
    return [Pod(name="kube-dns", namespace="kube-system", labels=dict(KUBE_DNS_LABELS), phase="Running")], True


def _port_admits(entry: PolicyPort, port: int, protocol: str) -> bool:
    if entry.protocol != protocol:
        return False
    if entry.port is None or entry.port == port:
        return True
    return isinstance(entry.port, int) and entry.end_port is not None and entry.port <= port <= entry.end_port


def _ipblock_could_allow(policies: Sequence[NetworkPolicy], port: int, protocol: str) -> bool:
    """An egress rule with an ipBlock peer that admits the port: it may cover the unknown kube-dns IPs."""
    for policy in policies:
        for rule in policy.egress:
            if not any(peer.ip_block is not None for peer in rule.peers):
                continue
            if not rule.ports or any(_port_admits(entry, port, protocol) for entry in rule.ports):
                return True
    return False


def check_dns_egress_blocked(ctx: Context) -> Iterator[Hit]:
    """Egress-isolated pods cannot reach cluster DNS on port 53.

    Once a pod is egress-isolated, DNS must be allowed explicitly: to the kube-dns pods
    (`k8s-app=kube-dns` in kube-system), to 169.254.169.254 with Cloud DNS, or to the
    NodeLocal DNSCache address 169.254.20.10. Without it every name lookup times out. DNS
    falls back to TCP for large answers, so TCP 53 closed while UDP 53 is open is a warning.
    """
    dns = DnsQuestion(ctx)
    for namespace in sorted(ctx.live_pods_by_namespace):
        yield from dns.namespace_hits(namespace)


class DnsQuestion:
    """NP004 over one snapshot: what every namespace shares (the DNS mode, the kube-dns pods and
    their ingress side), then `namespace_hits` per namespace. A namespace's hits depend only on
    its own live pods and NetworkPolicies and on what is shared here (checks/incremental.py
    reuses them for an unchanged namespace), except through `unknown_because`, which collects the
    reasons of unknown verdicts across namespaces for the partial notes."""

    def __init__(self, ctx: Context) -> None:
        from netpol_tui.policy import Direction, Endpoint

        ctx.need(Kind.POD, Kind.NETWORK_POLICY)
        self.ctx = ctx
        self.engine = engine = ctx.need_engine()
        self.mode = _dns_mode(ctx)
        self.dns_pods, self.stand_in = _kube_dns_pods(ctx)
        self.dns_endpoints = [Endpoint.for_pod(pod) for pod in self.dns_pods]
        self.address_target = {"cloud-dns": CLOUD_DNS_ADDRESS, "node-local": NODE_LOCAL_DNS_ADDRESS}.get(self.mode)
        # The kube-dns side (ingress) depends on the source's labels, and with ipBlock peers on its IP;
        # when no policy isolates kube-dns ingress, only the source's egress policies matter.
        self.dns_isolated = any(engine.is_isolated(pod, Direction.INGRESS) for pod in self.dns_pods)
        self.kube_system_ipblocks = self.dns_isolated and any(
            peer.ip_block is not None for policy in ctx.policies_by_namespace.get("kube-system", ())
            for rule in policy.ingress for peer in rule.peers)
        self.unknown_because: list[str] = []

    def reach(self, pod: Pod, protocol: str) -> tuple[bool, list[str], list[str], bool]:
        """(allowed, reasons, notes, uncertain) for DNS on 53/protocol from pod; a verdict that is
        unknown (data not read) makes the answer uncertain, never a pass or a finding."""
        from netpol_tui.policy import Direction, Endpoint

        engine, mode, unknown_because = self.engine, self.mode, self.unknown_because
        reasons: list[str] = []
        notes: list[str] = []
        source = Endpoint.for_pod(pod)
        if self.address_target:
            verdict = engine.evaluate(source, Endpoint.for_address(self.address_target), 53, protocol)
            if verdict.allowed:
                return True, [], [n for n in verdict.notes if n not in engine.notes], False
            if verdict.allowed is None and mode == "cloud-dns":
                unknown_because.extend(r for r in verdict.unknown_because if r not in unknown_because)
                return False, [], [], True
            reasons.extend(verdict.egress.denied_because)
            if mode == "cloud-dns":
                return False, reasons, [n for n in verdict.notes if n not in engine.notes], False
        denied = 0
        undecided = False
        for endpoint in self.dns_endpoints:
            verdict = engine.evaluate(source, endpoint, 53, protocol)
            if verdict.allowed is None:
                undecided = True
                unknown_because.extend(r for r in verdict.unknown_because if r not in unknown_because)
                continue
            if not verdict.allowed:
                denied += 1
                side = verdict.egress if not verdict.egress.allowed else verdict.ingress
                reasons.extend(r for r in side.denied_because if r not in reasons)
                reasons.extend([side.summary] if not side.denied_because else [])
        if not denied:
            return not undecided, [], notes, undecided
        uncertain = self.stand_in and engine.dataplane.value != "dataplane-v2" and _ipblock_could_allow(
            engine.isolating_policies(pod, Direction.EGRESS), 53, protocol)
        if denied < len(self.dns_endpoints):
            reasons.insert(0, f"{denied} of {len(self.dns_endpoints)} kube-dns pods are denied")
        return False, reasons, notes, uncertain

    def namespace_hits(self, namespace: str) -> list[Hit]:
        from netpol_tui.policy import Direction

        ctx, engine = self.ctx, self.engine
        label_groups = ctx.isolated_groups(namespace, Direction.EGRESS)
        if not label_groups:
            return []
        results = {"UDP": _Blocked([], [], [], []), "TCP": _Blocked([], [], [], [])}
        groups: dict[tuple[Hashable, ...], list[Pod]] = {}
        for label_group in label_groups:
            first = label_group[0]
            base = (tuple(id(p) for p in engine.isolating_policies(first, Direction.EGRESS)), first.host_network,
                    frozenset(first.labels.items()) if self.dns_isolated else None)
            if self.kube_system_ipblocks:
                for pod in label_group:
                    groups.setdefault((*base, pod.ip), []).append(pod)
            else:
                groups.setdefault(base, []).extend(label_group)
        uncertain_pods = 0
        for members in groups.values():
            pod = members[0]
            udp_ok, reasons, notes, uncertain = self.reach(pod, "UDP")
            protocol = "UDP"
            if udp_ok:
                tcp_ok, reasons, notes, uncertain = self.reach(pod, "TCP")
                if tcp_ok:
                    continue
                protocol = "TCP"
            if uncertain:
                uncertain_pods += len(members)
                continue
            bucket = results[protocol]
            bucket.pods.extend(members)
            bucket.reasons.extend(r for r in reasons if r not in bucket.reasons)
            bucket.notes.extend(n for n in notes if n not in bucket.notes)
            bucket.policies.extend(p for p in engine.isolating_policies(pod, Direction.EGRESS)
                                   if p not in bucket.policies)
        unknown_because = self.unknown_because
        if uncertain_pods and unknown_because:
            ctx.partial(f"{plural(uncertain_pods, 'pod')} in namespace {namespace}: DNS reachability is unknown "
                        f"({'; '.join(unknown_because[:3])})")
        elif uncertain_pods:
            ctx.partial(f"{plural(uncertain_pods, 'pod')} in namespace {namespace}: the kube-dns pods are not in the "
                        "snapshot and an ipBlock egress rule may cover their IPs; add the kube-system pods")
        target_text = DNS_TARGET_TEXT[self.mode]
        return [_dns_hit(ctx, namespace, protocol, bucket, self.mode, target_text, self.stand_in)
                for protocol, bucket in results.items() if bucket.pods]


def _dns_peers(mode: str) -> list[dict[str, Any]]:
    kube_dns = namespace_peer("kube-system", KUBE_DNS_LABELS)
    if mode == "cloud-dns":
        return [ip_peer(f"{CLOUD_DNS_ADDRESS}/32")]
    if mode == "node-local":
        return [ip_peer(f"{NODE_LOCAL_DNS_ADDRESS}/32"), kube_dns]
    return [kube_dns]


def _dns_hit(ctx: Context, namespace: str, protocol: str, blocked: _Blocked, mode: str, target_text: str,
             stand_in: bool) -> Hit:
    ports = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    manifest = _egress_manifest("allow-dns", namespace, blocked, _dns_peers(mode), ports)
    evidence = _pods_evidence(blocked, f"egress to {target_text} on UDP and TCP 53 allowed")
    evidence.insert(0, Evidence("DNS", target_text))
    if stand_in and mode != "cloud-dns":
        evidence.append(Evidence("kube-dns pods", "not in the snapshot; judged by their labels k8s-app=kube-dns"))
    if protocol == "UDP":
        message = (f"{plural(len(blocked.pods), 'egress-isolated pod')} in namespace {namespace} cannot reach DNS "
                   f"({target_text}) on UDP 53: name lookups fail.")
        severity = Severity.ERROR
    else:
        message = (f"{plural(len(blocked.pods), 'egress-isolated pod')} in namespace {namespace} reach DNS on UDP 53 "
                   "but not on TCP 53: large DNS answers fail.")
        severity = Severity.WARNING
    cmds, placeholders = commands(
        (apply(manifest), "allow DNS on UDP and TCP 53 for exactly the pods the "
                                                      "existing egress policies isolate"))
    return Hit(Subject("Namespace", namespace, namespace), message, tuple(evidence), cmds, manifest, placeholders,
               severity=severity, notes=tuple(blocked.notes),
               origin=ctx.namespaces[namespace].origin if namespace in ctx.namespaces else None)
