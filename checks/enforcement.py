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
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from netpol_tui.model.gke import GkeCluster, GkeOperation, MaintenancePolicy
from netpol_tui.model.objects import Node, Pod
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.shell import ShellCommand, gcloud, join, kubectl
from netpol_tui.timestamps import kubectl_age, parse_timestamp

CALICO_LABEL_SELECTOR = "projectcalico.org/ds-ready=true"
VERIFY_NODES = kubectl("get", "nodes", "-l", CALICO_LABEL_SELECTOR)
VERIFY_CALICO_PODS = kubectl("get", "pods", "-l", "k8s-app=calico-node", namespace="kube-system")
VERIFY_CILIUM = kubectl("get", "pods", "-l", "k8s-app=cilium", namespace="kube-system")
VERIFY_NODES_COMMAND = VERIFY_NODES.text
VERIFY_CALICO_PODS_COMMAND = VERIFY_CALICO_PODS.text
VERIFY_CILIUM_COMMAND = VERIFY_CILIUM.text
NO_NODES_OUTPUT = "No resources found"
NO_KUBE_SYSTEM_PODS_OUTPUT = "No resources found in kube-system namespace."

PLACEHOLDER_CLUSTER = "CLUSTER_NAME"
PLACEHOLDER_LOCATION = "LOCATION"
PLACEHOLDER_PROJECT = "PROJECT_ID"
PLACEHOLDER_VERSION = "MASTER_VERSION"
PLACEHOLDER_POOL = "POOL_NAME"

NODE_OPERATION_TYPES = ("UPGRADE_NODES", "UPDATE_CLUSTER")
#: Exclusion scopes that stop node recreation; NO_MINOR_UPGRADES still lets nodes be recreated.
BLOCKING_EXCLUSION_SCOPES = (None, "", "NO_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES")
_SEARCH_DAYS = 400


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


# ------------------------------------------------------------------------ identity


@dataclass(frozen=True, slots=True)
class ClusterIdentity:
    """Name, location and project for gcloud commands; `placeholders` lists what is unknown."""

    name: str
    location: str
    project: str
    placeholders: tuple[str, ...] = ()

    @property
    def flag_args(self) -> tuple[str, str]:
        """The `--location=` and `--project=` words of a gcloud argv."""
        return (f"--location={self.location}", f"--project={self.project}")

    @property
    def flags(self) -> str:
        """The same, as quoted shell text (for prose that quotes a command)."""
        return join(self.flag_args)


_CONTEXT = re.compile(r"^gke_([a-z][-a-z0-9.:]*)_([a-z0-9-]+)_([a-z0-9][-a-z0-9]*)$")


def cluster_identity(snapshot: Snapshot) -> ClusterIdentity:
    """From the cluster info first, then the source options, then a `gke_PROJECT_LOC_NAME` context."""
    cluster, source = snapshot.cluster, snapshot.source
    from_context: tuple[str | None, str | None, str | None] = (None, None, None)
    match = _CONTEXT.match(source.context or "")
    if match:
        from_context = (match.group(1), match.group(2), match.group(3))
    name = (cluster.name if cluster else None) or source.cluster or from_context[2]
    location = (cluster.location if cluster else None) or source.location or from_context[1]
    project = (cluster.project if cluster else None) or source.project or from_context[0]
    placeholders = []
    if not name:
        placeholders.append(PLACEHOLDER_CLUSTER)
    if not location:
        placeholders.append(PLACEHOLDER_LOCATION)
    if not project:
        placeholders.append(PLACEHOLDER_PROJECT)
    return ClusterIdentity(name or PLACEHOLDER_CLUSTER, location or PLACEHOLDER_LOCATION,
                           project or PLACEHOLDER_PROJECT, tuple(placeholders))


def cluster_name(snapshot: Snapshot) -> str:
    """The cluster's name, or `CLUSTER_NAME` when the snapshot does not say."""
    return cluster_identity(snapshot).name


def gcloud_flags(snapshot: Snapshot) -> str:
    """`--location=LOC --project=PROJ` with real values, placeholders where unknown."""
    return cluster_identity(snapshot).flags


#: A gcloud command as argv (see `netpol_tui.shell`); `.text` is its quoted shell text.
GcloudCommand = ShellCommand


def _gcloud(snapshot: Snapshot, verb: str, *args: str, extra_placeholders: tuple[str, ...] = ()) -> GcloudCommand:
    identity = cluster_identity(snapshot)
    placeholders = tuple(dict.fromkeys((*identity.placeholders, *extra_placeholders)))
    return gcloud(("container", "clusters", verb), identity.name, (*args, *identity.flag_args), placeholders)


def enable_commands(snapshot: Snapshot) -> tuple[GcloudCommand, GcloudCommand]:
    """The two enable steps for an existing Standard cluster, in order (gke-facts 3)."""
    return (_gcloud(snapshot, "update", "--update-addons=NetworkPolicy=ENABLED"),
            _gcloud(snapshot, "update", "--enable-network-policy"))


def disable_commands(snapshot: Snapshot) -> tuple[GcloudCommand, GcloudCommand]:
    """Disable steps 1 and 3; step 2 is waiting for `VERIFY_NODES_COMMAND` to print nothing."""
    return (_gcloud(snapshot, "update", "--no-enable-network-policy"), disable_addon_command(snapshot))


def disable_addon_command(snapshot: Snapshot) -> GcloudCommand:
    return _gcloud(snapshot, "update", "--update-addons=NetworkPolicy=DISABLED")


def upgrade_pool_command(snapshot: Snapshot, pool: str | None) -> GcloudCommand:
    """Recreate a pool's nodes now by upgrading it to the control plane's own version."""
    cluster = snapshot.cluster
    version = cluster.current_master_version if cluster and cluster.current_master_version else None
    extra = tuple(p for p, missing in ((PLACEHOLDER_POOL, not pool), (PLACEHOLDER_VERSION, not version)) if missing)
    return _gcloud(snapshot, "upgrade", f"--node-pool={pool or PLACEHOLDER_POOL}",
                   f"--cluster-version={version or PLACEHOLDER_VERSION}", extra_placeholders=extra)


# ------------------------------------------------------------------------- nodes


@dataclass(frozen=True, slots=True)
class PoolProgress:
    """Nodes of one pool carrying `projectcalico.org/ds-ready=true` out of all; cordoned counts."""

    pool: str | None
    labelled: int
    total: int
    cordoned: int = 0
    machine_type: str | None = None
    version: str | None = None
    unlabelled_nodes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.labelled == self.total

    @property
    def missing(self) -> int:
        return self.total - self.labelled

    @property
    def label(self) -> str:
        return self.pool or "(no node pool label)"


def _pool_progress(snapshot: Snapshot) -> tuple[PoolProgress, ...]:
    by_pool: dict[str | None, list[Node]] = {}
    for node in snapshot.nodes:
        by_pool.setdefault(node.node_pool, []).append(node)
    cluster_pools = {pool.name: pool for pool in snapshot.cluster.node_pools} if snapshot.cluster else {}
    names: list[str | None] = list(cluster_pools)
    names += [name for name in sorted(by_pool, key=lambda n: (n is None, n or "")) if name not in cluster_pools]
    out = []
    for name in names:
        nodes = by_pool.get(name, [])
        config = cluster_pools.get(name) if name is not None else None
        machine = Counter(node.machine_type for node in nodes if node.machine_type).most_common(1)
        kubelet = Counter(node.kubelet_version for node in nodes if node.kubelet_version).most_common(1)
        out.append(PoolProgress(
            pool=name,
            labelled=sum(1 for node in nodes if node.calico_ready),
            total=len(nodes),
            cordoned=sum(1 for node in nodes if node.unschedulable),
            machine_type=(config.machine_type if config and config.machine_type else None)
            or (machine[0][0] if machine else None),
            version=(config.version if config and config.version else None) or (kubelet[0][0] if kubelet else None),
            unlabelled_nodes=tuple(sorted(node.name for node in nodes if not node.calico_ready)),
        ))
    return tuple(out)


# -------------------------------------------------------------------- operations


@dataclass(frozen=True, slots=True)
class OperationProgress:
    name: str
    operation_type: str
    status: str
    node_pool: str | None = None
    done: int | None = None
    total: int | None = None
    start_time: str | None = None

    @property
    def text(self) -> str:
        where = f" on node pool {self.node_pool}" if self.node_pool else ""
        progress = f", {self.done} of {self.total} nodes done" if self.done is not None and self.total else ""
        return f"{self.operation_type} {self.name} {self.status}{where}{progress}"


def _operation_progress(operation: GkeOperation) -> OperationProgress:
    return OperationProgress(
        name=operation.name, operation_type=operation.operation_type, status=operation.status,
        node_pool=operation.node_pool,
        done=operation.metric("NODES_DONE", "NODES_COMPLETE", "nodes done", "nodes complete"),
        total=operation.metric("NODES_TOTAL", "nodes total"), start_time=operation.start_time,
    )


# ------------------------------------------------------------------- maintenance


@dataclass(frozen=True, slots=True)
class MaintenanceState:
    """A window or exclusion, and the next time GKE may recreate nodes when computable."""

    configured: bool
    summary: str
    next_window: datetime | None = None
    next_window_end: datetime | None = None
    in_window: bool = False
    blocking_exclusions: tuple[str, ...] = ()


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _parse_duration(text: str | None) -> timedelta | None:
    match = _DURATION.match((text or "").strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = match.groups()
    return timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                     seconds=float(seconds or 0))


_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _rrule_days(rule: str | None) -> frozenset[int] | None:
    """Weekdays a plain FREQ=DAILY or FREQ=WEEKLY;BYDAY=.. rule fires on; None for anything else."""
    if not rule:
        return None
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts = {}
    for part in text.split(";"):
        if "=" not in part:
            return None
        key, value = part.split("=", 1)
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.pop("FREQ", None)
    if parts.get("INTERVAL", "1") != "1":
        return None
    parts.pop("INTERVAL", None)
    if freq == "DAILY" and not parts:
        return frozenset(range(7))
    if freq == "WEEKLY" and set(parts) == {"BYDAY"}:
        days = [day.strip() for day in parts["BYDAY"].split(",")]
        if all(day in _WEEKDAYS for day in days):
            return frozenset(_WEEKDAYS[day] for day in days)
    return None


def _windows(policy: MaintenancePolicy, now: datetime) -> list[tuple[datetime, datetime]] | None:
    """Candidate windows (start, end) from yesterday on, or None when not computable."""
    first_day = (now - timedelta(days=1)).date()
    if policy.daily_start_time:
        try:
            start_of_day = time.fromisoformat(policy.daily_start_time.strip())
        except ValueError:
            return None
        length = _parse_duration(policy.daily_duration) or timedelta(hours=4)
        return [(datetime.combine(first_day + timedelta(days=offset), start_of_day, UTC),
                 datetime.combine(first_day + timedelta(days=offset), start_of_day, UTC) + length)
                for offset in range(_SEARCH_DAYS)]
    start, end = parse_timestamp(policy.recurring_start_time), parse_timestamp(policy.recurring_end_time)
    days = _rrule_days(policy.recurrence)
    if start is None or end is None or end <= start or days is None:
        return None
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    length = end - start
    begin: date = max(first_day, start.date())
    out = []
    for offset in range(_SEARCH_DAYS):
        day = begin + timedelta(days=offset)
        if day.weekday() in days:
            window_start = datetime.combine(day, start.timetz())
            if window_start >= start:
                out.append((window_start, window_start + length))
    return out


def _maintenance(snapshot: Snapshot) -> MaintenanceState:
    cluster = snapshot.cluster
    policy = cluster.maintenance_policy if cluster else None
    if cluster is None:
        return MaintenanceState(False, "unknown: no GKE cluster information")
    if policy is None or not policy.is_configured:
        return MaintenanceState(False, "no maintenance window or exclusion")
    now = snapshot.captured_at if snapshot.captured_at.tzinfo else snapshot.captured_at.replace(tzinfo=UTC)
    exclusions = []
    blocking_names = []
    for exclusion in policy.exclusions:
        start, end = parse_timestamp(exclusion.start_time), parse_timestamp(exclusion.end_time)
        if exclusion.scope in BLOCKING_EXCLUSION_SCOPES and (end is None or end > now):
            exclusions.append((start or now, end))
            if start is None or start <= now:
                blocking_names.append(exclusion.name)
    parts = []
    if policy.daily_start_time:
        parts.append(f"daily window at {policy.daily_start_time} UTC"
                     + (f" for {policy.daily_duration}" if policy.daily_duration else ""))
    if policy.recurring_start_time:
        parts.append(f"recurring window {policy.recurring_start_time} to {policy.recurring_end_time} "
                     f"({policy.recurrence or 'no recurrence'})")
    if policy.exclusions:
        parts.append("exclusions: " + ", ".join(
            f"{e.name} ({e.start_time or '?'} to {e.end_time or '?'}{', ' + e.scope if e.scope else ''})"
            for e in policy.exclusions))
    summary = "; ".join(parts)
    next_start = next_end = None
    in_window = False
    if policy.has_window:
        windows = _windows(policy, now)
        for window_start, window_end in windows or ():
            window_start = _after_exclusions(window_start, window_end, exclusions)
            if window_start is None or window_end <= now:
                continue
            next_start, next_end, in_window = window_start, window_end, window_start <= now
            break
    return MaintenanceState(True, summary, next_start, next_end, in_window, tuple(blocking_names))


def _after_exclusions(start: datetime, end: datetime,
                      exclusions: list[tuple[datetime, datetime | None]]) -> datetime | None:
    """The part of a window no blocking exclusion covers starts here; None when none is left."""
    changed = True
    while changed:
        changed = False
        for excl_start, excl_end in exclusions:
            if excl_start <= start and (excl_end is None or start < excl_end):
                if excl_end is None:
                    return None
                start, changed = excl_end, True
        if start >= end:
            return None
    return start


# ---------------------------------------------------------------------- sequence


@dataclass(frozen=True, slots=True)
class Recreation:
    #: None when the snapshot cannot tell (no nodes and no node operation).
    pending: bool | None
    direction: RecreationDirection
    reason: str


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


@dataclass(frozen=True, slots=True)
class VerifyCommand:
    command: str
    #: What the command would print now; None when the snapshot lacks the data.
    output: str | None
    meaning: str
    #: The command as argv (`command` is its shell text).
    argv: tuple[str, ...] = ()


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


# ------------------------------------------------------------------------ verify


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def _nodes_output(nodes: list[Node], now: datetime) -> str:
    if not nodes:
        return NO_NODES_OUTPUT
    rows = [("NAME", "STATUS", "ROLES", "AGE", "VERSION")]
    rows += [(node.name, node.status_text, "<none>", kubectl_age(node.creation_timestamp, now),
              node.kubelet_version or "<unknown>") for node in sorted(nodes, key=lambda n: n.name)]
    return _table(rows)


def _pods_output(pods: list[Pod], now: datetime) -> str:
    if not pods:
        return NO_KUBE_SYSTEM_PODS_OUTPUT
    rows = [("NAME", "STATUS", "AGE")]
    rows += [(pod.name, pod.phase, kubectl_age(pod.creation_timestamp, now)) for pod in sorted(pods, key=lambda p: p.name)]
    return _table(rows)


def _verify(snapshot: Snapshot, mode: Mode, nodes_known: bool) -> tuple[VerifyCommand, ...]:
    now = snapshot.captured_at if snapshot.captured_at.tzinfo else snapshot.captured_at.replace(tzinfo=UTC)
    pods_known = snapshot.has(Kind.POD) or bool(snapshot.pods)
    out = []
    if mode in (Mode.AUTOPILOT, Mode.DATAPLANE_V2, Mode.UNKNOWN):
        cilium = [pod for pod in snapshot.pods if pod.namespace == "kube-system"
                  and pod.labels.get("k8s-app") == "cilium"]
        out.append(VerifyCommand(VERIFY_CILIUM_COMMAND, _pods_output(cilium, now) if pods_known else None,
                                 "Dataplane V2 agent (anetd) pods; empty output means policies are not enforced",
                                 VERIFY_CILIUM.argv))
    if mode in (Mode.CALICO, Mode.NONE, Mode.UNKNOWN):
        labelled = [node for node in snapshot.nodes if node.calico_ready]
        out.append(VerifyCommand(VERIFY_NODES_COMMAND, _nodes_output(labelled, now) if nodes_known else None,
                                 "nodes where Calico enforces policy; empty output means not enforced",
                                 VERIFY_NODES.argv))
        calico = [pod for pod in snapshot.pods if pod.namespace == "kube-system"
                  and pod.labels.get("k8s-app") == "calico-node"]
        out.append(VerifyCommand(VERIFY_CALICO_PODS_COMMAND, _pods_output(calico, now) if pods_known else None,
                                 "calico-node runs only on nodes labelled " + CALICO_LABEL_SELECTOR,
                                 VERIFY_CALICO_PODS.argv))
    return tuple(out)
