"""2 Nodes: node recreation after enforcement was switched on or off.

Overall and per-pool progress (nodes in the expected `projectcalico.org/ds-ready` state), GKE
operations in flight, a rate-based ETA, the maintenance notice, the manual upgrade command per
pool, and the node table. A followed source (netpol_tui/following.py) refreshes it in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from netpol_tui.messages import CopyCommand
from netpol_tui.model.objects import CALICO_READY_LABEL, Node
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.state import ConsoleState
from netpol_tui.screens.views import bar, cell, plain
from netpol_tui.text import clean
from netpol_tui.timestamps import kubectl_age
from netpol_tui.widgets.fit_table import FitTable
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList


def node_columns(calico: bool) -> list[Column]:
    """The node table's columns; the Calico label column (projectcalico.org/ds-ready) only where
    Calico is the dataplane."""
    columns = [Column("NAME", max_width=120, min_width=20), Column("POOL", max_width=60, min_width=8),
               Column("VERSION", max_width=60, min_width=8, shorten="never", searchable=False)]
    if calico:
        columns.append(Column("DS-READY", width=8))
    return [*columns, Column("STATUS", max_width=40, min_width=9, shorten="end", searchable=False),
            Column("AGE", width=6, sort="age", searchable=False)]


def node_rows(nodes: Iterable[Node], now: datetime, expect_label: bool | None, calico: bool = True) \
        -> Iterator[Row[Node]]:
    """One row per node (cells as `node_columns(calico)`); the label column says whether it is in
    the state recreation expects. The filter matches name, pool and label."""
    search = (0, 1, 3) if calico else (0, 1)
    for node in sorted(nodes, key=lambda n: (n.node_pool or "", n.name)):
        labelled = node.calico_ready
        style = None
        if expect_label is not None:
            style = "green" if labelled == expect_label else "yellow"
        status = node.status_text
        status_style = "yellow" if node.unschedulable or node.ready is not True else None
        head = (cell(node.name, 300), cell(node.node_pool or "-", 120), cell((node.kubelet_version or "?").lstrip("v"), 80))
        tail = (status, kubectl_age(node.creation_timestamp, now, unknown="?"))
        if calico:
            label = "true" if labelled else "missing"
            yield Row.make((*head, label, *tail), node, (None, None, None, style, status_style, None),
                           search_cells=search)
        else:
            yield Row.make((*head, *tail), node, (None, None, None, status_style, None), search_cells=search)


@dataclass(frozen=True, slots=True)
class PoolCopy:
    """What `c` copies on the Nodes screen: (text, label) naming the pool and why that one, or
    None with the reason there is nothing to copy."""

    target: tuple[str, str] | None
    reason: str = ""


def _text(value: str) -> str:
    return clean(value, 80, single_line=True)


def pool_copy_choice(enforcement: Any, progress: Any, node: Any) -> PoolCopy:
    """The highlighted node's pool upgrade command; when that pool waits for nothing, the first
    pool that does, saying so; otherwise why no command applies (Dataplane V2, nothing pending)."""
    if enforcement is None or progress is None:
        return PoolCopy(None, "The enforcement state is not known yet: no upgrade command to copy.")
    mode = str(enforcement.mode)
    if mode in ("autopilot", "dataplane-v2"):
        what = f"node {_text(node.name)} and every other node" if node is not None \
            else "every node"
        return PoolCopy(None, f"Dataplane V2 enforces policy on {what}: there is no node recreation to speed up, "
                              "so no pool upgrade command applies.")
    if mode == "unknown":
        return PoolCopy(None, "Without GKE cluster information it is unknown whether any pool waits for node "
                              "recreation: no upgrade command to copy.")
    waiting = [pool for pool in progress.pools if pool.command]
    if not waiting:
        return PoolCopy(None, "No node pool is waiting for recreation (every node is in the expected state): "
                              "no upgrade command to copy.")
    if node is None:
        first = waiting[0]
        return PoolCopy((first.command, f"upgrade command for pool {_text(first.pool)} (the first pool waiting for "
                                        "recreation)"))
    name = _text(node.name)
    own = next((pool for pool in waiting if node.node_pool and pool.pool == node.node_pool), None)
    if own is not None:
        return PoolCopy((own.command, f"upgrade command for pool {_text(own.pool)} (node {name}'s pool)"))
    first = waiting[0]
    why = (f"node {name}'s pool {_text(node.node_pool)} has no node waiting for recreation" if node.node_pool
           else f"node {name} has no node-pool label")
    return PoolCopy((first.command, f"upgrade command for pool {_text(first.pool)}, the first pool waiting for "
                                    f"recreation ({why})"))


#: Observations kept for the observed rate (the rate uses a window of the latest; see observed_rate.py).
MAX_SAMPLES = 200


class NodesScreen(ModeScreen):
    MODE = "nodes"
    PLACEHOLDERS = ("nodes-progress",)
    KEY_NOTES = (("c", "copy the manual upgrade command of the highlighted node's pool (or says which pool and why)"),
                 ("y", "YAML of the highlighted node"))

    def __init__(self) -> None:
        super().__init__()
        self.progress: Any = None
        #: (time, nodes in the expected state) per snapshot shown this session, and the ETA from them.
        self.samples: list[tuple[datetime, int]] = []
        self.observed: Any = None
        self.live_note = ""

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="nodes-summary", can_focus=True):
            yield Static("Loading…", id="nodes-progress")
            yield Static("", id="nodes-operations")
            yield Static("", id="nodes-commands")
        yield Static("Nodes", id="nodes-title", classes="section-title")
        yield FilterBar("nodes")
        yield VirtualList(node_columns(True), id="nodes", empty_text="Loading…", enter=None)

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        snapshot = state.snapshot
        if snapshot is None:
            return
        enforcement = state.enforcement
        if previous is None or previous.snapshot is not snapshot or previous.enforcement is not enforcement:
            if previous is None or (previous.snapshot is not snapshot and not state.followed):
                self.samples = []  # a new load; a followed update continues the observed rate
            if state.followed and previous is not None and previous.snapshot is not snapshot:
                self.live_note = f"live · updated {snapshot.captured_at:%H:%M:%S} UTC"
            self._refresh(snapshot, enforcement)

    def _refresh(self, snapshot: Any, enforcement: Any) -> None:
        expect = None
        if enforcement is not None:
            from netpol_tui.runbooks import observed_eta, recreation_progress

            self.progress = recreation_progress(snapshot, enforcement)
            self._observe(snapshot.captured_at, self.progress)
            self.observed = observed_eta(self.samples, self.progress.total)
            direction = self.progress.direction
            expect = True if direction == "enabling" or enforcement.calico_enforcement else (
                False if direction == "disabling" else None)
        self.query_one("#nodes-progress", Static).update(self._progress_block(enforcement))
        self.query_one("#nodes-operations", Static).update(self._operations_block(snapshot, enforcement))
        self.query_one("#nodes-commands", Static).update(self._commands_block())
        from netpol_tui.screens.identity import age_basis

        # `c` copies a pool's upgrade command only where nodes are recreated (Calico); elsewhere it says why not
        keys = "c copies the node pool's upgrade command · y YAML" if enforcement is not None and \
            enforcement.is_standard_legacy else "y YAML"
        title = Text.assemble(("Nodes  ", "bold"), (f"{len(snapshot.nodes)} nodes", ""),
                              (f"   {self.live_note}" if self.live_note else "", "bold green"),
                              (f"   {age_basis(snapshot)}", "dim"), (f"   {keys}", "dim"))
        self.query_one("#nodes-title", Static).update(title)
        calico = enforcement is None or enforcement.is_standard_legacy or str(enforcement.mode) == "unknown"
        node_list = self.query_one("#nodes", VirtualList)
        node_list.empty_text = "No nodes loaded."
        if len(node_list.columns) != len(node_columns(calico)):
            node_list.columns = tuple(node_columns(calico))
            node_list.sort = None
        self.prepare_rows("nodes", node_rows, snapshot.nodes, snapshot.captured_at, expect, calico)

    def _progress_block(self, enforcement: Any) -> Group | Text:
        if enforcement is None:
            return Text("Waiting for the enforcement state…", style="dim")
        progress = self.progress
        if not enforcement.is_standard_legacy:
            mode = str(enforcement.mode)
            text = ("Dataplane V2 enforces policy on every node; there is no Calico label and no node recreation "
                    "to wait for." if mode in ("autopilot", "dataplane-v2") else
                    "Unknown: without GKE cluster information the expected label state cannot be told.")
            return Text(text)
        if not enforcement.nodes_known:
            return Text("Nodes were not loaded, so node recreation progress is unknown. Add `kubectl get nodes -o json` "
                        "to the input.", style="yellow")
        direction = progress.direction
        head = {"enabling": "Enabling enforcement: nodes must gain", "disabling": "Disabling enforcement: nodes must lose",
                "none": "No recreation pending; nodes carrying"}[direction]
        lines: list[Any] = [Text.assemble((f"{head} {CALICO_READY_LABEL}=true", "bold"))]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        expected_total = progress.total
        overall_done = progress.done if direction != "none" else len(enforcement.labelled_nodes)
        grid.add_row(Text("overall", style="bold"), bar(overall_done, expected_total,
                                                        style="green" if overall_done == expected_total else "yellow"))
        for pool in progress.pools:
            done = pool.done if direction != "none" else next(
                (p.labelled for p in enforcement.pools if p.label == pool.pool), 0)
            grid.add_row(Text(cell(pool.pool, 40)), bar(done, pool.total,
                                                        style="green" if done == pool.total else "yellow"))
        lines.append(grid)
        if progress.pending:
            lines.append(Text(clean(self._eta_line(progress), 600)))
        if progress.notice:
            lines.append(Text(clean(progress.notice, 800), style="yellow" if progress.pending else ""))
        return Group(*lines)

    def _operations_block(self, snapshot: Any, enforcement: Any) -> Group | Text:
        operations = enforcement.operations if enforcement is not None else ()
        if not operations:
            return Text("No GKE node operation in flight." if snapshot.operations or snapshot.cluster else
                        "GKE operations were not loaded.", style="dim")
        # Statuses, progress and timestamps are never shortened: names give way, then the row wraps.
        table = FitTable([Column("OPERATION", min_width=12, max_width=60), Column("TYPE", min_width=6, shorten="end"),
                          Column("POOL", min_width=8, max_width=40), Column("STATUS", shorten="never"),
                          Column("PROGRESS", shorten="never"), Column("STARTED", shorten="never")])
        for operation in operations:
            progress = bar(operation.done, operation.total, 12) if operation.done is not None and operation.total \
                else Text("not reported", style="dim")
            table.add_row(plain(operation.name, 40), plain(operation.operation_type, 20),
                          plain(operation.node_pool or "-", 30), plain(operation.status, 40), progress,
                          plain(operation.start_time or "?", 60))
        return Group(Text("Operations in flight", style="bold underline"), table)

    def _commands_block(self) -> Group | str:
        progress = self.progress
        if progress is None or not any(pool.command for pool in progress.pools):
            return ""
        lines: list[Any] = [Text("Recreate a pool's nodes now (upgrade it to the control plane's version):",
                                 style="bold underline")]
        for pool in progress.pools:
            if pool.command:
                lines.append(Text.assemble((f"{cell(pool.pool, 30)}: ", "bold"), cell(pool.command, 400)))
        return Group(*lines)

    # ------------------------------------------------------------------ followed updates

    def _observe(self, when: datetime, progress: Any) -> None:
        """One (time, nodes in the expected state) observation per snapshot shown while recreation is
        pending: the observed rate of this session (runbooks/observed_rate.py) comes from them."""
        if not progress.pending:
            self.samples = []
        elif not self.samples or self.samples[-1] != (when, progress.done):
            self.samples = [*self.samples[-(MAX_SAMPLES - 1):], (when, progress.done)]

    def _eta_line(self, progress: Any) -> str:
        """`Progress 10/12 · ETA ... from the observed rate ...`; until the rate is known, the ETA the
        running operation's progress gives (said so), else why none is known."""
        observed = self.observed
        became = "became enforcing" if progress.direction == "enabling" else "stopped enforcing"
        head = f"Progress {progress.done}/{progress.total} nodes · "
        if observed is not None and observed.known:
            return head + observed.text(became)
        state = self.console_state
        following = state is not None and bool(state.follow or state.followed)
        if not following:  # a snapshot read once: no rate can be observed, so none is promised
            return head + (f"ETA {progress.eta.text}" if progress.eta is not None else
                           f"ETA unknown: {progress.eta_reason}; the source is not followed, so no rate is observed")
        rate = observed.reason if observed is not None else "not observed yet"
        if progress.eta is not None:
            return head + f"ETA {progress.eta.text}; observed rate unknown: {rate}"
        return head + f"ETA unknown: {rate}; {progress.eta_reason}"

    # ------------------------------------------------------------------ copy / YAML

    def _node(self) -> Node | None:
        row: Row[Node] | None = self.query_one("#nodes", VirtualList).highlighted_row
        return row.key if row is not None else None

    def copy_target(self) -> tuple[str, str] | None:
        return pool_copy_choice(self.console_state.enforcement if self.console_state else None, self.progress,
                                self._node()).target

    def action_copy(self) -> None:
        choice = pool_copy_choice(self.console_state.enforcement if self.console_state else None, self.progress,
                                  self._node())
        if choice.target is None:
            self.notify(choice.reason, title="Nothing to copy", severity="warning", markup=False)
            return
        self.post_message(CopyCommand(*choice.target))

    def yaml_target(self) -> tuple[str, Any] | None:
        node = self._node()
        return (f"node {node.name}", node) if node is not None else None

    # ------------------------------------------------------------------ go to object

    def location(self) -> tuple[Any, Any]:
        from netpol_tui.screens.navigation import ObjectRef

        node = self._node()
        return (ObjectRef("Node", None, node.name) if node is not None else None), None

    def reveal_object(self, ref: Any, selected: Any) -> bool | str:
        from netpol_tui.screens.navigation import reveal_in_list

        state = self.console_state
        nodes = self.query_one("#nodes", VirtualList)
        if state is None or state.snapshot is None or (nodes.total_count == 0 and state.snapshot.nodes):
            return False
        if ref is None:
            return True
        if ref.kind == "NodePool" and not any(node.node_pool == ref.name for node in state.snapshot.nodes):
            return f"Node pool {ref.name} has no node in the snapshot."
        outcome = reveal_in_list(self, nodes, state, ref)
        if outcome is True and ref.kind == "NodePool":
            count = sum(1 for node in state.snapshot.nodes if node.node_pool == ref.name)
            self.notify(f"Node pool {ref.name}: {count} nodes, the first selected.", title="Go to", markup=False)
        return outcome
