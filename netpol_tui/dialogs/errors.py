"""The whole text of every error the banner shortens (`y` while nothing is loaded, `:errors`)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from netpol_tui.dialogs.base import Dialog
from netpol_tui.text import clean


def errors_text(errors: Mapping[str, str], titles: Mapping[str, str], still_works: Mapping[str, str]) -> Group:
    if not errors:
        return Group(Text("No errors.", style="dim"))
    parts: list[Text] = []
    for part, reason in errors.items():
        parts.append(Text(clean(titles.get(part, f"{part} failed"), 200, single_line=True), style="bold red"))
        for line in reason.splitlines():
            parts.append(Text("  " + clean(line, 2000, single_line=True)))
        if still_works.get(part):
            parts.append(Text("  " + still_works[part], style="italic"))
        parts.append(Text(""))
    return Group(*parts)


class ErrorsDialog(Dialog):
    """Every error, one cause per line, nothing cut."""

    def __init__(self, errors: Mapping[str, str], titles: Mapping[str, str], still_works: Mapping[str, str]) -> None:
        super().__init__()
        self.body = errors_text(errors, titles, still_works)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-frame", id="errors-frame"):
            yield Static("Errors", classes="dialog-title")
            yield Static(self.body, id="errors-text")
            yield Static("Esc closes. r retries the load; :ctx picks another kubeconfig context.", classes="dialog-hint")
