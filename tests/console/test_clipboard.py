"""OSC 52 payloads and when the console trusts them, the local clipboard and its limits."""

from __future__ import annotations

import base64

from netpol_tui import clipboard


class FakeApp:
    def __init__(self) -> None:
        self.copied: list[str] = []

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)


def test_osc52_sequence_is_base64_of_utf8_between_osc_and_bel() -> None:
    sequence = clipboard.osc52_sequence("kubectl get nodes -l projectcalico.org/ds-ready=true ✓")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\a")
    assert base64.b64decode(sequence[7:-1]).decode() == "kubectl get nodes -l projectcalico.org/ds-ready=true ✓"


def test_copy_always_sends_osc52_and_says_when_the_terminal_ignores_it() -> None:
    app = FakeApp()
    outcome = clipboard.copy(app, "gcloud container clusters update c", {"TERM": "xterm-256color"})
    assert app.copied == ["gcloud container clusters update c"]
    assert outcome.osc52_sent and outcome.osc52_trusted and outcome.reason is None
    outcome = clipboard.copy(app, "x", {"TERM_PROGRAM": "Apple_Terminal"})
    assert len(app.copied) == 2 and not outcome.osc52_trusted and "macOS Terminal" in outcome.reason
    assert not clipboard.copy(app, "x", {"TERM": "linux"}).osc52_trusted
    huge = clipboard.copy(app, "y" * 200_000, {})
    assert not huge.osc52_trusted and "longer than" in huge.reason
    assert clipboard.copy(app, "x", {"TMUX": "/tmp/tmux-0/default,1,0"}).note == (
        "inside tmux this needs `set -g set-clipboard on`")


def test_local_clipboard_only_where_it_is_the_users() -> None:
    assert not clipboard.local_clipboard_possible({"SSH_CONNECTION": "10.0.0.1 1 10.0.0.2 22", "DISPLAY": ":0"})
    assert not clipboard.local_clipboard_possible({"NETPOL_TUI_NO_LOCAL_CLIPBOARD": "1"})
    assert clipboard.local_clipboard_possible({"DISPLAY": ":0"})


def test_copy_local_never_raises(monkeypatch) -> None:
    import pyperclip

    def broken(text: str) -> None:
        raise pyperclip.PyperclipException("no copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", broken)
    assert clipboard.copy_local("x") is False
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    assert clipboard.copy_local("x") is True
