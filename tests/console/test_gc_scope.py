"""gc.freeze is scoped to one snapshot: a reload thaws what the old snapshot's time froze and
collects it, so reference cycles from then are freed instead of frozen for the whole session."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from netpol_tui.gcpause import freeze_long_lived, thaw_replaced
from tests.console.helpers import make_app, settle, sync


class Cycle:
    """An object only the cyclic collector can free (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def _frozen_cycle() -> weakref.ref:
    cycle = Cycle()
    freeze_long_lived()
    return weakref.ref(cycle)


def test_a_frozen_cycle_survives_collections_until_thawed():
    try:
        probe = _frozen_cycle()
        gc.collect()
        assert probe() is not None, "freezing no longer keeps objects out of collections"
        thaw_replaced()
        assert probe() is None
    finally:
        gc.unfreeze()


@sync
async def test_reload_frees_what_the_old_snapshot_left_frozen(calico_dir: Path) -> None:
    from tests.console import cluster_fixture

    app = make_app(calico_dir, lambda options, progress: cluster_fixture.load(calico_dir))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            probe = _frozen_cycle()  # garbage from the first snapshot's time, frozen with it
            gc.collect()
            assert probe() is not None
            await pilot.press("r")
            await settle(pilot)
            assert probe() is None, "a reload left the old snapshot's cycles frozen"
    finally:
        gc.unfreeze()
