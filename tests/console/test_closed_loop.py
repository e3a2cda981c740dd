"""The closed loop in the console: after a followed update, the finding that disappeared stays
listed greyed and `resolved`, a finding that appeared is `new` until opened, the cursor stays on
its finding, and an open Explain answer is asked again and marked when its verdict turns.

The app is fed the way the follower feeds it: a `SnapshotFollowed` message with the follower's
token, then the real refresh worker (engine, enforcement, checks) swaps the new state in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from netpol_tui import finding_history
from netpol_tui import messages as msg
from netpol_tui.checks import run_checks
from netpol_tui.finding_history import FindingHistory, ResolvedFinding
from netpol_tui.model.policy import LabelSelector
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import make_app, screen_text, settle, sync

#: The wall clock of the update (local time, so the frames read the same in every time zone).
UPDATED_AT = datetime(2026, 11, 20, 12, 41, 7).astimezone()
WEB, STORE = "shop/web-7d9f8-abcde", "shop/store-5c6d-pq1rs"


@pytest.fixture(autouse=True)
def _fixed_update_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(finding_history, "wall_clock", lambda: UPDATED_AT)


def fixed(snapshot: Snapshot) -> Snapshot:
    """The engineer's fix: allow-store-from-web's selector typo (`app: stor`) corrected, so NP001
    on it resolves and web -> store turns ALLOWED; and a new policy with the same typo (a new NP001)."""
    policies = []
    for policy in snapshot.policies:
        if policy.name == "allow-store-from-web":
            policies.append(replace(policy, pod_selector=LabelSelector({"app": "store"})))
            policies.append(replace(policy, name="allow-typo", uid="typo"))
        else:
            policies.append(policy)
    return replace(snapshot, policies=tuple(policies))


async def follow_update(pilot: Any, snapshot: Snapshot) -> None:
    """Deliver `snapshot` as the follower does and wait until the console shows it."""
    app = pilot.app
    app.post_message(msg.SnapshotFollowed(app._follow_token, snapshot, (), ()))
    for _ in range(100):
        await settle(pilot, rounds=1)
        if app.state.snapshot is snapshot and app.state.report is not None and not app.state.report_stale:
            break
    assert app.state.snapshot is snapshot and app.state.followed and not app.state.checks_running
    await settle(pilot)


def rows(app: Any) -> list[Any]:
    findings = app.screen.query_one("#findings", VirtualList)
    return [findings.row_at(index) for index in range(findings.row_count)]


def row_of(app: Any, check: str, text: str) -> tuple[int, Any]:
    return next((index, row) for index, row in enumerate(rows(app)) if row.cells[1] == check and text in row.cells[2])


@sync
async def test_resolved_and_new_findings_on_status_with_the_selection_kept(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert all("new ·" not in row.cells[2] and "resolved" not in row.cells[2] for row in rows(app)), \
            "the first report marks nothing"
        findings = app.screen.query_one("#findings", VirtualList)
        position, _ = row_of(app, "NP001", "allow-store-from-web")
        findings.cursor = position
        await pilot.pause()

        await follow_update(pilot, fixed(app.state.snapshot))

        index, resolved = row_of(app, "NP001", "allow-store-from-web")
        assert resolved.cells[2] == "resolved · NetworkPolicy shop/allow-store-from-web"
        assert resolved.cells[3].startswith("resolved at 12:41:07 · Policy shop/allow-store-from-web selects no")
        assert resolved.styles == ("dim", "dim", "dim", "dim")
        assert isinstance(resolved.key, ResolvedFinding)
        assert index == len(rows(app)) - 1, "resolved after every open finding"
        assert findings.highlighted_row is resolved, "the cursor stays on its finding, now resolved"
        new_index, new = row_of(app, "NP001", "allow-typo")
        assert new.cells[2] == "new · NetworkPolicy shop/allow-typo" and "dim" not in new.styles, "open, not greyed"
        assert new_index < index
        title = str(app.screen.query_one("#findings-title").render())
        assert "1 new · 1 resolved" in title
        text = screen_text(app)
        assert "resolved · NetworkPolicy shop/allow-store-from-web" in text and "new · NetworkPolicy shop/allow-typo" in text

        await pilot.press("enter")  # the resolved row opens with when it resolved and its last evidence
        await settle(pilot)
        dialog = screen_text(app)
        assert "RESOLVED at 12:41:07" in dialog and "allow-store-from-web" in dialog and "Evidence" in dialog
        await pilot.press("escape")
        await settle(pilot)

        findings.cursor = new_index
        await pilot.press("enter")  # opening the new finding is seeing it
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        _, seen = row_of(app, "NP001", "allow-typo")
        assert seen.cells[2] == "NetworkPolicy shop/allow-typo", "seen: no longer new"
        assert findings.highlighted_row.key == seen.key, "the selection stays on the row it was on"
        assert row_of(app, "NP001", "allow-store-from-web")[1].cells[2].startswith("resolved · ")


@sync
async def test_a_finding_that_comes_back_is_open_and_new_and_reload_keeps_the_history(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        first = app.state.snapshot
        await follow_update(pilot, fixed(first))
        assert any(isinstance(row.key, ResolvedFinding) for row in rows(app))
        await follow_update(pilot, replace(first, policies=first.policies))  # the fix reverted
        _, back = row_of(app, "NP001", "allow-store-from-web")
        assert back.cells[2] == "new · NetworkPolicy shop/allow-store-from-web"
        assert not isinstance(back.key, ResolvedFinding)
        assert [row.cells[2] for row in rows(app) if isinstance(row.key, ResolvedFinding)] == \
            ["resolved · NetworkPolicy shop/allow-typo"]
        history = app.state.history
        await pilot.press("r")  # the same source again: the session's history stays
        await settle(pilot, rounds=4)
        assert app.state.history.resolved.keys() == history.resolved.keys()
        app.switch_context("another")  # another source: a fresh history
        assert app.state.history == FindingHistory()


@sync
async def test_an_open_explain_answer_is_asked_again_and_marked_when_its_verdict_turns(calico_dir: Path) -> None:
    from netpol_tui.dialogs.explain import ExplainDialog, ExplainReevaluated

    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        state = app.state
        dialog = ExplainDialog(state.snapshot, {"auto": state.engine}, WEB, STORE, "8080", run_at_start=True)
        app.push_screen(dialog)
        await settle(pilot)
        assert "DENIED" in screen_text(app) and "verdict changed" not in screen_text(app)
        old_result = dialog.result

        await follow_update(pilot, fixed(state.snapshot))

        text = screen_text(app)
        assert "verdict changed: DENIED -> ALLOWED (at 12:41:07)" in text
        assert "ALLOWED" in text.split("verdict changed")[1]
        assert dialog.snapshot is app.state.snapshot, "the next Enter asks the newest snapshot"
        newest = dialog.result
        # an answer of an older asking arrives late: it never overwrites the newer one
        dialog.post_message(ExplainReevaluated(dialog._reevaluation - 1, dialog.request, dialog.snapshot,
                                               result=old_result))
        await settle(pilot)
        assert dialog.result is newest and "verdict changed: DENIED -> ALLOWED" in screen_text(app)

        unchanged = replace(app.state.snapshot, policies=app.state.snapshot.policies[:])
        await follow_update(pilot, unchanged)  # another update, the same verdict: the marker stays
        assert "verdict changed: DENIED -> ALLOWED (at 12:41:07)" in screen_text(app)


def test_known_issues_rows_mark_new_and_resolved(calico_snapshot: Snapshot) -> None:
    from netpol_tui.screens.issues import issue_rows

    report = run_checks(calico_snapshot)
    ki002 = [finding for finding in report.findings if finding.id == "KI002"]
    history = FindingHistory().advance(report, UPDATED_AT)
    later = replace(report, findings=tuple(finding for finding in report.findings if finding is not ki002[0]))
    history = history.advance(later, UPDATED_AT)
    shown = [(row.cells[2], row.styles) for row in issue_rows(later, history) if row.key[0] != "issue"]
    assert (f"  └ resolved · {ki002[0].subject} at 12:41:07", ("dim", "dim", "dim")) in shown
    assert (f"  └ {ki002[1].subject}", (None, None, "dim")) in shown
    back = history.advance(report, UPDATED_AT)
    assert f"  └ new · {ki002[0].subject}" in [row.cells[2] for row in issue_rows(report, back)]


def test_status_with_a_resolved_and_a_new_finding_140x46(snap_compare, calico_dir: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await follow_update(pilot, fixed(pilot.app.state.snapshot))
        pilot.app.clear_notifications()  # the "Findings changed" toast would cover the rows
        await settle(pilot)

    assert snap_compare(make_app(calico_dir), terminal_size=(140, 46), run_before=run_before)


@sync
async def test_known_issues_keeps_a_resolved_finding_with_its_time_and_last_evidence(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        issues = app.screen.query_one("#issues", VirtualList)
        issues.cursor = next(index for index in range(issues.row_count)
                             if issues.row_at(index).key[0] == "finding"
                             and str(issues.row_at(index).key[1].subject) == "Deployment data/loader")
        await settle(pilot)
        snapshot = app.state.snapshot
        gone = replace(snapshot, workloads=tuple(w for w in snapshot.workloads
                                                 if not (w.kind == "Deployment" and w.name == "loader")))
        await follow_update(pilot, gone)
        shown = [issues.row_at(index) for index in range(issues.row_count)]
        position = next(index for index, row in enumerate(shown) if row.key[0] == "resolved")
        assert shown[position].cells[2] == "  └ resolved · Deployment data/loader at 12:41:07"
        assert shown[position].styles == ("dim", "dim", "dim")
        assert issues.highlighted_row is shown[position], "the cursor stays with its finding, now resolved"
        text = screen_text(app)
        assert "Resolved at 12:41:07: Deployment data/loader" in text
        assert "last evidence seen" in text


@sync
async def test_every_screens_help_explains_the_markers(calico_dir: Path) -> None:
    from textual.containers import VerticalScroll

    from netpol_tui.dialogs.keys import KeysDialog

    app = make_app(calico_dir)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        for key in ("1", "2", "4"):
            await pilot.press(key)
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, KeysDialog)
            app.screen.query_one(VerticalScroll).scroll_end(animate=False, immediate=True)
            await settle(pilot)
            text = screen_text(app)
            assert "Markers (when following)" in text, text
            assert "resolved ·" in text and "new ·" in text and "verdict changed" in text and "checking…" in text
            await pilot.press("escape")
            await settle(pilot)


def test_a_history_advanced_in_the_worker_keeps_what_was_opened_meanwhile(calico_snapshot: Snapshot) -> None:
    from netpol_tui.following import Following
    from netpol_tui.screens.state import ConsoleState
    from netpol_tui.sources import SourceOptions

    report = run_checks(calico_snapshot)
    one, two = report.findings[:2]
    base = FindingHistory(source=None).advance(replace(report, findings=report.findings[2:]), UPDATED_AT)
    base = base.advance(report, UPDATED_AT)  # one and two are new
    advanced = base.advance(report, UPDATED_AT)
    opened = base.seen([one])  # the user opened one while the worker ran
    state = ConsoleState(SourceOptions(), report=report, history=opened)
    merged = Following()._with_advanced(state, (base, advanced)).history
    assert not merged.is_new(one) and merged.is_new(two)
    untouched = ConsoleState(SourceOptions(), report=report, history=base)
    assert Following()._with_advanced(untouched, (base, advanced)).history is advanced


def test_a_group_counts_its_new_findings_and_an_opened_group_marks_them() -> None:
    from netpol_tui.checks.model import Finding, Report, Severity, Subject
    from netpol_tui.screens.finding_rows import grouped_rows

    findings = [Finding("NP003", "x", Severity.INFO, "title", Subject("Namespace", name, name), "unselected")
                for name in ("a", "b", "c", "d")]
    before, after = (Report(tuple(items), (), "calico", None) for items in (findings[:3], findings))
    history = FindingHistory().advance(before, UPDATED_AT).advance(after, UPDATED_AT)
    closed = [row for row in grouped_rows(after, frozenset(), history) if row is not None]
    assert closed[0].cells[2] == "▸ 4 Namespaces in 4 namespaces (1 new)"
    opened = [row for row in grouped_rows(after, frozenset({("NP003", None)}), history) if row is not None]
    assert [row.cells[2] for row in opened[1:]] == ["  Namespace a", "  Namespace b", "  Namespace c",
                                                    "  new · Namespace d"]


def test_the_verdict_word_an_answer_is_compared_by() -> None:
    from types import SimpleNamespace

    from netpol_tui.dialogs.explain_answer import NO_ANSWER, verdict_word

    def answer(*allowed: bool | None) -> dict[str, Any]:
        return {"verdicts": [SimpleNamespace(allowed=value) for value in allowed]}

    assert verdict_word(answer(True, True)) == "ALLOWED"
    assert verdict_word(answer(False)) == "DENIED"
    assert verdict_word(answer(True, False)) == "MIXED"
    assert verdict_word(answer()) == "NO PODS"
    assert verdict_word({"verdicts": [], "unknown": {"message": "pods not read"}}) == "UNKNOWN"
    assert verdict_word(None, "no pod shop/gone") == NO_ANSWER
