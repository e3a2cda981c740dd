"""5 Runbooks: Enable enforcement, Disable enforcement, A policy does not work, Pods stuck in
ContainerCreating. Each step shows its live state (done / pending / unknown) and the exact
command; the first step still to do is marked next. States come from `netpol_tui.runbooks`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from netpol_tui.messages import RunbooksComputed
from netpol_tui.screens.base import ModeScreen
from netpol_tui.screens.state import ConsoleState
from netpol_tui.screens.views import cell
from netpol_tui.text import clean
from netpol_tui.widgets.inputs import FilterBar
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList

if TYPE_CHECKING:
    from netpol_tui.runbooks.steps import Step, StepCommand

#: A step row's key, or a command row's (with its step).
StepKey: TypeAlias = "tuple[Literal['step'], Step] | tuple[Literal['command'], Step, StepCommand]"

STATE_LABELS = {"done": ("✓ done", "green"), "pending": ("● to do", "yellow"), "unknown": ("? unknown", "magenta"),
                "n/a": ("– info", "dim")}


def step_rows(runbook: Any) -> list[Row[StepKey]]:
    """Each step, then its commands (one row each, so `c` copies exactly the one highlighted)."""
    rows: list[Row[StepKey]] = []
    for number, step in enumerate(runbook.steps, 1):
        label, style = STATE_LABELS.get(str(step.state), (str(step.state), ""))
        if step.is_next:
            label, style = "▶ next", "bold reverse yellow"
        rows.append(Row.make((label, f"{number}. {cell(step.title, 200)}"), ("step", step),
                             (style, "bold" if step.is_next else None)))
        for command in step.commands:
            first = command.text.splitlines()[0] if command.text else ""
            more = " …" if "\n" in command.text else ""
            rows.append(Row.make(("", f"   $ {cell(first, 300)}{more}"), ("command", step, command),
                                 (None, "cyan" if step.is_next else "dim")))
    return rows


class RunbooksScreen(ModeScreen):
    MODE = "runbooks"
    KEY_NOTES = (("up/down", "choose a runbook (left) or a step/command (right)"),
                 ("enter", "go from the runbook list to its steps"),
                 ("c", "copy the highlighted command (the step's first command on a step row)"))

    def __init__(self) -> None:
        super().__init__()
        self.runbooks: tuple[Any, ...] = ()

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="runbooks-body"):
            yield VirtualList([Column("DONE", width=5), Column("RUNBOOK", flex=True)], id="runbooks",
                              empty_text="Loading…")
            with Vertical(id="runbook-right"):
                yield Static("", id="runbook-head")
                yield FilterBar("steps")
                yield VirtualList([Column("STATE", width=9), Column("STEP / COMMAND", flex=True)], id="steps",
                                  empty_text="Choose a runbook.")
                with VerticalScroll(id="step-detail"):
                    yield Static("", id="step-text")

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100, "-narrow")

    def show_state(self, state: ConsoleState, previous: ConsoleState | None) -> None:
        if state.snapshot is None:
            return
        changed = previous is None or any(getattr(previous, name) is not getattr(state, name)
                                          for name in ("snapshot", "enforcement", "report"))
        if not changed:
            return
        snapshot, enforcement, report = state.snapshot, state.enforcement, state.report

        def work() -> None:
            from netpol_tui.runbooks import build_runbooks

            self.post_message(RunbooksComputed(build_runbooks(snapshot, enforcement, report)))

        self.run_worker(work, thread=True, exit_on_error=False, name="runbooks", group="runbooks", exclusive=True)

    def on_runbooks_computed(self, message: RunbooksComputed) -> None:
        self.runbooks = message.runbooks
        rows = []
        for runbook in self.runbooks:
            done, total = runbook.progress
            rows.append(Row.make((f"{done}/{total}" if total else "n/a", runbook.title), runbook.key,
                                 ("dim" if not total else "green" if done == total else "yellow", "bold")))
        self.query_one("#runbooks", VirtualList).set_rows(rows)
        self._show_runbook()

    def _runbook(self) -> Any:
        row = self.query_one("#runbooks", VirtualList).highlighted_row
        return next((rb for rb in self.runbooks if row is not None and rb.key == row.key), None)

    def _show_runbook(self) -> None:
        runbook = self._runbook()
        if runbook is None:
            return
        done, total = runbook.progress
        progress = f"   {done}/{total} done" if total else "   not applicable"
        head = Text.assemble((clean(runbook.title, 200), "bold"), progress + "\n", (clean(runbook.summary, 400), "dim"))
        self.query_one("#runbook-head", Static).update(head)
        steps = self.query_one("#steps", VirtualList)
        steps.set_rows(step_rows(runbook))
        next_step = runbook.next_step
        if next_step is not None:
            steps.select_key(("step", next_step))
        self._show_step()

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        if event.virtual_list.id == "runbooks":
            self._show_runbook()
        else:
            self._show_step()

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        if event.virtual_list.id == "runbooks":
            self.query_one("#steps", VirtualList).focus()
        else:
            self.action_copy()

    def _step_row(self) -> Row[StepKey] | None:
        return self.query_one("#steps", VirtualList).highlighted_row

    def _show_step(self) -> None:
        row = self._step_row()
        text = self.query_one("#step-text", Static)
        if row is None:
            text.update("")
            return
        step = row.key[1]
        label, style = STATE_LABELS.get(str(step.state), (str(step.state), ""))
        parts: list[Any] = [Text.assemble((cell(step.title, 200), "bold"), "  ",
                                          ("next step" if step.is_next else label, style))]
        parts.append(Text(clean(step.detail, 3000)))
        for command in step.commands:
            if command.description:
                parts.append(Text(clean(command.description, 300), style="dim italic"))
            parts.append(Text.assemble(("$ ", "dim"), (clean(command.text, 4000), "bold cyan")))
        self.query_one("#step-text", Static).update(Group(*parts))

    def copy_target(self) -> tuple[str, str] | None:
        row = self._step_row()
        if row is None:
            return None
        match row.key:
            case ("command", _, command):
                return command.text, "command"
            case ("step", step):
                return (step.commands[0].text, f"command of step “{step.title}”") if step.commands else None

    def yaml_target(self) -> tuple[str, Any] | None:
        runbook = self._runbook()
        return (f"runbook {runbook.title}", runbook) if runbook is not None else None
