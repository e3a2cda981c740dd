"""GKE cluster and operation data (the REST/gcloud JSON fields of gke-facts section 11).

Every field is optional: a trimmed gcloud file or a restricted API answer still loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from netpol_tui.model.objects import Origin

ADVANCED_DATAPATH = "ADVANCED_DATAPATH"
LEGACY_DATAPATH = "LEGACY_DATAPATH"


@dataclass(frozen=True, slots=True)
class GkeNodePool:
    name: str
    version: str | None = None
    status: str | None = None
    machine_type: str | None = None
    initial_node_count: int | None = None
    autoscaling_enabled: bool = False
    min_node_count: int | None = None
    max_node_count: int | None = None
    locations: tuple[str, ...] = ()
    workload_metadata_mode: str | None = None


@dataclass(frozen=True, slots=True)
class MaintenanceExclusion:
    name: str
    start_time: str | None = None
    end_time: str | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class MaintenancePolicy:
    #: dailyMaintenanceWindow.startTime ("HH:MM", UTC) and its duration ("PT4H0M0S").
    daily_start_time: str | None = None
    daily_duration: str | None = None
    #: recurringWindow.window.{startTime,endTime} (RFC 3339) and its RRULE.
    recurring_start_time: str | None = None
    recurring_end_time: str | None = None
    recurrence: str | None = None
    exclusions: tuple[MaintenanceExclusion, ...] = ()

    @property
    def has_window(self) -> bool:
        return bool(self.daily_start_time or self.recurring_start_time)

    @property
    def is_configured(self) -> bool:
        """A window or an exclusion; a policy holding only resourceVersion is none."""
        return self.has_window or bool(self.exclusions)


@dataclass(frozen=True, slots=True)
class GkeCluster:
    name: str
    location: str | None = None
    project: str | None = None
    self_link: str | None = None
    status: str | None = None
    autopilot: bool = False
    current_master_version: str | None = None
    current_node_version: str | None = None
    #: networkPolicy.enabled / networkPolicy.provider (the node setting). None when the document
    #: has neither `networkPolicy` nor `addonsConfig`: a trimmed file, not a setting that is off
    #: (the API leaves a false `enabled` out, so "absent" means false only in a whole document).
    network_policy_enabled: bool | None = False
    network_policy_provider: str | None = None
    #: addonsConfig.networkPolicyConfig: present at all, and its `disabled` flag.
    network_policy_addon_present: bool = False
    network_policy_addon_disabled: bool = False
    #: Whether the document has `addonsConfig` / `networkConfig` at all. A whole describe document
    #: always has both; without them the addon and the datapath are unknown, not off / legacy.
    addons_config_present: bool = True
    network_config_present: bool = True
    datapath_provider: str | None = None
    enable_fqdn_network_policy: bool = False
    cluster_dns: str | None = None
    dns_cache_enabled: bool = False
    node_pools: tuple[GkeNodePool, ...] = ()
    locations: tuple[str, ...] = ()
    maintenance_policy: MaintenancePolicy | None = None
    private_endpoint: str | None = None
    psc_private_endpoint: str | None = None
    public_endpoint: str | None = None
    workload_pool: str | None = None
    #: Pod and Service ranges, ipAllocationPolicy first, top-level fields as fallback.
    pod_ipv4_cidr: str | None = None
    services_ipv4_cidr: str | None = None
    network: str | None = None
    subnetwork: str | None = None
    origin: Origin | None = None

    @property
    def is_dataplane_v2(self) -> bool:
        return self.autopilot or self.datapath_provider == ADVANCED_DATAPATH

    @property
    def datapath_known(self) -> bool:
        """The document says which datapath the cluster uses.

        Dataplane V2 clusters always write `networkConfig.datapathProvider`, so in a document that
        has the enforcement fields (`networkConfig`, `networkPolicy` or `addonsConfig`) a missing
        provider is the legacy datapath (checks-spec "Standard legacy cluster"). A document with
        none of them (trimmed to name, location and version) says nothing: unknown, not legacy.
        """
        return (self.is_dataplane_v2 or self.datapath_provider is not None or self.network_config_present
                or self.network_policy_enabled is not None)

    @property
    def is_standard_legacy(self) -> bool:
        """Known to be a Standard cluster on the legacy datapath (Calico when enforcement is on)."""
        return not self.autopilot and self.datapath_known and self.datapath_provider in (
            None, "", LEGACY_DATAPATH, "DATAPATH_PROVIDER_UNSPECIFIED")

    @property
    def addon_enabled(self) -> bool | None:
        """Control-plane addon on: networkPolicyConfig present and not disabled; None without addonsConfig."""
        if not self.addons_config_present:
            return None
        return self.network_policy_addon_present and not self.network_policy_addon_disabled

    @property
    def calico_enforcement(self) -> bool:
        """Known to enforce with Calico (node setting on); False when off *or unknown*."""
        return self.is_standard_legacy and self.network_policy_enabled is True

    @property
    def datapath_unknown_reason(self) -> str | None:
        """Why the datapath (Dataplane V2 or legacy) cannot be told; None when it can."""
        if self.datapath_known:
            return None
        return (f"the description of cluster {self.name} has none of networkConfig, networkPolicy, addonsConfig "
                "or autopilot (a trimmed file?), so its datapath is unknown; load the whole `gcloud container "
                "clusters describe --format=json` output")

    @property
    def enforcement_gaps(self) -> tuple[str, ...]:
        """Enforcement fields the document leaves out; empty when it says enough (gke-facts 1)."""
        if self.is_dataplane_v2:
            return ()
        gaps = []
        if not self.datapath_known:
            gaps.append("networkConfig.datapathProvider")
        if self.network_policy_enabled is None:
            gaps.append("networkPolicy.enabled")
        if not self.addons_config_present:
            gaps.append("addonsConfig.networkPolicyConfig")
        return tuple(gaps)

    @property
    def enforcement_unknown_reason(self) -> str | None:
        """Why NetworkPolicy enforcement cannot be told from this document; None when it can."""
        gaps = self.enforcement_gaps
        if gaps:
            return (f"the description of cluster {self.name} leaves out {', '.join(gaps)} (a trimmed file?), so "
                    "whether NetworkPolicy is enforced is unknown; load the whole `gcloud container clusters "
                    "describe --format=json` output")
        if not self.is_dataplane_v2 and not self.is_standard_legacy:
            return f"datapath provider {self.datapath_provider!r} is not one netpol-tui knows"
        return None

    @property
    def any_private_endpoint(self) -> str | None:
        return self.private_endpoint or self.psc_private_endpoint

    @property
    def zone_count(self) -> int:
        return max(1, len(self.locations))


@dataclass(frozen=True, slots=True)
class GkeOperation:
    name: str
    operation_type: str = ""
    status: str = ""
    target_link: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    status_message: str | None = None
    #: progress.metrics as (name, value) pairs, e.g. ("NODES_DONE", 3).
    progress_metrics: tuple[tuple[str, int], ...] = ()
    zone: str | None = None
    origin: Origin | None = None

    @property
    def is_running(self) -> bool:
        return self.status in ("PENDING", "RUNNING")

    @property
    def node_pool(self) -> str | None:
        """The node pool named in targetLink (…/nodePools/NAME), if any."""
        if self.target_link and "/nodePools/" in self.target_link:
            return self.target_link.rsplit("/nodePools/", 1)[1].split("/")[0]
        return None

    @property
    def cluster(self) -> str | None:
        if self.target_link and "/clusters/" in self.target_link:
            return self.target_link.split("/clusters/", 1)[1].split("/")[0]
        return None

    def metric(self, *names: str) -> int | None:
        wanted = {name.lower().replace(" ", "_") for name in names}
        for name, value in self.progress_metrics:
            if name.lower().replace(" ", "_") in wanted:
                return value
        return None
