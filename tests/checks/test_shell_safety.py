"""Every command netpol-tui prints or copies runs exactly as meant, whatever the names in the snapshot.

For every check in the catalog, fire it on its fixture with hostile names (tests/checks/hostile.py)
and run in bash as a script (the text format's block, `c`'s copy and the runbook commands also
pasted into an interactive bash on a terminal), with `kubectl`, `gcloud` and `netpol-tui`
replaced by recording stubs: each printed Fix block (text and Markdown formats), each block the console copies for the finding
(the finding dialog's items, `c` on the Status and Issues lists), and each runbook step's
command. The argv each stub receives must be the command's own argv, its stdin the manifest,
and nothing else may run (no canary file, no other invocation).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netpol_tui.checks import CATALOG, Report, run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.model import Finding
from netpol_tui.checks.render import render_markdown, render_text
from netpol_tui.dialogs.finding import remediation_items
from netpol_tui.runbooks import build_runbooks
from netpol_tui.screens.views import first_copyable
from netpol_tui.shell import NOT_EXACT_WARNING, apply, heredoc_delimiter, script
from netpol_tui.text import clean
from tests.checks import hostile
from tests.checks.hostile import is_hostile, run_block, run_pasted

#: Checks whose commands take no value from the snapshot (their fixes list objects cluster-wide, or
#: name the one cluster-scoped object, NetworkLogging `default`).
VALUE_FREE = {"NP002", "GKE017"}


def _expected(finding: Finding) -> list[tuple[tuple[str, ...], str]]:
    return [(command.argv, command.stdin or "") for command in finding.remediation.commands]


def _report(finding: Finding) -> Report:
    return Report(findings=(finding,), unknown=(), dataplane="calico", cluster=None, source="test",
                  checked=(finding.id,))


def _text_fix_block(finding: Finding) -> str:
    """The lines under `  Fix:` in the text format, exactly as printed."""
    lines = render_text(_report(finding)).split("\n")
    start = lines.index("  Fix:") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith(("  Replace before running",
                                                                             "  Manifest ("))), len(lines))
    return "\n".join(lines[start:end]).rstrip("\n")


def _markdown_fix_block(finding: Finding) -> str:
    """The fenced `sh` block after **Fix** in the Markdown format."""
    lines = render_markdown(_report(finding)).split("\n")
    start = lines.index("**Fix**") + 2
    fence = lines[start]
    assert fence.startswith("```") and fence.endswith("sh"), fence
    width = len(fence) - 2
    # CommonMark: the block ends at the first line of at least as many backticks (indented up to 3 spaces).
    end = next(i for i in range(start + 1, len(lines))
               if re.fullmatch(rf" {{0,3}}`{{{width},}}[ \t]*", lines[i]))
    return "\n".join(lines[start + 1:end])


def _assert_runs_as(text: str, expected: list[tuple[tuple[str, ...], str]], folder: Path, what: str, *,
                    pasted: bool = False) -> None:
    """As a script; with `pasted`, also pasted into an interactive bash on a terminal (slower)."""
    calls, canary, stderr = run_block(text, folder)
    assert not canary, f"{what}: something besides the stubs ran\n{text}\n{stderr}"
    assert calls == expected, f"{what}:\n{text}\nstderr: {stderr}"
    if not pasted:
        return
    calls, canary = run_pasted(text, folder)
    assert not canary, f"{what}, pasted: something besides the stubs ran\n{text}"
    assert calls == expected, f"{what}, pasted:\n{text}"


@pytest.mark.parametrize("check_id", [spec.id for spec in CATALOG])
def test_printed_and_copied_commands_run_exactly_as_meant(check_id: str, tmp_path: Path) -> None:
    snapshot = hostile.hostile_case(check_id)
    report = run_checks(snapshot, select=check_id)
    findings = [finding for finding in report.findings if finding.id == check_id]
    assert findings, f"{check_id} did not fire on its hostile fixture: {report.unknown}"
    words = [word for finding in findings for command in finding.remediation.commands
             for word in (*command.argv, command.stdin or "")]
    if check_id in VALUE_FREE:
        assert words and not any(is_hostile(word) for word in words)
    else:
        assert any(is_hostile(word) for word in words), f"{check_id}: no hostile name reached a command"
    for finding in findings:
        expected = _expected(finding)
        assert expected, f"{check_id} prints no command"
        _assert_runs_as(_text_fix_block(finding), expected, tmp_path, f"{check_id} text format", pasted=True)
        _assert_runs_as(_markdown_fix_block(finding), expected, tmp_path, f"{check_id} markdown format")
        items = remediation_items(finding)
        assert [text for _, text, _ in items][:len(expected)] == [c.script for c in finding.remediation.commands]
        for (_, text, _), call in zip(items, expected, strict=False):
            # What reaches the clipboard: the app cleans the text first (netpol_tui/dialogs/requests.py).
            _assert_runs_as(clean(text), [call], tmp_path, f"{check_id} finding dialog copy")
        copied = first_copyable(finding)
        assert copied is not None
        _assert_runs_as(clean(copied[0]), expected[:1], tmp_path, f"{check_id} `c` on the Status list", pasted=True)


@pytest.mark.parametrize("check_id", [spec.id for spec in CATALOG])
def test_runbook_steps_run_exactly_as_meant(check_id: str, tmp_path: Path) -> None:
    snapshot = hostile.hostile_case(check_id)
    enforcement = EnforcementState.from_snapshot(snapshot)
    runbooks = build_runbooks(snapshot, enforcement, run_checks(snapshot))
    commands = [command for runbook in runbooks for step in runbook.steps for command in step.commands]
    assert commands
    # One bash run for all of them: each block ends its own command, so the calls line up one to one.
    block = "\n".join(clean(command.text) for command in commands)
    _assert_runs_as(block, [(command.argv, command.stdin or "") for command in commands], tmp_path,
                    f"{check_id} runbook steps", pasted=True)


def test_nodes_screen_pool_commands_run_exactly_as_meant(tmp_path: Path) -> None:
    from netpol_tui.runbooks import recreation_progress

    snapshot = hostile.hostile_case("GKE003")
    progress = recreation_progress(snapshot, EnforcementState.from_snapshot(snapshot))
    pools = [pool for pool in progress.pools if pool.command]
    assert pools and all(any(is_hostile(word) for word in pool.argv) for pool in pools)
    for pool in pools:
        _assert_runs_as(clean(pool.command), [(pool.argv, "")], tmp_path, "Nodes screen upgrade command")


def test_heredoc_terminator_never_occurs_in_the_manifest(tmp_path: Path) -> None:
    manifest = "a: 1\nEOF\nEOF_2\n  EOF_3\nb: |\n  $(touch pwned) `touch pwned` \\\n"
    assert heredoc_delimiter(manifest) == "EOF_4"
    assert heredoc_delimiter("a: 1\nEOF\x1b\n\u202eEOF_2 \n") == "EOF_3"
    command = apply(manifest)
    assert command.script.splitlines()[0] == "kubectl apply -f - <<'EOF_4'"
    _assert_runs_as(command.script, [(command.argv, manifest)], tmp_path, "heredoc with EOF lines")


def test_quoting_is_posix_and_keeps_plain_words_readable() -> None:
    assert script(("kubectl", "-n", "shop", "get", "pods")) == "kubectl -n shop get pods"
    assert script(("kubectl", "-n", "pay;touch x")) == "kubectl -n 'pay;touch x'"
    assert script(("echo", "it's")) == "echo 'it'\"'\"'s'"
    assert script(("echo", "")) == "echo ''"


def test_a_name_that_cannot_be_shown_as_it_is_gets_a_warning() -> None:
    assert script(("kubectl", "-n", "shop", "get", "pods")).splitlines()[0].startswith("kubectl")
    for name in ("a\x1bb", "a\u202eb", "a\tb", "a\u200bb", "a\rb"):
        first, second = script(("kubectl", "-n", name, "get", "pods")).split("\n")
        assert first == NOT_EXACT_WARNING and second.startswith("kubectl -n ")
    assert script(("kubectl", "-n", "a\nb")).split("\n")[0] == "kubectl -n 'a"
