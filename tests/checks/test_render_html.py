"""`check --format html`: one self-contained page, cluster text only ever as text, and every
copy block runs exactly as the fix it shows (the same stubs as the shell-safety test)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from netpol_tui.checks import CATALOG, run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.render_html import render_html
from netpol_tui.cli import main
from netpol_tui.html import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from tests.checks import hostile
from tests.checks.html_page import ATTRIBUTES, TAGS, hostile_report, read_page


def _markup_is_ours(text: str) -> None:
    page = read_page(text)
    assert {tag for tag, _ in page.tags} <= TAGS, "cluster text became an element"
    for tag, attributes in page.tags:
        assert set(attributes) <= ATTRIBUTES, f"<{tag}> got attributes {set(attributes) - ATTRIBUTES}"
    assert [tag for tag, _ in page.tags].count("script") == 1 and [t for t, _ in page.tags].count("style") == 1
    # No attribute can load anything (src/href are not in ATTRIBUTES), nor can the style sheet.
    assert not re.search(r"(?i)url\(|@import", STYLE) and "fetch(" not in SCRIPT and "XMLHttpRequest" not in SCRIPT


def test_hostile_strings_are_text_not_markup() -> None:
    text = render_html(hostile_report())
    _markup_is_ours(text)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in text
    assert "\\u202e" in text and "]52;" not in text  # bidi shown visibly, escape sequences removed, as elsewhere


def test_the_page_allows_only_its_own_style_and_script() -> None:
    text = render_html(hostile_report())
    assert f'content="{CONTENT_SECURITY_POLICY}"' in text
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert text.count("<style>") == 1 and text.count("<script>") == 1


def test_summary_unknown_and_sections() -> None:
    text = render_html(hostile_report())
    assert "UNKNOWN: 1 of 2 checks could not decide" in text
    assert "GKE003: because &lt;script&gt;" in text
    assert '<h2 class="warning">Warnings (1)</h2>' in text
    page = read_page(text)
    assert len(page.buttons) == 2 and set(page.buttons) == set(page.blocks)  # the command and the manifest


def test_no_findings_says_so() -> None:
    from netpol_tui.checks.model import Report

    text = render_html(Report(findings=(), unknown=(), dataplane="dataplane-v2", cluster="c", checked=("NP001",)))
    assert "No problems found." in text


@pytest.mark.parametrize("check_id", [spec.id for spec in CATALOG])
def test_copy_blocks_run_exactly_as_the_fix(check_id: str, tmp_path: Path) -> None:
    snapshot = hostile.hostile_case(check_id)
    report = run_checks(snapshot, select=check_id)
    findings = [finding for finding in report.findings if finding.id == check_id]
    assert findings
    text = render_html(replace(report, findings=tuple(findings)), EnforcementState.from_snapshot(snapshot))
    _markup_is_ours(text)
    blocks = list(read_page(text).blocks.values())
    for finding in findings:
        for command in finding.remediation.commands:
            expected = [(command.argv, command.stdin or "")]
            matching = [block for block in blocks if hostile.run_block(block, tmp_path)[0] == expected]
            assert matching, f"{check_id}: no copy block runs {command.argv}"
            calls, canary, _ = hostile.run_block(matching[0], tmp_path)
            assert not canary


def test_cli_writes_the_page_for_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--format", "html"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    _markup_is_ours(out)
    assert "<h2>Enforcement</h2>" in out and "Errors (" in out


def test_fleet_refuses_html(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--contexts", "a,b", "--format", "html"]) == 2
    assert "not html" in capsys.readouterr().err
