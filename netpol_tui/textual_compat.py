"""The Textual internals the console relies on, kept in this one module.

Checked against Textual 8.2.8: it has no public API for any of these jobs.

- `Screen._css_update_count` (`mark_styles_current`): a mode screen's first visit otherwise costs
  two whole-stylesheet reparses and restyles; no public call marks a new screen current.
- `App._handle_exception` (`CrashRecorder`): the only place an app learns which exception ended
  it. The rest of the crash path is public: `App.return_code` (1 after an unhandled error) and
  `App.error_console` (where Textual prints its traceback on exit).
- `App._modes`, `App._screen_stacks`, `App._get_screen`, `App._load_screen_css`
  (`mount_mode_screen`): a mode's screen mounted ahead, before its first visit, without showing it;
  `App._screen_stacks` (`switch_mode_at_once`): whether a mode's screen is mounted already.

Everything else uses public API. tests/console/test_textual_compat.py checks each name used here
and fails, naming this module, when a Textual upgrade moves one;
tests/architecture/test_textual_private.py keeps them out of every other module.
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from rich.console import Console
from textual.app import App
from textual.screen import Screen

from netpol_tui.text import clean

#: Exit status of a console that stopped on an unhandled error (sysexits' EX_SOFTWARE).
EXIT_CRASH = 70
DEBUG_VARIABLE = "NETPOL_TUI_DEBUG"


def mark_styles_current(screen: Screen, app: App) -> None:
    """Tell Textual that a mode screen built just now is styled with the app's current stylesheet.

    Why the internal: `App._init_mode` and `App.switch_mode` compare the new screen's
    `_css_update_count` (-1 for every new Screen) with the app's and call `App.refresh_css` when
    they differ, so a mode screen's first visit reparses the whole stylesheet and restyles the DOM
    twice. `refresh_css` is the only public code that sets the count, and only for screens
    already in the current mode's stack; installing or creating the screens up front
    (`install_screen`, `add_mode` with an installed name) leaves them at -1 all the same.
    Measured on Textual 8.2.8 (benchmarks/bench_stylesheet.py, calico demo, 200x60): 2 calls per
    first visit, each a ~30 ms reparse inside ~45 ms of refresh_css, so ~85 ms of UI-thread CPU
    per first visit (wall 2-3x that on a busy machine), against 0 with this call.

    Only for screens that add no CSS of their own (the mode screens: their CSS is in console.tcss,
    loaded at start): their widgets get the current stylesheet's styles when they mount. A theme
    change later bumps the app's count and Textual restyles as usual.
    """
    if hasattr(screen, "_css_update_count") and hasattr(app, "_css_update_count"):
        screen._css_update_count = app._css_update_count


def mount_mode_screen(app: App, mode: str) -> Screen | None:
    """Build and mount the screen of `mode` (an `add_mode` factory) without showing it, so that its
    first visit costs what a later one does; None when it is mounted already or cannot be.

    Why the internals: Textual creates a mode's screen only inside `App.switch_mode` (`_init_mode`),
    which also makes it current and posts ScreenResume to it; `install_screen` only records it,
    unmounted. This does what `_init_mode` does up to showing it: the factory's screen is
    registered (composed and mounted, its `on_mount` runs) and becomes the mode's stack, so the
    later `switch_mode` finds it and only resumes it. Measured on the 100,000-pod synthetic cluster
    (benchmarks/console.md): a first visit of Nodes paid ~25 ms of UI-thread CPU composing and
    mounting plus its rows, before the frame.
    """
    if not all(hasattr(app, name) for name in ("_modes", "_screen_stacks", "_get_screen", "_load_screen_css")):
        return None
    factory = app._modes.get(mode)
    if app._screen_stacks.get(mode) or not callable(factory) or isinstance(factory, Screen):
        return None
    screen, _ = app._get_screen(factory())
    app._screen_stacks[mode] = [screen]
    app._load_screen_css(screen)
    return screen


def switch_mode_at_once(app: App, mode: str) -> None:
    """`App.switch_mode`, without its 50 ms hold on output when `mode`'s screen is mounted already.

    Why: `switch_mode` always calls `delay_update()` (50 ms), which masks a new screen composing
    its widgets; a screen that is mounted (visited before, or mounted ahead by
    `mount_mode_screen`) shows complete at once, so the hold only delays the frame, and the frame
    rendered during it is rendered again after it (benchmarks/console.md: 50 ms of every screen
    switch's keystroke-to-frame, and a second full render). A mode not mounted yet keeps the hold.
    The internal: `_screen_stacks`, to see whether the mode's screen exists and is mounted.
    """
    stack = app._screen_stacks.get(mode) if hasattr(app, "_screen_stacks") else None
    if not stack or not stack[0].is_mounted:
        app.switch_mode(mode)
        return
    app.delay_update = _no_delay  # type: ignore[method-assign]  # this call only: the instance attribute goes below
    try:
        app.switch_mode(mode)
    finally:
        del app.delay_update


def _no_delay(delay: float = 0.05) -> None:
    """`App.delay_update` for `switch_mode_at_once`: no hold."""


class CrashRecorder:
    """App mixin: keeps the exception that ended the app in `crash`, for `crash_line`.

    Why the internal: Textual has no public hook for an unhandled exception (Textualize/textual
    issues #2818 and #5325); `App._handle_exception` is where every handler, worker and
    compose error ends up. Only the exception's name and text depend on it: if a Textual upgrade
    stops calling it, `run_guarded` still sees `return_code` 1 and prints "an unknown error".
    """

    crash: BaseException | None = None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)  # type: ignore[misc]


def crash_line(error: BaseException | None) -> str:
    """The one line a user sees when the console stopped on an internal error."""
    what = "an unknown error" if error is None else (
        f"{type(error).__name__}: {clean(str(error), 300, single_line=True)}".rstrip(": "))
    return (f"netpol-tui: the console stopped on an internal error ({what}). "
            f"Set {DEBUG_VARIABLE}=1 to see the traceback, and please report it.")


def _held_console(console: Console) -> tuple[Console, io.StringIO]:
    """A console like `console` (colours, width) that writes into a buffer instead, and the buffer."""
    buffer = io.StringIO()
    # color_system is the name of the console's colour system, one of the names Console takes
    return Console(file=buffer, markup=False, highlight=False, force_terminal=console.is_terminal,
                   color_system=console.color_system, width=console.width), buffer  # type: ignore[arg-type]


def run_guarded(app: Any, **run_options: Any) -> int:
    """Run `app` (a CrashRecorder App); an unhandled error ends it with `crash_line` on stderr and
    EXIT_CRASH, never a traceback (unless NETPOL_TUI_DEBUG is set) and never status 0.

    Textual prints what it has to say on exit (a traceback after a crash, a message given to
    `App.exit`) through the public `App.error_console`: it is held back while the app runs and
    passed on afterwards unless the app crashed.
    """
    debug = bool(os.environ.get(DEBUG_VARIABLE))
    held = None if debug else _held_console(app.error_console)
    if held is not None:
        app.error_console = held[0]
    app.run(**run_options)
    crashed = app.crash is not None or bool(app.return_code)
    if held is not None and not crashed:
        sys.stderr.write(held[1].getvalue())
    if not crashed:
        return 0
    print(crash_line(app.crash), file=sys.stderr)
    return EXIT_CRASH
