"""What the browser tests share: Debian's chromium driven by Playwright (no browser download),
a folder served on 127.0.0.1, and a page opener that records console errors and requests.

Every test here skips, with the reason, when chromium or Playwright is missing (.ci/run
installs both: `apt-get install chromium`, `pip install -e '.[test]'`).
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: As the workplace's probe starts it: headless, and no background traffic to Google's hosts.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Set before any of the page's own scripts run: a hostile name's script, if one ever ran, would
#: find these and say so (window.__pwned* is what every hostile test string sets).
TRAP = """
window.__executed = [];
for (const name of ["__pwned", "__pwned1", "__pwned2", "__pwned3"]) {
  Object.defineProperty(window, name, {configurable: true,
    get() { return undefined; }, set(value) { window.__executed.push(name + "=" + value); }});
}
window.alert = window.prompt = window.confirm = function (m) { window.__executed.push("dialog " + m); };
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Opened:
    """A loaded page with what it logged and asked for."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def executed(self) -> list[str]:
        """What hostile text managed to run (the trap's record): must stay empty."""
        return self.page.evaluate("window.__executed")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served on 127.0.0.1 (a secure context, so the page may use the clipboard API)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser: Any) -> Callable[[str], Opened]:
    """Open a URL in a fresh context (clipboard allowed, the script trap set), wait for load."""

    def opener(url: str) -> Opened:
        context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
        context.add_init_script(TRAP)
        opened = Opened(context.new_page())
        opened.page.on("request", lambda request: opened.requests.append(request.url))
        opened.page.on("console", lambda message: opened.errors.append(message.text)
                       if message.type == "error" else None)
        opened.page.on("pageerror", lambda error: opened.errors.append(str(error)))
        opened.page.on("dialog", lambda dialog: (opened.errors.append(f"dialog {dialog.message}"), dialog.dismiss()))
        opened.page.goto(url)
        opened.page.wait_for_load_state("load")
        return opened

    return opener
