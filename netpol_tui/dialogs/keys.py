"""`?`: the keys that work on the current screen, generated from its live bindings (so help never
lists a key that does nothing there, nor misses one that works), and the `:` commands."""

from __future__ import annotations

from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from netpol_tui.dialogs.base import Dialog

#: Bindings that are not worth a line: scrolling a list that scrolls with its cursor anyway,
#: maximizing, and Textual's text-selection copy (ctrl+c is the app's own).
HIDDEN_ACTIONS = ("scroll_", "page_left", "page_right", "screen.minimize", "screen.maximize", "screen.copy_text",
                  "app.copy_text", "copy_text")
#: Note keys as people write them -> binding key names.
NOTE_KEYS = {"/": "slash", "?": "question_mark", ":": "colon", "esc": "escape", "⏎": "enter"}


def _description(node: object, binding: Binding) -> str:
    if binding.action == "select" and hasattr(node, "enter"):
        return str(node.enter or "")  # a list says what Enter does there (nothing: not listed)
    return binding.tooltip or binding.description


def key_rows(screen: Screen, notes: tuple[tuple[str, str], ...] = ()) -> tuple[list[tuple[str, str]],
                                                                               list[tuple[str, str]]]:
    """(keys, what they do) of every binding that works right now on `screen`, generated from its
    active bindings (disabled ones, e.g. Enter on a list where it does nothing, are left out):
    first the screen's and its focused widget's, then the app's. A note replaces the description
    of the key it names, and only shows when that key is bound."""
    by_key = {NOTE_KEYS.get(key, key): text for key, text in notes}
    groups: dict[tuple[int, str], tuple[DOMNode, list[str], list[str], str]] = {}
    app = screen.app
    for key, active in screen.active_bindings.items():
        binding, node = active.binding, active.node
        if not active.enabled or binding.action.startswith(HIDDEN_ACTIONS):
            continue
        description = _description(node, binding)
        if not description:
            continue
        group = groups.setdefault((id(node), binding.action), (node, [], [], description))
        group[1].append(app.get_key_display(replace(binding, key=key, key_display=None)))
        group[2].append(key)
    local: list[tuple[str, str]] = []
    everywhere: list[tuple[str, str]] = []
    for node, displays, keys, description in groups.values():
        note = next((by_key[key] for key in keys if key in by_key), None)
        row = (" ".join(dict.fromkeys(displays)), note or description)
        (everywhere if node is app else local).append(row)
    return local, everywhere


def command_rows(commands: dict[str, str]) -> list[tuple[str, str]]:
    """`:` commands grouped by what they do, from the command table itself."""
    by_action: dict[str, list[str]] = {}
    for word, action in commands.items():
        by_action.setdefault(action, []).append(":" + word)
    return [(" ".join(words[:4]), action.replace("switch_to('", "go to ").replace("')", "").replace("_", " "))
            for action, words in by_action.items()]


class KeysDialog(Dialog):
    """The keys of one screen: its own bindings first, then the ones that work everywhere."""

    BINDINGS = [Binding("question_mark", "close", "Close help")]

    def __init__(self, screen: Screen, commands: dict[str, str] | None = None) -> None:
        super().__init__()
        self.for_screen = screen
        # Read now, while `screen` is the active one: its bindings are what works there.
        self.local, self.everywhere = key_rows(screen, getattr(screen, "KEY_NOTES", ()))
        self.commands = command_rows(commands or {})
        #: (marker, meaning) of the screen's markers (new, resolved, verdict changed), when it has some.
        self.legend = list(getattr(screen, "LEGEND", ()))

    def compose(self) -> ComposeResult:
        title = getattr(self.for_screen, "MODE", "") or "console"
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for heading, rows in (("This screen", self.local), ("Everywhere", self.everywhere),
                              ("Commands (type : then the word)", self.commands),
                              ("Markers (when following)", self.legend)):
            if not rows:
                continue
            if table.row_count:
                table.add_row("", "")
            table.add_row(Text(heading, style="bold underline"), "")
            for key, description in rows:
                table.add_row(Text(key), Text(description))
        with VerticalScroll(classes="dialog-frame"):
            yield Static(f"Keys: {title.title()}", classes="dialog-title")
            yield Static(table, id="keys-table")
            yield Static("Esc or ? closes. Nothing in netpol-tui changes the cluster: commands are copied, never run.",
                         classes="dialog-hint")
