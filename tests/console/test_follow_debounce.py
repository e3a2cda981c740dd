"""The console indexes a followed cluster one snapshot at a time, newest first, at most every second
once an engine build is slow, and checks the newest shown snapshot at most every 2 s once a check
run is slow (a big cluster under churn must not keep a core busy)."""

from __future__ import annotations

import time
from typing import Any

from netpol_tui.following import CHECK_INTERVAL_SECONDS, ENGINE_INTERVAL_SECONDS, Following
from netpol_tui.screens.state import ConsoleState
from netpol_tui.sources import SourceOptions


class Recorder(Following):
    """Following without an app: timers and refresh workers are recorded instead of started."""

    def __init__(self) -> None:
        self._follow_setup()
        self.state = ConsoleState(SourceOptions())  # nothing loaded: the first followed engine is built anew
        self.timers: list[float] = []
        self.refreshed: list[Any] = []
        self.checked: list[Any] = []

    def set_timer(self, delay: float, callback: Any) -> None:
        self.timers.append(delay)

    def refresh_followed(self, token: int, job: list[Any]) -> None:  # the worker, recorded
        self.refreshed.append(job[0])

    def check_followed(self, token: int, generation: int, job: list[Any]) -> None:
        self.checked.append((generation, job[0]))


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
    assert ENGINE_INTERVAL_SECONDS - 0.5 < follow.timers[0] <= ENGINE_INTERVAL_SECONDS
    follow._follow_pending = "newer"
    follow._follow_next()
    assert len(follow.timers) == 1, "one timer at a time"
    follow._follow_last = (time.monotonic() - ENGINE_INTERVAL_SECONDS, 1.5)
    follow._follow_timer_done()
    assert follow.refreshed == ["newer"]


def test_checks_wait_for_their_interval_and_take_the_newest_shown_snapshot() -> None:
    follow = Recorder()
    follow._checks_pending = (1, "first", "engine-1")
    follow._checks_next()
    assert follow.checked == [(1, "first")]
    follow._checks_pending = (2, "second", "engine-2")
    follow._checks_next()
    assert follow.checked == [(1, "first")], "one run at a time"
    follow._checks_busy = False
    follow._checks_last = (time.monotonic(), 1.5)  # a slow run just finished
    follow._checks_pending = (3, "third", "engine-3")  # shown meanwhile: replaces the second
    follow._checks_next()
    assert follow.checked == [(1, "first")] and len(follow.timers) == 1
    assert CHECK_INTERVAL_SECONDS - 0.5 < follow.timers[0] <= CHECK_INTERVAL_SECONDS
    follow._checks_last = (time.monotonic() - CHECK_INTERVAL_SECONDS, 1.5)
    follow._checks_timer_done()
    assert follow.checked == [(1, "first"), (3, "third")]


def test_an_engine_build_is_handed_the_changes_and_the_last_build() -> None:
    follow = Recorder()
    jobs: list[list[Any]] = []
    follow.refresh_followed = lambda token, job: jobs.append(list(job))  # type: ignore[method-assign]
    follow._follow_base = ("snapshot-0", "engine-0")
    follow._follow_changes = ["a", "b"]
    follow._follow_pending = "snapshot-1"
    follow._follow_next()
    assert jobs == [["snapshot-1", ("snapshot-0", "engine-0"), ("a", "b")]]
    assert follow._follow_changes == [] and follow._follow_base is None


def test_the_engine_and_the_checks_take_turns() -> None:
    """One worker thread beside the UI thread, not two: a third thread holding the GIL slowed keys."""
    follow = Recorder()
    follow._checks_pending = (1, "first", "engine-1")
    follow._checks_next()
    follow._follow_pending = "second"
    follow._follow_next()
    assert follow.checked == [(1, "first")] and follow.refreshed == [], "the engine waits for the checks"
    follow._checks_busy = False
    follow._follow_next()
    assert follow.refreshed == ["second"]
    follow._checks_pending = (2, "second", "engine-2")
    follow._checks_next()
    assert follow.checked == [(1, "first")], "the checks wait for the engine"
