"""The address part of the engine's index, one step per pod or node: which pod an IP names,
which IPs several live pods claim, which are a node's or a hostNetwork pod's; and the Services
by name and ClusterIP. Shared by the full build (index.py) and the derived one (derive.py), so
both apply the same precedence in the same snapshot order."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from netpol_tui.model.objects import Node, Pod, Service
from netpol_tui.policy.results import EndpointError, normalise_address


def pod_addresses(pod: Pod) -> list[str]:
    """The pod's IPs as the index keys them (IPv6 normalised; unreadable ones left out)."""
    found = []
    for ip in pod.pod_ips:
        if ":" in ip:
            try:
                ip = normalise_address(ip)
            except EndpointError:
                continue
        found.append(ip)
    return found


def claim_ips(pod: Pod, by_ip: dict[str, Pod], host_ips: dict[str, str], shared: dict[str, list[Pod]],
              only: Collection[str] | None = None) -> None:
    """Record the pod's IPs (those in `only`, when given), pods taken in snapshot order: the first
    live pod claiming an IP holds it (else the first pod); further live claimants are listed in
    `shared`; a hostNetwork pod's IPs are host addresses (the first such pod names it)."""
    for ip in pod.pod_ips:
        if ":" in ip:
            try:
                ip = normalise_address(ip)
            except EndpointError:
                continue
        if only is not None and ip not in only:
            continue
        if pod.host_network:
            host_ips.setdefault(ip, f"hostNetwork pod {pod.namespace}/{pod.name}")
            continue
        current = by_ip.get(ip)
        if current is None or (pod.is_live and not current.is_live):
            by_ip[ip] = pod
        elif pod.is_live and current.is_live and pod is not current:
            shared.setdefault(ip, [current]).append(pod)


def claim_node_ips(nodes: Iterable[Node], host_ips: dict[str, str]) -> None:
    """Nodes' addresses, after the pods' (a node's name wins over a hostNetwork pod's)."""
    for node in nodes:
        for node_ip in (node.internal_ip, node.external_ip):
            if node_ip:
                host_ips[node_ip] = f"node {node.name}"


def services_index(services: Iterable[Service]) -> tuple[dict[tuple[str, str], Service], dict[str, Service]]:
    """(namespace, name) -> Service and ClusterIP -> Service, the first of each in snapshot order."""
    by_key: dict[tuple[str, str], Service] = {}
    by_ip: dict[str, Service] = {}
    for service in services:
        by_key.setdefault(service.key, service)
        for ip in service.cluster_ips:
            by_ip.setdefault(ip, service)
    return by_key, by_ip
