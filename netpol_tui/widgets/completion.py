"""Completion of endpoints in the Explain form: `ns/`, `ns/pod`, `ns/svc/name`, recent queries.

`EndpointCompleter` is pure data (built once per snapshot, in a worker: 100,000 pods take
~0.1 s to sort); a keystroke is answered by a binary search for the prefix and, when the prefix
gives too few, a substring scan stopped at the first matches. `CompletionList` shows them under
the form; `EndpointSuggester` puts the best one inline (→ accepts, as in a shell).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from netpol_tui.text import clean

LIMIT = 8
#: Past this many candidates the substring scan stops after the first LIMIT matches anyway.
SCAN_LIMIT = 400_000


def endpoint_candidates(snapshot: Any) -> list[str]:
    """`ns/` for each namespace, `ns/pod` for each pod, `ns/svc/name` for each Service (cleaned:
    they are shown and put into an input)."""
    names: set[str] = set()
    for namespace in snapshot.namespaces:
        names.add(f"{namespace.name}/")
    for pod in snapshot.pods:
        names.add(f"{pod.namespace}/{pod.name}")
    for service in snapshot.services:
        names.add(f"{service.namespace}/svc/{service.name}")
    return [clean(name, 300, single_line=True) for name in names]


class EndpointCompleter:
    """Matches for what was typed: recent queries first, then prefix, then substring matches."""

    def __init__(self, candidates: Iterable[str], recent: Sequence[str] = ()) -> None:
        pairs = sorted((name.lower(), name) for name in candidates)
        self._lower = [lower for lower, _ in pairs]
        self._names = [name for _, name in pairs]
        self.recent = list(dict.fromkeys(recent))

    def __len__(self) -> int:
        return len(self._names)

    def complete(self, text: str, limit: int = LIMIT) -> list[tuple[str, str]]:
        """(value, where it comes from: "recent" or "") for `text`, best first, at most `limit`."""
        typed = text.strip().lower()
        out: list[tuple[str, str]] = []
        seen: set[str] = {text.strip()}
        for value in reversed(self.recent):
            if typed in value.lower() and value not in seen:
                out.append((value, "recent"))
                seen.add(value)
        if not typed:
            return out[:limit]
        start = bisect_left(self._lower, typed)
        for index in range(start, min(start + limit * 4, len(self._lower))):
            if not self._lower[index].startswith(typed) or len(out) >= limit:
                break
            if self._names[index] not in seen:
                out.append((self._names[index], ""))
                seen.add(self._names[index])
        if len(out) < limit:
            for index, lower in enumerate(self._lower):
                if index >= SCAN_LIMIT or len(out) >= limit:
                    break
                if typed in lower and self._names[index] not in seen:
                    out.append((self._names[index], ""))
                    seen.add(self._names[index])
        return out[:limit]


class EndpointSuggester(Suggester):
    """The first prefix completion, inline (Textual's Input shows it dimmed; → accepts it)."""

    def __init__(self, completer: EndpointCompleter | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.completer = completer

    async def get_suggestion(self, value: str) -> str | None:
        if self.completer is None or not value:
            return None
        for match, _ in self.completer.complete(value, 3):
            if match.startswith(value):
                return match
        return None


class CompletionList(OptionList, can_focus=False):
    """Choices for one input of the form: Enter puts the highlighted one in, Esc goes back."""

    BINDINGS = [Binding("escape", "back", "Back to the field", show=False)]

    class Chosen(Message):
        """`value` was picked for the input `target` (an id)."""

        def __init__(self, target: str, value: str) -> None:
            super().__init__()
            self.target = target
            self.value = value

    class Back(Message):
        """Esc: focus returns to the input `target`."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.target = ""
        self.values: tuple[str, ...] = ()
        self.display = False

    def show(self, target: str, title: str, choices: Sequence[tuple[str, str]]) -> None:
        """Show `choices` ((value, note)) for the input `target`; hidden when there are none."""
        self.target = target
        self.values = tuple(value for value, _ in choices)
        self.clear_options()
        options = []
        for value, note in choices:
            prompt = Text(clean(value, 300, single_line=True))
            if note:
                prompt.append(f"  {note}", style="dim italic")
            options.append(Option(prompt))
        if options:
            self.border_title = title
            self.add_options(options)
            self.highlighted = 0
        self.display = bool(options)

    def hide(self) -> None:
        self.display = False
        self.values = ()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.values):
            self.post_message(self.Chosen(self.target, self.values[event.option_index]))

    def action_back(self) -> None:
        self.post_message(self.Back(self.target))
