"""The matrix and diff pages in a real browser (Debian's chromium via Playwright, tests/browser/
conftest.py): they load with no console error and no request but their own, no script from a
hostile name runs (a trap on window.__pwned* records any), the tables read as the matrix says,
the in-page links go to their flows and the Copy buttons copy the exact explain command."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.policy import PolicyEngine
from netpol_tui.shell import exact_text
from netpol_tui.sources.files import load_files
from netpol_tui.text import clean
from netpol_tui.whatif.diff import diff_engines
from netpol_tui.whatif.matrix import build_matrix
from netpol_tui.whatif.render_html import PageSource, explain_argv
from netpol_tui.whatif.wording import LETTERS
from tests.browser.conftest import Opened
from tests.whatif import hostile_cluster


def _write(folder: Path, name: str, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main([*argv, "--format", "html"])
    (folder / name).write_text(capsys.readouterr().out, encoding="utf-8")
    return name


@pytest.fixture
def hostile_pages(served: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory,
                  capsys: pytest.CaptureFixture[str]) -> tuple[str, Path]:
    folder, base = served
    files = hostile_cluster.write_files(tmp_path_factory.mktemp("cluster") / "files $(touch pwned) 'q'")
    _write(folder, "matrix.html", capsys, "matrix", "--files", str(files))
    _write(folder, "diff.html", capsys, "diff", "--files", str(files), "--model", "calico", "--vs", "dataplane-v2")
    return base, files


def _clean_load(opened: Opened, url: str) -> None:
    assert opened.errors == []
    assert opened.requests == [url]
    assert opened.executed() == []
    assert opened.page.evaluate("document.scripts.length") == 1
    assert opened.page.locator("img").count() == 0
    # Readable on the screen: a 400-character name wraps, it does not push the tables off the side.
    assert opened.page.evaluate("document.documentElement.scrollWidth") <= opened.page.viewport_size["width"]


def test_hostile_matrix_page(open_page: Callable[[str], Opened], hostile_pages: tuple[str, Path]) -> None:
    base, files = hostile_pages
    opened = open_page(f"{base}/matrix.html")
    _clean_load(opened, f"{base}/matrix.html")
    page = opened.page
    body = page.inner_text("body")
    assert hostile_cluster.SCRIPT in body and hostile_cluster.RICH in body and hostile_cluster.ENTITY in body
    matrix = build_matrix(PolicyEngine(load_files([str(files)])))
    namespaces = matrix.namespaces()
    cells = matrix.cells()
    # The grid as a reader sees it: one row per namespace, each cell its letter and counts.
    grid = page.locator("table.grid tbody tr")
    assert grid.count() == len(namespaces)
    for index, src in enumerate(namespaces):
        row = grid.nth(index)
        assert row.locator("th").inner_text().strip() == clean(src, single_line=True)
        wanted = [f"{LETTERS[cells[(src, dst)].state]} {cells[(src, dst)].allowed}/{cells[(src, dst)].total}"
                  if (src, dst) in cells else "." for dst in namespaces]
        shown = row.locator("td")
        assert [shown.nth(i).inner_text().strip() for i in range(shown.count())] == wanted
        for i in range(shown.count()):
            box = shown.nth(i).bounding_box()
            assert box is not None and box["width"] > 5 and box["height"] > 5  # laid out, not collapsed
    # A cell's link scrolls to its pair's flows.
    link = page.locator("table.grid a").first
    anchor = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == anchor
    assert page.locator(anchor).is_visible()
    assert page.evaluate("id => { const r = document.getElementById(id).getBoundingClientRect();"
                         " return r.top >= 0 && r.top < window.innerHeight; }", anchor[1:])
    # Copy buttons put the exact, runnable explain command on the clipboard.
    source = PageSource(words=("--files", str(files)))
    exact = [argv for argv in (explain_argv(source, flow.explain_words()) for flow in matrix.flows)
             if all(exact_text(word) for word in argv)]
    buttons = page.locator("button.copy")
    assert buttons.count() == len(matrix.flows)
    blocks = page.locator("pre")
    warned = [i for i in range(blocks.count()) if blocks.nth(i).text_content().startswith("# WARNING")]
    plain = [i for i in range(blocks.count()) if i not in warned]
    assert warned and plain  # the control-character namespace's commands carry shell.py's warning
    copied = []
    for index in [*plain[:4], warned[0]]:
        button = buttons.nth(index)
        button.click()
        page.wait_for_function("b => b.textContent !== 'Copy'", arg=button.element_handle())
        assert button.inner_text() == "Copied"
        text = page.evaluate("navigator.clipboard.readText()")
        target = button.get_attribute("data-target")
        assert text == page.locator(f"#{target}").text_content()
        copied.append(shlex.split(text, comments=True))
    assert all(argv in exact for argv in copied[:-1])
    assert opened.errors == [] and opened.executed() == []


def test_hostile_diff_page(open_page: Callable[[str], Opened], hostile_pages: tuple[str, Path]) -> None:
    base, files = hostile_pages
    opened = open_page(f"{base}/diff.html")
    _clean_load(opened, f"{base}/diff.html")
    page = opened.page
    snapshot = load_files([str(files)])
    diff = diff_engines(PolicyEngine(snapshot, "calico"), PolicyEngine(snapshot, "dataplane-v2"), "calico",
                        "dataplane-v2")
    assert diff.changes
    counts = page.locator("table.counts").first.locator("tbody td")
    assert [counts.nth(i).inner_text() for i in range(counts.count())] == \
        [str(diff.compared), str(len(diff.changes)), str(len(diff.changes)), "0", "0"]
    rows = page.locator("table.flows").first.locator("tbody tr")
    assert rows.count() == len(diff.changes)
    for index, change in enumerate(diff.changes):
        cells = rows.nth(index).locator("td")
        assert cells.nth(0).inner_text() == clean(change.src.label, single_line=True)
        assert cells.nth(3).inner_text() == "allow" and cells.nth(4).inner_text() == "deny (changed)"
    # "why" goes to the change's details, whose Copy buttons give the before and after commands.
    why = rows.nth(0).locator("a")
    anchor = why.get_attribute("href")
    why.click()
    assert page.evaluate("location.hash") == anchor
    assert page.locator(anchor).is_visible()
    change = diff.changes[0]
    source = PageSource(words=("--files", str(files)))
    buttons = page.locator("button.copy")
    copied = []
    for index in range(2):
        buttons.nth(index).click()
        page.wait_for_function("b => b.textContent !== 'Copy'", arg=buttons.nth(index).element_handle())
        copied.append(shlex.split(page.evaluate("navigator.clipboard.readText()"), comments=True))
    from netpol_tui.whatif.matrix import explain_words

    words = explain_words(change.src, change.dst, change.port)
    wanted = [explain_argv(source, words, "calico"), explain_argv(source, words, "dataplane-v2")]
    if all(exact_text(word) for argv in wanted for word in argv):
        assert copied == wanted
    assert opened.errors == [] and opened.executed() == []


def test_demo_pages_load_clean(open_page: Callable[[str], Opened], served: tuple[Path, str],
                               capsys: pytest.CaptureFixture[str]) -> None:
    folder, base = served
    pages = [_write(folder, "matrix.html", capsys, "matrix", "--demo", "calico"),
             _write(folder, "diff.html", capsys, "diff", "--demo", "calico", "--model", "calico", "--vs",
                    "dataplane-v2")]
    for name in pages:
        opened = open_page(f"{base}/{name}")
        _clean_load(opened, f"{base}/{name}")
        assert opened.page.locator("table").count() > 2
