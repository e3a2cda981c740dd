"""The console follows its source: the app's snapshot is replaced on every batch the follower delivers.

A mixin for `NetpolApp` (like `Navigator`): with `follow_source` set, the load worker reads
through a `Follower` and keeps iterating it after the first snapshot, posting `SnapshotFollowed`
for each batch. Two steps per followed snapshot, each one worker at a time, always for the
newest snapshot (updates that arrive meanwhile are coalesced), neither on the UI thread:

1. `refresh_followed`: its engine and enforcement state (`build_followed_engine`, handed the last
   build and the changes since, for an engine derived from the last one). The snapshot is shown
   as soon as they are ready (`FollowRefreshed`), with the findings of an earlier snapshot, which
   the Status screen marks "checking…" (`ConsoleState.report_stale`); nothing is cleared.
2. `check_followed`: the checks of the newest shown snapshot, at most every CHECK_INTERVAL_SECONDS
   once a run is slow (issue 13: a 100,000-pod cluster under churn is re-checked at most every
   2 s), reusing the last run for unchanged namespaces (checks/incremental.py). `FollowChecked`
   carries the generation of the state it checked: an older report never replaces a newer one.

Screens keep their selection because their lists keep the cursor on the same row key. Workers
never touch widgets; only messages cross over. Workers get their snapshots in a list they empty
(Textual keeps a finished worker's arguments alive) and name their description (its default,
the repr of the arguments, took seconds of the UI thread for a 100,000-pod snapshot). While the
engine of a followed snapshot is built, the shown screen may build the rows that depend on the
snapshot alone (`prebuild_followed`, the Policies list) and hold them until that state arrives.
`NETPOL_FOLLOW_TRACE=FILE` logs each refresh and row build with its times (benchmarks/follow.md).

The closed loop: each report also advances the session's finding history (resolved and new
findings, netpol_tui/finding_history.py, in the refresh worker), which Status and Known issues
show; a finding opened with Enter is no longer new.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work

from netpol_tui import messages as msg
from netpol_tui.following_checks import CHECK_INTERVAL_SECONDS as CHECK_INTERVAL_SECONDS
from netpol_tui.following_checks import SLOW_REFRESH_SECONDS, FollowedChecks
from netpol_tui.gcpause import freeze_long_lived, gc_paused
from netpol_tui.sources.deadline import Abandoned, run_abandonable
from netpol_tui.tracing import trace

if TYPE_CHECKING:
    from textual.app import App
    from textual.reactive import var

    from netpol_tui.screens.state import ConsoleState
    from netpol_tui.sources import SourceOptions

    # For the type checker the mixin is the App it is mixed into (NetpolApp), whose members
    # (post_message, set_timer, notify) it uses; at run time it is a plain class.
    _AppBase = App[int]
else:
    _AppBase = object

#: An engine build or check run slower than this (a big cluster) makes the next one wait until its
#: interval after it started: under churn the checks run at most every 2 s (issue 13) and the
#: engine at most every second, instead of back to back on one core.
ENGINE_INTERVAL_SECONDS = 1.0


_collection_started = 0.0


def _trace_collections(phase: str, info: dict[str, int]) -> None:
    """gc callback while tracing: collections longer than 50 ms, with their generation."""
    global _collection_started
    if phase == "start":
        _collection_started = time.perf_counter()
    elif time.perf_counter() - _collection_started > 0.05:
        trace("collection", generation=info.get("generation"), seconds=time.perf_counter() - _collection_started)


def build_followed_engine(snapshot: Any, base: tuple[Any, Any] | None, changes: tuple[Any, ...]) -> Any:
    """The verdict engine of a followed snapshot. `base` is (snapshot, engine) of the previous build
    and `changes` what the follower changed since. The engine is derived from the previous one
    (`PolicyEngine.derive`: only the pod groups and policies the changes touch are indexed again,
    every answer the same as a new engine's; it builds anew when much changed)."""
    from netpol_tui.policy import PolicyEngine

    if base is not None and base[1] is not None:
        return base[1].derive(snapshot)
    return PolicyEngine(snapshot)


class Following(FollowedChecks):
    """Mixin: `follow_load` (called by the load worker), `stop_following`, and the message handlers."""

    if TYPE_CHECKING:
        # NetpolApp's: the source options and the shared state.
        options: SourceOptions
        state: var[ConsoleState]

    #: Set by run_console for sources that can change (live, files); tests with loaders leave it off.
    follow_source: bool = False
    #: A snapshot of the files already read before going full screen (used by the first follower).
    follow_initial: Any = None
    #: The FileCache that first read filled, so the first follower re-reads only changed files.
    follow_file_cache: Any = None

    def _follow_setup(self) -> None:
        if os.environ.get("NETPOL_FOLLOW_TRACE") and _trace_collections not in gc.callbacks:
            gc.callbacks.append(_trace_collections)
        self._follower: Any = None
        self._follow_token = 0
        self._follow_pending: Any = None
        self._follow_busy = False
        self._follow_last: tuple[float, float] = (0.0, 0.0)  # (start, seconds) of the last refresh
        self._follow_timer = False
        #: Changes the follower reported since the last engine build started, and that build's
        #: (snapshot, engine): what an engine derived from the previous one starts from.
        self._follow_changes: list[Any] = []
        self._follow_base: Any = None
        #: The checks: (generation, snapshot, engine) of the newest shown snapshot not yet checked.
        self._checks_pending: Any = None
        self._checks_busy = False
        self._checks_timer = False
        self._checks_last: tuple[float, float] = (0.0, 0.0)
        #: The last run delivered (checks.incremental.IncrementalRun): what the next one may reuse.
        self._checks_previous: Any = None

    # ------------------------------------------------------------------ the load worker's part

    def follow_load(self, worker: Any, progress: Callable[[str, int, int], None], started: float) -> None:
        """Run on the load worker's thread: the first read, then every batch until stopped."""
        from netpol_tui.sources.follow import Follower

        self.stop_following()
        self._follow_token += 1
        token = self._follow_token
        initial, self.follow_initial = self.follow_initial, None
        file_cache, self.follow_file_cache = self.follow_file_cache, None
        follower = Follower(self.options, progress=progress, initial=initial, file_cache=file_cache)
        self._follower = follower
        updates = iter(follower)
        try:
            first = run_abandonable(lambda: next(updates), lambda: worker.is_cancelled)
        except (Abandoned, StopIteration):
            follower.stop()
            return
        if worker.is_cancelled:
            follower.stop()
            return
        self.post_message(msg.SnapshotLoaded(first.snapshot, time.perf_counter() - started))
        self.post_message(msg.SnapshotFollowed(token, first.snapshot, (), first.states))
        for update in updates:
            if worker.is_cancelled or follower.stopped:
                break
            self.post_message(msg.SnapshotFollowed(token, update.snapshot, update.changes, update.states))
        follower.stop()

    def stop_following(self) -> None:
        """Stop the current follower (reload, another context, quitting); its late messages are ignored."""
        follower, self._follower = getattr(self, "_follower", None), None
        self._follow_token = getattr(self, "_follow_token", 0) + 1
        self._follow_pending = None
        self._follow_changes = []
        self._follow_base = None
        self._checks_pending = None
        self._checks_previous = None
        if follower is not None:
            follower.stop()

    def on_unmount(self) -> None:
        self.stop_following()

    # ------------------------------------------------------------------ handlers

    def on_snapshot_followed(self, message: msg.SnapshotFollowed) -> None:
        if message.token != self._follow_token or self.state.snapshot is None:
            return
        states = tuple(message.states)
        if states != self.state.follow:  # (a new state is a redraw of the shown screen: 4 batches a second)
            self.state = replace(self.state, follow=states)
        if message.snapshot is self.state.snapshot:
            return
        self._follow_pending = message.snapshot
        self._follow_changes.extend(message.changes)
        trace("followed", changes=len(message.changes))
        self._follow_next()

    def _follow_next(self) -> None:
        # one worker of the two at a time: a third thread holding the GIL beside the UI thread cost
        # keys their answer, and the engine's build took twice as long beside the checks
        if self._follow_busy or self._checks_busy or self._follow_timer or self._follow_pending is None:
            return
        started, seconds = self._follow_last
        wait = ENGINE_INTERVAL_SECONDS - (time.monotonic() - started) if seconds > SLOW_REFRESH_SECONDS else 0.0
        if wait > 0:
            self._follow_timer = True
            self.set_timer(wait, self._follow_timer_done)
            return
        snapshot, self._follow_pending = self._follow_pending, None
        changes, self._follow_changes = tuple(self._follow_changes), []
        base, self._follow_base = self._follow_base, None
        if base is None and self.state.engine is not None:  # the first followed snapshot: the loaded engine
            base = (self.state.snapshot, self.state.engine)
        self._follow_busy = True
        self._follow_last = (time.monotonic(), 0.0)
        self.refresh_followed(self._follow_token, [snapshot, base, changes])
        self._follow_prebuild(snapshot)

    def _follow_prebuild(self, snapshot: Any) -> None:
        """The shown screen may build its rows of `snapshot` while its engine is built (PoliciesScreen):
        on a 100,000-pod cluster that took seconds after it."""
        try:
            screen = self.screen
        except Exception:  # no screen yet (starting, quitting)
            return
        prebuild = getattr(screen, "prebuild_followed", None)
        if prebuild is not None:
            prebuild(snapshot)

    def _follow_timer_done(self) -> None:
        self._follow_timer = False
        self._follow_next()

    @work(thread=True, exit_on_error=False, name="follow-refresh", group="follow-refresh",
          description="follow-refresh")  # not the repr of its arguments (app.py)
    def refresh_followed(self, token: int, job: list[Any]) -> None:
        """The engine and enforcement state of a followed snapshot, off the UI thread (the checks
        follow separately: `check_followed`). `job`: [snapshot, base, changes]; `base` is (snapshot,
        engine) of the previous build, `changes` what the follower changed since (for an engine
        derived from the last one). The worker empties `job`: Textual keeps a finished worker's
        arguments alive (and gc.freeze kept them for good), one snapshot and engine per update."""
        snapshot, base, changes = job
        job.clear()
        try:
            trace("refresh-started", delay=time.monotonic() - self._follow_last[0])
            # What the freeze at the end would keep for good: the reference cycles left since the last
            # freeze (finished Textual workers, among others; ~100 MB per followed snapshot on
            # 100,000 pods). Cheap here, before the engine's objects exist (benchmarks/follow.md).
            gc.collect()
            with gc_paused():
                started = time.monotonic()
                engine = build_followed_engine(snapshot, base, changes)
                built = time.monotonic()
                from netpol_tui.checks.enforcement import EnforcementState

                enforcement = EnforcementState.from_snapshot(snapshot)
                # Frozen before the collector is back: the engine is millions of new objects, and the
                # first young collection after the pause rescanned them all on whatever thread it hit
                # (1-3 s collections of generations 0, 1 and 2, one after another, on the UI thread).
                freeze_long_lived()
            trace("refreshed", engine=built - started, enforcement=time.monotonic() - built,
                  derived=str(getattr(engine, "derivation", "")).startswith("derived"))
        except Exception as exc:  # shown as the engine failing; the follower goes on
            self.post_message(msg.FollowRefreshed(token, snapshot, error=exc))
            return
        self.post_message(msg.FollowRefreshed(token, snapshot, engine, enforcement))

    def on_follow_refreshed(self, message: msg.FollowRefreshed) -> None:
        """A followed snapshot's engine is ready: shown at once with the findings of an earlier
        snapshot (marked checking…), and its checks are asked for (`_checks_next`)."""
        from netpol_tui.screens.state import describe_error

        self._follow_busy = False
        trace("refresh-shown", seconds=time.monotonic() - self._follow_last[0])
        self._follow_last = (self._follow_last[0], time.monotonic() - self._follow_last[0])
        if message.token == self._follow_token and self.state.snapshot is not None:
            if message.error is not None:
                self.state = self.state.with_error("engine", describe_error(message.error))
            else:
                self._follow_base = (message.snapshot, message.engine)
                state = self.state.without_errors("engine", "enforcement")
                self.state = replace(state, snapshot=message.snapshot, generation=state.generation + 1,
                                     engine=message.engine, enforcement=message.enforcement,
                                     checks_running=True, followed=True)
                self._checks_pending = (self.state.generation, message.snapshot, message.engine)
                self._checks_next()
        self._follow_next()


__all__ = ["Following"]
