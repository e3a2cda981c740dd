"""Where a cluster is in the enable (2 steps) or disable (3 steps) sequence, and what to run next.

Part of the enforcement state (`checks/enforcement.py` re-exports every name): gke-facts
section 3's sequence applied to the model, the two switches and the node labels, with the
next commands filled in (`checks/enforcement_commands.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from netpol_tui.checks.enforcement_commands import (
    CALICO_LABEL_SELECTOR,
    NO_NODES_OUTPUT,
    VERIFY_NODES_COMMAND,
    GcloudCommand,
    disable_addon_command,
    enable_commands,
    upgrade_pool_command,
)
from netpol_tui.checks.enforcement_mode import Mode
from netpol_tui.checks.enforcement_nodes import PoolProgress
from netpol_tui.model.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class SequenceStep:
    """Where the cluster is in gke-facts section 3's enable (2 steps) or disable (3 steps) sequence.

    `sequence` is "enable", "disable" or None (Dataplane V2 / Autopilot / unknown); `done` the
    steps completed; `next_commands` what to run next (empty when nothing or only waiting).
    """

    sequence: str | None
    done: int
    total: int
    summary: str
    next_commands: tuple[GcloudCommand, ...] = ()
    waiting: bool = False


def _step(snapshot: Snapshot, mode: Mode, addon: bool | None, setting: bool | None, nodes_known: bool,
          labelled: tuple[str, ...], unlabelled: tuple[str, ...], upgrading: bool,
          pools: tuple[PoolProgress, ...], reason: str | None = None) -> SequenceStep:
    if mode in (Mode.AUTOPILOT, Mode.DATAPLANE_V2):
        return SequenceStep(None, 0, 0, "Enforcement is built into GKE Dataplane V2 and cannot be switched "
                                        "on or off with the network-policy flags.")
    if mode is Mode.UNKNOWN:
        # No enable or disable command: on Dataplane V2 they do not apply, and enabling recreates nodes.
        return SequenceStep(None, 0, 0, f"Unknown: {reason or 'no usable GKE cluster information'}.")
    enable_addon, enable_nodes = enable_commands(snapshot)
    if mode is Mode.CALICO:
        if not addon:
            return SequenceStep("enable", 1, 2, "Enforcement is on for the nodes but the control-plane addon is "
                                "off: step 2 of the enable sequence is in place without step 1.",
                                (enable_addon,))
        if nodes_known and unlabelled:
            waiting_pools = [pool for pool in pools if pool.missing]
            commands = tuple(upgrade_pool_command(snapshot, pool.pool) for pool in waiting_pools)
            return SequenceStep("enable", 2, 2, f"Both enable steps are done; node recreation is still running: "
                                f"{len(labelled)} of {len(labelled) + len(unlabelled)} nodes carry "
                                f"{CALICO_LABEL_SELECTOR}. Wait, or upgrade the pools manually to recreate "
                                "their nodes now.", commands, waiting=True)
        if not nodes_known:
            return SequenceStep("enable", 2, 2, "Both enable steps are done; nodes were not loaded, so whether "
                                "recreation has finished is unknown.", waiting=True)
        return SequenceStep("enable", 2, 2, "Enforcement is on: both enable steps are done and every node "
                            "carries " + CALICO_LABEL_SELECTOR + ".")
    # Standard legacy, node setting off.
    disable_addon = disable_addon_command(snapshot)
    if labelled or (upgrading and addon):
        what = (f"{len(labelled)} nodes still carry {CALICO_LABEL_SELECTOR}" if labelled
                else "an UPGRADE_NODES operation is running")
        if addon:
            return SequenceStep("disable", 1, 3, f"Disabling: step 1 (--no-enable-network-policy) is done and "
                                f"node recreation is running ({what}). Wait until `{VERIFY_NODES_COMMAND}` "
                                f"prints `{NO_NODES_OUTPUT}`, then disable the addon.", (disable_addon,),
                                waiting=True)
        return SequenceStep("disable", 1, 3, f"Disabling: the node setting and the addon are off but {what}; "
                            f"the nodes are still being recreated. Wait until `{VERIFY_NODES_COMMAND}` prints "
                            f"`{NO_NODES_OUTPUT}`.", waiting=True)
    if addon:
        return SequenceStep("enable", 1, 2, "Enabling: step 1 (control-plane addon) is done; the node setting "
                            "is still off, so nothing is enforced yet.", (enable_nodes,))
    if not nodes_known:
        return SequenceStep("enable", 0, 2, "Enforcement is off (addon and node setting); nodes were not "
                            "loaded, so leftover labels from a disable are unknown.", (enable_addon, enable_nodes))
    return SequenceStep("enable", 0, 2, "Enforcement is off: neither the control-plane addon nor the node "
                        "setting is on.", (enable_addon, enable_nodes))
