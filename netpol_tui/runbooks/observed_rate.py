"""Node recreation ETA from the rate observed during this session (issue 13, item 3).

While the console follows a cluster whose nodes are being recreated (enforcement switched on:
each recreated node comes back with `projectcalico.org/ds-ready=true`), every followed snapshot is
one observation: (when, nodes in the expected state). The rate is the net change over a sliding
window ending at the newest observation (the last `WINDOW`, and no more than the last
`TRANSITIONS` increases), so it follows a rollout that speeds up or stalls; the ETA is what is left
at that rate. It is unknown, with the reason, until two observations exist, while nothing moved
in the window, when the count went down, and when the answer would be absurd (over `MAX_ETA`).
It is never negative.

Pure logic: no textual, no clock of its own (observation times come from the snapshots).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from netpol_tui.runbooks.recreation import MAX_ETA

__all__ = ["OBSERVED_TRANSITIONS", "OBSERVED_WINDOW", "ObservedEta", "observed_eta", "span_text"]

#: The sliding window the rate is taken over, ending at the newest observation ...
OBSERVED_WINDOW = timedelta(minutes=15)
#: ... and at most this many of the latest increases (a long, steady rollout answers to its pace now).
OBSERVED_TRANSITIONS = 10


@dataclass(frozen=True, slots=True)
class ObservedEta:
    """The ETA at the observed rate, or why there is none (`reason`)."""

    done: int
    total: int
    #: Time left at the observed rate (timedelta(0) when every node is done); None when unknown.
    remaining: timedelta | None
    nodes_per_hour: float | None
    #: The span of observations the rate was taken over, and how many nodes changed in it.
    span: timedelta | None
    changed: int
    observations: int
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.remaining is not None

    def text(self, became: str = "became enforcing") -> str:
        """`ETA ~12 min at 10.0 nodes/hour, from the observed rate over the last 6 min (1 node became
        enforcing)` or `ETA unknown: ...`."""
        if self.remaining is None:
            return f"ETA unknown: {self.reason}"
        if self.done >= self.total:
            return f"done: every node is in the expected state ({self.done}/{self.total})"
        assert self.nodes_per_hour is not None and self.span is not None
        minutes = max(1, round(self.remaining.total_seconds() / 60))
        left = f"~{minutes} min" if minutes < 120 else f"~{minutes / 60:.1f} h"
        nodes = "1 node" if self.changed == 1 else f"{self.changed} nodes"
        return (f"ETA {left} at {self.nodes_per_hour:.1f} nodes/hour, from the observed rate over the last "
                f"{span_text(self.span)} ({nodes} {became})")


def span_text(span: timedelta) -> str:
    """`40 s`, `6 min`, `2.5 h`."""
    seconds = span.total_seconds()
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def observed_eta(observations: Iterable[tuple[datetime, int]], total: int, *,
                 window: timedelta = OBSERVED_WINDOW, transitions: int = OBSERVED_TRANSITIONS) -> ObservedEta:
    """The ETA from (time, nodes in the expected state) observations of this session.

    Observations may come in any order; of two at the same time the later one listed counts.
    The rate is (newest count - base count) / (newest time - base time), where the base is the
    oldest observation inside `window` before the newest one that is no older than the one just
    before the `transitions`-th latest increase; when the window holds no earlier observation,
    the one just before the newest is the base (a slow rollout polled rarely still gets a rate).
    """
    latest_at: dict[datetime, int] = {}
    for at, done in observations:
        latest_at[_utc(at)] = done
    points = sorted(latest_at.items())
    count = len(points)
    done = points[-1][1] if points else 0

    def unknown(reason: str, span: timedelta | None = None, changed: int = 0) -> ObservedEta:
        return ObservedEta(done, total, None, None, span, changed, count, reason)

    if total <= 0:
        return unknown("no node to recreate")
    if points and done >= total:
        return ObservedEta(done, total, timedelta(0), None, None, 0, count)
    if count < 2:
        return unknown("two observations of the nodes are needed for a rate" +
                       (" (one so far)" if count else " (none yet)"))
    newest_time = points[-1][0]
    # the base: inside the window ...
    first = next(index for index, (at, _) in enumerate(points) if at >= newest_time - window)
    # ... and no earlier than the observation just before the `transitions`-th latest increase
    increases = [index for index in range(1, count) if points[index][1] > points[index - 1][1]]
    if transitions > 0 and len(increases) > transitions:
        first = max(first, increases[-transitions] - 1)
    first = min(first, count - 2)
    base_time, base_done = points[first]
    span = newest_time - base_time
    changed = done - base_done
    if changed < 0:
        return unknown(f"fewer nodes are in the expected state than {span_text(span)} earlier "
                       f"({base_done} -> {done}): no rate", span, changed)
    if changed == 0:
        return unknown(f"no node changed over the last {span_text(span)} of observations", span)
    per_hour = changed / (span.total_seconds() / 3600)
    remaining = timedelta(hours=(total - done) / per_hour)
    if remaining > MAX_ETA:
        return unknown(f"too slow to estimate: {changed} of {total} nodes over the last {span_text(span)} "
                       f"({per_hour:.2f} nodes/hour)", span, changed)
    return ObservedEta(done, total, remaining, per_hour, span, changed, count)
