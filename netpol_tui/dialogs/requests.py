"""How the app answers what widgets and screens ask for: copy, a finding's detail, YAML.

A mixin of the App (kept out of app.py so the App stays a small orchestrator). Copy always sends
OSC 52; pyperclip is tried in a worker when the clipboard is local; when neither is known to
work, the text is shown in a dialog to select by hand. Copied text is cleaned of control
sequences first: it may hold names from the cluster and ends up in a shell.
"""

from __future__ import annotations

from typing import Any

from textual import work

from netpol_tui import clipboard
from netpol_tui.messages import CopyCommand, LocalCopyFinished, ShowFinding, ShowYaml
from netpol_tui.text import clean


class DialogRequests:
    """Handlers for CopyCommand, ShowFinding and ShowYaml (mixed into the App)."""

    def on_copy_command(self: Any, message: CopyCommand) -> None:
        text = clean(message.text)
        # The label can name a pool or an object (`upgrade command for POOL`) and ends up in a toast.
        label = clean(message.label, 300, single_line=True)
        outcome = clipboard.copy(self, text)
        if clipboard.local_clipboard_possible():
            self.copy_locally(text, label, outcome)
        elif outcome.osc52_trusted:
            note = f" ({clean(outcome.note, 200, single_line=True)})" if outcome.note else ""
            self.notify(f"Copied {label} to the clipboard (OSC 52){note}.", title="Copied", markup=False)
        else:
            self.show_copy_fallback(text, outcome.reason)

    @work(thread=True, exit_on_error=False, name="copy", group="copy", description="copy")
    def copy_locally(self: Any, text: str, label: str, outcome: clipboard.CopyOutcome) -> None:
        ok = clipboard.copy_local(text)
        self.post_message(LocalCopyFinished(text, label, ok, outcome.osc52_trusted, outcome.reason))

    def on_local_copy_finished(self: Any, message: LocalCopyFinished) -> None:
        if message.ok or message.osc52_trusted:
            how = "local clipboard" if message.ok else "clipboard (OSC 52)"
            self.notify(f"Copied {message.label} to the {how}.", title="Copied", markup=False)
        else:
            self.show_copy_fallback(message.text, message.reason)

    def show_copy_fallback(self: Any, text: str, reason: str | None) -> None:
        from netpol_tui.dialogs.copy_fallback import CopyFallbackDialog

        self.push_screen(CopyFallbackDialog(text, reason))

    def on_show_finding(self: Any, message: ShowFinding) -> None:
        from netpol_tui.dialogs.finding import FindingDialog

        self.push_screen(FindingDialog(message.finding))

    def on_show_yaml(self: Any, message: ShowYaml) -> None:
        from netpol_tui.dialogs.yaml_view import YamlDialog

        self.push_screen(YamlDialog(message.title, message.obj))
