"""The line under the mode bar saying how you got here (`Status: NP001 web › Policies: pod shop/web-1`).

Hidden until there is somewhere to go back to; Esc walks the trail back. It reads the app's
`trail` (attributes down) whenever the app says the trail changed, and when it is mounted.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from netpol_tui.text import clean


class Breadcrumb(Static):
    """One line: the trail (last places), then `Esc back`."""

    def on_mount(self) -> None:
        self.show_trail()

    def show_trail(self) -> None:
        trail = getattr(self.app, "trail", None)
        if trail is None or len(trail.crumbs) < 2:
            self.display = False
            return
        from netpol_tui.screens.modes import MODE_TITLES

        # The latest places first: drop the oldest until the line fits the terminal.
        shown, width = 5, max(20, self.app.size.width - 13)
        line = clean(trail.text(MODE_TITLES, shown), 400, single_line=True)
        while len(line) > width and shown > 1:
            shown -= 1
            line = clean(trail.text(MODE_TITLES, shown), 400, single_line=True)
        text = Text(line)
        text.append("   Esc back", style="dim")
        self.update(text)
        self.display = True
