"""Per-pool node recreation progress and the running node operations, read from one Snapshot.

Part of the enforcement state (`checks/enforcement.py` re-exports every name): how many nodes of
each pool carry `projectcalico.org/ds-ready=true` (the nodes that enforce with Calico), and
the `UPGRADE_NODES` / `UPDATE_CLUSTER` operations that recreate them, with their progress.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from netpol_tui.model.gke import GkeOperation
from netpol_tui.model.objects import Node
from netpol_tui.model.snapshot import Snapshot

NODE_OPERATION_TYPES = ("UPGRADE_NODES", "UPDATE_CLUSTER")


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
