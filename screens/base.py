"""What every mode screen shares: the mode bar, the banner, `/` filter, `:` commands, copy, YAML.

A mode screen watches `app.state` (attributes down) and hands widgets what to show; it starts
thread workers for anything slow and receives their past-tense messages. Subclasses provide
`compose_body`, `show_state`, and what `c` copies and `y` shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import WorkerState

from netpol_tui.messages import CopyCommand, RowsPrepared, ShowYaml, WorkerFailed
from netpol_tui.screens.state import ConsoleState, banner_lines
from netpol_tui.widgets.banner import Banner
from netpol_tui.widgets.inputs import CommandLine, FilterInput
from netpol_tui.widgets.mode_bar import ModeBar
from netpol_tui.widgets.virtual_list import Row, VirtualList

CONSOLE_CSS = str(Path(__file__).resolve().parent / "console.tcss")

MODES: tuple[tuple[str, str], ...] = (
    ("status", "Status"), ("nodes", "Nodes"), ("policies", "Policies"), ("issues", "Known issues"),
    ("runbooks", "Runbooks"),
)
MODE_NAMES = tuple(name for name, _ in MODES)
MODE_TITLES = dict(MODES)
_SCREEN_CLASSES = {
    "status": ("netpol_tui.screens.status", "StatusScreen"),
    "nodes": ("netpol_tui.screens.nodes", "NodesScreen"),
    "policies": ("netpol_tui.screens.policies", "PoliciesScreen"),
    "issues": ("netpol_tui.screens.issues", "IssuesScreen"),
    "runbooks": ("netpol_tui.screens.runbooks", "RunbooksScreen"),
}

#: `:` commands (k9s style) -> app action. Aliases follow kubectl short names where they exist.
COMMAND_ACTIONS = {
    **{alias: "switch_to('status')" for alias in ("status", "st", "cluster", "overview", "findings")},
    **{alias: "switch_to('nodes')" for alias in ("nodes", "node", "no", "pools", "ops")},
    **{alias: "switch_to('policies')" for alias in ("policies", "policy", "pol", "netpol", "netpols", "np",
                                                    "pods", "pod", "po", "ns", "namespaces")},
    **{alias: "switch_to('issues')" for alias in ("issues", "known", "ki", "known-issues")},
    **{alias: "switch_to('runbooks')" for alias in ("runbooks", "runbook", "rb", "help-me")},
    **{alias: "quit" for alias in ("q", "q!", "quit", "exit")},
    **{alias: "keys" for alias in ("help", "?", "keys")},
    **{alias: "reload" for alias in ("reload", "r", "refresh")},
    **{alias: "toggle_theme" for alias in ("theme", "light", "dark")},
}
COMMAND_WORDS = ("status", "nodes", "policies", "pods", "netpol", "issues", "runbooks", "help", "reload",
                 "theme", "quit")


def make_screen(name: str) -> Screen:
    """Import a mode screen only when it is first shown (keeps the first frame fast)."""
    module, cls = _SCREEN_CLASSES[name]
    return getattr(import_module(module), cls)()


def resolve_command(text: str) -> str | None:
    """The app action for a `:` command line, or None when it is not one."""
    word = text.strip().lstrip(":").strip().lower()
    return COMMAND_ACTIONS.get(word)


def palette_commands(app: App, screen: Screen) -> Iterable[SystemCommand]:
    """Screens and actions for the command palette (ctrl+p)."""
    for number, (mode, title) in enumerate(MODES, 1):
        yield SystemCommand(f"Go to {title}", f"Switch to the {title} screen (key {number}, :{mode})",
                            lambda mode=mode: app.action_switch_to(mode))
    yield SystemCommand("Reload", "Read the source again (key r)", app.action_reload)
    yield SystemCommand("Toggle light/dark theme", "Switch between the light and dark theme (key t)",
                        app.action_toggle_theme)
    if isinstance(screen, ModeScreen):
        yield SystemCommand("Filter", "Filter the list on this screen (key /)", screen.action_filter)
        yield SystemCommand("Copy selected command", "Copy the selected command or manifest (key c)",
                            screen.action_copy)
        yield SystemCommand("Show YAML", "Show the selected object as YAML (key y)", screen.action_yaml)
        for key, description, action in screen.extra_commands():
            yield SystemCommand(description, f"key {key}", action)


class ModeScreen(Screen):
    """Base of the five mode screens."""

    MODE: ClassVar[str] = ""
    #: Extra lines for the `?` dialog: (key, what it does) not visible as bindings.
    KEY_NOTES: ClassVar[tuple[tuple[str, str], ...]] = ()
    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("c", "copy", "Copy"),
        Binding("y", "yaml", "YAML"),
        Binding("escape", "back", "Back", show=False),
    ]
    AUTO_FOCUS = "VirtualList"

    def __init__(self) -> None:
        super().__init__(name=self.MODE, id=f"{self.MODE}-screen")
        self.console_state: ConsoleState | None = None

    def compose(self) -> ComposeResult:
        yield ModeBar(MODES, self.MODE)
        yield Banner(id="banner")
        yield from self.compose_body()
        yield CommandLine(COMMAND_WORDS, id="command-line")
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.watch(self.app, "state", self._state_changed, init=True)

    def _state_changed(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        previous, self.console_state = self.console_state, state
        self.query_one(Banner).show_lines(banner_lines(state))
        self.query_one(ModeBar).set_identity(identity_text(state))
        self.show_state(state, previous)

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        """Update widgets from the new state (subclasses)."""

    # ------------------------------------------------------------------ rows off the UI thread

    def prepare_rows(self, target: str, builder: Callable[..., Sequence[Row]], *args: Any,
                     generation: object = None) -> None:
        """Build a list's rows in a thread; `on_rows_prepared` puts them into `#target`."""
        lists = self.query(f"#{target}")
        columns = lists.first(VirtualList).columns if lists else ()

        def work() -> None:
            from netpol_tui.widgets.virtual_list import measure

            rows = builder(*args)
            self.post_message(RowsPrepared(target, rows, measure(rows, columns), generation))

        self.run_worker(work, thread=True, exit_on_error=False, name=f"rows:{target}", group=f"rows:{target}",
                        exclusive=True)

    def on_rows_prepared(self, message: RowsPrepared) -> None:
        for virtual_list in self.query(f"#{message.target}").results(VirtualList):
            virtual_list.set_rows(message.rows, message.widths)
        self.rows_shown(message.target)

    def rows_shown(self, target: str) -> None:
        """Hook: rows of `target` were replaced."""

    def on_worker_state_changed(self, event) -> None:
        if event.state == WorkerState.ERROR:
            self.app.post_message(WorkerFailed(event.worker.name, event.worker.error))

    # ------------------------------------------------------------------ filter and command line

    def action_filter(self) -> None:
        target = self.focused_list()
        inputs = list(self.query(FilterInput))
        chosen = next((i for i in inputs if target is not None and i.id == f"{target.id}-filter"),
                      inputs[0] if inputs else None)
        if chosen is None:
            self.notify("Nothing to filter on this screen.", severity="warning")
            return
        if chosen.parent is not None:
            chosen.parent.add_class("-shown")
        chosen.focus()

    def focused_list(self) -> VirtualList | None:
        focused = self.focused
        if isinstance(focused, VirtualList):
            return focused
        lists = list(self.query(VirtualList))
        return lists[0] if lists else None

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterInput) and event.input.id and event.input.id.endswith("-filter"):
            target = event.input.id.removesuffix("-filter")
            for virtual_list in self.query(f"#{target}").results(VirtualList):
                virtual_list.set_filter(event.value)

    def on_filter_input_done(self, event: FilterInput.Done) -> None:
        target = (event.filter_input.id or "").removesuffix("-filter")
        for virtual_list in self.query(f"#{target}").results(VirtualList):
            virtual_list.focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if not isinstance(event.input, CommandLine):
            return
        event.stop()
        command_line = event.input
        text = command_line.value
        command_line.action_close()
        action = resolve_command(text)
        if action is None:
            if text.strip():
                self.notify(f"Unknown command {text.strip()[:40]!r}. Try :status :nodes :policies :issues "
                            ":runbooks :help :quit", severity="warning")
            return
        await self.app.run_action(action)

    def on_command_line_closed(self, event: CommandLine.Closed) -> None:
        self.focus_main()

    def focus_main(self) -> None:
        target = self.focused_list()
        if target is not None:
            target.focus()

    # ------------------------------------------------------------------ copy, YAML, back

    def copy_target(self) -> tuple[str, str] | None:
        """(text, label) that `c` copies; None when nothing copyable is selected."""
        return None

    def yaml_target(self) -> tuple[str, Any] | None:
        """(title, model object) that `y` shows; None when nothing is selected."""
        return None

    def extra_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """(key, description, callback) for the command palette."""
        return []

    def action_copy(self) -> None:
        target = self.copy_target()
        if target is None:
            self.notify("Nothing to copy here: select a finding, command or step first.", severity="warning")
            return
        self.post_message(CopyCommand(*target))

    def action_yaml(self) -> None:
        target = self.yaml_target()
        if target is None:
            self.notify("Select an object (pod, policy, node, finding) to see its YAML.", severity="warning")
            return
        self.post_message(ShowYaml(*target))

    def action_back(self) -> None:
        """Esc: clear the active filter first (as k9s does), else go back to the previous screen."""
        for filter_input in self.query(FilterInput):
            if filter_input.value:
                filter_input.value = ""
                self.focus_main()
                return
        self.app.action_back()


def identity_text(state: ConsoleState) -> str:
    """`project/location/cluster · version · source` for the mode bar."""
    snapshot = state.snapshot
    if snapshot is None:
        return ""
    cluster = snapshot.cluster
    parts = []
    if cluster is not None:
        parts.append("/".join(part for part in (cluster.project, cluster.location, cluster.name) if part))
        if cluster.current_master_version:
            parts.append(cluster.current_master_version)
    else:
        parts.append(snapshot.source.context or "Kubernetes only")
    parts.append(snapshot.source.description)
    return " · ".join(parts)
