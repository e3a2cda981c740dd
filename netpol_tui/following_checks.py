"""The checks half of following (a mixin of `NetpolApp` beside `Following`): each shown followed
snapshot is checked off the UI thread, one run at a time, at most every CHECK_INTERVAL_SECONDS
once a run is slow, reusing the last run for unchanged namespaces (checks/incremental.py); each
report advances the session's finding history (resolved and new findings), and what resolved or
appeared is announced. See netpol_tui/following.py for the whole flow.
"""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual import work

from netpol_tui import messages as msg
from netpol_tui.gcpause import freeze_long_lived, gc_paused
from netpol_tui.text import clean
from netpol_tui.tracing import trace

if TYPE_CHECKING:
    from textual.app import App
    from textual.reactive import var

    from netpol_tui.screens.state import ConsoleState

    _AppBase = App[int]
else:
    _AppBase = object

#: An engine build or check run slower than this (a big cluster) makes the next one wait until its
#: interval after it started: under churn the checks run at most every 2 s (issue 13) and the
#: engine at most every second (following.py), instead of back to back on one core.
SLOW_REFRESH_SECONDS = 0.25
CHECK_INTERVAL_SECONDS = 2.0
#: Findings announced one by one after an update; more are counted.
MAX_ANNOUNCED = 3


class FollowedChecks(_AppBase):
    """Mixin: the checks of followed snapshots (`_checks_next`, the worker, its message handler),
    the finding history they advance and the announcements."""

    if TYPE_CHECKING:
        # Following's (netpol_tui/following.py) and NetpolApp's.
        state: var[ConsoleState]
        _follow_token: int
        _follow_busy: bool
        _checks_pending: Any
        _checks_busy: bool
        _checks_timer: bool
        _checks_last: tuple[float, float]
        _checks_previous: Any

        def _follow_next(self) -> None: ...

    def _checks_next(self) -> None:
        """Check the newest shown snapshot, one run at a time, runs starting at most every
        CHECK_INTERVAL_SECONDS once a run is slow (a 100,000-pod cluster under churn)."""
        if self._checks_busy or self._follow_busy or self._checks_timer or self._checks_pending is None:
            return
        started, seconds = self._checks_last
        wait = CHECK_INTERVAL_SECONDS - (time.monotonic() - started) if seconds > SLOW_REFRESH_SECONDS else 0.0
        if wait > 0:
            self._checks_timer = True
            self.set_timer(wait, self._checks_timer_done)
            return
        (generation, snapshot, engine), self._checks_pending = self._checks_pending, None
        self._checks_busy = True
        self._checks_last = (time.monotonic(), 0.0)
        self.check_followed(self._follow_token, generation, [snapshot, engine, self._checks_previous])

    def _checks_timer_done(self) -> None:
        self._checks_timer = False
        self._checks_next()

    @work(thread=True, exit_on_error=False, name="follow-checks", group="follow-checks",
          description="follow-checks")  # not the repr of its arguments (app.py)
    def check_followed(self, token: int, generation: int, job: list[Any]) -> None:
        """All checks of one shown snapshot (`generation`), off the UI thread. `job`: [snapshot,
        engine, previous], emptied here (see refresh_followed); `previous` is the last delivered run,
        whose results for unchanged namespaces are reused (checks/incremental.py)."""
        snapshot, engine, previous = job
        job.clear()
        try:
            from netpol_tui.checks.incremental import IncrementalRun

            with gc_paused():
                started = time.monotonic()
                run = IncrementalRun(snapshot, engine, previous)
                report = run.report()
                checked = time.monotonic()
                history = self._advance_history(report)
                gc.collect()  # the cycles left since the engine's freeze (0.05-0.1 s: the engine is frozen)
                freeze_long_lived()  # the report and the run's indexes, as the engine (refresh_followed)
            trace("checked", generation=generation, checks=checked - started, reused=run.reused,
                  history=time.monotonic() - checked)
        except Exception as exc:  # shown as the checks failing; the follower goes on
            self.post_message(msg.FollowChecked(token, generation, snapshot, error=exc))
            return
        self.post_message(msg.FollowChecked(token, generation, snapshot, report, history=history, run=run))

    def _advance_history(self, report: Any) -> tuple[Any, Any] | None:
        """(base, advanced): the state's finding history and the same after `report` (worker thread)."""
        from netpol_tui import finding_history

        state = self.state
        if state is None:
            return None
        base = state.history
        return base, base.advance(report, finding_history.wall_clock(), finding_history.source_identity(state.options))

    def on_follow_checked(self, message: msg.FollowChecked) -> None:
        """A report of the shown or an earlier generation: taken unless a newer one is shown already
        (an old result never overwrites a newer one); still marked checking while newer snapshots wait."""
        from netpol_tui.screens.state import describe_error

        self._checks_busy = False
        self._checks_last = (self._checks_last[0], time.monotonic() - self._checks_last[0])
        state = self.state
        if message.token == self._follow_token and state.snapshot is not None \
                and message.generation > state.report_generation:
            running = self._checks_pending is not None or message.generation != state.generation
            if message.error is not None:
                self.state = replace(state.with_error("checks", describe_error(message.error)),
                                     checks_running=running)
            else:
                self._checks_previous = message.run
                self._announce(state.report, message.report)
                state = replace(state.without_errors("checks"), report=message.report,
                                report_generation=message.generation, checks_running=running)
                self.state = self._with_advanced(state, message.history)
        trace("checks-shown", generation=message.generation, shown=self.state.generation)
        self._follow_next()  # a newer snapshot waiting for its engine goes first
        self._checks_next()

    def with_history(self, state: Any) -> Any:
        """`state` with its report added to the session's finding history (resolved and new
        findings, netpol_tui/finding_history.py); the source's identity tells a reload (`r`)
        from another source, which starts over."""
        from netpol_tui import finding_history

        if state.report is None:
            return state
        history = state.history.advance(state.report, finding_history.wall_clock(),
                                        finding_history.source_identity(state.options))
        return replace(state, history=history)

    def _with_advanced(self, state: Any, advanced: tuple[Any, Any] | None) -> Any:
        """`state` with the history its worker advanced; findings opened meanwhile stay seen, and a
        history replaced meanwhile (another source) is advanced here instead."""
        if advanced is None:
            return self.with_history(state)
        base, history = advanced
        if state.history is base:
            return replace(state, history=history)
        if state.history.source != base.source:
            return self.with_history(state)
        return replace(state, history=history.seen_keys(base.new - state.history.new))

    def on_show_finding(self, message: msg.ShowFinding) -> None:
        """A finding opened (Enter) is seen: no longer marked new. (DialogRequests opens the dialog:
        Textual calls the handler of every class of the app.)"""
        state = self.state
        if state is not None and state.history.new:
            history = state.history.seen((message.finding,))
            if history is not state.history:
                self.state = replace(state, history=history)

    def _announce(self, before: Any, after: Any) -> None:
        """A notice for findings that resolved or appeared with this update (the closed loop)."""
        if before is None or after is None:
            return

        def keyed(report: Any) -> dict[tuple, Any]:
            return {(f.id, f.subject.kind, f.subject.namespace, f.subject.name): f for f in report.findings}

        old, new = keyed(before), keyed(after)
        lines = [f"{f.id} resolved: {f.subject}" for key, f in old.items() if key not in new]
        lines += [f"{f.id} new: {f.subject}" for key, f in new.items() if key not in old]
        if not lines:
            return
        shown = lines[:MAX_ANNOUNCED] + ([f"and {len(lines) - MAX_ANNOUNCED} more"] if len(lines) > MAX_ANNOUNCED else [])
        self.notify("\n".join(clean(line, 200, single_line=True) for line in shown), title="Findings changed",
                    markup=False)


__all__ = ["FollowedChecks"]
