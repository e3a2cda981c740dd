"""Runbook steps: their state, their copyable commands, and the helpers that make a step from checks.

A step's state is `unknown` whenever the data needed to decide is missing: never a guessed "done".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from netpol_tui import shell
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.shell import ShellCommand

if TYPE_CHECKING:
    from netpol_tui.checks.model import Finding, Report

__all__ = [
    "MAX_LISTED", "RECREATION_WAIT", "ROLLOUT_WAIT", "Runbook", "Step", "StepCommand", "StepState", "until_clean_command",
]

MAX_LISTED = 5


class StepState(StrEnum):
    DONE = "done"
    PENDING = "pending"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, slots=True)
class StepCommand:
    """A step's command as argv (and the manifest it reads on stdin); `text` is the block to
    show and copy, made by `netpol_tui.shell` (every word quoted, a manifest as a heredoc)."""

    argv: tuple[str, ...]
    description: str = ""
    stdin: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.argv, str):
            raise TypeError(f"a step command is a tuple of words, not the string {self.argv!r}")

    @property
    def text(self) -> str:
        return shell.script(self.argv, self.stdin)


#: How long the copyable waiting commands wait: node recreation takes minutes per node.
RECREATION_WAIT = "2h"
ROLLOUT_WAIT = "30m"


def _source_words(snapshot: Snapshot) -> list[str]:
    """The netpol-tui options that read the same source again (the context, files or demo)."""
    from netpol_tui.shell import source_words

    source = snapshot.source
    if source.kind == "demo":
        name = source.description.split(":", 1)[1].strip() if ":" in source.description else None
        return source_words(demo=name or "calico")
    if source.kind == "files":
        return source_words(files=source.paths)
    words = source_words(context=source.context, project=source.project, location=source.location,
                         cluster=source.cluster)
    return words + (["--namespace", source.namespace] if source.namespace else [])


def until_clean_command(snapshot: Snapshot, ids: Sequence[str], wait: str, description: str) -> StepCommand:
    """`netpol-tui check --until-clean --select IDS --wait W` on the same source: a step that waits
    for the cluster (node recreation, a rollout) as a command that returns when it is done."""
    argv = ("netpol-tui", "check", *_source_words(snapshot), "--until-clean", "--select", ",".join(ids),
            "--wait", wait)
    return StepCommand(argv, description)


def _step_command(command: ShellCommand | tuple[str, ...], description: str) -> StepCommand:
    if isinstance(command, ShellCommand):
        return StepCommand(command.argv, description, command.stdin)
    return StepCommand(tuple(command), description)


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    state: StepState
    detail: str
    commands: tuple[StepCommand, ...] = ()
    #: The first step still to do: the one whose command the user should run now.
    is_next: bool = False


@dataclass(frozen=True, slots=True)
class Runbook:
    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if step.is_next), None)

    @property
    def progress(self) -> tuple[int, int]:
        counted = [step for step in self.steps if step.state is not StepState.NOT_APPLICABLE]
        return sum(1 for step in counted if step.state is StepState.DONE), len(counted)


def _findings(report: Report | None, *ids: str) -> list[Finding]:
    return [finding for finding in report.findings if finding.id in ids] if report is not None else []


def _unknown_reason(report: Report | None, *ids: str) -> str | None:
    if report is None:
        return "the checks have not run"
    for item in report.unknown:
        if item.id in ids:
            return f"{item.id}: {item.reason}"
    return None


def _commands_of(findings: Iterable[Finding]) -> tuple[StepCommand, ...]:
    out: list[StepCommand] = []
    for finding in findings:
        manifest = finding.remediation.manifest
        for command in finding.remediation.commands:
            out.append(StepCommand(command.argv, command.description or finding.title, command.stdin))
        if manifest and not any(command.stdin == manifest for command in finding.remediation.commands):
            out.append(_step_command(shell.apply(manifest), f"{finding.id} manifest"))
    return tuple(dict.fromkeys(out))


def _finding_step(title: str, report: Report | None, ids: tuple[str, ...], ok: str, commands: tuple[StepCommand, ...] = ()
                  ) -> Step:
    """A step that is done when the checks `ids` found nothing, pending with their findings."""
    found = _findings(report, *ids)
    if found:
        detail = "; ".join(f"{f.id} {f.subject}: {f.message}" for f in found[:MAX_LISTED])
        if len(found) > MAX_LISTED:
            detail += f"; and {len(found) - MAX_LISTED} more"
        return Step(title, StepState.PENDING, detail, commands + _commands_of(found))
    unknown = _unknown_reason(report, *ids)
    if unknown:
        return Step(title, StepState.UNKNOWN, f"Unknown: {unknown}.", commands)
    return Step(title, StepState.DONE, ok, commands)


def _pending_wait(report: Report | None, ids: tuple[str, ...], wait: StepCommand) -> tuple[StepCommand, ...]:
    """The waiting command, only while the checks `ids` still find something."""
    return (wait,) if _findings(report, *ids) else ()


def _mark_next(steps: list[Step]) -> tuple[Step, ...]:
    """The first pending step is next; when none is pending, the first unknown one."""
    for wanted in (StepState.PENDING, StepState.UNKNOWN):
        for index, step in enumerate(steps):
            if step.state is wanted:
                steps[index] = Step(step.title, step.state, step.detail, step.commands, True)
                return tuple(steps)
    return tuple(steps)


def _flag(value: bool | None) -> StepState:
    if value is None:
        return StepState.UNKNOWN
    return StepState.DONE if value else StepState.PENDING
