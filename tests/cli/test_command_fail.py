"""The one error printer of the headless commands (`commands.common.fail`): every command's bad-input
message goes through `clean`, so a name quoted from a kubeconfig, a file or a flow record cannot
move the cursor or open a link in the user's terminal."""

from __future__ import annotations

import pytest

from netpol_tui.commands.common import EXIT_BAD_INPUT, fail

HOSTILE = "ns \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[2J"


def test_fail_cleans_the_message_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = fail("flows", f"cluster {HOSTILE} has no policy log")
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT == 2
    assert err.startswith("netpol-tui flows: cluster ns ")
    assert "\x1b" not in err and "\x07" not in err
    assert err.count("\n") == 1  # one line by default


def test_fail_keeps_the_lines_of_a_multi_line_message(capsys: pytest.CaptureFixture[str]) -> None:
    fail("explain", "no pod web/x\ndid you mean: web/x-1", single_line=False)
    err = capsys.readouterr().err
    assert err.splitlines() == ["netpol-tui explain: no pod web/x", "did you mean: web/x-1"]
