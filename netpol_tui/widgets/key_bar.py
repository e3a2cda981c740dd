"""The bottom line: the keys of this screen, as one line of text.

Textual's Footer is a widget per key that recomposes on every screen switch and focus change;
on a busy 200x60 screen that alone cost ~20 ms per switch. The keys of a mode screen do not
change, so one Static rendered once does the same job.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

#: Keys the app binds everywhere, shown after the screen's own.
GLOBAL_KEYS = (("?", "Keys"), ("r", "Reload"), ("q", "Quit"), (":", "Cmd"), ("^p", "Palette"))


def key_label(binding: Binding) -> str:
    first = binding.key.split(",")[0]
    return {"slash": "/", "question_mark": "?", "colon": ":", "escape": "esc", "enter": "⏎"}.get(first, first)


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, bindings: Iterable[Binding]) -> None:
        keys = [(key_label(b), b.description) for b in bindings if b.show and b.description]
        keys += [key for key in GLOBAL_KEYS if key[0] not in {k for k, _ in keys}]
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, description in keys:
            text.append(f"{key} ", style="bold")
            text.append(f"{description}  ")
        super().__init__(text)
