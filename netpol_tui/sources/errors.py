"""The one error type sources raise: a message for the user, never a traceback."""

from __future__ import annotations

from collections.abc import Sequence

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


class KubeConfigError(SourceError):
    """The kubeconfig (or the credentials it names) cannot be used."""
