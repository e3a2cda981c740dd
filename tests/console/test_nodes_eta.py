"""The Nodes screen's progress and ETA come from the rate observed while the console follows the
cluster (issue 13, item 3): a follow-style sequence of snapshots in which batch-pool's nodes gain
`projectcalico.org/ds-ready=true` one after the other, delivered as the follower delivers them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from netpol_tui.model.objects import CALICO_READY_LABEL
from netpol_tui.model.snapshot import Snapshot
from tests.console.cluster_fixture import CAPTURED_AT
from tests.console.helpers import make_app, screen_text, settle, sync
from tests.console.test_closed_loop import follow_update


def recreated(snapshot: Snapshot, minutes: float, *names: str) -> Snapshot:
    """`snapshot` read `minutes` after the first capture, with the nodes `names` recreated (labelled)."""
    nodes = tuple(replace(node, labels={**node.labels, CALICO_READY_LABEL: "true"}) if node.name in names else node
                  for node in snapshot.nodes)
    return replace(snapshot, nodes=nodes, captured_at=CAPTURED_AT + timedelta(minutes=minutes))


def eta_line(app) -> str:
    return next(line.strip() for line in screen_text(app).splitlines() if line.strip().startswith("Progress "))


@sync
async def test_progress_and_eta_follow_the_observed_rate(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        first = app.state.snapshot
        waiting = sorted(node.name for node in first.nodes if not node.calico_ready)
        assert len(waiting) == 2, waiting
        # read once, not followed: the operation's progress gives the ETA, and no observed rate is promised
        assert eta_line(app) == ("Progress 10/12 nodes · ETA ~60 min at 2.0 nodes/hour (UPGRADE_NODES progress "
                                 "since 11:00 UTC)")

        # five minutes on, nothing moved: still no observed rate, and it says why
        await follow_update(pilot, recreated(first, 5))
        line = eta_line(app)
        assert line.startswith("Progress 10/12 nodes · ETA ~65 min at 1.8 nodes/hour (UPGRADE_NODES")  # operation, later
        assert "observed rate unknown: no node changed over the last 5 min of observations" in line

        # ten minutes on, one node recreated: 1 node in 10 min = 6 nodes/hour, 1 left: ~10 min
        await follow_update(pilot, recreated(first, 10, waiting[0]))
        line = eta_line(app)
        assert line == ("Progress 11/12 nodes · ETA ~10 min at 6.0 nodes/hour, from the observed rate over the "
                        "last 10 min (1 node became enforcing)"), line
        text = screen_text(app)
        assert "11/12" in text and "3/4" in text  # the overall and batch-pool bars moved too

        # away on another screen while the last node comes back: the newest state is shown on return
        await pilot.press("1")
        await settle(pilot)
        await follow_update(pilot, recreated(first, 16, *waiting))
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "12/12" in text and "Progress " not in text and "ETA" not in text, text


@sync
async def test_a_node_lost_again_makes_the_eta_unknown_never_negative(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        first = app.state.snapshot
        waiting = sorted(node.name for node in first.nodes if not node.calico_ready)
        labelled = sorted(node.name for node in first.nodes if node.calico_ready and node.node_pool == "batch-pool")
        await follow_update(pilot, recreated(first, 4, waiting[0]))
        assert "from the observed rate over the last 4 min" in eta_line(app)
        # a recreated node comes back without its label for a moment: 11 -> 9, no rate from that
        lost = recreated(first, 8, waiting[0])
        lost = replace(lost, nodes=tuple(
            replace(node, labels={k: v for k, v in node.labels.items() if k != CALICO_READY_LABEL})
            if node.name in labelled else node for node in lost.nodes))
        await follow_update(pilot, lost)
        line = eta_line(app)
        assert line.startswith("Progress 9/12 nodes · ")
        assert "observed rate unknown: fewer nodes are in the expected state than 8 min earlier (10 -> 9): no rate" \
            in line, line
