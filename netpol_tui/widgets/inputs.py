"""The two prompts every screen shares: `/` filter and the k9s-style `:` command line."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static


class FilterInput(Input):
    """Filters the screen's list as you type; Enter or Down returns to the list, Esc clears."""

    BINDINGS = [
        Binding("escape", "clear", "Clear filter", show=False),
        Binding("down", "done", "To list", show=False),
    ]
    DEFAULT_CSS = """
    FilterInput { height: 1; width: 1fr; border: none; padding: 0 1 0 0; background: $boost; }
    FilterInput:focus { background: $primary 20%; }
    """

    class Done(Message):
        """The user is finished typing; focus should go back to the list."""

        def __init__(self, filter_input: FilterInput) -> None:
            super().__init__()
            self.filter_input = filter_input

        @property
        def control(self) -> FilterInput:
            return self.filter_input

    def __init__(self, *, id: str | None = None,
                 placeholder: str = "filter: words in name, namespace, labels; !word excludes (Esc clears)") -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)

    def watch_value(self, value: str) -> None:
        if value and self.parent is not None:
            self.parent.display = True

    def on_blur(self) -> None:
        if not self.value and self.parent is not None:
            self.parent.display = False

    def open(self) -> None:
        """Show and focus at once: keys typed right after `/` (a paste, a fast typist, tmux
        send-keys) must land here, so neither waits for a CSS refresh nor for call_later."""
        if self.parent is not None:
            self.parent.display = True
        self.screen.set_focus(self)

    def action_clear(self) -> None:
        self.value = ""
        self.action_done()

    def action_done(self) -> None:
        """Back to the list at once (not after a message round trip), for keys already typed."""
        target = (self.id or "").removesuffix("-filter")
        for widget in self.screen.query(f"#{target}"):
            self.screen.set_focus(widget)
        self.post_message(self.Done(self))

    async def action_submit(self) -> None:
        await super().action_submit()
        self.action_done()


class FilterBar(Horizontal):
    """`/` and the filter input for the list `#target`; hidden while empty and unfocused (the
    input shows and hides it directly, so that it is focusable the moment `/` is pressed)."""

    DEFAULT_CSS = """
    FilterBar { height: 1; display: none; background: $boost; }
    FilterBar > .filter-prompt { width: 2; padding: 0 0 0 1; color: $accent; text-style: bold; }
    FilterBar > .filter-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield Static("/", classes="filter-prompt")
        yield FilterInput(id=f"{self.target}-filter")
        yield Static("", classes="filter-count", id=f"{self.target}-filter-count")

    def show_count(self, shown: int, total: int, filtering: bool) -> None:
        """`12 of 1,305` while a filter is active."""
        self.query_one(".filter-count", Static).update(f"{shown:,} of {total:,}" if filtering else "")


class CommandLine(Input):
    """`:nodes`, `:pol`, `:q` ... with completion of the known commands; Esc closes it."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]
    DEFAULT_CSS = """
    CommandLine { dock: bottom; height: 1; border: none; padding: 0 1; display: none;
                  background: $primary 25%; margin-bottom: 1; }
    """

    class Closed(Message):
        """The command line was dismissed without a command."""

    def __init__(self, commands: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(placeholder=":command (status nodes policies issues runbooks help quit)", id=id,
                         suggester=SuggestFromList(commands, case_sensitive=False), compact=True)

    def open(self) -> None:
        self.value = ""
        self.display = True
        self.screen.set_focus(self)

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Closed())
        for widget in self.screen.query("VirtualList").results():
            self.screen.set_focus(widget)  # at once, for keys typed right after Esc
            break
