"""Copying remediation text to the user's clipboard.

Always through OSC 52 (Textual's `App.copy_to_clipboard`): it is the only way that reaches the
user's own machine over SSH and through tmux. pyperclip is tried as well when the session is
local, because some terminals ignore OSC 52. Nothing here ever runs the copied text.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

#: Terminals and multiplexers commonly drop OSC 52 payloads above ~100 KB (hterm, kitty,
#: tmux's input buffer); beyond this the text is shown in a dialog instead.
MAX_OSC52_BYTES = 100_000


class _CanCopy(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CopyOutcome:
    """What happened to a copy request.

    `osc52_trusted` is False when the terminal is known not to honour OSC 52 (the sequence is
    still sent); `reason` then says why, for the fallback dialog.
    """

    text: str
    osc52_sent: bool
    osc52_trusted: bool
    reason: str | None = None
    note: str | None = None


def osc52_sequence(text: str) -> str:
    """The escape sequence Textual writes for `text` (used by tests and the size limit)."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\a"


def osc52_support(text: str, environ: Mapping[str, str] | None = None) -> tuple[bool, str | None]:
    """Whether OSC 52 can be trusted for `text` in this terminal, and why not."""
    env = os.environ if environ is None else environ
    if env.get("TERM_PROGRAM") == "Apple_Terminal":
        return False, "macOS Terminal ignores OSC 52 clipboard requests"
    if env.get("TERM") == "linux":
        return False, "the Linux virtual console has no clipboard"
    if len(osc52_sequence(text)) > MAX_OSC52_BYTES:
        return False, f"the text is longer than terminals accept in one OSC 52 request ({MAX_OSC52_BYTES:,} bytes)"
    return True, None


def multiplexer_note(environ: Mapping[str, str] | None = None) -> str | None:
    """A hint when a multiplexer may swallow OSC 52 (tmux needs set-clipboard on)."""
    env = os.environ if environ is None else environ
    if env.get("TMUX"):
        return "inside tmux this needs `set -g set-clipboard on`"
    if env.get("STY"):
        return "GNU screen may not pass OSC 52 through"
    return None


def copy(app: _CanCopy, text: str, environ: Mapping[str, str] | None = None) -> CopyOutcome:
    """Send `text` with OSC 52 (always) and report whether the terminal is known to honour it."""
    app.copy_to_clipboard(text)
    trusted, reason = osc52_support(text, environ)
    return CopyOutcome(text=text, osc52_sent=True, osc52_trusted=trusted, reason=reason,
                       note=multiplexer_note(environ))


def local_clipboard_possible(environ: Mapping[str, str] | None = None) -> bool:
    """pyperclip only helps when the clipboard it writes is the user's: not over SSH, and on
    Linux only with a display server (otherwise it fails after spawning xclip/xsel)."""
    env = os.environ if environ is None else environ
    if env.get("NETPOL_TUI_NO_LOCAL_CLIPBOARD"):
        return False
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if sys.platform.startswith("linux"):
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def copy_local(text: str) -> bool:
    """Best effort pyperclip copy; blocking (it may spawn a process), so call it from a worker."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own exception types and OSError from subprocesses
        return False
    return True
