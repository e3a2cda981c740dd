"""The one error type sources raise: a message for the user, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from netpol_tui.model.snapshot import LoadProblem


class SourceError(Exception):
    """Nothing usable could be loaded; `problems` says what went wrong, file by file."""

    def __init__(self, message: str, problems: Sequence[LoadProblem] = (), hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)
        self.hint = hint

    def lines(self) -> list[str]:
        """The message, each problem, and the hint, one per line."""
        out = [self.message]
        out.extend(f"  {problem}" for problem in self.problems)
        if self.hint:
            out.append(self.hint)
        return out


def report_source_error(exc: SourceError, stream: TextIO | None = None) -> None:
    """`netpol-tui: MESSAGE`, each problem and the hint, on stderr: the one way every command,
    and the console before it goes full screen, ends on a source that gave nothing usable."""
    out = stream if stream is not None else sys.stderr
    for line in exc.lines():
        print(f"netpol-tui: {line}" if line == exc.message else line, file=out)


class KubeConfigError(SourceError):
    """The kubeconfig (or the credentials it names) cannot be used."""
