"""Cilium policy checks: GKE025 (not enforced off Dataplane V2) and GKE026 (a deny shadows an allow).

GKE enforces CiliumClusterwideNetworkPolicy only on Dataplane V2 clusters (page "Control
cluster-wide communication using network policies": "To implement CCNP, enable GKE Dataplane
V2"); its rules act as a top layer that overrides conflicting namespace-level policies, and a
deny rule wins over every allow. GKE026 asks the engine's own Cilium rule matching, so a finding
and `netpol-tui explain` for the same traffic agree.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.gke_common import need_datapath, need_listed
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.checks.shell import gcloud, kubectl, objects
from netpol_tui.model.gke_policy import CiliumPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import NetworkPolicy, PolicyRule
from netpol_tui.model.snapshot import Kind
from netpol_tui.text import listed, plural

CCNP_RESOURCE = "ciliumclusterwidenetworkpolicies.cilium.io"
CNP_RESOURCE = "ciliumnetworkpolicies.cilium.io"
#: Evaluations GKE026 spends on one NetworkPolicy rule before it calls the rule undecided.
MAX_PROBES_PER_RULE = 400
#: A port no service uses, probed for rules without ports: a deny limited to some ports leaves it open.
CANARY_PORT = 1


def need_cilium_policies(ctx: Context) -> tuple[CiliumPolicy, ...]:
    """The Cilium policies; unknown when listing them failed. An absent CRD means none."""
    need_listed(ctx, Kind.CILIUM_POLICY, "Cilium policies", CCNP_RESOURCE)
    return ctx.snapshot.cilium_policies


def _resource(policy: CiliumPolicy) -> str:
    return CCNP_RESOURCE if policy.namespace is None else CNP_RESOURCE


# ------------------------------------------------------------------ GKE025


def check_cilium_not_enforced(ctx: Context) -> Iterator[Hit]:
    """CiliumClusterwideNetworkPolicy or CiliumNetworkPolicy objects exist on a cluster without Dataplane V2.

    GKE enforces Cilium cluster-wide policies only with GKE Dataplane V2 (page "Control
    cluster-wide communication using network policies"). Calico, which enforces NetworkPolicy
    on the legacy datapath, ignores the cilium.io kinds: their rules, deny rules included, do
    nothing there. Rewrite what they must enforce as NetworkPolicy.
    """
    policies = need_cilium_policies(ctx)
    if not policies:
        return
    cluster = need_datapath(ctx)
    if cluster.is_dataplane_v2:
        return
    identity = ctx.identity
    enforcer = "Calico" if cluster.calico_enforcement else "no policy enforcement"
    ordered = sorted(policies, key=lambda p: (p.namespace or "", p.name))
    steps = [(gcloud(("container", "clusters", "describe"), identity.name,
                     ("--format=value(networkConfig.datapathProvider)", *identity.flag_args), identity.placeholders),
              "confirm the datapath (ADVANCED_DATAPATH is Dataplane V2)")]
    for policy in ordered[:5]:
        steps.append((kubectl("get", *objects(_resource(policy), policy.name), "-o", "yaml",
                              namespace=policy.namespace),
                      f"review {policy.label} and express its rules as NetworkPolicy"))
    cmds, placeholders = commands(*steps)
    labels = [policy.label for policy in ordered]
    yield Hit(Subject("Cluster", None, identity.name),
              f"{plural(len(policies), 'Cilium policy', 'Cilium policies')} "
              f"{'exists' if len(policies) == 1 else 'exist'}, but cluster {identity.name} "
              f"runs {enforcer}, not Dataplane V2: GKE does not enforce them.",
              (Evidence("cluster.networkConfig.datapathProvider", cluster.datapath_provider or "unset (legacy)",
                        "ADVANCED_DATAPATH"),
               Evidence("Cilium policies", f"{len(labels)}: {listed(labels)}")),
              cmds, placeholders=placeholders, origin=cluster.origin)


# ------------------------------------------------------------------ GKE026


@dataclass(frozen=True, slots=True)
class _Probe:
    """One piece of traffic a NetworkPolicy rule allows: the subject pod (the policy's), the other
    side (a pod or an address), the port."""

    subject: Pod
    other_pod: Pod | None
    other_ip: str | None
    port: int
    protocol: str


def _groups(pods: list[Pod]) -> list[Pod]:
    """One representative per (namespace, labels, ports): Cilium selectors see nothing else."""
    seen: dict[tuple[Hashable, ...], Pod] = {}
    for pod in pods:
        if pod.host_network:
            continue
        seen.setdefault((pod.namespace, frozenset(pod.labels.items()), pod.ports), pod)
    return list(seen.values())


def _rule_others(ctx: Context, policy: NetworkPolicy, rule: PolicyRule) -> tuple[list[Pod], list[str]]:
    """The pods and addresses the rule's peers match (no peers: every live pod and one outside address)."""
    engine = ctx.need_engine()
    if not rule.peers:
        return _groups(list(ctx.live_pods)), ["203.0.113.10"]
    pods: list[Pod] = []
    addresses: list[str] = []
    for peer in rule.peers:
        if peer.ip_block is not None:
            addresses.extend(_block_probes(ctx, peer.ip_block.cidr, peer.ip_block.excepts))
            continue
        pods.extend(pod for pod in engine.peer_matches(policy, peer) if pod.is_live)
    return _groups(pods), addresses


#: (the snapshot's Cilium policies, the CIDRs their deny rules name): asked once per ipBlock peer.
_deny_cidrs_seen: list[tuple[object, tuple[str, ...]]] = []


def _deny_cidrs(ctx: Context) -> tuple[str, ...]:
    """Every CIDR (and except) the Cilium deny rules name: where their verdicts can change."""
    policies = ctx.snapshot.cilium_policies
    if _deny_cidrs_seen and _deny_cidrs_seen[0][0] is policies:
        return _deny_cidrs_seen[0][1]
    found: list[str] = []
    for policy in policies:
        for rules in policy.rules:
            for rule in (*rules.ingress_deny, *rules.egress_deny):
                for cidr, excepts in rule.cidrs:
                    found += [cidr, *excepts]
    _deny_cidrs_seen[:] = [(policies, tuple(dict.fromkeys(found)))]
    return _deny_cidrs_seen[0][1]


def _block_probes(ctx: Context, cidr: str, excepts: tuple[str, ...]) -> list[str]:
    """One address of each stretch of the ipBlock (outside its excepts) on which every deny CIDR
    either holds or not: a deny of part of the block leaves the rest allowed, so one probe
    address for the whole block could call an allow shadowed that is not."""
    network = ipaddress.ip_network(cidr, strict=False)
    low, high = int(network.network_address), int(network.broadcast_address)
    cuts = {low, high + 1}
    holes = []
    for text in (*excepts, *_deny_cidrs(ctx)):
        try:
            other = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if other.version != network.version:
            continue
        start, end = int(other.network_address), int(other.broadcast_address) + 1
        cuts.update(edge for edge in (start, end) if low < edge <= high)
        if text in excepts:
            holes.append((start, end))
    edges = sorted(cuts)
    probes = []
    for start, end in zip(edges, edges[1:], strict=False):
        if any(hole_start <= start < hole_end for hole_start, hole_end in holes):
            continue
        # the block's own network address only when the stretch holds nothing else
        address = start + 1 if start == low and end - start > 2 else start
        probes.append(str(ipaddress.ip_address(address)))
    return probes


def _rule_ports(rule: PolicyRule, target: Pod | None) -> list[tuple[int, str]] | None:
    """(port, protocol) the rule opens toward target; None when a named port does not resolve."""
    if not rule.ports:
        declared = [(p.container_port, p.protocol) for p in (target.ports if target else ()) if p.container_port]
        # no ports: every port of every protocol is allowed, so a deny of TCP alone leaves UDP/SCTP open
        return [*dict.fromkeys(declared), *((CANARY_PORT, protocol) for protocol in ("TCP", "UDP", "SCTP"))]
    out: list[tuple[int, str]] = []
    for entry in rule.ports:
        if entry.port is None:
            out.append((CANARY_PORT, entry.protocol))
        elif isinstance(entry.port, int):
            out.append((entry.port, entry.protocol))
            if entry.end_port:
                out.append((entry.end_port, entry.protocol))
        else:
            resolved = [p.container_port for p in (target.ports if target else ())
                        if p.name == entry.port and p.protocol == entry.protocol]
            out.extend((port, entry.protocol) for port in resolved)
    return out


def _deny_for(ctx: Context, probe: _Probe, egress: bool) -> tuple[CiliumPolicy, object] | None:
    """The Cilium policy and the first of its deny rules that drop the probe (a `KindRuleRef`:
    kind, namespace, name, section, rule index; `egressDeny[0] of CCNP lockdown` as text), or None."""
    from netpol_tui.policy import Direction, Endpoint

    engine = ctx.need_engine()
    other = Endpoint.for_pod(probe.other_pod) if probe.other_pod else Endpoint.for_address(probe.other_ip or "")
    direction = Direction.EGRESS if egress else Direction.INGRESS
    for policy in ctx.snapshot.cilium_policies:
        refs = engine.cilium_deny_rules(policy, probe.subject, other, probe.port, probe.protocol, direction)
        if refs:
            return policy, refs[0]
    return None


def _shadowed(ctx: Context, policy: NetworkPolicy, rule: PolicyRule, egress: bool,
              subjects: list[Pod]) -> tuple[list[tuple[CiliumPolicy, object]], int] | None:
    """((policy, deny rule reference), ...) and the number of probes when every probe of the rule
    is denied; None when one is not."""
    others, addresses = _rule_others(ctx, policy, rule)
    probes: list[_Probe] = []
    for subject in subjects:
        for other in others:
            ports = _rule_ports(rule, other if egress else subject)
            probes.extend(_Probe(subject, other, None, port, proto) for port, proto in ports or ())
        for address in addresses:
            ports = _rule_ports(rule, None if egress else subject)
            probes.extend(_Probe(subject, None, address, port, proto) for port, proto in ports or ())
    if not probes:
        return None
    if len(probes) > MAX_PROBES_PER_RULE:
        ctx.partial(f"{policy.namespace}/{policy.name}: too many pod pairs to decide whether deny rules shadow "
                    f"its rules ({len(probes)} > {MAX_PROBES_PER_RULE})")
        return None
    denies: list[tuple[CiliumPolicy, object]] = []
    for probe in probes:
        deny = _deny_for(ctx, probe, egress)
        if deny is None:
            return None
        if deny not in denies:
            denies.append(deny)
    return denies, len(probes)


def check_ccnp_deny_shadows_allow(ctx: Context) -> Iterator[Hit]:
    """A NetworkPolicy allow rule that a Cilium deny rule always overrides: the allow never applies.

    On Dataplane V2 a CiliumClusterwideNetworkPolicy (or CiliumNetworkPolicy) `ingressDeny` /
    `egressDeny` rule takes precedence over every allow, and GKE describes cluster-wide rules as
    overriding the namespace-level ones. When every pod, address and port a NetworkPolicy rule
    allows is also denied by such a rule, the allow is dead: whoever wrote it believes traffic
    flows that never does. Either narrow the deny rule or delete the allow.
    """
    from netpol_tui.policy import Direction

    policies = need_cilium_policies(ctx)
    if not any(rule_set.ingress_deny or rule_set.egress_deny for policy in policies for rule_set in policy.rules):
        return
    ctx.need(Kind.POD, Kind.NETWORK_POLICY)
    engine = ctx.need_engine()
    if str(engine.dataplane) != "dataplane-v2":
        return  # off Dataplane V2 nothing enforces the deny rules (GKE025)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        subjects = _groups([pod for pod in engine.pods_selected_by(policy, live_only=True)])
        if not subjects:
            continue
        for direction, rules in ((Direction.INGRESS, policy.ingress), (Direction.EGRESS, policy.egress)):
            if str(direction) not in policy.policy_types:
                continue
            for index, rule in enumerate(rules):
                result = _shadowed(ctx, policy, rule, direction is Direction.EGRESS, subjects)
                if result is None:
                    continue
                yield _shadow_hit(policy, direction.word, index, *result)


def _shadow_hit(policy: NetworkPolicy, direction: str, index: int, denies: list[tuple[CiliumPolicy, object]],
                probes: int) -> Hit:
    section = "ingress" if direction == "ingress" else "egress"
    deny_policy, deny_ref = denies[0]
    cmds, placeholders = commands(
        (kubectl("get", *objects(_resource(deny_policy), deny_policy.name), "-o", "yaml",
                 namespace=deny_policy.namespace),
         "review the deny rule: narrow it if the allow is meant, or delete the allow"),
        (kubectl("get", *objects("networkpolicy", policy.name), "-o", "yaml", namespace=policy.namespace),
         "the NetworkPolicy whose rule never applies"))
    return Hit(Subject("NetworkPolicy", policy.namespace, policy.name),
               f"{section}[{index}] of NetworkPolicy {policy.namespace}/{policy.name} never applies: "
               f"{deny_ref} denies everything it allows, and deny rules take precedence over every allow.",
               (Evidence(f"NetworkPolicy {policy.namespace}/{policy.name} spec.{section}[{index}]",
                         f"allows {plural(probes, 'pod/port combination')} (checked one pod per label set)",
                         "at least one not denied"),
                *(Evidence("denied by", str(ref)) for _, ref in denies[:4])),
               cmds, placeholders=placeholders, origin=policy.origin)
