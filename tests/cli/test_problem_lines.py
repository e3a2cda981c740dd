"""The headless commands list the first problems of a load and count the rest in one sentence."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from netpol_tui.commands.common import MAX_PROBLEM_LINES, print_problems


@pytest.mark.parametrize(("extra", "tail"), [(1, "... and 1 more problem\n"), (3, "... and 3 more problems\n")])
def test_the_problems_past_the_limit_are_counted_in_words(extra: int, tail: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    problems = [f"bad item {index}" for index in range(MAX_PROBLEM_LINES + extra)]
    print_problems(SimpleNamespace(problems=problems, unknown=()))  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert err.count("\n") == MAX_PROBLEM_LINES + 1
    assert err.endswith(f"warning: {tail}")
