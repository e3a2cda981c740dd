"""`:ctx` / `:context`: pick a kubeconfig context and load it (k9s style).

The contexts are read by the app in a worker (only sources do I/O) and handed in; typing
filters them, the current one is marked, Enter chooses, Esc closes without changing anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from netpol_tui.dialogs.base import Dialog
from netpol_tui.text import clean


class ContextPicker(Dialog[str | None]):
    """Dismisses with the chosen context name, or None."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("down", "to_list", "To the list", show=False)]
    DEFAULT_CSS = """
    ContextPicker #context-filter { height: 1; border: none; background: $boost; margin: 1 0; }
    ContextPicker #contexts { height: 1fr; }
    """

    def __init__(self, contexts: Sequence[str], current: str | None, shown: str | None) -> None:
        super().__init__()
        self.contexts = [clean(name, 300, single_line=True) for name in contexts]
        self.raw = list(contexts)
        self.current = current
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-frame"):
            yield Static("Switch kubeconfig context", classes="dialog-title")
            yield Static("Type to filter · ↑↓ choose · Enter loads it · Esc keeps the current one. "
                         "* current context, ● shown now.", classes="dialog-hint")
            yield Input(placeholder="filter contexts", id="context-filter", compact=True)
            yield OptionList(*self._options(""), id="contexts")

    def _options(self, text: str) -> list[Option]:
        terms = text.lower().split()
        options = []
        for index, (name, raw) in enumerate(zip(self.contexts, self.raw, strict=True)):
            if not all(term in name.lower() for term in terms):
                continue
            marks = ("*" if raw == self.current else " ") + ("●" if raw == self.shown else " ")
            options.append(Option(Text.assemble((marks + " ", "bold green"), name), id=f"ctx-{index}"))
        return options

    def on_mount(self) -> None:
        self.query_one("#context-filter", Input).focus()
        option_list = self.query_one(OptionList)
        start = next((i for i, raw in enumerate(self.raw) if raw == (self.shown or self.current)), 0)
        if option_list.option_count:
            option_list.highlighted = start

    def on_input_changed(self, event: Input.Changed) -> None:
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(self._options(event.value))
        if option_list.option_count:
            option_list.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, position: int | None) -> None:
        option_list = self.query_one(OptionList)
        if position is None or not 0 <= position < option_list.option_count:
            return
        option_id = option_list.get_option_at_index(position).id or ""
        self.dismiss(self.raw[int(option_id.removeprefix("ctx-"))])

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()
