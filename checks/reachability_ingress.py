"""Ingress GKE itself sends that policies may block: GKE013 (load balancer health checks), GKE014 (node ports).

Both ask the verdict engine whether every address of a set of ranges (Google's health-check
ranges, the nodes' own IPs) may reach the pods behind a Service on its serving ports, and
propose a policy that allows them without isolating a pod that was open.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from typing import Any

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.manifests import allow_policies, ip_peer, isolating_selectors
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.checks.reachability_common import _pod_names
from netpol_tui.model.objects import Pod, Service, ServicePort
from netpol_tui.model.policy import LabelSelector, NetworkPolicy
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply, kubectl, objects
from netpol_tui.text import listed

HEALTH_CHECK_RANGES = ("130.211.0.0/22", "35.191.0.0/16")
NEG_ANNOTATION = "cloud.google.com/neg"
#: Ingress classes served by Google Cloud load balancers (None: GKE's default controller).
GCE_INGRESS_CLASSES = (None, "", "gce", "gce-internal", "gce-regional-external")


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


def _port_entries(service: Service, ports: Sequence[ServicePort]) -> list[dict[str, Any]]:
    out = []
    for port in ports:
        target = port.target_port if port.target_port is not None else port.port
        entry = {"protocol": port.protocol, "port": target}
        if entry not in out:
            out.append(entry)
    return out


def _blocked_evidence(blocked: list[Pod], uncovered: list[str], policies: list[NetworkPolicy],
                      expected: str) -> tuple[Evidence, ...]:
    """The denied pods, what is not allowed and the isolating policies, as GKE013 and GKE014 show them."""
    names = _pod_names(blocked)
    return (Evidence("Pods (ingress-isolated)", f"{len(names)}: {listed(names)}", expected),
            *(Evidence("not allowed", gap) for gap in uncovered[:6]),
            Evidence("isolating policies", ", ".join(f"{p.namespace}/{p.name}" for p in policies)))


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
        yield Hit(Subject("Service", service.namespace, service.name),
                  f"Load balancer health checks ({' and '.join(HEALTH_CHECK_RANGES)}) cannot reach "
                  f"{len(blocked)} of {len(backing)} pods behind Service {service.namespace}/{service.name} on "
                  f"{', '.join(targets)}; the load balancer will mark them unhealthy.",
                  (Evidence(f"Service {service.namespace}/{service.name}", f"load balanced via {via}"),
                   *_blocked_evidence(blocked, uncovered, policies,
                                      f"ingress from {', '.join(HEALTH_CHECK_RANGES)} allowed")),
                  cmds, manifest, placeholders, origin=service.origin)


def _node_cidrs(ctx: Context) -> list[str]:
    addresses = []
    for node in ctx.snapshot.nodes:
        if node.internal_ip:
            try:
                addresses.append(ipaddress.ip_address(node.internal_ip))
            except ValueError:
                continue
    v4 = sorted(a for a in addresses if isinstance(a, ipaddress.IPv4Address))
    v6 = sorted(a for a in addresses if isinstance(a, ipaddress.IPv6Address))
    out = [str(net) for net in ipaddress.collapse_addresses(ipaddress.IPv4Network(a) for a in v4)]
    out += [str(net) for net in ipaddress.collapse_addresses(ipaddress.IPv6Network(a) for a in v6)]
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
        yield Hit(Subject("Service", service.namespace, service.name),
                  f"Service {service.namespace}/{service.name} ({service.type}, externalTrafficPolicy Cluster) may "
                  f"forward through other nodes, but ingress to {len(blocked)} of {len(backing)} backing pods does not "
                  f"allow the node IPs on {', '.join(targets)}.",
                  (Evidence(f"Service {service.namespace}/{service.name} spec.externalTrafficPolicy",
                            service.external_traffic_policy or "unset (Cluster)", "Local, or node IPs allowed"),
                   *_blocked_evidence(blocked, uncovered, policies,
                                      f"ingress from node IPs {listed(node_cidrs, 8)} allowed")),
                  cmds, manifest, placeholders, origin=service.origin)
