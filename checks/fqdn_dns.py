"""FQDNNetworkPolicy and DNS: GKE021 (DNS blocked for FQDN-isolated pods), GKE022 (custom DNS server).

An FQDN policy allows names, so the pods it isolates must resolve them through GKE's own
kube-dns or Cloud DNS (gke-facts section 13). GKE021 asks the verdict engine, with the DNS mode
and targets NP004 uses (`checks/reachability_dns.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.fqdn_common import _list_command, _policy_names, need_fqdn_policies
from netpol_tui.checks.manifests import allow_policies, selector_dict
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.checks.reachability_dns import (
    CLOUD_DNS_ADDRESS,
    DNS_TARGET_TEXT,
    NODE_LOCAL_DNS_ADDRESS,
    _dns_mode,
    _dns_peers,
    _kube_dns_pods,
)
from netpol_tui.model.gke_policy import FqdnNetworkPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import LabelSelector
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply, kubectl, objects
from netpol_tui.text import listed, plural

ADDON_MANAGER_LABEL = "addonmanager.kubernetes.io/mode"
#: `k8s-app` values of DNS servers: GKE's own kube-dns, or a CoreDNS someone deployed.
DNS_APPS = frozenset({"kube-dns", "coredns"})


# ------------------------------------------------------------------ GKE021


def fqdn_isolating(ctx: Context, pod: Pod) -> list[FqdnNetworkPolicy]:
    """The FQDN policies selecting the pod (each makes its egress isolated)."""
    from netpol_tui.policy import CompiledSelector

    cache = ctx.cache.setdefault("fqdn-selectors", {})
    out = []
    for policy in ctx.snapshot.fqdn_policies:
        if policy.namespace != pod.namespace:
            continue
        compiled = cache.get(id(policy))
        if compiled is None:
            compiled = cache[id(policy)] = CompiledSelector(policy.pod_selector)
        if compiled.matches(pod.labels):
            out.append(policy)
    return out


def _dns_targets(ctx: Context) -> tuple[str, list[Any]]:
    """(what DNS is here, the endpoints to probe) as NP004 decides them."""
    from netpol_tui.policy import Endpoint

    mode = _dns_mode(ctx)
    pods, _ = _kube_dns_pods(ctx)
    kube_dns = [Endpoint.for_pod(pod) for pod in pods]
    if mode == "cloud-dns":
        return DNS_TARGET_TEXT[mode], [Endpoint.for_address(CLOUD_DNS_ADDRESS)]
    if mode == "node-local":
        return DNS_TARGET_TEXT[mode], [Endpoint.for_address(NODE_LOCAL_DNS_ADDRESS), *kube_dns]
    return DNS_TARGET_TEXT[mode], kube_dns


def check_fqdn_dns_blocked(ctx: Context) -> Iterator[Hit]:
    """Pods isolated by an FQDNNetworkPolicy cannot reach cluster DNS on port 53.

    An FQDN policy makes the pods it selects egress-isolated, and its rules allow names, which
    the pods must first resolve through kube-dns or Cloud DNS. If no NetworkPolicy or Cilium
    rule allows DNS on UDP and TCP 53, every lookup times out and the names the FQDN policy
    allows are unreachable too. Pods that a NetworkPolicy already isolates are NP004's.
    """
    from netpol_tui.policy import Direction, Endpoint

    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    ctx.need(Kind.POD)
    cluster = ctx.snapshot.cluster
    if cluster is None or not cluster.is_dataplane_v2:
        return  # FQDN policies only isolate on Dataplane V2 (GKE018 says so otherwise)
    engine = ctx.need_engine()
    target_text, targets = _dns_targets(ctx)
    mode = _dns_mode(ctx)
    namespaces = sorted({policy.namespace for policy in policies})
    for namespace in namespaces:
        blocked: dict[str, list[Pod]] = {"UDP": [], "TCP": []}
        isolating: list[FqdnNetworkPolicy] = []
        reasons: list[str] = []
        for group in ctx.label_groups(namespace):
            pod = group[0]
            if pod.host_network or engine.is_isolated(pod, Direction.EGRESS):
                continue
            selecting = fqdn_isolating(ctx, pod)
            if not selecting:
                continue
            for protocol in ("UDP", "TCP"):
                states = [engine.evaluate(Endpoint.for_pod(pod), target, 53, protocol) for target in targets]
                if any(verdict.allowed for verdict in states):
                    continue
                if any(verdict.allowed is None for verdict in states):
                    ctx.partial(f"{plural(len(group), 'pod')} in namespace {namespace}: DNS on {protocol} 53 is "
                                f"unknown ({'; '.join(states[0].unknown_because[:2])})")
                    break
                blocked[protocol].extend(group)
                isolating.extend(p for p in selecting if p not in isolating)
                reasons.extend(r for v in states for r in v.egress.denied_because if r not in reasons)
                break  # UDP closed already says lookups fail
        pods = blocked["UDP"] + blocked["TCP"]
        if not pods:
            continue
        yield _dns_hit(ctx, namespace, pods, bool(blocked["UDP"]), isolating, reasons, target_text, mode)


def _dns_hit(ctx: Context, namespace: str, pods: list[Pod], udp: bool, isolating: list[FqdnNetworkPolicy],
             reasons: list[str], target_text: str, mode: str) -> Hit:
    selectors = _fqdn_selectors(isolating)
    manifest = allow_policies("allow-dns-for-fqdn", namespace, selectors, "Egress", _dns_peers(mode),
                              [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}])
    cmds, placeholders = commands((apply(manifest), "allow DNS on UDP and TCP 53 for exactly the pods the FQDN "
                                                    "policies select (they are egress-isolated already)"))
    names = sorted(f"{pod.namespace}/{pod.name}" for pod in pods)
    protocols = "UDP 53" if udp else "TCP 53"
    return Hit(Subject("Namespace", namespace, namespace),
               f"{plural(len(pods), 'pod')} in namespace {namespace} isolated by an FQDNNetworkPolicy cannot reach "
               f"DNS ({target_text}) on {protocols}: the names the policy allows never resolve.",
               (Evidence("DNS", target_text),
                Evidence("Pods (FQDN-isolated, denied)", f"{len(names)}: {listed(names)}",
                         "egress on UDP and TCP 53 allowed"),
                Evidence("isolating FQDNNetworkPolicies", ", ".join(f"{p.namespace}/{p.name}" for p in isolating)),
                *(Evidence("why denied", reason) for reason in reasons[:4])),
               cmds, manifest, placeholders,
               origin=ctx.namespaces[namespace].origin if namespace in ctx.namespaces else None)


def _fqdn_selectors(policies: list[FqdnNetworkPolicy]) -> list[LabelSelector]:
    out: list[LabelSelector] = []
    seen: set[str] = set()
    for policy in policies:
        if policy.pod_selector.is_empty:
            return [policy.pod_selector]
        key = repr(selector_dict(policy.pod_selector))
        if key not in seen:
            seen.add(key)
            out.append(policy.pod_selector)
    return out


# ------------------------------------------------------------------ GKE022


def _custom_dns(ctx: Context) -> list[tuple[str, str, str, str]]:
    """(kind, namespace, name, why) of DNS servers that are not GKE's own kube-dns."""
    found = []
    for workload in ctx.snapshot.workloads:
        app = workload.template_labels.get("k8s-app") or workload.labels.get("k8s-app") or ""
        named = workload.name.lower()
        if not (app in DNS_APPS or named in DNS_APPS or "coredns" in named):
            continue
        if ADDON_MANAGER_LABEL in workload.labels:
            continue  # GKE's own add-on
        what = "CoreDNS" if "coredns" in (app + named) else "kube-dns"
        found.append((workload.kind, workload.namespace, workload.name,
                      f"a {what} {workload.kind} without the {ADDON_MANAGER_LABEL} label GKE's add-ons carry"))
    return found


def check_fqdn_custom_dns(ctx: Context) -> Iterator[Hit]:
    """FQDN policies are in use while a custom kube-dns or CoreDNS deployment serves DNS.

    GKE supports FQDN network policies only with its own DNS providers, kube-dns or Cloud DNS;
    custom kube-dns or CoreDNS deployments are not supported (page "Control Pod egress traffic
    using FQDN network policies"). Answers from other name servers are not programmed into the
    allowlist, so egress to the allowed names may be dropped.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    ctx.need(Kind.WORKLOAD)
    for kind, namespace, name, why in _custom_dns(ctx):
        cmds, placeholders = commands(
            (kubectl("get", *objects(kind.lower(), name), "-o", "yaml", namespace=namespace),
             "see how this DNS server is deployed; point the pods back at kube-dns or Cloud DNS"),
            _list_command())
        yield Hit(Subject(kind, namespace, name),
                  f"{kind} {namespace}/{name} looks like a custom DNS server; FQDN network policies support only "
                  "GKE's kube-dns or Cloud DNS, so the FQDN rules may not be programmed.",
                  (Evidence(f"{kind} {namespace}/{name}", why, "GKE-managed kube-dns or Cloud DNS"),
                   Evidence("FQDNNetworkPolicies", _policy_names(policies))),
                  cmds, placeholders=placeholders)
