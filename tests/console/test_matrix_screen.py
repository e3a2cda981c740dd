"""The Matrix screen on the Calico demo: grid and pairs, drill into flows, Explain prefilled, copy
the explain command, and "what if" Dataplane V2 marking the pairs that change."""

from __future__ import annotations

import shlex

from netpol_tui.app import NetpolApp
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.sources import SourceOptions
from netpol_tui.whatif.diff import diff_engines
from netpol_tui.whatif.matrix import build_matrix
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import record_copies, screen_text, settle, sync

SIZE = (140, 48)


@sync
async def test_matrix_drill_explain_copy_and_what_if() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot, 3)
        assert app.screen.id == "matrix-screen"
        expected = build_matrix(app.state.engine)
        text = screen_text(app)
        counts = expected.counts()
        assert f"{counts['flows']:,} flows: {counts['allowed']:,} allowed, {counts['denied']:,} denied" in text
        pairs = app.screen.query_one("#matrix-pairs", VirtualList)
        assert pairs.row_count == len(expected.cells())
        assert pairs.select_key(("pair", "batch", "data"))
        await pilot.press("enter")
        await settle(pilot)
        flows = app.screen.query_one("#matrix-flows", VirtualList)
        assert flows.display and app.screen.focused is flows
        wanted = [f for f in expected.flows if f.src.namespace == "batch" and f.dst.namespace == "data"]
        assert flows.row_count == len(wanted) > 0
        flow = flows.highlighted_row.key[1]
        sent = record_copies(app)
        await pilot.press("c")
        await settle(pilot)
        words = shlex.split(sent[-1])
        assert words[:4] == ["netpol-tui", "explain", "--demo", "calico"]
        assert words[4:] == flow.explain_words()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplainDialog)
        assert app.screen.defaults == (flow.explain_words()[1], flow.explain_words()[3], flow.explain_words()[5])
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query_one("#matrix-flows", VirtualList).display
        await pilot.press("w")
        await settle(pilot, 3)
        from netpol_tui.policy import PolicyEngine

        diff = diff_engines(app.state.engine, PolicyEngine(app.state.snapshot, "dataplane-v2"), "calico",
                            "dataplane-v2")
        text = screen_text(app)
        assert f"What if dataplane-v2: {len(diff.changes)} flows change" in text
        marked = [row for row in (pairs.row_at(i) for i in range(pairs.row_count)) if row and row.cells[-1]]
        assert {(row.key[1], row.key[2]) for row in marked} == {(c.src.namespace, c.dst.namespace)
                                                                for c in diff.changes}
