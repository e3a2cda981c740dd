"""The finding detail: message, evidence, explanation, and the remediation to copy.

`c` (or Enter) copies the highlighted command as one runnable block (an apply command with its
manifest as a heredoc); nothing is ever executed.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from netpol_tui.dialogs.base import Dialog
from netpol_tui.messages import CopyCommand
from netpol_tui.text import clean

SEVERITY_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
MAX_EVIDENCE = 200


def remediation_items(finding: Any) -> list[tuple[str, str, str]]:
    """(label, text to copy, description) for each command: the runnable block, so an apply
    command comes with its manifest as a heredoc. A manifest no command reads is offered as
    its own `kubectl apply -f -` block."""
    from netpol_tui.checks.shell import apply

    remediation = getattr(finding, "remediation", None)
    commands = getattr(remediation, "commands", ()) or ()
    items = [("command", command.script, command.description) for command in commands]
    manifest = getattr(remediation, "manifest", None)
    if manifest and not any(getattr(command, "stdin", None) == manifest for command in commands):
        items.append(("command", apply(manifest).script, "apply the manifest"))
    return items


def finding_details(finding: Any) -> Group:
    """Everything but the remediation, as rich renderables built from cleaned plain text."""
    severity = str(getattr(finding, "severity", ""))
    head = Text.assemble((f"{severity.upper():8}", SEVERITY_STYLES.get(severity, "bold")),
                         (f"{finding.id} {finding.symbol}", "bold"), "  ",
                         clean(finding.title, 200, single_line=True))
    subject = Text.assemble(("Subject  ", "bold"), clean(str(finding.subject), 300, single_line=True))
    message = Text(clean(finding.message, 4000))
    parts: list[Any] = [head, subject, Text(""), message]
    if finding.evidence:
        table = Table(title="Evidence", title_justify="left", title_style="bold", expand=True, show_edge=False,
                      header_style="bold", pad_edge=False)
        table.add_column("where", ratio=2, overflow="fold")
        table.add_column("observed", ratio=3, overflow="fold")
        table.add_column("expected", ratio=2, overflow="fold")
        for item in finding.evidence[:MAX_EVIDENCE]:
            table.add_row(Text(clean(item.path, 300)), Text(clean(item.observed, 500)),
                          Text(clean(item.expected, 500) if item.expected else "—"))
        if len(finding.evidence) > MAX_EVIDENCE:
            table.add_row(Text(f"… {len(finding.evidence) - MAX_EVIDENCE} more"), Text(""), Text(""))
        parts += [Text(""), table]
    for note in getattr(finding, "notes", ()) or ():
        parts.append(Text.assemble(("Note  ", "bold"), clean(note, 1000)))
    if finding.explanation:
        parts += [Text(""), Text("Why it matters", style="bold"), Text(clean(finding.explanation, 4000))]
    placeholders = getattr(finding.remediation, "placeholders", ()) or ()
    if placeholders:
        parts += [Text(""), Text(f"Replace {', '.join(placeholders)} in the commands below: the snapshot does "
                                 "not say them.", style="bold yellow")]
    return Group(*parts)


class FindingDialog(Dialog):
    BINDINGS = [Binding("c", "copy", "Copy"), Binding("y", "yaml", "YAML")]
    DEFAULT_CSS = """
    FindingDialog #finding-details { height: 1fr; min-height: 5; }
    FindingDialog #finding-remediation { height: auto; max-height: 10; }
    FindingDialog #finding-preview { height: auto; max-height: 12; background: $boost; padding: 0 1; }
    """

    def __init__(self, finding: Any) -> None:
        super().__init__()
        self.finding = finding
        self.items = remediation_items(finding)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-frame"):
            with VerticalScroll(id="finding-details"):
                yield Static(finding_details(self.finding))
            if self.items:
                yield Static("Remediation (c or Enter copies; nothing is run)", classes="dialog-title")
                options = []
                for index, (label, text, description) in enumerate(self.items):
                    first = clean(text.splitlines()[0] if text else "", 300, single_line=True)
                    prompt = Text.assemble((f"{label:9}", "bold"), first if label == "command"
                                           else clean(description, 200, single_line=True))
                    options.append(Option(prompt, id=f"item-{index}"))
                yield OptionList(*options, id="finding-remediation")
                yield Static("", id="finding-preview")
            else:
                yield Static("No remediation command: the message says what to look at.", classes="dialog-hint")
            yield Static("Esc close · c copy · y YAML", classes="dialog-hint")

    def on_mount(self) -> None:
        if self.items:
            options = self.query_one(OptionList)
            options.highlighted = 0
            options.focus()
            self._preview(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_copy()

    def _preview(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.items):
            return
        label, text, description = self.items[index]
        preview = Text(clean(description, 500), style="italic")
        if label != "command" or "\n" in text:
            preview.append("\n" + clean(text, 20_000), style="not italic")
        self.query_one("#finding-preview", Static).update(preview)

    def action_copy(self) -> None:
        if not self.items:
            self.notify("This finding has no command to copy.", severity="warning")
            return
        index = self.query_one(OptionList).highlighted or 0
        label, text, _ = self.items[index]
        self.post_message(CopyCommand(text, label))

    def action_yaml(self) -> None:
        from netpol_tui.messages import ShowYaml

        self.post_message(ShowYaml(f"finding {self.finding.id}", self.finding.to_dict()))
