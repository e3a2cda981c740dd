"""Every screen's tab stays on the top line at any width: the bar gives up its title, then long
titles, then padding, instead of cutting the last tabs off at the right edge."""

from __future__ import annotations

import pytest

from netpol_tui.app import NetpolApp
from netpol_tui.modes import MODES
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.mode_bar import bar_layout, short_title
from tests.console.helpers import screen_text, settle, sync

TITLES = [title for _, title in MODES]


def test_layout_gets_tighter_only_as_needed():
    assert bar_layout(200, TITLES) == (True, False, False)
    roomy = bar_layout(80, TITLES)
    assert roomy[0] is False  # the title goes first
    assert bar_layout(66, TITLES) == (False, True, True)
    assert short_title("Known issues") == "Issues" and short_title("Flows") == "Flows"


@pytest.mark.parametrize("width", [66, 80, 120, 200])
@sync
async def test_every_tab_is_on_screen(width: int) -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        for number, title in enumerate(TITLES, 1):
            assert f"{number} {title}" in top or f"{number} {short_title(title)}" in top, (width, top)
        assert ("netpol-tui" in top) == (width >= 100), top
