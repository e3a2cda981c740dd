"""1 Status: who the cluster is, whether enforcement is on (control plane and nodes), what the
verify commands would print now, node pools, maintenance policy, and the findings by severity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from netpol_tui.finding_history import NEW_MARK, RESOLVED_MARK, FindingHistory, ResolvedFinding, finding_key
from netpol_tui.messages import ShowFinding
from netpol_tui.refs import find_subject
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.state import ConsoleState
from netpol_tui.screens.views import (
    first_copyable,
    on_off,
    plural,
    pools_table,
    verify_block,
)
from netpol_tui.text import clean
from netpol_tui.widgets.go_list import GoList
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from netpol_tui.checks.enforcement import EnforcementState
    from netpol_tui.checks.model import Finding, Report
    from netpol_tui.screens.finding_rows import FindingRowKey, GroupKeys

MAX_PROBLEMS = 50
MODE_TITLES = {"autopilot": "Autopilot (GKE Dataplane V2)", "dataplane-v2": "GKE Dataplane V2",
               "calico": "Calico (legacy datapath)", "none": "none: Calico enforcement is off",
               "unknown": "unknown (no GKE cluster information)"}


def enforced_text(enforcement: EnforcementState, labelled: int, total: int) -> Text:
    """Whether policies take effect, in words: `partly` names how many nodes are unprotected."""
    everywhere = enforcement.enforced_everywhere
    if everywhere is None:
        return Text("unknown", style="yellow")
    if everywhere:
        return Text("yes, on every node", style="bold green")
    if enforcement.calico_enforcement and labelled:
        return Text(f"partly: on {labelled} of {total} nodes ({total - labelled} unprotected)", style="bold yellow")
    return Text("no: policies have no effect", style="bold red")


def next_step_text(enforcement: EnforcementState) -> Text:
    """Where the cluster is in the enable/disable sequence and what to run next."""
    step = enforcement.step
    text = Text.assemble(("Where you are  ", "bold"))
    if step.sequence:
        text.append(f"{step.sequence} sequence, step {step.done}/{step.total}: ", style="bold")
    text.append(clean(step.summary, 800))
    for command in step.next_commands[:4]:
        text.append("\n  $ ", style="dim")
        text.append(clean(command.text, 400), style="bold cyan")
    return text


def history_counts(history: FindingHistory, report: Report) -> Text:
    """` · 2 new · 1 resolved` after the finding counts (nothing while nothing changed)."""
    text = Text()
    new = history.new_count(report.findings)
    if new:
        text.append(" · ")
        text.append(f"{new} {NEW_MARK}", style="bold")
    if history.resolved:
        text.append(" · ")
        text.append(f"{len(history.resolved)} {RESOLVED_MARK}", style="dim")
    return text


#: After the counts while the shown findings are of an earlier snapshot than the one shown (the
#: console follows a big cluster: its checks run after its rows are shown, at most every 2 s).
CHECKING_MARK = "checking…"


def findings_title(state: ConsoleState) -> Text:
    """`Findings  2 errors · ...` with the history's counts, and `checking…` while the report is of an
    earlier snapshot (the rows stay as they are until the new report arrives: nothing flashes)."""
    report = state.report
    assert report is not None, "the title is shown only with a report"
    counts = report.summary()
    title = Text.assemble(("Findings  ", "bold"), (plural(counts["error"], "error"), "red"), " · ",
                          (plural(counts["warning"], "warning"), "yellow"), " · ",
                          (f"{counts['info']} info", "cyan"), " · ", f"{counts['unknown']} unknown")
    title.append_text(history_counts(state.history, report))
    if state.report_stale:
        title.append(f" · {CHECKING_MARK}", style="italic yellow")
    title.append("   Enter opens · g goes to the object · c copies the fix", style="dim")
    return title


def follow_finding(findings: VirtualList, kept: FindingRowKey) -> None:
    """After new rows: when the highlighted row is no longer `kept` (a finding or a resolved one),
    move to the row of the same finding in its other state, if there is one."""
    from netpol_tui.checks.model import Finding

    row: Row[FindingRowKey] | None = findings.highlighted_row
    if row is not None and row.key == kept or not isinstance(kept, (Finding, ResolvedFinding)):
        return
    key = finding_key(kept)
    position, _ = findings.find(lambda item: isinstance(item, (Finding, ResolvedFinding)) and finding_key(item) == key)
    if position is not None:
        findings.cursor = position


def _finding(item: FindingRowKey | None) -> Finding | None:
    """The open finding a row holds; None for groups, unknown checks and resolved rows."""
    from netpol_tui.checks.model import Finding

    return item if isinstance(item, Finding) else None


def _named(item: FindingRowKey | None) -> Finding | ResolvedFinding | None:
    """The finding, open or resolved, a row holds (it names an object); None for groups,
    unknown checks and the "… and N more resolved" row."""
    return item if isinstance(item, ResolvedFinding) else _finding(item)


class StatusScreen(ModeScreen):
    MODE = "status"
    PLACEHOLDERS = ("status-cluster",)
    KEY_NOTES = (("enter", "open the highlighted finding (evidence, explanation, remediation), or open/close a group"),
                 ("g", "go to the highlighted finding's object (Policies or Nodes)"),
                 ("y", "YAML of the highlighted finding's object"),
                 ("tab", "move between the summary and the findings list"))

    def __init__(self) -> None:
        super().__init__()
        #: Keys of the finding groups opened with Enter (kept across reloads).
        self.opened: GroupKeys = frozenset()
        #: The row highlighted when new rows were asked for (rows_shown follows it if it resolved).
        self._kept: FindingRowKey | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="status-summary", can_focus=True):
            with Horizontal(id="status-columns"):
                with Vertical(id="status-left"):
                    yield Static("Loading…", id="status-cluster")
                with Vertical(id="status-right"):
                    yield Static("", id="status-pools")
            yield Static("", id="status-next")
            yield Static("", id="status-verify")
            yield Static("", id="status-problems")
        yield Static("Findings", id="findings-title")
        yield FilterBar("findings")
        yield GoList([Column("SEVERITY", width=8), Column("ID", width=6),
                      Column("SUBJECT", max_width=90, min_width=12),
                      Column("MESSAGE", flex=True, min_width=30, shorten="end", searchable=False)],
                     id="findings", empty_text="Loading…", enter="Open finding")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        snapshot = state.snapshot
        if snapshot is None:
            return
        self.query_one("#status-cluster", Static).update(self._cluster_block(state))
        self.query_one("#status-pools", Static).update(self._pools_block(state))
        enforcement = state.enforcement
        self.query_one("#status-next", Static).update(next_step_text(enforcement) if enforcement else "")
        self.query_one("#status-verify", Static).update(verify_block(enforcement.verify) if enforcement else "")
        self.query_one("#status-problems", Static).update(self._problems_block(state))
        report = state.report
        findings = self.query_one("#findings", VirtualList)
        if report is None:
            findings.empty_text = ("The checks did not run: see the banner." if "checks" in state.errors
                                   else "Running checks…")
            findings.set_rows(())
            self.query_one("#findings-title", Static).update("Findings")
            return
        if previous is None or previous.report is not report or previous.history is not state.history:
            self._prepare_findings(report, state.generation)
            findings.empty_text = "No findings: every check passed."
        if previous is None or previous.report is not report or previous.history is not state.history \
                or previous.report_stale != state.report_stale:
            self.query_one("#findings-title", Static).update(findings_title(state))

    def _cluster_block(self, state: ConsoleState) -> Group:
        snapshot, enforcement = state.snapshot, state.enforcement
        assert snapshot is not None  # the blocks are built for a loaded snapshot only
        cluster = snapshot.cluster
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        if cluster is not None:
            kind = "Autopilot" if cluster.autopilot else "Standard"
            grid.add_row("Cluster", Text(clean(f"{cluster.project or '?'} / {cluster.location or '?'} / "
                                               f"{cluster.name}", 200, single_line=True)))
            grid.add_row("Type", Text(f"{kind}, {clean(cluster.status or 'status unknown', 40)}"))
            versions = clean(cluster.current_master_version or "unknown", 60)
            if cluster.current_node_version and cluster.current_node_version != cluster.current_master_version:
                versions += f" (nodes {clean(cluster.current_node_version, 60)})"
            grid.add_row("Version", Text(versions))
        else:
            grid.add_row("Cluster", Text("no GKE cluster information (Kubernetes only)", style="yellow"))
        if enforcement is not None:
            grid.add_row("Dataplane", Text(MODE_TITLES.get(str(enforcement.mode), str(enforcement.mode))))
            if enforcement.is_standard_legacy:
                grid.add_row("Control plane", on_off(enforcement.addon_enabled, "addon networkPolicyConfig"))
                grid.add_row("Nodes", on_off(enforcement.node_setting_enabled, "networkPolicy.enabled"))
            labelled, total = len(enforcement.labelled_nodes), len(enforcement.labelled_nodes) + len(
                enforcement.unlabelled_nodes)
            if enforcement.nodes_known and enforcement.is_standard_legacy:
                grid.add_row("Labelled nodes", Text(f"{labelled}/{total} carry projectcalico.org/ds-ready=true",
                                                    style="green" if labelled == total else "yellow"))
            grid.add_row("Enforced", enforced_text(enforcement, labelled, total))
        elif "enforcement" not in state.errors:
            grid.add_row("Dataplane", Text("…", style="dim"))
        return Group(Text("Cluster and enforcement", style="bold underline"), grid)

    def _pools_block(self, state: ConsoleState) -> Group:
        snapshot, enforcement = state.snapshot, state.enforcement
        assert snapshot is not None
        parts: list[Any] = [Text("Node pools", style="bold underline")]
        parts.append(pools_table(snapshot, enforcement))
        policy = snapshot.cluster.maintenance_policy if snapshot.cluster else None
        parts.append(Text("Maintenance policy", style="bold underline"))
        if enforcement is not None:
            maintenance = enforcement.maintenance
            line = Text(clean(maintenance.summary, 500))
            if maintenance.next_window is not None:
                line.append(f"\nnext window {maintenance.next_window:%Y-%m-%d %H:%M} UTC"
                            + (" (open now)" if maintenance.in_window else ""))
            parts.append(line)
        else:
            parts.append(Text("configured" if policy is not None and policy.is_configured else "none known"))
        counts = snapshot.counts()
        parts.append(Text(" · ".join((plural(counts["pods"], "pod"), plural(counts["namespaces"], "namespace"),
                                      plural(counts["networkpolicies"], "policy"), plural(counts["nodes"], "node"),
                                      plural(counts["services"], "service"))), style="dim"))
        return Group(*parts)

    def _problems_block(self, state: ConsoleState) -> Text | str:
        assert state.snapshot is not None
        problems = state.snapshot.problems
        if not problems:
            return ""
        text = Text(f"Load problems ({len(problems)})\n", style="bold underline")
        for problem in problems[:MAX_PROBLEMS]:
            text.append(clean(str(problem), 300, single_line=True) + "\n", style="yellow")
        if len(problems) > MAX_PROBLEMS:
            text.append(f"… and {len(problems) - MAX_PROBLEMS} more\n")
        return text

    # ------------------------------------------------------------------ interaction

    def _prepare_findings(self, report: Report, generation: object = None) -> None:
        from netpol_tui.screens.finding_rows import grouped_rows

        history = self.console_state.history if self.console_state is not None else None
        self._kept = self._selected()  # rows_shown follows it to its resolved row (or back)
        self.prepare_rows("findings", grouped_rows, report, self.opened, history, generation=generation)

    def rows_shown(self, target: str) -> None:
        """Keep the cursor on a finding that resolved (now its resolved row) or came back."""
        kept, self._kept = self._kept, None
        if target == "findings" and kept is not None:
            # after the refresh that sized the list for its new rows: scrolling to the last row
            # before it was clamped to the old height
            self.call_after_refresh(follow_finding, self.query_one("#findings", VirtualList), kept)

    def _selected(self) -> FindingRowKey | None:
        row: Row[FindingRowKey] | None = self.query_one("#findings", VirtualList).highlighted_row
        return row.key if row is not None else None

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        from netpol_tui.checks.grouping import FindingGroup
        from netpol_tui.checks.model import Finding

        row: Row[FindingRowKey] | None = event.row
        item = row.key if row else None
        if item is None:
            return
        if isinstance(item, ResolvedFinding):
            self.post_message(ShowFinding(item.as_finding()))
        elif isinstance(item, tuple):  # the "… and N more resolved" row
            self.notify("Only the first resolved findings are listed; they stay resolved all the same.",
                        title="Resolved")
        elif isinstance(item, FindingGroup):
            self.opened = self.opened ^ {item.key}
            report = self.console_state.report if self.console_state else None
            if report is not None:
                self._prepare_findings(report)
        elif isinstance(item, Finding):
            self.post_message(ShowFinding(item))
        else:  # an unknown check
            self.notify(clean(f"{item.id}: {item.reason}", 500), title="Unknown", severity="warning",
                        markup=False)

    def on_go_list_go_requested(self, event: GoList.GoRequested) -> None:
        from netpol_tui.screens.navigation import GoTo, ObjectRef

        row: Row[FindingRowKey] | None = event.row
        item = row.key if row else None
        if (named := _named(item)) is not None:
            self.post_message(GoTo(ObjectRef.of(named.subject)))
        elif item is not None:
            self.notify("A group or an unknown check names no single object: Enter opens a group.",
                        title="Go to", severity="warning")

    def location(self) -> tuple[Any, Any]:
        return None, self._selected()

    def reveal_object(self, ref: Any, selected: Any) -> bool | str:
        findings = self.query_one("#findings", VirtualList)
        if selected is None:
            self.set_focus(self.query_one("#status-summary"))
            return True
        if findings.total_count == 0:  # the checks are still running: try again when the rows come
            return not (self.console_state is None or self.console_state.report is None)
        findings.select_key(selected)
        self.set_focus(findings)
        return True

    def copy_target(self) -> tuple[str, str] | None:
        finding = _finding(self._selected())
        return first_copyable(finding) if finding is not None else None

    def yaml_target(self) -> tuple[str, Any] | None:
        item = _named(self._selected())
        if item is None:
            snapshot = self.console_state.snapshot if self.console_state else None
            return ("cluster", snapshot.cluster) if snapshot is not None and snapshot.cluster else None
        obj = find_subject(self.console_state.snapshot if self.console_state else None, item.subject)
        if obj is None:  # the finding itself, saying why: better than nothing to read
            return f"finding {item.id} ({item.subject} is not in the snapshot)", item.to_dict()
        return str(item.subject), obj

    def action_yaml(self) -> None:
        from netpol_tui.checks.grouping import FindingGroup

        item = self._selected()
        if isinstance(item, FindingGroup):
            self.notify("A group has no YAML of its own: Enter opens it, then y shows a finding's object.",
                        severity="warning")
            return
        super().action_yaml()
