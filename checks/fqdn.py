"""FQDNNetworkPolicy checks: GKE018 to GKE024.

Each rests on a requirement or limit GKE states on its page "Control Pod egress traffic using
FQDN network policies" (gke-facts section 13): the versions, Dataplane V2, the cluster setting
`networkConfig.enableFqdnNetworkPolicy`, kube-dns or Cloud DNS as the only DNS providers, no
ClusterIP or headless Service as a target, and at most 50 addresses per policy. Reachability
(DNS from FQDN-isolated pods) goes through the verdict engine, as every other check does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
from netpol_tui.checks.gke_enforcement import need_datapath
from netpol_tui.checks.manifests import allow_policies, dump, namespace_peer, selector_dict
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.checks.reachability import (
    CLOUD_DNS_ADDRESS,
    NODE_LOCAL_DNS_ADDRESS,
    _dns_mode,
    _dns_peers,
    _kube_dns_pods,
)
from netpol_tui.checks.shell import apply, gcloud, kubectl, objects
from netpol_tui.model.gke_policy import FqdnNetworkPolicy
from netpol_tui.model.objects import Pod, Service
from netpol_tui.model.policy import LabelSelector
from netpol_tui.model.snapshot import Kind
from netpol_tui.text import listed, plural
from netpol_tui.versions import GkeVersion

#: The FQDNNetworkPolicy resource as kubectl names it unambiguously.
FQDN_RESOURCE = "fqdnnetworkpolicies.networking.gke.io"
#: First supported versions per minor line (GKE page: "1.26.4-gke.500 or later", "1.27.1-gke.400 or later").
FQDN_MINIMUM = {(1, 26): GkeVersion.parse("1.26.4-gke.500"), (1, 27): GkeVersion.parse("1.27.1-gke.400")}
#: GKE: "The maximum number of IPv4 and IPv6 IP addresses that a FQDNNetworkPolicy can resolve to is 50."
MAX_ADDRESSES = 50
CLUSTER_DOMAIN = ".svc.cluster.local"
ADDON_MANAGER_LABEL = "addonmanager.kubernetes.io/mode"
#: `k8s-app` values of DNS servers: GKE's own kube-dns, or a CoreDNS someone deployed.
DNS_APPS = frozenset({"kube-dns", "coredns"})


def need_fqdn_policies(ctx: Context) -> tuple[FqdnNetworkPolicy, ...]:
    """The FQDN policies; unknown when listing them failed (403, timeout). An absent CRD is none."""
    reason = ctx.snapshot.unknown_reason(Kind.FQDN_POLICY)
    if reason:
        raise CheckUnknown(f"FQDNNetworkPolicy objects could not be read ({reason}); check with "
                           f"`kubectl auth can-i list {FQDN_RESOURCE} -A`")
    return ctx.snapshot.fqdn_policies


def _policy_names(policies: tuple[FqdnNetworkPolicy, ...]) -> str:
    return f"{len(policies)}: {listed(sorted(f'{p.namespace}/{p.name}' for p in policies))}"


def _counted(policies: tuple[FqdnNetworkPolicy, ...]) -> str:
    """`1 FQDNNetworkPolicy exists` / `3 FQDNNetworkPolicies exist`."""
    return plural(len(policies), "FQDNNetworkPolicy", "FQDNNetworkPolicies") + (" exists" if len(policies) == 1
                                                                                  else " exist")


def _list_command() -> tuple[Any, str]:
    return (kubectl("get", FQDN_RESOURCE, "-A"), "list the FQDN policies that depend on it")


# ------------------------------------------------------------------ GKE018


def check_fqdn_needs_dataplane_v2(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist, but the cluster does not run GKE Dataplane V2.

    GKE enforces FQDN network policies only on Dataplane V2 clusters (page "Control Pod egress
    traffic using FQDN network policies", requirements). On a Calico or unenforced cluster the
    objects are accepted and do nothing: the egress they were meant to restrict stays open.
    Dataplane V2 is chosen when a cluster is created; until then, express the rules as
    NetworkPolicy ipBlock rules.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    cluster = need_datapath(ctx)
    if cluster.is_dataplane_v2:
        return
    identity = ctx.identity
    cmds, placeholders = commands(
        (gcloud(("container", "clusters", "describe"), identity.name,
                ("--format=value(networkConfig.datapathProvider)", *identity.flag_args), identity.placeholders),
         "confirm the datapath (ADVANCED_DATAPATH is Dataplane V2)"),
        _list_command())
    yield Hit(Subject("Cluster", None, identity.name),
              f"{_counted(policies)}, but cluster "
              f"{identity.name} does not run Dataplane V2: GKE does not enforce them.",
              (Evidence("cluster.networkConfig.datapathProvider", cluster.datapath_provider or "unset (legacy)",
                        "ADVANCED_DATAPATH"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=cluster.origin)


# ------------------------------------------------------------------ GKE019


def fqdn_minimum_version(version: GkeVersion) -> GkeVersion | None:
    """The first version of the cluster's line with FQDN network policy, or None when it has it.

    Below 1.26 the answer is 1.26.4-gke.500 (upgrades go one minor version at a time)."""
    if version.minor_version >= (1, 28):
        return None
    minimum = FQDN_MINIMUM.get(version.minor_version, FQDN_MINIMUM[(1, 26)])
    return None if version >= minimum else minimum


def check_fqdn_version_too_old(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist on a control plane older than GKE supports for them.

    GKE states the minimum versions: 1.26.4-gke.500 or later on the 1.26 line, 1.27.1-gke.400
    or later on the 1.27 line (page "Control Pod egress traffic using FQDN network policies").
    Below them the FQDN policies are not enforced.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    version = ctx.need_version()
    minimum = fqdn_minimum_version(version)
    if minimum is None:
        return
    identity = ctx.identity
    cmds, placeholders = commands(
        (gcloud(("container", "clusters", "upgrade"), identity.name,
                ("--master", f"--cluster-version={minimum}", *identity.flag_args), identity.placeholders),
         f"upgrade the control plane to {minimum} or later (one minor version at a time)"))
    yield Hit(Subject("Cluster", None, identity.name),
              f"Cluster {identity.name} runs GKE {version}; FQDN network policies need {minimum} or later, so "
              f"its FQDN policies ({len(policies)}) are not enforced.",
              (Evidence("cluster.currentMasterVersion", str(version), f"{minimum} or later"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=ctx.snapshot.cluster.origin if ctx.snapshot.cluster else None)


# ------------------------------------------------------------------ GKE020


def check_fqdn_not_enabled(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist, but FQDN network policy is not enabled on the cluster.

    The feature is a cluster setting (`networkConfig.enableFqdnNetworkPolicy`, switched on with
    `gcloud container clusters update CLUSTER --enable-fqdn-network-policy`). Without it the
    objects have no effect. GKE notes that on an existing Standard cluster the anetd DaemonSet
    must be restarted after enabling it.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    cluster = need_datapath(ctx)
    if not cluster.is_dataplane_v2 or cluster.enable_fqdn_network_policy:
        return  # off Dataplane V2 GKE018 says what matters first
    if not cluster.network_config_present:
        raise CheckUnknown("the cluster description has no networkConfig, so whether FQDN network policy is "
                           "enabled (networkConfig.enableFqdnNetworkPolicy) is unknown")
    identity = ctx.identity
    steps = [(gcloud(("container", "clusters", "update"), identity.name,
                     ("--enable-fqdn-network-policy", *identity.flag_args), identity.placeholders),
              "enable FQDN network policy on the cluster")]
    if not cluster.autopilot:
        steps.append((kubectl("rollout", "restart", "daemonset", "anetd", namespace="kube-system"),
                      "then restart the Dataplane V2 agent so it picks the setting up (Standard clusters)"))
    cmds, placeholders = commands(*steps)
    yield Hit(Subject("Cluster", None, identity.name),
              f"{_counted(policies)}, but FQDN network "
              f"policy is not enabled on cluster {identity.name}: they have no effect.",
              (Evidence("cluster.networkConfig.enableFqdnNetworkPolicy", "not set", "true"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=cluster.origin)


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
        return f"Cloud DNS at {CLOUD_DNS_ADDRESS}", [Endpoint.for_address(CLOUD_DNS_ADDRESS)]
    if mode == "node-local":
        return (f"NodeLocal DNSCache ({NODE_LOCAL_DNS_ADDRESS}) or the kube-dns pods",
                [Endpoint.for_address(NODE_LOCAL_DNS_ADDRESS), *kube_dns])
    return "the kube-dns pods (k8s-app=kube-dns in kube-system)", kube_dns


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


# ------------------------------------------------------------------ GKE023


def service_for_name(name: str, services: dict[tuple[str, str], Service]) -> tuple[Service | None, bool]:
    """(the Service the name resolves to inside the cluster, whether the name is in-cluster at all).

    `svc.cluster.local` names are in-cluster whether or not the Service is in the snapshot;
    `NAME.NAMESPACE` and `NAME.NAMESPACE.svc` are when such a Service exists."""
    host = name.lower().rstrip(".")
    if host.endswith(CLUSTER_DOMAIN) or host == CLUSTER_DOMAIN[1:]:
        parts = host[: -len(CLUSTER_DOMAIN)].split(".")
        service = services.get((parts[1], parts[0])) if len(parts) == 2 else None
        return service, True
    parts = host.split(".")
    if len(parts) == 3 and parts[2] == "svc" or len(parts) == 2:
        service = services.get((parts[1], parts[0]))
        return service, service is not None
    return None, False


def check_fqdn_service_target(ctx: Context) -> Iterator[Hit]:
    """An FQDN rule names an in-cluster Service, which FQDN network policy can never allow.

    GKE translates a Service's virtual IP to the backend Pod IPs before it evaluates network
    policy, so a ClusterIP or headless Service cannot be an FQDN egress target (page "Control
    Pod egress traffic using FQDN network policies"). Egress to it stays denied; allow the
    backend pods with a label-based NetworkPolicy instead.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    services_read = ctx.kind_missing(Kind.SERVICE) is None
    if not services_read:
        ctx.partial(f"names of the form NAME.NAMESPACE could not be compared with Services "
                    f"({ctx.kind_missing(Kind.SERVICE)})")
    services = {service.key: service for service in ctx.snapshot.services}
    for policy in sorted(policies, key=lambda p: p.key):
        hits: list[tuple[int, str, Service | None]] = []
        for index, rule in enumerate(policy.egress):
            for name in (*rule.names, *rule.patterns):
                service, in_cluster = service_for_name(name, services)
                if in_cluster:
                    hits.append((index, name, service))
        if hits:
            yield _service_hit(policy, hits)


def _service_hit(policy: FqdnNetworkPolicy, hits: list[tuple[int, str, Service | None]]) -> Hit:
    known = [(index, name, service) for index, name, service in hits if service is not None and service.selector]
    steps = []
    manifest = None
    if known:
        docs = []
        for _, _, service in known:
            assert service is not None
            ports = [{"protocol": p.protocol, "port": p.target_port if p.target_port is not None else p.port}
                     for p in service.ports]
            doc = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": {"name": f"allow-to-{service.name}"[:63], "namespace": policy.namespace},
                   "spec": {"podSelector": selector_dict(policy.pod_selector), "policyTypes": ["Egress"],
                            "egress": [{"to": [namespace_peer(service.namespace, dict(service.selector))],
                                        **({"ports": ports} if ports else {})}]}}
            if doc not in docs:
                docs.append(doc)
        manifest = dump(docs)
        steps.append((apply(manifest), "allow the Service's backend pods by label instead (a NetworkPolicy "
                                       "for the pods the FQDN policy selects)"))
    steps.append((kubectl("get", *objects(FQDN_RESOURCE, policy.name), "-o", "yaml", namespace=policy.namespace),
                  "then remove the in-cluster names from the FQDN policy"))
    cmds, placeholders = commands(*steps)
    evidence = [Evidence(f"egress[{index}] of FQDNNetworkPolicy {policy.namespace}/{policy.name}", name,
                         "a name outside the cluster")
                for index, name, _ in hits[:6]]
    evidence += [Evidence(f"Service {service.namespace}/{service.name}",
                          f"{service.type or 'ClusterIP'}: its VIP becomes pod IPs before policy is evaluated")
                 for _, _, service in known[:3] if service is not None]
    names = listed(dict.fromkeys(name for _, name, _ in hits))
    return Hit(Subject("FQDNNetworkPolicy", policy.namespace, policy.name),
               f"FQDNNetworkPolicy {policy.namespace}/{policy.name} allows the in-cluster name(s) {names}; GKE "
               "translates a Service to its pods before policy runs, so these rules never allow anything.",
               tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


# ------------------------------------------------------------------ GKE024


def check_fqdn_address_limit(ctx: Context) -> Iterator[Hit]:
    """An FQDNNetworkPolicy names more hosts than the 50 addresses GKE programs per policy.

    GKE states that the IPv4 and IPv6 addresses one FQDNNetworkPolicy can resolve to are at
    most 50 (page "Control Pod egress traffic using FQDN network policies"). Every exact name
    resolves to at least one address, so a policy with more than 50 distinct names is over the
    limit for sure and egress to some of them is dropped. (Wildcard patterns and names with
    several addresses count more, which the snapshot cannot see.) Split such a policy: each
    policy has its own limit, and egress is allowed when any of them allows it.
    """
    for policy in sorted(need_fqdn_policies(ctx), key=lambda p: p.key):
        names = list(dict.fromkeys(name.lower().rstrip(".") for rule in policy.egress for name in rule.names))
        if len(names) <= MAX_ADDRESSES:
            continue
        patterns = sum(len(rule.patterns) for rule in policy.egress)
        manifest = _split_manifest(policy)
        cmds, placeholders = commands(
            (apply(manifest), f"replace the policy by parts of at most {MAX_ADDRESSES // 2} names each (names "
                              "often resolve to several addresses); then delete the original"))
        yield Hit(Subject("FQDNNetworkPolicy", policy.namespace, policy.name),
                  f"FQDNNetworkPolicy {policy.namespace}/{policy.name} names {len(names)} hosts, more than the "
                  f"{MAX_ADDRESSES} addresses GKE programs per policy: egress to some of them is dropped.",
                  (Evidence(f"FQDNNetworkPolicy {policy.namespace}/{policy.name} egress[].matches[].name",
                            f"{len(names)} distinct names ({listed(names, 5)})",
                            f"at most {MAX_ADDRESSES} addresses in all"),
                   *([Evidence("patterns", f"{patterns} wildcard patterns, each may add addresses")]
                     if patterns else [])),
                  cmds, manifest, placeholders, origin=policy.origin)


def _split_manifest(policy: FqdnNetworkPolicy) -> str:
    """The policy's rules cut into policies of at most MAX_ADDRESSES // 2 names, from its raw spec."""
    chunk = MAX_ADDRESSES // 2
    raw_rules = policy.raw.get("spec", {}).get("egress") if isinstance(policy.raw, dict) else None
    if not isinstance(raw_rules, list) or len(raw_rules) != len(policy.egress):
        raw_rules = [{"matches": [*({"name": n} for n in rule.names), *({"pattern": p} for p in rule.patterns)],
                      **({"ports": [{"protocol": proto, **({"port": port} if port is not None else {})}
                                    for proto, port in rule.ports]} if rule.ports else {})}
                     for rule in policy.egress]
    pieces: list[list[dict]] = [[]]
    count = 0
    for rule in raw_rules:
        matches = [m for m in rule.get("matches") or [] if isinstance(m, dict)]
        rest = {key: value for key, value in rule.items() if key != "matches"}
        for start in range(0, len(matches), chunk):
            part = matches[start:start + chunk]
            if count + len(part) > chunk and pieces[-1]:
                pieces.append([])
                count = 0
            pieces[-1].append({"matches": part, **rest})
            count += len(part)
    docs = [{"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
             "metadata": {"name": f"{policy.name[:55]}-part-{number}", "namespace": policy.namespace},
             "spec": {"podSelector": selector_dict(policy.pod_selector), "egress": rules}}
            for number, rules in enumerate(pieces, 1)]
    return dump(docs)

