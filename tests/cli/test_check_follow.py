"""`check --until-clean` pieces that need no cluster: durations, change merging, and the runbook
steps that wait giving an until-clean command that runs exactly as copied."""

from __future__ import annotations

import shlex

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.cli import main
from netpol_tui.commands.check_follow import parse_duration
from netpol_tui.model.snapshot import Kind
from netpol_tui.runbooks import build_runbooks
from netpol_tui.sources import SourceOptions, load_snapshot
from netpol_tui.sources.follow_apply import merge_changes
from netpol_tui.sources.follow_state import Change


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30m", 1800), ("1h30m", 5400), ("45", 45),
                                               ("2h", 7200), ("0.5s", 0.5)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5d", "m", "-3s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def _change(action: str, name: str = "a") -> Change:
    return Change(Kind.POD, action, "Pod", "shop", name)


def test_a_batch_has_one_change_per_object() -> None:
    assert merge_changes([_change("added"), _change("modified")]) == (_change("added"),)
    assert merge_changes([_change("added"), _change("deleted")]) == ()
    assert merge_changes([_change("deleted"), _change("added")]) == (_change("modified"),)
    assert merge_changes([_change("modified"), _change("modified", "b"), _change("deleted")]) == (
        _change("modified", "b"), _change("deleted"))


def test_waiting_steps_give_until_clean_commands_that_run_as_copied(capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = load_snapshot(SourceOptions(demo="calico"))
    runbooks = build_runbooks(snapshot, EnforcementState.from_snapshot(snapshot), run_checks(snapshot))
    waits = {step.title: command.text for runbook in runbooks for step in runbook.steps
             for command in step.commands if "--until-clean" in command.text}
    assert waits["Wait for node recreation"] == \
        "netpol-tui check --demo calico --until-clean --select GKE003 --wait 2h"
    assert waits["Wait until no node carries the Calico label"].endswith("--select GKE004 --wait 2h")
    assert "Nodes waiting for recreation" in waits
    # the demo never changes: GKE003 is still open, said at once (exit 1), GKE004 is clean (exit 0)
    assert main(shlex.split(waits["Wait for node recreation"])[1:]) == 1
    assert "still open (the source cannot change)" in capsys.readouterr().out
    assert main(shlex.split(waits["Wait until no node carries the Calico label"])[1:]) == 0
