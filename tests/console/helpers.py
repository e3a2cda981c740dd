"""Test helpers: run the console on a fixture cluster and read the screen as text."""

from __future__ import annotations

import base64
import contextlib
import html
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.cells import cell_len

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from tests.console import cluster_fixture

ESC = "\x1b"


_SVG_TEXT = re.compile(r'<text class="[^"]*-r\d+" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
                       r'clip-path="url\(#[^"]*-line-(\d+)\)">(.*?)</text>', re.S)


def screen_text(app: Any) -> str:
    """The current frame as plain text (what a user would read), like `tmux capture-pane -p`.

    Read from Textual's public SVG screenshot: each `<text>` is one run of cells starting at
    column x / cell width of its line. Escape sequences and controls in a run are kept (they
    would have reached the terminal), so tests can look for them.
    """
    runs = [(float(x), float(length), int(line), html.unescape(content).replace("\xa0", " "))
            for x, length, line, content in _SVG_TEXT.findall(app.export_screenshot())]
    cell_width = next((length / cell_len(text) for _, length, _, text in runs if cell_len(text)), 1.0)
    lines: dict[int, list[str]] = {}
    used: dict[int, int] = {}
    for x, _, line, text in runs:
        column = round(x / cell_width)
        parts = lines.setdefault(line, [])
        parts.append(" " * max(0, column - used.get(line, 0)))
        parts.append(text)
        used[line] = max(used.get(line, 0), column) + cell_len(text)
    return "\n".join("".join(lines.get(index, ())).rstrip() for index in range(app.size.height)) + "\n"


def make_app(directory: Path, loader: Callable[..., Any] | None = None) -> NetpolApp:
    """The console on a fixture directory, loaded through the files source with the fixed capture time."""
    options = SourceOptions(files=(str(directory),))
    return NetpolApp(options, loader=loader or (lambda opts, progress: cluster_fixture.load(directory, progress)))


async def settle(pilot: Any, rounds: int = 2) -> None:
    """Wait until workers finished (failed ones included) and their messages were handled."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(rounds):
        for worker in list(pilot.app.workers):
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
        await pilot.pause()
    await pilot.pause(0.05)


def sync(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run an async pilot test with asyncio.run (the test extras carry no asyncio plugin)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(test(*args, **kwargs))

    return wrapper


OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def capture_driver(app: Any) -> list[str]:
    """The OSC 52 sequences the app sends from now on, one per copy, as Textual writes them to
    the terminal (recorded at the public `App.copy_to_clipboard`, not at the driver)."""
    from netpol_tui.clipboard import osc52_sequence

    written: list[str] = []
    original = app.copy_to_clipboard

    def copy_to_clipboard(text: str) -> None:
        written.append(osc52_sequence(text))
        original(text)

    app.copy_to_clipboard = copy_to_clipboard
    return written


def copied(written: list[str]) -> list[str]:
    """The decoded payload of every OSC 52 copy written so far."""
    return [base64.b64decode(match).decode() for data in written for match in OSC52.findall(data)]


def record_copies(app: Any) -> list[str]:
    """Every text the app sends to the clipboard from now on (through the public copy method)."""
    sent: list[str] = []
    original = app.copy_to_clipboard

    def copy_to_clipboard(text: str) -> None:
        sent.append(text)
        original(text)

    app.copy_to_clipboard = copy_to_clipboard
    return sent


def record_notifications(app: Any) -> list[SimpleNamespace]:
    """Every notification from now on (`.message`, `.title`, `.severity`, `.markup`), recorded at
    the public `App.notify` (widgets and screens notify through the app)."""
    shown: list[SimpleNamespace] = []
    original = app.notify

    def notify(message: str, **options: Any) -> None:
        shown.append(SimpleNamespace(message=message, title=options.get("title", ""),
                                     severity=options.get("severity", "information"),
                                     markup=options.get("markup", True)))
        original(message, **options)

    app.notify = notify
    return shown
