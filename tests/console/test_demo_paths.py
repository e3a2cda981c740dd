"""Pilot tests: each screen's main path on the real bundled demos (`netpol-tui --demo`).

test_pilot.py walks the same paths on the fixture cluster; these make sure what a user sees on
first launch carries the problems planted in the demo (netpol_tui/demo/__init__.py). Copied text
is compared with the Report, not with guesses, and no age or date is asserted (the demo's
capture time may move).
"""

from __future__ import annotations

import re
from typing import Any

from netpol_tui.app import NetpolApp
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.dialogs.finding import FindingDialog
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.banner import Banner
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import capture_driver, copied, record_notifications, screen_text, settle, sync

SIZE = (120, 40)
def line_with(text: str, start: str) -> str:
    """The first screen line whose stripped text starts with `start` (progress bars sit between label and count)."""
    for line in text.splitlines():
        if line.strip().startswith(start):
            return line
    raise AssertionError(f"no line starting with {start!r} in:\n{text}")


def finding(app: Any, check: str, name: str) -> Any:
    """The Report's finding for a check and subject name: the source of truth for copied text."""
    matches = [f for f in app.state.report.findings if f.id == check and f.subject.name == name]
    assert len(matches) == 1, f"expected one {check} finding for {name}, got {matches}"
    return matches[0]


def no_error_banner(app: Any) -> bool:
    """No load or check error, and the banner of the screen under any open dialog says none either."""
    return app.state.errors == {} and "failed" not in app.screen_stack[0].query_one(Banner).plain


@sync
async def test_calico_status_opens_gke003_and_copies_its_first_command() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "acme-shop-prod / europe-west1 /" in text and "shop-prod" in text
        assert "Calico (legacy datapath)" in text
        assert "partly: on 11 of 13 nodes" in text
        assert re.search(r"error\s+GKE003\s+NodePool highmem-pool", text)
        gke003 = finding(app, "GKE003", "highmem-pool")
        expected = gke003.remediation.commands[0].text
        assert expected.startswith("gcloud container clusters upgrade shop-prod --node-pool=highmem-pool")
        assert "--project=acme-shop-prod" in expected

        findings = app.screen.query_one("#findings", VirtualList)
        assert findings.highlighted_row.key.id == "GKE003", "the first error is highlighted on launch"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog) and app.screen.finding.id == "GKE003"
        text = screen_text(app)
        assert "GKE003 nodes-not-enforcing" in text and "NodePool highmem-pool" in text
        assert "absent (Ready,SchedulingDisabled)" in text, "the cordoned unlabelled node is evidence"
        assert "data/postgres-2, data/redis-2" in text, "the unprotected pods are named"

        written = capture_driver(app)
        notes = record_notifications(app)
        await pilot.press("c")
        await settle(pilot)
        assert copied(written) == [expected]
        assert any(n.title == "Copied" and "OSC 52" in n.message for n in notes)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "status-screen"
        await pilot.press("c")
        await settle(pilot)
        assert copied(written) == [expected, expected], "c on the list copies the same fix"
        assert no_error_banner(app)


@sync
async def test_calico_nodes_show_recreation_progress_of_highmem_pool() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "Enabling enforcement: nodes must gain projectcalico.org/ds-ready=true" in text
        assert "11/13" in line_with(text, "overall")
        assert "2/4" in line_with(text, "highmem-pool ")
        assert "6/6" in line_with(text, "default-pool ") and "3/3" in line_with(text, "batch-pool ")
        assert re.search(r"UPGRADE_NODES\s+highmem-pool", text)
        assert app.screen.query_one("#nodes", VirtualList).row_count == 13
        unlabelled = [line.split()[0] for line in text.splitlines() if re.search(r"\smissing\s", line)]
        assert unlabelled == ["gke-shop-prod-highmem-pool-6548ccb2-62cb", "gke-shop-prod-highmem-pool-cfd3365e-m9cr"]
        assert no_error_banner(app)


@sync
async def test_calico_policies_filter_store_shows_the_app_stor_near_miss_and_explain_denies() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        objects = app.screen.query_one("#objects", VirtualList)
        total = objects.total_count
        await pilot.press("slash", *"store", "enter")
        await settle(pilot)
        assert objects.filter_text == "store" and 0 < objects.row_count < total
        for _ in range(objects.row_count):
            kind, item = objects.highlighted_row.key
            if kind == "pod" and item.namespace == "shop" and item.name.startswith("store-"):
                break
            await pilot.press("down")
        else:
            raise AssertionError("no shop/store-* pod under the filter 'store'")
        pod = objects.highlighted_row.key[1]
        await pilot.pause(0.1)
        await settle(pilot)
        text = screen_text(app)
        assert f"Pod shop/{pod.name}" in text
        assert "Policies selecting this pod (1)" in text and "default-deny-ingress" in text
        assert re.search(r"allow-store-from-web\s+near miss", text)
        assert "needs app=stor, pod has app=store" in text
        assert "one character" in text and "away from 'stor'" in text  # the hint may wrap in the pane

        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        assert dialog.query_one("#explain-to").value == f"shop/{pod.name}"
        await pilot.press(*"shop/svc/web")
        dialog.query_one("#explain-port").value = "80"
        await pilot.click("#explain-go")
        await settle(pilot)
        text = screen_text(app)
        assert "DENIED" in text and "ALLOWED" not in text
        assert f"to shop/{pod.name}" in text and "on TCP port 80 is DENIED" in text
        assert "via Service shop/web" in text
        assert "isolated by shop/default-deny-ingress" in text

        written = capture_driver(app)
        await pilot.press("ctrl+y")
        await settle(pilot)
        (explanation,) = copied(written)
        assert "is DENIED" in explanation and "shop/default-deny-ingress" in explanation
        assert f"--to shop/{pod.name}" in explanation and "--port 80" in explanation
        assert no_error_banner(app)


@sync
async def test_calico_known_issues_and_runbooks() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        text = screen_text(app)
        assert re.search(r"affected\s+KI001", text) and re.search(r"affected\s+KI002", text)
        assert re.search(r"not affected\s+KI003", text)
        assert "This cluster: AFFECTED" in text and "1.21.3-gke.2000" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog) and app.screen.finding.id == "KI001"
        await pilot.press("escape", "5")
        await settle(pilot)
        text = screen_text(app)
        assert re.search(r"\d/4\s+Enable enforcement", text)
        assert re.search(r"▶ next\s+4\. Wait for node recreation", text)
        assert re.search(r"✓ done\s+3\. Enable enforcement on the nodes", text)
        assert "recreate the nodes of highmem-pool now (2/4 done)" in text
        assert no_error_banner(app)


@sync
async def test_dataplane_v2_status_shows_autopilot_and_gke009() -> None:
    app = NetpolApp(SourceOptions(demo="dataplane-v2"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "acme-web-prod / us-central1 /" in text and "web-autopilot" in text
        assert "Autopilot, RUNNING" in text and "Autopilot (GKE Dataplane V2)" in text
        assert "yes, on every node" in text
        assert re.search(r"warning\s+GKE009\s+NetworkPolicy media/allow-rtp", text)
        assert "GKE003" not in text and "Calico" not in line_with(text, "Dataplane")
        findings = app.screen.query_one("#findings", VirtualList)
        ids = {findings.row_at(i).key.id for i in range(findings.row_count)}
        assert ids == {"GKE008", "GKE009", "GKE011", "GKE021", "GKE026"}
        assert no_error_banner(app)
