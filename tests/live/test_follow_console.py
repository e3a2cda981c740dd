"""The console follows the stand-in cluster: a fix applied by the test clears NP001 on the Status
screen within 3 s with the selection kept, and a node relabelled moves the Nodes progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import record_notifications, screen_text, sync
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
        notes = record_notifications(app)
        kube_api.change("networkpolicies", "MODIFIED", typo_policy("web"))
        # the finding stays listed, greyed and marked resolved (the closed loop, finding_history.py)
        took = await wait_until(pilot, lambda: "NP001" not in finding_ids(app)
                                and "resolved · NetworkPolicy shop/allow-typo" in screen_text(app))
        assert took < 3.0
        assert app.state.generation > generation and app.state.followed
        assert "allow-typo" in {policy.name for policy in app.state.snapshot.policies}
        assert findings.highlighted_row.key.id == "GKE003", "the selection stays on its row"
        assert [(n.title, n.message) for n in notes] == [("Findings changed",
                                                         "NP001 resolved: NetworkPolicy shop/allow-typo")]


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


QUIT_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions

async def pilot(pilot):
    for _ in range(400):  # loaded and following, then q
        if pilot.app.state.report is not None and pilot.app.state.follow:
            break
        await pilot.pause(0.05)
    print("following" if pilot.app.state.follow else "not following", flush=True)
    await pilot.press("q")

NetpolApp(SourceOptions(kubeconfig=sys.argv[2], timeout=5), follow=True).run(headless=True, auto_pilot=pilot)
print("exited", flush=True)
"""


def test_q_while_following_exits_at_once(tmp_path, kube_api: KubeAPI) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.live.conftest import TOKEN, write_kubeconfig
    from tests.live.standin import kubeconfig

    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=TOKEN))
    root = str(Path(__file__).resolve().parents[2])
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-c", QUIT_SCRIPT, root, path], capture_output=True, text=True,
                             timeout=60, env={**os.environ, "NO_GCE_CHECK": "true"})
    assert process.returncode == 0, process.stderr
    assert process.stdout.split() == ["following", "exited"] and "Traceback" not in process.stderr
    assert time.monotonic() - started < 30
    assert watch_requests_seen(kube_api), "it was following (watch streams open) when q was pressed"


def watch_requests_seen(kube_api: KubeAPI) -> bool:
    return any("watch" in request.query for request in kube_api.requests)


@sync
async def test_the_console_follows_files_rewritten_on_disk(tmp_path) -> None:
    from tests.live.test_follow import _dump

    directory = _dump(tmp_path, "wbe")
    app = NetpolApp(SourceOptions(files=(str(directory),)), follow=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "NP001" in finding_ids(app))
        assert "following" in screen_text(app)
        _dump(tmp_path, "web", bump=5)
        took = await wait_until(pilot, lambda: "NP001" not in finding_ids(app))
        assert took < 3.0 and app.state.followed
