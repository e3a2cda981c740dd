"""Shared look and keys of the dialogs: Esc (or q) closes, the title says what it is."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

#: What the dialog dismisses with (most return nothing: `Dialog` alone).
ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal dialog that covers most of the screen, so it is usable at 80x24."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("q", "close", "Close", show=False)]
    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > .dialog-frame {
        width: 96%; height: 92%; max-width: 160; border: round $primary; background: $surface;
        padding: 0 1;
    }
    Dialog .dialog-title { text-style: bold; color: $accent; height: auto; }
    Dialog .dialog-hint { color: $text-muted; height: auto; }
    """

    def action_close(self) -> None:
        self.dismiss(None)
