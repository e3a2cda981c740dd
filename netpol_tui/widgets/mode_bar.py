"""The top line: the modes as tabs (number keys or mouse); the identity is the Header's.

At 80 columns the full line ("netpol-tui" and seven titled tabs) does not fit, and a tab cut off
at the right edge is a screen the user cannot see exists: the bar drops the title first, then
shortens the titles ("Known issues" -> "Issues"), then the tabs' padding, so every tab stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from netpol_tui.messages import SwitchMode


def short_title(title: str) -> str:
    """The tab title when space is short: its last word ("Known issues" -> "Issues")."""
    return title.split()[-1].capitalize()


def bar_layout(width: int, titles: Sequence[str]) -> tuple[bool, bool, bool]:
    """(show the "netpol-tui" title, short tab titles, tight tab padding) for a bar `width` wide:
    the roomiest layout in which every tab fits."""
    def needed(title: bool, short: bool, tight: bool) -> int:
        tabs = sum(len(f"{n} {short_title(t) if short else t}") + (1 if tight else 2)
                   for n, t in enumerate(titles, 1))
        return tabs + (len(TITLE) + 2 if title else 0)

    for layout in ((True, False, False), (False, False, False), (False, True, False)):
        if needed(*layout) <= width:
            return layout
    return (False, True, True)


TITLE = "netpol-tui"


class ModeTab(Static):
    """One tab; a click asks for its mode."""

    DEFAULT_CSS = """
    ModeTab { width: auto; padding: 0 1; color: $text-muted; }
    ModeTab:hover { background: $boost; color: $text; }
    ModeTab.-active { background: $primary; color: $text; text-style: bold; }
    ModeTab.-tight { padding: 0 0 0 1; }
    """

    def __init__(self, mode: str, number: int, title: str) -> None:
        self.full_label = Text.assemble((str(number), "bold"), " ", title)
        self.short_label = Text.assemble((str(number), "bold"), " ", short_title(title))
        super().__init__(self.full_label, id=f"tab-{mode}")
        self.mode = mode

    def on_click(self) -> None:
        self.post_message(SwitchMode(self.mode))


class ModeBar(Horizontal):
    """Tabs for the modes."""

    DEFAULT_CSS = """
    ModeBar { height: 1; background: $panel; }
    ModeBar > #mode-bar-title { width: auto; padding: 0 1; text-style: bold; color: $accent; }
    """

    def __init__(self, modes: Sequence[tuple[str, str]], active: str) -> None:
        super().__init__()
        self.modes = tuple(modes)
        self.active = active

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="mode-bar-title")
        for number, (mode, title) in enumerate(self.modes, 1):
            tab = ModeTab(mode, number, title)
            tab.set_class(mode == self.active, "-active")
            yield tab

    def on_resize(self) -> None:
        show_title, short, tight = bar_layout(self.size.width, [title for _, title in self.modes])
        self.query_one("#mode-bar-title").display = show_title
        for tab in self.query(ModeTab):
            tab.update(tab.short_label if short else tab.full_label)
            tab.set_class(tight, "-tight")
