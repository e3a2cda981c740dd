"""Guided runbooks and node recreation progress: pure logic, no textual, no I/O.

Each runbook is a checklist from gke-facts (sections 1-4 and 10). Every step carries its live
state, computed from the Snapshot, `EnforcementState` and the check report, and the exact
command to run (filled with the cluster's names by the checks' command builders). The state
is `unknown` whenever the data needed to decide is missing: never a guessed "done".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from netpol_tui import shell
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.shell import ShellCommand, kubectl
from netpol_tui.text import listed
from netpol_tui.timestamps import parse_timestamp

VERIFY_NODES_ARGV = ("kubectl", "get", "nodes", "-l", "projectcalico.org/ds-ready=true")
VERIFY_NODES = shell.join(VERIFY_NODES_ARGV)
ADDON_REMOVAL_ERROR = "Network policy addon cannot be removed until network policy has been disabled on the nodes"
IPAM_MESSAGE = "ipAddrs is not compatible with configured IPAM"
CALICO_IPADDRS_ANNOTATION = "cni.projectcalico.org/ipAddrs"
MAX_LISTED = 5
#: Beyond this an ETA is noise (a stalled operation, or a snapshot much older than its operation).
MAX_ETA = timedelta(days=3)


class StepState(StrEnum):
    DONE = "done"
    PENDING = "pending"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, slots=True)
class StepCommand:
    """A step's command as argv (and the manifest it reads on stdin); `text` is the block to
    show and copy, made by `netpol_tui.shell` (every word quoted, a manifest as a heredoc)."""

    argv: tuple[str, ...]
    description: str = ""
    stdin: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.argv, str):
            raise TypeError(f"a step command is a tuple of words, not the string {self.argv!r}")

    @property
    def text(self) -> str:
        return shell.script(self.argv, self.stdin)


#: How long the copyable waiting commands wait: node recreation takes minutes per node.
RECREATION_WAIT = "2h"
ROLLOUT_WAIT = "30m"


def _source_words(snapshot: Snapshot) -> list[str]:
    """The netpol-tui options that read the same source again (the context, files or demo)."""
    from netpol_tui.shell import source_words

    source = snapshot.source
    if source.kind == "demo":
        name = source.description.split(":", 1)[1].strip() if ":" in source.description else None
        return source_words(demo=name or "calico")
    if source.kind == "files":
        return source_words(files=source.paths)
    words = source_words(context=source.context, project=source.project, location=source.location,
                         cluster=source.cluster)
    return words + (["--namespace", source.namespace] if source.namespace else [])


def until_clean_command(snapshot: Snapshot, ids: Sequence[str], wait: str, description: str) -> StepCommand:
    """`netpol-tui check --until-clean --select IDS --wait W` on the same source: a step that waits
    for the cluster (node recreation, a rollout) as a command that returns when it is done."""
    argv = ("netpol-tui", "check", *_source_words(snapshot), "--until-clean", "--select", ",".join(ids),
            "--wait", wait)
    return StepCommand(argv, description)


def _step_command(command: ShellCommand | tuple[str, ...], description: str) -> StepCommand:
    if isinstance(command, ShellCommand):
        return StepCommand(command.argv, description, command.stdin)
    return StepCommand(tuple(command), description)


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    state: StepState
    detail: str
    commands: tuple[StepCommand, ...] = ()
    #: The first step still to do: the one whose command the user should run now.
    is_next: bool = False


@dataclass(frozen=True, slots=True)
class Runbook:
    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if step.is_next), None)

    @property
    def progress(self) -> tuple[int, int]:
        counted = [step for step in self.steps if step.state is not StepState.NOT_APPLICABLE]
        return sum(1 for step in counted if step.state is StepState.DONE), len(counted)


# ------------------------------------------------------------------------ recreation progress


@dataclass(frozen=True, slots=True)
class PoolRecreation:
    pool: str
    done: int
    total: int
    #: The upgrade command's shell text (None when the pool waits for nothing), and its argv.
    command: str | None
    argv: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Eta:
    """Remaining time at the observed rate; `basis` says where the rate came from."""

    remaining: timedelta
    nodes_per_hour: float
    basis: str

    @property
    def text(self) -> str:
        minutes = max(1, round(self.remaining.total_seconds() / 60))
        span = f"~{minutes} min" if minutes < 120 else f"~{minutes / 60:.1f} h"
        return f"{span} at {self.nodes_per_hour:.1f} nodes/hour ({self.basis})"


@dataclass(frozen=True, slots=True)
class RecreationProgress:
    """How far node recreation has come: nodes in the expected label state out of all.

    Enabling expects `projectcalico.org/ds-ready=true` on every node; disabling expects it on
    none. `direction` is enabling / disabling / none.
    """

    direction: str
    done: int
    total: int
    pools: tuple[PoolRecreation, ...]
    operations: tuple[Any, ...]
    eta: Eta | None
    eta_reason: str
    notice: str

    @property
    def pending(self) -> bool:
        return self.direction != "none" and self.done < self.total


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def rate_eta(samples: Sequence[tuple[datetime, int]], total: int, basis: str) -> Eta | None:
    """ETA from (time, nodes done) observations: the average rate between the first and last."""
    if len(samples) < 2:
        return None
    (start, first), (end, last) = samples[0], samples[-1]
    hours = (_utc(end) - _utc(start)).total_seconds() / 3600
    if hours <= 0 or last <= first:
        return None
    per_hour = (last - first) / hours
    remaining = timedelta(hours=max(0, total - last) / per_hour)
    return Eta(remaining, per_hour, basis) if remaining <= MAX_ETA else None


def recreation_progress(snapshot: Snapshot, enforcement: Any,
                        samples: Sequence[tuple[datetime, int]] = ()) -> RecreationProgress:
    """Overall and per-pool progress, running operations, a rate-based ETA and the maintenance notice.

    `samples` are (time, nodes done) observations from a live watch; without them the rate comes
    from the running operation's progress metrics since its start time.
    """
    from netpol_tui.checks.enforcement import upgrade_pool_command

    direction = str(enforcement.recreation.direction)
    disabling = direction == "disabling"
    pools = []
    for pool in enforcement.pools:
        done = pool.total - pool.labelled if disabling else pool.labelled
        waiting = done < pool.total and direction != "none"
        command = upgrade_pool_command(snapshot, pool.pool) if waiting and pool.pool else None
        pools.append(PoolRecreation(pool.label, done, pool.total, command.text if command else None,
                                    command.argv if command else ()))
    total = sum(pool.total for pool in pools)
    done = sum(pool.done for pool in pools)
    now = _utc(snapshot.captured_at)
    eta, reason = None, ""
    if direction == "none":
        reason = "no recreation pending"
    elif done >= total and total:
        reason = "every node is in the expected state"
    else:
        eta = rate_eta(samples, total, "observed by the live watch") if samples else None
        if eta is None:
            eta, reason = _operation_eta(enforcement.operations, now)
        if eta is None and not reason:
            reason = "no rate yet: no running node operation reports progress"
    return RecreationProgress(direction, done, total, tuple(pools), tuple(enforcement.operations), eta, reason,
                              _maintenance_notice(enforcement, direction, done < total))


def _operation_eta(operations: Iterable[Any], now: datetime) -> tuple[Eta | None, str]:
    for operation in operations:
        if operation.done is None or not operation.total:
            continue
        started = parse_timestamp(operation.start_time)
        if started is None or operation.done <= 0:
            return None, f"operation {operation.name} has not finished a node yet"
        hours = (now - started).total_seconds() / 3600
        if hours <= 0:
            continue
        per_hour = operation.done / hours
        remaining = timedelta(hours=(operation.total - operation.done) / per_hour)
        if remaining > MAX_ETA:
            return None, (f"too slow to estimate: {operation.operation_type} has done {operation.done} of "
                          f"{operation.total} nodes since {started:%Y-%m-%d %H:%M} UTC")
        return Eta(remaining, per_hour, f"{operation.operation_type} progress since {started:%H:%M} UTC"), ""
    return None, ""


def _maintenance_notice(enforcement: Any, direction: str, pending: bool) -> str:
    maintenance = enforcement.maintenance
    if not maintenance.configured:
        return "" if not pending else "No maintenance window: GKE recreates the nodes as soon as it can."
    text = f"Maintenance policy: {maintenance.summary}."
    if pending and direction != "none":
        if maintenance.next_window is not None:
            when = f"{maintenance.next_window:%Y-%m-%d %H:%M} UTC"
            text += (" A window is open now: recreation may proceed." if maintenance.in_window
                     else f" GKE may wait for the next window ({when}) to recreate the nodes.")
        else:
            text += " GKE may wait for a maintenance window to recreate the nodes."
        text += " To recreate them now, upgrade each waiting pool to the control plane's version (commands below)."
    return text


# ------------------------------------------------------------------------ runbooks


def _findings(report: Any, *ids: str) -> list[Any]:
    return [finding for finding in report.findings if finding.id in ids] if report is not None else []


def _unknown_reason(report: Any, *ids: str) -> str | None:
    if report is None:
        return "the checks have not run"
    for item in report.unknown:
        if item.id in ids:
            return f"{item.id}: {item.reason}"
    return None


def _commands_of(findings: Iterable[Any]) -> tuple[StepCommand, ...]:
    out: list[StepCommand] = []
    for finding in findings:
        manifest = finding.remediation.manifest
        for command in finding.remediation.commands:
            out.append(StepCommand(command.argv, command.description or finding.title, command.stdin))
        if manifest and not any(command.stdin == manifest for command in finding.remediation.commands):
            out.append(_step_command(shell.apply(manifest), f"{finding.id} manifest"))
    return tuple(dict.fromkeys(out))


def _finding_step(title: str, report: Any, ids: tuple[str, ...], ok: str, commands: tuple[StepCommand, ...] = ()
                  ) -> Step:
    """A step that is done when the checks `ids` found nothing, pending with their findings."""
    found = _findings(report, *ids)
    if found:
        detail = "; ".join(f"{f.id} {f.subject}: {f.message}" for f in found[:MAX_LISTED])
        if len(found) > MAX_LISTED:
            detail += f"; and {len(found) - MAX_LISTED} more"
        return Step(title, StepState.PENDING, detail, commands + _commands_of(found))
    unknown = _unknown_reason(report, *ids)
    if unknown:
        return Step(title, StepState.UNKNOWN, f"Unknown: {unknown}.", commands)
    return Step(title, StepState.DONE, ok, commands)


def _pending_wait(report: Any, ids: tuple[str, ...], wait: StepCommand) -> tuple[StepCommand, ...]:
    """The waiting command, only while the checks `ids` still find something."""
    return (wait,) if _findings(report, *ids) else ()


def _mark_next(steps: list[Step]) -> tuple[Step, ...]:
    """The first pending step is next; when none is pending, the first unknown one."""
    for wanted in (StepState.PENDING, StepState.UNKNOWN):
        for index, step in enumerate(steps):
            if step.state is wanted:
                steps[index] = Step(step.title, step.state, step.detail, step.commands, True)
                return tuple(steps)
    return tuple(steps)


def _flag(value: bool | None) -> StepState:
    if value is None:
        return StepState.UNKNOWN
    return StepState.DONE if value else StepState.PENDING


def _pool_commands(progress: RecreationProgress | None) -> tuple[StepCommand, ...]:
    if progress is None:
        return ()
    return tuple(StepCommand(pool.argv, f"recreate the nodes of {pool.pool} now ({pool.done}/{pool.total} done)")
                 for pool in progress.pools if pool.argv)


def _unknown_detail(enforcement: Any) -> str:
    """Why the switches cannot be read: no cluster information, or a description without them."""
    reason = getattr(enforcement, "unknown_reason", None) if enforcement is not None else None
    if reason and reason != "no GKE cluster information":
        return f"The switches cannot be read: {reason}."
    return "Without GKE cluster information the switches cannot be read."


def _builtin(key: str, title: str, enforcement: Any) -> Runbook | None:
    mode = str(enforcement.mode) if enforcement is not None else "unknown"
    if mode in ("autopilot", "dataplane-v2"):
        step = Step("Nothing to switch", StepState.NOT_APPLICABLE,
                    "Enforcement is built into GKE Dataplane V2 (and always on in Autopilot); it cannot be turned on or "
                    "off with the network-policy flags.", (_step_command(
                        kubectl("get", "pods", "-l", "k8s-app=cilium", namespace="kube-system"),
                        "the Dataplane V2 agents (anetd) enforcing policy"),))
        return Runbook(key, title, "Not applicable on Dataplane V2.", (step,))
    return None


def enable_runbook(snapshot: Snapshot, enforcement: Any, report: Any,
                   progress: RecreationProgress | None) -> Runbook:
    title = "Enable enforcement"
    builtin = _builtin("enable", title, enforcement)
    if builtin is not None:
        return builtin
    summary = "Standard cluster, legacy datapath (Calico): control plane first, then the nodes; nodes are recreated."
    if enforcement is None or str(enforcement.mode) == "unknown":
        return Runbook("enable", title, summary, _mark_next([Step(
            "Read the cluster", StepState.UNKNOWN, _unknown_detail(enforcement) + " "
            "Load `gcloud container clusters describe CLUSTER --format=json` (or give --project/--location/--cluster).",
            (StepCommand(("gcloud", "container", "clusters", "describe", "CLUSTER_NAME", "--location=LOCATION",
                          "--project=PROJECT_ID", "--format=json"), "the cluster description netpol-tui needs"),))]))
    from netpol_tui.checks.enforcement import enable_commands

    addon_cmd, nodes_cmd = enable_commands(snapshot)
    steps = [
        _finding_step("Nodes can take the overhead", report, ("GKE005", "GKE006", "GKE007"),
                      "Machine types, node count and headroom fit the ~128 MB / 300m per node that enforcement adds."),
        Step("Enable the control-plane addon", _flag(enforcement.addon_enabled),
             "addonsConfig.networkPolicyConfig is " + {True: "on.", False: "off.", None: "unknown."}[
                 enforcement.addon_enabled], (_step_command(addon_cmd, "step 1: control plane"),)),
        Step("Enable enforcement on the nodes", _flag(enforcement.node_setting_enabled),
             "networkPolicy.enabled is " + {True: "true.", False: "false.", None: "unknown."}[
                 enforcement.node_setting_enabled] + " This recreates every node pool.",
             (_step_command(nodes_cmd, "step 2: nodes (recreates the node pools)"),)),
    ]
    wait = until_clean_command(snapshot, ("GKE003",), RECREATION_WAIT,
                               "returns when every node enforces (exit 0); 1 when the wait runs out")
    steps.append(_recreation_step(enforcement, progress, disabling=False, wait=wait)
                 if enforcement.node_setting_enabled else
                 Step("Wait for node recreation", StepState.PENDING if enforcement.nodes_known else StepState.UNKNOWN,
                      "Starts after step 2.", (wait, StepCommand(VERIFY_NODES_ARGV, "lists the nodes that enforce policy"))))
    return Runbook("enable", title, summary, _mark_next(steps))


def _recreation_step(enforcement: Any, progress: RecreationProgress | None, *, disabling: bool,
                     wait: StepCommand) -> Step:
    title = "Wait until no node carries the Calico label" if disabling else "Wait for node recreation"
    verify = StepCommand(VERIFY_NODES_ARGV, "prints `No resources found` when done" if disabling
                         else "must list every node when done")
    if not enforcement.nodes_known or progress is None:
        return Step(title, StepState.UNKNOWN, "Nodes were not loaded.", (wait, verify))
    if progress.done >= progress.total:
        return Step(title, StepState.DONE, f"{progress.done}/{progress.total} nodes are in the expected state.",
                    (verify,))
    detail = f"{progress.done}/{progress.total} nodes recreated"
    detail += f"; ETA {progress.eta.text}" if progress.eta else f"; {progress.eta_reason}" if progress.eta_reason else ""
    if progress.notice:
        detail += ". " + progress.notice
    return Step(title, StepState.PENDING, detail, (wait, verify, *_pool_commands(progress)))


def disable_runbook(snapshot: Snapshot, enforcement: Any, report: Any,
                    progress: RecreationProgress | None) -> Runbook:
    title = "Disable enforcement"
    builtin = _builtin("disable", title, enforcement)
    if builtin is not None:
        return builtin
    summary = "Nodes first, wait for their recreation, then the control plane (the reverse order fails)."
    if enforcement is None or str(enforcement.mode) == "unknown":
        return Runbook("disable", title, summary, _mark_next([Step(
            "Read the cluster", StepState.UNKNOWN, _unknown_detail(enforcement))]))
    from netpol_tui.checks.enforcement import disable_commands

    nodes_cmd, addon_cmd = disable_commands(snapshot)
    setting = enforcement.node_setting_enabled
    steps = [
        Step("Disable enforcement on the nodes", _flag(None if setting is None else not setting),
             "networkPolicy.enabled is " + {True: "true.", False: "false.", None: "unknown."}[setting]
             + " This recreates every node pool.", (_step_command(nodes_cmd, "step 1: nodes"),)),
    ]
    wait = until_clean_command(snapshot, ("GKE004",), RECREATION_WAIT,
                               "returns when no node enforces any more (exit 0); 1 when the wait runs out")
    if setting:
        steps.append(Step("Wait until no node carries the Calico label", StepState.PENDING, "Starts after step 1.",
                          (wait, StepCommand(VERIFY_NODES_ARGV, "prints `No resources found` when done"))))
    else:
        steps.append(_recreation_step(enforcement, progress, disabling=True, wait=wait))
    addon = enforcement.addon_enabled
    steps.append(Step("Disable the control-plane addon", _flag(None if addon is None else not addon),
                      f"Only after step 2, or GKE refuses with “{ADDON_REMOVAL_ERROR}”.",
                      (_step_command(addon_cmd, "step 3: control plane"),)))
    return Runbook("disable", title, summary, _mark_next(steps))


def policy_runbook(snapshot: Snapshot, enforcement: Any, report: Any) -> Runbook:
    """gke-facts section 4, with the checks that answer each question for every pod at once."""
    everywhere = enforcement.enforced_everywhere if enforcement is not None else None
    verify = tuple(StepCommand(item.argv, item.meaning) for item in enforcement.verify if item.argv) \
        if enforcement else ()
    enforced_detail = {True: "Policies are enforced on every node.",
                       False: "Policies are not enforced everywhere: see the Enable enforcement runbook.",
                       None: "Unknown: no GKE cluster information or nodes."}[everywhere]
    steps = [
        Step("Is enforcement on?", _flag(everywhere), enforced_detail, verify),
        _finding_step("Do the policies select the pods you mean?", report, ("NP001",),
                      "Every policy selects at least one live pod.",
                      (StepCommand(("kubectl", "describe", "pod", "POD", "-n", "NAMESPACE"), "shows the pod's Labels"),
                       StepCommand(("kubectl", "describe", "networkpolicy", "-n", "NAMESPACE"),
                                   "shows each PodSelector"))),
        _finding_step("Do the rules' peers match anything?", report, ("NP002", "NP005", "NP006"),
                      "Every peer, named port and section is in effect."),
        _finding_step("Is the workload selected by any policy?", report, ("NP003",),
                      "Every namespace with running pods has a policy.",
                      (StepCommand(("kubectl", "get", "networkpolicy", "-n", "NAMESPACE"), "empty: nothing selects the workload"),)),
        _finding_step("System traffic still allowed (DNS, metadata server, control plane, health checks)?", report,
                      ("NP004", "GKE008", "GKE013", "GKE014", "GKE015"),
                      "DNS, metadata server, control plane and load-balancer health checks are reachable."),
        _finding_step("Dataplane differences (ipBlock, endPort)?", report, ("GKE009", "GKE010", "GKE011", "GKE012"),
                      "No ipBlock or endPort rule behaves differently on this dataplane."),
        Step("Explain one connection", StepState.NOT_APPLICABLE,
             "On the Policies screen (3) press e, or run the same question headless.",
             (StepCommand(("netpol-tui", "explain", "--from", "NAMESPACE/POD", "--to", "NAMESPACE/POD", "--port",
                           "PORT"), "why this traffic is allowed or denied"),)),
    ]
    return Runbook("policy", "A policy does not work", "Work down from enforcement to selectors to rules.",
                   _mark_next(steps))


def stuck_pods_runbook(snapshot: Snapshot, enforcement: Any, report: Any,
                       progress: RecreationProgress | None) -> Runbook:
    stuck = [pod for pod in snapshot.pods if pod.is_live and "ContainerCreating" in pod.waiting_reasons]
    names = [f"{pod.namespace}/{pod.name}" for pod in stuck]
    if snapshot.has(Kind.POD) or snapshot.pods:
        find = Step("Find the pods stuck in ContainerCreating", StepState.PENDING if stuck else StepState.DONE,
                    f"{len(stuck)} stuck: {listed(names, MAX_LISTED)}." if stuck else "No pod is waiting in ContainerCreating.",
                    (StepCommand(("kubectl", "get", "pods", "-A", "--field-selector=status.phase=Pending"),
                                 "pending pods, ContainerCreating among them"),))
    else:
        find = Step("Find the pods stuck in ContainerCreating", StepState.UNKNOWN, "Pods were not loaded.")
    first = stuck[0] if stuck else None
    events_cmd = ("kubectl", "get", "events", "-n", first.namespace if first else "NAMESPACE", "--field-selector",
                  f"involvedObject.name={first.name if first else 'POD'}")
    if snapshot.has(Kind.EVENT) or snapshot.events:
        hits = [event for event in snapshot.events if IPAM_MESSAGE in event.message]
        events = Step("Read their events", StepState.PENDING if hits else StepState.DONE,
                      f"{len(hits)} event(s) say “{IPAM_MESSAGE}: host-local” (FailedCreatePodSandBox)." if hits
                      else "No event mentions the Calico IPAM error.", (StepCommand(events_cmd, "why the sandbox fails"),))
    else:
        reason = snapshot.unknown_reason(Kind.EVENT) or "events were not loaded"
        events = Step("Read their events", StepState.UNKNOWN, f"Unknown: {reason}.",
                      (StepCommand(events_cmd, "why the sandbox fails"),))
    calico_ipam = _finding_step(f"Remove the {CALICO_IPADDRS_ANNOTATION} annotation (Calico host-local IPAM)",
                                report, ("KI002",), "No pod or template asks Calico for fixed addresses.")
    daemonsets = _finding_step("Unscheduled ip-masq-agent / calico-node pods", report, ("KI003",),
                               "No manually deployed ip-masq-agent or calico-node is left unscheduled.",
                               _pending_wait(report, ("KI003",), until_clean_command(
                                   snapshot, ("KI003",), ROLLOUT_WAIT,
                                   "after the fix: returns when the DaemonSet pods are scheduled (exit 0)")))
    recreation = _finding_step("Nodes waiting for recreation", report, ("GKE003",),
                               "Every node carries projectcalico.org/ds-ready=true (or Calico is off).",
                               _pending_wait(report, ("GKE003",), until_clean_command(
                                   snapshot, ("GKE003",), RECREATION_WAIT,
                                   "returns when every node enforces (exit 0); 1 when the wait runs out"))
                               + _pool_commands(progress))
    return Runbook("stuck", "Pods stuck in ContainerCreating",
                   "Calico-specific causes first: the IPAM annotation, unscheduled agents, nodes not recreated.",
                   _mark_next([find, events, calico_ipam, daemonsets, recreation]))


def build_runbooks(snapshot: Snapshot, enforcement: Any, report: Any,
                   samples: Sequence[tuple[datetime, int]] = ()) -> tuple[Runbook, ...]:
    """The four runbooks for this snapshot; `enforcement` or `report` None make steps unknown."""
    progress = recreation_progress(snapshot, enforcement, samples) if enforcement is not None else None
    return (enable_runbook(snapshot, enforcement, report, progress),
            disable_runbook(snapshot, enforcement, report, progress),
            policy_runbook(snapshot, enforcement, report),
            stuck_pods_runbook(snapshot, enforcement, report, progress))
