"""A VirtualList whose `g` goes to the highlighted row's object instead of to the first row.

Used where a row names an object (findings): `g` is "go to", as in the finding dialog and the
related-objects list; Home still jumps to the first row.
"""

from __future__ import annotations

from textual.binding import Binding

from netpol_tui.widgets.virtual_list import VirtualList


class GoList(VirtualList):
    BINDINGS = [
        Binding("home", "jump(0)", "First", show=False),
        Binding("g", "go", "Go to object", show=False),
    ]

    class GoRequested(VirtualList.Highlighted):
        """`g` on `row`: open the object it names."""

    def action_go(self) -> None:
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.GoRequested(self, row))
