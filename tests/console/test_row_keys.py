"""The screens read their highlighted row back by its key kinds (`match` on `Row[K]` keys): each
kind a builder makes leads to its own answer. Called on stand-ins for the screen (only the row
accessor and the state they read), so no app is run."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from netpol_tui.checks.model import Finding, Severity, Subject
from netpol_tui.finding_history import ResolvedFinding
from netpol_tui.runbooks.steps import Step, StepCommand, StepState
from netpol_tui.screens.issues import IssuesScreen
from netpol_tui.screens.runbooks import RunbooksScreen, step_rows
from netpol_tui.widgets.rows import Row


def finding(issue_id: str, name: str) -> Finding:
    return Finding(issue_id, "x", Severity.ERROR, "title", Subject("Pod", "shop", name), "message")


def issues_stand_in(row: Row | None, report: SimpleNamespace | None = None) -> SimpleNamespace:
    return SimpleNamespace(_row=lambda: row, console_state=SimpleNamespace(report=report))


def test_issue_rows_keys_answer_their_issue_and_finding() -> None:
    open_finding, gone = finding("KI002", "web-1"), finding("KI002", "web-2")
    report = SimpleNamespace(findings=(open_finding,))
    resolved = ResolvedFinding(gone, datetime(2026, 1, 1, tzinfo=UTC))

    issue = issues_stand_in(Row.make(("affected", "KI002", "t"), ("issue", "KI002")), report)
    assert IssuesScreen._issue_id(issue) == "KI002"
    assert IssuesScreen._finding(issue) is open_finding
    unaffected = issues_stand_in(Row.make(("not affected", "KI001", "t"), ("issue", "KI001")), report)
    assert IssuesScreen._finding(unaffected) is None

    found = issues_stand_in(Row.make(("", "", "web-1"), ("finding", open_finding)))
    assert IssuesScreen._issue_id(found) == "KI002"
    assert IssuesScreen._finding(found) is open_finding

    went = issues_stand_in(Row.make(("", "", "web-2"), ("resolved", resolved)))
    assert IssuesScreen._issue_id(went) == "KI002"
    shown = IssuesScreen._finding(went)
    assert shown is not None and shown.subject.name == "web-2" and shown.notes == (resolved.note,)
    assert IssuesScreen._issue_id(issues_stand_in(None)) is None


def test_runbook_copy_target_is_the_highlighted_command_or_the_steps_first() -> None:
    first, second = StepCommand(("kubectl", "get", "nodes")), StepCommand(("kubectl", "get", "pods"))
    runbook = SimpleNamespace(steps=[Step("Check nodes", StepState.PENDING, "d", (first, second), is_next=True),
                                     Step("Read the docs", StepState.DONE, "d")])
    rows = step_rows(runbook)
    assert [row.key[0] for row in rows] == ["step", "command", "command", "step"]

    def target(row: Row) -> tuple[str, str] | None:
        return RunbooksScreen.copy_target(SimpleNamespace(_step_row=lambda: row))

    assert target(rows[0]) == ("kubectl get nodes", "command of step “Check nodes”")
    assert target(rows[2]) == ("kubectl get pods", "command")
    assert target(rows[3]) is None  # a step without a command copies nothing
