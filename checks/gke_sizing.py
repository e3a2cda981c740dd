"""Node sizing for network policy: GKE005-GKE007 (gke-facts 2).

Enforcement runs an agent on every node (about 300m CPU and 128 MiB in kube-system), so GKE
does not support f1-micro and g1-small with it, recommends at least 3 e2-medium nodes, and a
node without that headroom may not fit the agent once it is recreated with enforcement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
from netpol_tui.checks.enforcement import GcloudCommand, RecreationDirection
from netpol_tui.checks.gke_common import cluster_subject, need_enforcement, pool_subject, standard_legacy
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.objects import Node
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


def _policy_relevant(ctx: Context, cluster: GkeCluster) -> bool:
    """Enforcement is on, the addon is on, or NetworkPolicies exist (GKE005/GKE006 scope)."""
    if cluster.calico_enforcement or cluster.addon_enabled:
        return True
    ctx.need(Kind.NETWORK_POLICY)
    if ctx.snapshot.policies:
        return True
    need_enforcement(ctx)  # no policies: relevant only if enforcement is on, which must be known
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
    out: list[tuple[str | None, str | None, list[Node]]] = []
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
        subject = pool_subject(pool, names[0] if names else "?")
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
    yield Hit(cluster_subject(ctx), f"Cluster {cluster.name} is below the recommended size for network policy "
                                     f"({'; '.join(problems)}); GKE recommends at least 3 e2-medium nodes.",
              tuple(evidence), cmds, placeholders=placeholders, origin=cluster.origin)


def check_enforcement_overhead_headroom(ctx: Context) -> Iterator[Hit]:
    """Nodes about to start enforcing policy lack room for its overhead (300m CPU, 128 MiB).

    Calico adds roughly 300 millicores and 128 MB per node in kube-system. A node whose
    allocatable minus the requests of its pods is below that may not fit the agent once it is
    recreated with enforcement, and workloads may then fail to schedule.
    """
    cluster = standard_legacy(ctx)
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
