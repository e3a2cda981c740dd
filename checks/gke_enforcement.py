"""Enforcement switches, node recreation and node sizing: GKE001-GKE007 and GKE016 (gke-facts 1-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
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
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.objects import CALICO_READY_LABEL, Node
from netpol_tui.model.quantity import format_bytes
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import gcloud
from netpol_tui.text import listed, plural

UNSUPPORTED_MACHINE_TYPES = ("f1-micro", "g1-small")
RECOMMENDED_NODES = 3
RECOMMENDED_MACHINE = "e2-medium"
RECOMMENDED_MEMORY_MB = 4096
#: Nominal memory of machine types smaller than e2-medium, in MB (Compute Engine machine families).
SMALL_MACHINE_MEMORY_MB = {
    "f1-micro": 614, "g1-small": 1741, "e2-micro": 1024, "e2-small": 2048, "n1-standard-1": 3840,
    "n1-highcpu-2": 1843, "n1-highcpu-4": 3686, "e2-highcpu-2": 2048, "n2-highcpu-2": 2048,
    "n2d-highcpu-2": 2048,
}
#: custom-CPU-MEM (MEM in MB), with a family prefix, an E2 shared-core size or the -ext suffix.
_CUSTOM = re.compile(r"(?:^|-)custom-(\d+|micro|small|medium)-(\d+)(?:-ext)?$")
OVERHEAD_CPU_MILLIS = 300
OVERHEAD_MEMORY_BYTES = 128 * 2**20


def _cluster_subject(ctx: Context) -> Subject:
    return Subject("Cluster", None, ctx.identity.name)


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


def need_datapath(ctx: Context) -> GkeCluster:
    """The cluster, when its description says whether it runs Dataplane V2; else the check is unknown.

    For the checks whose answer differs by datapath (ipBlock, endPort, metadata server address).
    """
    cluster = ctx.need_cluster()
    reason = cluster.datapath_unknown_reason
    if reason:
        raise CheckUnknown(reason)
    return cluster


def need_enforcement(ctx: Context) -> GkeCluster:
    """The cluster, when its description says whether and how it enforces policy; else unknown."""
    return _need_enforcement(ctx)


def _need_enforcement(ctx: Context) -> GkeCluster:
    """The cluster, when its description says which enforcement model it follows; else unknown.

    A description that leaves the enforcement fields out (a trimmed file) must not read as
    "enforcement off": that would suggest --enable-network-policy, which recreates every node.
    """
    cluster = ctx.need_cluster()
    if ctx.state.mode is Mode.UNKNOWN:
        raise CheckUnknown(ctx.state.unknown_reason or "the cluster's enforcement model is unknown")
    return cluster


def _standard_legacy(ctx: Context) -> GkeCluster | None:
    cluster = _need_enforcement(ctx)
    return cluster if cluster.is_standard_legacy else None


def check_enforcement_off(ctx: Context) -> Iterator[Hit]:
    """NetworkPolicy objects exist but a Standard cluster on the legacy datapath enforces none of them.

    On Standard clusters Calico enforcement needs two switches: the control-plane addon and
    the node setting. With both off, the API server accepts NetworkPolicy objects and nothing
    enforces them, so every pod can still talk to every pod.
    """
    cluster = _standard_legacy(ctx)
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
    yield Hit(_cluster_subject(ctx),
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
    cluster = _standard_legacy(ctx)
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
    yield Hit(_cluster_subject(ctx), message, tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def _pool_subject(pool: str | None, node: str) -> Subject:
    return Subject("NodePool", None, pool) if pool else Subject("Node", None, node)


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
    cluster = _need_enforcement(ctx)
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
                evidence.append(Evidence("Node", f"... and {len(nodes) - 20} more unlabelled nodes"))
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
            yield Hit(_pool_subject(name, nodes[0]), message + _maintenance_note(ctx), tuple(evidence), cmds,
                      placeholders=placeholders, origin=ctx.nodes[nodes[0]].origin)


def check_disable_pending(ctx: Context) -> Iterator[Hit]:
    """Enforcement was switched off for the nodes, but some nodes still carry the Calico label.

    Disabling recreates the nodes first; only when no node carries
    `projectcalico.org/ds-ready=true` may the control-plane addon be disabled. Disabling the
    addon earlier fails ("Network policy addon cannot be removed until network policy has been
    disabled on the nodes"), and the labelled nodes keep enforcing policy meanwhile.
    """
    cluster = _standard_legacy(ctx)
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
    yield Hit(_cluster_subject(ctx), message, tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def _policy_relevant(ctx: Context, cluster: GkeCluster) -> bool:
    """Enforcement is on, the addon is on, or NetworkPolicies exist (GKE005/GKE006 scope)."""
    if cluster.calico_enforcement or cluster.addon_enabled:
        return True
    ctx.need(Kind.NETWORK_POLICY)
    if ctx.snapshot.policies:
        return True
    _need_enforcement(ctx)  # no policies: relevant only if enforcement is on, which must be known
    return False


def machine_memory_mb(machine_type: str | None) -> int | None:
    """Nominal memory when below e2-medium's 4 GB and known; None otherwise (not judged small)."""
    if not machine_type:
        return None
    if machine_type in SMALL_MACHINE_MEMORY_MB:
        return SMALL_MACHINE_MEMORY_MB[machine_type]
    match = _CUSTOM.search(machine_type)
    if match:
        return int(match.group(2))
    return None


def _pools_and_nodes(ctx: Context) -> list[tuple[str | None, str | None, list[Node]]]:
    """(pool, machine type, nodes) from the cluster's pools and the nodes' labels."""
    cluster = ctx.snapshot.cluster
    by_pool: dict[str | None, list[Node]] = {}
    for node in ctx.snapshot.nodes:
        by_pool.setdefault(node.node_pool, []).append(node)
    out = []
    known = set()
    for pool in cluster.node_pools if cluster else ():
        known.add(pool.name)
        nodes = by_pool.get(pool.name, [])
        machine = pool.machine_type or next((n.machine_type for n in nodes if n.machine_type), None)
        out.append((pool.name, machine, nodes))
    for name, nodes in sorted(by_pool.items(), key=lambda item: (item[0] is None, item[0] or "")):
        if name in known:
            continue
        if name is None:
            out.extend((None, node.machine_type, [node]) for node in nodes)
        else:
            out.append((name, next((n.machine_type for n in nodes if n.machine_type), None), nodes))
    return out


def _new_pool_command(ctx: Context, pool: str | None) -> GcloudCommand:
    identity = ctx.identity
    name = f"{pool}-{RECOMMENDED_MACHINE}" if pool else f"pool-{RECOMMENDED_MACHINE}"
    return gcloud(("container", "node-pools", "create"), name,
                  (f"--cluster={identity.name}", f"--machine-type={RECOMMENDED_MACHINE}",
                   f"--num-nodes={RECOMMENDED_NODES}", *identity.flag_args), identity.placeholders)


def check_unsupported_machine_type(ctx: Context) -> Iterator[Hit]:
    """Nodes of machine type f1-micro or g1-small, which GKE does not support with network policy.

    Enforcement adds about 128 MB of memory and 300 millicores of CPU in kube-system on every
    node; the shared-core f1-micro and g1-small types are too small to run it and the workloads.
    """
    cluster = ctx.need_cluster()
    if cluster.autopilot or not _policy_relevant(ctx, cluster):
        return
    for pool, machine, nodes in _pools_and_nodes(ctx):
        if machine not in UNSUPPORTED_MACHINE_TYPES:
            continue
        names = sorted(n.name for n in nodes)
        subject = _pool_subject(pool, names[0] if names else "?")
        where = f"node pool {pool}" if pool else f"node {names[0]}"
        evidence = [Evidence(f"nodePools[{pool}].config.machineType" if pool else f"Node {names[0]} instance type",
                             machine, f"{RECOMMENDED_MACHINE} or larger")]
        if names and pool:
            evidence.append(Evidence("Nodes", f"{len(names)}: {listed(names)}"))
        cmds, placeholders = commands(
            (_new_pool_command(ctx, pool), f"add a pool of {RECOMMENDED_MACHINE} nodes and move the workloads "
                                           "there"),
            *([(gcloud(("container", "node-pools", "delete"), pool,
                        (f"--cluster={ctx.identity.name}", *ctx.identity.flag_args), ctx.identity.placeholders),
                "after the workloads run on the new pool: remove the unsupported one")] if pool else []))
        placeholders = tuple(dict.fromkeys((*placeholders, *ctx.identity.placeholders)))
        yield Hit(subject, f"{where.capitalize()} uses machine type {machine}, which GKE does not support with "
                           "NetworkPolicy enforcement.", tuple(evidence), cmds, placeholders=placeholders,
                  origin=nodes[0].origin if nodes and not pool else cluster.origin)


def check_below_recommended_size(ctx: Context) -> Iterator[Hit]:
    """The cluster is below the recommended minimum for network policy: 3 nodes of e2-medium.

    Enforcement runs an agent on every node; with fewer than three nodes or nodes smaller
    than e2-medium (4 GB) there is little room left for workloads once it runs.
    """
    cluster = ctx.need_cluster()
    if cluster.autopilot or not _policy_relevant(ctx, cluster):
        return
    evidence: list[Evidence] = []
    problems = []
    if ctx.snapshot.has(Kind.NODE) and ctx.kind_missing(Kind.NODE) is None:
        count: int | None = len(ctx.snapshot.nodes)
        source = "Node objects"
    else:
        counts = [pool.initial_node_count * (len(pool.locations) or cluster.zone_count)
                  for pool in cluster.node_pools if pool.initial_node_count is not None]
        count = sum(counts) if counts and len(counts) == len(cluster.node_pools) else None
        source = "nodePools[].initialNodeCount x zones"
    if count is None:
        raise CheckUnknown("the node count is unknown: add `kubectl get nodes -o json` output with --files")
    if count < RECOMMENDED_NODES:
        problems.append(f"{plural(count, 'node')}")
        evidence.append(Evidence(f"node count ({source})", str(count), f">= {RECOMMENDED_NODES}"))
    small = []
    for pool, machine, nodes in _pools_and_nodes(ctx):
        memory = machine_memory_mb(machine)
        if memory is not None and memory < RECOMMENDED_MEMORY_MB:
            where = f"node pool {pool}" if pool else f"node {nodes[0].name}"
            small.append(where)
            evidence.append(Evidence(f"{where} machine type", f"{machine} ({memory / 1024:.2g} GB)",
                                     f"{RECOMMENDED_MACHINE} (4 GB) or larger"))
    if small:
        problems.append("machine types smaller than e2-medium in " + ", ".join(small))
    if not problems:
        return
    items: list[tuple[GcloudCommand, str]] = []
    if count < RECOMMENDED_NODES:
        pool = cluster.node_pools[0].name if cluster.node_pools else None
        per_zone = -(-RECOMMENDED_NODES // (len(cluster.node_pools[0].locations) or cluster.zone_count)) \
            if cluster.node_pools else RECOMMENDED_NODES
        identity = ctx.identity
        items.append((gcloud(("container", "clusters", "resize"), identity.name,
                             (f"--node-pool={pool or 'POOL_NAME'}", f"--num-nodes={per_zone}", *identity.flag_args),
                             (*identity.placeholders, *(() if pool else ("POOL_NAME",)))),
                      f"grow the pool to at least {RECOMMENDED_NODES} nodes (--num-nodes counts per zone)"))
    if small:
        items.append((_new_pool_command(ctx, None), f"add a pool of {RECOMMENDED_MACHINE} nodes for the workloads"))
    cmds, placeholders = commands(*items)
    yield Hit(_cluster_subject(ctx), f"Cluster {cluster.name} is below the recommended size for network policy "
                                     f"({'; '.join(problems)}); GKE recommends at least 3 e2-medium nodes.",
              tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def check_enforcement_overhead_headroom(ctx: Context) -> Iterator[Hit]:
    """Nodes about to start enforcing policy lack room for its overhead (300m CPU, 128 MiB).

    Calico adds roughly 300 millicores and 128 MB per node in kube-system. A node whose
    allocatable minus the requests of its pods is below that may not fit the agent once it is
    recreated with enforcement, and workloads may then fail to schedule.
    """
    cluster = _standard_legacy(ctx)
    if cluster is None:
        return
    wanted = cluster.addon_enabled or cluster.network_policy_enabled
    if not wanted:
        ctx.need(Kind.NETWORK_POLICY)
        wanted = bool(ctx.snapshot.policies)
    if not wanted or ctx.state.recreation.direction is RecreationDirection.DISABLING:
        return
    ctx.need(Kind.NODE, Kind.POD)
    for node in sorted(ctx.snapshot.nodes, key=lambda n: n.name):
        if node.calico_ready or node.allocatable_cpu_millis is None or node.allocatable_memory_bytes is None:
            continue
        pods = ctx.live_pods_by_node.get(node.name, [])
        cpu = node.allocatable_cpu_millis - sum(p.cpu_request_millis for p in pods)
        memory = node.allocatable_memory_bytes - sum(p.memory_request_bytes for p in pods)
        if cpu >= OVERHEAD_CPU_MILLIS and memory >= OVERHEAD_MEMORY_BYTES:
            continue
        short = []
        if cpu < OVERHEAD_CPU_MILLIS:
            short.append(f"{cpu}m CPU")
        if memory < OVERHEAD_MEMORY_BYTES:
            short.append(f"{format_bytes(memory)} memory")
        pool = node.node_pool
        identity = ctx.identity
        pool_nodes = sum(1 for n in ctx.snapshot.nodes if n.node_pool == pool) if pool else 0
        zones = next((len(p.locations) for p in cluster.node_pools if p.name == pool and p.locations), 0) \
            or cluster.zone_count
        target = -(-(pool_nodes + 1) // zones) if pool else 0
        cmds, placeholders = commands(
            (gcloud(("container", "clusters", "resize"), identity.name,
                    (f"--node-pool={pool or 'POOL_NAME'}", f"--num-nodes={target or 'NUM_NODES'}", *identity.flag_args),
                    (*identity.placeholders, *(() if pool else ("POOL_NAME", "NUM_NODES")))),
             "add room before enforcement starts on this node (--num-nodes counts per zone)"))
        yield Hit(Subject("Node", None, node.name),
                  f"Node {node.name} has only {' and '.join(short)} unrequested; enforcement needs about 300m CPU and "
                  "128 MiB on every node.",
                  (Evidence(f"Node {node.name} status.allocatable", f"cpu {node.allocatable_cpu_millis}m, memory "
                            f"{format_bytes(node.allocatable_memory_bytes)}"),
                   Evidence(f"requests of {plural(len(pods), 'live pod')} on the node",
                            f"cpu {sum(p.cpu_request_millis for p in pods)}m, memory "
                            f"{format_bytes(sum(p.memory_request_bytes for p in pods))}"),
                   Evidence("headroom", f"cpu {cpu}m, memory {format_bytes(memory)}", ">= 300m CPU and >= 128Mi")),
                  cmds, placeholders=placeholders, origin=node.origin)


def check_maintenance_delays_recreation(ctx: Context) -> Iterator[Hit]:
    """Node recreation is pending and a maintenance window or exclusion holds it back.

    With a maintenance window or exclusion configured, GKE recreates nodes for an enforcement
    change only in the next window, which can take days. Upgrading each node pool to the
    control plane's own version recreates its nodes at once.
    """
    cluster = ctx.need_cluster()
    state = ctx.state
    if state.mode is Mode.UNKNOWN and state.maintenance.configured:
        _need_enforcement(ctx)  # a window delays recreation only if one is pending, which depends on the mode
    if state.recreation.pending is None:
        ctx.need(Kind.NODE)  # a running UPGRADE_NODES operation decides without nodes; else they are needed
    if state.recreation.pending is not True or not state.maintenance.configured:
        return
    maintenance = state.maintenance
    enabling = state.recreation.direction is RecreationDirection.ENABLING
    pools = [p for p in state.pools if (p.missing if enabling else p.labelled)]
    names: list[str | None] = [p.pool for p in pools]
    if not names:
        running = [op.node_pool for op in state.operations if op.node_pool]
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
    yield Hit(_cluster_subject(ctx), f"Node recreation for {'enabling' if enabling else 'disabling'} enforcement is "
                                     f"pending and a maintenance policy is set, so GKE waits for a window ({wait}); "
                                     "upgrade the pools by hand to recreate the nodes now.",
              tuple(evidence), cmds, placeholders=placeholders,
              origin=ctx.snapshot.cluster.origin if ctx.snapshot.cluster else None)


__all__ = [
    "check_below_recommended_size", "check_disable_pending", "check_enforcement_half_on", "check_enforcement_off",
    "check_enforcement_overhead_headroom", "check_maintenance_delays_recreation", "check_nodes_not_enforcing",
    "check_unsupported_machine_type", "machine_memory_mb", "need_datapath", "need_enforcement",
]
