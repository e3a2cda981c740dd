"""The data a VirtualList shows: columns, and rows with their precomputed search text.

Pure data (no textual), so screens can build 100,000 rows off the rendering path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.cells import cell_len

from netpol_tui.timestamps import age_seconds

#: A row's key: what the owner of the list makes of the row (each screen has its own kinds of key).
K = TypeVar("K")
#: The same for `Row` itself, covariant: a row is never changed, so a `Row[PodKey]` is a
#: `Row[PodKey | NamespaceKey]` (one list mixes kinds of rows built by different functions).
K_co = TypeVar("K_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Column:
    """A column: `width` fixed, or measured from the rows between `min_width` and `max_width`.

    The `flex` column takes whatever width is left (when none is marked: the last column
    without a fixed width). `shorten` says how a value too long for the column is shown:
    `middle` (names: the unique suffix stays), `end`, or `never` (versions, addresses: the
    column keeps their full width and the columns right of it give way). `searchable` columns
    are the ones the filter matches (name, namespace, labels) and highlights; `sort` is how
    the column orders rows (`text`, `age` as kubectl prints it, `number`).
    """

    title: str
    width: int | None = None
    min_width: int = 3
    max_width: int = 60
    flex: bool = False
    shorten: str = "middle"
    searchable: bool = True
    sort: str = "text"


@dataclass(frozen=True, slots=True)
class Row(Generic[K_co]):
    """One row: display cells (already cleaned of control sequences), a key for the owner,
    the lowercase text the filter searches, and optional rich styles per cell.

    Generic in the key so that a screen reading back its highlighted row knows what it put there
    (`Row[tuple[Literal["flow"], Flow]]`); the list itself never looks into a key."""

    cells: tuple[str, ...]
    key: K_co
    search: str
    styles: tuple[str | None, ...] | None = None

    @classmethod
    def make(cls: type[Row[K]], cells: Sequence[str], key: K, styles: Sequence[str | None] | None = None,
             extra_search: str = "", search_cells: Sequence[int] | None = None) -> Row[K]:
        """`search_cells`: the cells the filter matches (default all), e.g. name, namespace, labels."""
        text = " ".join(cells) if search_cells is None else " ".join(cells[i] for i in search_cells)
        return cls(tuple(cells), key, (text + " " + extra_search).lower() if extra_search else text.lower(),
                   tuple(styles) if styles is not None else None)


def parse_filter(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(terms every row must contain, terms no row may contain): `!term` excludes, k9s style."""
    include: list[str] = []
    exclude: list[str] = []
    for term in text.lower().split():
        if term.startswith("!"):
            if term[1:]:
                exclude.append(term[1:])
        else:
            include.append(term)
    return tuple(include), tuple(exclude)


def sort_key(value: str, how: str) -> tuple:
    """Orders cells of a column: ages (`5d`, `3d4h`, `37m`) by duration, numbers by value, text as text;
    unparsable values (`?`, `-`) sort last."""
    if how == "age":
        seconds = age_seconds(value)
        return (1, 0, value) if seconds is None else (0, seconds, "")
    if how == "number":
        head = value.split("/")[0].split()[0] if value.split() else ""
        try:
            return (0, float(head.replace(",", "")), value)
        except ValueError:
            return (1, 0, value)
    return (0, 0, value.lower())


#: The widest a measured column is ever laid out (its `max_width` is where it starts: see
#: `list_lines.layout`, which gives a column more only when the terminal has room to spare).
NATURAL_CAP = 240


def measure(rows: Sequence[Row], columns: Sequence[Column]) -> tuple[int, ...]:
    """Natural width of each column (title included), up to NATURAL_CAP; cheap enough for a worker."""
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(column.width)
            continue
        longest = max((len(row.cells[index]) for row in rows if index < len(row.cells)), default=0)
        if longest and any(not row.cells[index].isascii() for row in rows[:2000] if index < len(row.cells)):
            longest = max(cell_len(row.cells[index]) for row in rows if index < len(row.cells))
        widths.append(max(column.min_width, min(NATURAL_CAP, max(longest, len(column.title)))))
    return tuple(widths)
