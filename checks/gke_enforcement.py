"""Enforcement switches and node recreation: GKE001-GKE004 and GKE016 (gke-facts 1-3).

They read the enforcement state (`checks/enforcement.py`) and say what to run next. The node
sizing checks GKE005-GKE007 are in `checks/gke_sizing.py` and the shared guards in
`checks/gke_common.py`; both are re-exported here for the callers that import them from this
module.
"""

from __future__ import annotations

from collections.abc import Iterator

from netpol_tui.checks.context import Context, Hit, commands
from netpol_tui.checks.enforcement import (
    CALICO_LABEL_SELECTOR,
    NO_NODES_OUTPUT,
    VERIFY_NODES,
    VERIFY_NODES_COMMAND,
    GcloudCommand,
    Mode,
    RecreationDirection,
    disable_addon_command,
    enable_commands,
    upgrade_pool_command,
)
from netpol_tui.checks.gke_common import (
    cluster_subject,
    need_datapath,
    need_enforcement,
    pool_subject,
    standard_legacy,
)
from netpol_tui.checks.gke_sizing import (
    check_below_recommended_size,
    check_enforcement_overhead_headroom,
    check_unsupported_machine_type,
    machine_memory_mb,
)
from netpol_tui.checks.model import Evidence
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.objects import CALICO_READY_LABEL
from netpol_tui.model.snapshot import Kind
from netpol_tui.text import listed, plural


def _addon_evidence(cluster: GkeCluster) -> Evidence:
    if not cluster.network_policy_addon_present:
        observed = "absent (addon off)"
    else:
        observed = "true (addon off)" if cluster.network_policy_addon_disabled else "false or omitted (addon on)"
    return Evidence("cluster.addonsConfig.networkPolicyConfig.disabled", observed, "false")


def _setting_evidence(cluster: GkeCluster) -> Evidence:
    return Evidence("cluster.networkPolicy.enabled", "true" if cluster.network_policy_enabled else "false or absent",
                    "true")


def _verify() -> tuple[GcloudCommand, str]:
    return (VERIFY_NODES, "lists the nodes that enforce policy (Calico runs only there)")


def check_enforcement_off(ctx: Context) -> Iterator[Hit]:
    """NetworkPolicy objects exist but a Standard cluster on the legacy datapath enforces none of them.

    On Standard clusters Calico enforcement needs two switches: the control-plane addon and
    the node setting. With both off, the API server accepts NetworkPolicy objects and nothing
    enforces them, so every pod can still talk to every pod.
    """
    cluster = standard_legacy(ctx)
    if cluster is None:
        return
    if cluster.addon_enabled or cluster.network_policy_enabled:
        return
    ctx.need(Kind.NETWORK_POLICY)
    policies = ctx.snapshot.policies
    if not policies:
        return
    step1, step2 = enable_commands(ctx.snapshot)
    cmds, placeholders = commands(
        (step1, "step 1: enable the control-plane addon"),
        (step2, "step 2, after step 1 finished: enable enforcement on the nodes (recreates the node pools)"),
        _verify())
    names = [f"{p.namespace}/{p.name}" for p in sorted(policies, key=lambda p: p.key)]
    yield Hit(cluster_subject(ctx),
              f"NetworkPolicy enforcement is off on cluster {cluster.name}: {plural(len(policies), 'NetworkPolicy', 'NetworkPolicies')} "
              "exist but none is enforced, so all traffic is allowed.",
              (_addon_evidence(cluster), _setting_evidence(cluster),
               Evidence("NetworkPolicy", f"{len(policies)}: {listed(names, 10)}", "enforced")),
              cmds, placeholders=placeholders, origin=cluster.origin)


def check_enforcement_half_on(ctx: Context) -> Iterator[Hit]:
    """The control-plane addon and the node setting disagree, so enforcement is half switched.

    Enabling is two steps (addon, then nodes) and disabling is three (nodes, wait for node
    recreation, then addon). A cluster left between steps either enforces nothing yet or keeps
    enforcing while the user believes it is off. The node label and running node operations
    tell which sequence is under way and what to run next.
    """
    cluster = standard_legacy(ctx)
    if cluster is None or cluster.addon_enabled == cluster.network_policy_enabled:
        return
    state = ctx.state
    evidence = [_addon_evidence(cluster), _setting_evidence(cluster)]
    if state.nodes_known:
        evidence.append(Evidence(f"Node labels {CALICO_LABEL_SELECTOR}",
                                 f"{len(state.labelled_nodes)} of {len(state.labelled_nodes) + len(state.unlabelled_nodes)} nodes"))
    for operation in state.operations:
        evidence.append(Evidence(f"Operation {operation.name}", operation.text))
    step = state.step
    if cluster.network_policy_enabled:
        cmds, placeholders = commands(
            (enable_commands(ctx.snapshot)[0], "bring the control plane in line: enable the addon (enable step 1)"),
        )
        message = (f"Cluster {cluster.name} enforces NetworkPolicy on its nodes but the control-plane addon is off; "
                   "enable the addon (to turn enforcement off instead, run --no-enable-network-policy first).")
    elif step.sequence == "disable":
        cmds, placeholders = commands(
            (VERIFY_NODES, f"disable step 2: wait until this prints `{NO_NODES_OUTPUT}`"),
            (disable_addon_command(ctx.snapshot), "disable step 3, only after the previous command prints "
                                                  f"`{NO_NODES_OUTPUT}`: disable the control-plane addon"))
        message = (f"Cluster {cluster.name} is disabling enforcement: step 1 (--no-enable-network-policy) is done and "
                   "nodes are still being recreated; wait for the nodes, then disable the addon.")
    elif not state.nodes_known:
        step2 = enable_commands(ctx.snapshot)[1]
        cmds, placeholders = commands(
            (VERIFY_NODES, "tells enabling from disabling: labelled nodes mean a disable is under way"),
            (step2, "if you are enabling: step 2, enable enforcement on the nodes (recreates the node pools)"),
            (disable_addon_command(ctx.snapshot), f"if you are disabling: only once the first command prints "
                                                  f"`{NO_NODES_OUTPUT}`"))
        message = (f"Cluster {cluster.name} has the control-plane addon on but node enforcement off; nodes were not "
                   "loaded, so whether this is enable step 1 or a disable in progress is unknown.")
    else:
        step2 = enable_commands(ctx.snapshot)[1]
        cmds, placeholders = commands(
            (step2, "enable step 2: enable enforcement on the nodes (recreates the node pools)"), _verify())
        message = (f"Cluster {cluster.name} has only enable step 1 done: the control-plane addon is on but the nodes "
                   "do not enforce NetworkPolicy yet.")
    evidence.append(Evidence("sequence", step.summary))
    yield Hit(cluster_subject(ctx), message, tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def _maintenance_note(ctx: Context) -> str:
    maintenance = ctx.state.maintenance
    if not maintenance.configured:
        return ""
    when = f" (next window {maintenance.next_window:%Y-%m-%d %H:%M} UTC)" if maintenance.next_window else ""
    return f" A maintenance window or exclusion is set, so GKE recreates nodes only in a window{when}."


def check_nodes_not_enforcing(ctx: Context) -> Iterator[Hit]:
    """Calico enforcement is on but some nodes do not run it yet, so pods there are unprotected.

    Turning enforcement on recreates the node pools; only recreated nodes carry
    `projectcalico.org/ds-ready=true`, and calico-node (which enforces policy) runs only on
    those. Until every node is recreated, pods on the other nodes accept and send any traffic.
    """
    cluster = need_enforcement(ctx)
    if not cluster.calico_enforcement:
        return
    ctx.need(Kind.NODE)
    state = ctx.state
    pods_on = ctx.live_pods_by_node if ctx.snapshot.has(Kind.POD) else {}
    for pool in state.pools:
        if not pool.missing:
            continue
        groups = [(pool.pool, pool.unlabelled_nodes)] if pool.pool else [(None, (n,)) for n in pool.unlabelled_nodes]
        for name, nodes in groups:
            evidence = []
            for node_name in nodes[:20]:
                node = ctx.nodes[node_name]
                status = node.status_text
                evidence.append(Evidence(f"Node {node_name} metadata.labels[{CALICO_READY_LABEL}]",
                                         f"{node.labels.get(CALICO_READY_LABEL, 'absent')} ({status})", "true"))
            if len(nodes) > 20:
                evidence.append(Evidence("Node", f"... and {plural(len(nodes) - 20, 'more unlabelled node')}"))
            exposed = sorted(f"{p.namespace}/{p.name}" for n in nodes for p in pods_on.get(n, ()) if not p.host_network)
            if exposed:
                evidence.append(Evidence("Pods on these nodes (not protected)", f"{len(exposed)}: {listed(exposed)}"))
            cmds, placeholders = commands(
                (upgrade_pool_command(ctx.snapshot, name), "recreate the pool's nodes now instead of waiting: "
                                                           "upgrade it to the control plane's version"),
                _verify())
            if name:
                message = (f"{pool.missing} of {pool.total} nodes in node pool {name} lack {CALICO_LABEL_SELECTOR}: "
                           "NetworkPolicy is not enforced for pods on them.")
            else:
                message = f"Node {nodes[0]} lacks {CALICO_LABEL_SELECTOR}: NetworkPolicy is not enforced for pods on it."
            yield Hit(pool_subject(name, nodes[0]), message + _maintenance_note(ctx), tuple(evidence), cmds,
                      placeholders=placeholders, origin=ctx.nodes[nodes[0]].origin)


def check_disable_pending(ctx: Context) -> Iterator[Hit]:
    """Enforcement was switched off for the nodes, but some nodes still carry the Calico label.

    Disabling recreates the nodes first; only when no node carries
    `projectcalico.org/ds-ready=true` may the control-plane addon be disabled. Disabling the
    addon earlier fails ("Network policy addon cannot be removed until network policy has been
    disabled on the nodes"), and the labelled nodes keep enforcing policy meanwhile.
    """
    cluster = standard_legacy(ctx)
    if cluster is None or cluster.network_policy_enabled:
        return
    ctx.need(Kind.NODE)
    labelled = ctx.state.labelled_nodes
    if not labelled:
        return
    cordoned = [name for name in labelled if ctx.nodes[name].unschedulable]
    evidence = [_setting_evidence(cluster), _addon_evidence(cluster),
                Evidence(f"Nodes with {CALICO_LABEL_SELECTOR}", f"{len(labelled)}: {listed(list(labelled))}",
                         "none")]
    if cordoned:
        evidence.append(Evidence("Nodes Ready,SchedulingDisabled", f"{len(cordoned)}: {listed(cordoned)} "
                                 "(recreation still running)"))
    items: list[tuple[GcloudCommand, str]] = [(VERIFY_NODES, f"wait until this prints `{NO_NODES_OUTPUT}`")]
    if cluster.addon_enabled:
        items.append((disable_addon_command(ctx.snapshot),
                      f"only after the previous command prints `{NO_NODES_OUTPUT}`: disable the addon"))
        message = (f"Enforcement is off for the nodes of cluster {cluster.name} but {plural(len(labelled), 'node')} still "
                   f"carry {CALICO_LABEL_SELECTOR}; do not disable the addon until `{VERIFY_NODES_COMMAND}` "
                   "prints nothing.")
    else:
        message = (f"Enforcement and the addon are off on cluster {cluster.name} but {plural(len(labelled), 'node')} still "
                   f"carry {CALICO_LABEL_SELECTOR}; node recreation has not finished.")
    cmds, placeholders = commands(*items)
    yield Hit(cluster_subject(ctx), message, tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def check_maintenance_delays_recreation(ctx: Context) -> Iterator[Hit]:
    """Node recreation is pending and a maintenance window or exclusion holds it back.

    With a maintenance window or exclusion configured, GKE recreates nodes for an enforcement
    change only in the next window, which can take days. Upgrading each node pool to the
    control plane's own version recreates its nodes at once.
    """
    cluster = ctx.need_cluster()
    state = ctx.state
    if state.mode is Mode.UNKNOWN and state.maintenance.configured:
        need_enforcement(ctx)  # a window delays recreation only if one is pending, which depends on the mode
    if state.recreation.pending is None:
        ctx.need(Kind.NODE)  # a running UPGRADE_NODES operation decides without nodes; else they are needed
    if state.recreation.pending is not True or not state.maintenance.configured:
        return
    maintenance = state.maintenance
    enabling = state.recreation.direction is RecreationDirection.ENABLING
    pools = [p for p in state.pools if (p.missing if enabling else p.labelled)]
    names: list[str | None] = [p.pool for p in pools]
    if not names:
        running: list[str | None] = [op.node_pool for op in state.operations if op.node_pool]
        names = running or [pool.name for pool in cluster.node_pools] or [None]
    cmds, placeholders = commands(*[
        (upgrade_pool_command(ctx.snapshot, name), "recreate this pool's nodes now (same version as the control plane)")
        for name in dict.fromkeys(names)])
    evidence = [Evidence("recreation", f"{state.recreation.direction}: {state.recreation.reason}"),
                Evidence("cluster.maintenancePolicy", maintenance.summary)]
    if maintenance.next_window:
        when = f"{maintenance.next_window:%Y-%m-%d %H:%M} UTC"
        evidence.append(Evidence("next maintenance window", when + (" (now open)" if maintenance.in_window else "")))
        wait = f"the next window starts {when}" if not maintenance.in_window else "a window is open now"
    else:
        wait = "the next window could not be computed"
    if maintenance.blocking_exclusions:
        evidence.append(Evidence("active maintenance exclusions", ", ".join(maintenance.blocking_exclusions)))
    for operation in state.operations:
        evidence.append(Evidence(f"Operation {operation.name}", operation.text))
    yield Hit(cluster_subject(ctx), f"Node recreation for {'enabling' if enabling else 'disabling'} enforcement is "
                                     f"pending and a maintenance policy is set, so GKE waits for a window ({wait}); "
                                     "upgrade the pools by hand to recreate the nodes now.",
              tuple(evidence), cmds, placeholders=placeholders,
              origin=ctx.snapshot.cluster.origin if ctx.snapshot.cluster else None)


__all__ = [
    "check_below_recommended_size", "check_disable_pending", "check_enforcement_half_on", "check_enforcement_off",
    "check_enforcement_overhead_headroom", "check_maintenance_delays_recreation", "check_nodes_not_enforcing",
    "check_unsupported_machine_type", "machine_memory_mb", "need_datapath", "need_enforcement",
]
