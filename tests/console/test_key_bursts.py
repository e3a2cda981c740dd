"""Keys that arrive in one burst (tmux send-keys, a paste, a fast typist, a script).

The driver posts every key of one terminal read before any of them is handled, and the app
forwards each key to the widget focused at that moment. These tests post a whole burst at once
(as the driver does) instead of `pilot.press`, which waits for each key to be handled.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from netpol_tui.dialogs.explain import ExplainDialog
from tests.console.helpers import make_app, settle, sync

NAMED = {"/": "slash", ":": "colon", "\t": "tab", "\r": "enter"}
FORM_ORDER = ["explain-from", "explain-to", "explain-port", "explain-protocol", "explain-dataplane", "explain-go"]


def burst(app, *parts: str) -> None:
    """Post every key at once; a part is either a key name ("tab", "shift+tab") or text to type."""
    for part in parts:
        if part in ("tab", "shift+tab", "enter", "escape"):
            app.post_message(events.Key(part, {"tab": "\t", "enter": "\r"}.get(part)))
            continue
        for char in part:
            app.post_message(events.Key(NAMED.get(char, char), char))


async def open_explain(pilot) -> ExplainDialog:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExplainDialog)
    assert pilot.app.focused.id == "explain-from"
    return dialog


def values(dialog: ExplainDialog) -> tuple[str, str, str]:
    return tuple(dialog.query_one(f"#explain-{name}", Input).value for name in ("from", "to", "port"))


@sync
async def test_tab_in_a_burst_moves_to_the_next_field_before_the_following_keys(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_explain(pilot)
        burst(app, "shop/svc/web", "tab", "tab", "80")
        await settle(pilot)
        assert values(dialog) == ("shop/svc/web", "", "80")
        assert app.focused.id == "explain-port"
        burst(app, "shift+tab", "payments/db-0", "tab", "5432", "enter")
        await settle(pilot)
        assert values(dialog) == ("shop/svc/web", "payments/db-0", "5432")
        assert dialog.request is not None and dialog.request.port == "5432"


@sync
async def test_explain_form_tab_order_both_ways(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_explain(pilot)
        seen = [app.focused.id]
        for _ in FORM_ORDER[1:]:
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == FORM_ORDER
        back = [app.focused.id]
        for _ in FORM_ORDER[1:]:
            await pilot.press("shift+tab")
            back.append(app.focused.id)
        assert back == FORM_ORDER[::-1]
        burst(app, *["tab"] * 5)
        await settle(pilot)
        assert app.focused.id == "explain-go"


@sync
async def test_bursts_after_slash_and_colon_still_land_in_the_prompt(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        burst(app, "/shop/svc/web")
        await settle(pilot)
        assert app.screen.query_one("#objects-filter", Input).value == "shop/svc/web"
        assert app.focused.id == "objects-filter"
        burst(app, "tab", "80")
        await settle(pilot)
        assert app.screen.query_one("#objects-filter", Input).value == "shop/svc/web", "Tab left the filter at once"
        assert app.focused.id != "objects-filter"
        burst(app, ":no", "enter")
        await settle(pilot)
        assert app.current_mode == "nodes"
        burst(app, ":pol", "tab", "x")
        await settle(pilot)
        assert app.screen.query_one("#command-line", Input).value == "pol"
        assert app.focused.id != "command-line"


class Editor(ModalScreen[None]):
    """A text area that indents with Tab: the app must hand Tab back to it."""

    def compose(self) -> ComposeResult:
        yield TextArea("x", tab_behavior="indent", id="editor")
        yield Input(id="after")


@sync
async def test_tab_is_handed_back_to_a_text_area_that_indents_with_it(calico_dir: Path) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(Editor())
        await pilot.pause()
        editor = app.screen.query_one("#editor", TextArea)
        editor.focus()
        await pilot.pause()
        burst(app, "tab")
        await settle(pilot)
        assert app.focused is editor
        assert "\t" in editor.text or editor.text.startswith(" ")
