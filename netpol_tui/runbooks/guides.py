"""The four runbooks (gke-facts sections 1-4 and 10), each a checklist of steps with live state.

Every step carries its state, computed from the Snapshot, `EnforcementState` and the check
report, and the exact command to run (filled with the cluster's names by the checks' command
builders).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from netpol_tui import shell
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.runbooks.recreation import RecreationProgress, recreation_progress
from netpol_tui.runbooks.steps import (
    MAX_LISTED,
    RECREATION_WAIT,
    ROLLOUT_WAIT,
    Runbook,
    Step,
    StepCommand,
    StepState,
    _finding_step,
    _flag,
    _mark_next,
    _pending_wait,
    _step_command,
    until_clean_command,
)
from netpol_tui.shell import kubectl
from netpol_tui.text import listed

if TYPE_CHECKING:
    from netpol_tui.checks.enforcement import EnforcementState
    from netpol_tui.checks.model import Report

__all__ = [
    "ADDON_REMOVAL_ERROR", "CALICO_IPADDRS_ANNOTATION", "IPAM_MESSAGE", "VERIFY_NODES", "VERIFY_NODES_ARGV",
    "build_runbooks", "disable_runbook", "enable_runbook", "policy_runbook", "stuck_pods_runbook",
]

VERIFY_NODES_ARGV = ("kubectl", "get", "nodes", "-l", "projectcalico.org/ds-ready=true")
VERIFY_NODES = shell.join(VERIFY_NODES_ARGV)
ADDON_REMOVAL_ERROR = "Network policy addon cannot be removed until network policy has been disabled on the nodes"
IPAM_MESSAGE = "ipAddrs is not compatible with configured IPAM"
CALICO_IPADDRS_ANNOTATION = "cni.projectcalico.org/ipAddrs"


def _pool_commands(progress: RecreationProgress | None) -> tuple[StepCommand, ...]:
    if progress is None:
        return ()
    return tuple(StepCommand(pool.argv, f"recreate the nodes of {pool.pool} now ({pool.done}/{pool.total} done)")
                 for pool in progress.pools if pool.argv)


def _unknown_detail(enforcement: EnforcementState | None) -> str:
    """Why the switches cannot be read: no cluster information, or a description without them."""
    reason = getattr(enforcement, "unknown_reason", None) if enforcement is not None else None
    if reason and reason != "no GKE cluster information":
        return f"The switches cannot be read: {reason}."
    return "Without GKE cluster information the switches cannot be read."


def _builtin(key: str, title: str, enforcement: EnforcementState | None) -> Runbook | None:
    mode = str(enforcement.mode) if enforcement is not None else "unknown"
    if mode in ("autopilot", "dataplane-v2"):
        step = Step("Nothing to switch", StepState.NOT_APPLICABLE,
                    "Enforcement is built into GKE Dataplane V2 (and always on in Autopilot); it cannot be turned on or "
                    "off with the network-policy flags.", (_step_command(
                        kubectl("get", "pods", "-l", "k8s-app=cilium", namespace="kube-system"),
                        "the Dataplane V2 agents (anetd) enforcing policy"),))
        return Runbook(key, title, "Not applicable on Dataplane V2.", (step,))
    return None


def _without_state(key: str, title: str, summary: str, enforcement: EnforcementState | None, hint: str = "",
                   commands: tuple[StepCommand, ...] = ()) -> Runbook | None:
    """The runbook that needs no cluster state: not applicable where enforcement is built in, or
    one `unknown` step while the cluster is not read. None when the steps can be computed."""
    builtin = _builtin(key, title, enforcement)
    if builtin is not None:
        return builtin
    if enforcement is None or str(enforcement.mode) == "unknown":
        return Runbook(key, title, summary, _mark_next([Step(
            "Read the cluster", StepState.UNKNOWN, _unknown_detail(enforcement) + hint, commands)]))
    return None


def enable_runbook(snapshot: Snapshot, enforcement: EnforcementState | None, report: Report | None,
                   progress: RecreationProgress | None) -> Runbook:
    title = "Enable enforcement"
    summary = "Standard cluster, legacy datapath (Calico): control plane first, then the nodes; nodes are recreated."
    without_state = _without_state("enable", title, summary, enforcement, " Load `gcloud container clusters describe "
                                   "CLUSTER --format=json` (or give --project/--location/--cluster).", (StepCommand(
                                       ("gcloud", "container", "clusters", "describe", "CLUSTER_NAME",
                                        "--location=LOCATION", "--project=PROJECT_ID", "--format=json"),
                                       "the cluster description netpol-tui needs"),))
    if without_state is not None:
        return without_state
    assert enforcement is not None  # _without_state answers when nothing is known
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


def _recreation_step(enforcement: EnforcementState, progress: RecreationProgress | None, *, disabling: bool,
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


def disable_runbook(snapshot: Snapshot, enforcement: EnforcementState | None, report: Report | None,
                    progress: RecreationProgress | None) -> Runbook:
    title = "Disable enforcement"
    summary = "Nodes first, wait for their recreation, then the control plane (the reverse order fails)."
    without_state = _without_state("disable", title, summary, enforcement)
    if without_state is not None:
        return without_state
    assert enforcement is not None  # _without_state answers when nothing is known
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


def policy_runbook(snapshot: Snapshot, enforcement: EnforcementState | None, report: Report | None) -> Runbook:
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


def stuck_pods_runbook(snapshot: Snapshot, enforcement: EnforcementState | None, report: Report | None,
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


def build_runbooks(snapshot: Snapshot, enforcement: EnforcementState | None, report: Report | None,
                   samples: Sequence[tuple[datetime, int]] = ()) -> tuple[Runbook, ...]:
    """The four runbooks for this snapshot; `enforcement` or `report` None make steps unknown."""
    progress = recreation_progress(snapshot, enforcement, samples) if enforcement is not None else None
    return (enable_runbook(snapshot, enforcement, report, progress),
            disable_runbook(snapshot, enforcement, report, progress),
            policy_runbook(snapshot, enforcement, report),
            stuck_pods_runbook(snapshot, enforcement, report, progress))
