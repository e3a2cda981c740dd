"""`?`: the keys of the current screen, from its live bindings, plus what they cannot show."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from netpol_tui.dialogs.base import Dialog

GLOBAL_NOTES = (
    ("1-5", "switch screen: Status, Nodes, Policies, Known issues, Runbooks"),
    (":name", "switch screen by name (:nodes, :pol, :ki, :rb), :q quits, :help"),
    ("ctrl+p", "command palette: screens and actions"),
    ("/", "filter the list (words, all must match); Esc clears"),
    ("c", "copy the selected command or manifest (OSC 52; a dialog when the terminal cannot)"),
    ("y", "YAML of the selected object"),
    ("r", "reload the source"),
    ("t", "toggle light/dark theme"),
    ("esc", "close a dialog, clear a filter, or go back to the previous screen"),
    ("q", "quit"),
)


#: Textual's own generic bindings (scrolling, focus, ctrl+q ...): listed under "Everywhere" or obvious.
GENERIC_ACTIONS = ("scroll_", "focus_", "app.focus_", "screen.copy_text", "app.copy_text", "quit", "app.quit",
                   "command_palette", "app.command_palette", "switch_to", "app.switch_to", "keys", "reload",
                   "toggle_theme", "command_line", "back", "screen.minimize", "screen.maximize", "page_left",
                   "page_right")


def binding_rows(screen: Screen, skip_keys: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(key, description) of the screen's own bindings, deduplicated, in a stable order."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    skip = set(skip_keys)
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if binding.action.startswith(GENERIC_ACTIONS) or active.node is screen.app:
            continue
        display = screen.app.get_key_display(binding) or key
        if not binding.description or binding.description in seen or display in skip or key in skip:
            continue
        seen.add(binding.description)
        rows.append((display, binding.description))
    return rows


class KeysDialog(Dialog):
    """The keys of one screen: its own bindings first, then the ones that work everywhere."""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        title = getattr(self.for_screen, "MODE", "") or "console"
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        notes = getattr(self.for_screen, "KEY_NOTES", ())
        for key, description in (*notes, *binding_rows(self.for_screen, tuple(key for key, _ in notes))):
            table.add_row(Text(key), Text(description))
        table.add_row("", "")
        table.add_row(Text("Everywhere", style="bold underline"), "")
        for key, description in GLOBAL_NOTES:
            table.add_row(Text(key), Text(description))
        with VerticalScroll(classes="dialog-frame"):
            yield Static(f"Keys: {title.title()}", classes="dialog-title")
            yield Static(table, id="keys-table")
            yield Static("Esc closes. Nothing in netpol-tui changes the cluster: commands are copied, never run.",
                         classes="dialog-hint")
