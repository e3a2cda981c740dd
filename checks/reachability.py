"""Traffic GKE itself needs that policies may block: GKE008, GKE013, GKE014, GKE015 and NP004.

Every question here is put to the verdict engine (`evaluate` for one address or pod,
`evaluate_cidr` for a range) under the cluster's dataplane, so a finding and
`netpol-tui explain` for the same pod always agree. Pods that share namespace, labels,
hostNetwork and ports get the same answer for an address outside the cluster, so each such
group is asked once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.gke_enforcement import need_datapath
from netpol_tui.checks.manifests import (
    allow_policies,
    ip_peer,
    isolating_selectors,
    namespace_peer,
)
from netpol_tui.checks.model import Evidence, Severity, Subject
from netpol_tui.model.objects import Pod, Service, ServicePort
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPort
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply, gcloud, kubectl, objects
from netpol_tui.text import listed, plural
from netpol_tui.versions import GkeVersion

METADATA_NEW = ("169.254.169.252", 988)
METADATA_OLD = ("127.0.0.1", 988)
METADATA_DPV2 = ("169.254.169.254", 80)
METADATA_NEW_SINCE = GkeVersion.parse("1.21.0-gke.1000")
HEALTH_CHECK_RANGES = ("130.211.0.0/22", "35.191.0.0/16")
NEG_ANNOTATION = "cloud.google.com/neg"
#: Ingress classes served by Google Cloud load balancers (None: GKE's default controller).
GCE_INGRESS_CLASSES = (None, "", "gce", "gce-internal", "gce-regional-external")
CLOUD_DNS_ADDRESS = "169.254.169.254"
NODE_LOCAL_DNS_ADDRESS = "169.254.20.10"
NODE_LOCAL_DNS_LABEL = "addon.gke.io/node-local-dns-ds-ready"
KUBE_DNS_LABELS = {"k8s-app": "kube-dns"}
DPV2_REWRITE_NOTE = ("On Dataplane V2 the node may rewrite traffic to 169.254.169.254 before policy runs; treat "
                     "this verdict as uncertain.")


@dataclass
class _Blocked:
    pods: list[Pod]
    reasons: list[str]
    notes: list[str]
    policies: list[NetworkPolicy]


def _pod_names(pods: Sequence[Pod]) -> list[str]:
    return sorted(f"{pod.namespace}/{pod.name}" for pod in pods)


def _egress_blocked_to_address(ctx: Context, namespace: str, address: str, port: int,
                               protocol: str = "TCP") -> _Blocked:
    """Egress-isolated live pods of the namespace whose egress to address:port is denied."""
    from netpol_tui.policy import Endpoint

    engine = ctx.need_engine()
    target = Endpoint.for_address(address)
    blocked = _Blocked([], [], [], [])
    for pod, members, policies in ctx.egress_groups(namespace):
        verdict = engine.evaluate(Endpoint.for_pod(pod), target, port, protocol)
        if verdict.egress.allowed is None:
            # not a pass and not a finding: the check is unknown for these pods
            ctx.partial(f"{plural(len(members), 'pod')} in namespace {namespace}: egress to {address}:{port} is "
                        f"unknown ({'; '.join(verdict.egress.unknown_because)})")
            continue
        if verdict.egress.allowed:
            continue
        blocked.pods.extend(members)
        blocked.reasons.extend(r for r in verdict.egress.denied_because if r not in blocked.reasons)
        blocked.notes.extend(n for n in verdict.notes if n not in blocked.notes and n not in engine.notes
                             and f"{pod.namespace}/{pod.name}" not in n)
        blocked.policies.extend(p for p in policies if p not in blocked.policies)
    return blocked


def _pods_evidence(blocked: _Blocked, expected: str) -> list[Evidence]:
    names = _pod_names(blocked.pods)
    policies = ", ".join(f"{p.namespace}/{p.name}" for p in blocked.policies)
    evidence = [Evidence("Pods (egress-isolated, denied)", f"{len(names)}: {listed(names)}", expected),
                Evidence("isolating policies", policies)]
    evidence += [Evidence("why denied", reason) for reason in blocked.reasons[:5]]
    return evidence


def _egress_manifest(name: str, namespace: str, blocked: _Blocked, peers: list[dict],
                     ports: list[dict]) -> str:
    return allow_policies(name, namespace, isolating_selectors(blocked.policies), "Egress", peers, ports)


# ------------------------------------------------------------------ GKE008


def metadata_endpoint(ctx: Context) -> tuple[str, int]:
    """The metadata server address and port pods must reach on this cluster (gke-facts 5)."""
    cluster = need_datapath(ctx)
    if cluster.is_dataplane_v2:
        return METADATA_DPV2
    version = ctx.need_version()
    return METADATA_NEW if version >= METADATA_NEW_SINCE else METADATA_OLD


def check_metadata_egress_blocked(ctx: Context) -> Iterator[Hit]:
    """Pods that are egress-isolated cannot reach the GKE metadata server while Workload Identity is on.

    With Workload Identity, pods get credentials from the GKE metadata server. Egress policies
    must allow it (169.254.169.252/32 port 988 from 1.21.0-gke.1000, 127.0.0.1/32 port 988
    before, 169.254.169.254/32 port 80 on Dataplane V2), or authentication fails and
    auto-upgrades can disrupt the pods.
    """
    cluster = ctx.need_cluster()
    if not cluster.workload_pool:
        return
    address, port = metadata_endpoint(ctx)
    ctx.need(Kind.POD, Kind.NETWORK_POLICY)
    for namespace in sorted(ctx.live_pods_by_namespace):
        blocked = _egress_blocked_to_address(ctx, namespace, address, port)
        if not blocked.pods:
            continue
        evidence = [Evidence("cluster.workloadIdentityConfig.workloadPool", cluster.workload_pool),
                    *_pods_evidence(blocked, f"egress to {address}/32 TCP {port} allowed")]
        notes = list(blocked.notes)
        if cluster.is_dataplane_v2:
            evidence.append(Evidence("dataplane", "Dataplane V2", DPV2_REWRITE_NOTE))
            if not any("rewrit" in note for note in notes):
                notes.append(DPV2_REWRITE_NOTE)
        manifest = _egress_manifest("allow-gke-metadata-server", namespace, blocked, [ip_peer(f"{address}/32")],
                                    [{"protocol": "TCP", "port": port}])
        cmds, placeholders = commands(
            (apply(manifest), "allow egress to the metadata server for exactly the "
                                                          "pods the existing egress policies isolate"))
        yield Hit(Subject("Namespace", namespace, namespace),
                  f"{plural(len(blocked.pods), 'egress-isolated pod')} in namespace {namespace} cannot reach the GKE "
                  f"metadata server at {address}:{port} (Workload Identity is on).",
                  tuple(evidence), cmds, manifest, placeholders, notes=tuple(notes),
                  origin=ctx.namespaces[namespace].origin if namespace in ctx.namespaces else None)


# ------------------------------------------------------------------ GKE015


def check_control_plane_egress_blocked(ctx: Context) -> Iterator[Hit]:
    """Egress-isolated pods cannot reach the cluster's private control-plane endpoint on TCP 443.

    On private and Private Service Connect clusters the control plane has an internal IP from
    the node subnet. Pods that talk to the Kubernetes API (controllers, operators, anything
    using the in-cluster config) need egress to that IP on TCP 443.
    """
    cluster = ctx.need_cluster()
    endpoint = cluster.any_private_endpoint
    if not endpoint:
        return
    ctx.need(Kind.POD, Kind.NETWORK_POLICY)
    field = ("privateClusterConfig.privateEndpoint" if cluster.private_endpoint
             else "controlPlaneEndpointsConfig.ipEndpointsConfig.privateEndpoint")
    identity = ctx.identity
    for namespace in sorted(ctx.live_pods_by_namespace):
        blocked = _egress_blocked_to_address(ctx, namespace, endpoint, 443)
        if not blocked.pods:
            continue
        manifest = _egress_manifest("allow-control-plane", namespace, blocked, [ip_peer(f"{endpoint}/32")],
                                    [{"protocol": "TCP", "port": 443}])
        cmds, placeholders = commands(
            (gcloud(("container", "clusters", "describe"), identity.name,
                    (f"--format=value({field})", *identity.flag_args), identity.placeholders), "confirm the control plane's private endpoint"),
            (apply(manifest), "allow egress to it on TCP 443"))
        yield Hit(Subject("Namespace", namespace, namespace),
                  f"{plural(len(blocked.pods), 'egress-isolated pod')} in namespace {namespace} cannot reach the "
                  f"control plane's private endpoint {endpoint} on TCP 443.",
                  (Evidence(f"cluster.{field}", endpoint),
                   *_pods_evidence(blocked, f"egress to {endpoint}/32 TCP 443 allowed")),
                  cmds, manifest, placeholders, notes=tuple(blocked.notes),
                  origin=ctx.namespaces[namespace].origin if namespace in ctx.namespaces else None)


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
    from netpol_tui.policy import Direction, Endpoint

    ctx.need(Kind.POD, Kind.NETWORK_POLICY)
    engine = ctx.need_engine()
    mode = _dns_mode(ctx)
    dns_pods, stand_in = _kube_dns_pods(ctx)
    dns_endpoints = [Endpoint.for_pod(pod) for pod in dns_pods]
    address_target = {"cloud-dns": CLOUD_DNS_ADDRESS, "node-local": NODE_LOCAL_DNS_ADDRESS}.get(mode)
    # The kube-dns side (ingress) depends on the source's labels, and with ipBlock peers on its IP;
    # when no policy isolates kube-dns ingress, only the source's egress policies matter.
    dns_isolated = any(engine.is_isolated(pod, Direction.INGRESS) for pod in dns_pods)
    kube_system_ipblocks = dns_isolated and any(
        peer.ip_block is not None for policy in ctx.policies_by_namespace.get("kube-system", ())
        for rule in policy.ingress for peer in rule.peers)

    unknown_because: list[str] = []

    def reach(pod: Pod, protocol: str) -> tuple[bool, list[str], list[str], bool]:
        """(allowed, reasons, notes, uncertain) for DNS on 53/protocol from pod; a verdict that is
        unknown (data not read) makes the answer uncertain, never a pass or a finding."""
        reasons: list[str] = []
        notes: list[str] = []
        source = Endpoint.for_pod(pod)
        if address_target:
            verdict = engine.evaluate(source, Endpoint.for_address(address_target), 53, protocol)
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
        for endpoint in dns_endpoints:
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
        uncertain = stand_in and engine.dataplane.value != "dataplane-v2" and _ipblock_could_allow(
            engine.isolating_policies(pod, Direction.EGRESS), 53, protocol)
        if denied < len(dns_endpoints):
            reasons.insert(0, f"{denied} of {len(dns_endpoints)} kube-dns pods are denied")
        return False, reasons, notes, uncertain

    target_text = {"cloud-dns": f"Cloud DNS at {CLOUD_DNS_ADDRESS}",
                   "node-local": f"NodeLocal DNSCache ({NODE_LOCAL_DNS_ADDRESS}) or the kube-dns pods",
                   "kube-dns": "the kube-dns pods (k8s-app=kube-dns in kube-system)"}[mode]
    for namespace in sorted(ctx.live_pods_by_namespace):
        label_groups = ctx.isolated_groups(namespace, Direction.EGRESS)
        if not label_groups:
            continue
        results = {"UDP": _Blocked([], [], [], []), "TCP": _Blocked([], [], [], [])}
        groups: dict[tuple, list[Pod]] = {}
        for label_group in label_groups:
            first = label_group[0]
            base = (tuple(id(p) for p in engine.isolating_policies(first, Direction.EGRESS)), first.host_network,
                    frozenset(first.labels.items()) if dns_isolated else None)
            if kube_system_ipblocks:
                for pod in label_group:
                    groups.setdefault((*base, pod.ip), []).append(pod)
            else:
                groups.setdefault(base, []).extend(label_group)
        uncertain_pods = 0
        for members in groups.values():
            pod = members[0]
            udp_ok, reasons, notes, uncertain = reach(pod, "UDP")
            protocol = "UDP"
            if udp_ok:
                tcp_ok, reasons, notes, uncertain = reach(pod, "TCP")
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
        if uncertain_pods and unknown_because:
            ctx.partial(f"{plural(uncertain_pods, 'pod')} in namespace {namespace}: DNS reachability is unknown "
                        f"({'; '.join(unknown_because[:3])})")
        elif uncertain_pods:
            ctx.partial(f"{plural(uncertain_pods, 'pod')} in namespace {namespace}: the kube-dns pods are not in the "
                        "snapshot and an ipBlock egress rule may cover their IPs; add the kube-system pods")
        for protocol, bucket in results.items():
            if not bucket.pods:
                continue
            yield _dns_hit(ctx, namespace, protocol, bucket, mode, target_text, stand_in)


def _dns_peers(mode: str) -> list[dict]:
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


# ---------------------------------------------------------- GKE013 / GKE014


def _backing_pods(ctx: Context, service: Service) -> list[Pod]:
    selector = service.selector or {}
    return [pod for pod in ctx.live_pods_by_namespace.get(service.namespace, ())
            if all(pod.labels.get(k) == v for k, v in selector.items())]


def _service_port(service: Service, ref: int | str | None) -> ServicePort | None:
    for port in service.ports:
        if (isinstance(ref, int) and port.port == ref) or (isinstance(ref, str) and port.name == ref):
            return port
    return None


def _ingress_blocked(ctx: Context, service: Service, ports: Sequence[ServicePort], cidrs: Sequence[str],
                     ) -> tuple[list[Pod], list[Pod], list[str], list[NetworkPolicy], list[str]]:
    """(backing pods, blocked pods, uncovered descriptions, isolating policies, targets) for ingress
    from every address of cidrs to the Service's target ports."""
    from netpol_tui.policy import Direction

    engine = ctx.need_engine()
    pods = _backing_pods(ctx, service)
    blocked: list[Pod] = []
    uncovered: list[str] = []
    policies: list[NetworkPolicy] = []
    targets: list[str] = []
    isolated = [pod for pod in pods if engine.is_isolated(pod, Direction.INGRESS)]
    for pod, members in ctx.pod_groups(isolated):
        denied = False
        for service_port in ports:
            target = engine.service_target_port(service, pod, service_port.port, service_port.protocol)
            if target is None:
                continue
            text = f"{service_port.protocol} {target}"
            if text not in targets:
                targets.append(text)
            for cidr in cidrs:
                verdict = engine.evaluate_cidr(pod, cidr, target, service_port.protocol, Direction.INGRESS)
                if not verdict.known:
                    ctx.partial(f"ingress from {cidr} to {pod.namespace}/{pod.name} on {text} is unknown "
                                f"({'; '.join(verdict.unknown_because)})")
                    continue
                if not verdict.fully_allowed:
                    denied = True
                    gap = f"{', '.join(verdict.uncovered) or cidr} on {service_port.protocol} {target}"
                    if gap not in uncovered:
                        uncovered.append(gap)
        if denied:
            blocked.extend(members)
            policies.extend(p for p in engine.isolating_policies(pod, Direction.INGRESS) if p not in policies)
    return pods, blocked, uncovered, policies, targets


def _ingress_selectors(ctx: Context, service: Service, backing: list[Pod],
                       policies: list[NetworkPolicy]) -> list[LabelSelector]:
    """The Service's selector when every pod it selects is already ingress-isolated, else the
    isolating policies' selectors (never isolates a pod that was open)."""
    from netpol_tui.policy import Direction

    engine = ctx.need_engine()
    if service.selector and backing and all(engine.is_isolated(pod, Direction.INGRESS) for pod in backing):
        return [LabelSelector(dict(service.selector))]
    return isolating_selectors(policies)


def _port_entries(service: Service, ports: Sequence[ServicePort]) -> list[dict]:
    out = []
    for port in ports:
        target = port.target_port if port.target_port is not None else port.port
        entry = {"protocol": port.protocol, "port": target}
        if entry not in out:
            out.append(entry)
    return out


def check_lb_health_checks_blocked(ctx: Context) -> Iterator[Hit]:
    """Google Cloud load balancer health checks cannot reach the pods behind an Ingress or NEG Service.

    An Application Load Balancer (GKE Ingress, or a Service with container-native load
    balancing) probes the pods from 130.211.0.0/22 and 35.191.0.0/16. If ingress policies
    isolate the pods without allowing those ranges on the serving port, every backend is
    marked unhealthy and the load balancer answers 502.
    """
    ctx.need(Kind.SERVICE, Kind.POD, Kind.NETWORK_POLICY)
    ingress_ports: dict[tuple[str, str], list[int | str | None]] = {}
    if ctx.snapshot.has(Kind.INGRESS) or ctx.snapshot.ingresses:
        for ingress in ctx.snapshot.ingresses:
            if ingress.ingress_class not in GCE_INGRESS_CLASSES:
                continue  # another controller (nginx, ...) proxies from its own pods, not from Google's LB
            for backend in ingress.backends:
                ingress_ports.setdefault((ingress.namespace, backend.service_name), []).append(backend.service_port)
    else:
        ctx.partial(ctx.kind_missing(Kind.INGRESS) or "Ingress objects were not loaded")
    for service in sorted(ctx.snapshot.services, key=lambda s: s.key):
        refs = ingress_ports.get(service.key)
        if refs is None and NEG_ANNOTATION not in service.annotations:
            continue
        if not service.selector:
            continue
        ports = [p for p in (_service_port(service, ref) for ref in refs or ()) if p is not None]
        if not ports:
            ports = [port for port in service.ports if port.protocol == "TCP"]
        backing, blocked, uncovered, policies, targets = _ingress_blocked(ctx, service, ports, HEALTH_CHECK_RANGES)
        if not blocked:
            continue
        via = "Ingress backend" if refs is not None else f"annotation {NEG_ANNOTATION}"
        selectors = _ingress_selectors(ctx, service, backing, policies)
        manifest = allow_policies(f"allow-lb-health-checks-{service.name}"[:63], service.namespace, selectors,
                                  "Ingress", [ip_peer(cidr) for cidr in HEALTH_CHECK_RANGES],
                                  _port_entries(service, ports))
        cmds, placeholders = commands(
            (apply(manifest), "allow the health-check ranges on the serving port"))
        names = _pod_names(blocked)
        yield Hit(Subject("Service", service.namespace, service.name),
                  f"Load balancer health checks ({' and '.join(HEALTH_CHECK_RANGES)}) cannot reach "
                  f"{len(blocked)} of {len(backing)} pods behind Service {service.namespace}/{service.name} on "
                  f"{', '.join(targets)}; the load balancer will mark them unhealthy.",
                  (Evidence(f"Service {service.namespace}/{service.name}", f"load balanced via {via}"),
                   Evidence("Pods (ingress-isolated)", f"{len(names)}: {listed(names)}",
                            f"ingress from {', '.join(HEALTH_CHECK_RANGES)} allowed"),
                   *(Evidence("not allowed", gap) for gap in uncovered[:6]),
                   Evidence("isolating policies", ", ".join(f"{p.namespace}/{p.name}" for p in policies))),
                  cmds, manifest, placeholders, origin=service.origin)


def _node_cidrs(ctx: Context) -> list[str]:
    addresses = []
    for node in ctx.snapshot.nodes:
        if node.internal_ip:
            try:
                addresses.append(ipaddress.ip_address(node.internal_ip))
            except ValueError:
                continue
    out: list[str] = []
    for version in (4, 6):
        family = sorted(a for a in addresses if a.version == version)
        if family:
            out.extend(str(net) for net in ipaddress.collapse_addresses(ipaddress.ip_network(a) for a in family))
    return out


def check_node_port_cross_node(ctx: Context) -> Iterator[Hit]:
    """A NodePort or LoadBalancer Service forwards through other nodes, whose IPs the pods' policies do not allow.

    Without container-native load balancing and with `externalTrafficPolicy: Cluster`, a
    node that receives traffic on the node port may forward it to a pod on another node,
    with the node's own IP as source. Ingress policies that do not allow the node IPs then
    drop that share of the traffic.
    """
    ctx.need(Kind.SERVICE, Kind.POD, Kind.NETWORK_POLICY, Kind.NODE)
    node_cidrs = _node_cidrs(ctx)
    if not node_cidrs:
        ctx.partial("no node has an InternalIP in the snapshot")
        return
    for service in sorted(ctx.snapshot.services, key=lambda s: s.key):
        if service.type not in ("NodePort", "LoadBalancer") or NEG_ANNOTATION in service.annotations:
            continue
        if (service.external_traffic_policy or "Cluster") != "Cluster" or not service.selector:
            continue
        ports = list(service.ports)
        backing, blocked, uncovered, policies, targets = _ingress_blocked(ctx, service, ports, node_cidrs)
        if not blocked:
            continue
        selectors = _ingress_selectors(ctx, service, backing, policies)
        manifest = allow_policies(f"allow-nodes-{service.name}"[:63], service.namespace, selectors, "Ingress",
                                  [ip_peer(cidr) for cidr in node_cidrs], _port_entries(service, ports))
        cmds, placeholders = commands(
            (kubectl("patch", *objects("service", service.name), "-p", '{"spec":{"externalTrafficPolicy":"Local"}}',
                     namespace=service.namespace),
             "either: keep traffic on the receiving node (preserves client IPs; nodes without a pod fail the "
             "load balancer's health check)"),
            (apply(manifest), "or: allow the cluster's node IPs on the serving port"))
        names = _pod_names(blocked)
        yield Hit(Subject("Service", service.namespace, service.name),
                  f"Service {service.namespace}/{service.name} ({service.type}, externalTrafficPolicy Cluster) may "
                  f"forward through other nodes, but ingress to {len(blocked)} of {len(backing)} backing pods does not "
                  f"allow the node IPs on {', '.join(targets)}.",
                  (Evidence(f"Service {service.namespace}/{service.name} spec.externalTrafficPolicy",
                            service.external_traffic_policy or "unset (Cluster)", "Local, or node IPs allowed"),
                   Evidence("Pods (ingress-isolated)", f"{len(names)}: {listed(names)}",
                            f"ingress from node IPs {listed(node_cidrs, 8)} allowed"),
                   *(Evidence("not allowed", gap) for gap in uncovered[:6]),
                   Evidence("isolating policies", ", ".join(f"{p.namespace}/{p.name}" for p in policies))),
                  cmds, manifest, placeholders, origin=service.origin)
