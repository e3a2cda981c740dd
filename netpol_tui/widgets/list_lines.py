"""The virtual list's lines: column widths for the width available, and one line drawn as
segments (cells fitted and styled, filter matches marked). Pure functions of the columns, the
cells and the width, so the widget keeps only the data, the cursor and the scrolling."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from netpol_tui.text import clean
from netpol_tui.widgets.fit import fit
from netpol_tui.widgets.rows import Column

SEPARATOR = "  "
MATCH_STYLE = Style(bold=True, underline=True, color="bright_yellow")


@lru_cache(maxsize=256)
def _style(text: str) -> Style:
    return Style.parse(text)


def layout(columns: Sequence[Column], measured: Sequence[int], width: int) -> list[int]:
    """Column widths for the available width. A measured column starts at its natural width up
    to its `max_width`; room to spare goes to the flex column up to its natural width, then to
    the columns `max_width` held back (left first: they are ordered by importance), and what is
    still left to the flex column. Too narrow: see below."""
    widths = [natural if column.width is not None else min(natural, column.max_width)
              for column, natural in zip(columns, measured, strict=False)]
    if not widths:
        return widths
    flex = next((i for i, c in enumerate(columns) if c.flex),
                next((i for i in reversed(range(len(widths))) if columns[i].width is None), len(widths) - 1))
    used = 1 + sum(widths) + len(SEPARATOR) * (len(widths) - 1)
    slack = width - used
    if slack > 0:
        for index in [flex, *range(len(widths))]:
            grow = min(slack, measured[index] - widths[index])
            if grow > 0 and (columns[index].width is None or index == flex):
                widths[index] += grow
                slack -= grow
        widths[flex] += slack
        return widths
    # Too narrow: the flex column gives way down to its minimum, then the other measured
    # columns from the right (columns are ordered by importance), so the first stays readable.
    deficit = -slack
    for index in [flex, *reversed(range(len(widths)))]:
        column = columns[index]
        if deficit <= 0:
            break
        if (column.width is not None and index != flex) or column.shorten == "never":
            continue
        give = min(deficit, max(0, widths[index] - column.min_width))
        widths[index] -= give
        deficit -= give
    return widths


def draw_line(columns: Sequence[Column], cells: Sequence[str], styles: Sequence[str | None] | None, base: Style,
              widths: Sequence[int], width: int, terms: tuple[str, ...] = ()) -> Strip:
    """One line of the list: each cell fitted to its column (cut cluster text marked as cut),
    styled, with the filter terms marked in searchable columns."""
    segments = [Segment(" ", base)]
    used = 1
    for index, column_width in enumerate(widths):
        if used >= width:
            break
        cut_by_edge = column_width > width - used
        column_width = min(column_width, width - used)
        text = cells[index] if index < len(cells) else ""
        if not text.isprintable():
            # Row builders clean cluster text; this keeps an escape or bidi control that slipped
            # through from ever reaching the terminal (segments are written as they are).
            text = clean(text, single_line=True)
        column = columns[index] if index < len(columns) else None
        if len(text) > column_width or not text.isascii():
            if cell_len(text) > column_width:
                # A value cut by the terminal's edge still shows that it was cut.
                how = "end" if cut_by_edge or column is None else column.shorten
                text = fit(text, column_width, "end" if how == "never" else how)
        style = base
        if styles is not None and index < len(styles) and styles[index]:
            style = base + _style(styles[index])
        text = set_cell_size(text, column_width)
        if terms and column is not None and column.searchable:
            segments.extend(_highlighted(text, terms, style))
        else:
            segments.append(Segment(text, style))
        used += column_width
        if index < len(widths) - 1 and used < width:
            gap = min(len(SEPARATOR), width - used)
            segments.append(Segment(" " * gap, base))
            used += gap
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return Strip(segments, width)


def _highlighted(text: str, terms: Sequence[str], style: Style) -> list[Segment]:
    """`text` as segments with every occurrence of a filter term marked (case-insensitive)."""
    lower = text.lower()
    marks = [False] * len(text)
    for term in terms:
        start = lower.find(term)
        while start != -1:
            for offset in range(start, min(len(text), start + len(term))):
                marks[offset] = True
            start = lower.find(term, start + 1)
    if not any(marks) or len(lower) != len(text):
        return [Segment(text, style)]
    segments: list[Segment] = []
    match_style = style + MATCH_STYLE
    begin = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marks[index] != marks[begin]:
            segments.append(Segment(text[begin:index], match_style if marks[begin] else style))
            begin = index
    return segments
