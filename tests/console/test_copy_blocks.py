"""`c` in the console puts one runnable block on the clipboard, hostile names and all.

The console runs on a snapshot with hostile names (tests/checks/hostile.py); what reaches the
terminal as OSC 52 is decoded and run in bash with recording stubs: an apply fix arrives with
its manifest as a heredoc, and nothing but the stubs runs.
"""

from __future__ import annotations

from pathlib import Path

from netpol_tui.dialogs.finding import FindingDialog
from netpol_tui.screens.runbooks import step_rows
from netpol_tui.widgets.virtual_list import VirtualList
from tests.checks.hostile import hostile_case, is_hostile, run_block
from tests.console.helpers import capture_driver, copied, make_app, settle, sync


@sync
async def test_c_copies_an_apply_fix_with_its_manifest_as_one_block(tmp_path: Path) -> None:
    snapshot = hostile_case("GKE008")
    app = make_app(tmp_path, loader=lambda options, progress: snapshot)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        findings = app.screen.query_one("#findings", VirtualList)
        finding = next(f for f in app.screen.console_state.report.findings if f.id == "GKE008")
        assert findings.select_key(finding)
        apply_command = finding.remediation.commands[0]
        assert apply_command.argv == ("kubectl", "apply", "-f", "-") and apply_command.stdin
        assert is_hostile(apply_command.stdin)
        written = capture_driver(app)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog)
        await pilot.press("c")
        await settle(pilot)
    blocks = copied(written)
    assert len(blocks) == 2 and blocks[0] == blocks[1]
    assert blocks[0].startswith("kubectl apply -f - <<'EOF'\n") and blocks[0].endswith("\nEOF")
    calls, canary, stderr = run_block(blocks[0], tmp_path / "run")
    assert not canary, stderr
    assert calls == [(apply_command.argv, apply_command.stdin)]


@sync
async def test_c_on_a_runbook_step_copies_a_block_that_runs_as_meant(tmp_path: Path) -> None:
    snapshot = hostile_case("GKE002")
    app = make_app(tmp_path, loader=lambda options, progress: snapshot)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        steps = screen.query_one("#steps", VirtualList)
        runbook = next(rb for rb in screen.runbooks if rb.key == "enable")
        rows = [row for row in step_rows(runbook) if row.key[0] == "command" and is_hostile(" ".join(row.key[2].argv))]
        assert rows, "a runbook command carries a hostile name"
        assert steps.select_key(rows[0].key)
        steps.focus()
        written = capture_driver(app)
        await pilot.press("c")
        await settle(pilot)
    command = rows[0].key[2]
    (block,) = copied(written)
    calls, canary, stderr = run_block(block, tmp_path / "run")
    assert not canary, stderr
    assert calls == [(command.argv, command.stdin or "")]
