"""What every mode screen shares: the mode bar, the banner, `/` filter, `:` commands, copy, YAML.

A mode screen watches `app.state` (attributes down) and hands widgets what to show; it starts
thread workers for anything slow and receives their past-tense messages. Subclasses provide
`compose_body`, `show_state`, and what `c` copies and `y` shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import WorkerState

from netpol_tui.messages import CopyCommand, ShowYaml, WorkerFailed
from netpol_tui.modes import MODE_TITLES, MODES, SCREEN_ALIASES
from netpol_tui.screens.identity import header_info
from netpol_tui.screens.row_building import BIG_LIST as BIG_LIST
from netpol_tui.screens.row_building import ROWS_PAUSE_SECONDS as ROWS_PAUSE_SECONDS
from netpol_tui.screens.row_building import ROWS_SLICE_SECONDS as ROWS_SLICE_SECONDS
from netpol_tui.screens.row_building import RowBuilding
from netpol_tui.screens.state import ConsoleState, banner_lines, unloaded_text
from netpol_tui.screens.warmup import warm_ahead
from netpol_tui.textual_compat import mark_styles_current
from netpol_tui.widgets.banner import Banner
from netpol_tui.widgets.breadcrumb import Breadcrumb
from netpol_tui.widgets.header import Header
from netpol_tui.widgets.inputs import CommandLine, FilterBar, FilterInput
from netpol_tui.widgets.key_bar import KeyBar
from netpol_tui.widgets.mode_bar import ModeBar
from netpol_tui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from netpol_tui.app import NetpolApp

#: What the closed-loop markers mean (netpol_tui/finding_history.py), for every screen's `?` help.
FOLLOW_LEGEND = (
    ("new ·", "Status and Known issues: a finding that appeared after the first report while the console "
              "follows the source; it stays marked until you open it (Enter). A group says how many it holds"),
    ("resolved ·", "greyed, listed after the open findings: a finding no longer reported, kept for the rest "
                   "of the session with the time it resolved; Enter shows its last evidence. It leaves the "
                   "list when it comes back (open and new again); a check that turns unknown resolves nothing"),
    ("verdict changed", "an open Explain answer is asked again on every update; when its verdict turns it "
                        "says so: DENIED -> ALLOWED (at HH:MM:SS)"),
    ("checking…", "Status, after the finding counts: the cluster shown is newer than its findings, whose checks "
                  "are running (a big cluster under churn is re-checked at most every 2 s); the findings listed "
                  "stay until the new ones arrive"),
    ("r", "reading the same source again keeps these; :ctx (another context) starts over"),
)
CONSOLE_CSS = str(Path(__file__).resolve().parent / "console.tcss")

_SCREEN_CLASSES = {
    "status": ("netpol_tui.screens.status", "StatusScreen"),
    "nodes": ("netpol_tui.screens.nodes", "NodesScreen"),
    "policies": ("netpol_tui.screens.policies", "PoliciesScreen"),
    "issues": ("netpol_tui.screens.issues", "IssuesScreen"),
    "runbooks": ("netpol_tui.screens.runbooks", "RunbooksScreen"),
    "matrix": ("netpol_tui.screens.matrix", "MatrixScreen"),
    "flows": ("netpol_tui.screens.flows", "FlowsScreen"),
}

#: The app's one-key globals. Priority: handled the moment the key arrives, so keys typed right
#: after `/` or `:` (a paste, tmux send-keys, a fast typist) are not forwarded to the list that
#: had focus before the prompt opened. The app's `check_action` hands them back to inputs and
#: dialogs (KEY_ACTIONS).
#: Tab and shift+Tab are priority for the same reason: the app forwards each key to the widget
#: focused when the key arrives, so a Tab left to the screen's own binding (run after the key
#: bubbled up from the focused input) moved focus only after the rest of the burst had been
#: queued on the old field ("shop/svc/web" Tab Tab "80" typed "80" into From). They stay active
#: in inputs and dialogs; a widget that types a Tab (TextArea indenting) still gets it, because
#: Textual drops bindings for keys the focused widget consumes (`check_consume_key`).
GLOBAL_BINDINGS = [
    *(Binding(str(number), f"switch_to('{name}')", title, show=False, priority=True, tooltip=f"Go to {title}")
      for number, (name, title) in enumerate(MODES, 1)),
    Binding("slash", "filter", "Filter", show=False, priority=True,
            tooltip="Filter the list: words in name, namespace or labels (all must match); !word excludes"),
    Binding("colon", "command_line", ":cmd", show=False, priority=True,
            tooltip="Command line (the commands are listed below)"),
    Binding("question_mark", "keys", "Keys", priority=True, tooltip="This help (? again closes it)"),
    Binding("r", "reload", "Reload", priority=True, tooltip="Read the source again (retries a failed load)"),
    Binding("t", "toggle_theme", "Theme", show=False, priority=True,
            tooltip="Toggle light/dark theme (remembered in the config file)"),
    Binding("q", "quit", "Quit", priority=True, tooltip="Quit (at once, even while loading)"),
    Binding("escape", "leave_prompt", "Close prompt", show=False, priority=True),
    Binding("tab", "focus_next", "Next field", show=False, priority=True),
    Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
]
KEY_ACTIONS = frozenset({"switch_to", "filter", "command_line", "keys", "reload", "toggle_theme", "quit"})

#: `:` commands (k9s style) -> app action. Aliases follow kubectl short names where they exist.
COMMAND_ACTIONS = {
    **{alias: f"switch_to('{mode}')" for alias, mode in SCREEN_ALIASES.items()},
    **{alias: "quit" for alias in ("q", "q!", "quit", "exit")},
    **{alias: "keys" for alias in ("help", "?", "keys")},
    **{alias: "reload" for alias in ("reload", "r", "refresh")},
    **{alias: "toggle_theme" for alias in ("theme", "light", "dark")},
    **{alias: "pick_context" for alias in ("ctx", "context", "contexts")},
    **{alias: "show_errors" for alias in ("errors", "error", "err")},
}
COMMAND_WORDS = ("status", "nodes", "policies", "pods", "netpol", "issues", "runbooks", "matrix", "flows", "help",
                 "reload", "theme", "ctx", "context", "errors", "quit")


def make_screen(name: str, app: App | None = None) -> Screen:
    """Import a mode screen only when it is first shown (keeps the first frame fast)."""
    module, cls = _SCREEN_CLASSES[name]
    screen = getattr(import_module(module), cls)()
    if app is not None:
        mark_styles_current(screen, app)
    return screen


def resolve_command(text: str) -> str | None:
    """The app action for a `:` command line, or None when it is not one."""
    word = text.strip().lstrip(":").strip().lower()
    return COMMAND_ACTIONS.get(word)


def palette_commands(app: NetpolApp, screen: Screen) -> Iterable[SystemCommand]:
    """Screens and actions for the command palette (ctrl+p)."""
    for number, (mode, title) in enumerate(MODES, 1):
        yield SystemCommand(f"Go to {title}", f"Switch to the {title} screen (key {number}, :{mode})",
                            lambda mode=mode: app.action_switch_to(mode))
    yield SystemCommand("Reload", "Read the source again (key r)", app.action_reload)
    yield SystemCommand("Switch kubeconfig context", "Pick a context and load it (:ctx)", app.action_pick_context)
    yield SystemCommand("Show errors", "The whole text of every error (:errors)", app.action_show_errors)
    yield SystemCommand("Toggle light/dark theme", "Switch between the light and dark theme (key t)",
                        app.action_toggle_theme)
    if isinstance(screen, ModeScreen):
        yield SystemCommand("Filter", "Filter the list on this screen (key /)", screen.action_filter)
        yield SystemCommand("Copy selected command", "Copy the selected command or manifest (key c)",
                            screen.action_copy)
        yield SystemCommand("Show YAML", "Show the selected object as YAML (key y)", screen.action_yaml)
        for key, description, action in screen.extra_commands():
            yield SystemCommand(description, f"key {key}", action)


class ModeScreen(RowBuilding, Screen):
    """Base of the five mode screens."""

    if TYPE_CHECKING:
        # The console's screens run in NetpolApp: its actions and state are theirs to use.
        app: NetpolApp

    MODE: ClassVar[str] = ""
    #: Statics that say "Loading…" or why nothing loaded while no snapshot is shown.
    PLACEHOLDERS: ClassVar[tuple[str, ...]] = ()
    #: Extra lines for the `?` dialog: (key, what it does) not visible as bindings.
    KEY_NOTES: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The `?` dialog's "Markers" section: (marker, what it means), the same on every screen.
    LEGEND: ClassVar[tuple[tuple[str, str], ...]] = FOLLOW_LEGEND
    BINDINGS = [
        Binding("slash", "filter", "Filter"),  # the app's priority binding calls action_filter
        Binding("c", "copy", "Copy", tooltip="Copy the selected command or fix as one runnable block"),
        Binding("y", "yaml", "YAML", tooltip="YAML of the selected object (the whole error while nothing loaded)"),
        Binding("escape", "back", "Back", show=False, tooltip="Clear the filter, else go back to the previous screen"),
    ]
    AUTO_FOCUS = "VirtualList"

    def __init__(self) -> None:
        super().__init__(name=self.MODE, id=f"{self.MODE}-screen")
        self.console_state: ConsoleState | None = None
        #: List id -> its own empty text, while the list says why nothing is loaded instead.
        self._empty_texts: dict[str | None, str] = {}
        self._pending_reveal: tuple[Any, Any] | None = None
        #: The newest state while this screen is hidden (shown when it is current again).
        self._deferred_state: ConsoleState | None = None
        self._rows_setup()

    @property
    def being_removed(self) -> bool:
        """The app is quitting and this screen's widgets are going (or, mounted ahead, never came)."""
        return not self.display or not self.app.is_running or not self.children

    def check_message_enabled(self, message: Message) -> bool:
        """A screen being removed (the app quitting) drops what its workers and lists post after that
        began: its widgets are going, and a handler querying them would end the console with an
        error on `q` (`display` is False from the moment Textual starts pruning it; a screen mounted
        ahead while the app quits may have no widgets at all). Textual's own messages and events pass."""
        if type(message).__module__.startswith("netpol_tui.") and self.being_removed:
            return False  # only the console's own messages: Textual's (Prune among them) always pass
        return super().check_message_enabled(message)

    def prebuild_followed(self, snapshot: Any) -> None:
        """Hook: the app starts the checks of a followed `snapshot`; a screen whose rows need only
        the snapshot may build them now and show them with the state that brings it."""

    def compose(self) -> ComposeResult:
        yield ModeBar(MODES, self.MODE)
        yield Header(id="header")
        yield Breadcrumb(MODE_TITLES, id="breadcrumb")
        yield Banner(id="banner")
        yield from self.compose_body()
        yield CommandLine(COMMAND_WORDS, id="command-line")
        yield KeyBar(self._key_bindings())

    def compose_body(self) -> ComposeResult:
        yield from ()

    def _key_bindings(self) -> list[Binding]:
        """This screen's bindings, its subclass's first (what the key bar shows)."""
        seen: dict[str, Binding] = {}
        for cls in type(self).__mro__:
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.description not in seen:
                    seen[binding.description] = binding
        return list(seen.values())

    def on_mount(self) -> None:
        if self.being_removed:
            return  # mounted ahead (screens/warmup.py) just as the app quits: its widgets never came
        self._show_console_state(self.app.state)
        self.watch(self.app, "state", self._state_changed, init=False)
        self.call_after_refresh(self._try_reveal)

    def _state_changed(self, state: ConsoleState | None) -> None:
        """A hidden screen (another mode or a dialog on top) keeps only the newest state: while the
        console follows a 100,000-pod cluster, rebuilding every visited screen's rows on each
        update kept the visible one from ever finishing its own."""
        if state is not None and not self.is_current:
            self._deferred_state = state
            return
        self._show_console_state(state)

    def on_screen_resume(self) -> None:
        state, self._deferred_state = self._deferred_state, None
        if state is not None:
            self._show_console_state(state)

    def _show_console_state(self, state: ConsoleState | None) -> None:
        if state is None:
            return
        previous, self.console_state = self.console_state, state
        self.query_one(Banner).show_lines(banner_lines(state))
        self.query_one(Header).show(header_info(state))
        if state.snapshot is None:
            self.show_unloaded(state)
        elif self._empty_texts:
            for virtual_list in self.query(VirtualList).results(VirtualList):
                virtual_list.empty_text = self._empty_texts.get(virtual_list.id, virtual_list.empty_text)
            self._empty_texts = {}
        self.show_state(state, previous)
        if state.report is not None and self.is_current:
            warm_ahead(self.app)  # the other screens, mounted hidden before their first visit (warmup.py)

    def show_unloaded(self, state: ConsoleState) -> None:
        """Nothing loaded: every list and placeholder says loading, or why it failed (never "Loading…"
        forever after a failure)."""
        text = unloaded_text(state)
        for virtual_list in self.query(VirtualList).results(VirtualList):
            if virtual_list.total_count == 0 and virtual_list.empty_text != text:
                self._empty_texts.setdefault(virtual_list.id, virtual_list.empty_text)
                virtual_list.empty_text = text
                virtual_list.refresh()
        for name in self.PLACEHOLDERS:
            for placeholder in self.query(f"#{name}").results(Static):
                placeholder.update(Text(text, style="bold red" if "load" in state.errors else "italic"))

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        """Update widgets from the new state (subclasses)."""

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
        chosen.open()

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
            self.show_filter_count(target)

    def show_filter_count(self, target: str) -> None:
        """The `12 of 1,305` next to the filter of list `#target`."""
        for virtual_list in self.query(f"#{target}").results(VirtualList):
            for bar in self.query(FilterBar).results(FilterBar):
                if bar.target == target:
                    bar.show_count(virtual_list.row_count, virtual_list.total_count, bool(virtual_list.filter_text))

    def on_filter_input_done(self, event: FilterInput.Done) -> None:
        target = (event.filter_input.id or "").removesuffix("-filter")
        for virtual_list in self.query(f"#{target}").results(VirtualList):
            self.set_focus(virtual_list)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if not isinstance(event.input, CommandLine):
            return
        event.stop()
        command_line = event.input
        text = command_line.value
        command_line.action_close()
        self.focus_main()  # before the action: the app ignores its one-key actions while an input has focus
        action = resolve_command(text)
        if action is None:
            if text.strip():
                self.notify(f"Unknown command {text.strip()[:40]!r}. Try :status :nodes :policies :issues "
                            ":runbooks :matrix :flows :ctx :errors :help :quit", severity="warning", markup=False)
            return
        await self.app.run_action(action)

    def on_command_line_closed(self, event: CommandLine.Closed) -> None:
        self.focus_main()

    def focus_main(self) -> None:
        target = self.focused_list()
        if target is not None:
            self.set_focus(target)

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
        state = self.console_state
        if state is not None and state.snapshot is None and state.errors:
            self.app.action_show_errors()  # nothing loaded: `y` shows the whole error instead
            return
        target = self.yaml_target()
        if target is None:
            self.notify("Select an object (pod, policy, node, finding) to see its YAML.", severity="warning")
            return
        self.post_message(ShowYaml(*target))

    # ------------------------------------------------------------------ go to object (navigation.py)

    def location(self) -> tuple[Any, Any]:
        """(ObjectRef of the highlighted object or None, highlighted row key) for the breadcrumb."""
        return None, None

    def reveal_object(self, ref: Any, selected: Any) -> bool | str:
        """Select `ref` (or the row keyed `selected`) and show its detail: True when done, False
        while its rows are still being built (tried again when they arrive), or why it cannot."""
        return True

    def request_reveal(self, ref: Any, selected: Any = None) -> None:
        self._pending_reveal = (ref, selected)
        if self.is_mounted:
            self._try_reveal()

    def _try_reveal(self) -> None:
        if self._pending_reveal is None:
            return
        outcome = self.reveal_object(*self._pending_reveal)
        if outcome is False:
            return
        self._pending_reveal = None
        if isinstance(outcome, str):
            self.notify(outcome, title="Go to", severity="warning", markup=False)

    def show_trail(self) -> None:
        for breadcrumb in self.query(Breadcrumb):
            breadcrumb.show_trail()

    def action_back(self) -> None:
        """Esc: clear the active filter first (as k9s does), else go back to the previous screen."""
        for filter_input in self.query(FilterInput):
            if filter_input.value:
                filter_input.value = ""
                self.focus_main()
                return
        self.app.action_back()
