"""A list that renders only the rows on screen, for 100,000 pods.

A DataTable holding 20,000 rows takes seconds to fill; this widget keeps the rows as plain
tuples, draws only the visible lines through the Line API (`render_line`) and filters over the
lowercase search text each row carries, so a keystroke in a filter over the 108,000 rows of the
synthetic cluster is answered in ~10 ms (benchmarks/console.md).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from netpol_tui.text import clean
from netpol_tui.widgets.list_lines import draw_line, layout
from netpol_tui.widgets.rows import Column, K, Row, measure, parse_filter, sort_key

__all__ = ["Column", "Row", "VirtualList", "measure"]



class VirtualList(ScrollView, can_focus=True):
    """Keyboard-first list: arrows/j/k, PgUp/PgDn, g/G, Enter; the mouse selects and scrolls."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
        Binding("N", "sort_title('NAME')", "Sort by name", show=False),
        Binding("A", "sort_title('AGE')", "Sort by age", show=False),
        Binding("S", "sort_next", "Sort by next column", show=False),
    ]
    COMPONENT_CLASSES = {"virtual-list--header", "virtual-list--cursor", "virtual-list--cursor-blurred",
                         "virtual-list--empty"}
    DEFAULT_CSS = """
    VirtualList {
        background: $surface;
        overflow-x: hidden;
        & > .virtual-list--header { text-style: bold; background: $panel; color: $foreground; }
        & > .virtual-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
                                    text-style: $block-cursor-text-style; }
        & > .virtual-list--cursor-blurred { background: $block-cursor-blurred-background;
                                            color: $block-cursor-blurred-foreground; }
        & > .virtual-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to `row` (None when the list is empty)."""

        def __init__(self, virtual_list: VirtualList, row: Row | None) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.virtual_list

    class Selected(Highlighted):
        """Enter (or a click on the highlighted row) chose `row`."""

    def __init__(self, columns: Sequence[Column], *, empty_text: str = "Nothing to show",
                 name: str | None = None, id: str | None = None, classes: str | None = None,
                 enter: str | None = "Open") -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.empty_text = empty_text
        #: What Enter does here (shown in help); None where Enter does nothing, so help never lists it.
        self.enter = enter
        #: (column index, descending) the rows are sorted by, or None for the builder's order.
        self.sort: tuple[int, bool] | None = None
        self._unsorted: Sequence[Row] = ()
        self._terms: tuple[str, ...] = ()
        self._rows: Sequence[Row] = ()
        self._widths: tuple[int, ...] = tuple(column.width or len(column.title) for column in self.columns)
        self._visible: list[int] | None = None
        self._filter = ""
        self._cache: dict[tuple[int, bool], Strip] = {}

    # ------------------------------------------------------------------ data

    @property
    def row_count(self) -> int:
        """Rows shown after filtering."""
        return len(self._rows) if self._visible is None else len(self._visible)

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def highlighted_row(self) -> Row | None:
        return self.row_at(self.cursor)

    def row_at(self, position: int) -> Row | None:
        index = self._row_index(position)
        return None if index is None else self._rows[index]

    def set_rows(self, rows: Sequence[Row], widths: Sequence[int] | None = None) -> None:
        """Replace the rows, keep the filter, and keep the cursor on the same key when it remains."""
        current = self.highlighted_row
        self._unsorted = rows
        self._rows = self._sorted(rows)
        self._widths = tuple(widths) if widths is not None else measure(rows, self.columns)
        self._visible = None
        index = 0
        if current is not None:
            index = next((i for i, row in enumerate(rows) if row.key == current.key), 0)
        self._apply_filter(self._filter, narrowing=False)
        self._move_to_index(index)

    def _sorted(self, rows: Sequence[Row]) -> Sequence[Row]:
        if self.sort is None:
            return rows
        index, descending = self.sort
        how = self.columns[index].sort
        return sorted(rows, key=lambda row: sort_key(row.cells[index] if index < len(row.cells) else "", how),
                      reverse=descending)

    def sort_by(self, index: int, descending: bool | None = None) -> None:
        """Sort by column `index` (again on the same column: reverse); the cursor keeps its row."""
        if not 0 <= index < len(self.columns):
            return
        if descending is None:
            descending = not self.sort[1] if self.sort is not None and self.sort[0] == index else False
        current = self.highlighted_row
        self.sort = (index, descending)
        self._rows = self._sorted(self._unsorted)
        self._visible = None
        self._apply_filter(self._filter, narrowing=False)
        target = 0
        if current is not None:
            target = next((i for i, row in enumerate(self._rows) if row.key == current.key), 0)
        self._move_to_index(target)

    def column_index(self, title: str) -> int | None:
        return next((i for i, column in enumerate(self.columns) if column.title.startswith(title)), None)

    def set_filter(self, text: str) -> None:
        """Show rows containing every whitespace-separated term and none of the `!term`s (case-insensitive)."""
        if text == self._filter:
            return
        index = self._row_index(self.cursor)
        narrowing = bool(self._filter) and text.lower().startswith(self._filter.lower()) and "!" not in text
        self._apply_filter(text, narrowing=narrowing)
        self._move_to_index(index if index is not None else 0)

    def select_key(self, key: object) -> bool:
        """Move the cursor to the row with `key`; False when it is not shown."""
        for index, row in enumerate(self._rows):
            if row.key == key:
                position = self._position_of(index)
                if position is None:
                    return False
                self.cursor = position
                return True
        return False

    def find(self, predicate: Callable[[K], bool]) -> tuple[int | None, Row[K] | None]:
        """(position, row) of the first row whose key satisfies `predicate`: position None when the
        filter hides it, (None, None) when no row does (one pass, ~20 ms over 100,000 rows).

        The predicate takes the keys the owner put in the rows (`K`: the list never looks into them)."""
        for index, row in enumerate(self._rows):
            if predicate(row.key):
                return self._position_of(index), row
        return None, None

    def _row_index(self, position: int) -> int | None:
        if not 0 <= position < self.row_count:
            return None
        return position if self._visible is None else self._visible[position]

    def _position_of(self, index: int) -> int | None:
        if self._visible is None:
            return index if index < len(self._rows) else None
        position = bisect_left(self._visible, index)
        return position if position < len(self._visible) and self._visible[position] == index else None

    def _move_to_index(self, index: int) -> None:
        """Cursor on row `index`, or on the next row still shown after it."""
        position = index if self._visible is None else bisect_left(self._visible, index)
        self.cursor = min(position, max(0, self.row_count - 1))

    def _apply_filter(self, text: str, *, narrowing: bool) -> None:
        terms, excluded = parse_filter(text)
        if not terms and not excluded:
            self._visible = None
        else:
            rows = self._rows
            candidates = self._visible if narrowing and self._visible is not None else range(len(rows))
            if len(terms) == 1 and not excluded:
                term = terms[0]
                self._visible = [index for index in candidates if term in rows[index].search]
            else:
                self._visible = [index for index in candidates
                                 if all(term in rows[index].search for term in terms)
                                 and not any(term in rows[index].search for term in excluded)]
        self._filter = text
        self._terms = terms
        self._cache.clear()
        size = Size(self.size.width, self.row_count + 1)
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    # ------------------------------------------------------------------ cursor

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._cache.pop((old, True), None)
        self._cache.pop((new, False), None)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.row_at(new)))

    def _scroll_to_cursor(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False, immediate=True, force=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 2)

    def action_jump(self, position: int) -> None:
        self.cursor = position if position >= 0 else self.row_count - 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that would do nothing here are off (and so absent from the generated help)."""
        if action == "select":
            return self.enter is not None
        if action == "sort_title":
            return self.column_index(str(parameters[0])) is not None if parameters else False
        return True

    def action_sort_title(self, title: str) -> None:
        index = self.column_index(title)
        if index is not None:
            self.sort_by(index)

    def action_sort_next(self) -> None:
        """k9s-like sort cycling: each press sorts by the next column; the last returns to the list's own order."""
        if self.sort is None:
            self.sort_by(0)
        elif self.sort[0] + 1 < len(self.columns):
            self.sort_by(self.sort[0] + 1, False)
        else:
            self.sort = None
            current = self.highlighted_row
            self._rows = self._unsorted
            self._apply_filter(self._filter, narrowing=False)
            target = next((i for i, row in enumerate(self._rows) if current is not None and row.key == current.key), 0)
            self._move_to_index(target)

    def action_select(self) -> None:
        row = self.highlighted_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        position = round(self.scroll_y) + offset.y - 1
        if 0 <= position < self.row_count:
            if position == self.cursor or event.chain > 1:
                self.cursor = position
                self.action_select()
            else:
                self.cursor = position

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.size.width, self.row_count + 1)
        self.call_after_refresh(self._scroll_to_cursor)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # ------------------------------------------------------------------ rendering

    def _layout(self, width: int) -> list[int]:
        return layout(self.columns, self._widths, width)

    def _line(self, cells: Sequence[str], styles: Sequence[str | None] | None, base: Style,
              widths: Sequence[int], width: int, terms: tuple[str, ...] = ()) -> Strip:
        return draw_line(self.columns, cells, styles, base, widths, width, terms)

    def _titles(self) -> list[str]:
        titles = [column.title for column in self.columns]
        if self.sort is not None:
            index, descending = self.sort
            titles[index] += "↓" if descending else "↑"
        return titles

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("virtual-list--header")
            return self._line(self._titles(), None, header, self._layout(width), width)
        position = round(self.scroll_y) + y - 1
        if position >= self.row_count:
            if position == 0:
                # While nothing is loaded the list says why (loading, failed), whatever the filter.
                empty = clean(self.empty_text if not self._filter or not self._rows
                              else f"No match for {self._filter!r} (of {len(self._rows):,})", single_line=True)
                style = base + self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(set_cell_size(" " + empty, width), style)], width)
            return Strip.blank(width, base)
        is_cursor = position == self.cursor
        cached = self._cache.get((position, is_cursor))
        if cached is not None and cached.cell_length == width:
            return cached
        row = self.row_at(position)
        assert row is not None
        style = base
        if is_cursor:
            component = "virtual-list--cursor" if self.has_focus else "virtual-list--cursor-blurred"
            style = base + self.get_component_rich_style(component)
        strip = self._line(row.cells, None if is_cursor else row.styles, style, self._layout(width), width,
                           self._terms)
        if len(self._cache) > 2000:
            self._cache.clear()
        self._cache[(position, is_cursor)] = strip
        return strip
