"""Issue 12 item 4: values that must never be shortened (pool versions, operation statuses and
start times) appear whole on the demos at 80 and 120 columns; names give way, marked with `…`."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.fit_table import FitTable
from netpol_tui.widgets.rows import Column
from tests.console.helpers import screen_text, settle, sync


def _render(table: FitTable, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(table)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_fit_table_keeps_never_columns_and_shortens_names_in_the_middle() -> None:
    table = FitTable([Column("POOL", min_width=8), Column("VERSION", shorten="never")],
                     [("nap-e2-standard-4-1x8q6dbl", "1.30.5-gke.1014001")])
    lines = _render(table, 34)
    assert "1.30.5-gke.1014001" in lines[1]
    assert "…" in lines[1] and lines[1].split()[0].endswith("q6dbl")
    assert all(len(line) <= 34 for line in lines)


def test_fit_table_wraps_a_row_rather_than_cut_a_never_column() -> None:
    table = FitTable([Column("OPERATION", min_width=12), Column("STATUS", shorten="never"),
                      Column("STARTED", shorten="never")],
                     [(Text("operation-1234-abcd"), "RUNNING", "2021-10-14T10:11:30.614555Z")])
    lines = _render(table, 40)
    text = "\n".join(lines)
    assert "RUNNING" in text and "2021-10-14T10:11:30.614555Z" in text and "operation-1234-abcd" in text
    assert len(lines) == 4 and lines[1].strip() == "STARTED" and lines[3].startswith("  2021")
    assert all(len(line) <= 40 for line in lines)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("demo", ["calico", "dataplane-v2"])
@sync
async def test_pool_versions_are_never_cut(demo: str, width: int) -> None:
    app = NetpolApp(SourceOptions(demo=demo))
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        pools = [pool for pool in app.state.snapshot.cluster.node_pools if pool.version]
        assert pools
        lines = screen_text(app).splitlines()
        start = next(i for i, line in enumerate(lines) if "POOL" in line and "VERSION" in line)
        block = "\n".join(lines[start:start + 2 * len(pools) + 2])
        for pool in pools:
            assert block.count(pool.version) >= sum(p.version == pool.version for p in pools), block


@pytest.mark.parametrize("width", [80, 120])
@sync
async def test_operation_status_and_start_are_never_cut(width: int) -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        operations = [op for op in app.state.snapshot.operations if op.status == "RUNNING"]
        assert operations
        text = screen_text(app)
        assert "Operations in flight" in text
        for operation in operations:
            assert operation.status in text
            assert operation.start_time and operation.start_time in text, text


@sync
async def test_explain_field_hint_wraps_rather_than_cut_at_80_columns() -> None:
    from netpol_tui.dialogs.explain import FIELD_HINTS, ExplainDialog

    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExplainDialog)
        focused = app.focused.id if app.focused is not None else None
        assert focused in FIELD_HINTS
        hint = FIELD_HINTS[focused]
        assert len(hint) > 74  # longer than the dialog's inside at 80 columns: it must wrap
        inside = [line[line.index("│") + 1:line.rindex("│")] for line in screen_text(app).splitlines()
                  if line.count("│") >= 2]
        assert " ".join(hint.split()) in " ".join(" ".join(inside).split())


@sync
async def test_the_status_summary_uses_a_wide_terminal() -> None:
    """At 200 columns the cluster block widens (it stayed 52 wide) and the pools keep whole names."""
    app = NetpolApp(SourceOptions(demo="dataplane-v2"))
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        cluster = app.state.snapshot.cluster
        assert f"{cluster.project} / {cluster.location} / {cluster.name}" in text, text
        for pool in cluster.node_pools:
            assert pool.name in text, pool.name
