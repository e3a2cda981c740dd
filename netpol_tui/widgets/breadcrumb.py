"""The line under the mode bar saying how you got here (`Status: NP001 web › Policies: pod shop/web-1`).

Hidden until there is somewhere to go back to; Esc walks the trail back. It reads the app's
`trail` (attributes down) whenever the app says the trail changed, and when it is mounted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Static

from netpol_tui.text import clean


class Breadcrumb(Static):
    """One line: the trail (last places), then `Esc back`. `titles` names each mode (the screens
    own that list; a widget does not import screens)."""

    def __init__(self, titles: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.titles = titles

    def on_mount(self) -> None:
        self.show_trail()

    def show_trail(self) -> None:
        trail = getattr(self.app, "trail", None)
        if trail is None or len(trail.crumbs) < 2:
            self.display = False
            return
        # The latest places first: drop the oldest until the line fits the terminal.
        shown, width = 5, max(20, self.app.size.width - 13)
        line = clean(trail.text(self.titles, shown), 400, single_line=True)
        while len(line) > width and shown > 1:
            shown -= 1
            line = clean(trail.text(self.titles, shown), 400, single_line=True)
        text = Text(line)
        text.append("   Esc back", style="dim")
        self.update(text)
        self.display = True
