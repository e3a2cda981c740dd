"""The data a VirtualList shows: columns, and rows with their precomputed search text.

Pure data (no textual), so screens can build 100,000 rows off the rendering path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len


@dataclass(frozen=True, slots=True)
class Column:
    """A column: `width` fixed, or measured from the rows between `min_width` and `max_width`.

    The `flex` column takes whatever width is left (when none is marked: the last column
    without a fixed width).
    """

    title: str
    width: int | None = None
    min_width: int = 3
    max_width: int = 60
    flex: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One row: display cells (already cleaned of control sequences), a key for the owner,
    the lowercase text the filter searches, and optional rich styles per cell."""

    cells: tuple[str, ...]
    key: object
    search: str
    styles: tuple[str | None, ...] | None = None

    @classmethod
    def make(cls, cells: Sequence[str], key: object, styles: Sequence[str | None] | None = None,
             extra_search: str = "") -> Row:
        text = " ".join(cells)
        return cls(tuple(cells), key, (text + " " + extra_search).lower() if extra_search else text.lower(),
                   tuple(styles) if styles is not None else None)


def measure(rows: Sequence[Row], columns: Sequence[Column]) -> tuple[int, ...]:
    """Natural width of each column (title included), clamped; cheap enough for a worker."""
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max((len(row.cells[index]) for row in rows if index < len(row.cells)), default=0)
        if longest and any(not row.cells[index].isascii() for row in rows[:2000] if index < len(row.cells)):
            longest = max(cell_len(row.cells[index]) for row in rows if index < len(row.cells))
        widths.append(max(column.min_width, min(column.max_width, max(longest, len(column.title)))))
    return tuple(widths)
