"""The NetworkPolicy verdict engine: an index over a Snapshot and networking.k8s.io/v1 evaluation.

Pods that share a namespace and a label set share every answer, so the index groups them and
caches per group: which policies select the group (per direction), and per policy which groups
it selects. Nothing compares every pod with every policy.

Caches keyed by `id()` of model objects always keep a reference to the object itself, so an id
can never be reused for another object while its entry exists. All caches are filled with
idempotent single assignments, which makes concurrent reads safe under the GIL.
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress
from collections.abc import Mapping
from typing import Any

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.objects import Pod, Service
from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.policy.addresses import (
    Address,
    ParsedBlock,
    intersect,
    interval_cidrs,
    network_interval,
    parse_block,
    parse_network,
    subtract,
    try_parse_address,
    union,
)
from netpol_tui.policy.dataplane import resolve_dataplane
from netpol_tui.policy.results import (
    CidrVerdict,
    Dataplane,
    Direction,
    DirectionResult,
    Endpoint,
    EndpointError,
    EndpointUnknown,
    RuleRef,
    SelectionMiss,
    TermResult,
    Verdict,
    combine,
    normalise_address,
)
from netpol_tui.policy.selectors import CompiledSelector, explain_terms, failure_text, selector_text
from netpol_tui.policy.unread import Unread, namespace_match_without_labels

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
        self.views: dict[Direction, tuple] = {}


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


class PolicyEngine:
    """Answers NetworkPolicy questions about one Snapshot under one dataplane model."""

    def __init__(self, snapshot: Snapshot, dataplane: str | Dataplane = "auto") -> None:
        self.snapshot = snapshot
        self.dataplane, self.notes = resolve_dataplane(snapshot, dataplane)
        #: Kinds a verdict may depend on that the snapshot lacks (verdicts using them are unknown).
        self.unread = Unread(snapshot)
        self._compiled_cache: dict[int, CompiledSelector] = {}
        self._ns_match_cache: dict[tuple[int, str], bool] = {}
        self._block_cache: dict[Any, ParsedBlock] = {}
        self._address_cache: dict[str, Address] = {}
        self._selected_cache: dict[int, tuple[NetworkPolicy, tuple[Pod, ...]]] = {}
        self._peer_cache: dict[tuple[int, int], tuple[NetworkPolicy, PolicyPeer, tuple[Pod, ...]]] = {}
        self._posting_cache: dict[str, dict[tuple[str, str], list[_Group]]] = {}
        self._names_index: dict[str, list[Pod]] | None = None
        #: explanation fragments: (id(selector), values of its keys[, labels]) -> text
        self._rules_cache: dict[int, tuple[NetworkPolicy, tuple[_CRule, ...], tuple[_CRule, ...]]] = {}
        #: (namespace, direction, ids of the isolating policies) -> view (holds the policies: ids stay valid)
        self._views: dict[tuple, tuple] = {}
        #: namespace -> ((policy, its podSelector's match function), ...)
        self._ns_selectors: dict[str, tuple] = {}
        self._selector_text_cache: dict[tuple, tuple[LabelSelector, str]] = {}
        # Building allocates ~1 object per pod; with a big snapshot on the heap each automatic full
        # collection would walk millions of objects, so the cyclic GC pauses meanwhile.
        with gc_paused():
            self._build()

    # ------------------------------------------------------------------ index

    def _build(self) -> None:
        snapshot = self.snapshot
        self._ns_labels: dict[str, Mapping[str, str]] = {}
        for namespace in snapshot.namespaces:
            self._ns_labels.setdefault(namespace.name, namespace.labels)
        #: Namespaces whose labels are known: the ones listed, when the kind was read.
        self._ns_known = frozenset(self._ns_labels) if Kind.NAMESPACE not in self.unread else frozenset()
        self._policies_by_ns: dict[str, list[NetworkPolicy]] = {}
        for policy in snapshot.policies:
            self._policies_by_ns.setdefault(policy.namespace, []).append(policy)
        #: per direction: does any policy of the snapshot list it in policyTypes?
        self._any_isolating = {direction: any(direction in policy.policy_types for policy in snapshot.policies)
                               for direction in Direction}
        groups: dict[tuple[str, frozenset], _Group] = {}
        by_ns: dict[str, list[_Group]] = {}
        pod_group: dict[int, tuple[Pod, _Group]] = {}
        by_key: dict[tuple[str, str], Pod] = {}
        by_ip: dict[str, Pod] = {}
        host_ips: dict[str, str] = {}
        #: IPs that several live (non-hostNetwork) pods claim: a stale or inconsistent snapshot
        shared: dict[str, list[Pod]] = {}
        for pod in snapshot.pods:
            key = (pod.namespace, frozenset(pod.labels.items()))
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(pod.namespace, pod.labels)
                by_ns.setdefault(pod.namespace, []).append(group)
            group.pods.append(pod)
            pod_group[id(pod)] = (pod, group)
            by_key.setdefault((pod.namespace, pod.name), pod)
            for ip in pod.pod_ips:
                if ":" in ip:
                    try:
                        ip = normalise_address(ip)
                    except EndpointError:
                        continue
                if pod.host_network:
                    host_ips.setdefault(ip, f"hostNetwork pod {pod.namespace}/{pod.name}")
                    continue
                current = by_ip.get(ip)
                if current is None or (pod.is_live and not current.is_live):
                    by_ip[ip] = pod
                elif pod.is_live and current.is_live and pod is not current:
                    shared.setdefault(ip, [current]).append(pod)
        for node in snapshot.nodes:
            for ip in (node.internal_ip, node.external_ip):
                if ip:
                    host_ips[ip] = f"node {node.name}"
        self._groups = groups
        self._groups_by_ns = by_ns
        self._pod_group = pod_group
        self._pods_by_key = by_key
        self._pod_by_ip = by_ip
        self._host_ips = host_ips
        self._shared_ips = shared
        cluster = snapshot.cluster
        node_ranges = [cidr for node in snapshot.nodes for cidr in node.pod_cidrs]
        # Every pod IP lies in some node's podCIDRs, so with nodes read they bound the pod addresses.
        self._node_pod_ranges = self._ranges([], node_ranges, "") if snapshot.has(Kind.NODE) else []
        self._pod_ranges = self._ranges(
            [(cluster.pod_ipv4_cidr, f"the cluster's pod range {cluster.pod_ipv4_cidr}")] if cluster else [],
            node_ranges, "a node's pod range (spec.podCIDRs)")
        self._service_ranges = self._ranges(
            [(cluster.services_ipv4_cidr, f"the cluster's Service range {cluster.services_ipv4_cidr}")]
            if cluster else [], [], "")
        self._services: dict[tuple[str, str], Service] = {}
        self._service_ips: dict[str, Service] = {}
        for service in snapshot.services:
            self._services.setdefault(service.key, service)
            for ip in service.cluster_ips:
                self._service_ips.setdefault(ip, service)
        # Answer the per-group questions now (a few policies per namespace each), so that queries
        # only look them up: which policies select each group, per direction, with compiled rules.
        for group in groups.values():
            self._select(group)
            self._view(group, Direction.INGRESS)
            self._view(group, Direction.EGRESS)

    @staticmethod
    def _ranges(named: list[tuple[str | None, str]], extra: list[str], extra_text: str) -> list[tuple]:
        """[(intervals, description)] for the named CIDRs, then the extra CIDRs merged under one text."""
        out: list[tuple] = []
        for cidr, text in named:
            if not cidr:
                continue
            try:
                out.append(([network_interval(parse_network(cidr))], text))
            except ValueError:
                continue
        merged = []
        for cidr in extra:
            try:
                merged.append(network_interval(parse_network(cidr)))
            except ValueError:
                continue
        if merged:
            out.append((union(merged), extra_text))
        return out

    @staticmethod
    def _range_holding(ranges: list[tuple], intervals: list) -> str | None:
        """The description of the first range that overlaps the intervals."""
        for spans, text in ranges:
            if intersect(spans, intervals):
                return text
        return None

    @staticmethod
    def _range_of(ranges: list[tuple], address: Address) -> str | None:
        """The description of the first range holding the address (spans are sorted and disjoint)."""
        point = (address.version, address.value, 1 << 129)  # sorts after every span starting at the address
        for spans, text in ranges:
            index = bisect.bisect_right(spans, point) - 1
            if index >= 0 and spans[index][0] == address.version and spans[index][2] >= address.value:
                return text
        return None

    def _select(self, group: _Group) -> _Group:
        if group.selecting is None:
            candidates = self._ns_selectors.get(group.namespace)
            if candidates is None:
                candidates = self._ns_selectors[group.namespace] = tuple(
                    (policy, self._compiled(policy.pod_selector).matches)
                    for policy in self._policies_by_ns.get(group.namespace, ()))
            labels = group.labels
            selecting = tuple(policy for policy, matches in candidates if matches(labels))
            group.ingress = tuple(policy for policy in selecting if policy.affects_ingress)
            group.egress = tuple(policy for policy in selecting if policy.affects_egress)
            group.selecting = selecting
        return group

    def _group_for(self, pod: Pod) -> _Group:
        entry = self._pod_group.get(id(pod))
        if entry is not None and entry[0] is pod:
            group = entry[1]
        else:
            key = (pod.namespace, frozenset(pod.labels.items()))
            group = self._groups.get(key)
            if group is None:
                group = self._groups.setdefault(key, _Group(pod.namespace, dict(pod.labels)))
        return group if group.selecting is not None else self._select(group)

    def _compiled(self, selector: LabelSelector) -> CompiledSelector:
        compiled = self._compiled_cache.get(id(selector))
        if compiled is None or compiled.selector is not selector:
            compiled = CompiledSelector(selector)
            self._compiled_cache[id(selector)] = compiled
        return compiled

    def namespace_labels(self, name: str) -> Mapping[str, str]:
        labels = self._ns_labels.get(name)
        if labels is None:
            labels = self._ns_labels.setdefault(name, {NAMESPACE_NAME_LABEL: name})
        return labels

    def _ns_matches(self, selector: LabelSelector, namespace: str) -> bool:
        compiled = self._compiled(selector)
        key = (id(selector), namespace)
        result = self._ns_match_cache.get(key)
        if result is None:
            result = self._ns_match_cache[key] = compiled.matches(self.namespace_labels(namespace))
        return result

    def _block(self, block: Any) -> ParsedBlock:
        parsed = self._block_cache.get(block)
        if parsed is None:
            parsed = self._block_cache[block] = parse_block(block)
        return parsed

    def _address(self, text: str | None) -> Address | None:
        if text is None:
            return None
        parsed = self._address_cache.get(text)
        if parsed is None:
            parsed = try_parse_address(text)
            if parsed is None:
                return None
            self._address_cache[text] = parsed
        return parsed

    def _posting(self, namespace: str) -> dict[tuple[str, str], list[_Group]]:
        posting = self._posting_cache.get(namespace)
        if posting is None:
            posting = {}
            for group in self._groups_by_ns.get(namespace, ()):
                for pair in group.labels.items():
                    posting.setdefault(pair, []).append(group)
            self._posting_cache[namespace] = posting
        return posting

    def _matching_groups(self, namespace: str, selector: LabelSelector | None) -> list[_Group]:
        groups = self._groups_by_ns.get(namespace, [])
        if selector is None:
            return list(groups)
        compiled = self._compiled(selector)
        if compiled.is_empty:
            return list(groups)
        pairs = compiled.candidate_pairs()
        if pairs is not None and len(groups) > 8:
            posting = self._posting(namespace)
            seen: set[int] = set()
            candidates = []
            for pair in pairs:
                for group in posting.get(pair, ()):
                    if id(group) not in seen:
                        seen.add(id(group))
                        candidates.append(group)
            groups = candidates
        return [group for group in groups if compiled.matches(group.labels)]

    def known_namespaces(self) -> tuple[str, ...]:
        names = set(self._ns_labels) | set(self._groups_by_ns) | set(self._policies_by_ns)
        return tuple(sorted(names))

    # --------------------------------------------------------- selection queries

    def policies_selecting(self, pod: Pod) -> tuple[NetworkPolicy, ...]:
        """Policies of the pod's namespace whose podSelector selects it (any policyTypes)."""
        return self._group_for(pod).selecting or ()

    def isolating_policies(self, pod: Pod, direction: Direction | str) -> tuple[NetworkPolicy, ...]:
        """Policies that select the pod and list the direction in policyTypes (API view,
        whatever the dataplane or hostNetwork)."""
        group = self._group_for(pod)
        return group.ingress if check_direction(direction) is Direction.INGRESS else group.egress

    def is_isolated(self, pod: Pod, direction: Direction | str) -> bool:
        """Isolated as enforced: False on a cluster without enforcement and for hostNetwork pods."""
        if self.dataplane is Dataplane.NONE or pod.host_network:
            return False
        return bool(self.isolating_policies(pod, direction))

    def pods_selected_by(self, policy: NetworkPolicy, live_only: bool = False) -> tuple[Pod, ...]:
        """Pods of the policy's namespace its podSelector selects, sorted by name."""
        entry = self._selected_cache.get(id(policy))
        if entry is None or entry[0] is not policy:
            groups = self._matching_groups(policy.namespace, policy.pod_selector)
            pods = sorted((pod for group in groups for pod in group.pods), key=lambda pod: pod.name)
            entry = (policy, tuple(pods))
            self._selected_cache[id(policy)] = entry
        if live_only:
            return tuple(pod for pod in entry[1] if pod.is_live)
        return entry[1]

    def namespaces_matching(self, selector: LabelSelector) -> tuple[str, ...]:
        """Known namespaces (listed, or holding pods or policies) whose labels match."""
        return tuple(name for name in self.known_namespaces() if self._ns_matches(selector, name))

    def peer_namespaces(self, policy: NetworkPolicy, peer: PolicyPeer) -> tuple[str, ...]:
        """Namespaces a selector peer reaches into: its namespaceSelector, else the policy's own."""
        if peer.ip_block is not None:
            return ()
        if peer.namespace_selector is None:
            return (policy.namespace,)
        return self.namespaces_matching(peer.namespace_selector)

    def peer_matches(self, policy: NetworkPolicy, peer: PolicyPeer) -> tuple[Pod, ...]:
        """Pods a peer matches under this dataplane (hostNetwork pods never; ipBlock peers match
        pod IPs on kubernetes/calico and no pod on Dataplane V2)."""
        key = (id(policy), id(peer))
        entry = self._peer_cache.get(key)
        if entry is not None and entry[0] is policy and entry[1] is peer:
            return entry[2]
        if peer.ip_block is not None:
            pods: list[Pod] = []
            if self.dataplane is not DV2:
                block = self._block(peer.ip_block)
                seen: set[int] = set()
                for ip, pod in self._pod_by_ip.items():
                    if id(pod) not in seen and block.contains(self._address(ip)):
                        seen.add(id(pod))
                        pods.append(pod)
        else:
            pods = []
            for namespace in self.peer_namespaces(policy, peer):
                for group in self._matching_groups(namespace, peer.pod_selector):
                    pods.extend(pod for pod in group.pods if not pod.host_network)
        result = tuple(sorted(pods, key=lambda pod: (pod.namespace, pod.name)))
        self._peer_cache[key] = (policy, peer, result)
        return result

    def explain_selector(self, selector: LabelSelector, labels: Mapping[str, str]) -> tuple[TermResult, ...]:
        """Each term of the selector against the labels, with near-miss hints."""
        return explain_terms(selector, labels)

    def non_selecting_policies(self, pod: Pod) -> tuple[SelectionMiss, ...]:
        """Policies of the pod's namespace that do not select it, with the failing terms."""
        selecting = {id(policy) for policy in self.policies_selecting(pod)}
        return tuple(SelectionMiss(policy, explain_terms(policy.pod_selector, pod.labels))
                     for policy in self._policies_by_ns.get(pod.namespace, ())
                     if id(policy) not in selecting)

    def pod(self, namespace: str, name: str) -> Pod | None:
        return self._pods_by_key.get((namespace, name))

    # ------------------------------------------------------------ endpoints

    def resolve_address(self, address: str) -> Endpoint:
        """A pod's IP resolves to that pod; any other address is outside the cluster."""
        text = normalise_address(address)
        pod = self._pod_by_ip.get(text)
        if pod is not None:
            return Endpoint.for_pod(pod, address=text)
        return Endpoint.for_address(text)

    def resolve(self, text: str, default_namespace: str | None = None) -> list[Endpoint]:
        """`NAMESPACE/POD`, `POD` (with default_namespace, or unique across namespaces), an IP
        address, or `NAMESPACE/svc/NAME` (one endpoint per pod backing the Service). A Service's
        ClusterIP resolves like `NAMESPACE/svc/NAME`."""
        text = str(text or "").strip()
        if not text:
            raise EndpointError("empty endpoint: give NAMESPACE/POD, POD, an IP address or NAMESPACE/svc/NAME")
        # `ns/pod/` (shell completion) and `ns / pod` are read as `ns/pod`
        parts = [part.strip() for part in text.rstrip("/").split("/")]
        if len(parts) == 1:
            try:
                endpoint = self.resolve_address(parts[0])
                service = self._service_ips.get(endpoint.address or "") if endpoint.pod is None else None
                if service is not None and service.selector:
                    # A ClusterIP is translated to a backing pod before policy applies: answer for those pods.
                    try:
                        return self._resolve_service(service.namespace, service.name)
                    except EndpointUnknown:
                        raise
                    except EndpointError:
                        pass
                return [endpoint]
            except EndpointError:
                # pod names never hold ':' or '[': such text was meant as an address
                if ":" in parts[0] or parts[0].startswith("["):
                    raise
        if any(not part for part in parts):
            raise EndpointError(f"cannot read endpoint {text!r}: expected NAMESPACE/POD, POD, an IP address "
                                "or NAMESPACE/svc/NAME")
        if try_parse_address(parts[0]) is not None:
            raise EndpointError(f"{text!r} is a CIDR; an endpoint is a single address")
        if len(parts) == 3 and parts[1].lower() in ("svc", "service", "services"):
            return self._resolve_service(parts[0], parts[2])
        if len(parts) == 3 and parts[1].lower() in ("pod", "pods", "po"):
            parts = [parts[0], parts[2]]
        if len(parts) == 2 and parts[0].lower() in ("svc", "service") and default_namespace \
                and (default_namespace, parts[1]) in self._services:
            return self._resolve_service(default_namespace, parts[1])
        if len(parts) == 2:
            return [Endpoint.for_pod(self._find_pod(parts[0], parts[1]))]
        if len(parts) == 1:
            if default_namespace:
                return [Endpoint.for_pod(self._find_pod(default_namespace, parts[0]))]
            matches = self._pods_named().get(parts[0], [])
            if not matches and Kind.POD in self.unread:
                raise self._pods_unread(f"pod {parts[0]}")
            if len(matches) == 1:
                return [Endpoint.for_pod(matches[0])]
            if len(matches) > 1:
                names = sorted(f"{pod.namespace}/{pod.name}" for pod in matches)
                raise EndpointError(f"pod {parts[0]!r} exists in {len(matches)} namespaces; "
                                    "give NAMESPACE/POD or --namespace", names[:8])
            close = difflib.get_close_matches(parts[0], list(self._pods_named()), n=5, cutoff=0.6)
            suggestions = [f"{pod.namespace}/{pod.name}" for name in close for pod in self._pods_named()[name]]
            raise EndpointError(f"no pod named {parts[0]!r} in any namespace", suggestions[:5])
        raise EndpointError(f"cannot read endpoint {text!r}: expected NAMESPACE/POD, POD, an IP address "
                            "or NAMESPACE/svc/NAME")

    def _pods_named(self) -> dict[str, list[Pod]]:
        if self._names_index is None:
            index: dict[str, list[Pod]] = {}
            for pod in self._pods_by_key.values():
                index.setdefault(pod.name, []).append(pod)
            self._names_index = index
        return self._names_index

    def _pods_unread(self, text: str) -> EndpointUnknown:
        return EndpointUnknown(f"{text} cannot be looked up: the pods were not read",
                               (self.unread.because(Kind.POD, f"which pod {text} is, its labels and IP"),))

    def _find_pod(self, namespace: str, name: str) -> Pod:
        pod = self._pods_by_key.get((namespace, name))
        if pod is not None:
            return pod
        if Kind.POD in self.unread:
            raise self._pods_unread(f"pod {namespace}/{name}")
        in_namespace = sorted(pod.name for group in self._groups_by_ns.get(namespace, ()) for pod in group.pods)
        # People often type the workload's name (`web`) for its pods (`web-5d4f8-x2x7q`).
        suggestions = [f"{namespace}/svc/{name}"] if (namespace, name) in self._services else []
        suggestions += [f"{namespace}/{pod_name}" for pod_name in in_namespace if pod_name.startswith(f"{name}-")][:4]
        suggestions += [f"{namespace}/{close}" for close in difflib.get_close_matches(name, in_namespace, n=5)
                        if f"{namespace}/{close}" not in suggestions]
        elsewhere = sorted(f"{pod.namespace}/{pod.name}" for pod in self._pods_named().get(name, []))
        if namespace not in self._groups_by_ns:
            close_ns = difflib.get_close_matches(namespace, list(self._groups_by_ns), n=3)
            suggestions += [f"{ns}/{name}" for ns in close_ns if (ns, name) in self._pods_by_key]
            suggestions += [f"{ns}/..." for ns in close_ns if (ns, name) not in self._pods_by_key]
            message = f"no pod {name!r} in namespace {namespace!r} (the snapshot has no pods in that namespace)"
        else:
            message = f"no pod {name!r} in namespace {namespace!r}"
        suggestions += [item for item in elsewhere if item not in suggestions]
        raise EndpointError(message, suggestions[:6])

    def _resolve_service(self, namespace: str, name: str) -> list[Endpoint]:
        service = self._services.get((namespace, name))
        if service is None and Kind.SERVICE in self.unread:
            raise EndpointUnknown(f"Service {namespace}/{name} cannot be looked up: the Services were not read",
                                  (self.unread.because(Kind.SERVICE, f"which pods Service {namespace}/{name} "
                                                                     "sends to, and its ports"),))
        if service is None:
            names = [svc_name for (ns, svc_name) in self._services if ns == namespace]
            close = difflib.get_close_matches(name, names, n=5)
            raise EndpointError(f"no Service {name!r} in namespace {namespace!r}",
                                [f"{namespace}/svc/{item}" for item in close])
        if not service.selector:
            raise EndpointError(f"Service {namespace}/{name} has no selector (its endpoints are managed by hand), "
                                "so its pods are unknown; name a pod or an IP address instead")
        if Kind.POD in self.unread:
            raise EndpointUnknown(f"the pods behind Service {namespace}/{name} cannot be looked up: the pods "
                                  "were not read", (self.unread.because(
                                      Kind.POD, f"which pods Service {namespace}/{name} selects"),))
        selector = LabelSelector(dict(service.selector))
        pods = [pod for group in self._matching_groups(namespace, selector) for pod in group.pods if pod.is_live]
        if not pods:
            text = ",".join(f"{k}={v}" for k, v in service.selector.items())
            raise EndpointError(f"Service {namespace}/{name} selects no live pod (selector {text})")
        pods.sort(key=lambda pod: pod.name)
        return [Endpoint.for_pod(pod, service=service) for pod in pods]

    def service_target_port(self, service: Service, pod: Pod, port: int, protocol: str = "TCP") -> int | None:
        """The pod port a Service port sends to (targetPort, named ports resolved on the pod);
        None when the Service has no such port or the pod lacks the named port."""
        for service_port in service.ports:
            if service_port.port == port and service_port.protocol == protocol:
                target = service_port.target_port
                if target is None:
                    return port
                if isinstance(target, int):
                    return target
                return self.named_port(pod, target, protocol)
        return None

    @staticmethod
    def named_port(pod: Pod, name: str, protocol: str) -> int | None:
        """The container port of the pod with that name and protocol."""
        for port in pod.ports:
            if port.name == name and port.protocol == protocol:
                return port.container_port
        return None

    # ----------------------------------------------------------- evaluation

    def _canonical(self, endpoint: Endpoint, notes: list[str]) -> Endpoint:
        if endpoint.pod is None and endpoint.address is not None:
            pod = self._pod_by_ip.get(endpoint.address)
            if pod is not None:
                notes.append(f"{endpoint.address} is the IP of pod {pod.namespace}/{pod.name}; "
                             "evaluated as that pod.")
                return Endpoint.for_pod(pod, address=endpoint.address)
        return endpoint

    @staticmethod
    def _pick_ip(endpoint: Endpoint, ipv6: bool) -> str | None:
        """The pod's IP of the given family when the endpoint's own address is of another."""
        if endpoint.pod is not None:
            for ip in endpoint.pod.pod_ips:
                if (":" in ip) == ipv6:
                    return ip
        return None

    def _traffic_ips(self, src: Endpoint, dst: Endpoint, notes: list[str]) -> tuple[str | None, str | None]:
        src_ip, dst_ip = src.address, dst.address
        if src_ip is not None and dst_ip is not None and (":" in src_ip) != (":" in dst_ip):
            # The side whose address was chosen (an outside address, or a pod's non-primary IP
            # given explicitly) fixes the family; the other pod follows it.
            src_chosen = src.pod is None or src_ip != src.pod.ip
            dst_chosen = dst.pod is None or dst_ip != dst.pod.ip
            if dst.pod is not None and (src_chosen or not dst_chosen):
                dst_ip = self._pick_ip(dst, ":" in src_ip) or dst_ip
            if src.pod is not None and (":" in src_ip) != (":" in dst_ip):
                src_ip = self._pick_ip(src, ":" in dst_ip) or src_ip
            if (":" in src_ip) != (":" in dst_ip):
                notes.append(f"Source {src_ip} and destination {dst_ip} are of different IP families; such a "
                             "connection cannot exist.")
        return src_ip, dst_ip

    def evaluate(self, src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> Verdict:
        """Is a connection from src to dst on port/protocol allowed?

        Pod to pod needs the source's egress and the destination's ingress; an address outside
        the cluster is checked on the pod side only. When dst came from a Service (resolve
        `NS/svc/NAME`), `port` is the Service port and is translated to the pod's targetPort.
        """
        protocol = check_protocol(protocol)
        port = check_port(port)
        notes = list(self.notes)
        src = self._canonical(src, notes)
        dst = self._canonical(dst, notes)
        target, requested = port, None
        if dst.service is not None and dst.pod is not None:
            service = dst.service
            mapped = self.service_target_port(service, dst.pod, port, protocol)
            if mapped is None:
                if any(sp.port == port and sp.protocol == protocol for sp in service.ports):
                    notes.append(f"Service {service.namespace}/{service.name} port {port}/{protocol} targets a "
                                 f"named port that pod {dst.name} does not declare, so the Service does not "
                                 f"send this port to that pod; port {port} was checked on the pod directly.")
                else:
                    notes.append(f"Service {service.namespace}/{service.name} has no {protocol} port {port}; "
                                 f"port {port} was checked on the pod directly.")
            elif mapped != port:
                target, requested = mapped, port
        src_ip, dst_ip = self._traffic_ips(src, dst, notes)
        traffic = _Traffic(src, dst, src_ip, dst_ip, target, protocol, self._doubt(src), self._doubt(dst))
        if src.pod is not None and src.pod is dst.pod and dst.service is None:
            # Packets to the pod's own IP are routed inside its network namespace and never reach
            # the datapath that enforces NetworkPolicy.
            egress = DirectionResult(Direction.EGRESS, src.name, False, False, True, summary=(
                f"Egress of {src.name}: not checked, traffic from a pod to itself stays inside the pod."))
            ingress = DirectionResult(Direction.INGRESS, dst.name, False, False, True, summary=(
                f"Ingress to {dst.name}: not checked, traffic from a pod to itself stays inside the pod."))
        elif self.dataplane is Dataplane.NONE:
            would_egress = self._side(Direction.EGRESS, traffic, Dataplane.CALICO)
            would_ingress = self._side(Direction.INGRESS, traffic, Dataplane.CALICO)
            egress = self._unenforced(Direction.EGRESS, src, would_egress)
            ingress = self._unenforced(Direction.INGRESS, dst, would_ingress)
            would = combine((would_egress.allowed, would_ingress.allowed))
            notes.append(f"If Calico enforcement were turned on, this traffic would be "
                         f"{ {True: 'allowed', False: 'denied', None: 'unknown (some data was not read)'}[would]}.")
        else:
            egress = self._side(Direction.EGRESS, traffic, self.dataplane)
            ingress = self._side(Direction.INGRESS, traffic, self.dataplane)
            self._other_family(traffic, combine((egress.allowed, ingress.allowed)), notes)
        allowed = combine((egress.allowed, ingress.allowed))
        self._caveats(traffic, notes)
        if allowed is not None and self.unread:
            notes.append(self._independence_note(allowed, egress, ingress))
        return Verdict(allowed, self.dataplane, src, dst, target, protocol,
                       egress, ingress, tuple(notes), requested)

    def _doubt(self, endpoint: Endpoint) -> tuple[Kind, ...]:
        """The unread kinds that may make an address endpoint a pod or a ClusterIP (which `resolve`
        and the datapath replace by the Service's pods)."""
        if endpoint.pod is not None or not self.unread or endpoint.address is None:
            return NO_DOUBT
        address = endpoint.address
        kinds: list[Kind] = []
        if Kind.POD in self.unread and self._may_be_pod(address):
            kinds.append(Kind.POD)
        if Kind.SERVICE in self.unread and address not in self._pod_by_ip \
                and self._may_be_cluster_ip(address):
            kinds.append(Kind.SERVICE)
        return tuple(kinds)

    def _may_be_pod(self, text: str) -> bool:
        """Could a pod hold this address? Nodes' podCIDRs bound every pod IP when nodes were read;
        else any non-public address may be one (and any in the cluster's pod range)."""
        if text in self._host_ips:
            return False  # a node's address: node traffic, matched only by ipBlock
        address = self._address(text)
        if address is None:
            return False
        if self._node_pod_ranges:
            return self._range_of(self._node_pod_ranges, address) is not None
        if self._range_of(self._pod_ranges, address) is not None:
            return True
        return _maybe_cluster_internal(text)

    def _may_be_cluster_ip(self, text: str) -> bool:
        """Could a Service hold this ClusterIP? Bounded by the cluster's Service range when known."""
        address = self._address(text)
        if address is None or text in self._host_ips:
            return False
        if self._service_ranges and address.version == 4:
            return self._range_of(self._service_ranges, address) is not None
        return _maybe_cluster_internal(text)

    def _independence_note(self, allowed: bool, egress: DirectionResult, ingress: DirectionResult) -> str:
        """Says why a definite verdict stands although some kinds were not read."""
        kinds = ", ".join(str(kind) for kind in self.unread.kinds)
        if self.dataplane is Dataplane.NONE:
            why = "NetworkPolicy is not enforced on this cluster"
        elif allowed:
            why = "both sides allow it by data that was read"
        else:
            denying = egress if egress.allowed is False else ingress
            why = f"the {WORDS[denying.direction]} side denies it by rules that do not involve the missing data"
        return f"{kinds} objects were not read, but this verdict does not depend on them: {why}."

    def _other_family(self, t: _Traffic, allowed: bool | None, notes: list[str]) -> None:
        """Two dual-stack pods may talk over either family, and ipBlock rules can tell them apart:
        say so when the other family's verdict differs (only when neither IP was chosen)."""
        src, dst = t.src, t.dst
        if src.pod is None or dst.pod is None or src.pod is dst.pod or t.src_ip is None or t.dst_ip is None:
            return
        if t.src_ip != src.pod.ip or t.dst_ip != dst.pod.ip:
            return
        other = ":" not in t.src_ip
        src_ip, dst_ip = self._pick_ip(src, other), self._pick_ip(dst, other)
        if src_ip is None or dst_ip is None:
            return
        alt = _Traffic(src, dst, src_ip, dst_ip, t.port, t.protocol)
        alt_allowed = combine((self._side(Direction.EGRESS, alt, self.dataplane).allowed,
                               self._side(Direction.INGRESS, alt, self.dataplane).allowed))
        if alt_allowed is not None and allowed is not None and alt_allowed != allowed:
            family = "IPv6" if other else "IPv4"
            notes.append(f"Both pods are dual-stack: this verdict is for {t.src_ip} -> {t.dst_ip}; over {family} "
                         f"({src_ip} -> {dst_ip}) the traffic would be {'allowed' if alt_allowed else 'denied'} "
                         "(ipBlock rules match one family); ask with the pods' IPs to see that case.")

    def _unenforced(self, direction: Direction, endpoint: Endpoint, would: DirectionResult) -> DirectionResult:
        side = "Egress of" if direction is Direction.EGRESS else "Ingress to"
        return DirectionResult(direction, endpoint.name, would.applies, False, True,
                               would.isolating_policies, (), (),
                               f"{side} {endpoint.name}: allowed, NetworkPolicy is not enforced on this cluster.")

    def _rules_of(self, policy: NetworkPolicy, direction: Direction) -> tuple[_CRule, ...]:
        """The policy's rules of that direction, compiled once."""
        entry = self._rules_cache.get(id(policy))
        if entry is None or entry[0] is not policy:
            entry = (policy, self._compile_rules(policy.ingress), self._compile_rules(policy.egress))
            self._rules_cache[id(policy)] = entry
        return entry[1] if direction is Direction.INGRESS else entry[2]

    def _compile_rules(self, rules: tuple[PolicyRule, ...]) -> tuple[_CRule, ...]:
        compiled = []
        for index, rule in enumerate(rules):
            peers = tuple(_CPeer(
                peer, self._block(peer.ip_block) if peer.ip_block is not None else None,
                self._compiled(peer.namespace_selector) if peer.namespace_selector is not None else None,
                self._compiled(peer.pod_selector) if peer.pod_selector is not None else None)
                for peer in rule.peers)
            compiled.append(_CRule(index, rule, peers, rule.ports))
        return tuple(compiled)

    def _view(self, group: _Group, direction: Direction) -> tuple:
        """(names, ((policy, compiled rules), ...), others) of the group's isolating policies for the
        direction; shared by the groups of a namespace that the same policies select."""
        view = group.views.get(direction)
        if view is None:
            policies = group.egress if direction is Direction.EGRESS else group.ingress
            key = (group.namespace, direction, tuple(id(policy) for policy in policies))
            view = self._views.get(key)
            if view is None:
                chosen = set(key[2])
                others = tuple((policy, self._rules_of(policy, direction))
                               for policy in self._policies_by_ns.get(group.namespace, ())
                               if id(policy) not in chosen and direction in policy.policy_types)
                view = (tuple(policy_name(policy) for policy in policies),
                        tuple((policy, self._rules_of(policy, direction)) for policy in policies), others, policies)
                self._views[key] = view
            group.views[direction] = view
        return view

    def _side(self, direction: Direction, t: _Traffic, model: Dataplane) -> DirectionResult:
        egress = direction is Direction.EGRESS
        subject, other = (t.src, t.dst) if egress else (t.dst, t.src)
        other_ip = t.dst_ip if egress else t.src_ip
        other_doubt = t.dst_doubt if egress else t.src_doubt
        side = "Egress of" if egress else "Ingress to"
        name = subject.name
        if subject.pod is None:
            doubt = self._address_side_doubt(direction, subject, t.src_doubt if egress else t.dst_doubt)
            if doubt:
                return DirectionResult(direction, name, False, None, None, summary=(
                    f"{side} {name}: unknown, the address may belong to a pod (or a Service) of the cluster, "
                    "whose policies would apply."), unknown_because=tuple(doubt))
            return DirectionResult(direction, name, False, False, True, summary=(
                f"{side} {name}: not checked, the address is outside the cluster (only the pod side of "
                "the connection is subject to NetworkPolicy)."))
        if subject.pod.host_network:
            group = self._group_for(subject.pod)
            names = self._view(group, direction)[0]
            return DirectionResult(direction, name, False, False, True, names, summary=(
                f"{side} {name}: not checked, it is a hostNetwork pod and NetworkPolicy does not apply "
                "to it in practice."))
        if Kind.NETWORK_POLICY in self.unread:
            return DirectionResult(direction, name, True, None, None, summary=(
                f"{side} {name}: unknown, the NetworkPolicies were not read, so whether any policy isolates "
                "it is unknown."), unknown_because=(self.unread.because(
                    Kind.NETWORK_POLICY, f"whether any policy isolates the {WORDS[direction]} of {name}"),))
        group = self._group_for(subject.pod)
        names, compiled, others, _ = self._view(group, direction)
        if not names:
            return DirectionResult(direction, name, True, False, True, summary=(
                f"{side} {name}: allowed, not isolated (no policy with {direction} in policyTypes "
                "selects it)."))
        other_is_pod = _subject_to_policy(other)
        allowed_by: list[RuleRef] = []
        undecided: list[tuple[NetworkPolicy, _CRule, int | None, int | None]] = []
        outcomes = []
        for policy, rules in compiled:
            results = []
            for rule in rules:
                port_index = self._first_port(rule.ports, t, model)
                peer_index = self._first_peer(policy.namespace, rule.peers, other, other_is_pod, other_ip, model,
                                              other_doubt)
                if port_index != NO_MATCH and peer_index != NO_MATCH:
                    if port_index == UNDECIDED or peer_index == UNDECIDED:
                        undecided.append((policy, rule, peer_index, port_index))
                    else:
                        allowed_by.append(RuleRef(policy.namespace, policy.name, direction, rule.index,
                                                  peer_index, port_index))
                results.append((rule, peer_index, port_index))
            outcomes.append((policy, results))
        isolated_by = f"isolated by {', '.join(names)}"
        if allowed_by:
            more = f" (and {len(allowed_by) - 1} more rule{'s' if len(allowed_by) > 2 else ''})" \
                if len(allowed_by) > 1 else ""
            return DirectionResult(direction, name, True, True, True, names, tuple(allowed_by), (),
                                   f"{side} {name}: allowed; {isolated_by}; allowed by {allowed_by[0]}{more}.")
        peer_word = "to" if egress else "from"
        if undecided:
            because = self._undecided_reasons(undecided, direction, other, other_doubt, t)
            return DirectionResult(direction, name, True, True, None, names, (), (), (
                f"{side} {name}: unknown; {isolated_by}, no {WORDS[direction]} rule allows {t.protocol} port "
                f"{t.port} {peer_word} {other.name} for sure, and {len(undecided)} rule"
                f"{'s' if len(undecided) > 1 else ''} may, depending on data that was not read."),
                tuple(because))
        if not egress and Kind.SERVICE in other_doubt:
            # `resolve` reads a ClusterIP as the Service's pods, and this very pod may be one of them:
            # traffic a pod sends itself never meets policy.
            return DirectionResult(direction, name, True, True, None, names, (), (), (
                f"{side} {name}: unknown; {isolated_by} and no {WORDS[direction]} rule allows it, but {other.name} "
                f"may be a ClusterIP whose Service sends to {name} itself."), (self.unread.because(
                    Kind.SERVICE, f"whether {other.name} is a ClusterIP of a Service backed by {name}"),))
        reasons = self._explain_denial(outcomes, direction, subject, other, other_ip, t, model)
        reasons.extend(self._would_allow(subject.pod, direction, others, subject, other, other_ip, t, model))
        return DirectionResult(direction, name, True, True, False, names, (), tuple(reasons), (
            f"{side} {name}: denied; {isolated_by} and no {WORDS[direction]} rule allows {t.protocol} port "
            f"{t.port} {peer_word} {other.name}."))

    def _address_side_doubt(self, direction: Direction, subject: Endpoint, doubt: tuple[Kind, ...]) -> list[str]:
        """Why the policy side of an address is unknown: it may be a pod (pods not read) or a
        ClusterIP translated to a pod (Services not read). Definite when no policy of the snapshot
        isolates that direction (whatever pod it is, it is not isolated)."""
        reasons: list[str] = []
        kinds = list(doubt)
        if not kinds:
            return reasons
        if Kind.NETWORK_POLICY not in self.unread and not self._any_isolating[direction]:
            return reasons
        for kind in kinds:
            what = (f"whether {subject.name} is a pod, and which policies select it" if kind is Kind.POD
                    else f"whether {subject.name} is a Service's ClusterIP, and which pods it sends to")
            reasons.append(self.unread.because(kind, what))
        if Kind.NETWORK_POLICY in self.unread:
            reasons.append(self.unread.because(Kind.NETWORK_POLICY, f"which policies isolate {subject.name}"))
        return reasons

    def _undecided_reasons(self, undecided: list, direction: Direction, other: Endpoint, doubt: tuple[Kind, ...],
                           t: _Traffic) -> list[str]:
        """For each rule that may allow the traffic, what could not be decided and which kind is missing."""
        word = WORDS[direction]
        reasons: list[str] = []
        for policy, rule, peer_index, port_index in undecided[:MAX_RULES_SHOWN * 2]:
            rule_text = f"{word} rule {rule.index} of policy {policy_name(policy)}"
            if peer_index == UNDECIDED:
                for j, peer in enumerate(rule.peers):
                    for kind, what in self._peer_doubt(policy, peer, other, doubt):
                        question = f"whether peer {j} of {rule_text} matches {other.name} ({what})"
                        if kind is Kind.NAMESPACE and Kind.NAMESPACE not in self.unread:
                            reasons.append(self.unread.missing_namespace(other.pod.namespace, question))
                        else:
                            reasons.append(self.unread.because(kind, question))
            if port_index == UNDECIDED:
                kind = Kind.SERVICE if Kind.SERVICE in t.dst_doubt else Kind.POD
                what = ("the Service's targetPort" if kind is Kind.SERVICE
                        else "named ports resolve on the destination pod's containers")
                reasons.append(self.unread.because(kind, f"whether a port entry of {rule_text} matches "
                                                         f"{t.protocol} {t.port} ({what})"))
        if len(undecided) > MAX_RULES_SHOWN * 2:
            reasons.append(f"{len(undecided) - MAX_RULES_SHOWN * 2} more rules are undecided likewise")
        unique: list[str] = []
        for reason in reasons:
            if reason not in unique:
                unique.append(reason)
        return unique

    def _peer_doubt(self, policy: NetworkPolicy, peer: _CPeer, other: Endpoint,
                    doubt: tuple[Kind, ...]) -> list[tuple[Kind, str]]:
        """The unread kinds that leave this peer's match undecided, with what each hides."""
        if other.pod is None:
            if not doubt:
                return []
            if peer.block is not None:
                if Kind.SERVICE in doubt:
                    return [(Kind.SERVICE, f"ipBlock {peer.peer.ip_block.cidr}; if it is a ClusterIP, the packet "
                                           "goes on to a pod whose IP is unknown")]
                return [(Kind.POD, f"ipBlock {peer.peer.ip_block.cidr}; on Dataplane V2 ipBlock never matches "
                                   "a pod, and it may be one")]
            return [(kind, "it may be a pod the selectors match" if kind is Kind.POD
                     else "it may be a ClusterIP sending to a pod the selectors match") for kind in doubt]
        if peer.ns_sel is not None and other.pod.namespace not in self._ns_known:
            if namespace_match_without_labels(peer.ns_sel, other.pod.namespace) is None:
                return [(Kind.NAMESPACE, f"namespaceSelector {selector_text(peer.ns_sel.selector)} needs the "
                                         f"labels of namespace {other.pod.namespace}")]
        return []

    def _first_port(self, ports: tuple[PolicyPort, ...], t: _Traffic, model: Dataplane) -> int | None:
        """Index of the first matching port entry; None for no ports list (every port); NO_MATCH;
        UNDECIDED when no entry matches for sure but one may (the destination's ports are unread)."""
        if not ports:
            return None
        doubt = t.dst_doubt
        undecided = False
        for index, port in enumerate(ports):
            if doubt and port.protocol == t.protocol and port.port is not None:
                # a ClusterIP's port becomes the Service's targetPort; a named port resolves on a pod
                if Kind.SERVICE in doubt or isinstance(port.port, str):
                    undecided = True
                    continue
            if self._port_matches(port, t, model):
                return index
        return UNDECIDED if undecided else NO_MATCH

    def _first_peer(self, namespace: str, peers: tuple[_CPeer, ...], other: Endpoint, other_is_pod: bool,
                    other_ip: str | None, model: Dataplane, doubt: tuple[Kind, ...] = NO_DOUBT) -> int | None:
        """Index of the first matching peer; None for no from/to list (every peer); NO_MATCH;
        UNDECIDED when no peer matches for sure but one may."""
        if not peers:
            return None
        undecided = False
        for index, peer in enumerate(peers):
            state = self._peer_matches(namespace, peer, other, other_is_pod, other_ip, model, doubt)
            if state:
                return index
            if state is None:
                undecided = True
        return UNDECIDED if undecided else NO_MATCH

    def _peer_matches(self, namespace: str, peer: _CPeer, endpoint: Endpoint, is_pod: bool,
                      ip: str | None, model: Dataplane, doubt: tuple[Kind, ...] = NO_DOUBT) -> bool | None:
        """True, False, or None when the answer depends on data that was not read."""
        block = peer.block
        if block is not None:
            if is_pod and model is DV2:
                return False
            address = self._address(ip)
            contains = address is not None and block.contains(address)
            if doubt:
                if Kind.SERVICE in doubt:
                    return None  # the packet's destination becomes an unknown pod's IP
                if not contains:
                    return False
                return None if model is DV2 else True  # on Dataplane V2 ipBlock never matches a pod
            return contains
        if not is_pod:
            return None if doubt and endpoint.pod is None else False
        pod = endpoint.pod
        ns_sel = peer.ns_sel
        state: bool | None = True
        if ns_sel is None:
            if pod.namespace != namespace:
                return False
        elif pod.namespace in self._ns_known:
            key = (id(ns_sel.selector), pod.namespace)
            matched = self._ns_match_cache.get(key)
            if matched is None:
                matched = self._ns_matches(ns_sel.selector, pod.namespace)
            if not matched:
                return False
        else:
            state = self._ns_match_state(ns_sel, pod.namespace)
            if state is False:
                return False
        if peer.pod_sel is not None and not peer.pod_sel.matches(pod.labels):
            return False
        return state

    def _ns_match_state(self, compiled: CompiledSelector, namespace: str) -> bool | None:
        """A namespaceSelector against a namespace whose labels are unknown (not read, or not among
        the namespaces read): decided by kubernetes.io/metadata.name alone where it can be."""
        return namespace_match_without_labels(compiled, namespace)

    def _match_rule(self, policy: NetworkPolicy, direction: Direction, rule: _CRule, other: Endpoint,
                    other_ip: str | None, t: _Traffic, model: Dataplane) -> RuleRef | None:
        port_index = self._first_port(rule.ports, t, model)
        if port_index in (NO_MATCH, UNDECIDED):
            return None
        peer_index = self._first_peer(policy.namespace, rule.peers, other, _subject_to_policy(other), other_ip,
                                      model)
        if peer_index in (NO_MATCH, UNDECIDED):
            return None
        return RuleRef(policy.namespace, policy.name, direction, rule.index, peer_index, port_index)

    def _port_matches(self, port: PolicyPort, t: _Traffic, model: Dataplane) -> bool:
        if port.protocol != t.protocol:
            return False
        if port.port is None:
            return True
        if isinstance(port.port, str):
            # Containers may repeat a port name (the API only warns); policy matches any of them.
            pod = t.dst.pod
            return pod is not None and any(p.name == port.port and p.protocol == port.protocol
                                           and p.container_port == t.port for p in pod.ports)
        if port.end_port is not None and model is not DV2:
            return port.port <= t.port <= port.end_port
        return t.port == port.port

    # ---------------------------------------------------------- explanation

    def _explain_denial(self, outcomes: list, direction: Direction, subject: Endpoint, other: Endpoint,
                        other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]:
        """For each isolating policy, its nearest rules (fewest failing parts) and why each fails."""
        role = "destination" if direction is Direction.EGRESS else "source"
        word = WORDS[direction]
        reasons: list[str] = []
        empty: list[str] = []
        for policy, results in outcomes:
            pname = policy_name(policy)
            if not results:
                empty.append(pname)
                continue
            best = min((peer == NO_MATCH) + (port == NO_MATCH) for _, peer, port in results)
            nearest = [item for item in results if (item[1] == NO_MATCH) + (item[2] == NO_MATCH) == best]
            for rule, peer_index, port_index in nearest[:MAX_RULES_SHOWN]:
                rule_text = f"{word} rule {rule.index} of policy {pname}"
                if peer_index == NO_MATCH:
                    for j, peer in enumerate(rule.peers[:MAX_PEERS_SHOWN]):
                        reasons.append(f"peer {j} of {rule_text}"
                                       f"{self._peer_failure(policy, peer.peer, other, other_ip, role, model)}")
                    if len(rule.peers) > MAX_PEERS_SHOWN:
                        reasons.append(f"{len(rule.peers) - MAX_PEERS_SHOWN} more peers of {rule_text} "
                                       f"do not match the {role} either")
                if port_index == NO_MATCH:
                    for k, port in enumerate(rule.ports[:MAX_PEERS_SHOWN]):
                        reasons.append(f"port entry {k} of {rule_text}: {self._port_failure(port, t, model)}")
                    if len(rule.ports) > MAX_PEERS_SHOWN:
                        reasons.append(f"{len(rule.ports) - MAX_PEERS_SHOWN} more port entries of {rule_text} "
                                       "do not match either")
            if len(nearest) > MAX_RULES_SHOWN:
                reasons.append(f"{len(nearest) - MAX_RULES_SHOWN} more {word} rules of policy {pname} "
                               "fail as closely")
        for pname in empty:
            reasons.append(f"policy {pname} lists {direction} in policyTypes and has no {word} rules: it "
                           f"isolates {subject.name} and allows no {word} traffic by itself")
        return reasons

    def _would_allow(self, pod: Pod, direction: Direction, others: tuple, subject: Endpoint,
                     other: Endpoint, other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]:
        """Policies of the namespace that would allow the traffic but do not select the pod."""
        reasons: list[tuple[bool, str]] = []
        for policy, rules in others:
            for rule in rules:
                ref = self._match_rule(policy, direction, rule, other, other_ip, t, model)
                if ref is not None:
                    text = self._selector_failure(policy.pod_selector, pod.labels, "the pod")
                    reasons.append((text.endswith(")"), f"policy {policy_name(policy)} would allow this by "
                                    f"{WORDS[direction]} rule {rule.index} but does not select {subject.name}: its "
                                    f"podSelector {text}"))
                    break
        # near misses (a typo hint) first
        return [text for near, text in sorted(reasons, key=lambda item: not item[0])]

    def _selector_failure(self, selector: LabelSelector, labels: Mapping[str, str], whose: str) -> str:
        """`needs app=store, WHOSE has app=stor (...)`.

        Cached by the labels' values for the selector's keys: that decides the text, except for
        the hints about absent keys, which look at every label (then the whole label set is key).
        """
        compiled = self._compiled(selector)
        projection = tuple(labels.get(key) for key in compiled.keys)
        key = (id(selector), projection) if None not in projection else \
            (id(selector), projection, frozenset(labels.items()))
        entry = self._selector_text_cache.get(key)
        if entry is None or entry[0] is not selector:
            terms = explain_terms(selector, labels)
            template = failure_text(terms, "\0")
            if template.replace("\0", "\1") != failure_text(terms, "\1"):
                template = None  # the cluster's text holds the placeholder itself: no template
            entry = (selector, template)
            self._selector_text_cache[key] = entry
        if entry[1] is None:
            return failure_text(explain_terms(selector, labels), whose)
        return entry[1].replace("\0", whose)

    def _namespace_failure(self, selector: LabelSelector, namespace: str) -> str:
        text = self._selector_failure(selector, self.namespace_labels(namespace), f"namespace {namespace}")
        return "needs a namespace with " + text[len("needs "):]

    def _peer_failure(self, policy: NetworkPolicy, peer: PolicyPeer, endpoint: Endpoint,
                      ip: str | None, role: str, model: Dataplane) -> str:
        """Why a peer does not match; the text follows `peer J of RULE`."""
        if peer.ip_block is not None:
            cidr = peer.ip_block.cidr
            if model is DV2 and _subject_to_policy(endpoint):
                return (f": ipBlock {cidr} does not apply to pod traffic on Dataplane V2 "
                        "(select pods with podSelector/namespaceSelector instead)")
            address = self._address(ip)
            if address is None:
                return f": ipBlock {cidr} cannot match {role} {endpoint.name}, which has no IP address"
            return f": {self._block(peer.ip_block).why_not(address)}"
        pod = endpoint.pod
        if pod is None or pod.host_network:
            wanted = []
            if peer.pod_selector is not None:
                wanted.append(f"pods {selector_text(peer.pod_selector)}")
            if peer.namespace_selector is not None:
                wanted.append(f"namespaces {selector_text(peer.namespace_selector)}")
            if pod is None:
                return (f" selects {' in '.join(wanted)}; {role} {endpoint.name} is not a pod in the "
                        "cluster, and pod and namespace selectors never match outside addresses")
            return (f" selects {' in '.join(wanted)}; {role} {endpoint.name} is a hostNetwork pod, "
                    "its traffic carries the node's address and selectors do not match it in practice")
        parts = []
        if peer.namespace_selector is None:
            if pod.namespace != policy.namespace:
                parts.append(f"matches only pods in namespace {policy.namespace} (it has no namespaceSelector), "
                             f"{role} is in namespace {pod.namespace}")
        elif not self._ns_matches(peer.namespace_selector, pod.namespace):
            parts.append(self._namespace_failure(peer.namespace_selector, pod.namespace))
        if peer.pod_selector is not None and not self._compiled(peer.pod_selector).matches(pod.labels):
            parts.append(self._selector_failure(peer.pod_selector, pod.labels, role))
        if not parts:
            return " matches"
        return " " + "; and it ".join(parts)

    def _port_failure(self, port: PolicyPort, t: _Traffic, model: Dataplane) -> str:
        if port.protocol != t.protocol:
            return f"allows {_port_text(port)}, traffic is {t.protocol}"
        if isinstance(port.port, str):
            pod = t.dst.pod
            if pod is None:
                return (f"named port {port.port} cannot match destination {t.dst.name}, which is not a pod "
                        "(named ports resolve on the destination pod's containers)")
            numbers = sorted({p.container_port for p in pod.ports
                              if p.name == port.port and p.protocol == port.protocol})
            if not numbers:
                other = [f"{p.protocol} {p.container_port}" for p in pod.ports if p.name == port.port]
                extra = f" (it has {port.port} as {', '.join(other)})" if other else ""
                return (f"named port {port.port}: destination pod {pod.namespace}/{pod.name} declares no "
                        f"{port.protocol} container port named {port.port}{extra}")
            number = " and ".join(str(n) for n in numbers)
            return (f"named port {port.port} resolves to {port.protocol} {number} on destination pod "
                    f"{pod.namespace}/{pod.name}, traffic is to port {t.port}")
        if port.end_port is not None:
            written = f"{port.port}-{port.end_port}"
            if model is DV2:
                if port.port <= t.port <= port.end_port:
                    return (f"port {t.port} is in {written} but only port {port.port} is open "
                            "(endPort ignored on Dataplane V2)")
                return f"port {t.port} not in {written} (endPort ignored on Dataplane V2)"
            return f"port {t.port} not in {written}"
        return f"port {t.port} is not {port.port}"

    def _caveats(self, t: _Traffic, notes: list[str]) -> None:
        if t.src.pod is None and t.dst.pod is None:
            if t.src_doubt or t.dst_doubt:
                notes.append("Neither endpoint is a known pod of this cluster, but the pods or Services were not "
                             "read, so either may be one.")
            else:
                notes.append("Neither endpoint is a pod of this cluster: NetworkPolicy does not govern this "
                             "traffic.")
        if self.dataplane is DV2 and t.dst.address == METADATA_ADDRESS:
            notes.append(f"On Dataplane V2 traffic to {METADATA_ADDRESS} (metadata server, Cloud DNS) is "
                         "rewritten by the node before policy runs; this verdict is uncertain.")
        for role, endpoint in (("Source", t.src), ("Destination", t.dst)):
            pod = endpoint.pod
            if pod is None:
                address = endpoint.address or ""
                owner = self._host_ips.get(address)
                if owner:
                    notes.append(f"{role} {address} is the address of {owner}: node traffic, matched only "
                                 "by ipBlock; the verdict is uncertain.")
                service = self._service_ips.get(address)
                if service is not None and role == "Destination":
                    notes.append(f"{address} is the ClusterIP of Service {service.namespace}/{service.name}; "
                                 "policy applies after the Service picks a pod: ask about "
                                 f"{service.namespace}/svc/{service.name} instead.")
                parsed = self._address(address) if not owner and service is None \
                    and Kind.POD not in self.unread else None
                if parsed is not None:
                    in_pods = self._range_of(self._pod_ranges, parsed)
                    in_services = self._range_of(self._service_ranges, parsed)
                    if in_pods:
                        notes.append(f"{role} {address} lies in {in_pods} but no pod of the snapshot has it (a "
                                     "newer pod, or a stale snapshot?); it was evaluated as an outside address. "
                                     "If it is a pod, selectors decide"
                                     + (" and ipBlock rules never match it on Dataplane V2" if self.dataplane is DV2
                                        else "") + ": ask about the pod by name.")
                    elif in_services and Kind.SERVICE not in self.unread:
                        notes.append(f"{role} {address} lies in {in_services} but no Service of the snapshot has "
                                     "it; a ClusterIP is translated to a backing pod before policy runs: ask "
                                     "about NAMESPACE/svc/NAME.")
                continue
            holders = self._shared_ips.get(endpoint.address or "")
            if holders:
                names = ", ".join(f"{other.namespace}/{other.name}" for other in holders[:4])
                notes.append(f"{role} IP {endpoint.address} is claimed by {len(holders)} live pods ({names}); "
                             f"the snapshot is stale or inconsistent and {endpoint.name} was assumed.")
            if pod.host_network:
                notes.append(f"{role} {endpoint.name} uses the host network: NetworkPolicy does not apply to "
                             "hostNetwork pods in practice, and its traffic carries the node's address, so "
                             "this verdict is uncertain.")
            if not pod.is_live:
                notes.append(f"{role} pod {endpoint.name} is in phase {pod.phase} and sends or receives no "
                             "traffic.")
                holder = self._pod_by_ip.get(endpoint.address or "")
                if holder is not None and holder is not pod:
                    notes.append(f"Its IP {endpoint.address} now belongs to live pod {holder.namespace}/"
                                 f"{holder.name}: traffic to that address reaches that pod, under its policies.")
            if endpoint.address is None:
                notes.append(f"{role} pod {endpoint.name} has no IP address yet: ipBlock rules cannot match it.")
        if t.src.pod is not None and t.src.pod is t.dst.pod:
            if t.dst.service is None:
                notes.append("Source and destination are the same pod: traffic to its own IP (or localhost) "
                             "never leaves the pod's network namespace, so NetworkPolicy does not apply.")
            else:
                notes.append("Source and destination are the same pod, reached through its Service (hairpin): "
                             "whether policy applies to hairpin traffic depends on the dataplane; the verdict "
                             "shown applies the policies.")

    # ------------------------------------------------------------- CIDR sweep

    def evaluate_cidr(self, pod: Pod, cidr: str, port: int, protocol: str,
                      direction: Direction | str) -> CidrVerdict:
        """Is EVERY address of cidr allowed to reach the pod (Ingress) / be reached from it
        (Egress) on port/protocol? The addresses are treated as outside the cluster."""
        direction = check_direction(direction)
        protocol = check_protocol(protocol)
        port = check_port(port)
        try:
            network = parse_network(cidr)
        except ValueError:
            raise EndpointError(f"not a CIDR: {cidr!r}") from None
        notes = list(self.notes)
        group = self._group_for(pod)
        policies = group.ingress if direction is Direction.INGRESS else group.egress
        names = tuple(policy_name(policy) for policy in policies)

        def verdict(full: bool, partial: bool, isolated: bool, refs: tuple[RuleRef, ...] = (),
                    uncovered: tuple[str, ...] = ()) -> CidrVerdict:
            return CidrVerdict(pod, str(network), port, protocol, direction, self.dataplane, full, partial,
                               isolated, refs, uncovered, names, tuple(notes))

        if self.dataplane is Dataplane.NONE:
            return verdict(True, False, False)
        if pod.host_network:
            notes.append(f"{pod.namespace}/{pod.name} uses the host network: NetworkPolicy does not apply to it "
                         "in practice.")
            return verdict(True, False, False)
        if Kind.NETWORK_POLICY in self.unread:
            because = self.unread.because(Kind.NETWORK_POLICY, f"which policies isolate the {direction.word} "
                                                               f"of {pod.namespace}/{pod.name}")
            return CidrVerdict(pod, str(network), port, protocol, direction, self.dataplane, False, False, None,
                               (), (), (), tuple(notes), (because,))
        if not policies:
            return verdict(True, False, False)
        target = [network_interval(network)]
        if self.dataplane is DV2 and direction is Direction.EGRESS \
                and intersect(target, [network_interval(parse_network(METADATA_ADDRESS + "/32"))]):
            notes.append(f"On Dataplane V2 traffic to {METADATA_ADDRESS} is rewritten by the node before policy "
                         "runs; this verdict is uncertain.")
        overlap = self._range_holding(self._pod_ranges, target)
        if overlap:
            notes.append(f"{network} overlaps {overlap}: this sweep treats every address as outside the cluster, "
                         "but pods there are governed by selectors"
                         + (", and ipBlock rules never match pod traffic on Dataplane V2" if self.dataplane is DV2
                            else "") + ".")
        subject = Endpoint.for_pod(pod)
        if direction is Direction.INGRESS:
            traffic = _Traffic(Endpoint.for_address(str(network.network_address)), subject, None, None, port,
                               protocol)
        else:
            traffic = _Traffic(subject, Endpoint.for_address(str(network.network_address)), None, None, port,
                               protocol)
        covered: list = []
        refs: list[RuleRef] = []
        for policy in policies:
            rules = policy.ingress if direction is Direction.INGRESS else policy.egress
            for index, rule in enumerate(rules):
                port_index = None
                if rule.ports:
                    port_index = next((k for k, p in enumerate(rule.ports)
                                       if self._port_matches(p, traffic, self.dataplane)), None)
                    if port_index is None:
                        continue
                if not rule.peers:
                    covered.extend(target)
                    refs.append(RuleRef(policy.namespace, policy.name, direction, index, None, port_index))
                    continue
                first_peer = None
                for j, peer in enumerate(rule.peers):
                    if peer.ip_block is None:
                        continue
                    part = intersect(self._block(peer.ip_block).intervals(), target)
                    if part:
                        covered.extend(part)
                        first_peer = j if first_peer is None else first_peer
                if first_peer is not None:
                    refs.append(RuleRef(policy.namespace, policy.name, direction, index, first_peer, port_index))
        uncovered = subtract(target, covered)
        full = not uncovered
        return verdict(full, bool(covered) and not full, True, tuple(refs), interval_cidrs(uncovered))
