"""Traffic GKE itself needs that policies may block: GKE008, GKE013, GKE014, GKE015 and NP004.

Every question here is put to the verdict engine (`evaluate` for one address or pod,
`evaluate_cidr` for a range) under the cluster's dataplane, so a finding and
`netpol-tui explain` for the same pod always agree. Pods that share namespace, labels,
hostNetwork and ports get the same answer for an address outside the cluster, so each such
group is asked once.

This module holds GKE008 (metadata server) and GKE015 (private control-plane endpoint); NP004
(DNS) is in `checks/reachability_dns.py`, GKE013 and GKE014 (ingress from load balancers and
nodes) in `checks/reachability_ingress.py`, the shared egress helpers in
`checks/reachability_common.py`. Their names are re-exported here for the callers that import
them from this module.
"""

from __future__ import annotations

from collections.abc import Iterator

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.gke_common import need_datapath
from netpol_tui.checks.manifests import ip_peer
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.checks.reachability_common import _egress_blocked_to_address, _egress_manifest, _pods_evidence
from netpol_tui.checks.reachability_dns import (
    CLOUD_DNS_ADDRESS,
    KUBE_DNS_LABELS,
    NODE_LOCAL_DNS_ADDRESS,
    NODE_LOCAL_DNS_LABEL,
    _dns_mode,
    _dns_peers,
    _kube_dns_pods,
    check_dns_egress_blocked,
)
from netpol_tui.checks.reachability_ingress import (
    GCE_INGRESS_CLASSES,
    HEALTH_CHECK_RANGES,
    NEG_ANNOTATION,
    check_lb_health_checks_blocked,
    check_node_port_cross_node,
)
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import apply, gcloud
from netpol_tui.text import plural
from netpol_tui.versions import GkeVersion

METADATA_NEW = ("169.254.169.252", 988)
METADATA_OLD = ("127.0.0.1", 988)
METADATA_DPV2 = ("169.254.169.254", 80)
METADATA_NEW_SINCE = GkeVersion.parse("1.21.0-gke.1000")
DPV2_REWRITE_NOTE = ("On Dataplane V2 the node may rewrite traffic to 169.254.169.254 before policy runs; treat "
                     "this verdict as uncertain.")


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


#: Every name callers import from here; `_dns_mode`, `_dns_peers` and `_kube_dns_pods` for older callers of
#: the FQDN checks (they now import `checks/reachability_dns.py`).
__all__ = [
    "CLOUD_DNS_ADDRESS", "DPV2_REWRITE_NOTE", "GCE_INGRESS_CLASSES", "HEALTH_CHECK_RANGES", "KUBE_DNS_LABELS",
    "METADATA_DPV2", "METADATA_NEW", "METADATA_NEW_SINCE", "METADATA_OLD", "NEG_ANNOTATION",
    "NODE_LOCAL_DNS_ADDRESS", "NODE_LOCAL_DNS_LABEL", "_dns_mode", "_dns_peers", "_kube_dns_pods",
    "check_control_plane_egress_blocked", "check_dns_egress_blocked", "check_lb_health_checks_blocked",
    "check_metadata_egress_blocked", "check_node_port_cross_node", "metadata_endpoint",
]
