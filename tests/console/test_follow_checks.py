"""A followed snapshot is shown as soon as its engine is ready, before its checks: the findings of
the earlier snapshot stay listed (nothing flashes) and Status marks them `checking…` until the
new report arrives; reports carry the generation of the state they were asked for, and an older
one never replaces a newer one. Workers neither repr nor keep the snapshots they are handed."""

from __future__ import annotations

import gc
import re
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

from netpol_tui import messages as msg
from netpol_tui.checks import run_checks
from netpol_tui.screens.status import CHECKING_MARK
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import make_app, screen_text, settle, sync

ROOT = Path(__file__).resolve().parents[2]


def changed(snapshot: Any) -> Any:
    """A followed update: one policy fewer (its findings resolve once checked)."""
    return replace(snapshot, policies=snapshot.policies[1:])


def title(app: Any) -> str:
    return str(app.screen.query_one("#findings-title").render())


def finding_rows(app: Any) -> list[Any]:
    findings = app.screen.query_one("#findings", VirtualList)
    return [findings.row_at(index) for index in range(findings.row_count)]


async def shown(pilot: Any, snapshot: Any) -> None:
    for _ in range(100):
        await settle(pilot, rounds=1)
        if pilot.app.state.snapshot is snapshot:
            return
    raise AssertionError("the followed snapshot was never shown")


@sync
async def test_the_snapshot_is_shown_before_its_checks_and_marked_checking(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        asked: list[tuple[int, Any]] = []
        app.check_followed = lambda token, generation, job: asked.append((generation, job[0]))  # held back
        before, old_report, rows_before = app.state.snapshot, app.state.report, finding_rows(app)
        assert CHECKING_MARK not in title(app) and rows_before

        update = changed(before)
        app.post_message(msg.SnapshotFollowed(app._follow_token, update, (), ()))
        await shown(pilot, update)
        state = app.state
        assert state.engine is not None and state.engine.snapshot is update
        assert state.report is old_report and state.report_stale and state.checks_running
        assert asked == [(state.generation, update)], "its checks were asked for, tagged with its generation"
        assert CHECKING_MARK in title(app)
        assert [row.key for row in finding_rows(app)] == [row.key for row in rows_before], "the findings stay"
        assert "Running checks" not in screen_text(app), "no banner line comes and goes"

        report = run_checks(update, engine=state.engine)
        app.post_message(msg.FollowChecked(app._follow_token, state.generation, update, report))
        await settle(pilot)
        assert app.state.report is report and not app.state.report_stale and not app.state.checks_running
        assert app.state.report_generation == app.state.generation
        assert CHECKING_MARK not in title(app)
        assert "resolved" in title(app), "the closed loop counts what the new report resolved"


@sync
async def test_an_older_report_never_replaces_a_newer_one(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        # the runs asked for never report (theirs are delivered by hand below); the engine of the
        # next snapshot waits for a running check, so none is left running
        app.check_followed = lambda token, generation, job: setattr(app, "_checks_busy", False)
        first = changed(app.state.snapshot)
        app.post_message(msg.SnapshotFollowed(app._follow_token, first, (), ()))
        await shown(pilot, first)
        first_generation = app.state.generation
        second = changed(first)
        app.post_message(msg.SnapshotFollowed(app._follow_token, second, (), ()))
        await shown(pilot, second)
        second_generation = app.state.generation
        assert second_generation > first_generation

        newer = run_checks(second)
        app.post_message(msg.FollowChecked(app._follow_token, second_generation, second, newer))
        await settle(pilot)
        assert app.state.report is newer and not app.state.report_stale
        older = run_checks(first)  # the first snapshot's checks arrive late
        app.post_message(msg.FollowChecked(app._follow_token, first_generation, first, older))
        await settle(pilot)
        assert app.state.report is newer, "an old result never overwrites a newer one"

        third = changed(second)
        app.post_message(msg.SnapshotFollowed(app._follow_token, third, (), ()))
        await shown(pilot, third)
        # the report of an earlier generation than the one shown, newer than the report shown: taken,
        # still marked checking (its snapshot's own checks come next)
        assert app.state.report is newer and app.state.report_stale
        stopped = app._follow_token
        app.stop_following()  # a reload or another context: its late results are dropped
        app.post_message(msg.FollowChecked(stopped, app.state.generation, third, run_checks(third)))
        await settle(pilot)
        assert app.state.report is newer


@sync
async def test_the_real_workers_deliver_in_order_and_keep_no_old_engine(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        update = changed(app.state.snapshot)
        app.post_message(msg.SnapshotFollowed(app._follow_token, update, (), ()))
        for _ in range(100):
            await settle(pilot, rounds=1)
            if app.state.snapshot is update and not app.state.report_stale:
                break
        assert app.state.report_generation == app.state.generation and not app.state.checks_running
        engine = weakref.ref(app.state.engine)
        enabled = gc.isenabled()
        gc.disable()  # what reference counting frees (the console freezes the collector's view)
        try:
            newer = changed(update)
            app.post_message(msg.SnapshotFollowed(app._follow_token, newer, (), ()))
            for _ in range(100):
                await settle(pilot, rounds=1)
                if app.state.snapshot is newer and not app.state.report_stale:
                    break
            await settle(pilot)
            assert app._follow_base is not None and app._follow_base[0] is newer
            assert engine() is None, "nothing keeps the engine of the snapshot before"
        finally:
            if enabled:
                gc.enable()


class Counted:
    """An argument that counts how often it is turned into text."""

    reprs = 0

    def __repr__(self) -> str:
        Counted.reprs += 1
        return "Counted()"


@sync
async def test_workers_never_repr_their_arguments(calico_dir: Path) -> None:
    """Textual's default worker description is the repr of the arguments: 1.5-7 s of the UI
    thread for a 100,000-pod Snapshot, on every followed update."""
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.state = replace(app.state, snapshot=app.state.snapshot)
        app.refresh_followed(-1, [Counted(), None, ()])
        app.check_followed(-1, 0, [Counted(), None, None])
        app.run_checks([Counted(), None], 0, -1)
        await settle(pilot)
    assert Counted.reprs == 0
    for path in [*ROOT.glob("netpol_tui/**/*.py"), *ROOT.glob("screens/*.py"), *ROOT.glob("checks/*.py")]:
        for decorator in re.findall(r"@work\((.*?)\)\n", path.read_text(), re.S):
            assert "description=" in decorator, f"{path}: @work({decorator}) reprs its arguments"


@sync
async def test_a_batch_that_changes_no_list_state_replaces_no_state(calico_dir: Path) -> None:
    from netpol_tui.sources.follow_state import FollowState, KindStatus

    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.refresh_followed = lambda token, job: None  # engines are not the point here
        states = (KindStatus("pods", FollowState.FOLLOWING),)
        app.post_message(msg.SnapshotFollowed(app._follow_token, changed(app.state.snapshot), (), states))
        await settle(pilot)
        state = app.state
        assert state.follow == states
        app.post_message(msg.SnapshotFollowed(app._follow_token, changed(state.snapshot), (), states))
        await settle(pilot)
        assert app.state is state, "the same list states: the screens are not redrawn"


class Cycle:
    """A reference cycle (a finished Textual worker is one), reachable from nothing."""

    def __init__(self) -> None:
        self.me = self


@sync
async def test_a_freeze_never_keeps_the_cycles_left_before_it(calico_dir: Path) -> None:
    """Each followed update's gc.freeze kept what was garbage but not yet collected: ~100 MB per
    followed snapshot on 100,000 pods. The workers collect before they freeze."""
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        enabled = gc.isenabled()
        gc.disable()
        try:
            left = Cycle()
            cycle = weakref.ref(left)
            del left
            update = changed(app.state.snapshot)
            app.post_message(msg.SnapshotFollowed(app._follow_token, update, (), ()))
            for _ in range(100):
                await settle(pilot, rounds=1)
                if app.state.snapshot is update and not app.state.report_stale:
                    break
            assert app.state.report_generation == app.state.generation
            gc.collect()  # what is frozen is never collected
            assert cycle() is None, "the cycle was frozen with the engine or the report"
        finally:
            gc.unfreeze()
            if enabled:
                gc.enable()
