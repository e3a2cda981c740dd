"""The two Textual internals the console relies on, kept in this one module.

Checked against Textual 8.2.8: it has no public API for either job.

- `Screen._css_update_count` (`mark_styles_current`): a mode screen's first visit otherwise costs
  two whole-stylesheet reparses and restyles; no public call marks a new screen current.
- `App._handle_exception` (`CrashRecorder`): the only place an app learns which exception ended
  it. The rest of the crash path is public: `App.return_code` (1 after an unhandled error) and
  `App.error_console` (where Textual prints its traceback on exit).

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
