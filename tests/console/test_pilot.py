"""Pilot tests: walk each screen's main path like a user, on the fixture clusters."""

from __future__ import annotations

import re
from pathlib import Path

from netpol_tui.dialogs.copy_fallback import CopyFallbackDialog
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.dialogs.finding import FindingDialog
from netpol_tui.dialogs.keys import KeysDialog
from netpol_tui.dialogs.yaml_view import YamlDialog
from netpol_tui.widgets.banner import Banner
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import (
    capture_driver,
    copied,
    make_app,
    record_notifications,
    screen_text,
    settle,
    sync,
)


@sync
async def test_status_shows_enforcement_findings_and_opens_and_copies_a_finding(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "acme-shop / europe-west1 / shop-prod" in text
        assert "Calico (legacy datapath)" in text
        assert "partly: on 10 of 12 nodes" in text
        assert "Findings  6 errors · 5 warnings · 2 info · 0 unknown" in text
        findings = app.screen.query_one("#findings", VirtualList)
        assert findings.highlighted_row.key.id == "GKE003"
        written = capture_driver(app)
        notes = record_notifications(app)
        await pilot.press("c")
        await settle(pilot)
        expected = ("gcloud container clusters upgrade shop-prod --node-pool=batch-pool "
                    "--cluster-version=1.21.3-gke.2000 --location=europe-west1 --project=acme-shop")
        assert copied(written) == [expected]
        assert any("Copied GKE003 command" in n.message for n in notes)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog)
        text = screen_text(app)
        assert "GKE003 nodes-not-enforcing" in text and "Remediation" in text
        await pilot.press("2")
        assert isinstance(app.screen, FindingDialog), "no mode switch under an open dialog"
        await pilot.press("down", "c")
        await settle(pilot)
        assert len(copied(written)) == 2
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "status-screen"


@sync
async def test_nodes_screen_shows_recreation_progress_and_copies_the_pool_upgrade(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(app)
        assert "Enabling enforcement: nodes must gain projectcalico.org/ds-ready=true" in text
        assert "10/12" in text and "batch-pool" in text
        assert "ETA ~60 min at 2.0 nodes/hour" in text
        assert "operation-1732100400000-upgrade" in text
        assert "Ready,SchedulingDisabled" in text
        nodes = app.screen.query_one("#nodes", VirtualList)
        assert nodes.row_count == 12
        written = capture_driver(app)
        await pilot.press("c")
        await settle(pilot)
        assert copied(written)[0].startswith("gcloud container clusters upgrade shop-prod --node-pool=batch-pool")
        await pilot.press("slash", *"default")
        await settle(pilot)
        assert nodes.row_count == 4
        await pilot.press("escape")
        await settle(pilot)
        assert nodes.row_count == 12 and nodes.has_focus
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, YamlDialog)
        assert "kind: Node" in app.screen.yaml_text
        assert f"name: {nodes.highlighted_row.key.name}" in app.screen.yaml_text


@sync
async def test_policies_filter_selection_details_and_near_miss(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        objects = app.screen.query_one("#objects", VirtualList)
        assert objects.total_count == 8 + 8 + 3 + 28  # namespaces, policies, Services, pods
        await pilot.press("slash", *"pod store")
        await settle(pilot)
        assert objects.row_count == 2
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settle(pilot)
        text = screen_text(app)
        assert "Pod shop/store-5c6d-pq1rs" in text
        assert "Policies selecting this pod (1)" in text and "default-deny-ingress" in text
        assert "allow-store-from-web" in text and "near miss" in text
        assert "needs app=stor, pod has app=store" in text
        await pilot.press("escape")
        await pilot.press("slash", *"pol stor")
        await pilot.pause(0.1)
        await settle(pilot)
        text = screen_text(app)
        assert "PodSelector:     app=stor" in text
        assert "Allowing ingress traffic:" in text and "Not affecting egress traffic" in text
        assert "Selects 0 live pods" in text


@sync
async def test_explain_form_gives_the_verdict_and_the_deciding_rule(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3", "slash", *"db-0", "enter")
        await pilot.pause(0.1)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        assert dialog.query_one("#explain-to").value == "payments/db-0"
        assert dialog.query_one("#explain-port").value == "5432"
        await pilot.press(*"payments/api-6f7b-zz1aa", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "ALLOWED" in text
        assert "allow-api-to-db" in text and "api-egress-db" in text
        written = capture_driver(app)
        await pilot.press("ctrl+y")
        await settle(pilot)
        (explanation,) = copied(written)
        assert "is ALLOWED" in explanation
        assert "netpol-tui explain --from payments/api-6f7b-zz1aa --to payments/db-0 --port 5432" in explanation
        dialog.query_one("#explain-from").value = "shop/web-7d9f8-abcde"
        await pilot.click("#explain-go")
        await settle(pilot)
        assert "DENIED" in screen_text(app)
        dialog.query_one("#explain-from").value = "shop/nope"
        await pilot.click("#explain-go")
        await settle(pilot)
        assert "shop/nope" in screen_text(app)


@sync
async def test_explain_shows_calico_and_dataplane_v2_disagreeing(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        app.screen.action_explain()
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#explain-from").value = "legacy/legacy-app-aa"
        dialog.query_one("#explain-to").value = "data/etl-4f5g-hh1jj"
        dialog.query_one("#explain-port").value = "8080"
        dialog.action_explain()
        await settle(pilot)
        text = screen_text(app)
        assert "Calico and Dataplane V2 disagree on this traffic" in text


@sync
async def test_known_issues_and_runbooks(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        text = screen_text(app)
        assert re.search(r"affected\s+KI001", text) and re.search(r"affected\s+KI002", text)
        assert re.search(r"not affected\s+KI003", text)
        assert "This cluster: AFFECTED" in text and "1.21.4-gke.1500" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingDialog) and app.screen.finding.id == "KI001"
        await pilot.press("escape", "5")
        await settle(pilot)
        text = screen_text(app)
        assert "▶ next     4. Wait for node recreation" in text
        written = capture_driver(app)
        await pilot.press("tab", "down", "c")
        await settle(pilot)
        waits = copied(written)[-1]
        assert waits.startswith("netpol-tui check --files ") and waits.endswith(" --until-clean --select GKE003 --wait 2h")
        await pilot.press("down", "down", "c")
        await settle(pilot)
        assert copied(written)[-1].startswith("gcloud container clusters upgrade shop-prod --node-pool=batch-pool")


@sync
async def test_command_line_keys_theme_palette_and_back(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"no", "enter")
        await settle(pilot)
        assert app.current_mode == "nodes"
        await pilot.press("colon", *"rb", "enter")
        await settle(pilot)
        assert app.current_mode == "runbooks"
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "nodes"
        notes = record_notifications(app)
        await pilot.press("colon", *"bogus", "enter")
        await settle(pilot)
        assert any("Unknown command 'bogus'" in n.message for n in notes)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, KeysDialog)
        text = screen_text(app)
        assert "copy the manual upgrade command" in text and "Go to Status" in text
        await pilot.press("escape", "t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "textual-dark"
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Go to Status", "Go to Known issues", "Reload", "Toggle light/dark theme", "Filter"} <= set(commands)
        await pilot.click("#tab-policies")
        await settle(pilot)
        assert app.current_mode == "policies"


@sync
async def test_copy_falls_back_to_a_dialog_when_the_terminal_cannot(calico_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
    app = make_app(calico_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        written = capture_driver(app)
        await pilot.press("c")
        await settle(pilot)
        assert len(copied(written)) == 1, "OSC 52 is sent anyway"
        assert isinstance(app.screen, CopyFallbackDialog)
        assert "macOS Terminal" in screen_text(app)
        assert app.screen.query_one("#copy-text").text.startswith("gcloud container clusters upgrade")


@sync
async def test_reload_reads_the_source_again(calico_dir: Path) -> None:
    calls = []

    def loader(options, progress):
        from tests.console import cluster_fixture

        calls.append(1)
        progress("pods.json", 1, 2)
        return cluster_fixture.load(calico_dir)

    app = make_app(calico_dir, loader)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = app.state.snapshot
        await pilot.press("r")
        await settle(pilot)
        assert len(calls) == 2 and app.state.snapshot is not first and app.state.report is not None


@sync
async def test_loading_shows_progress_before_the_first_snapshot(calico_dir: Path) -> None:
    import threading

    from tests.console import cluster_fixture

    release = threading.Event()

    def loader(options, progress):
        progress("pods.json", 3, 9)
        release.wait(10)
        return cluster_fixture.load(calico_dir)

    app = make_app(calico_dir, loader)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if "pods.json" in app.screen.query_one(Banner).plain:
                break
        assert "Loading /tmp/" in app.screen.query_one(Banner).plain
        assert "pods.json (3/9)" in app.screen.query_one(Banner).plain
        release.set()
        await settle(pilot)
        assert "Loading" not in app.screen.query_one(Banner).plain


@sync
async def test_keys_typed_in_a_burst_after_slash_and_colon_land_in_the_prompt(calico_dir: Path) -> None:
    """tmux send-keys, a paste or a fast typist deliver keys before any refresh happens."""
    from textual import events

    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        for char in "/store":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await settle(pilot)
        assert app.screen.query_one("#objects-filter").value == "store"
        assert app.theme == "textual-dark" and app.screen.id == "policies-screen", "t and e were not bindings"
        app.post_message(events.Key("escape", None))
        for char in ":no":
            app.post_message(events.Key("colon" if char == ":" else char, char))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert app.current_mode == "nodes"
