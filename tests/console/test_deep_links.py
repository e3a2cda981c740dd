"""Deep links (issue 16 item 2): `--pod`, `--policy`, `--screen` and `--explain` open the console at
a place. Each test goes through `main()` (the real parser and checks), catches what it would hand
to the console, and runs that console headless on the demo."""

from __future__ import annotations

import pytest

from netpol_tui import app as app_module
from netpol_tui.app import NetpolApp
from netpol_tui.cli import main
from netpol_tui.deeplink import StartAt
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.modes import MODE_NAMES, SCREEN_ALIASES
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import record_notifications, screen_text, settle, sync

SIZE = (120, 40)
POD = "shop/web-s4hnjkv8d5-ddrwj"
STORE = "shop/store-gbgnzj6pdm-bh6f6"
POLICY = "data/allow-postgres-from-apps"


def console_for(monkeypatch: pytest.MonkeyPatch, *argv: str) -> NetpolApp:
    """The app `netpol-tui ARGV` would run (run_console is caught before it goes full screen)."""
    handed: dict[str, object] = {}

    def fake_run_console(options, theme="textual-dark", flow_paths=(), start=None):
        handed.update(options=options, start=start)
        return 0

    monkeypatch.setattr(app_module, "run_console", fake_run_console)
    assert main(list(argv)) == 0
    app = NetpolApp(handed["options"], start=handed["start"])
    app.shown_notices = record_notifications(app)
    return app


def selected(app: NetpolApp) -> tuple[str, str, str]:
    kind, obj = app.screen.query_one("#objects", VirtualList).highlighted_row.key
    return kind, obj.namespace, obj.name


def notices(app: NetpolApp) -> list[str]:
    return [notice.message for notice in app.shown_notices]


@sync
async def test_pod_opens_policies_with_that_pod_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--pod", POD)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "policies"
        assert selected(app) == ("pod", *POD.split("/"))
        assert app.focused is app.screen.query_one("#objects", VirtualList)
        detail = str(app.screen.query_one("#detail").render())
        assert "web-s4hnjkv8d5-ddrwj" in screen_text(app) and detail
        assert app.trail.here.ref.label == f"pod {POD}"  # where Esc comes back to from a Go to
        assert not notices(app)


@sync
async def test_pod_name_alone_takes_the_namespace_option(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "-n", "shop", "--pod", POD.split("/")[1])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert selected(app) == ("pod", *POD.split("/"))


@sync
async def test_policy_opens_policies_with_that_policy_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--policy", POLICY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "policies"
        assert selected(app) == ("pol", *POLICY.split("/"))
        assert "allow-postgres-from-apps" in screen_text(app)


@sync
async def test_a_name_not_in_the_snapshot_opens_the_screen_with_a_notice_and_closest_names(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--pod", "shop/web")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "policies"
        [notice] = notices(app)
        assert notice.startswith("pod shop/web is not in the snapshot. Did you mean shop/web-s4hnjkv8d5-")
        assert "shop/web-s4hnjkv8d5-ddrwj" in notice
        assert [(notice.severity, notice.markup) for notice in app.shown_notices] == [("warning", False)]
    app = console_for(monkeypatch, "--demo", "--policy", "dta/allow-postgres-from-apps")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [notice] = notices(app)
        assert notice.startswith("policy dta/allow-postgres-from-apps is not in the snapshot. "
                                 "Did you mean data/allow-postgres-from-apps")
    app = console_for(monkeypatch, "--demo", "--policy", "shop/zzzz")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert notices(app) == ["policy shop/zzzz is not in the snapshot."]


@pytest.mark.parametrize("word", [*MODE_NAMES, "netpol", "pods", "known", "whatif"])
@sync
async def test_screen_opens_that_screen(monkeypatch: pytest.MonkeyPatch, word: str) -> None:
    app = console_for(monkeypatch, "--demo", "--screen", word)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == SCREEN_ALIASES[word]
        assert app.screen.id == f"{SCREEN_ALIASES[word]}-screen"
        assert not notices(app)
        await pilot.press("escape")  # the start screen is the first place: nothing to go back to
        assert app.current_mode == SCREEN_ALIASES[word]


@sync
async def test_explain_fills_the_form_and_shows_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--explain", POD, STORE, "8080")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        values = [dialog.query_one(f"#explain-{name}").value for name in ("from", "to", "port")]
        assert values == [POD, STORE, "8080"]
        [verdict] = dialog.result["verdicts"]
        assert verdict.allowed is False
        text = screen_text(app)
        assert "DENIED" in text and "default-deny-ingress" in text
        await pilot.press("escape")
        assert app.current_mode == "policies" and not app.screen.is_modal


@sync
async def test_explain_with_an_unknown_pod_shows_did_you_mean_in_the_form(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--explain", POD, "shop/store", "8080")  # a Deployment name
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog) and dialog.result is None
        text = screen_text(app)
        assert "Did you mean (To)" in text and "shop/store-gbgnzj6pdm-" in text


@sync
async def test_explain_on_top_of_a_selected_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--pod", STORE, "--explain", POD, STORE, "8080")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, ExplainDialog) and app.screen.result is not None
        await pilot.press("escape")
        await settle(pilot)
        assert selected(app) == ("pod", *STORE.split("/"))


def test_no_start_option_opens_status(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo")
    assert app.start == StartAt()


BAD = [
    (["--pod", "shop"], "--pod 'shop': expected NAMESPACE/NAME (or NAME with --namespace)"),
    (["--pod", "a/b/c"], "--pod 'a/b/c': expected NAMESPACE/NAME (or NAME with --namespace)"),
    (["--policy", "/x"], "--policy '/x': expected NAMESPACE/NAME, KIND/NAMESPACE/NAME (KIND: netpol, fqdn, cnp), "
                         "ccnp/NAME or NAME"),
    (["--pod", "shop/we b"], "--pod 'shop/we b': expected NAMESPACE/NAME (or NAME with --namespace)"),
    (["--screen", "polcies"], "--screen 'polcies': no such screen (did you mean policies?); choose "
                              "from status, nodes, policies, issues, runbooks, matrix, flows"),
    (["--screen", "zz"], "--screen 'zz': no such screen; choose from status, nodes, policies, issues, runbooks, "
                         "matrix, flows"),
    (["--explain", "a/b", "c/d", "99999"], "--explain PORT: port 99999 is outside 1-65535"),
    (["--explain", "a/b", "c/d", "http"], "--explain PORT: not a port number: 'http'"),
    (["--explain", "a/\x1b[2Jb", "c/d", "80"], "--explain FROM 'a/\\x1b[2Jb': expected NAMESPACE/POD, an IP or "
                                                "NAMESPACE/svc/NAME"),
    (["--pod", "a/b", "--policy", "c/d"], "choose one object to select: --pod or --policy, not both"),
    (["--pod", "a/b", "--screen", "nodes"], "--pod opens the Policies screen; it does not go with --screen nodes"),
    (["--screen", "nodes", "check"], "--screen opens the console; it does not go with the check command"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(argv) for argv, _ in BAD])
def test_bad_values_exit_2_with_one_line_before_the_console(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str],
                                                           argv: list[str], message: str) -> None:
    def no_console(*args, **kwargs):
        raise AssertionError("the console opened")

    monkeypatch.setattr(app_module, "run_console", no_console)
    assert main(["--demo", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"netpol-tui: {message}\n" and not captured.out


@sync
async def test_explain_opens_over_the_screen_given(monkeypatch: pytest.MonkeyPatch) -> None:
    app = console_for(monkeypatch, "--demo", "--screen", "matrix", "--explain", "shop/svc/web", "shop/svc/store", "80")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, ExplainDialog)
        assert {verdict.allowed for verdict in app.screen.result["verdicts"]} == {False}
        await pilot.press("escape")
        assert app.current_mode == "matrix"
