"""GKE objects back to gcloud-shaped dicts (cluster, node pools, maintenance policy, operations)
and the CRD kinds (FQDNNetworkPolicy, Cilium policies, NetworkLogging) as they were read.

Split from `serialize.py` (the public entry, which re-exports these) to mirror `parse_gke`
and `parse_gke_policy`: the REST shapes of the GKE API apart from the Kubernetes kinds.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.model.gke import GkeCluster, GkeNodePool, GkeOperation, MaintenancePolicy
from netpol_tui.model.gke_logging import NetworkLogging
from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Write a field only when it was read: absent stays absent, so a saved snapshot loads back
    with "not read" kept apart from an empty or false value."""
    if value is not None:
        out[key] = value


def _node_pool(pool: GkeNodePool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": pool.name}
    config: dict[str, Any] = {}
    _put(config, "machineType", pool.machine_type)
    if pool.workload_metadata_mode is not None:
        config["workloadMetadataConfig"] = {"mode": pool.workload_metadata_mode}
    if config:
        out["config"] = config
    _put(out, "initialNodeCount", pool.initial_node_count)
    scaling: dict[str, Any] = {}
    if pool.autoscaling_enabled:
        scaling["enabled"] = True
    _put(scaling, "minNodeCount", pool.min_node_count)
    _put(scaling, "maxNodeCount", pool.max_node_count)
    if scaling:
        out["autoscaling"] = scaling
    if pool.locations:
        out["locations"] = list(pool.locations)
    _put(out, "version", pool.version)
    _put(out, "status", pool.status)
    return out


def _maintenance(policy: MaintenancePolicy) -> dict[str, Any]:
    window: dict[str, Any] = {}
    if policy.daily_start_time is not None or policy.daily_duration is not None:
        daily = {"startTime": policy.daily_start_time, "duration": policy.daily_duration}
        window["dailyMaintenanceWindow"] = {k: v for k, v in daily.items() if v is not None}
    if policy.recurring_start_time is not None or policy.recurring_end_time is not None \
            or policy.recurrence is not None:
        recurring: dict[str, Any] = {}
        inner = {"startTime": policy.recurring_start_time, "endTime": policy.recurring_end_time}
        inner = {k: v for k, v in inner.items() if v is not None}
        if inner:
            recurring["window"] = inner
        _put(recurring, "recurrence", policy.recurrence)
        window["recurringWindow"] = recurring
    if policy.exclusions:
        exclusions = {}
        for exclusion in policy.exclusions:
            entry: dict[str, Any] = {}
            _put(entry, "startTime", exclusion.start_time)
            _put(entry, "endTime", exclusion.end_time)
            if exclusion.scope is not None:
                entry["maintenanceExclusionOptions"] = {"scope": exclusion.scope}
            exclusions[exclusion.name] = entry
        window["maintenanceExclusions"] = exclusions
    return {"window": window} if window else {}


def cluster_to_dict(cluster: GkeCluster) -> dict[str, Any]:
    """`gcloud container clusters describe --format=json` shape (REST Cluster, camelCase)."""
    out: dict[str, Any] = {"name": cluster.name}
    simple = (("location", cluster.location), ("selfLink", cluster.self_link), ("status", cluster.status),
              ("currentMasterVersion", cluster.current_master_version),
              ("currentNodeVersion", cluster.current_node_version), ("endpoint", cluster.public_endpoint),
              ("network", cluster.network), ("subnetwork", cluster.subnetwork))
    out.update({key: value for key, value in simple if value is not None})
    if cluster.locations:
        out["locations"] = list(cluster.locations)
    if cluster.autopilot:
        out["autopilot"] = {"enabled": True}
    addons: dict[str, Any] = {}
    if cluster.network_policy_addon_present:
        addons["networkPolicyConfig"] = {"disabled": True} if cluster.network_policy_addon_disabled else {}
    if cluster.dns_cache_enabled:
        addons["dnsCacheConfig"] = {"enabled": True}
    # Written even when empty: a missing addonsConfig, networkPolicy or networkConfig reads back as
    # "not known", which is not what an empty one says.
    if addons or cluster.addons_config_present:
        out["addonsConfig"] = addons
    policy: dict[str, Any] = {}
    _put(policy, "provider", cluster.network_policy_provider)
    if cluster.network_policy_enabled:
        policy["enabled"] = True
    if policy or cluster.network_policy_enabled is False:
        out["networkPolicy"] = policy
    network: dict[str, Any] = {}
    _put(network, "datapathProvider", cluster.datapath_provider)
    if cluster.enable_fqdn_network_policy:
        network["enableFqdnNetworkPolicy"] = True
    if cluster.cluster_dns is not None:
        network["dnsConfig"] = {"clusterDns": cluster.cluster_dns}
    if network or cluster.network_config_present:
        out["networkConfig"] = network
    allocation: dict[str, Any] = {}
    _put(allocation, "clusterIpv4CidrBlock", cluster.pod_ipv4_cidr)
    _put(allocation, "servicesIpv4CidrBlock", cluster.services_ipv4_cidr)
    if allocation:
        out["ipAllocationPolicy"] = allocation
    if cluster.private_endpoint is not None:
        out["privateClusterConfig"] = {"privateEndpoint": cluster.private_endpoint}
    if cluster.psc_private_endpoint is not None:
        out["controlPlaneEndpointsConfig"] = {"ipEndpointsConfig": {"privateEndpoint": cluster.psc_private_endpoint}}
    if cluster.workload_pool is not None:
        out["workloadIdentityConfig"] = {"workloadPool": cluster.workload_pool}
    if cluster.maintenance_policy is not None:
        out["maintenancePolicy"] = _maintenance(cluster.maintenance_policy)
    # Always present: it is also what tells a bare describe document from other JSON.
    out["nodePools"] = [_node_pool(pool) for pool in cluster.node_pools]
    return out


def operation_to_dict(operation: GkeOperation) -> dict[str, Any]:
    """One REST Operation (as in `gcloud container operations list --format=json`)."""
    out: dict[str, Any] = {"name": operation.name, "operationType": operation.operation_type,
                           "status": operation.status}
    simple = (("location", operation.zone), ("targetLink", operation.target_link),
              ("startTime", operation.start_time), ("endTime", operation.end_time),
              ("statusMessage", operation.status_message))
    out.update({key: value for key, value in simple if value is not None})
    if operation.progress_metrics:
        out["progress"] = {"metrics": [{"name": name, "intValue": str(value)}
                                       for name, value in operation.progress_metrics]}
    return out


# --------------------------------------------------------------------------- CRD policy kinds


def crd_policy_to_dict(obj: FqdnNetworkPolicy | CiliumPolicy | NetworkLogging) -> dict[str, Any]:
    """FQDN and Cilium policies as read (their model keeps the raw object, status and
    managedFields dropped): the parser reads it back to an equal object. A copy, so a caller
    editing the dict cannot change the snapshot's object."""
    import copy

    return copy.deepcopy(obj.raw)
