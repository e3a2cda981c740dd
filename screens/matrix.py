"""6 Matrix: who can talk to whom. The namespace heat map (letters as well as colours, so it reads
without colour), every namespace pair with its counts, Enter drills into the pair's workload
flows and then into the Explain form; `w` toggles "what if": the model diff to the other
dataplane (Calico <-> Dataplane V2; enforcement off -> Calico) in the same views, changed pairs
and flows marked. The matrix and the diff are computed by `netpol_tui.whatif` in thread workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from netpol_tui.messages import MatrixComputed
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.state import ConsoleState
from netpol_tui.screens.views import cell
from netpol_tui.shell import join
from netpol_tui.text import clean, plural
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from netpol_tui.whatif.matrix import Flow

#: A row of the pair list (source and destination namespaces), and one of a pair's flows.
PairKey = tuple[Literal["pair"], str, str]
FlowKey: TypeAlias = "tuple[Literal['flow'], Flow]"

STATE_STYLES = {"all": "bold green", "some": "bold yellow", "none": "bold red", "unknown": "bold magenta",
                "empty": "dim"}
LETTERS = {"all": "A", "some": "S", "none": "N", "unknown": "?", "empty": "."}
VERDICT_STYLES = {"allow": "green", "deny": "red", "unknown": "magenta"}
#: The grid is drawn up to this many namespaces; the pair list below always holds every pair.
GRID_LIMIT = 30
#: dataplane model -> the one "what if" compares it with.
WHAT_IF = {"calico": "dataplane-v2", "dataplane-v2": "calico", "kubernetes": "dataplane-v2", "none": "calico"}


def pair_rows(matrix: Any, diff: Any = None) -> list[Row[PairKey]]:
    changed: dict[tuple[str, str], int] = {}
    for change in diff.changes if diff is not None else ():
        key = (change.src.namespace, change.dst.namespace)
        changed[key] = changed.get(key, 0) + 1
    rows: list[Row[PairKey]] = []
    for (src, dst), value in sorted(matrix.cells().items()):
        mark = plural(changed[(src, dst)], "change") if (src, dst) in changed else ""
        rows.append(Row.make((f"{LETTERS[value.state]} {value.state}", cell(src, 80), cell(dst, 80),
                              str(value.allowed), str(value.denied), str(value.unknown), mark),
                             ("pair", src, dst), (STATE_STYLES[value.state], "bold", "bold", "green", "red",
                                                  "magenta", "bold reverse yellow" if mark else None)))
    return rows


def flow_rows(matrix: Any, src: str, dst: str, diff: Any = None) -> list[Row[FlowKey]]:
    after = {(c.src.label, c.dst.label, c.port): c for c in diff.changes} if diff is not None else {}
    rows: list[Row[FlowKey]] = []
    for flow in matrix.flows:
        if flow.src.namespace != src or flow.dst.namespace != dst:
            continue
        change = after.get((flow.src.label, flow.dst.label, flow.port))
        verdict = flow.verdict if change is None else f"{flow.verdict} → {'allow' if change.after else 'deny'}"
        deciding = (change.after_deciding if change is not None else flow.deciding)[:1]
        rows.append(Row.make((cell(flow.src.workload, 80), cell(flow.dst.workload, 80), str(flow.port), verdict,
                              cell("; ".join(deciding), 300)), ("flow", flow),
                             (None, None, None, "bold reverse yellow" if change else VERDICT_STYLES[flow.verdict],
                              "dim")))
    return rows


def grid(matrix: Any, diff: Any = None) -> Table | Text:
    namespaces = matrix.namespaces()
    if len(namespaces) > GRID_LIMIT:
        return Text(f"{len(namespaces)} namespaces: too many for the grid; the list below holds every pair.",
                    style="dim")
    changed = {(c.src.namespace, c.dst.namespace) for c in diff.changes} if diff is not None else set()
    cells = matrix.cells()
    table = Table(box=None, padding=(0, 1), show_header=True, header_style="dim")
    table.add_column("from \\ to", style="bold", no_wrap=True)
    for number, _ in enumerate(namespaces, 1):
        table.add_column(str(number), justify="center", no_wrap=True)
    for number, src in enumerate(namespaces, 1):
        row: list[Text | str] = [Text(f"{number:>2} {clean(src, 40, single_line=True)}")]
        for dst in namespaces:
            state = cells[(src, dst)].state if (src, dst) in cells else "empty"
            mark = "*" if (src, dst) in changed else ""
            row.append(Text(LETTERS[state] + mark, style=STATE_STYLES[state] + (" reverse" if mark else "")))
        table.add_row(*row)
    return table


class MatrixScreen(ModeScreen):
    MODE = "matrix"
    BINDINGS = [Binding("w", "what_if", "What if"), Binding("e", "explain", "Explain")]
    KEY_NOTES = (("enter", "on a pair: its workload flows; on a flow: the Explain form, filled in"),
                 ("w", "what if: the model diff to the other dataplane, changed pairs and flows marked"),
                 ("c", "copy the netpol-tui explain command of the highlighted flow"),
                 ("esc", "from the flows back to the pairs"))

    def __init__(self) -> None:
        super().__init__()
        self.matrix: Any = None
        self.diff: Any = None
        self.what_if = False
        self.pair: tuple[str, str] | None = None
        self._generation: object = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="matrix-body"):
            yield Static("Waiting for the verdict engine…", id="matrix-summary")
            yield Static("", id="matrix-grid")
            yield FilterBar("matrix-pairs")
            yield VirtualList([Column("STATE", width=10), Column("FROM", max_width=40), Column("TO", max_width=40),
                               Column("ALLOWED", width=7), Column("DENIED", width=6), Column("UNKNOWN", width=7),
                               Column("WHAT IF", flex=True)], id="matrix-pairs", empty_text="Computing the matrix…")
            yield VirtualList([Column("FROM", max_width=40), Column("TO", max_width=40), Column("PORT", width=10),
                               Column("VERDICT", width=16), Column("DECIDING", flex=True)], id="matrix-flows",
                              empty_text="Choose a pair (Enter).")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#matrix-flows").display = False

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        if state.engine is None or state.engine is self._generation:
            if state.snapshot is not None and state.engine is None and not state.errors.get("engine"):
                self.query_one("#matrix-summary", Static).update("Waiting for the verdict engine…")
            return
        self._generation = engine = state.engine
        self.matrix = self.diff = None
        self.query_one("#matrix-summary", Static).update("Computing the matrix…")
        self._start(engine, self.what_if)

    def _start(self, engine: Any, what_if: bool) -> None:
        generation = engine

        def work() -> None:
            from netpol_tui.whatif.diff import diff_engines
            from netpol_tui.whatif.matrix import build_matrix

            matrix = build_matrix(engine)
            diff = None
            if what_if:
                other = WHAT_IF.get(str(engine.dataplane), "dataplane-v2")
                # the index does not depend on the model: the other model's engine is derived, not built
                diff = diff_engines(engine, engine.derive(engine.snapshot, other), str(engine.dataplane), other)
            self.post_message(MatrixComputed(generation, matrix, diff))

        self.run_worker(work, thread=True, exit_on_error=False, name="matrix", group="matrix", exclusive=True)

    def on_matrix_computed(self, message: MatrixComputed) -> None:
        if message.generation is not self._generation:
            return  # an older engine's answer: a newer one is on its way
        self.matrix, self.diff = message.matrix, message.diff
        counts = self.matrix.counts()
        summary = Text.assemble((f"{len(self.matrix.classes):,} workloads, {counts['flows']:,} flows: ", "bold"),
                                (f"{counts['allowed']:,} allowed", "green"), ", ",
                                (f"{counts['denied']:,} denied", "red"), ", ",
                                (f"{counts['unknown']:,} unknown", "magenta"),
                                f"  ({clean(self.matrix.dataplane, 40)}; A all, S some, N none allowed, ? unknown)")
        if self.diff is not None:
            summary.append(f"\nWhat if {clean(self.diff.after, 40)}: {len(self.diff.changes):,} flows change"
                           + (f" ({'; '.join(self.diff.summary()[:3])})" if self.diff.changes else ""),
                           style="bold yellow")
        self.query_one("#matrix-summary", Static).update(summary)
        self.query_one("#matrix-grid", Static).update(grid(self.matrix, self.diff))
        self.query_one("#matrix-pairs", VirtualList).set_rows(pair_rows(self.matrix, self.diff))
        if self.pair is not None:
            self._show_flows(*self.pair)

    def _show_flows(self, src: str, dst: str) -> None:
        self.pair = (src, dst)
        flows = self.query_one("#matrix-flows", VirtualList)
        flows.set_rows(flow_rows(self.matrix, src, dst, self.diff))
        flows.display = True
        flows.focus()

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        row: Row[PairKey | FlowKey] | None = event.virtual_list.highlighted_row
        if row is None:
            return
        match row.key:
            case ("pair", src, dst):
                self._show_flows(src, dst)
            case _:
                self.action_explain()

    def action_back(self) -> None:
        flows = self.query_one("#matrix-flows", VirtualList)
        if flows.display and self.focused is flows:
            flows.display = False
            self.pair = None
            self.query_one("#matrix-pairs", VirtualList).focus()
            return
        super().action_back()

    def action_what_if(self) -> None:
        self.what_if = not self.what_if
        if self._generation is None:
            return
        self.notify("What if: computing the model diff…" if self.what_if else "What if: off")
        self._start(self._generation, self.what_if)

    def _flow(self) -> Flow | None:
        flows = self.query_one("#matrix-flows", VirtualList)
        row: Row[FlowKey] | None = flows.highlighted_row if flows.display else None
        return row.key[1] if row is not None and row.key[0] == "flow" else None

    def action_explain(self) -> None:
        flow = self._flow()
        state = self.console_state
        if flow is None or state is None or state.snapshot is None:
            self.notify("Choose a flow first: Enter on a pair lists its flows.", severity="warning")
            return
        from netpol_tui.dialogs.explain import ExplainDialog

        words = flow.explain_words()
        self.app.push_screen(ExplainDialog(state.snapshot, {"auto": state.engine}, words[1], words[3], words[5]))

    def copy_target(self) -> tuple[str, str] | None:
        flow = self._flow()
        if flow is None:
            return None
        from netpol_tui.flows.shell import source_words

        options = self.console_state.options if self.console_state is not None else None
        source = source_words(options.demo, options.files, options.context, options.kubeconfig, options.project,
                              options.location, options.cluster) if options is not None else []
        return join(["netpol-tui", "explain", *source, *flow.explain_words()]), "explain command"

    def yaml_target(self) -> tuple[str, Any] | None:
        flow = self._flow()
        if flow is None:
            return None
        return (f"flow {flow.src.label} -> {flow.dst.label} {flow.port}",
                {"from": flow.src.to_dict(), "to": flow.dst.to_dict(), "port": flow.port.port,
                 "protocol": flow.port.protocol, "verdict": flow.verdict, "deciding": list(flow.deciding)})

    def extra_commands(self) -> list[tuple[str, str, Any]]:
        return [("w", "What if: the model diff to the other dataplane", self.action_what_if)]
