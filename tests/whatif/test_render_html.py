"""`matrix` / `diff --format html` read back as a tree: every cell and row with its verdict, the
changed mark in words, the summary numbers, hostile names only ever as text, and explain
commands that a shell parses back to exactly the argv they ask."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.html import SCRIPT
from netpol_tui.policy import PolicyEngine
from netpol_tui.shell import NOT_EXACT_WARNING, exact_text
from netpol_tui.sources.demo import load_demo
from netpol_tui.sources.files import load_files
from netpol_tui.text import clean
from netpol_tui.whatif.diff import apply_change, diff_engines
from netpol_tui.whatif.matrix import Matrix, build_matrix, explain_words
from netpol_tui.whatif.render_html import PageSource, explain_argv
from netpol_tui.whatif.wording import LETTERS
from tests.checks import hostile
from tests.whatif import hostile_cluster
from tests.whatif.html_tree import Element, parse, read_table

#: The elements and attributes our pages are made of: anything else is cluster text turned markup.
TAGS = frozenset({"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "span", "div", "table",
                  "thead", "tbody", "tr", "th", "td", "pre", "button", "em", "strong", "ul", "li", "script", "a"})
ATTRIBUTES = frozenset({"lang", "charset", "http-equiv", "content", "name", "class", "id", "type", "data-target",
                        "href"})


def _page(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, Element]:
    code = main([*argv, "--format", "html"])
    out = capsys.readouterr().out
    return code, out, parse(out)


def _tables(root: Element, css_class: str) -> list:
    return [read_table(element) for element in root.find_all("table", css_class)]


def _commands(cell: Element) -> list[str]:
    return [pre.text() for pre in cell.find_all("pre")]


def _argv(block: str) -> list[str]:
    """What bash would run: comment lines (the not-exact warning) are not words."""
    return shlex.split(block, comments=True)


def _markup_is_ours(text: str, root: Element) -> None:
    elements = list(root.iter())[1:]
    assert {element.tag for element in elements} <= TAGS, "cluster text became an element"
    ids = root.by_id()
    for element in elements:
        assert set(element.attrs) <= ATTRIBUTES, f"<{element.tag}> got {set(element.attrs) - ATTRIBUTES}"
        if "href" in element.attrs:  # only links to this page's own elements
            href = element.attrs["href"] or ""
            assert href.startswith("#") and href[1:] in ids, href
    scripts = root.find_all("script")
    assert len(scripts) == 1 and scripts[0].text() == SCRIPT
    assert len(root.find_all("style")) == 1
    for raw in ("\x1b", "\x07", "\u202e", "\u200b"):
        assert raw not in text


# ---------------------------------------------------------------------------- matrix


def _check_matrix_page(root: Element, matrix: Matrix, source: PageSource, dataplane: str = "auto") -> None:
    counts = matrix.counts()
    (summary,) = _tables(root, "counts")
    assert summary.headers == ["workloads", "flows", "allowed", "denied", "unknown"]
    assert summary.texts() == [[f"{value:,}" for value in (len(matrix.classes), counts["flows"], counts["allowed"],
                                                            counts["denied"], counts["unknown"])]]
    (grid,) = _tables(root, "grid")
    namespaces = matrix.namespaces()
    assert grid.headers == ["from \\ to", *(clean(ns, single_line=True) for ns in namespaces)]
    cells = matrix.cells()
    ids = root.by_id()
    assert len(grid.rows) == len(namespaces)
    for src, row in zip(namespaces, grid.rows, strict=True):
        assert row[0].tag == "th" and row[0].text() == clean(src, single_line=True)
        for dst, shown in zip(namespaces, row[1:], strict=True):
            cell = cells.get((src, dst))
            if cell is None:
                assert shown.text() == "." and "cell-empty" in shown.classes
                continue
            assert shown.text() == f"{LETTERS[cell.state]} {cell.allowed:,}/{cell.total:,}"
            assert f"cell-{cell.state}" in shown.classes
            # The cell links to its pair's flows, whose heading counts the same flows.
            anchor = shown.find("a").attrs["href"] or ""
            heading = ids[anchor[1:]]
            assert heading.tag == "h3" and f"{cell.allowed:,} allowed, {cell.denied:,} denied" in heading.text()
    rows = [row for table in _tables(root, "flows") for row in table.rows]
    assert len(rows) == len(matrix.flows) > 0
    expected = {(clean(f.src.label, single_line=True), clean(f.dst.label, single_line=True), str(f.port)):
                (f.verdict, explain_argv(source, f.explain_words(), dataplane)) for f in matrix.flows}
    assert len(expected) == len(matrix.flows)
    seen = set()
    for row in rows:
        key = (row[0].text(), row[1].text(), row[2].text())
        verdict, argv = expected[key]
        seen.add(key)
        assert row[3].text() == verdict and verdict in row[3].find("span").classes
        (command,) = _commands(row[5])
        if all(exact_text(word) for word in argv):
            assert _argv(command) == argv
        else:
            assert command.split("\n")[0] == NOT_EXACT_WARNING
    assert seen == set(expected)


def test_matrix_page_has_every_cell_and_flow(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, root = _page(capsys, "matrix", "--demo", "calico")
    assert code == 0
    _markup_is_ours(text, root)
    matrix = build_matrix(PolicyEngine(load_demo("calico")))
    assert matrix.counts()["flows"] >= 1000  # the separators are exercised
    _check_matrix_page(root, matrix, PageSource(words=("--demo", "calico")))


def test_matrix_page_namespace_and_dataplane_reach_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, root = _page(capsys, "matrix", "--demo", "calico", "--namespace", "shop", "--dataplane",
                          "dataplane-v2")
    assert code == 0
    matrix = build_matrix(PolicyEngine(load_demo("calico"), "dataplane-v2"), "shop")
    _check_matrix_page(root, matrix, PageSource(words=("--demo", "calico", "--namespace", "shop")), "dataplane-v2")


# ---------------------------------------------------------------------------- diff


def _check_diff_page(root: Element, diff, source: PageSource, models: tuple[str, str] | None) -> None:
    summary = _tables(root, "counts")[0]  # the first: the migration checks' section has its own
    newly_denied = [c for c in diff.changes if c.after is False]
    newly_allowed = [c for c in diff.changes if c.after]
    assert summary.texts() == [[f"{value:,}" for value in (diff.compared, len(diff.changes), len(newly_denied),
                                                            len(newly_allowed), diff.unknown)]]
    assert f"{len(diff.changes):,} flow" in root.text() and f"change of {diff.compared:,} compared" in root.text()
    lines = [li.text() for li in root.find("body").children_tagged("ul")[0].children_tagged("li")]
    assert lines == [clean(line, single_line=True) for line in diff.summary()]
    headings = {h2.text(): h2 for h2 in root.find_all("h2")}
    ids = root.by_id()
    listed = _tables(root, "flows")
    overview = [table for table in listed if table.headers[:5] == ["from", "to", "port", "before", "after"]]
    groups = [("Newly denied", newly_denied), ("Newly allowed", newly_allowed)]
    assert len(overview) == sum(1 for _, changes in groups if changes)
    for (heading, changes), table in zip([g for g in groups if g[1]], overview, strict=True):
        assert f"{heading} ({len(changes):,})" in headings
        assert len(table.rows) == len(changes)
        for change, row in zip(changes, table.rows, strict=True):
            before, after = ("allow" if change.before else "deny"), ("allow" if change.after else "deny")
            assert [cell.text() for cell in row[:5]] == [clean(change.src.label, single_line=True),
                                                         clean(change.dst.label, single_line=True),
                                                         str(change.port), before, f"{after} (changed)"]
            assert "changed" in row[4].find("span").classes and "changed" not in row[3].find("span").classes
            # The row's "why" link leads to that flow's details: both verdicts and the commands.
            detail = ids[(row[5].find("a").attrs["href"] or "")[1:]]
            assert detail.tag == "h3" and detail.text().endswith(str(change.port))
            words = explain_words(change.src, change.dst, change.port)
            wanted = ([explain_argv(source, words)] if models is None
                      else [explain_argv(source, words, models[0]), explain_argv(source, words, models[1])])
            assert _detail_commands(root, detail) == [_argv(command) for command in _texts(wanted)]


def _texts(argvs: list[list[str]]) -> list[str]:
    from netpol_tui.shell import script

    return [script(argv) for argv in argvs]


def _detail_commands(root: Element, heading: Element) -> list[list[str]]:
    """The explain commands between a change's heading and the next heading."""
    body = root.find("body").children
    elements = [child for child in body if isinstance(child, Element)]
    start = elements.index(heading) + 1
    commands = []
    for element in elements[start:]:
        if element.tag in ("h2", "h3"):
            break
        if element.tag == "table":
            verdicts = read_table(element).rows[0]
            assert verdicts[2].text().endswith("(changed)") and not verdicts[1].text().endswith("(changed)")
        commands += [_argv(pre.text()) for pre in element.find_all("pre")]
    return commands


def test_model_diff_page_rows_marks_and_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, root = _page(capsys, "diff", "--demo", "calico", "--model", "calico", "--vs", "dataplane-v2")
    assert code == 1
    _markup_is_ours(text, root)
    snapshot = load_demo("calico")
    diff = diff_engines(PolicyEngine(snapshot, "calico"), PolicyEngine(snapshot, "dataplane-v2"), "calico",
                        "dataplane-v2")
    assert diff.changes and diff.compared >= 1000
    _check_diff_page(root, diff, PageSource(words=("--demo", "calico")), ("calico", "dataplane-v2"))
    assert any(h2.text().startswith("Checks that block or change on migration") for h2 in root.find_all("h2"))


def test_change_diff_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.whatif.test_commands import ALLOW_SHOP_STORE

    manifest = tmp_path / "allow.yaml"
    manifest.write_text(ALLOW_SHOP_STORE)
    code, text, root = _page(capsys, "diff", "--demo", "calico", "--with", str(manifest))
    assert code == 1
    _markup_is_ours(text, root)
    snapshot = load_demo("calico")
    proposed = load_files([str(manifest)]).policies
    diff = diff_engines(PolicyEngine(snapshot), PolicyEngine(apply_change(snapshot, proposed)), "a", "b")
    assert diff.changes and all(change.after for change in diff.changes)
    _check_diff_page(root, diff, PageSource(words=("--demo", "calico")), None)


def test_no_change_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, root = _page(capsys, "diff", "--demo", "calico", "--model", "calico", "--vs", "calico")
    assert code == 0
    assert "No flow changes." in [p.text() for p in root.find_all("p")]
    assert not root.find_all("span", "changed")


# ---------------------------------------------------------------------------- hostile


@pytest.fixture
def hostile_files(tmp_path: Path) -> Path:
    # The folder's own name goes into every explain command too.
    return hostile_cluster.write_files(tmp_path / "files $(touch pwned) 'q' & <b>")


def _shown(text: str) -> str:
    return clean(text, single_line=True)


def test_hostile_matrix_is_text_and_commands_run_as_meant(capsys: pytest.CaptureFixture[str], hostile_files: Path,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    code, text, root = _page(capsys, "matrix", "--files", str(hostile_files))
    assert code == 0
    _markup_is_ours(text, root)
    assert "<script>window" not in text and "<img" not in text and "</td></tr></table><script>" not in text
    shown = root.find("body").text()
    for namespace in (hostile_cluster.WEB_NS, hostile_cluster.STORE_NS, hostile_cluster.OTHER_NS):
        assert _shown(namespace) in shown
    # Rich markup and entity-looking text are shown as typed, not interpreted.
    assert hostile_cluster.RICH in shown and hostile_cluster.ENTITY in shown
    matrix = build_matrix(PolicyEngine(load_files([str(hostile_files)])))
    assert {cell.state for cell in matrix.cells().values()} >= {"all", "some", "none"}
    source = PageSource(words=("--files", str(hostile_files)))
    _check_matrix_page(root, matrix, source)
    # Exact commands (no control characters in their words) run in bash as exactly that argv.
    work = tmp_path_factory.mktemp("stubs")
    exact = [explain_argv(source, f.explain_words()) for f in matrix.flows]
    exact = [argv for argv in exact if all(exact_text(word) for word in argv)]
    assert exact
    blocks = [pre.text() for pre in root.find_all("pre")]
    for argv in exact[:4]:
        (block,) = [b for b in blocks if not b.startswith("#") and _argv(b) == argv]
        calls, canary, _ = hostile.run_block(block, work)
        assert calls == [(tuple(argv), "")] and not canary


def test_hostile_diff_is_text_and_marks_changes(capsys: pytest.CaptureFixture[str], hostile_files: Path) -> None:
    code, text, root = _page(capsys, "diff", "--files", str(hostile_files), "--model", "calico", "--vs",
                             "dataplane-v2")
    assert code == 1
    _markup_is_ours(text, root)
    assert "<script>window" not in text and "<img" not in text
    snapshot = load_files([str(hostile_files)])
    diff = diff_engines(PolicyEngine(snapshot, "calico"), PolicyEngine(snapshot, "dataplane-v2"), "calico",
                        "dataplane-v2")
    assert len(diff.changes) == 2
    _check_diff_page(root, diff, PageSource(words=("--files", str(hostile_files))), ("calico", "dataplane-v2"))
    assert _shown(hostile_cluster.STORE_NS) in root.find("body").text()


# ---------------------------------------------------------------------------- numbers


def test_summaries_group_thousands_and_data_formats_do_not(capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io
    import json

    matrix = build_matrix(PolicyEngine(load_demo("calico")))
    counts = matrix.counts()
    assert counts["flows"] >= 1000 and counts["denied"] >= 1000
    grouped = (f"{counts['flows']:,} flows: {counts['allowed']:,} allowed, {counts['denied']:,} denied, "
               f"{counts['unknown']:,} unknown")
    assert "," in grouped.split(" flows")[0]
    for fmt in ("text", "markdown"):
        main(["matrix", "--demo", "calico", "--format", fmt])
        assert grouped in capsys.readouterr().out, fmt
    main(["matrix", "--demo", "calico", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["counts"] == counts  # numbers, not text
    main(["matrix", "--demo", "calico", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == counts["flows"] and all(row["port"].isdigit() for row in rows)
    snapshot = load_demo("calico")
    diff = diff_engines(PolicyEngine(snapshot, "calico"), PolicyEngine(snapshot, "dataplane-v2"), "c", "d")
    main(["diff", "--demo", "calico", "--model", "calico", "--vs", "dataplane-v2"])
    assert f"change of {diff.compared:,} compared" in capsys.readouterr().out
    main(["diff", "--demo", "calico", "--model", "calico", "--vs", "dataplane-v2", "--format", "markdown"])
    assert f"- {len(diff.changes):,} of {diff.compared:,} flows change" in capsys.readouterr().out
    main(["diff", "--demo", "calico", "--model", "calico", "--vs", "dataplane-v2", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["compared"] == diff.compared
