"""The finding detail: message, evidence, explanation, and the remediation to copy.

`c` (or Enter) copies the highlighted command as one runnable block (an apply command with its
manifest as a heredoc); nothing is ever executed.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
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
    from netpol_tui.shell import apply

    remediation = getattr(finding, "remediation", None)
    commands = getattr(remediation, "commands", ()) or ()
    items = [("command", command.script, command.description) for command in commands]
    manifest = getattr(remediation, "manifest", None)
    if manifest and not any(getattr(command, "stdin", None) == manifest for command in commands):
        items.append(("command", apply(manifest).script, "apply the manifest"))
    return items


def evidence_prompt(item: Any) -> Text:
    """One evidence entry of the dialog's list: where (bold), then what was observed and expected."""
    text = Text.assemble((clean(item.path, 300, single_line=True), "bold"), "\n  ", clean(item.observed, 500))
    if item.expected:
        text.append(f"  (expected: {clean(item.expected, 500)})", style="dim")
    return text


def finding_details(finding: Any) -> Group:
    """Everything but the evidence and the remediation (both lists of their own), as rich
    renderables built from cleaned plain text."""
    severity = str(getattr(finding, "severity", ""))
    head = Text.assemble((f"{severity.upper():8}", SEVERITY_STYLES.get(severity, "bold")),
                         (f"{finding.id} {finding.symbol}", "bold"), "  ",
                         clean(finding.title, 200, single_line=True))
    subject = Text.assemble(("Subject  ", "bold"), clean(str(finding.subject), 300, single_line=True),
                            ("   g goes there · y its YAML", "dim"))
    message = Text(clean(finding.message, 4000))
    parts: list[Any] = [head, subject, Text(""), message]
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
    BINDINGS = [Binding("c", "copy", "Copy"), Binding("y", "yaml", "YAML of the object"),
                Binding("g", "go", "Go to the object")]
    DEFAULT_CSS = """
    FindingDialog #finding-details { height: 1fr; min-height: 4; }
    FindingDialog #finding-evidence { height: auto; max-height: 8; }
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
            evidence = self.finding.evidence[:MAX_EVIDENCE]
            if evidence:
                more = f"; {len(self.finding.evidence) - MAX_EVIDENCE} more in --format json" \
                    if len(self.finding.evidence) > MAX_EVIDENCE else ""
                yield Static(f"Evidence (Enter or g goes to the object it names{more})", classes="dialog-title")
                yield OptionList(*(Option(evidence_prompt(item), id=f"evidence-{index}")
                                   for index, item in enumerate(evidence)), id="finding-evidence")
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
            yield Static("Esc close · c copy · g go to the object · y its YAML · Tab evidence/remediation",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        for evidence in self.query("#finding-evidence").results(OptionList):
            evidence.highlighted = 0
        if self.items:
            options = self.query_one("#finding-remediation", OptionList)
            options.highlighted = 0
            options.focus()
            self._preview(0)
        else:
            for evidence in self.query("#finding-evidence").results(OptionList):
                evidence.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "finding-remediation":
            self._preview(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "finding-evidence":
            self.action_go()
        else:
            self.action_copy()

    def _target(self) -> Any:
        """The object `g` and `y` mean: the highlighted evidence line's while the evidence list
        has focus, else the finding's subject."""
        from netpol_tui.refs import ObjectRef, evidence_ref

        focused = self.focused
        if isinstance(focused, OptionList) and focused.id == "finding-evidence" and focused.highlighted is not None:
            return evidence_ref(self.finding, self.finding.evidence[focused.highlighted])
        return ObjectRef.of(self.finding.subject)

    def action_go(self) -> None:
        from netpol_tui.messages import GoTo

        self.post_message(GoTo(self._target(), finding=self.finding))

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
        index = self.query_one("#finding-remediation", OptionList).highlighted or 0
        label, text, _ = self.items[index]
        self.post_message(CopyCommand(text, label))

    def action_yaml(self) -> None:
        """The YAML of the object the finding (or the highlighted evidence line) is about."""
        from netpol_tui.messages import ShowYaml
        from netpol_tui.refs import find_object

        ref = self._target()
        state = getattr(self.app, "state", None)
        obj = find_object(state.snapshot if state is not None else None, ref)
        if obj is None:  # the finding itself, saying why: better than nothing to read
            self.post_message(ShowYaml(f"finding {self.finding.id} ({ref.label} is not in the snapshot)",
                                       self.finding.to_dict()))
            return
        self.post_message(ShowYaml(ref.label, obj))
