"""A bug in a command ends with one line and exit 70, never a traceback, and never an exit code
that means something else (3 is "unknown: data not read")."""

from __future__ import annotations

import pytest

from netpol_tui import cli


def test_a_crashing_command_exits_70_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def broken(argv: object, prog: str) -> int:
        raise ValueError("planted bug")

    monkeypatch.delenv("NETPOL_TUI_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_run", broken)
    assert cli.main(["check", "--demo"]) == 70
    err = capsys.readouterr().err
    assert "internal error: ValueError: planted bug" in err
    assert "Traceback" not in err


def test_help_names_70_for_internal_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert "70 internal error" in out and "3 internal error" not in out
