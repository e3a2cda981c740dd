"""Test helpers: run the console on a fixture cluster and read the screen as text."""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from netpol_tui.app import NetpolApp
from netpol_tui.sources import SourceOptions
from tests.console import cluster_fixture

ESC = "\x1b"


def screen_text(app: Any) -> str:
    """The current frame as plain text (what a user would read), like `tmux capture-pane -p`."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None,
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def make_app(directory: Path, loader: Callable[..., Any] | None = None) -> NetpolApp:
    """The console on a fixture directory, loaded through the files source with the fixed capture time."""
    options = SourceOptions(files=(str(directory),))
    return NetpolApp(options, loader=loader or (lambda opts, progress: cluster_fixture.load(directory, progress)))


async def settle(pilot: Any, rounds: int = 2) -> None:
    """Wait until workers finished (failed ones included) and their messages were handled."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(rounds):
        for worker in list(pilot.app.workers):
            if worker.name == "watch":  # the live node watch runs until the app exits
                continue
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
    """Everything the app writes to the terminal from now on (OSC 52 copies among it)."""
    written: list[str] = []
    original = app._driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    app._driver.write = write
    return written


def copied(written: list[str]) -> list[str]:
    """The decoded payload of every OSC 52 copy written so far."""
    return [base64.b64decode(match).decode() for data in written for match in OSC52.findall(data)]
