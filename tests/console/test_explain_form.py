"""The Explain form (issue 12 item 5): visible focus, completion, did-you-mean choices, stale
marker, multi-pair summary, `e` prefill, the last query kept, PgUp/PgDn."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from netpol_tui.app import NetpolApp
from netpol_tui.dialogs.explain import ExplainDialog
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.completion import CompletionList, EndpointCompleter
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import make_app, screen_text, settle, sync

SIZE = (120, 40)


def test_completer_prefix_substring_and_recent() -> None:
    completer = EndpointCompleter(["shop/", "shop/web-1", "shop/svc/web", "data/db-0", "shop/store-1"],
                                  recent=["payments/api-0"])
    assert [value for value, _ in completer.complete("shop/s")] == ["shop/store-1", "shop/svc/web"]
    assert completer.complete("db")[0] == ("data/db-0", "")
    assert completer.complete("")[0] == ("payments/api-0", "recent")
    assert completer.complete("shop/web-1") == [], "what is typed is not offered again"


async def _open(pilot, keys: tuple[str, ...] = ()) -> ExplainDialog:
    await settle(pilot)
    await pilot.press("3", *keys)
    await pilot.pause(0.1)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExplainDialog)
    return dialog


@sync
async def test_focus_is_named_and_digits_on_the_protocol_list_go_to_the_port(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        assert app.focused.id == "explain-from"
        assert dialog.query_one("#explain-from-label").has_class("-focused")
        assert "▶ From:" in screen_text(app)
        await pilot.press("tab", "tab", "tab")
        assert app.focused.id == "explain-protocol"
        assert "▶ Protocol: a list" in screen_text(app)
        assert not any(label.has_class("-focused") for label in dialog.query(".explain-label"))
        await pilot.press(*"443")
        await pilot.pause()
        assert dialog.query_one("#explain-port", Input).value == "443"
        assert app.focused.id == "explain-port"


@sync
async def test_completion_offers_services_and_enter_takes_the_chosen_one(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await pilot.press(*"shop/svc/")
        await settle(pilot)
        completions = dialog.query_one(CompletionList)
        assert completions.display and "shop/svc/web" in completions.values
        assert all(value.startswith("shop/svc/") for value in completions.values)
        await pilot.press(*"we")
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert dialog.query_one("#explain-from", Input).value == "shop/svc/web"
        assert dialog.request is None, "Enter on a completion fills the field and explains nothing yet"
        await pilot.press("tab", *"pay")
        await settle(pilot)
        assert "payments/" in completions.values, "namespaces complete too"


@sync
async def test_did_you_mean_is_selectable_and_a_changed_input_marks_the_answer_stale(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await pilot.press(*"shop/web", "tab", *"payments/db-0", "tab", *"5432", "enter")
        await settle(pilot)
        completions = dialog.query_one(CompletionList)
        assert app.focused.id == "explain-from" and completions.display
        assert str(completions.border_title).startswith("Did you mean (From)")
        assert "shop/web-7d9f8-abcde" in completions.values
        first = completions.values[0]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert dialog.query_one("#explain-from", Input).value == first
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.result is not None
        stale = dialog.query_one("#explain-stale", Static)
        assert not stale.display
        await pilot.press("tab", "tab", "backspace")
        await pilot.pause()
        assert stale.display and "STALE" in screen_text(app)
        assert dialog.query_one("#explain-result").has_class("-stale")
        await pilot.press(*"2", "enter")
        await settle(pilot)
        assert not stale.display, "explaining again clears the mark"


@sync
async def test_service_to_service_is_summed_up_and_grouped_by_reason() -> None:
    app = NetpolApp(SourceOptions(demo="calico"))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot)
        await pilot.press(*"shop/svc/web", "tab", *"shop/svc/store", "tab", *"80", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "9 pod pairs: 0 allowed, 9 denied; same reason for all" in text
        assert "All pairs: DENIED for 9 pairs" in text
        assert text.count("The first of them in full") == 1, "one full explanation, not nine"
        result = dialog.query_one("#explain-result")
        assert result.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert result.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert result.scroll_y == 0


@sync
async def test_e_prefills_from_pod_service_and_policy_and_the_last_query_is_kept(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _open(pilot, ("slash", *"svc shop web", "enter"))
        assert dialog.query_one("#explain-to", Input).value == "shop/svc/web"
        assert dialog.query_one("#explain-port", Input).value == "80"
        await pilot.press("escape")
        dialog = await _open(pilot, ("escape", "slash", *"pol allow-api-to-db", "enter"))
        to = dialog.query_one("#explain-to", Input).value
        assert to == "payments/db-0", "a policy's first selected live pod"
        assert dialog.query_one("#explain-port", Input).value == "5432", "the port its ingress rule names"
        await pilot.press(*"shop/web-7d9f8-abcde", "enter")
        await settle(pilot)
        assert dialog.result is not None
        await pilot.press("escape")
        await pilot.press("escape")  # clear the filter
        objects = app.screen.query_one("#objects", VirtualList)
        objects.cursor = 0  # a namespace row: nothing to prefill, so the last question comes back
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExplainDialog)
        assert (dialog.query_one("#explain-from", Input).value, dialog.query_one("#explain-to", Input).value) == \
            ("shop/web-7d9f8-abcde", to)
        await pilot.press("escape")
        dialog = await _open(pilot, ("slash", *"pod db-0", "enter"))
        assert dialog.query_one("#explain-to", Input).value == "payments/db-0", "the selection wins for To"
        assert dialog.query_one("#explain-from", Input).value == "shop/web-7d9f8-abcde", "From is the last one"
