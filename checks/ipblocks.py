"""Policy fields whose meaning depends on the dataplane: GKE009-GKE012 (gke-facts 2, 6, 7)."""

from __future__ import annotations

import ipaddress
from collections.abc import Hashable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from netpol_tui.checks.addresses import Network, address_exclude, subnet_of
from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.gke_common import need_datapath
from netpol_tui.checks.manifests import (
    dump,
    identifying_labels,
    policy_dict,
)
from netpol_tui.checks.model import Evidence, Severity, Subject
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import IPBlock, LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import ShellCommand, apply, kubectl, objects
from netpol_tui.text import listed

INTERNET = ("0.0.0.0/0", "::/0")
POD_RANGE_PLACEHOLDER = "POD_IP_RANGE"
MAX_EXPANDED_PORTS = 64


def _net(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _sections(policy: NetworkPolicy, enforced_only: bool = True) -> Iterator[tuple[str, str, tuple[PolicyRule, ...]]]:
    """(direction, field, rules) for each section, only those policyTypes enforce by default."""
    if policy.ingress and (policy.affects_ingress or not enforced_only):
        yield "Ingress", "ingress", policy.ingress
    if policy.egress and (policy.affects_egress or not enforced_only):
        yield "Egress", "egress", policy.egress


def _peer_key(direction: str) -> str:
    return "from" if direction == "Ingress" else "to"


def _blocks(policy: NetworkPolicy, enforced_only: bool = True) -> Iterator[tuple[str, str, int, int, IPBlock]]:
    """(direction, evidence path, rule index, peer index, block) for every ipBlock peer."""
    for direction, field, rules in _sections(policy, enforced_only):
        for i, rule in enumerate(rules):
            for j, peer in enumerate(rule.peers):
                if peer.ip_block is not None:
                    yield direction, f"spec.{field}[{i}].{_peer_key(direction)}[{j}].ipBlock", i, j, peer.ip_block


@lru_cache(maxsize=4096)
def _remaining(block: IPBlock) -> tuple[Network, ...]:
    """The addresses an ipBlock matches: its CIDR minus its excepts, as networks."""
    net = _net(block.cidr)
    if net is None:
        return ()
    parts = [net]
    for text in block.excepts:
        hole = _net(text)
        if hole is None:
            continue
        next_parts: list[Network] = []
        for part in parts:
            if hole.version != part.version or not part.overlaps(hole):
                next_parts.append(part)
            elif subnet_of(part, hole):
                continue
            else:
                next_parts.extend(address_exclude(part, hole))
        parts = next_parts
    return tuple(parts)


def _pods_in(ctx: Context, parts: tuple[Network, ...]) -> list[Pod]:
    out = []
    seen: set[int] = set()
    for address, pod in ctx.pod_addresses:
        if id(pod) not in seen and any(address.version == part.version and address in part for part in parts):
            seen.add(id(pod))
            out.append(pod)
    return sorted(out, key=lambda p: (p.namespace, p.name))


def _rules_of(policy: NetworkPolicy, direction: str) -> list[PolicyRule]:
    return list(policy.ingress if direction == "Ingress" else policy.egress)


def _policy_dict_from(policy: NetworkPolicy, ingress: list[PolicyRule], egress: list[PolicyRule]) -> dict[str, Any]:
    return policy_dict(policy, ingress=ingress, egress=egress)


def _edit_command(policy: NetworkPolicy) -> ShellCommand:
    return kubectl("edit", *objects("networkpolicy", policy.name), namespace=policy.namespace)


def _subject(policy: NetworkPolicy) -> Subject:
    return Subject("NetworkPolicy", policy.namespace, policy.name)


def _selector_peers(pods: list[Pod], policy_namespace: str) -> list[PolicyPeer]:
    """Selector peers naming the pods' workloads, one per (namespace, identifying labels)."""
    peers: list[PolicyPeer] = []
    seen: set[tuple[Hashable, ...]] = set()
    for pod in pods:
        labels = identifying_labels(pod.labels)
        key = (pod.namespace, tuple(sorted(labels.items())))
        if key in seen:
            continue
        seen.add(key)
        namespace = None if pod.namespace == policy_namespace else LabelSelector(
            {"kubernetes.io/metadata.name": pod.namespace})
        peers.append(PolicyPeer(pod_selector=LabelSelector(labels), namespace_selector=namespace))
    return peers


# ------------------------------------------------------------------ GKE009


def check_endport_ignored(ctx: Context) -> Iterator[Hit]:
    """A policy port uses `endPort`, which Dataplane V2 on GKE 1.22 and later ignores.

    GKE Dataplane V2 honours only `port`: a rule written for ports 8000-8100 opens 8000 alone,
    so traffic to the rest of the range is denied even though the policy seems to allow it.
    """
    cluster = need_datapath(ctx)
    if not cluster.is_dataplane_v2:
        return
    version = ctx.need_version()
    if version.minor_version < (1, 22):
        return
    ctx.need(Kind.NETWORK_POLICY)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence = []
        ingress, egress = list(policy.ingress), list(policy.egress)
        expandable = True
        for direction, field, rules in _sections(policy, enforced_only=False):
            target = ingress if direction == "Ingress" else egress
            for i, rule in enumerate(rules):
                ports: list[PolicyPort] = []
                changed = False
                for k, port in enumerate(rule.ports):
                    if port.end_port is None or not isinstance(port.port, int):
                        ports.append(port)
                        continue
                    changed = True
                    evidence.append(Evidence(f"spec.{field}[{i}].ports[{k}]",
                                             f"{port.protocol} {port.port}-{port.end_port} written "
                                             f"(port {port.port}, endPort {port.end_port})",
                                             f"only {port.protocol} {port.port} is open on Dataplane V2"))
                    count = port.end_port - port.port + 1
                    if count > MAX_EXPANDED_PORTS:
                        expandable = False
                    else:
                        ports.extend(PolicyPort(port.protocol, number) for number in range(port.port, port.end_port + 1))
                if changed:
                    target[i] = replace(rule, ports=tuple(ports))
        if not evidence:
            continue
        manifest = dump([_policy_dict_from(policy, ingress, egress)]) if expandable else None
        if manifest:
            cmds, placeholders = commands((apply(manifest), "the same policy with every port of each range listed "
                                                  "separately (Dataplane V2 honours single ports)"))
        else:
            cmds, placeholders = commands((_edit_command(policy), "list the ports the workload needs one by one; "
                                                                  "the ranges are too wide to expand here"))
        ranges = "; ".join(e.observed.split(" written")[0] for e in evidence)
        yield Hit(_subject(policy),
                  f"Policy {policy.namespace}/{policy.name} uses endPort ({ranges}), which Dataplane V2 ignores on "
                  f"GKE {version}: only the first port of each range is open.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ GKE010


def check_ipblock_matches_pods(ctx: Context) -> Iterator[Hit]:
    """An ipBlock meant for outside addresses also matches pod traffic under Calico.

    Calico matches pod IPs against ipBlock rules, so a wide block such as 10.0.0.0/8 or
    0.0.0.0/0 also allows (or, in an except, denies) pods. To mean "outside the cluster only",
    GKE documents `cidr: 0.0.0.0/0` with the cluster's pod range listed in `except`.
    """
    ctx.need(Kind.NETWORK_POLICY)
    if ctx.dataplane not in ("calico", "kubernetes"):
        return
    ranges = ctx.pod_ranges
    if not ranges:
        ctx.need(Kind.POD)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence = []
        rules = {"Ingress": _rules_of(policy, "Ingress"), "Egress": _rules_of(policy, "Egress")}
        placeholders: tuple[str, ...] = ()
        for direction, path, i, j, block in _blocks(policy):
            net = _net(block.cidr)
            if net is None:
                continue
            remaining = _remaining(block)
            if ranges:
                hits = [r for r in ranges if r.version == net.version and subnet_of(r, net) and r != net
                        and any(part.overlaps(r) for part in remaining)]
                if not hits:
                    continue
                observed = (f"cidr {block.cidr}" + (f" except {', '.join(block.excepts)}" if block.excepts else "")
                            + f" contains the pod range {', '.join(map(str, hits))}")
                new_excepts = [e for e in block.excepts
                               if not any((_n := _net(e)) is not None and subnet_of(_n, r) for r in hits)]
                new_excepts += [str(r) for r in hits]
            else:
                pods = _pods_in(ctx, remaining)
                if not pods or (net.num_addresses == 1 and pods):
                    continue
                names = [f"{p.namespace}/{p.name}" for p in pods]
                observed = f"cidr {block.cidr} matches pod IPs of {len(pods)} pods: {listed(names, 8)}"
                new_excepts = [*block.excepts, POD_RANGE_PLACEHOLDER]
                placeholders = (POD_RANGE_PLACEHOLDER,)
            evidence.append(Evidence(path, observed, "except: [the pod range] so only non-pod traffic matches"))
            rule = rules[direction][i]
            peers = list(rule.peers)
            peers[j] = PolicyPeer(ip_block=IPBlock(block.cidr, tuple(new_excepts)))
            rules[direction][i] = replace(rule, peers=tuple(peers))
        if not evidence:
            continue
        manifest = dump([_policy_dict_from(policy, rules["Ingress"], rules["Egress"])])
        cmds, _ = commands((apply(manifest), "the same policy with the pod range excluded from each ipBlock"))
        where = "the pod range" if ranges else "pod IPs"
        yield Hit(_subject(policy),
                  f"Policy {policy.namespace}/{policy.name} has an ipBlock that also matches {where} under "
                  f"{'Calico' if ctx.dataplane == 'calico' else 'the Kubernetes semantics'}, so pod traffic is "
                  "matched by a rule meant for outside addresses.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ GKE011


def check_ipblock_ignores_pods(ctx: Context) -> Iterator[Hit]:
    """An ipBlock covers pod IPs on Dataplane V2, where ipBlock never matches pod traffic.

    GKE Dataplane V2 matches ipBlock rules only against traffic from or to outside the
    cluster's pods; a block covering pod IPs (other than the documented 0.0.0.0/0 internet
    rule) looks like it allows pods but allows none. Pods must be selected by labels.
    """
    ctx.need(Kind.NETWORK_POLICY)
    if ctx.dataplane != "dataplane-v2":
        return
    ranges = ctx.pod_ranges
    if not ranges:
        ctx.need(Kind.POD)
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence = []
        rules = {"Ingress": _rules_of(policy, "Ingress"), "Egress": _rules_of(policy, "Egress")}
        suggestions = 0
        for direction, path, i, _j, block in _blocks(policy):
            if block.cidr.strip() in INTERNET:
                continue
            remaining = _remaining(block)
            overlap = [str(r) for r in ranges if any(part.version == r.version and part.overlaps(r)
                                                     for part in remaining)]
            pods = _pods_in(ctx, remaining)
            if not overlap and not pods:
                continue
            covers_all = bool(ranges) and all(any(subnet_of(r, part) for part in remaining if part.version == r.version)
                                              for r in ranges)
            observed = f"cidr {block.cidr}"
            if overlap:
                observed += f" overlaps the pod range {', '.join(overlap)}"
            if pods:
                observed += f"; covers {len(pods)} pod IPs ({listed([f'{p.namespace}/{p.name}' for p in pods], 6)})"
            evidence.append(Evidence(path, observed, "pods selected with podSelector/namespaceSelector"))
            if covers_all:
                new_peers = [PolicyPeer(namespace_selector=LabelSelector())]
            else:
                new_peers = _selector_peers(pods, policy.namespace)
            if new_peers:
                rule = rules[direction][i]
                rules[direction][i] = replace(rule, peers=(*rule.peers, *(p for p in new_peers if p not in rule.peers)))
                suggestions += 1
        if not evidence:
            continue
        manifest = dump([_policy_dict_from(policy, rules["Ingress"], rules["Egress"])]) if suggestions else None
        if manifest:
            cmds, placeholders = commands((apply(manifest), "the same policy with selector peers beside each ipBlock for "
                                                  "the pods it was meant to cover"))
        else:
            cmds, placeholders = commands((_edit_command(policy), "add podSelector/namespaceSelector peers for "
                                                                  "the pods the ipBlock was meant to cover"))
        yield Hit(_subject(policy),
                  f"Policy {policy.namespace}/{policy.name} uses an ipBlock covering pod IPs, which never matches pod "
                  "traffic on Dataplane V2; select those pods by labels instead.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ GKE012


def check_dataplane_v2_incompatible(ctx: Context) -> Iterator[Hit]:
    """A policy uses what Dataplane V2 does not support: ipBlock on pod or Service IPs, or a protocol-only port.

    GKE Dataplane V2 rejects `ipBlock.cidr` pointing at Pod or Service IPs (such as
    10.8.0.6/32) and port entries that give a protocol without a port. On Calico they work, but
    block a migration to Dataplane V2; on Dataplane V2 they do not do what they say.
    """
    ctx.need(Kind.NETWORK_POLICY)
    dpv2 = ctx.dataplane == "dataplane-v2"
    pod_ranges, service_ranges = ctx.pod_ranges, ctx.service_ranges
    if not pod_ranges:
        ctx.need(Kind.POD)
    services = ctx.service_addresses
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence = []
        rules = {"Ingress": _rules_of(policy, "Ingress"), "Egress": _rules_of(policy, "Egress")}
        replaced = 0
        ports_only = False
        for direction, path, i, j, block in _blocks(policy, enforced_only=False):
            net = _net(block.cidr)
            if net is None:
                continue
            single = str(net.network_address) if net.num_addresses == 1 else None
            where = None
            targets: list[Pod] = []
            service = services.get(single) if single else None
            if any(r.version == net.version and subnet_of(net, r) for r in pod_ranges):
                where = "inside the pod range " + ", ".join(str(r) for r in pod_ranges if r.version == net.version)
                targets = _pods_in(ctx, _remaining(block))
            elif any(r.version == net.version and subnet_of(net, r) for r in service_ranges):
                where = "inside the Service range " + ", ".join(str(r) for r in service_ranges)
            elif single and (pod := ctx.live_pod_by_ip(single)) is not None:
                where, targets = f"the IP of pod {pod.namespace}/{pod.name}", [pod]
            elif service is not None:
                where = f"the ClusterIP of Service {service.namespace}/{service.name}"
            if where is None:
                continue
            evidence.append(Evidence(path, f"cidr {block.cidr} is {where}", "pods selected by labels"))
            new_peers: list[PolicyPeer] = []
            if targets:
                new_peers = _selector_peers(targets, policy.namespace)
            elif service is not None and service.selector:
                ns = None if service.namespace == policy.namespace else LabelSelector(
                    {"kubernetes.io/metadata.name": service.namespace})
                new_peers = [PolicyPeer(pod_selector=LabelSelector(dict(service.selector)), namespace_selector=ns)]
            if new_peers:
                rule = rules[direction][i]
                peers = list(rule.peers)
                peers[j:j + 1] = new_peers
                rules[direction][i] = replace(rule, peers=tuple(peers))
                replaced += 1
        for _direction, field, section in _sections(policy, enforced_only=False):
            for i, rule in enumerate(section):
                for k, port in enumerate(rule.ports):
                    if port.port is None:
                        ports_only = True
                        evidence.append(Evidence(f"spec.{field}[{i}].ports[{k}]",
                                                 f"protocol {port.protocol} without a port", "a port number"))
        if not evidence:
            continue
        items: list[tuple[ShellCommand, str]] = []
        manifest = None
        if replaced:
            manifest = dump([_policy_dict_from(policy, rules["Ingress"], rules["Egress"])])
            items.append((apply(manifest), "the same policy with the pod/Service ipBlocks replaced by label selectors"))
        if ports_only or not replaced:
            items.append((_edit_command(policy), "give each port entry a port (list the ports the workload needs)"
                          if ports_only else "select the pods by labels instead of their IPs"))
        cmds, placeholders = commands(*items)
        what = "is not supported on Dataplane V2" if dpv2 else "blocks a migration to Dataplane V2"
        yield Hit(_subject(policy),
                  f"Policy {policy.namespace}/{policy.name} uses {'; '.join(_kinds(evidence))}, which {what}.",
                  tuple(evidence), cmds, manifest, placeholders,
                  severity=Severity.WARNING if dpv2 else Severity.INFO, origin=policy.origin)


def _kinds(evidence: list[Evidence]) -> list[str]:
    out = []
    if any("ipBlock" in e.path for e in evidence):
        out.append("ipBlock on pod or Service IPs")
    if any(".ports[" in e.path for e in evidence):
        out.append("a port entry with a protocol but no port")
    return out

