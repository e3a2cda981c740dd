"""GKE clusters (`clusters describe` / REST Cluster) and operations (gke-facts section 11)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from netpol_tui.model.gke import (
    GkeCluster,
    GkeNodePool,
    GkeOperation,
    MaintenanceExclusion,
    MaintenancePolicy,
)
from netpol_tui.model.objects import (
    Origin,
)
from netpol_tui.model.parse_fields import (
    ParseError,
    _bool,
    _cidr,
    _dict,
    _int,
    _ip,
    _key,
    _list,
    _scalar_text,
    _str,
    _str_tuple,
    _type,
)

# ----------------------------------------------------------------------------- GKE


def _project_from_link(link: str | None) -> str | None:
    if link and "/projects/" in link:
        return link.split("/projects/", 1)[1].split("/")[0] or None
    return None


def _maintenance(raw_policy: Any) -> MaintenancePolicy:
    base = "maintenancePolicy.window"
    window = _dict(_dict(raw_policy, "maintenancePolicy").get("window"), base)
    daily = _dict(window.get("dailyMaintenanceWindow"), f"{base}.dailyMaintenanceWindow")
    recurring = _dict(window.get("recurringWindow"), f"{base}.recurringWindow")
    recurring_window = _dict(recurring.get("window"), f"{base}.recurringWindow.window")
    exclusions = []
    raw_exclusions = _dict(window.get("maintenanceExclusions"), f"{base}.maintenanceExclusions")
    for key, value in raw_exclusions.items():
        where = f"{base}.maintenanceExclusions.{_key(key)}"
        value = _dict(value, where)
        options = _dict(value.get("maintenanceExclusionOptions"), f"{where}.maintenanceExclusionOptions")
        exclusions.append(MaintenanceExclusion(
            _scalar_text(key), _str(value.get("startTime"), f"{where}.startTime"),
            _str(value.get("endTime"), f"{where}.endTime"),
            _str(options.get("scope"), f"{where}.maintenanceExclusionOptions.scope")))
    return MaintenancePolicy(
        daily_start_time=_str(daily.get("startTime"), f"{base}.dailyMaintenanceWindow.startTime"),
        daily_duration=_str(daily.get("duration"), f"{base}.dailyMaintenanceWindow.duration"),
        recurring_start_time=_str(recurring_window.get("startTime"), f"{base}.recurringWindow.window.startTime"),
        recurring_end_time=_str(recurring_window.get("endTime"), f"{base}.recurringWindow.window.endTime"),
        recurrence=_str(recurring.get("recurrence"), f"{base}.recurringWindow.recurrence"),
        exclusions=tuple(exclusions),
    )


def _node_pool(raw: Any, index: int) -> GkeNodePool:
    path = f"nodePools[{index}]"
    raw = _dict(raw, path)
    config = _dict(raw.get("config"), f"{path}.config")
    scaling = _dict(raw.get("autoscaling"), f"{path}.autoscaling")
    wmc = _dict(config.get("workloadMetadataConfig"), f"{path}.config.workloadMetadataConfig")
    mode = wmc.get("mode") if wmc.get("mode") is not None else wmc.get("nodeMetadata")
    return GkeNodePool(
        name=_str(raw.get("name"), f"{path}.name") or f"pool-{index}",
        version=_str(raw.get("version"), f"{path}.version"), status=_str(raw.get("status"), f"{path}.status"),
        machine_type=_str(config.get("machineType"), f"{path}.config.machineType"),
        initial_node_count=_int(raw.get("initialNodeCount"), f"{path}.initialNodeCount"),
        autoscaling_enabled=_bool(scaling.get("enabled"), f"{path}.autoscaling.enabled"),
        min_node_count=_int(scaling.get("minNodeCount"), f"{path}.autoscaling.minNodeCount"),
        max_node_count=_int(scaling.get("maxNodeCount"), f"{path}.autoscaling.maxNodeCount"),
        locations=_str_tuple(raw.get("locations"), f"{path}.locations"),
        workload_metadata_mode=_str(mode, f"{path}.config.workloadMetadataConfig.mode"),
    )


def parse_cluster(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeCluster:
    """A gcloud `clusters describe --format=json` document or a REST Cluster (camelCase)."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("cluster name is missing" if name is None or name == ""
                         else f"cluster name must be a string, got {_type(name)}")
    addons = _dict(obj.get("addonsConfig"), "addonsConfig")
    addon = addons.get("networkPolicyConfig")
    addon_present = addon is not None
    addon = _dict(addon, "addonsConfig.networkPolicyConfig")
    policy = _dict(obj.get("networkPolicy"), "networkPolicy")
    network = _dict(obj.get("networkConfig"), "networkConfig")
    # The API leaves false and empty fields out, so a missing `networkPolicy` means "off" only in a
    # whole document (which always has addonsConfig); in a trimmed one it is unknown.
    setting_known = obj.get("networkPolicy") is not None or obj.get("addonsConfig") is not None
    allocation = _dict(obj.get("ipAllocationPolicy"), "ipAllocationPolicy")
    private = _dict(obj.get("privateClusterConfig"), "privateClusterConfig")
    endpoints = _dict(_dict(obj.get("controlPlaneEndpointsConfig"), "controlPlaneEndpointsConfig")
                      .get("ipEndpointsConfig"), "controlPlaneEndpointsConfig.ipEndpointsConfig")
    pools = tuple(_node_pool(raw, index) for index, raw in enumerate(_list(obj.get("nodePools"), "nodePools")))
    raw_policy = obj.get("maintenancePolicy")
    maintenance = _maintenance(raw_policy) if raw_policy is not None else None
    dns = _dict(network.get("dnsConfig"), "networkConfig.dnsConfig")
    self_link = _str(obj.get("selfLink"), "selfLink")

    def first(*candidates: tuple[Any, str]) -> str | None:
        for value, path in candidates:
            if value:
                return _str(value, path)
        return None

    pod_range = first((allocation.get("clusterIpv4CidrBlock"), "ipAllocationPolicy.clusterIpv4CidrBlock"),
                      (allocation.get("clusterIpv4Cidr"), "ipAllocationPolicy.clusterIpv4Cidr"),
                      (obj.get("clusterIpv4Cidr"), "clusterIpv4Cidr"))
    service_range = first((allocation.get("servicesIpv4CidrBlock"), "ipAllocationPolicy.servicesIpv4CidrBlock"),
                          (allocation.get("servicesIpv4Cidr"), "ipAllocationPolicy.servicesIpv4Cidr"),
                          (obj.get("servicesIpv4Cidr"), "servicesIpv4Cidr"))
    return GkeCluster(
        name=name, location=first((obj.get("location"), "location"), (obj.get("zone"), "zone")),
        project=_project_from_link(self_link), self_link=self_link, status=_str(obj.get("status"), "status"),
        autopilot=_bool(_dict(obj.get("autopilot"), "autopilot").get("enabled"), "autopilot.enabled"),
        current_master_version=_str(obj.get("currentMasterVersion"), "currentMasterVersion"),
        current_node_version=_str(obj.get("currentNodeVersion"), "currentNodeVersion"),
        network_policy_enabled=_bool(policy.get("enabled"), "networkPolicy.enabled") if setting_known else None,
        network_policy_provider=_str(policy.get("provider"), "networkPolicy.provider"),
        network_policy_addon_present=addon_present,
        network_policy_addon_disabled=_bool(addon.get("disabled"), "addonsConfig.networkPolicyConfig.disabled"),
        addons_config_present=obj.get("addonsConfig") is not None,
        network_config_present=obj.get("networkConfig") is not None,
        datapath_provider=_str(network.get("datapathProvider"), "networkConfig.datapathProvider"),
        enable_fqdn_network_policy=_bool(network.get("enableFqdnNetworkPolicy"),
                                         "networkConfig.enableFqdnNetworkPolicy"),
        cluster_dns=_str(dns.get("clusterDns"), "networkConfig.dnsConfig.clusterDns"),
        dns_cache_enabled=_bool(_dict(addons.get("dnsCacheConfig"), "addonsConfig.dnsCacheConfig").get("enabled"),
                                "addonsConfig.dnsCacheConfig.enabled"),
        node_pools=pools, locations=_str_tuple(obj.get("locations"), "locations"),
        maintenance_policy=maintenance,
        private_endpoint=_ip(private.get("privateEndpoint"), "privateClusterConfig.privateEndpoint"),
        psc_private_endpoint=_ip(endpoints.get("privateEndpoint"),
                                 "controlPlaneEndpointsConfig.ipEndpointsConfig.privateEndpoint"),
        public_endpoint=first((obj.get("endpoint"), "endpoint"),
                              (endpoints.get("publicEndpoint"), "controlPlaneEndpointsConfig.ipEndpointsConfig"
                                                                ".publicEndpoint")),
        workload_pool=_str(_dict(obj.get("workloadIdentityConfig"), "workloadIdentityConfig").get("workloadPool"),
                           "workloadIdentityConfig.workloadPool"),
        pod_ipv4_cidr=_cidr(pod_range, "pod range (ipAllocationPolicy.clusterIpv4CidrBlock)"),
        services_ipv4_cidr=_cidr(service_range, "Service range (ipAllocationPolicy.servicesIpv4CidrBlock)"),
        network=_str(obj.get("network"), "network"), subnetwork=_str(obj.get("subnetwork"), "subnetwork"),
        origin=origin,
    )


def _metric_value(raw: dict[str, Any]) -> int | None:
    """progress.metrics values: intValue is an int64 as a JSON string; doubleValue a number."""
    value = raw.get("intValue", raw.get("doubleValue"))
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return int(number)


def parse_operation(obj: Mapping[str, Any], origin: Origin | None = None) -> GkeOperation:
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise ParseError("operation name is missing" if name is None or name == ""
                         else f"operation name must be a string, got {_type(name)}")
    metrics = []
    progress = _dict(obj.get("progress"), "progress")
    for raw in _list(progress.get("metrics"), "progress.metrics"):
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            value = _metric_value(raw)
            if value is not None:
                metrics.append((raw["name"], value))
    return GkeOperation(
        name=name, operation_type=_str(obj.get("operationType"), "operationType", "") or "",
        status=_str(obj.get("status"), "status", "") or "",
        target_link=_str(obj.get("targetLink"), "targetLink"), start_time=_str(obj.get("startTime"), "startTime"),
        end_time=_str(obj.get("endTime"), "endTime"), status_message=_str(obj.get("statusMessage"), "statusMessage"),
        progress_metrics=tuple(metrics),
        zone=_str(obj.get("location"), "location") if obj.get("location") else _str(obj.get("zone"), "zone"),
        origin=origin,
    )
