"""FQDNNetworkPolicy checks: GKE018 to GKE024.

Each rests on a requirement or limit GKE states on its page "Control Pod egress traffic using
FQDN network policies" (gke-facts section 13): the versions, Dataplane V2, the cluster setting
`networkConfig.enableFqdnNetworkPolicy`, kube-dns or Cloud DNS as the only DNS providers, no
ClusterIP or headless Service as a target, and at most 50 addresses per policy. Reachability
(DNS from FQDN-isolated pods) goes through the verdict engine, as every other check does.

This module holds GKE018-GKE020 (the cluster can enforce them: Dataplane V2, version, the
setting); GKE021-GKE022 (DNS) are in `checks/fqdn_dns.py`, GKE023-GKE024 (what the rules name)
in `checks/fqdn_rules.py`, the shared pieces in `checks/fqdn_common.py`. Their names are
re-exported here for the callers that import them from this module.
"""

from __future__ import annotations

from collections.abc import Iterator

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
from netpol_tui.checks.fqdn_common import (
    FQDN_RESOURCE,
    _counted,
    _list_command,
    _policy_names,
    need_fqdn_policies,
)
from netpol_tui.checks.fqdn_dns import (
    ADDON_MANAGER_LABEL,
    DNS_APPS,
    check_fqdn_custom_dns,
    check_fqdn_dns_blocked,
    fqdn_isolating,
)
from netpol_tui.checks.fqdn_rules import (
    CLUSTER_DOMAIN,
    MAX_ADDRESSES,
    check_fqdn_address_limit,
    check_fqdn_service_target,
    service_for_name,
)
from netpol_tui.checks.gke_common import need_datapath
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.shell import gcloud, kubectl
from netpol_tui.versions import GkeVersion

#: First supported versions per minor line (GKE page: "1.26.4-gke.500 or later", "1.27.1-gke.400 or later").
FQDN_MINIMUM = {(1, 26): GkeVersion.parse("1.26.4-gke.500"), (1, 27): GkeVersion.parse("1.27.1-gke.400")}


# ------------------------------------------------------------------ GKE018


def check_fqdn_needs_dataplane_v2(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist, but the cluster does not run GKE Dataplane V2.

    GKE enforces FQDN network policies only on Dataplane V2 clusters (page "Control Pod egress
    traffic using FQDN network policies", requirements). On a Calico or unenforced cluster the
    objects are accepted and do nothing: the egress they were meant to restrict stays open.
    Dataplane V2 is chosen when a cluster is created; until then, express the rules as
    NetworkPolicy ipBlock rules.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    cluster = need_datapath(ctx)
    if cluster.is_dataplane_v2:
        return
    identity = ctx.identity
    cmds, placeholders = commands(
        (gcloud(("container", "clusters", "describe"), identity.name,
                ("--format=value(networkConfig.datapathProvider)", *identity.flag_args), identity.placeholders),
         "confirm the datapath (ADVANCED_DATAPATH is Dataplane V2)"),
        _list_command())
    yield Hit(Subject("Cluster", None, identity.name),
              f"{_counted(policies)}, but cluster "
              f"{identity.name} does not run Dataplane V2: GKE does not enforce them.",
              (Evidence("cluster.networkConfig.datapathProvider", cluster.datapath_provider or "unset (legacy)",
                        "ADVANCED_DATAPATH"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=cluster.origin)


# ------------------------------------------------------------------ GKE019


def fqdn_minimum_version(version: GkeVersion) -> GkeVersion | None:
    """The first version of the cluster's line with FQDN network policy, or None when it has it.

    Below 1.26 the answer is 1.26.4-gke.500 (upgrades go one minor version at a time)."""
    if version.minor_version >= (1, 28):
        return None
    minimum = FQDN_MINIMUM.get(version.minor_version, FQDN_MINIMUM[(1, 26)])
    return None if version >= minimum else minimum


def check_fqdn_version_too_old(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist on a control plane older than GKE supports for them.

    GKE states the minimum versions: 1.26.4-gke.500 or later on the 1.26 line, 1.27.1-gke.400
    or later on the 1.27 line (page "Control Pod egress traffic using FQDN network policies").
    Below them the FQDN policies are not enforced.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    version = ctx.need_version()
    minimum = fqdn_minimum_version(version)
    if minimum is None:
        return
    identity = ctx.identity
    cmds, placeholders = commands(
        (gcloud(("container", "clusters", "upgrade"), identity.name,
                ("--master", f"--cluster-version={minimum}", *identity.flag_args), identity.placeholders),
         f"upgrade the control plane to {minimum} or later (one minor version at a time)"))
    yield Hit(Subject("Cluster", None, identity.name),
              f"Cluster {identity.name} runs GKE {version}; FQDN network policies need {minimum} or later, so "
              f"its FQDN policies ({len(policies)}) are not enforced.",
              (Evidence("cluster.currentMasterVersion", str(version), f"{minimum} or later"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=ctx.snapshot.cluster.origin if ctx.snapshot.cluster else None)


# ------------------------------------------------------------------ GKE020


def check_fqdn_not_enabled(ctx: Context) -> Iterator[Hit]:
    """FQDNNetworkPolicy objects exist, but FQDN network policy is not enabled on the cluster.

    The feature is a cluster setting (`networkConfig.enableFqdnNetworkPolicy`, switched on with
    `gcloud container clusters update CLUSTER --enable-fqdn-network-policy`). Without it the
    objects have no effect. GKE notes that on an existing Standard cluster the anetd DaemonSet
    must be restarted after enabling it.
    """
    policies = need_fqdn_policies(ctx)
    if not policies:
        return
    cluster = need_datapath(ctx)
    if not cluster.is_dataplane_v2 or cluster.enable_fqdn_network_policy:
        return  # off Dataplane V2 GKE018 says what matters first
    if not cluster.network_config_present:
        raise CheckUnknown("the cluster description has no networkConfig, so whether FQDN network policy is "
                           "enabled (networkConfig.enableFqdnNetworkPolicy) is unknown")
    identity = ctx.identity
    steps = [(gcloud(("container", "clusters", "update"), identity.name,
                     ("--enable-fqdn-network-policy", *identity.flag_args), identity.placeholders),
              "enable FQDN network policy on the cluster")]
    if not cluster.autopilot:
        steps.append((kubectl("rollout", "restart", "daemonset", "anetd", namespace="kube-system"),
                      "then restart the Dataplane V2 agent so it picks the setting up (Standard clusters)"))
    cmds, placeholders = commands(*steps)
    yield Hit(Subject("Cluster", None, identity.name),
              f"{_counted(policies)}, but FQDN network "
              f"policy is not enabled on cluster {identity.name}: they have no effect.",
              (Evidence("cluster.networkConfig.enableFqdnNetworkPolicy", "not set", "true"),
               Evidence("FQDNNetworkPolicies", _policy_names(policies))),
              cmds, placeholders=placeholders, origin=cluster.origin)


#: Every name callers import from here (the sub-modules above hold most of them).
__all__ = [
    "ADDON_MANAGER_LABEL", "CLUSTER_DOMAIN", "DNS_APPS", "FQDN_MINIMUM", "FQDN_RESOURCE", "MAX_ADDRESSES",
    "check_fqdn_address_limit", "check_fqdn_custom_dns", "check_fqdn_dns_blocked", "check_fqdn_needs_dataplane_v2",
    "check_fqdn_not_enabled", "check_fqdn_service_target", "check_fqdn_version_too_old", "fqdn_isolating",
    "fqdn_minimum_version", "need_fqdn_policies", "service_for_name",
]
