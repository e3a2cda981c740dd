"""Join recorded endpoints to the snapshot: pods by namespace/name, else by IP.

A Service ClusterIP, a node address and an address outside the cluster are told apart. A pod
the record names but the snapshot does not hold (recreated since, or a stale snapshot) is
evaluated as a pod of the same workload when the snapshot has one, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from netpol_tui.flows.gke_log import canonical_ipv4
from netpol_tui.flows.records import Peer
from netpol_tui.model.objects import Pod, Service
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import Endpoint, EndpointError, PolicyEngine

POD, EXTERNAL, NODE, SERVICE, MISSING = "pod", "external", "node", "service", "missing-pod"
TEMPLATE_HASH = "pod-template-hash"


@dataclass(frozen=True, slots=True)
class Joined:
    """One recorded endpoint resolved against the snapshot."""

    kind: str
    #: What the engine evaluates; None when nothing in the snapshot can stand for it.
    endpoint: Endpoint | None
    namespace: str | None
    pod_name: str | None
    workload: str | None
    ip: str | None
    #: The grouping identity: a workload, a pod, a Service, a node or an address.
    identity: tuple
    pod: Pod | None = None
    service: Service | None = None
    node: str | None = None
    #: The pod the record names is not in the snapshot (the endpoint, if any, is a sibling pod).
    missing: bool = False
    #: Sentences about the join (pod not in snapshot, IP now held by another pod, ...).
    notes: tuple[str, ...] = ()


def pod_workload(pod: Pod) -> str | None:
    """`Deployment/web` for a ReplicaSet pod whose name carries its pod-template-hash, else `KIND/NAME`."""
    if not pod.owner_kind or not pod.owner_name:
        return None
    if pod.owner_kind == "ReplicaSet":
        suffix = pod.labels.get(TEMPLATE_HASH)
        if suffix and pod.owner_name.endswith("-" + suffix):
            return f"Deployment/{pod.owner_name[:-len(suffix) - 1]}"
    return f"{pod.owner_kind}/{pod.owner_name}"


class Resolver:
    """Resolves recorded peers, caching by the recorded fields (records repeat endpoints a lot)."""

    def __init__(self, engine: PolicyEngine, snapshot: Snapshot) -> None:
        self.engine = engine
        self.snapshot = snapshot
        self._cache: dict[Peer, Joined] = {}
        #: id(peer) -> (peer, joined): read inline by `Comparer.evaluate`
        self.by_id: dict[int, tuple[Peer, Joined]] = {}
        self._service_ips: dict[str, Service] = {}
        for service in snapshot.services:
            for ip in service.cluster_ips:
                if ip and ip != "None":
                    self._service_ips.setdefault(ip, service)
        self._node_ips: dict[str, str] = {}
        for node in snapshot.nodes:
            for node_ip in (node.internal_ip, node.external_ip):
                if node_ip:
                    self._node_ips.setdefault(node_ip, node.name)
        self._by_workload: dict[tuple[str, str, str], list[Pod]] | None = None

    def resolve(self, peer: Peer) -> Joined:
        # by identity first: the fast reader makes one Peer object per distinct peer, and an int
        # hashes for less than a 6-tuple of strings (the entry keeps the peer alive, so its id stays its own)
        entry = self.by_id.get(id(peer))
        if entry is not None and entry[0] is peer:
            return entry[1]
        joined = self._cache.get(peer)
        if joined is None:
            joined = self._cache[peer] = self._resolve(peer)
        self.by_id[id(peer)] = (peer, joined)
        return joined

    def _resolve(self, peer: Peer) -> Joined:
        if peer.pod and peer.namespace:
            pod = self.engine.pod(peer.namespace, peer.pod)
            if pod is not None:
                return self._pod(pod, peer, ())
            return self._missing(peer)
        ip = peer.ip
        if ip is None:
            return Joined(EXTERNAL, None, peer.namespace, None, None, None, ("unknown",),
                          notes=("the record names neither a pod nor an IP address",))
        if peer.reserved in ("host", "remote-node") or ip in self._node_ips:
            node = self._node_ips.get(ip)
            where = f"node {node}" if node else f"a node ({peer.reserved})"
            return Joined(NODE, Endpoint.for_address(ip), None, None, None, ip, ("node", node or ip), node=node,
                          notes=(f"{ip} is the address of {where}",))
        service = self._service_ips.get(ip)
        if service is not None:
            return Joined(SERVICE, None, service.namespace, None, None, ip,
                          ("service", service.namespace, service.name), service=service,
                          notes=(f"{ip} is the ClusterIP of Service {service.namespace}/{service.name}",))
        try:
            endpoint = self.engine.resolve_address(ip)
        except EndpointError as exc:
            return Joined(EXTERNAL, None, None, None, None, ip, ("ip", ip), notes=(str(exc),))
        if endpoint.pod is not None:
            return self._pod(endpoint.pod, peer, ())
        return Joined(EXTERNAL, endpoint, None, None, None, ip, ("ip", ip))

    def _pod(self, pod: Pod, peer: Peer, notes: tuple[str, ...]) -> Joined:
        ip = peer.ip if peer.ip and peer.ip in pod.pod_ips else None
        extra = list(notes)
        if peer.ip and pod.pod_ips and peer.ip not in pod.pod_ips:
            extra.append(f"the record gives pod {pod.namespace}/{pod.name} IP {peer.ip}, the snapshot gives "
                         f"{', '.join(pod.pod_ips)} (the pod was recreated since, or the snapshot is stale)")
        workload = pod_workload(pod)
        identity = ("workload", pod.namespace, workload) if workload else ("pod", pod.namespace, pod.name)
        # the pod's own canonical address is what Endpoint takes without one: spare it the parse
        address = None if ip is not None and ip == pod.ip and canonical_ipv4(ip) else ip
        return Joined(POD, Endpoint.for_pod(pod, address=address), pod.namespace, pod.name, workload, ip or pod.ip,
                      identity, pod=pod, notes=tuple(extra))

    def _missing(self, peer: Peer) -> Joined:
        """A pod the record names that the snapshot lacks: stand in a sibling of its workload if any."""
        assert peer.namespace and peer.pod
        recorded = f"{peer.namespace}/{peer.pod}"
        notes = [f"pod {recorded} is not in the snapshot (recreated since, or the snapshot is stale)"]
        holder = None
        if peer.ip:
            try:
                holder = self.engine.resolve_address(peer.ip).pod
            except EndpointError:
                holder = None
            if holder is not None:
                notes.append(f"its IP {peer.ip} now belongs to pod {holder.namespace}/{holder.name}")
        workload = None
        if peer.workload_kind and peer.workload_name:
            workload = f"{peer.workload_kind}/{peer.workload_name}"
        sibling = self._sibling(peer)
        if sibling is not None:
            notes.append(f"evaluated as pod {sibling.namespace}/{sibling.name} of the same workload")
            workload = pod_workload(sibling) or workload
            endpoint: Endpoint | None = Endpoint.for_pod(sibling)
        else:
            endpoint = None
            notes.append("no pod of its workload is in the snapshot either, so its labels are unknown")
        identity = ("workload", peer.namespace, workload) if workload else ("pod", peer.namespace, peer.pod)
        return Joined(MISSING, endpoint, peer.namespace, peer.pod, workload, peer.ip, identity, pod=sibling,
                      missing=True, notes=tuple(notes))

    def _sibling(self, peer: Peer) -> Pod | None:
        if not (peer.workload_kind and peer.workload_name and peer.namespace):
            return None
        if self._by_workload is None:
            index: dict[tuple[str, str, str], list[Pod]] = {}
            for pod in self.snapshot.pods:
                if pod.owner_kind and pod.owner_name and pod.is_live:
                    index.setdefault((pod.namespace, pod.owner_kind, pod.owner_name), []).append(pod)
                    workload = pod_workload(pod)
                    if workload and workload.startswith("Deployment/"):
                        index.setdefault((pod.namespace, "Deployment", workload[len("Deployment/"):]), []).append(pod)
            self._by_workload = index
        pods = self._by_workload.get((peer.namespace, peer.workload_kind, peer.workload_name))
        return min(pods, key=lambda pod: pod.name) if pods else None
