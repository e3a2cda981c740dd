"""The console follows the stand-in cluster: a fix applied by the test clears NP001 on the Status
screen within 3 s with the selection kept, and a node relabelled moves the Nodes progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import screen_text, sync
from tests.live import data
from tests.live.standin import KubeAPI
from tests.live.test_follow import typo_policy, watching


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 8.0) -> float:
    """Seconds until `condition` held (the follower's load worker never ends, so no settle())."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        await pilot.pause(0.02)
    raise AssertionError(f"not within {timeout} s; screen:\n{screen_text(pilot.app)}")


def finding_ids(app: NetpolApp) -> set[str]:
    report = app.state.report
    return {finding.id for finding in report.findings} if report is not None else set()


@sync
async def test_a_fix_applied_clears_np001_in_the_console_within_3_s(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.add("networkpolicies", typo_policy())
    app = NetpolApp(options, follow=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "NP001" in finding_ids(app) and "allow-typo" in screen_text(app))
        await wait_until(pilot, watching(kube_api, "networkpolicies"))
        findings = app.screen.query_one("#findings", VirtualList)
        assert findings.highlighted_row.key.id == "GKE003"
        assert "following" in screen_text(app).splitlines()[1] + screen_text(app).splitlines()[2]
        generation = app.state.generation
        kube_api.change("networkpolicies", "MODIFIED", typo_policy("web"))
        took = await wait_until(pilot, lambda: "NP001" not in finding_ids(app) and "allow-typo" not in screen_text(app))
        assert took < 3.0
        assert app.state.generation > generation and app.state.followed
        assert "allow-typo" in {policy.name for policy in app.state.snapshot.policies}
        assert findings.highlighted_row.key.id == "GKE003", "the selection stays on its row"


@sync
async def test_a_node_relabelled_moves_the_nodes_progress(options: SourceOptions, kube_api: KubeAPI) -> None:
    app = NetpolApp(options, follow=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.enforcement is not None)
        await pilot.press("2")
        await wait_until(pilot, lambda: "2/3" in screen_text(app))
        await wait_until(pilot, watching(kube_api, "nodes"))
        assert not any(worker.name == "watch" for worker in app.workers), "no second node watch"
        kube_api.change("nodes", "MODIFIED", data.node(2))
        await wait_until(pilot, lambda: "3/3" in screen_text(app), timeout=5.0)
