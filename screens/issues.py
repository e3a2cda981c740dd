"""4 Known issues: the GKE issues of gke-facts section 10 and unscheduled ip-masq-agent /
calico-node pods, each affected / not affected / unknown for this cluster, with the evidence
and the fix. Whether a cluster is affected is decided by checks KI001-KI003; this screen only
shows their verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

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
from netpol_tui.screens.views import cell, first_copyable
from netpol_tui.text import clean
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from netpol_tui.checks.model import Finding

#: A row's key: a known issue (its id), one of its findings, or one that resolved this session.
IssueKey: TypeAlias = "tuple[Literal['issue'], str] | tuple[Literal['finding'], Finding] | tuple[Literal['resolved'], ResolvedFinding]"

#: Known issue -> (short title, when it applies, the general fix): the facts of gke-facts 3 and 10.
KNOWN_ISSUES: dict[str, tuple[str, str, str]] = {
    "KI001": ("Calico: StatefulSet pods lose connections while terminating",
              "Calico enforcement on, control plane on an affected version (all 1.18; 1.19 up to 1.19.16-gke.99; "
              "1.20 up to 1.20.11-gke.1299; 1.21 up to 1.21.4-gke.1499), and StatefulSet pods running. Upstream: "
              "Calico issue #4710, a late CNI delete blanks the podIP annotation of the new pod with the same name.",
              "Upgrade the control plane to 1.19.16-gke.100, 1.20.11-gke.1300, 1.21.4-gke.1500 or later."),
    "KI002": ("Calico: pods stuck in ContainerCreating (IPAM host-local)",
              "Calico enforcement on and a pod event saying `plugin type=\"calico\" failed (add): ipAddrs is not "
              "compatible with configured IPAM: host-local` (FailedCreatePodSandBox), or a pod or template carrying "
              "the cni.projectcalico.org/ipAddrs annotation, which needs calico-ipam (GKE's Calico uses host-local).",
              "Remove the cni.projectcalico.org/ipAddrs annotation from the pod template."),
    "KI003": ("Manually deployed ip-masq-agent / calico-node left unscheduled",
              "When enforcement is enabled on the control plane, manually deployed ip-masq-agent or calico-node "
              "pods only schedule onto nodes labelled node.kubernetes.io/masq-agent-ds-ready=true / "
              "projectcalico.org/ds-ready=true, which nodes get when they are recreated.",
              "Label the nodes by hand to shorten the gap (kubectl label nodes NODE ...=true)."),
}
STATUS_STYLES = {"affected": "bold red", "not affected": "green", "unknown": "yellow", "not checked": "dim"}


def issue_rows(report: Any, history: FindingHistory | None = None) -> list[Row[IssueKey]]:
    """One row per known issue with its status, then one indented row per finding (`new ·` when
    it appeared while following), then its findings that resolved this session (greyed,
    `resolved ·`)."""
    history = history or FindingHistory()
    rows: list[Row[IssueKey]] = []
    for issue_id, (title, _, _) in KNOWN_ISSUES.items():
        findings = [f for f in report.findings if f.id == issue_id] if report is not None else []
        status = issue_status(report, issue_id)
        rows.append(Row.make((status, issue_id, title), ("issue", issue_id), (STATUS_STYLES[status], "bold", "bold")))
        for finding in findings:
            mark = f"{NEW_MARK} · " if history.is_new(finding) else ""
            rows.append(Row.make(("", "", "  └ " + mark + cell(str(finding.subject), 150)), ("finding", finding),
                                 (None, None, "dim")))
        for item in history.resolved_findings(issue_id):
            rows.append(Row.make(("", "", f"  └ {RESOLVED_MARK} · {cell(str(item.subject), 150)} at {item.clock}"),
                                 ("resolved", item), ("dim", "dim", "dim")))
    return rows


def issue_status(report: Any, issue_id: str) -> str:
    if report is None:
        return "unknown"
    if any(f.id == issue_id for f in report.findings):
        return "affected"
    if any(u.id == issue_id for u in report.unknown):
        return "unknown"
    if report.checked and issue_id not in report.checked:
        return "not checked"
    return "not affected"


def evidence_table(evidence: Any, style: str = "") -> Table:
    """Where, observed, expected: the first 30 evidence entries of a finding."""
    table = Table(show_edge=False, box=None, pad_edge=False, header_style="bold", expand=True, style=style)
    for name in ("where", "observed", "expected"):
        table.add_column(name, overflow="fold")
    for item in evidence[:30]:
        table.add_row(Text(clean(item.path, 300)), Text(clean(item.observed, 600)),
                      Text(clean(item.expected, 300) if item.expected else "—"))
    return table


class IssuesScreen(ModeScreen):
    MODE = "issues"
    KEY_NOTES = (("enter", "open the highlighted finding (evidence and remediation)"),
                 ("c", "copy the fix of the highlighted issue"))

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="issues-body"):
            with Vertical(id="issues-left"):
                yield FilterBar("issues")
                yield VirtualList([Column("STATUS", width=12), Column("ID", width=5), Column("ISSUE", flex=True)],
                                  id="issues", empty_text="Waiting for the checks…")
            with VerticalScroll(id="issue-detail", can_focus=True):
                yield Static("", id="issue-text")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    #: The highlighted row's key when new rows were asked for, which `rows_shown` follows.
    _kept: IssueKey | None = None

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        if state.snapshot is None:
            return
        if previous is None or previous.report is not state.report or previous.snapshot is not state.snapshot \
                or previous.history is not state.history:
            row = self._row()
            self._kept = row.key if row is not None else None  # rows_shown follows a finding that resolved
            self.prepare_rows("issues", issue_rows, state.report, state.history, generation=state.generation)

    def rows_shown(self, target: str) -> None:
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] != "issue":
            self.call_after_refresh(self._follow_finding, kept)
        self._show_detail()

    def _follow_finding(self, kept: tuple[Literal["finding"], Finding] | tuple[Literal["resolved"], ResolvedFinding]) \
            -> None:
        """The cursor stays with a finding that resolved (its resolved row) or came back."""
        issues = self.query_one("#issues", VirtualList)
        row = issues.highlighted_row
        if row is not None and row.key == kept:
            return
        key = finding_key(kept[1])

        def same_finding(item: IssueKey) -> bool:
            return item[0] != "issue" and finding_key(item[1]) == key

        position, _ = issues.find(same_finding)
        if position is not None:
            issues.cursor = position

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        self._show_detail()

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        finding = self._finding()
        if finding is not None:
            self.post_message(ShowFinding(finding))

    def _row(self) -> Row[IssueKey] | None:
        return self.query_one("#issues", VirtualList).highlighted_row

    def _issue_id(self) -> str | None:
        row = self._row()
        if row is None:
            return None
        match row.key:
            case ("issue", issue_id):
                return issue_id
            case (_, finding):
                return finding.id

    def _finding(self) -> Finding | None:
        row = self._row()
        if row is None:
            return None
        match row.key:
            case ("finding", finding):
                return finding
            case ("resolved", resolved):
                return resolved.as_finding()
            case (_, issue_id):
                report = self.console_state.report if self.console_state else None
                return next((f for f in report.findings if f.id == issue_id), None) if report is not None else None

    def _show_detail(self) -> None:
        issue_id = self._issue_id()
        state = self.console_state
        if issue_id is None or state is None:
            return
        self.query_one("#issue-text", Static).update(self._detail(issue_id, state))

    def _detail(self, issue_id: str, state: ConsoleState) -> Group:
        title, applies, fix = KNOWN_ISSUES[issue_id]
        report = state.report
        status = issue_status(report, issue_id)
        parts: list[Any] = [Text.assemble((f"{issue_id}  ", "bold"), (title, "bold")),
                            Text.assemble(("This cluster: ", "bold"), (status.upper(), STATUS_STYLES[status]))]
        if report is None:
            reason = state.errors.get("checks", "the checks are still running")
            parts.append(Text(f"Unknown until the checks run: {clean(reason, 300)}", style="yellow"))
        for unknown in (report.unknown if report is not None else ()):
            if unknown.id == issue_id:
                parts.append(Text(f"Why unknown: {clean(unknown.reason, 600)}", style="yellow"))
        parts += [Text(""), Text("Applies when", style="bold underline"), Text(applies)]
        cluster = state.snapshot.cluster if state.snapshot is not None else None
        if cluster is not None:
            dataplane = "Dataplane V2" if cluster.is_dataplane_v2 else (
                "Calico" if cluster.calico_enforcement else "enforcement unknown"
                if cluster.enforcement_unknown_reason else "no Calico enforcement")
            parts.append(Text(f"This cluster: {dataplane}, control plane "
                              f"{cell(cluster.current_master_version or 'version unknown', 40)}.", style="dim"))
        findings = [f for f in report.findings if f.id == issue_id] if report is not None else []
        for finding in findings:
            parts += [Text(""), Text.assemble(("Evidence: ", "bold underline"), cell(str(finding.subject), 200)),
                      Text(clean(finding.message, 2000))]
            if finding.evidence:
                parts.append(evidence_table(finding.evidence))
        for item in state.history.resolved_findings(issue_id):
            parts += [Text(""), Text.assemble((f"{RESOLVED_MARK.capitalize()} at {item.clock}: ", "bold underline"),
                                              cell(str(item.subject), 200)),
                      Text("No longer reported since that update; the last evidence seen:", style="dim"),
                      Text(clean(item.message, 2000), style="dim")]
            if item.finding.evidence:
                parts.append(evidence_table(item.finding.evidence, "dim"))
        parts += [Text(""), Text("Fix", style="bold underline"), Text(fix)]
        commands = [c for f in findings for c in f.remediation.commands]
        for command in commands[:10]:
            if command.description:
                parts.append(Text(clean(command.description, 400), style="dim italic"))
            parts.append(Text.assemble(("$ ", "dim"), (clean(command.text, 2000), "bold")))
        if findings and any(f.remediation.manifest for f in findings):
            parts.append(Text("Enter shows the manifest; c copies the first command.", style="dim"))
        return Group(*parts)

    def copy_target(self) -> tuple[str, str] | None:
        finding = self._finding()
        return first_copyable(finding) if finding is not None else None

    def yaml_target(self) -> tuple[str, Any] | None:
        finding = self._finding()
        if finding is None:
            return None
        state = self.console_state
        obj = find_subject(state.snapshot if state is not None else None, finding.subject)
        return (str(finding.subject), obj) if obj is not None else (f"finding {finding.id}", finding.to_dict())
