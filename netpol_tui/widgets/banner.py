"""The banner under the mode bar: loading progress, load and check failures, degraded modes.

It only displays what the screen hands it (attributes down); it never decides what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from netpol_tui.text import clean

LEVEL_ICONS = {"error": "✖", "warning": "▲", "info": "●", "progress": "…"}


@dataclass(frozen=True, slots=True)
class BannerLine:
    """One notice: `level` is error, warning, info or progress; `detail` what still works."""

    level: str
    text: str
    detail: str = ""


class Banner(Static):
    """Zero or more notices, most severe first; hidden when there is none."""

    DEFAULT_CSS = """
    Banner {
        height: auto;
        max-height: 8;
        padding: 0 1;
        display: none;
        &.-shown { display: block; }
        &.-error { background: $error 20%; border-left: thick $error; }
        &.-warning { background: $warning 15%; border-left: thick $warning; }
        &.-info, &.-progress { background: $primary 12%; border-left: thick $primary; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.lines: tuple[BannerLine, ...] = ()

    def show_lines(self, lines: Sequence[BannerLine]) -> None:
        lines = tuple(sorted(lines, key=lambda line: ("error", "warning", "info", "progress").index(line.level)))
        if lines == self.lines:
            return
        self.lines = lines
        for level in ("error", "warning", "info", "progress"):
            self.set_class(bool(lines) and lines[0].level == level, f"-{level}")
        self.set_class(bool(lines), "-shown")
        text = Text()
        styles = {"error": "bold red", "warning": "bold yellow", "info": "bold", "progress": "bold"}
        for index, line in enumerate(lines):
            if index:
                text.append("\n")
            text.append(f"{LEVEL_ICONS.get(line.level, '•')} ", style=styles.get(line.level, ""))
            text.append(clean(line.text, 400, single_line=True), style=styles.get(line.level, ""))
            if line.detail:
                text.append("  " + clean(line.detail, 400, single_line=True), style="italic")
        self.update(text)

    @property
    def plain(self) -> str:
        """The banner text as shown (for tests and the keys dialog)."""
        return "\n".join(f"{line.text} {line.detail}".strip() for line in self.lines)
