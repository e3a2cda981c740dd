"""Shared parts of the verdict engine: constants, argument checks and the small records the
index and the evaluation pass around."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.addresses import (
    ParsedBlock,
)
from netpol_tui.policy.results import (
    Dataplane,
    Direction,
    Endpoint,
    EndpointError,
)
from netpol_tui.policy.selectors import CompiledSelector

PROTOCOLS = ("TCP", "UDP", "SCTP")
METADATA_ADDRESS = "169.254.169.254"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
#: How much of a denial is spelled out: rules per policy, peers per rule.
MAX_RULES_SHOWN = 3
MAX_PEERS_SHOWN = 4
DV2 = Dataplane.DATAPLANE_V2
WORDS = {Direction.INGRESS: "ingress", Direction.EGRESS: "egress"}
#: "no entry matched" (None means the rule has no such list, which matches everything)
NO_MATCH = -1
#: "no entry matched for sure, but some entry may match": it depends on data that was not read
UNDECIDED = -2
#: An address's identity in doubt: it may be a pod (pods not read) or a ClusterIP (Services not read).
NO_DOUBT: tuple[Kind, ...] = ()


def check_protocol(protocol: str | None) -> str:
    text = str(protocol or "TCP").strip().upper()
    if text not in PROTOCOLS:
        raise EndpointError(f"unknown protocol {protocol!r}; use TCP, UDP or SCTP")
    return text


def check_port(port: Any) -> int:
    if isinstance(port, bool):
        raise EndpointError(f"not a port number: {port!r}")
    if isinstance(port, float) and not port.is_integer():
        raise EndpointError(f"not a port number: {port!r}")
    try:
        number = int(str(port).strip()) if isinstance(port, str) else int(port)
    except (TypeError, ValueError, OverflowError):
        raise EndpointError(f"not a port number: {port!r}") from None
    if not 0 < number < 65536:
        raise EndpointError(f"port {number} is outside 1-65535")
    return number


def check_direction(direction: Direction | str) -> Direction:
    text = str(direction).strip().capitalize()
    try:
        return Direction(text)
    except ValueError:
        raise EndpointError(f"unknown direction {direction!r}; use Ingress or Egress") from None


def policy_name(policy: NetworkPolicy) -> str:
    return f"{policy.namespace}/{policy.name}"


def _port_text(port: PolicyPort) -> str:
    if port.port is None:
        return f"{port.protocol} (every port)"
    if isinstance(port.port, str):
        return f"{port.protocol} named port {port.port}"
    if port.end_port is not None:
        return f"{port.protocol} {port.port}-{port.end_port}"
    return f"{port.protocol} {port.port}"


class _Group:
    """Pods of one namespace sharing one label set, and the answers they share."""

    __slots__ = ("egress", "ingress", "labels", "namespace", "pods", "selecting", "views")

    def __init__(self, namespace: str, labels: Mapping[str, str]) -> None:
        self.namespace = namespace
        self.labels = labels
        self.pods: list[Pod] = []
        self.selecting: tuple[NetworkPolicy, ...] | None = None
        self.ingress: tuple[NetworkPolicy, ...] = ()
        self.egress: tuple[NetworkPolicy, ...] = ()
        #: per direction, built on first evaluation: (names, ((policy, compiled rules), ...), others)
        #: where others are the namespace's policies of that direction that do not select the group.
        self.views: dict[Direction, View] = {}


class _Traffic:
    """One query, after endpoint and port resolution.

    `src_doubt` / `dst_doubt`: for an address endpoint, the unread kinds that may make it
    something else than an outside address (a pod, a Service's ClusterIP); empty when certain.
    """

    __slots__ = ("dst", "dst_doubt", "dst_ip", "port", "protocol", "src", "src_doubt", "src_ip")

    def __init__(self, src: Endpoint, dst: Endpoint, src_ip: str | None, dst_ip: str | None,
                 port: int, protocol: str, src_doubt: tuple[Kind, ...] = NO_DOUBT,
                 dst_doubt: tuple[Kind, ...] = NO_DOUBT) -> None:
        self.src, self.dst, self.src_ip, self.dst_ip = src, dst, src_ip, dst_ip
        self.port, self.protocol = port, protocol
        self.src_doubt, self.dst_doubt = src_doubt, dst_doubt


class _CPeer:
    """A peer with its selectors compiled and its ipBlock parsed."""

    __slots__ = ("block", "ns_sel", "peer", "pod_sel")

    def __init__(self, peer: PolicyPeer, block: ParsedBlock | None, ns_sel: CompiledSelector | None,
                 pod_sel: CompiledSelector | None) -> None:
        self.peer, self.block, self.ns_sel, self.pod_sel = peer, block, ns_sel, pod_sel


class _CRule:
    __slots__ = ("index", "peers", "ports", "rule")

    def __init__(self, index: int, rule: PolicyRule, peers: tuple[_CPeer, ...], ports: tuple[PolicyPort, ...]) -> None:
        self.index, self.rule, self.peers, self.ports = index, rule, peers, ports


def _maybe_cluster_internal(text: str) -> bool:
    """Without the cluster's ranges, a pod IP or ClusterIP may be any address that is not public
    (RFC 1918, shared, ULA...); loopback, link-local and multicast addresses are never one. GKE's
    privately used public ranges are the exception this cannot see."""
    address = ipaddress.ip_address(text)
    if address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified:
        return False
    return not address.is_global


def _subject_to_policy(endpoint: Endpoint) -> bool:
    """A pod whose traffic NetworkPolicy governs: not an address, not a hostNetwork pod."""
    return endpoint.pod is not None and not endpoint.pod.host_network


#: A rule that may allow the traffic, undecided by unread data: (policy, rule, peer index, port index).
Undecided = tuple[NetworkPolicy, _CRule, int | None, int | None]
#: Per isolating policy, each rule with the peer and port it matched (or NO_MATCH / UNDECIDED).
Outcome = tuple[NetworkPolicy, list[tuple[_CRule, int | None, int | None]]]
#: A policy with its rules of one direction, compiled.
CompiledPolicy = tuple[NetworkPolicy, tuple[_CRule, ...]]
#: (names, isolating policies compiled, other policies of the direction compiled, isolating policies)
View = tuple[tuple[str, ...], tuple[CompiledPolicy, ...], tuple[CompiledPolicy, ...], tuple[NetworkPolicy, ...]]
