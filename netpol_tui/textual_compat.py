"""The two Textual internals the console relies on, kept in this one module.

Textual has no public API for either: knowing which exception ended an app (to exit non-zero
with one line instead of its traceback), and telling Textual that a new screen's styles are
already current (to skip a stylesheet reparse on a screen's first visit). Everything else uses
public API. tests/console/test_textual_compat.py checks each name used here and fails, naming
this module, when a Textual upgrade moves one.
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
    """A new screen otherwise makes Textual reparse the whole stylesheet on its first visit
    (~35 ms). Only for screens that add no CSS of their own (the mode screens: their CSS is in
    console.tcss, loaded at start), which are as current as the app's stylesheet."""
    if hasattr(screen, "_css_update_count") and hasattr(app, "_css_update_count"):
        screen._css_update_count = app._css_update_count


class CrashRecorder:
    """App mixin: keeps the exception that ended the app in `crash` (Textual's only hook for an
    unhandled exception is the private `_handle_exception`, which then prints a traceback)."""

    crash: BaseException | None = None

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        if not os.environ.get(DEBUG_VARIABLE):
            # Textual prints the traceback through `error_console` as the app closes; only after a
            # crash does it go nowhere (a message given to `App.exit` still prints).
            self.error_console = Console(file=io.StringIO(), markup=False, highlight=False)
        super()._handle_exception(error)  # type: ignore[misc]


def crash_line(error: BaseException | None) -> str:
    """The one line a user sees when the console stopped on an internal error."""
    what = "an unknown error" if error is None else (
        f"{type(error).__name__}: {clean(str(error), 300, single_line=True)}".rstrip(": "))
    return (f"netpol-tui: the console stopped on an internal error ({what}). "
            f"Set {DEBUG_VARIABLE}=1 to see the traceback, and please report it.")


def run_guarded(app: Any, **run_options: Any) -> int:
    """Run `app` (a CrashRecorder App); an unhandled error ends it with `crash_line` on stderr and
    EXIT_CRASH, never a traceback (unless NETPOL_TUI_DEBUG is set) and never status 0."""
    app.run(**run_options)
    if app.crash is None and not app.return_code:
        return 0
    print(crash_line(app.crash), file=sys.stderr)
    return EXIT_CRASH
