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
from tests.console.helpers import capture_driver, copied, make_app, record_notifications, settle, sync


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


@sync
async def test_c_on_nodes_copies_the_highlighted_nodes_pool_or_says_which_and_why(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        nodes = app.screen.query_one("#nodes", VirtualList)
        nodes.focus()
        snapshot = app.screen.console_state.snapshot
        batch = next(n for n in snapshot.nodes if n.node_pool == "batch-pool")
        default = next(n for n in snapshot.nodes if n.node_pool == "default-pool")
        written = capture_driver(app)
        shown = record_notifications(app)
        assert nodes.select_key(batch)
        await pilot.press("c")
        await settle(pilot)
        assert nodes.select_key(default)
        await pilot.press("c")
        await settle(pilot)
        messages = [n.message for n in shown]
    batch_command = ("gcloud container clusters upgrade shop-prod --node-pool=batch-pool "
                     "--cluster-version=1.21.3-gke.2000 --location=europe-west1 --project=acme-shop")
    assert copied(written) == [batch_command, batch_command]
    assert any(f"pool batch-pool (node {batch.name}'s pool)" in m for m in messages), messages
    assert any(f"the first pool waiting for recreation (node {default.name}'s pool default-pool has no node "
               "waiting for recreation)" in m for m in messages), messages


@sync
async def test_c_on_nodes_with_dataplane_v2_says_why_nothing_is_copied(dpv2_dir: Path) -> None:
    app = make_app(dpv2_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        nodes = app.screen.query_one("#nodes", VirtualList)
        nodes.focus()
        node = nodes.highlighted_row.key
        written = capture_driver(app)
        shown = record_notifications(app)
        await pilot.press("c")
        await settle(pilot)
        messages = [n.message for n in shown]
    assert copied(written) == []
    assert any(f"Dataplane V2 enforces policy on node {node.name} and every other node" in m
               and "no pool upgrade command applies" in m for m in messages), messages


def test_pool_copy_choice_explains_every_case() -> None:
    from types import SimpleNamespace as NS

    from netpol_tui.screens.nodes import pool_copy_choice

    waiting = NS(pool="batch-pool", command="gcloud upgrade batch")
    done = NS(pool="default-pool", command=None)
    progress = NS(pools=(done, waiting))
    calico = NS(mode="calico")
    unlabelled = NS(name="n1", node_pool=None)
    choice = pool_copy_choice(calico, progress, unlabelled)
    assert choice.target == ("gcloud upgrade batch", "upgrade command for pool batch-pool, the first pool waiting "
                                                     "for recreation (node n1 has no node-pool label)")
    assert pool_copy_choice(calico, progress, None).target[1].endswith("(the first pool waiting for recreation)")
    nothing = pool_copy_choice(calico, NS(pools=(done,)), NS(name="n2", node_pool="default-pool"))
    assert nothing.target is None and "No node pool is waiting for recreation" in nothing.reason
    unknown = pool_copy_choice(NS(mode="unknown"), progress, unlabelled)
    assert unknown.target is None and "Without GKE cluster information" in unknown.reason
    assert pool_copy_choice(None, None, unlabelled).target is None
