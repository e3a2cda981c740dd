"""Node recreation progress: nodes in the expected label state, per pool, with a rate-based ETA.

Pure logic on the Snapshot and the checks' `EnforcementState`; no textual, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.timestamps import parse_timestamp

if TYPE_CHECKING:
    from netpol_tui.checks.enforcement import EnforcementState, OperationProgress

__all__ = [
    "MAX_ETA", "Eta", "PoolRecreation", "RecreationProgress", "rate_eta", "recreation_progress",
]

#: Beyond this an ETA is noise (a stalled operation, or a snapshot much older than its operation).
MAX_ETA = timedelta(days=3)


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
    operations: tuple[OperationProgress, ...]
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


def recreation_progress(snapshot: Snapshot, enforcement: EnforcementState,
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


def _operation_eta(operations: Iterable[OperationProgress], now: datetime) -> tuple[Eta | None, str]:
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


def _maintenance_notice(enforcement: EnforcementState, direction: str, pending: bool) -> str:
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
