"""The identity and freshness line under the mode bar: who, from where, which dataplane, as of when.

An on-call user must never wonder which cluster they are looking at or how old the data is, so
the header never cuts a part: when the terminal is too narrow its parts wrap onto a second line
at their separators. "N min ago" is recomputed every half minute against the wall clock.
Other parts of the console add their own status through `extra` (e.g. a live follow state).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from netpol_tui.text import clean

SEPARATOR = " · "
TICK_SECONDS = 30.0


def _now() -> datetime:
    return datetime.now(UTC)


#: The wall clock "ago" is counted against (tests replace it to keep snapshots stable).
clock: Callable[[], datetime] = _now


@dataclass(frozen=True, slots=True)
class HeaderPart:
    """One part of the header: its text and a Rich style."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class HeaderInfo:
    """What the header shows. `as_of` is the capture time (or the time of the last live read);
    `as_of_label` says which ("captured", "read", "loaded"); `note` qualifies it (e.g. that ages
    count from it); `extra` is for other features' status (keyed, in insertion order)."""

    target: str = ""
    source: str = ""
    dataplane: str = ""
    as_of: datetime | None = None
    as_of_label: str = "as of"
    note: str = ""
    state: str = ""
    state_style: str = ""
    extra: dict[str, HeaderPart] = field(default_factory=dict)


def ago(then: datetime, now: datetime) -> str:
    """`just now`, `12 min ago`, `5 h ago`, `3 days ago` (`in the future` when clocks disagree)."""
    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    seconds = (now - then).total_seconds()
    if seconds < -60:
        return "in the future (clock skew?)"
    minutes = int(max(0, seconds) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24:,} days ago"


def absolute(then: datetime) -> str:
    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    return f"{then.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def header_parts(info: HeaderInfo, now: datetime) -> list[HeaderPart]:
    parts: list[HeaderPart] = []
    if info.target:
        parts.append(HeaderPart(info.target, "bold"))
    if info.source:
        parts.append(HeaderPart(info.source))
    if info.dataplane:
        parts.append(HeaderPart(info.dataplane))
    if info.as_of is not None:
        note = f"; {info.note}" if info.note else ""
        parts.append(HeaderPart(f"{info.as_of_label} {absolute(info.as_of)} ({ago(info.as_of, now)}{note})", "bold"))
    elif info.note:
        parts.append(HeaderPart(info.note, "dim"))
    if info.state:
        parts.append(HeaderPart(info.state, info.state_style))
    parts.extend(info.extra.values())
    return [HeaderPart(clean(part.text, 300, single_line=True), part.style) for part in parts if part.text]


def wrap_parts(parts: Sequence[HeaderPart], width: int) -> Text:
    """Parts joined by ` · `, wrapped between parts (never inside one unless it alone is too wide)."""
    text = Text(no_wrap=False, overflow="fold")
    used = 0
    for index, part in enumerate(parts):
        size = cell_len(part.text)
        if index:
            if width > 0 and used + len(SEPARATOR) + size > width:
                text.append("\n")
                used = 0
            else:
                text.append(SEPARATOR, style="dim")
                used += len(SEPARATOR)
        text.append(part.text, style=part.style)
        used += size
    return text


class Header(Static):
    """Identity and freshness; `show(info)` replaces what it says."""

    DEFAULT_CSS = """
    Header { height: auto; max-height: 3; padding: 0 1; background: $panel-darken-1; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.info = HeaderInfo()
        self._extra: dict[str, HeaderPart] = {}

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self._draw)

    def on_resize(self) -> None:
        self._draw()

    def show(self, info: HeaderInfo) -> None:
        self.info = info
        self._draw()

    def set_extra(self, key: str, text: str, style: str = "") -> None:
        """Add, replace or (empty text) remove one extra part, e.g. a follow state."""
        if text:
            self._extra[key] = HeaderPart(text, style)
        else:
            self._extra.pop(key, None)
        self._draw()

    def parts(self) -> list[HeaderPart]:
        info = self.info
        if self._extra:
            info = HeaderInfo(**{**{name: getattr(info, name) for name in info.__dataclass_fields__},
                                 "extra": {**info.extra, **self._extra}})
        return header_parts(info, clock())

    @property
    def plain(self) -> str:
        return SEPARATOR.join(part.text for part in self.parts())

    def _draw(self) -> None:
        width = self.content_region.width or (self.app.size.width - 2 if self.is_attached else 78)
        self.update(wrap_parts(self.parts(), width))
