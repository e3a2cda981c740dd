"""The Textual application shell: loads the chosen source in a worker and shows a summary.

Screens for each mode arrive with the console issue; this keeps the App small.
"""

from __future__ import annotations

import sys

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Static

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources import NO_SOURCE_HINT, SourceError, SourceOptions, kubeconfig_available, load_snapshot
from netpol_tui.text import safe_markup


class SnapshotLoaded(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class SnapshotFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class NetpolApp(App):
    TITLE = "netpol-tui"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("question_mark", "help", "Keys")]

    def __init__(self, options: SourceOptions) -> None:
        super().__init__()
        self.options = options
        self.snapshot: Snapshot | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(SnapshotLoaded(load_snapshot(self.options)))
        except SourceError as exc:
            self.post_message(SnapshotFailed("\n".join(exc.lines())))

    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        snapshot = self.snapshot = message.snapshot
        cluster = snapshot.cluster
        lines = [f"[b]Source[/b] {safe_markup(snapshot.source.description)}"]
        if cluster:
            lines.append(f"[b]Cluster[/b] {safe_markup(cluster.project or '?')}/{safe_markup(cluster.location or '?')}/"
                         f"{safe_markup(cluster.name)} {safe_markup(cluster.current_master_version or '')}")
        lines.append("  ".join(f"{name}: {count}" for name, count in snapshot.counts().items()))
        lines.extend(f"[yellow]{safe_markup(str(problem), 300)}[/]" for problem in snapshot.problems[:20])
        self.query_one("#summary", Static).update("\n".join(lines))

    def on_snapshot_failed(self, message: SnapshotFailed) -> None:
        self.query_one("#summary", Static).update(f"[red]{safe_markup(message.reason)}[/]")

    def action_help(self) -> None:
        self.notify("q quit · ? keys", title="Keys")


def run_console(options: SourceOptions) -> int:
    if options.kind == "live" and not kubeconfig_available(options):
        print(NO_SOURCE_HINT, file=sys.stderr)
        return 2
    NetpolApp(options).run()
    return 0
