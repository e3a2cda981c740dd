"""Guided runbooks and node recreation progress: pure logic, no textual, no I/O.

Each runbook is a checklist from gke-facts (sections 1-4 and 10). Every step carries its live
state, computed from the Snapshot, `EnforcementState` and the check report, and the exact
command to run (filled with the cluster's names by the checks' command builders). The state
is `unknown` whenever the data needed to decide is missing: never a guessed "done".

- `steps`: a step, its state and commands, a runbook, and the helpers that make steps from checks;
- `recreation`: node recreation progress per pool, with a rate-based ETA and the maintenance notice;
- `guides`: the four runbooks (enable, disable, a policy that does not work, stuck pods).

Every name stays importable from `netpol_tui.runbooks`.
"""

from __future__ import annotations

from netpol_tui.runbooks.guides import (
    ADDON_REMOVAL_ERROR,
    CALICO_IPADDRS_ANNOTATION,
    IPAM_MESSAGE,
    VERIFY_NODES,
    VERIFY_NODES_ARGV,
    build_runbooks,
    disable_runbook,
    enable_runbook,
    policy_runbook,
    stuck_pods_runbook,
)
from netpol_tui.runbooks.recreation import (
    MAX_ETA,
    Eta,
    PoolRecreation,
    RecreationProgress,
    rate_eta,
    recreation_progress,
)
from netpol_tui.runbooks.steps import (
    MAX_LISTED,
    RECREATION_WAIT,
    ROLLOUT_WAIT,
    Runbook,
    Step,
    StepCommand,
    StepState,
    until_clean_command,
)

__all__ = [
    "ADDON_REMOVAL_ERROR", "CALICO_IPADDRS_ANNOTATION", "IPAM_MESSAGE", "MAX_ETA", "MAX_LISTED", "RECREATION_WAIT",
    "ROLLOUT_WAIT", "VERIFY_NODES", "VERIFY_NODES_ARGV", "Eta", "PoolRecreation", "RecreationProgress", "Runbook",
    "Step", "StepCommand", "StepState", "build_runbooks", "disable_runbook", "enable_runbook", "policy_runbook",
    "rate_eta", "recreation_progress", "stuck_pods_runbook", "until_clean_command",
]
