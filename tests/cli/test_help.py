"""Help that teaches: examples that really run, exit codes, `help checks ID`, the man page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from netpol_tui.checkhelp import CHECK_HELP, render_check_help
from netpol_tui.checks import run_checks
from netpol_tui.checks.registry import CATALOG
from netpol_tui.cli import build_parser, main
from netpol_tui.commands import COMMANDS, HIDDEN_COMMANDS
from netpol_tui.deeplink import start_from_args
from netpol_tui.helptext import EXAMPLES, EXIT_CODES
from netpol_tui.sources import SourceOptions, load_snapshot

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "checks" / "fixtures"
VISIBLE = [name for name in COMMANDS if name not in HIDDEN_COMMANDS]
PLACEHOLDERS = ("CLUSTER", "LOC", "PROJ", "POOL", "NEW_POOL", "MASTER_VERSION", "COUNT", "NAMESPACE", "SERVICE",
                "VERSION", "KIND", "NAME", "NODE", "LABEL", "JSONPATH")


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *VISIBLE])
def test_every_help_ends_with_examples_and_exit_codes(capsys: pytest.CaptureFixture[str],
                                                     command: str | None) -> None:
    text = help_text(capsys, *([command] if command else []))
    examples = EXAMPLES[command]
    assert 2 <= len(examples) <= 4
    tail = text[text.index("\nexamples:\n"):]
    for example in examples:
        assert f"  {example.line}\n" in tail
    codes = tail[tail.index("\nexit codes:\n"):].splitlines()[2:]
    assert codes == [f"  {code}" for code in EXIT_CODES[command]]
    assert any(code.startswith("  0 ") for code in codes) and any(code.startswith("  2 ") for code in codes)


CASES = [(command, index) for command, examples in EXAMPLES.items() for index in range(len(examples))]


@pytest.mark.parametrize(("command", "index"), CASES, ids=[f"{c or 'top'}-{i}" for c, i in CASES])
def test_every_example_runs_with_its_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], command: str | None,
                                               index: int) -> None:
    monkeypatch.chdir(tmp_path)
    # earlier examples of the same command prepare later ones (snapshot save, then check --files)
    for example in EXAMPLES[command][:index + 1]:
        assert all(word in example.line for word in example.argv), "run_argv drifted from the line shown"
        if example.exit is None:  # the console: it parses, and would open the console
            args = build_parser().parse_args(list(example.argv))
            assert getattr(args, "run", None) is None and args.command is None
            start_from_args(args)  # a deep link in it is one the console accepts
            continue
        code = main(list(example.argv))
        captured = capsys.readouterr()
        assert code == example.exit, f"{example.line}: exit {code}\n{captured.err}"
        assert captured.out or captured.err


def test_help_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "check"]) == 0
    assert capsys.readouterr().out == help_text(capsys, "check")
    assert main(["help"]) == 0
    assert "examples:" in capsys.readouterr().out
    assert main(["help", "nope"]) == 2
    assert "no help on 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("spec", CATALOG, ids=[spec.id for spec in CATALOG])
def test_help_checks_id_prints_description_facts_and_fix(capsys: pytest.CaptureFixture[str], spec) -> None:
    assert main(["help", "checks", spec.id.lower()]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{spec.id} {spec.symbol} ({spec.severity.value}): {spec.title}\n")
    assert " ".join(spec.summary.split()) in " ".join(text.split())
    entry = CHECK_HELP[spec.id]
    facts = text[text.index("GKE facts"):text.index("Fix it proposes:")]
    assert all(" ".join(fact.split()) in " ".join(facts.split()) for fact in entry.facts)
    fix = text[text.index("Fix it proposes:"):]
    assert all(f"    {command}\n" in fix for command in entry.commands)
    assert main(["checks", "--show", spec.symbol]) == 0
    assert capsys.readouterr().out == text


def test_unknown_check_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "checks", "NP999"]) == 2
    assert "no check 'NP999'" in capsys.readouterr().err
    assert main(["checks", "--show", "NP999"]) == 2
    assert render_check_help("GKE") is None


def test_every_check_has_facts_and_a_fix() -> None:
    assert set(CHECK_HELP) == {spec.id for spec in CATALOG}
    for entry in CHECK_HELP.values():
        assert entry.facts and entry.fix and entry.commands


def _template(command: str) -> re.Pattern[str]:
    pattern = re.escape(command)
    for word in PLACEHOLDERS:
        pattern = re.sub(rf"\b{word}\b", ".+?", pattern)
    return re.compile(pattern, re.DOTALL)


@pytest.mark.parametrize("check_id", sorted(CHECK_HELP))
def test_fix_matches_the_commands_the_check_emits(check_id: str) -> None:
    """Each command a finding prints on its fixture is one of the help's templates, values filled in."""
    fires = FIXTURES / check_id / "fires"
    report = run_checks(load_snapshot(SourceOptions(files=(str(fires),))), select=check_id)
    emitted = [command.text for finding in report.findings for command in finding.remediation.commands]
    assert emitted, f"{check_id} fixture fires no finding"
    templates = [_template(command) for command in CHECK_HELP[check_id].commands]
    unmatched = [text for text in emitted if not any(t.fullmatch(text) for t in templates)]
    assert unmatched == []


def test_man_page_is_built_from_the_current_parser() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_manpage.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    page = (ROOT / "man" / "netpol-tui.1").read_text()
    assert page.startswith(".TH NETPOL\\-TUI \"1\"")
    assert "netpol\\-tui completion bash" in page or "completion bash" in page.replace("\\-", "-")
    assert "EXAMPLES AND EXIT CODES" in page.upper()
