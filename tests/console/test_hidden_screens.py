"""While the console follows a big cluster, a hidden screen waits and the visible one finishes:
hidden screens keep only the newest state (shown when they are current again), and a list's
rows are built once at a time, the newest request after the running one, never cancelled."""

from __future__ import annotations

from dataclasses import replace

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.virtual_list import Row, VirtualList
from tests.console.helpers import settle, sync


def _followed(state, number: int):
    """The state after a followed update: a new snapshot object (same content), a new generation."""
    return replace(state, snapshot=replace(state.snapshot), generation=state.generation + number)


@sync
async def test_a_hidden_screen_builds_only_the_newest_state_when_shown_again() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        policies = app.screen
        builds: list[object] = []
        original = policies.prepare_rows

        def counting(target, builder, *args, generation=None):
            builds.append(generation)
            original(target, builder, *args, generation=generation)

        policies.prepare_rows = counting
        await pilot.press("1")
        await settle(pilot)
        base = app.state
        for number in (1, 2, 3):
            app.state = _followed(base, number)
            await pilot.pause()
        await settle(pilot)
        assert builds == [], "a hidden screen rebuilt its rows"
        assert policies.console_state is not app.state
        await pilot.press("3")
        await settle(pilot, 3)
        assert builds == [base.generation + 3]
        assert policies.console_state is app.state
        assert policies.query_one("#objects", VirtualList).row_count > 0


@sync
async def test_row_builds_asked_meanwhile_wait_and_only_the_newest_runs() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        started: list[str] = []

        def rows(label: str, count: int):
            started.append(label)
            for index in range(count):
                yield Row.make((f"{label}-{index}", "", ""), (label, index))

        screen.prepare_rows("objects", rows, "first", 200_000)  # long enough to be running below
        screen.prepare_rows("objects", rows, "second", 10)
        screen.prepare_rows("objects", rows, "third", 10)
        for _ in range(200):
            await pilot.pause(0.05)
            shown = screen.query_one("#objects", VirtualList)
            if shown.row_count == 10 and shown.row_at(0).key[0] == "third":
                break
        assert started == ["first", "third"], "the running build finished, the middle request was dropped"
        assert shown.row_count == 10 and shown.row_at(0).key == ("third", 0)
