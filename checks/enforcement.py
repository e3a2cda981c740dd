"""Where a cluster stands with NetworkPolicy enforcement, read from one Snapshot (gke-facts 1-3).

The checks GKE001-GKE007, GKE016 and KI003 and the console's enforcement view all ask the
same questions: which enforcement model, are the two Calico switches on, how far has node
recreation come per pool, is a maintenance window holding it back, and what must the user run
next. Answering them once here keeps the console and `netpol-tui check` from disagreeing.

API (no I/O, no textual; everything is frozen):

- `EnforcementState.from_snapshot(snapshot)` -> `EnforcementState` with
  - `mode`: `Mode` autopilot / dataplane-v2 / calico / none / unknown (no cluster info, a
    description that leaves out the enforcement fields, or a datapath provider netpol-tui does not
    know), with `unknown_reason` saying which;
  - `addon_enabled` (control-plane addon, `addonsConfig.networkPolicyConfig`) and
    `node_setting_enabled` (`networkPolicy.enabled`); None without cluster info;
  - `nodes_known`, `pools`: `PoolProgress(pool, labelled, total, cordoned, machine_type, version,
    unlabelled_nodes)` per node pool (pool None for nodes without the node-pool label),
    `labelled_nodes` / `unlabelled_nodes` (names, `projectcalico.org/ds-ready=true`);
  - `recreation`: `Recreation(pending, direction, reason)`, pending None when unknowable,
    direction `RecreationDirection` enabling / disabling / none (checks-spec "Recreation pending");
  - `operations`: running `UPGRADE_NODES` / `UPDATE_CLUSTER` operations as `OperationProgress`
    (nodes done / total from `progress.metrics` when reported);
  - `maintenance`: `MaintenanceState(configured, summary, next_window, next_window_end,
    in_window, blocking_exclusions)`; `next_window` is computed from a daily window or a
    recurring window with a plain `FREQ=DAILY` / `FREQ=WEEKLY;BYDAY=..` rule, else None;
  - `step`: `SequenceStep(sequence, done, total, summary, next_commands)`: where the cluster is
    in the enable (2 steps) or disable (3 steps) sequence of gke-facts section 3;
  - `verify`: the verify commands of gke-facts section 1 with what they would print for this
    snapshot (`VerifyCommand(command, output, meaning, argv)`; output None when the data is missing);
  - `identity`: `ClusterIdentity(name, location, project, placeholders)`.
- `cluster_identity(snapshot)`, `cluster_name(snapshot)` (placeholder `CLUSTER_NAME`),
  `gcloud_flags(snapshot)` -> `"--location=LOC --project=PROJ"` (placeholders `LOCATION`,
  `PROJECT_ID` when unknown).
- Command builders filled with real values (gke-facts section 3 wording):
  `enable_commands`, `disable_commands`, `disable_addon_command`, `upgrade_pool_command`;
  each returns a `GcloudCommand` (a `netpol_tui.shell.ShellCommand`: argv, stdin, placeholders).

The state is built from one module per question, all re-exported here so that callers import
`netpol_tui.checks.enforcement` only: `enforcement_commands` (identity, verify and sequence
commands), `enforcement_mode` (model and recreation), `enforcement_nodes` (pool and operation
progress), `enforcement_maintenance` (windows), `enforcement_sequence` (the step) and
`enforcement_verify` (what the verify commands print). The checks that read it are in
`checks/gke_enforcement.py` and `checks/gke_sizing.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netpol_tui.checks.enforcement_commands import (
    CALICO_LABEL_SELECTOR,
    NO_KUBE_SYSTEM_PODS_OUTPUT,
    NO_NODES_OUTPUT,
    PLACEHOLDER_CLUSTER,
    PLACEHOLDER_LOCATION,
    PLACEHOLDER_POOL,
    PLACEHOLDER_PROJECT,
    PLACEHOLDER_VERSION,
    VERIFY_CALICO_PODS,
    VERIFY_CALICO_PODS_COMMAND,
    VERIFY_CILIUM,
    VERIFY_CILIUM_COMMAND,
    VERIFY_NODES,
    VERIFY_NODES_COMMAND,
    ClusterIdentity,
    GcloudCommand,
    cluster_identity,
    cluster_name,
    disable_addon_command,
    disable_commands,
    enable_commands,
    gcloud_flags,
    upgrade_pool_command,
)
from netpol_tui.checks.enforcement_maintenance import (
    BLOCKING_EXCLUSION_SCOPES,
    MaintenanceState,
    _maintenance,
)
from netpol_tui.checks.enforcement_mode import (
    Mode,
    Recreation,
    RecreationDirection,
    _mode,
    _recreation,
    _unknown_reason,
)
from netpol_tui.checks.enforcement_nodes import (
    NODE_OPERATION_TYPES,
    OperationProgress,
    PoolProgress,
    _operation_progress,
    _pool_progress,
)
from netpol_tui.checks.enforcement_sequence import SequenceStep, _step
from netpol_tui.checks.enforcement_verify import VerifyCommand, _nodes_output, _verify
from netpol_tui.model.snapshot import Kind, Snapshot


@dataclass(frozen=True, slots=True)
class EnforcementState:
    cluster_name: str
    mode: Mode
    addon_enabled: bool | None
    node_setting_enabled: bool | None
    nodes_known: bool
    pools: tuple[PoolProgress, ...]
    labelled_nodes: tuple[str, ...]
    unlabelled_nodes: tuple[str, ...]
    recreation: Recreation
    operations: tuple[OperationProgress, ...]
    maintenance: MaintenanceState
    step: SequenceStep
    verify: tuple[VerifyCommand, ...]
    identity: ClusterIdentity
    notes: tuple[str, ...] = field(default=())
    #: Why `mode` is unknown (no cluster information, a trimmed description, an unknown datapath).
    unknown_reason: str | None = None

    @property
    def is_standard_legacy(self) -> bool:
        return self.mode in (Mode.CALICO, Mode.NONE)

    @property
    def calico_enforcement(self) -> bool:
        return self.mode is Mode.CALICO

    @property
    def enforced_everywhere(self) -> bool | None:
        """Every node enforces (Dataplane V2 always does); None when unknowable."""
        if self.mode in (Mode.AUTOPILOT, Mode.DATAPLANE_V2):
            return True
        if self.mode is Mode.CALICO:
            return not self.unlabelled_nodes if self.nodes_known else None
        if self.mode is Mode.NONE:
            return False
        return None

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> EnforcementState:
        cluster = snapshot.cluster
        mode = _mode(cluster)
        nodes_known = snapshot.has(Kind.NODE) or bool(snapshot.nodes)
        pools = _pool_progress(snapshot) if nodes_known else ()
        labelled = tuple(sorted(node.name for node in snapshot.nodes if node.calico_ready))
        unlabelled = tuple(sorted(node.name for node in snapshot.nodes if not node.calico_ready))
        operations = tuple(_operation_progress(op) for op in snapshot.operations
                           if op.is_running and op.operation_type in NODE_OPERATION_TYPES)
        addon = cluster.addon_enabled if cluster else None
        setting = cluster.network_policy_enabled if cluster else None
        upgrading = any(op.operation_type == "UPGRADE_NODES" for op in operations)
        reason = _unknown_reason(snapshot) if mode is Mode.UNKNOWN else None
        recreation = _recreation(mode, addon, nodes_known, labelled, unlabelled, upgrading, reason)
        identity = cluster_identity(snapshot)
        notes = []
        if cluster is not None and reason:
            notes.append(reason)
        if not nodes_known:
            notes.append("nodes were not loaded: node labels and recreation progress are unknown")
        return cls(
            cluster_name=identity.name, mode=mode, addon_enabled=addon, node_setting_enabled=setting,
            nodes_known=nodes_known, pools=pools, labelled_nodes=labelled, unlabelled_nodes=unlabelled,
            recreation=recreation, operations=operations, maintenance=_maintenance(snapshot),
            step=_step(snapshot, mode, addon, setting, nodes_known, labelled, unlabelled, upgrading, pools, reason),
            verify=_verify(snapshot, mode, nodes_known), identity=identity, notes=tuple(notes),
            unknown_reason=reason,
        )


#: Every name callers import from here (the sub-modules above hold them); `_nodes_output` for tests/test_age.py.
__all__ = [
    "BLOCKING_EXCLUSION_SCOPES", "CALICO_LABEL_SELECTOR", "NODE_OPERATION_TYPES", "NO_KUBE_SYSTEM_PODS_OUTPUT",
    "NO_NODES_OUTPUT", "PLACEHOLDER_CLUSTER", "PLACEHOLDER_LOCATION", "PLACEHOLDER_POOL", "PLACEHOLDER_PROJECT",
    "PLACEHOLDER_VERSION", "VERIFY_CALICO_PODS", "VERIFY_CALICO_PODS_COMMAND", "VERIFY_CILIUM",
    "VERIFY_CILIUM_COMMAND", "VERIFY_NODES", "VERIFY_NODES_COMMAND", "ClusterIdentity", "EnforcementState",
    "GcloudCommand", "MaintenanceState", "Mode", "OperationProgress", "PoolProgress", "Recreation",
    "RecreationDirection", "SequenceStep", "VerifyCommand", "_nodes_output", "cluster_identity", "cluster_name",
    "disable_addon_command", "disable_commands", "enable_commands", "gcloud_flags", "upgrade_pool_command",
]
