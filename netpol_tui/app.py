"""The Textual application: five modes, loading and checking in thread workers, nothing else.

The app owns the shared `ConsoleState` (screens watch it), starts the workers that load the
snapshot, build the verdict engine and run the checks, and is the one place where a failed
worker becomes an error banner. Heavy modules (the engine, the checks, cloud clients) are
imported inside workers, after the first frame.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from textual import work
from textual.app import App
from textual.reactive import var
from textual.widgets import Input
from textual.worker import WorkerState, get_current_worker

from netpol_tui import messages as msg
from netpol_tui.dialogs.requests import DialogRequests
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.screens.base import CONSOLE_CSS, GLOBAL_BINDINGS, KEY_ACTIONS, MODE_NAMES, make_screen
from netpol_tui.screens.navigation import Trail
from netpol_tui.screens.navigator import Navigator
from netpol_tui.screens.state import ConsoleState, LoadStatus, describe_error
from netpol_tui.sources import NO_SOURCE_HINT, Progress, SourceOptions, kubeconfig_available, load_snapshot
from netpol_tui.sources.deadline import Abandoned, run_abandonable
from netpol_tui.textual_compat import CrashRecorder, run_guarded
from netpol_tui.widgets.inputs import CommandLine, FilterInput

Loader = Callable[[SourceOptions, Progress], Snapshot]
PROGRESS_INTERVAL = 0.05


class NetpolApp(CrashRecorder, Navigator, DialogRequests, App[int]):
    TITLE = "netpol-tui"
    CSS_PATH = CONSOLE_CSS
    BINDINGS = GLOBAL_BINDINGS
    state: var[ConsoleState | None] = var(None, always_update=True)

    def __init__(self, options: SourceOptions, loader: Loader | None = None,
                 start_theme: str = "textual-dark") -> None:
        super().__init__()
        for name in MODE_NAMES:
            self.add_mode(name, partial(make_screen, name, self))
        self.options = options
        self.start_theme = start_theme
        self.loader: Loader = loader or (lambda opts, progress: load_snapshot(opts, progress))
        self.trail = Trail("status")  # where Esc goes back to (screens/navigator.py)
        self.explain_recent: list = []  # the Explain form's questions this session, newest last
        self.set_reactive(NetpolApp.state, ConsoleState(options, loading=LoadStatus()))

    def on_mount(self) -> None:
        self.theme = self.start_theme
        self.switch_mode("status")
        self.load()

    # ------------------------------------------------------------------ workers

    @work(thread=True, exit_on_error=False, name="load", group="load", exclusive=True)
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

        # The loader runs in a daemon thread: quitting (or reloading) mid-load returns at once
        # instead of waiting for a stuck read, and nothing is left for the exit to join.
        try:
            snapshot = run_abandonable(lambda: self.loader(self.options, progress), lambda: worker.is_cancelled)
        except Abandoned:
            return
        if not worker.is_cancelled:
            self.post_message(msg.SnapshotLoaded(snapshot, time.perf_counter() - started))

    @work(thread=True, exit_on_error=False, name="engine", group="engine", exclusive=True)
    def build_engine(self, snapshot: Snapshot) -> None:
        from netpol_tui.policy import PolicyEngine

        self.post_message(msg.EngineReady(snapshot, PolicyEngine(snapshot)))

    @work(thread=True, exit_on_error=False, name="enforcement", group="enforcement", exclusive=True)
    def compute_enforcement(self, snapshot: Snapshot) -> None:
        from netpol_tui.checks.enforcement import EnforcementState

        self.post_message(msg.EnforcementComputed(snapshot, EnforcementState.from_snapshot(snapshot)))

    @work(thread=True, exit_on_error=False, name="checks", group="checks", exclusive=True)
    def run_checks(self, snapshot: Snapshot, engine: object) -> None:
        from netpol_tui.checks import run_checks

        started = time.perf_counter()
        report = run_checks(snapshot, engine=engine)
        self.post_message(msg.ChecksFinished(snapshot, report, time.perf_counter() - started))

    # ------------------------------------------------------------------ worker results

    def _current(self, snapshot: Snapshot) -> bool:
        return self.state is not None and self.state.snapshot is snapshot

    def on_load_progress(self, message: msg.LoadProgress) -> None:
        self.state = replace(self.state, loading=LoadStatus(message.what, message.done, message.total))

    def on_snapshot_loaded(self, message: msg.SnapshotLoaded) -> None:
        # A big snapshot is millions of long-lived objects: keep the cyclic GC from rescanning them
        # (a full collection took ~1 s on 100,000 pods and froze the UI mid-keystroke).
        gc.freeze()
        state = self.state.without_errors("load", "reload", "engine", "enforcement", "checks")
        self.state = replace(state, snapshot=message.snapshot, generation=state.generation + 1, loading=None,
                             engine=None, enforcement=None, report=None, checks_running=False)
        self.build_engine(message.snapshot)
        self.compute_enforcement(message.snapshot)

    def on_engine_ready(self, message: msg.EngineReady) -> None:
        if self._current(message.snapshot):
            self.state = replace(self.state, engine=message.engine, checks_running=True)
            self.run_checks(message.snapshot, message.engine)

    def on_enforcement_computed(self, message: msg.EnforcementComputed) -> None:
        if self._current(message.snapshot):
            self.state = replace(self.state, enforcement=message.enforcement)

    def on_checks_finished(self, message: msg.ChecksFinished) -> None:
        if self._current(message.snapshot):
            self.state = replace(self.state, report=message.report, checks_running=False)

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
        if message.name == "engine" and state.snapshot is not None:
            self.state = replace(self.state, checks_running=True)
            self.run_checks(state.snapshot, None)

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
        prompt = self.focused
        (prompt.action_clear if isinstance(prompt, FilterInput) else prompt.action_close)()

    def action_filter(self) -> None:
        action = getattr(self.screen, "action_filter", None)
        if action is not None:
            action()

    def action_reload(self) -> None:
        self.state = replace(self.state.without_errors("load", "reload"), loading=LoadStatus())
        self.load()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_command_line(self) -> None:
        for command_line in self.screen.query("#command-line"):
            command_line.open()

    def action_keys(self) -> None:
        from netpol_tui.dialogs.keys import KeysDialog

        self.push_screen(KeysDialog(self.screen))

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Toasts show their text as it is, whoever asks: a message naming an object must never be
        parsed as markup. `markup` is ignored because widgets and screens pass Textual's default
        (on) along; no message of the console uses markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def get_system_commands(self, screen):
        from netpol_tui.screens.base import palette_commands

        yield from super().get_system_commands(screen)
        yield from palette_commands(self, screen)


def run_console(options: SourceOptions, theme: str = "textual-dark") -> int:
    if options.kind == "live" and not kubeconfig_available(options):
        print(NO_SOURCE_HINT, file=sys.stderr)
        return 2
    # Thread workers (engine, checks, details) hold the GIL for long stretches on a big cluster;
    # hand it back to the UI thread more often than the default 5 ms so keys stay answered.
    sys.setswitchinterval(0.001)
    try:
        return run_guarded(NetpolApp(options, start_theme=theme))
    except KeyboardInterrupt:  # ctrl-c outside the app's own key handling: leave quietly
        return 130
