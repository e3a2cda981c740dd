"""The HTML report in a real browser: Debian's chromium driven by Playwright (no browser download).

The page must load with no console error (a wrong CSP hash would show here) and no request but
its own, hostile cluster text must show as text, and each Copy button must put exactly the
runnable block on the clipboard — which then runs as meant in bash with recording stubs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.render_html import render_html
from tests.browser.conftest import Opened
from tests.checks import hostile
from tests.checks.html_page import hostile_report


def test_hostile_report_loads_clean_and_shows_text(open_page: Callable[[str], Opened],
                                                   served: tuple[Path, str]) -> None:
    folder, base = served
    (folder / "report.html").write_text(render_html(hostile_report()), encoding="utf-8")
    opened = open_page(f"{base}/report.html")
    page, requests, errors = opened.page, opened.requests, opened.errors
    assert errors == [] and opened.executed() == []
    assert requests == [f"{base}/report.html"]
    body = page.inner_text("body")
    assert "<script>alert(1)</script>" in body and '<img src="https://evil.example/x.png"' in body
    assert page.locator("img").count() == 0 and page.locator("a").count() == 0
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("window.__pwned === undefined")


@pytest.mark.parametrize("check_id", ["GKE008", "NP001", "GKE003"])
def test_copy_buttons_copy_the_exact_block(check_id: str, open_page: Callable[[str], Opened],
                                           served: tuple[Path, str],
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    folder, base = served
    snapshot = hostile.hostile_case(check_id)
    report = run_checks(snapshot, select=check_id)
    commands = [command for finding in report.findings if finding.id == check_id
                for command in finding.remediation.commands]
    assert commands
    (folder / "report.html").write_text(render_html(report, EnforcementState.from_snapshot(snapshot)),
                                        encoding="utf-8")
    opened = open_page(f"{base}/report.html")
    page, requests, errors = opened.page, opened.requests, opened.errors
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
