"""Cluster text is shown literally and inertly on every screen and in every dialog.

A snapshot whose string fields all carry markup (`[bold]x[/]`, `[/oops]`, links, `@click`
actions), OSC 52, CSI and U+202E is driven through each screen, each list row, each dialog,
the toasts and the command palette. Every frame is read from the public SVG screenshot: no
frame may hold an escape sequence or a bidi control, every markup payload must be visible as
typed (interpreted markup would have hidden its brackets), and nothing may raise (`run_test`
re-raises what the app caught, a MarkupError included).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from netpol_tui.dialogs.copy_fallback import CopyFallbackDialog
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.dialogs.finding import FindingDialog
from netpol_tui.dialogs.keys import KeysDialog
from netpol_tui.dialogs.yaml_view import YamlDialog
from netpol_tui.text import clean
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console import hostile_fixture
from tests.console.helpers import make_app, record_copies, record_notifications, screen_text, settle, sync
from tests.console.hostile_fixture import FORBIDDEN, HALF_REMOVED, HOSTILE_POOL, PAYLOADS, SHOWN, hostile

SIZE = (170, 50)


@pytest.fixture(scope="module")
def semantic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_fixture.write(tmp_path_factory.mktemp("hostile-semantic"), "semantic")


@pytest.fixture(scope="module")
def everything_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_fixture.write(tmp_path_factory.mktemp("hostile-everything"), "everything")


class Frames:
    """The frames seen so far, each checked for sequences as it is taken."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    def take(self, where: str) -> str:
        text = screen_text(self.app)
        for bad in FORBIDDEN:
            assert bad not in text, f"{bad!r} reached the screen at {where}"
        # A sequence is removed whole or shown escaped (`\x1b]52;...` where a message quotes a value),
        # never its body without its introducer. YAML shows it escaped too (`\e]52;...`), but
        # may fold a long value between the two.
        if not isinstance(self.app.screen, YamlDialog):
            assert not HALF_REMOVED.search(text), f"part of an OSC 52 sequence is shown at {where}"
        self.seen.append((where, text))
        return text

    def joined(self) -> str:
        return "\n".join(text for _, text in self.seen)


async def _rows(pilot, frames: Frames, list_id: str, where: str, *, each=None, pause: float = 0.0,
                frame_each: bool = True) -> int:
    """Walk every row of a list, taking a frame at each where a details pane follows the cursor
    (`frame_each`), and running `each` there."""
    virtual_list = pilot.app.screen.query_one(f"#{list_id}", VirtualList)
    virtual_list.focus()
    await pilot.press("home")
    for index in range(virtual_list.row_count):
        if pause:
            await pilot.pause(pause)
        await settle(pilot, rounds=1)
        if frame_each or not index:
            frames.take(f"{where} row {index}")
        if each is not None:
            await each(index)
            pilot.app.screen.query_one(f"#{list_id}", VirtualList).focus()
        await pilot.press("down")
    return virtual_list.row_count


def _assert_every_payload_shown(text: str) -> None:
    for payload, shown in zip(PAYLOADS, SHOWN, strict=True):
        assert shown in text, f"{payload!r} is not shown literally as {shown!r}"


@sync
async def test_status_pools_caption_shows_a_markup_pool_name_literally(semantic_dir: Path) -> None:
    """The issue's report: a pool named `hp[/oops]` crashed the console; other names became markup."""
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = Frames(app).take("status")
        assert HOSTILE_POOL in text
        assert f"* {HOSTILE_POOL} RECONCILING[/]" in text, "the caption of pools not RUNNING"
        pools = [hostile(pool) for pool in ("default-pool", "highmem-pool", "batch-pool")]
        assert all(clean(pool) in text for pool in pools)
        assert clean(hostile("shop-prod")) in text  # the cluster line


@sync
async def test_status_findings_their_dialogs_keys_and_palette(semantic_dir: Path) -> None:
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames = Frames(app)
        copies = record_copies(app)
        notes = record_notifications(app)

        async def open_finding(index: int) -> None:
            row = app.screen.query_one("#findings", VirtualList).highlighted_row
            await pilot.press("enter")
            await settle(pilot, rounds=1)
            if hasattr(row.key, "remediation"):
                assert isinstance(app.screen, FindingDialog)
                frames.take(f"finding {row.key.id}")
                await pilot.press("c")
                if index < 3:
                    await pilot.press("y")
                    await settle(pilot, rounds=1)
                    assert isinstance(app.screen, YamlDialog)
                    frames.take(f"finding {row.key.id} yaml")
                    await pilot.press("escape")
                await pilot.press("escape")
            else:
                frames.take(f"unknown {row.key.id} toast")

        assert await _rows(pilot, frames, "findings", "status", each=open_finding, frame_each=False) >= 10
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysDialog)
        frames.take("keys")
        await pilot.press("escape", "ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"go to")
        await pilot.pause(0.2)
        frames.take("command palette")
        await pilot.press("escape", "escape", "colon", *"[/oops]", "enter")
        await settle(pilot)
        frames.take("unknown command toast")
        everything = frames.joined()
        assert clean(hostile("batch-pool")) in everything and clean(hostile("shop-prod")) in everything
        assert copies and len(notes) > 3
        _assert_clean(copies, notes)
        assert any(note.title == "Unknown" and SHOWN[3] in note.message for note in notes), \
            "an unknown check's toast quotes the hostile version literally"
        assert any("'[/oops]'" in note.message for note in notes), "the typed command, literally"


@sync
async def test_nodes_rows_operations_and_copy_toast(semantic_dir: Path) -> None:
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        frames = Frames(app)
        copies = record_copies(app)
        notes = record_notifications(app)
        text = frames.take("nodes")
        assert HOSTILE_POOL in text and clean(hostile("operation-1732100400000-upgrade")) in text

        async def node_actions(index: int) -> None:
            if index > 1:
                return
            await pilot.press("c", "y")
            await settle(pilot, rounds=1)
            assert isinstance(app.screen, YamlDialog)
            frames.take(f"node {index} yaml")
            await pilot.press("escape")

        assert await _rows(pilot, frames, "nodes", "nodes", each=node_actions, frame_each=False) == 12
        everything = frames.joined()
        assert clean(hostile("gke-shop-prod-default-pool-00a1")) in everything
        _assert_clean(copies, notes)
        pool = clean(hostile("batch-pool"))
        assert any(pool in note.message for note in notes), "the copy toast names the pool literally"


@sync
async def test_policies_rows_details_yaml_and_explain(semantic_dir: Path) -> None:
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames = Frames(app)
        frames.take("status")
        await pilot.press("3")
        await settle(pilot)
        yaml_kinds: list[str] = []

        async def object_actions(index: int) -> None:
            kind = app.screen.query_one("#objects", VirtualList).highlighted_row.key[0]
            if yaml_kinds.count(kind) >= 2:
                return
            yaml_kinds.append(kind)
            await pilot.press("y")
            await settle(pilot, rounds=1)
            assert isinstance(app.screen, YamlDialog)
            frames.take(f"object {index} yaml")
            await pilot.press("escape")

        objects = await _rows(pilot, frames, "objects", "policies", each=object_actions, pause=0.08)
        assert objects >= 40 and sorted(set(yaml_kinds)) == ["ns", "pod", "pol", "svc"]
        everything = frames.joined()
        assert "Policies selecting this pod" in everything and "Allowing ingress traffic" in everything
        assert clean(hostile("allow-store-from-web")) in everything and clean(hostile("web")) in everything
        _assert_every_payload_shown(everything)

        await pilot.press("slash", *"pod db-0", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        destination = dialog.query_one("#explain-to", Input).value
        assert destination == clean(f"{hostile('payments')}/{hostile('db-0')}")
        frames.take("explain form, destination filled in from the hostile pod")
        dialog.query_one("#explain-from", Input).value = clean(f"{hostile('payments')}/{hostile('api-6f7b-zz1aa')}")
        await pilot.click("#explain-go")
        await settle(pilot)
        frames.take("explain verdict")
        dialog.query_one("#explain-from", Input).value = f"{PAYLOADS[1]}/{PAYLOADS[3]}"
        await pilot.click("#explain-go")
        await settle(pilot)
        text = frames.take("explain error quoting the question")
        assert PAYLOADS[1] in text


@sync
async def test_issues_runbooks_and_the_copy_fallback_dialog(semantic_dir: Path, monkeypatch) -> None:
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        frames = Frames(app)

        async def issue_actions(index: int) -> None:
            await pilot.press("enter")
            await settle(pilot, rounds=1)
            if isinstance(app.screen, FindingDialog):
                frames.take(f"issue row {index} finding")
                await pilot.press("escape")

        await _rows(pilot, frames, "issues", "issues", each=issue_actions)
        assert "Evidence" in frames.joined()
        await pilot.press("5")
        await settle(pilot)

        async def runbook_steps(index: int) -> None:
            await _rows(pilot, frames, "steps", f"runbook {index}")

        assert await _rows(pilot, frames, "runbooks", "runbooks", each=runbook_steps) == 4
        # The terminal is known to ignore OSC 52: the text to copy by hand is shown in a dialog.
        monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
        await pilot.press("2", "c")
        await settle(pilot)
        assert isinstance(app.screen, CopyFallbackDialog)
        text = frames.take("copy fallback")
        assert f"--node-pool={clean(hostile('batch-pool'))}" in text
        everything = frames.joined()
        assert clean(hostile("loader-8c7d")) in everything and clean(hostile("shop-prod")) in everything


def _assert_clean(copies: list[str], notes: list) -> None:
    for text in [*copies, *(f"{note.message} {note.title}" for note in notes)]:
        for bad in FORBIDDEN:
            assert bad not in text, f"{bad!r} in a copy or a notification"
        assert not HALF_REMOVED.search(text)


@sync
async def test_unreadable_hostile_input_is_reported_inertly(everything_dir: Path) -> None:
    """Every string hostile (kinds and addresses too): the sources' messages quote the values."""
    app = make_app(everything_dir)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        frames = Frames(app)
        text = frames.take("status")
        assert "Load problems" in text and "[/oops]" in text
        await _rows(pilot, frames, "findings", "status unknown checks", each=lambda index: pilot.press("enter"),
                    frame_each=False)
        frames.take("status with the unknown checks' toasts")
        for key in ("2", "3", "4", "5"):
            await pilot.press(key)
            await settle(pilot)
            frames.take(f"screen {key}")


@sync
async def test_toasts_are_not_markup_by_default(semantic_dir: Path) -> None:
    app = make_app(semantic_dir)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.screen.notify(f"pool {HOSTILE_POOL} {PAYLOADS[3]}", title=PAYLOADS[0])
        await pilot.pause(0.1)
        text = Frames(app).take("toast")
        assert f"pool {HOSTILE_POOL} {PAYLOADS[3]}" in text and PAYLOADS[0] in text
