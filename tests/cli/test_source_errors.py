"""Every way a command ends on a source that gave nothing usable prints the same lines: the one
printer in netpol_tui/sources/errors.py (the console's pre-flight load uses it too)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.commands.snapshot import EXIT_FAILED
from netpol_tui.sources import SourceError, SourceOptions, load_snapshot
from netpol_tui.sources.errors import report_source_error


def _expected(missing: str) -> str:
    with pytest.raises(SourceError) as caught:
        load_snapshot(SourceOptions(files=(missing,)))
    out = io.StringIO()
    report_source_error(caught.value, out)
    return out.getvalue()


def test_the_printer_prefixes_the_message_and_indents_the_problems(tmp_path: Path):
    text = _expected(str(tmp_path / "gone"))
    first, *rest = text.splitlines()
    assert first == f"netpol-tui: nothing usable was loaded from {tmp_path / 'gone'}"
    assert rest and all(line.startswith("  ") for line in rest)


@pytest.mark.parametrize(("argv", "code"), [
    (["check"], 2),
    (["explain", "--from", "a/b", "--to", "c/d", "--port", "80"], 2),
    (["snapshot", "save"], EXIT_FAILED),
])
def test_commands_print_a_source_error_the_same_way(argv: list[str], code: int, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]):
    missing = str(tmp_path / "gone")
    if argv[0] == "snapshot":
        argv = [*argv, str(tmp_path / "out")]
    assert main([*argv, "--files", missing]) == code
    assert capsys.readouterr().err == _expected(missing)
