"""The Textual internals of netpol_tui/textual_compat.py still work, and a console crash exits
non-zero with one line. A failure here after a Textual upgrade means: update textual_compat.py."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen

from netpol_tui import textual_compat
from netpol_tui.screens.status import StatusScreen
from tests.console.helpers import make_app, settle, sync

UPGRADE = "Textual moved an internal that netpol_tui/textual_compat.py uses: update that module"


def test_the_private_names_textual_compat_uses_still_exist() -> None:
    handler = getattr(App, "_handle_exception", None)
    assert callable(handler), UPGRADE
    assert list(inspect.signature(handler).parameters) == ["self", "error"], UPGRADE
    assert isinstance(App()._css_update_count, int), UPGRADE
    assert isinstance(Screen()._css_update_count, int), UPGRADE


@sync
async def test_a_new_mode_screen_does_not_reparse_the_stylesheet(calico_dir: Path, monkeypatch) -> None:
    app = make_app(calico_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        calls: list[int] = []
        original = app.refresh_css
        monkeypatch.setattr(app, "refresh_css", lambda *args, **kwargs: (calls.append(1), original(*args, **kwargs)))
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.id == "nodes-screen"
        assert calls == [], UPGRADE


def _crashing_app(calico_dir: Path, monkeypatch: pytest.MonkeyPatch, message: str):
    def show_state(self, state, previous) -> None:
        raise ValueError(message)

    monkeypatch.setattr(StatusScreen, "show_state", show_state)
    return make_app(calico_dir)


def test_a_crash_exits_non_zero_with_one_line_and_no_traceback(calico_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv(textual_compat.DEBUG_VARIABLE, raising=False)
    app = _crashing_app(calico_dir, monkeypatch, "pool hp[/oops] \x1b]52;c;ZXZpbA==\x07 broke it")
    assert textual_compat.run_guarded(app, headless=True, size=(100, 30)) == textual_compat.EXIT_CRASH
    out, err = capsys.readouterr()
    assert err.count("\n") == 1, err
    assert "internal error (ValueError: pool hp[/oops] broke it)" in err
    assert "NETPOL_TUI_DEBUG=1" in err
    assert "Traceback" not in out + err and "\x1b]52" not in out + err
    assert isinstance(app.crash, ValueError)


def test_debug_keeps_the_traceback_and_the_exit_status(calico_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(textual_compat.DEBUG_VARIABLE, "1")
    app = _crashing_app(calico_dir, monkeypatch, "boom")
    assert textual_compat.run_guarded(app, headless=True, size=(100, 30)) == textual_compat.EXIT_CRASH
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError" in err and "boom" in err
    assert err.rstrip("\n").splitlines()[-1].startswith("netpol-tui: the console stopped on an internal error")


def test_a_textual_that_stops_calling_the_hook_still_exits_with_one_line(calico_dir: Path, monkeypatch,
                                                                         capsys) -> None:
    """Only the exception's name depends on `_handle_exception`: without it the line says "an
    unknown error", and the status and the missing traceback come from public API."""
    from netpol_tui.app import NetpolApp

    monkeypatch.delenv(textual_compat.DEBUG_VARIABLE, raising=False)
    monkeypatch.setattr(NetpolApp, "_handle_exception", App._handle_exception)
    app = _crashing_app(calico_dir, monkeypatch, "unseen")
    assert textual_compat.run_guarded(app, headless=True, size=(100, 30)) == textual_compat.EXIT_CRASH
    out, err = capsys.readouterr()
    assert app.crash is None
    assert err == textual_compat.crash_line(None) + "\n"
    assert "Traceback" not in out + err and "unseen" not in out + err


def test_a_normal_quit_exits_zero_and_an_exit_message_still_prints(calico_dir: Path, capsys) -> None:
    async def quit_after_load(pilot) -> None:
        await settle(pilot)
        await pilot.press("q")

    app = make_app(calico_dir)
    assert textual_compat.run_guarded(app, headless=True, size=(100, 30), auto_pilot=quit_after_load) == 0
    assert app.crash is None
    assert capsys.readouterr().err == ""

    async def exit_with_message(pilot) -> None:
        await settle(pilot)
        pilot.app.exit(message="bye from netpol-tui")

    app = make_app(calico_dir)
    assert textual_compat.run_guarded(app, headless=True, size=(100, 30), auto_pilot=exit_with_message) == 0
    assert "bye from netpol-tui" in capsys.readouterr().err


def test_the_cli_exits_non_zero_when_the_console_crashes(calico_dir: Path, monkeypatch, capsys) -> None:
    """`netpol-tui --files DIR` itself: the status is the crash's, not 0 (as it was)."""
    from netpol_tui.app import NetpolApp
    from netpol_tui.cli import main

    monkeypatch.delenv(textual_compat.DEBUG_VARIABLE, raising=False)
    _crashing_app(calico_dir, monkeypatch, "render failed")
    monkeypatch.setattr(NetpolApp, "run", lambda self, **options: App.run(self, headless=True, size=(100, 30)))
    assert main(["--files", str(calico_dir)]) == textual_compat.EXIT_CRASH
    err = capsys.readouterr().err
    assert err.startswith("netpol-tui: the console stopped on an internal error (ValueError: render failed)")
    assert err.count("\n") == 1
