"""The addresses the checks compare: pod and Service IPs, the cluster's ranges, and the two
`ipaddress` operations that raise across IP versions made total. `Context` indexes a snapshot
with these (`pod_addresses`, `live_pod_by_ip`, ...)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from netpol_tui.model.objects import Pod, Service

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def subnet_of(inner: Network, outer: Network) -> bool:
    """`inner.subnet_of(outer)`, False across IP versions (where the method would raise)."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def address_exclude(network: Network, hole: Network) -> list[Network]:
    """`network.address_exclude(hole)` for a hole of the same IP version inside the network."""
    if isinstance(network, ipaddress.IPv4Network) and isinstance(hole, ipaddress.IPv4Network):
        return list(network.address_exclude(hole))
    if isinstance(network, ipaddress.IPv6Network) and isinstance(hole, ipaddress.IPv6Network):
        return list(network.address_exclude(hole))
    raise ValueError(f"{hole} and {network} are not of the same IP version")


def canonical_ip(text: str) -> str:
    if ":" not in text:
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def cluster_range(cidr: str | None) -> tuple[Network, ...]:
    """The cluster's range (pods or Services) as given in its description; () when absent or malformed."""
    if cidr:
        try:
            return (ipaddress.ip_network(cidr, strict=False),)
        except ValueError:
            pass
    return ()


def pod_addresses(pods: Iterable[Pod]) -> tuple[tuple[IPAddress, Pod], ...]:
    """(ip_address, pod) for every non-hostNetwork pod with an IP (a malformed IP is skipped)."""
    out = []
    for pod in pods:
        if pod.host_network:
            continue
        for ip in pod.pod_ips:
            try:
                out.append((ipaddress.ip_address(ip), pod))
            except ValueError:
                continue
    return tuple(out)


def pods_by_ip(pods: Iterable[Pod]) -> dict[str, Pod]:
    """Canonical IP text -> the first non-hostNetwork pod holding it."""
    index: dict[str, Pod] = {}
    for pod in pods:
        if not pod.host_network:
            for ip in pod.pod_ips:
                index.setdefault(canonical_ip(ip), pod)
    return index


def service_addresses(services: Iterable[Service]) -> dict[str, Service]:
    """ClusterIP -> the first Service holding it."""
    out: dict[str, Service] = {}
    for service in services:
        for ip in service.cluster_ips:
            out.setdefault(ip, service)
    return out
