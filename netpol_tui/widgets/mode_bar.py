"""The top line: the five modes as tabs (number keys or mouse); the identity is the Header's."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from netpol_tui.messages import SwitchMode


class ModeTab(Static):
    """One tab; a click asks for its mode."""

    DEFAULT_CSS = """
    ModeTab { width: auto; padding: 0 1; color: $text-muted; }
    ModeTab:hover { background: $boost; color: $text; }
    ModeTab.-active { background: $primary; color: $text; text-style: bold; }
    """

    def __init__(self, mode: str, number: int, title: str) -> None:
        label = Text.assemble((str(number), "bold"), " ", title)
        super().__init__(label, id=f"tab-{mode}")
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
        yield Static("netpol-tui", id="mode-bar-title")
        for number, (mode, title) in enumerate(self.modes, 1):
            tab = ModeTab(mode, number, title)
            tab.set_class(mode == self.active, "-active")
            yield tab
