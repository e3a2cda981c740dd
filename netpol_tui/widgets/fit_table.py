"""A small Rich table for the screens' summary blocks (node pools, operations in flight) that
never cuts a value silently.

Rich's `Table` squeezes every column proportionally when the block is narrower than the table,
ignoring `min_width`, and cut a pool's version to `1.30.5-gke` with no mark. Here the columns
follow the list's `Column` spec: each sized from its content, `shorten="never"` columns
(versions, statuses, timestamps) keep their full width, the other columns give way (names in the
middle, so the unique suffix stays), and when even that does not fit the row wraps onto an
indented continuation line instead of cutting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from netpol_tui.widgets.fit import ELLIPSIS, fit
from netpol_tui.widgets.rows import Column

GAP = 2
INDENT = 2


def fit_text(text: Text, width: int, how: str) -> Text:
    """`text` in `width` cells by the column's rule, keeping its styles where it stays ASCII."""
    if how == "never" or cell_len(text.plain) <= width:
        return text
    if not text.plain.isascii() or width < 2:
        return Text(fit(text.plain, width, how), style=text.style)
    if how == "end":
        return Text.assemble(text[: width - 1], ELLIPSIS)
    room = width - 1
    tail = (room + 1) // 2
    head = room - tail
    return Text.assemble(text[:head], ELLIPSIS, text[len(text.plain) - tail:])


class FitTable:
    """Columns (`rows.Column`: `min_width`, `max_width`, `shorten`) and rows of `Text` or str."""

    def __init__(self, columns: Sequence[Column], rows: Iterable[Sequence[Text | str]] = (),
                 header_style: str = "bold") -> None:
        self.columns = list(columns)
        self.rows: list[list[Text]] = [[cell if isinstance(cell, Text) else Text(cell) for cell in row]
                                       for row in rows]
        self.header_style = header_style

    def add_row(self, *cells: Text | str) -> None:
        self.rows.append([cell if isinstance(cell, Text) else Text(cell) for cell in cells])

    def natural(self) -> list[int]:
        """Each column's width from its content; `never` columns are not clamped by `max_width`."""
        widths = []
        for index, column in enumerate(self.columns):
            longest = max([cell_len(column.title)] + [cell_len(row[index].plain) for row in self.rows
                                                       if index < len(row)])
            if column.width is not None and column.shorten != "never":
                widths.append(column.width)
            elif column.shorten == "never":
                widths.append(longest)
            else:
                widths.append(max(min(column.min_width, longest), min(column.max_width, longest)))
        return widths

    def widths(self, available: int) -> list[int]:
        """Widths for `available` cells: the widest shortenable column gives way first, down to its minimum;
        when even that is too wide, the natural widths (the row will wrap)."""
        widths = self.natural()
        excess = sum(widths) + GAP * (len(widths) - 1) - available
        while excess > 0:
            candidates = [i for i, column in enumerate(self.columns)
                          if column.shorten != "never" and widths[i] > column.min_width]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: widths[i])
            widths[widest] -= 1
            excess -= 1
        if excess > 0:
            # The row wraps anyway: its continuation lines have room, so names keep their width
            # (each at most a line).
            return [min(width, max(1, available - INDENT)) if column.shorten != "never" else width
                    for column, width in zip(self.columns, self.natural(), strict=True)]
        return widths

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        natural = self.natural()
        total = sum(natural) + GAP * (len(natural) - 1)
        return Measurement(min(total, max(natural, default=0)), total).clamp(max_width=options.max_width)

    def _breaks(self, widths: Sequence[int], available: int) -> list[list[int]]:
        """The columns on each physical line of a row: a column that would pass the edge starts a new line."""
        lines: list[list[int]] = [[]]
        used = 0
        for index, width in enumerate(widths):
            need = width if not lines[-1] else GAP + width
            if lines[-1] and used + need > available:
                lines.append([index])
                used = INDENT + width
            else:
                lines[-1].append(index)
                used += need
        return lines

    def _lines(self, cells: Sequence[Text], widths: Sequence[int], breaks: list[list[int]]) -> Iterable[Text]:
        for number, indexes in enumerate(breaks):
            line = Text(" " * INDENT if number else "", overflow="fold")
            for position, index in enumerate(indexes):
                cell = cells[index] if index < len(cells) else Text("")
                cell = fit_text(cell, widths[index], self.columns[index].shorten)
                line.append_text(cell)
                if position < len(indexes) - 1:
                    line.append(" " * (widths[index] - cell_len(cell.plain) + GAP))
            line.rstrip()
            yield line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        available = options.max_width
        widths = self.widths(available)
        breaks = self._breaks(widths, available)
        yield from self._lines([Text(column.title, style=self.header_style) for column in self.columns],
                               widths, breaks)
        for row in self.rows:
            yield from self._lines(row, widths, breaks)
