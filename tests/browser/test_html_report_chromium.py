"""The HTML report in a real browser: Debian's chromium driven by Playwright (no browser download).

The page must load with no console error (a wrong CSP hash would show here) and no request but
its own, hostile cluster text must show as text, and each Copy button must put exactly the
runnable block on the clipboard — which then runs as meant in bash with recording stubs.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.render_html import render_html
from tests.checks import hostile
from tests.checks.html_page import hostile_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: "
                                                         "apt-get install chromium)")
#: As the workplace's probe starts it: headless, and no background traffic to Google's hosts.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: object, url: str) -> tuple[object, list[str], list[str]]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, requests, errors


def test_hostile_report_loads_clean_and_shows_text(browser: object, served: tuple[Path, str]) -> None:
    folder, base = served
    (folder / "report.html").write_text(render_html(hostile_report()), encoding="utf-8")
    page, requests, errors = _open(browser, f"{base}/report.html")
    assert errors == []
    assert requests == [f"{base}/report.html"]
    body = page.inner_text("body")
    assert "<script>alert(1)</script>" in body and '<img src="https://evil.example/x.png"' in body
    assert page.locator("img").count() == 0 and page.locator("a").count() == 0
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("window.__pwned === undefined")


@pytest.mark.parametrize("check_id", ["GKE008", "NP001", "GKE003"])
def test_copy_buttons_copy_the_exact_block(check_id: str, browser: object, served: tuple[Path, str],
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    folder, base = served
    snapshot = hostile.hostile_case(check_id)
    report = run_checks(snapshot, select=check_id)
    commands = [command for finding in report.findings if finding.id == check_id
                for command in finding.remediation.commands]
    assert commands
    (folder / "report.html").write_text(render_html(report, EnforcementState.from_snapshot(snapshot)),
                                        encoding="utf-8")
    page, requests, errors = _open(browser, f"{base}/report.html")
    copied: list[str] = []
    buttons = page.locator("button.copy")
    for index in range(buttons.count()):
        buttons.nth(index).click()
        page.wait_for_function("b => b.textContent !== 'Copy'", arg=buttons.nth(index).element_handle())
        assert buttons.nth(index).inner_text() == "Copied"
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    assert errors == [] and requests == [f"{base}/report.html"]
    work = tmp_path_factory.mktemp("stubs")
    for command in commands:
        expected = [(command.argv, command.stdin or "")]
        runs = [hostile.run_block(text, work) for text in copied]
        assert any(calls == expected and not canary for calls, canary, _ in runs), \
            f"no Copy button put a block that runs {command.argv}"
