"""A short list of the objects a detail names; Enter or `g` goes to the highlighted one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from netpol_tui.text import clean


class RelatedList(OptionList):
    """(label, ObjectRef) entries; posts `navigation.GoTo` for the chosen one."""

    BINDINGS = [Binding("g", "go", "Go to object", show=False)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.refs: tuple[Any, ...] = ()

    def show(self, entries: Sequence[tuple[str, Any]]) -> None:
        self.refs = tuple(ref for _, ref in entries)
        self.clear_options()
        self.add_options([Option(Text(clean(label, 300, single_line=True))) for label, _ in entries])
        if entries:
            self.highlighted = 0
        self.display = bool(entries)

    @property
    def highlighted_ref(self) -> Any:
        index = self.highlighted
        return self.refs[index] if index is not None and 0 <= index < len(self.refs) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_go()

    def action_go(self) -> None:
        from netpol_tui.messages import GoTo

        ref = self.highlighted_ref
        if ref is not None:
            self.post_message(GoTo(ref))
