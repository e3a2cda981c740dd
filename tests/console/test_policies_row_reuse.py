"""While the console follows a cluster, the Policies list reuses the rows of the objects a new
snapshot shares with the one before (a followed update changes a few pods out of 100,000) and
formats only the changed ones: the rows are the same as a build from scratch, and a changed pod
gets a new row with its new labels."""

from __future__ import annotations

from dataclasses import replace

from netpol_tui.app import NetpolApp
from netpol_tui.screens.policy_views import object_rows
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import settle, sync


def _rows(snapshot, previous=None, fresh=None):
    return [row for row in object_rows(snapshot, previous, fresh) if row is not None]


def _demo_snapshot():
    from netpol_tui.sources import load_snapshot

    return load_snapshot(SourceOptions(demo="calico"))


def test_unchanged_objects_keep_their_rows_and_a_changed_pod_gets_a_new_one() -> None:
    snapshot = _demo_snapshot()
    cache: dict = {}
    first = _rows(snapshot, None, cache)
    assert cache, "nothing was kept for the next build"
    changed = snapshot.pods[0]
    moved = replace(changed, labels={**changed.labels, "tier": "moved-by-test"})
    followed = replace(snapshot, pods=(moved, *snapshot.pods[1:]))
    fresh: dict = {}
    second = _rows(followed, cache, fresh)
    assert [row.cells for row in second] == [row.cells for row in _rows(followed)], "reuse changed the rows"
    by_key = {id(row.key[1]): row for row in first if row.key[0] != "ns"}
    for row in second:
        kind, obj = row.key
        if kind == "ns":
            continue
        if obj is moved:
            assert "tier=moved-by-test" in row.search
            assert id(changed) not in fresh
        else:
            assert row is by_key[id(obj)], f"the row of an unchanged {kind} was built again"


def test_a_row_is_never_taken_for_another_object_with_the_same_id() -> None:
    snapshot = _demo_snapshot()
    pod = snapshot.pods[0]
    stale = {id(pod): next(row for row in _rows(snapshot) if row.key[0] == "pod" and row.key[1] is not pod)}
    rows = _rows(snapshot, stale)
    mine = next(row for row in rows if row.key[0] == "pod" and row.key[1] is pod)
    assert mine is not stale[id(pod)]
    assert pod.name in mine.cells[2]


@sync
async def test_the_policies_list_shows_a_followed_pod_change() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        state = app.state
        pod = state.snapshot.pods[0]
        moved = replace(pod, labels={**pod.labels, "tier": "moved-by-test"})
        app.state = replace(state, snapshot=replace(state.snapshot, pods=(moved, *state.snapshot.pods[1:])),
                            generation=state.generation + 1)
        await settle(pilot, 3)
        objects = app.screen.query_one("#objects", VirtualList)
        objects.set_filter("moved-by-test")
        assert objects.row_count == 1
        shown = [row for row in objects._rows if row.key[0] == "pod" and row.key[1] is moved]
        assert shown and "moved-by-test" in shown[0].search


@sync
async def test_rows_built_ahead_show_only_with_the_state_that_brings_their_snapshot() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        objects = screen.query_one("#objects", VirtualList)
        state = app.state
        pod = state.snapshot.pods[0]
        moved = replace(pod, labels={**pod.labels, "tier": "moved-by-test"})
        followed = replace(state.snapshot, pods=(moved, *state.snapshot.pods[1:]))
        screen.prebuild_followed(followed)
        await settle(pilot, 3)
        assert not any(row.key[1] is moved for row in objects._rows), "rows shown before their state"
        assert any(row.key[1] is pod for row in objects._rows)
        normal: list[object] = []
        original = screen.prepare_rows

        def counting(target, builder, *args, generation=None, queue=None):
            normal.append(generation)
            original(target, builder, *args, generation=generation, queue=queue)

        screen.prepare_rows = counting
        app.state = replace(state, snapshot=followed, generation=state.generation + 1)
        await pilot.pause()
        assert normal == [], "the rows built ahead were built again"
        assert any(row.key[1] is moved for row in objects._rows)
        assert not any(row.key[1] is pod for row in objects._rows), "rows of two snapshots in one list"


@sync
async def test_a_late_build_of_an_older_state_does_not_replace_newer_rows() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        objects = screen.query_one("#objects", VirtualList)
        state = app.state
        older = replace(state, snapshot=replace(state.snapshot), generation=state.generation + 1)
        app.state = older
        await settle(pilot, 3)
        newer_snapshot = replace(state.snapshot, pods=state.snapshot.pods[1:])
        screen.prebuild_followed(newer_snapshot)
        await settle(pilot, 3)
        app.state = replace(older, snapshot=newer_snapshot, generation=older.generation + 1)
        await pilot.pause()
        shown = len(objects._rows)
        from netpol_tui.messages import RowsPrepared
        from netpol_tui.screens.policy_views import object_rows

        late = [row for row in object_rows(older.snapshot) if row is not None]
        screen.on_rows_prepared(RowsPrepared("objects", late, None, older.generation))
        assert len(objects._rows) == shown == len(late) - 1
