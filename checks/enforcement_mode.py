"""Which enforcement model a cluster follows, and whether node recreation is pending (gke-facts 1, 3).

Part of the enforcement state (`checks/enforcement.py` re-exports every name). The model
decides everything else the state says: the sequence step, the verify commands, and which
direction a pending node recreation goes. A description that leaves the enforcement fields out
gives `Mode.UNKNOWN` with the reason, never "off".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netpol_tui.checks.enforcement_commands import CALICO_LABEL_SELECTOR
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.snapshot import Kind, Snapshot


class Mode(StrEnum):
    AUTOPILOT = "autopilot"
    DATAPLANE_V2 = "dataplane-v2"
    CALICO = "calico"
    NONE = "none"
    UNKNOWN = "unknown"


class RecreationDirection(StrEnum):
    ENABLING = "enabling"
    DISABLING = "disabling"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Recreation:
    #: None when the snapshot cannot tell (no nodes and no node operation).
    pending: bool | None
    direction: RecreationDirection
    reason: str


def _mode(cluster: GkeCluster | None) -> Mode:
    """gke-facts 1: Autopilot and Dataplane V2 enforce by design; on the legacy datapath the Calico
    switches decide, and a document that leaves any of them out decides nothing (unknown)."""
    if cluster is None:
        return Mode.UNKNOWN
    if cluster.autopilot:
        return Mode.AUTOPILOT
    if cluster.is_dataplane_v2:
        return Mode.DATAPLANE_V2
    if cluster.enforcement_unknown_reason is not None:
        return Mode.UNKNOWN
    if cluster.is_standard_legacy:
        return Mode.CALICO if cluster.network_policy_enabled else Mode.NONE
    return Mode.UNKNOWN


def _unknown_reason(snapshot: Snapshot) -> str:
    cluster = snapshot.cluster
    if cluster is None:
        part = snapshot.unknown_reason(Kind.CLUSTER)
        return f"the GKE cluster could not be read ({part})" if part else "no GKE cluster information"
    return cluster.enforcement_unknown_reason or "the cluster's enforcement model is unknown"


def _recreation(mode: Mode, addon: bool | None, nodes_known: bool, labelled: tuple[str, ...],
                unlabelled: tuple[str, ...], upgrading: bool, reason: str | None = None) -> Recreation:
    if mode is Mode.CALICO:
        if not nodes_known:
            if upgrading:
                return Recreation(True, RecreationDirection.ENABLING, "an UPGRADE_NODES operation is running")
            return Recreation(None, RecreationDirection.ENABLING, "nodes were not loaded")
        if unlabelled:
            return Recreation(True, RecreationDirection.ENABLING,
                              f"{len(unlabelled)} of {len(unlabelled) + len(labelled)} nodes lack "
                              f"{CALICO_LABEL_SELECTOR}")
        return Recreation(False, RecreationDirection.NONE, "every node carries " + CALICO_LABEL_SELECTOR)
    if mode is Mode.NONE:
        if labelled:
            return Recreation(True, RecreationDirection.DISABLING,
                              f"enforcement is off but {len(labelled)} nodes still carry {CALICO_LABEL_SELECTOR}")
        if upgrading and addon:
            return Recreation(True, RecreationDirection.DISABLING,
                              "enforcement is off and an UPGRADE_NODES operation is running")
        if not nodes_known:
            return Recreation(None, RecreationDirection.NONE, "nodes were not loaded")
        return Recreation(False, RecreationDirection.NONE, "no node carries " + CALICO_LABEL_SELECTOR)
    if mode is Mode.UNKNOWN:
        return Recreation(None, RecreationDirection.NONE, reason or "no GKE cluster information")
    return Recreation(False, RecreationDirection.NONE, "enforcement is built into Dataplane V2")
