"""What the GKE checks share: the guards that make a check unknown instead of wrong, and subjects.

A check whose answer depends on data the snapshot lacks raises `CheckUnknown` with the reason
(never a pass, never a finding). These guards say it once for the questions several check
modules ask: does the description say which datapath runs (`need_datapath`) or which
enforcement model (`need_enforcement`), and could a kind be listed at all (`need_listed`, for
the CRD kinds whose listing may fail). The cluster- and pool-level subjects are here too.
"""

from __future__ import annotations

from netpol_tui.checks.context import CheckUnknown, Context
from netpol_tui.checks.enforcement import Mode
from netpol_tui.checks.model import Subject
from netpol_tui.model.gke import GkeCluster
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import kubectl


def cluster_subject(ctx: Context) -> Subject:
    return Subject("Cluster", None, ctx.identity.name)


def pool_subject(pool: str | None, node: str) -> Subject:
    return Subject("NodePool", None, pool) if pool else Subject("Node", None, node)


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
    """The cluster, when its description says which enforcement model it follows; else unknown.

    A description that leaves the enforcement fields out (a trimmed file) must not read as
    "enforcement off": that would suggest --enable-network-policy, which recreates every node.
    """
    cluster = ctx.need_cluster()
    if ctx.state.mode is Mode.UNKNOWN:
        raise CheckUnknown(ctx.state.unknown_reason or "the cluster's enforcement model is unknown")
    return cluster


def standard_legacy(ctx: Context) -> GkeCluster | None:
    cluster = need_enforcement(ctx)
    return cluster if cluster.is_standard_legacy else None


def need_listed(ctx: Context, kind: Kind, what: str, resource: str, *scope: str) -> None:
    """Unknown when listing the kind failed (403, timeout), with the `kubectl auth can-i` command
    that tells whether the reader may list it. An absent CRD is no failure: it means none exist."""
    reason = ctx.snapshot.unknown_reason(kind)
    if reason:
        can_i = kubectl("auth", "can-i", "list", resource, *scope)
        raise CheckUnknown(f"{what} could not be read ({reason}); check with `{can_i.text}`")
