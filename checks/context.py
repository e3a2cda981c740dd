"""What every check gets: the snapshot, the verdict engine, and shared, lazily built indexes.

Checks stay pure functions of this context. Indexes that several checks need (live pods per
namespace, pods per node, the pod range) are computed once per run, which is what keeps all
25 checks on a 100,000-pod cluster within the benchmark budget.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from netpol_tui.checks.addresses import (
    IPAddress,
    canonical_ip,
    cluster_range,
    pod_addresses,
    pods_by_ip,
    service_addresses,
)
from netpol_tui.checks.addresses import Network as Network
from netpol_tui.checks.addresses import address_exclude as address_exclude
from netpol_tui.checks.addresses import subnet_of as subnet_of
from netpol_tui.checks.enforcement import ClusterIdentity, EnforcementState, cluster_identity
from netpol_tui.checks.model import Command, Evidence, Severity, Subject
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.objects import Namespace, Node, Origin, Pod, Service
from netpol_tui.model.policy import LabelSelector, NetworkPolicy
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.policy.dataplane import resolve_dataplane
from netpol_tui.shell import ShellCommand, gcloud, join
from netpol_tui.versions import GkeVersion, try_parse_version

if TYPE_CHECKING:
    from netpol_tui.policy import PolicyEngine

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
SYSTEM_PREFIXES = ("gke-", "gmp-")
#: How to supply each kind with --files (the live source reads them itself).
KIND_HINTS = {
    Kind.NAMESPACE: "kubectl get namespaces -o json",
    Kind.POD: "kubectl get pods -A -o json",
    Kind.NODE: "kubectl get nodes -o json",
    Kind.NETWORK_POLICY: "kubectl get networkpolicies -A -o json",
    Kind.SERVICE: "kubectl get services -A -o json",
    Kind.INGRESS: "kubectl get ingresses -A -o json",
    Kind.WORKLOAD: "kubectl get deployments,statefulsets,daemonsets,replicasets -A -o json",
    Kind.EVENT: "kubectl get events -A -o json",
    Kind.OPERATION: "gcloud container operations list --location=LOCATION --format=json",
    Kind.NETWORK_LOGGING: "kubectl get networklogging -o json",
}


class CheckUnknown(Exception):
    """Raised by a check that lacks the data to decide; the message says what to supply."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_system_namespace(name: str) -> bool:
    return name in SYSTEM_NAMESPACES or name.startswith(SYSTEM_PREFIXES)


@dataclass(frozen=True, slots=True)
class Hit:
    """A finding as a check reports it; the registry adds id, symbol, title and explanation."""

    subject: Subject
    message: str
    evidence: tuple[Evidence, ...] = ()
    commands: tuple[Any, ...] = ()
    manifest: str | None = None
    placeholders: tuple[str, ...] = ()
    severity: Severity | None = None
    origin: Origin | None = None
    notes: tuple[str, ...] = field(default=())


class Context:
    """One check run over one snapshot."""

    def __init__(self, snapshot: Snapshot, engine: PolicyEngine | None, engine_error: str | None = None) -> None:
        self.snapshot = snapshot
        self.engine = engine
        self.engine_error = engine_error
        #: Reasons a check could decide only part of its question, by check id (see `partial`).
        self.partial_unknown: dict[str, list[str]] = {}
        self.current_check = ""
        #: Indexes a check module builds once per run (keyed by the module's own names).
        self.cache: dict[Hashable, Any] = {}

    # ------------------------------------------------------------- requirements

    def kind_missing(self, kind: Kind) -> str | None:
        """Why a kind cannot be used, or None when it was loaded."""
        reason = self.snapshot.unknown_reason(kind)
        if reason:
            return f"{kind} could not be read ({reason})"
        if kind is Kind.CLUSTER:
            if self.snapshot.cluster is None:
                identity = cluster_identity(self.snapshot)
                describe = gcloud(("container", "clusters", "describe"), identity.name,
                                  (*identity.flag_args, "--format=json")).text
                return f"no GKE cluster information; add `{describe}` output with --files"
            return None
        if not self.snapshot.has(kind):
            hint = KIND_HINTS.get(kind)
            if kind is Kind.OPERATION:
                hint = join(("gcloud", "container", "operations", "list",
                             f"--location={cluster_identity(self.snapshot).location}", "--format=json"))
            return f"no {kind} objects were loaded; add `{hint}` output with --files"
        return None

    def need(self, *kinds: Kind) -> None:
        for kind in kinds:
            reason = self.kind_missing(kind)
            if reason:
                raise CheckUnknown(reason)

    def need_engine(self) -> PolicyEngine:
        if self.engine is None:
            raise CheckUnknown(f"the verdict engine is unavailable ({self.engine_error or 'not loaded'})")
        return self.engine

    def partial(self, reason: str) -> None:
        """Record that the running check could not decide some cases (reported as unknown beside
        its findings)."""
        reasons = self.partial_unknown.setdefault(self.current_check, [])
        if reason not in reasons:
            reasons.append(reason)

    @property
    def cluster(self) -> GkeCluster | None:
        return self.snapshot.cluster

    def need_cluster(self) -> GkeCluster:
        self.need(Kind.CLUSTER)
        assert self.snapshot.cluster is not None
        return self.snapshot.cluster

    def need_version(self) -> GkeVersion:
        cluster = self.need_cluster()
        version = try_parse_version(cluster.current_master_version)
        if version is None:
            raise CheckUnknown(f"the control-plane version {cluster.current_master_version!r} is missing or not a "
                               "GKE version (currentMasterVersion)")
        return version

    # ------------------------------------------------------------- shared facts

    @cached_property
    def state(self) -> EnforcementState:
        return EnforcementState.from_snapshot(self.snapshot)

    @cached_property
    def identity(self) -> ClusterIdentity:
        return cluster_identity(self.snapshot)

    @property
    def dataplane(self) -> str:
        """calico / dataplane-v2 / kubernetes / none, as the engine (or the cluster info) says."""
        if self.engine is not None:
            return str(self.engine.dataplane)
        return str(resolve_dataplane(self.snapshot)[0])

    @cached_property
    def live_pods(self) -> tuple[Pod, ...]:
        return tuple(pod for pod in self.snapshot.pods if pod.is_live)

    @cached_property
    def live_pods_by_namespace(self) -> dict[str, list[Pod]]:
        out: dict[str, list[Pod]] = {}
        for pod in self.live_pods:
            out.setdefault(pod.namespace, []).append(pod)
        return out

    @cached_property
    def live_pods_by_node(self) -> dict[str, list[Pod]]:
        out: dict[str, list[Pod]] = {}
        for pod in self.live_pods:
            if pod.node_name:
                out.setdefault(pod.node_name, []).append(pod)
        return out

    @cached_property
    def policies_by_namespace(self) -> dict[str, list[NetworkPolicy]]:
        out: dict[str, list[NetworkPolicy]] = {}
        for policy in self.snapshot.policies:
            out.setdefault(policy.namespace, []).append(policy)
        return out

    @cached_property
    def namespaces(self) -> dict[str, Namespace]:
        return {namespace.name: namespace for namespace in self.snapshot.namespaces}

    @cached_property
    def nodes(self) -> dict[str, Node]:
        return {node.name: node for node in self.snapshot.nodes}

    @cached_property
    def pod_ranges(self) -> tuple[Network, ...]:
        """The cluster's pod range; without it, each pod IP seen as a /32 (or /128)."""
        cluster = self.snapshot.cluster
        return cluster_range(cluster.pod_ipv4_cidr if cluster is not None else None)

    @cached_property
    def pod_addresses(self) -> tuple[tuple[IPAddress, Pod], ...]:
        """(ip_address, pod) for every live, non-hostNetwork pod with an IP."""
        return pod_addresses(self.live_pods)

    def live_pod_by_ip(self, address: str) -> Pod | None:
        """The live, non-hostNetwork pod holding the address (text as the CIDR gave it)."""
        index = self.cache.get("pod-by-ip")
        if index is None:
            index = self.cache["pod-by-ip"] = pods_by_ip(self.live_pods)
        return index.get(canonical_ip(address))

    @cached_property
    def service_ranges(self) -> tuple[Network, ...]:
        cluster = self.snapshot.cluster
        return cluster_range(cluster.services_ipv4_cidr if cluster is not None else None)

    @cached_property
    def service_addresses(self) -> dict[str, Service]:
        return service_addresses(self.snapshot.services)

    # ------------------------------------------------------------- helpers

    @cached_property
    def _label_groups(self) -> dict[str, dict[tuple[Hashable, ...], list[Pod]]]:
        out: dict[str, dict[tuple[Hashable, ...], list[Pod]]] = {}
        for pod in self.live_pods:
            out.setdefault(pod.namespace, {}).setdefault(
                (frozenset(pod.labels.items()), pod.host_network), []).append(pod)
        return out

    def label_groups(self, namespace: str) -> list[list[Pod]]:
        """The namespace's live pods grouped by (labels, hostNetwork): the engine answers every
        selection and isolation question alike for the members of one group."""
        return list(self._label_groups.get(namespace, {}).values())

    def isolated_groups(self, namespace: str, direction: str) -> list[list[Pod]]:
        """Label groups of live pods isolated in that direction as enforced (engine's `is_isolated`)."""
        engine = self.need_engine()
        key = ("isolated", namespace, str(direction))
        groups = self.cache.get(key)
        if groups is None:
            groups = self.cache[key] = [group for group in self.label_groups(namespace)
                                        if engine.is_isolated(group[0], direction)]
        return groups

    def egress_groups(self, namespace: str) -> list[tuple[Pod, list[Pod], tuple[NetworkPolicy, ...]]]:
        """Egress-isolated live pods of the namespace merged by the egress policies that isolate them
        (and hostNetwork): (representative, members, policies). For egress to an address outside
        the cluster the engine's answer depends on nothing else about the source pod."""
        from netpol_tui.policy import Direction

        engine = self.need_engine()
        merged: dict[tuple[Hashable, ...], tuple[Pod, list[Pod], tuple[NetworkPolicy, ...]]] = {}
        for group in self.isolated_groups(namespace, Direction.EGRESS):
            policies = engine.isolating_policies(group[0], Direction.EGRESS)
            key = (tuple(id(policy) for policy in policies), group[0].host_network)
            entry = merged.get(key)
            if entry is None:
                merged[key] = (group[0], list(group), policies)
            else:
                entry[1].extend(group)
        return list(merged.values())

    def label_set_index(self, *, host_network: bool = True) -> dict[str, dict[frozenset[tuple[str, str]], Mapping[str, str]]]:
        """namespace -> distinct label sets of its live pods (with or without hostNetwork pods)."""
        key = f"label-sets/{host_network}"
        index = self.cache.get(key)
        if index is None:
            index = self.cache[key] = {
                namespace: {labels: members[0].labels for (labels, on_host), members in groups.items()
                            if host_network or not on_host}
                for namespace, groups in self._label_groups.items()}
        return index

    def live_label_sets(self, namespace: str, *, host_network: bool = True) -> list[Mapping[str, str]]:
        """Distinct label sets of the namespace's live pods (hostNetwork pods optionally left out)."""
        return list(self.label_set_index(host_network=host_network).get(namespace, {}).values())

    def any_live_pod_matches(self, namespace: str, selector: LabelSelector | None, *,
                             host_network: bool = True) -> bool:
        """Does the selector (None or empty: every pod) match a live pod of the namespace? Cached by
        the selector's value, since thousands of policies repeat the same selectors."""
        from netpol_tui.policy import CompiledSelector

        key = ("any-match", namespace, selector_key(selector), host_network)
        result = self.cache.get(key)
        if result is None:
            sets = self.live_label_sets(namespace, host_network=host_network)
            if selector is None or selector.is_empty:
                result = bool(sets)
            else:
                compiled = CompiledSelector(selector)
                result = any(compiled.matches(labels) for labels in sets)
            self.cache[key] = result
        return result

    def declared_ports(self, namespace: str, selector: LabelSelector | None, *,
                       host_network: bool = True) -> tuple[int, set[tuple[str, str]]]:
        """(number of live pods the selector matches in the namespace, their named container
        ports as (name, protocol)); cached by the selector's value."""
        from netpol_tui.policy import CompiledSelector

        key = ("declared", namespace, selector_key(selector), host_network)
        result = self.cache.get(key)
        if result is None:
            compiled = CompiledSelector(selector) if selector is not None else None
            count, names = 0, set[tuple[str, str]]()
            for group in self.label_groups(namespace):
                if (not host_network and group[0].host_network) or (
                        compiled is not None and not compiled.matches(group[0].labels)):
                    continue
                count += len(group)
                names.update((port.name, port.protocol) for pod in group for port in pod.ports if port.name)
            result = self.cache[key] = (count, names)
        return result

    def namespaces_matching(self, selector: LabelSelector) -> tuple[str, ...]:
        """The engine's namespaces for a namespaceSelector, cached by the selector's value."""
        key = ("namespaces", selector_key(selector))
        result = self.cache.get(key)
        if result is None:
            result = self.cache[key] = self.need_engine().namespaces_matching(selector)
        return result

    def pod_groups(self, pods: Iterable[Pod]) -> Iterator[tuple[Pod, list[Pod]]]:
        """Pods sharing namespace, labels, hostNetwork and ports get one answer from the engine
        for any question about an address outside the cluster: yield (representative, members)."""
        groups: dict[tuple[Hashable, ...], list[Pod]] = {}
        for pod in pods:
            key = (pod.namespace, frozenset(pod.labels.items()), pod.host_network, pod.ports)
            groups.setdefault(key, []).append(pod)
        for members in groups.values():
            yield members[0], members


def selector_key(selector: LabelSelector | None) -> tuple[Hashable, ...]:
    """A hashable value for a LabelSelector (whose dict field makes it unhashable)."""
    if selector is None:
        return ("none",)
    return (tuple(sorted(selector.match_labels.items())),
            tuple((req.key, str(req.operator), tuple(sorted(req.values))) for req in selector.match_expressions))


def commands(*items: tuple[ShellCommand, str]) -> tuple[tuple[Command, ...], tuple[str, ...]]:
    """(ShellCommand, description) pairs -> (Command tuple, placeholders). Commands are argv
    only (see `netpol_tui.shell`): a preformatted string would escape the one quoting rule."""
    out: list[Command] = []
    placeholders: list[str] = []
    for command, description in items:
        if not isinstance(command, ShellCommand):
            raise TypeError(f"a remediation command must be a ShellCommand, not {type(command).__name__}")
        placeholders.extend(command.placeholders)
        out.append(Command(command.argv, description, command.stdin))
    return tuple(out), tuple(dict.fromkeys(placeholders))
