"""Shown when the terminal cannot receive the clipboard: the text, ready to select by hand."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from netpol_tui.dialogs.base import Dialog
from netpol_tui.text import clean


class CopyFallbackDialog(Dialog):
    """The text in a read-only editor: select with the mouse (shift+drag in most terminals)."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.reason = reason

    def compose(self) -> ComposeResult:
        why = clean(self.reason, 200, single_line=True) if self.reason else "this terminal cannot be sent text"
        with Vertical(classes="dialog-frame"):
            yield Static("Copy by hand", classes="dialog-title")
            yield Static(f"The clipboard could not be set: {why}. Select the text below with the mouse "
                         "(shift+drag in most terminals) and copy it with your terminal.", classes="dialog-hint",
                         markup=False)
            yield TextArea(clean(self.text), read_only=True, id="copy-text", soft_wrap=True)
            yield Static("Esc closes. The text is only shown, never run.", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()
