"""The bundled demos open in the console and every screen renders without an error banner.

Content assertions live in the fixture-based tests (the demos' text may change); these check
the console works on what `netpol-tui --demo` really loads.
"""

from __future__ import annotations

import pytest

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.banner import Banner
from tests.console.helpers import screen_text, settle, sync


@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
@sync
async def test_demo_walks_every_screen(demo: str) -> None:
    app = NetpolApp(SourceOptions(demo=demo))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        state = app.state
        assert state.errors == {} and state.report is not None and state.report.findings
        assert state.snapshot.cluster.name in screen_text(app)
        for key, marker in (("2", "NAME"), ("3", "KIND"), ("4", "KI001"), ("5", "Enable enforcement"), ("1", "Findings")):
            await pilot.press(key)
            await pilot.pause(0.05)
            await settle(pilot)
            assert marker in screen_text(app)
            assert "failed" not in app.screen.query_one(Banner).plain
        assert app.state.errors == {}
