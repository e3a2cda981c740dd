"""The console re-checks a followed cluster one snapshot at a time, newest first, and at most every
2 s once a re-check is slow (a big cluster under churn must not keep a core busy)."""

from __future__ import annotations

import time
from typing import Any

from netpol_tui.following import MIN_INTERVAL_SECONDS, Following


class Recorder(Following):
    """Following without an app: timers and refresh workers are recorded instead of started."""

    def __init__(self) -> None:
        self._follow_setup()
        self.timers: list[float] = []
        self.refreshed: list[Any] = []

    def set_timer(self, delay: float, callback: Any) -> None:
        self.timers.append(delay)

    def refresh_followed(self, token: int, snapshot: Any) -> None:  # the worker, recorded
        self.refreshed.append(snapshot)


def test_updates_during_a_refresh_are_coalesced_to_the_newest() -> None:
    follow = Recorder()
    follow._follow_pending = "first"
    follow._follow_next()
    for snapshot in ("second", "third"):  # arrive while the first is being checked
        follow._follow_pending = snapshot
        follow._follow_next()
    assert follow.refreshed == ["first"]
    follow._follow_busy = False
    follow._follow_last = (time.monotonic(), 0.01)  # a quick refresh: the next starts at once
    follow._follow_next()
    assert follow.refreshed == ["first", "third"] and follow.timers == []


def test_after_a_slow_refresh_the_next_waits_for_the_interval() -> None:
    follow = Recorder()
    follow._follow_last = (time.monotonic(), 1.5)
    follow._follow_pending = "next"
    follow._follow_next()
    assert follow.refreshed == [] and len(follow.timers) == 1
    assert MIN_INTERVAL_SECONDS - 0.5 < follow.timers[0] <= MIN_INTERVAL_SECONDS
    follow._follow_pending = "newer"
    follow._follow_next()
    assert len(follow.timers) == 1, "one timer at a time"
    follow._follow_last = (time.monotonic() - MIN_INTERVAL_SECONDS, 1.5)
    follow._follow_timer_done()
    assert follow.refreshed == ["newer"]
