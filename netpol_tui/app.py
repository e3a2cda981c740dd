"""The Textual application: five modes, loading and checking in thread workers, nothing else.

The app owns the shared `ConsoleState` (screens watch it), starts the workers that load the
snapshot, build the verdict engine and run the checks, and is the one place where a failed
worker becomes an error banner. Heavy modules (the engine, the checks, cloud clients) are
imported inside workers, after the first frame.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, Literal, cast

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.widgets import Input
from textual.worker import WorkerState, get_current_worker

from netpol_tui import messages as msg
from netpol_tui.deeplink import StartAt
from netpol_tui.dialogs.requests import DialogRequests
from netpol_tui.following import Following
from netpol_tui.gcpause import freeze_long_lived, thaw_replaced
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.modes import MODE_NAMES
from netpol_tui.screens.base import CONSOLE_CSS, GLOBAL_BINDINGS, KEY_ACTIONS, make_screen
from netpol_tui.screens.navigation import Trail
from netpol_tui.screens.navigator import Navigator
from netpol_tui.screens.state import ConsoleState, LoadStatus, describe_error
from netpol_tui.sources import NO_SOURCE_HINT, Progress, SourceOptions, kubeconfig_available, load_snapshot
from netpol_tui.sources.deadline import Abandoned, run_abandonable
from netpol_tui.textual_compat import CrashRecorder, run_guarded
from netpol_tui.widgets.inputs import CommandLine, FilterInput

Loader = Callable[[SourceOptions, Progress], Snapshot]
PROGRESS_INTERVAL = 0.05


# Navigator's action_back (the trail) replaces App's coroutine of that name on purpose; Textual
# runs either kind of action.
class NetpolApp(CrashRecorder, Navigator, DialogRequests, Following, App[int]):  # type: ignore[misc]
    TITLE = "netpol-tui"
    CSS_PATH = CONSOLE_CSS
    BINDINGS = [*GLOBAL_BINDINGS, Binding("ctrl+c", "ctrl_c", "Quit (copies a selection first)", show=False,
                                          priority=True)]
    #: Set in __init__ before anything reads it (a reactive needs a class-level default).
    state: var[ConsoleState] = var(cast(ConsoleState, None), always_update=True)

    def __init__(self, options: SourceOptions, loader: Loader | None = None,
                 start_theme: str = "textual-dark", flow_paths: tuple[str, ...] = (), *,
                 follow: bool = False, start: StartAt | None = None) -> None:
        super().__init__()
        #: Flow record files for the Flows screen (`--flows`); the demo's own when empty.
        self.flow_paths = tuple(flow_paths)
        self.follow_source = follow  # follow the source after the first read (following.py)
        self._follow_setup()
        for name in MODE_NAMES:
            self.add_mode(name, partial(make_screen, name, self))
        self.options = options
        self.start_theme = start_theme
        self.loader: Loader = loader or (lambda opts, progress: load_snapshot(opts, progress))
        self.trail = Trail("status")  # where Esc goes back to (screens/navigator.py)
        self.start = start or StartAt()  # where the console opens (the deep-link options)
        #: run once the engine is ready, then None
        self.start_explain: tuple[str, str, int] | None = self.start.explain
        self.explain_recent: list = []  # the Explain form's questions this session, newest last
        self.set_reactive(NetpolApp.state, ConsoleState(options, loading=LoadStatus()))

    def on_mount(self) -> None:
        import asyncio

        from netpol_tui.executor import DaemonExecutor

        asyncio.get_running_loop().set_default_executor(DaemonExecutor())  # `q` never waits for a worker
        self.theme = self.start_theme
        self.open_start(self.start)
        self.load()

    # ------------------------------------------------------------------ workers

    # Every worker names its `description`: Textual's default is the repr of its arguments, and the
    # repr of a 100,000-pod Snapshot took 1.5-7 s of the UI thread per worker started (benchmarks/follow.md).
    @work(thread=True, exit_on_error=False, name="load", group="load", exclusive=True, description="load")
    def load(self) -> None:
        started, last = time.perf_counter(), [0.0]
        worker = get_current_worker()

        def progress(what: str, done: int, total: int) -> None:
            if worker.is_cancelled:
                raise Abandoned()  # the live loader cuts its requests and stops
            now = time.perf_counter()
            if now - last[0] >= PROGRESS_INTERVAL or done == total:
                last[0] = now
                self.post_message(msg.LoadProgress(what, done, total))

        if self.follow_source:
            self.follow_load(worker, progress, started)
            return
        # The loader runs in a daemon thread: quitting (or reloading) mid-load returns at once
        # instead of waiting for a stuck read, and nothing is left for the exit to join.
        try:
            snapshot = run_abandonable(lambda: self.loader(self.options, progress), lambda: worker.is_cancelled)
        except Abandoned:
            return
        if not worker.is_cancelled:
            self.post_message(msg.SnapshotLoaded(snapshot, time.perf_counter() - started))

    @work(thread=True, exit_on_error=False, name="engine", group="engine", exclusive=True, description="engine")
    def build_engine(self, job: list[Snapshot]) -> None:
        """`job`: [snapshot], emptied here: Textual keeps a finished worker's arguments alive."""
        from netpol_tui.policy import PolicyEngine
        (snapshot,) = job
        job.clear()
        self.post_message(msg.EngineReady(snapshot, PolicyEngine(snapshot)))

    @work(thread=True, exit_on_error=False, name="enforcement", group="enforcement", exclusive=True,
          description="enforcement")
    def compute_enforcement(self, job: list[Snapshot]) -> None:
        from netpol_tui.checks.enforcement import EnforcementState
        (snapshot,) = job
        job.clear()
        self.post_message(msg.EnforcementComputed(snapshot, EnforcementState.from_snapshot(snapshot)))

    @work(thread=True, exit_on_error=False, name="checks", group="checks", exclusive=True, description="checks")
    def run_checks(self, job: list[Any], generation: int = 0, token: int = 0) -> None:
        """`job`: [snapshot, engine or None], emptied here (see build_engine)."""
        from netpol_tui.checks import run_checks
        snapshot, engine = job
        job.clear()
        started = time.perf_counter()
        report = run_checks(snapshot, engine=engine)
        self.post_message(msg.ChecksFinished(snapshot, report, time.perf_counter() - started, generation, token))

    # ------------------------------------------------------------------ worker results

    def _current(self, snapshot: Snapshot) -> bool:
        return self.state is not None and self.state.snapshot is snapshot

    def on_load_progress(self, message: msg.LoadProgress) -> None:
        self.state = replace(self.state, loading=LoadStatus(message.what, message.done, message.total))

    def on_snapshot_loaded(self, message: msg.SnapshotLoaded) -> None:
        replaced = self.state.snapshot is not None
        state = self.state.without_errors("load", "reload", "engine", "enforcement", "checks")
        self.state = replace(state, snapshot=message.snapshot, generation=state.generation + 1, loading=None,
                             engine=None, enforcement=None, report=None, checks_running=False, followed=False)
        # A big snapshot is millions of long-lived objects: keep the cyclic GC from rescanning them
        # (a full collection took ~1 s on 100,000 pods and froze the UI mid-keystroke). Frozen only
        # once the old snapshot is let go, and what it left frozen is thawed first (netpol_tui/gcpause.py).
        if replaced:
            thaw_replaced()
        freeze_long_lived()
        self.build_engine([message.snapshot])
        self.compute_enforcement([message.snapshot])

    def on_engine_ready(self, message: msg.EngineReady) -> None:
        if self._current(message.snapshot):
            # the index lives as long as the snapshot: frozen like it, or the next full collection
            # rescans it on the UI thread (0.5 s of the Nodes screen's first visit on 100,000 pods)
            freeze_long_lived()
            self.state = replace(self.state, engine=message.engine, checks_running=True)
            self.run_checks([message.snapshot, message.engine], self.state.generation, self._follow_token)
            self.explain_at_start(message.snapshot, message.engine)

    def on_enforcement_computed(self, message: msg.EnforcementComputed) -> None:
        if self._current(message.snapshot):
            self.state = replace(self.state, enforcement=message.enforcement)

    def on_checks_finished(self, message: msg.ChecksFinished) -> None:
        """The loaded snapshot's report; also taken, marked checking, when a followed one is shown
        already, unless a newer report is (following.py)."""
        state = self.state
        current = self._current(message.snapshot)
        if current or (message.token == self._follow_token and state.followed
                       and message.generation > state.report_generation):
            freeze_long_lived()  # the report too (see on_engine_ready)
            running = not current or self._checks_pending is not None or self._checks_busy
            self.state = self.with_history(replace(state, report=message.report, checks_running=running,
                                                   report_generation=state.generation if current
                                                   else message.generation))

    def on_worker_state_changed(self, event) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(msg.WorkerFailed(event.worker.name, event.worker.error))

    def on_worker_failed(self, message: msg.WorkerFailed) -> None:
        """The one place a failed worker becomes a visible error (never a traceback)."""
        name = message.name or "worker"
        state = self.state
        if name == "load":
            name = "reload" if state.snapshot is not None else "load"
            state = replace(state, loading=None)
        elif name == "checks":
            state = replace(state, checks_running=False)
        self.state = state.with_error(name.split(":")[0], describe_error(message.error))
        if message.name == "engine":
            self.explain_at_start(None, None)
        if message.name == "engine" and state.snapshot is not None:
            self.state = replace(self.state, checks_running=True)
            self.run_checks([state.snapshot, None], self.state.generation, self._follow_token)

    def on_switch_mode(self, message: msg.SwitchMode) -> None:
        self.action_switch_to(message.mode)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The one-key globals are text while an input has focus, and a dialog's while one is open;
        Esc is the app's only while a `/` or `:` prompt has focus."""
        if action == "leave_prompt":
            return isinstance(self.focused, FilterInput | CommandLine)
        return not (action in KEY_ACTIONS and (isinstance(self.focused, Input) or self.screen.is_modal))

    def action_leave_prompt(self) -> None:
        prompt = self.focused  # one of the two: check_action allows this action only then
        if isinstance(prompt, FilterInput):
            prompt.action_clear()
        elif isinstance(prompt, CommandLine):
            prompt.action_close()

    def action_filter(self) -> None:
        action = getattr(self.screen, "action_filter", None)
        if action is not None:
            action()

    def action_reload(self) -> None:
        self.stop_following()
        self.state = replace(self.state.without_errors("load", "reload"), loading=LoadStatus(), follow=())
        self.load()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.remember_theme(self.theme.removeprefix("textual-"))

    @work(thread=True, exit_on_error=False, name="theme", group="theme", description="theme")
    def remember_theme(self, theme: str) -> None:
        """The next start uses this theme: it is written to the config file (`theme = ...`)."""
        from netpol_tui.config import ConfigError, save_setting

        try:
            save_setting("theme", theme)
        except ConfigError as exc:
            self.call_from_thread(self.notify, f"Theme not remembered: {exc}", severity="warning")

    def action_ctrl_c(self) -> None:
        """k9s habit: ctrl-c quits, unless an input holds a selection (then it copies it)."""
        focused = self.focused
        if isinstance(focused, Input) and not focused.selection.is_empty:
            focused.action_copy()
            return
        selected_text = getattr(focused, "selected_text", "")
        if selected_text:  # a TextArea (the copy-by-hand dialog)
            self.copy_to_clipboard(selected_text)
            self.notify("Copied the selected text.", title="Copied")
            return
        selected = self.screen.get_selected_text() if hasattr(self.screen, "get_selected_text") else None
        if selected:
            self.copy_to_clipboard(selected)
            self.notify("Copied the selected text.", title="Copied")
            return
        self.exit()

    def action_show_errors(self) -> None:
        from netpol_tui.dialogs.errors import ErrorsDialog
        from netpol_tui.screens.state import PART_TITLES, STILL_WORKS

        self.push_screen(ErrorsDialog(self.state.errors, PART_TITLES, STILL_WORKS))

    def action_pick_context(self) -> None:
        self.list_contexts()

    @work(thread=True, exit_on_error=False, name="contexts", group="contexts", exclusive=True,
          description="contexts")
    def list_contexts(self) -> None:
        from netpol_tui.sources import SourceError
        from netpol_tui.sources.kubeconfig import list_contexts

        try:
            names, current = list_contexts(self.options.kubeconfig)
        except SourceError as exc:
            self.post_message(msg.ContextsListed((), None, " ".join(exc.lines())))
            return
        self.post_message(msg.ContextsListed(tuple(names), current, None))

    def on_contexts_listed(self, message: msg.ContextsListed) -> None:
        if message.error or not message.contexts:
            self.notify(f"No kubeconfig context to pick: {message.error or 'the kubeconfig lists none'}",
                        severity="warning")
            return
        from netpol_tui.dialogs.context_picker import ContextPicker

        shown = (self.state.snapshot.source.context if self.state.snapshot is not None else None) \
            if self.options.kind == "live" else None
        shown = shown or (self.options.context if self.options.kind == "live" else None)
        self.push_screen(ContextPicker(message.contexts, message.current, shown), self.switch_context)

    def switch_context(self, context: str | None) -> None:
        """Load from `context` (a live source) in place of what is shown; None keeps everything."""
        if not context:
            return
        self.options = replace(self.options, context=context, demo=None, files=())
        self.stop_following()
        self.workers.cancel_group(self, "load")
        self.state = ConsoleState(self.options, loading=LoadStatus())
        self.load()

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """An SVG of the screen in ~/Downloads, or the current directory when there is none; a
        failure says why (Textual's own only said that it failed)."""
        from pathlib import Path

        downloads = Path.home() / "Downloads"
        directory = path or (str(downloads) if downloads.is_dir() else ".")
        try:
            saved = self.save_screenshot(filename, directory, time_format)
        except OSError as exc:
            self.notify(f"Screenshot not saved: cannot write to {directory}: {exc.strerror or exc}",
                        title="Screenshot", severity="error")
            return None
        self.notify(f"Screenshot saved to {Path(saved).resolve()}", title="Screenshot")
        return saved

    def action_command_line(self) -> None:
        for command_line in self.screen.query("#command-line").results(CommandLine):
            command_line.open()

    def action_keys(self) -> None:
        from netpol_tui.dialogs.keys import KeysDialog
        from netpol_tui.screens.base import COMMAND_ACTIONS

        self.push_screen(KeysDialog(self.screen, COMMAND_ACTIONS))

    def notify(self, message: str, *, title: str = "",
               severity: Literal["information", "warning", "error"] = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Toasts show their text as it is, whoever asks: a message naming an object must never be
        parsed as markup. `markup` is ignored because widgets and screens pass Textual's default
        (on) along; no message of the console uses markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def get_system_commands(self, screen):
        from netpol_tui.screens.base import palette_commands

        yield from super().get_system_commands(screen)
        yield from palette_commands(self, screen)


def _first_then_reload(first: Snapshot) -> Loader:
    """A loader that hands out the snapshot already read once, then reads the source again (r)."""
    pending = [first]

    def loader(options: SourceOptions, progress: Progress) -> Snapshot:
        if pending and options.kind == "files":
            return pending.pop()
        return load_snapshot(options, progress)

    return loader


def run_console(options: SourceOptions, theme: str = "textual-dark", flow_paths: tuple[str, ...] = (),
                start: StartAt | None = None) -> int:
    if "-" in flow_paths:
        print("netpol-tui: the console cannot read flow records from stdin (it is the terminal); "
              "save them to a file and give --flows FILE", file=sys.stderr)
        return 2
    if options.kind == "live" and not kubeconfig_available(options):
        print(NO_SOURCE_HINT, file=sys.stderr)
        return 2
    loader: Loader | None = None
    first: Snapshot | None = None
    file_cache = None
    if options.kind == "files":
        # Files are local and quick: read them before going full screen, so a path that does not
        # exist or holds nothing usable ends with the CLI's message and exit 2, not a dead console.
        from netpol_tui.sources import SourceError
        from netpol_tui.sources.errors import report_source_error
        from netpol_tui.sources.file_cache import FileCache

        file_cache = FileCache()
        try:
            first = load_snapshot(options, file_cache=file_cache)
        except SourceError as exc:
            report_source_error(exc)
            return 2
        loader = _first_then_reload(first)
    # Thread workers (engine, checks, details) hold the GIL for long stretches on a big cluster;
    # hand it back to the UI thread more often than the default 5 ms so keys stay answered.
    sys.setswitchinterval(0.001)
    try:
        app = NetpolApp(options, loader=loader, start_theme=theme, flow_paths=flow_paths,
                        follow=options.kind in ("live", "files"), start=start)
        app.follow_initial, app.follow_file_cache = first, file_cache
        return run_guarded(app)
    except KeyboardInterrupt:  # ctrl-c outside the app's own key handling: leave quietly
        return 130
