"""The Flows screen (7, :flows) on the Dataplane V2 demo's own flow records, and empty with the
reason on Calico and without a flow source."""

from __future__ import annotations

import shlex

from netpol_tui.app import NetpolApp
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.flows import compare_flows
from netpol_tui.model.gke_logging import NO_POLICY_LOGS
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.demo import demo_flow_paths, demo_path
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import record_copies, screen_text, settle, sync

SIZE = (140, 48)


def _statuses(groups: VirtualList) -> list[tuple[str, str]]:
    return [(row.cells[0], row.cells[1]) for row in (groups.row_at(i) for i in range(groups.row_count)) if row]


@sync
async def test_groups_toggles_explain_copy_and_go_to_the_denying_policy() -> None:
    app = NetpolApp(SourceOptions(demo="dataplane-v2"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot, 3)
        assert app.screen.id == "flows-screen"
        expected = compare_flows(app.state.snapshot, app.state.engine, list(demo_flow_paths("dataplane-v2")))
        counts = expected.counts()
        text = screen_text(app)
        assert f"{expected.records:,} flow records" in text and f"{counts['disagrees']} disagree" in text
        groups = app.screen.query_one("#flows-groups", VirtualList)
        assert groups.row_count == len(expected.groups) == 12
        rows = _statuses(groups)
        assert [observed for _, observed in rows] == sorted((o for _, o in rows), key=lambda o: o != "deny"), \
            "denied first"
        assert {status for status, _ in rows} == {"agrees", "disagrees", "unknown", "not logged"}
        # the first group: storefront -> api 8080 denied by api's policies (GKE011), its why below
        first = groups.highlighted_row
        assert "storefront" in first.cells[3] and "api" in first.cells[4] and first.cells[5] == "8080/TCP"
        assert "why denied: peer 0 of ingress rule 0 of policy api/allow-internal" in text
        # c copies the explain command of the group, with the demo as its source
        sent = record_copies(app)
        await pilot.press("c")
        await settle(pilot)
        words = shlex.split(sent[-1])
        assert words[:4] == ["netpol-tui", "explain", "--demo", "dataplane-v2"]
        assert words[words.index("--port") + 1] == "8080" and words[words.index("--to") + 1].startswith("api/")
        # Enter: the Explain form, filled in
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplainDialog)
        assert app.screen.defaults == (words[words.index("--from") + 1], words[words.index("--to") + 1], "8080")
        await pilot.press("escape")
        await settle(pilot)
        # toggles: disagreements only, then denied only on top (an intersection)
        await pilot.press("x")
        await settle(pilot)
        assert {status for status, _ in _statuses(groups)} == {"disagrees"} and groups.row_count == 6
        await pilot.press("d")
        await settle(pilot)
        assert _statuses(groups) == [("disagrees", "deny")] * 2
        await pilot.press("x", "d")
        await settle(pilot)
        assert groups.row_count == 12
        # / filters the groups
        await pilot.press("slash", *"rtp-relay", "enter")
        await settle(pilot)
        assert groups.row_count == 1 and groups.highlighted_row.cells[5] == "10050/UDP"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplainDialog) and app.screen.protocol_default == "UDP"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert groups.row_count == 12 and "rtp-relay" in groups.highlighted_row.cells[4], "the group stays chosen"
        await pilot.press("home")
        await settle(pilot)
        # g: to the denying policy on the Policies screen
        await pilot.press("g")
        await settle(pilot, 3)
        assert app.screen.id == "policies-screen"
        kind, policy = app.screen.query_one("#objects", VirtualList).highlighted_row.key
        # of the two isolating policies, the one whose rule came close (the ipBlock to fix)
        assert kind == "pol" and (policy.namespace, policy.name) == ("api", "allow-internal")


@sync
async def test_command_and_calico_reason() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"flows", "enter")
        await settle(pilot, 3)
        assert app.screen.id == "flows-screen"
        text = " ".join(screen_text(app).split())
        assert " ".join(NO_POLICY_LOGS.split()) in text and "Hubble is not available" in text
        assert app.screen.query_one("#flows-groups", VirtualList).row_count == 0


@sync
async def test_no_flow_source_says_how_to_turn_logging_on() -> None:
    app = NetpolApp(SourceOptions(files=(str(demo_path("dataplane-v2")),)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot, 3)
        text = " ".join(screen_text(app).split())
        assert "No flow source was given: start the console with --flows PATH" in text
        assert "network policy logging: deny logging on, allow logging on" in text
        assert "spec.cluster.deny.log: true" in text


@sync
async def test_flow_paths_given_to_the_console_are_read() -> None:
    paths = demo_flow_paths("dataplane-v2")[1:]  # the Hubble lines only
    app = NetpolApp(SourceOptions(files=(str(demo_path("dataplane-v2")),)), flow_paths=paths)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot, 3)
        groups = app.screen.query_one("#flows-groups", VirtualList)
        report = app.screen.report
        assert groups.row_count == 2 and {group.kind for group in report.groups} == {"hubble"}
        words = shlex.split(app.screen.copy_target()[0])
        assert words[2:4] == ["--files", str(demo_path("dataplane-v2"))]


def test_go_target_allowing_policy_then_the_deciding_pod() -> None:
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.screens.flows import go_target
    from netpol_tui.sources.demo import load_demo

    snapshot = load_demo("dataplane-v2")
    report = compare_flows(snapshot, PolicyEngine(snapshot, "auto"), list(demo_flow_paths("dataplane-v2")))
    dns = next(g for g in report.groups if g.port == 53)
    assert go_target(report, dns, snapshot) == ("NetworkPolicy", "web", "allow-dns-and-metadata")
    unknown = next(g for g in report.groups if g.status == "unknown")
    assert go_target(report, unknown, snapshot)[0] == "Pod"  # nothing decided: the destination pod
    assert go_target(report, unknown, snapshot)[1] == "api"
