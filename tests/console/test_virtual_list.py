"""The virtual list: filtering over the precomputed index, cursor keeping, keys, mouse, rendering."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult

from netpol_tui.widgets.list_lines import layout
from netpol_tui.widgets.rows import NATURAL_CAP
from netpol_tui.widgets.virtual_list import Column, Row, VirtualList, measure
from tests.console.helpers import sync

COLUMNS = [Column("NAME", max_width=30), Column("NAMESPACE", max_width=20), Column("LABELS", flex=True)]


def rows(count: int) -> list[Row]:
    return [Row.make((f"pod-{index:06d}", f"ns-{index % 7}", f"app=a{index % 13}"), index) for index in range(count)]


class ListApp(App):
    def __init__(self, data: list[Row]) -> None:
        super().__init__()
        self.data = data
        self.events: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield VirtualList(COLUMNS, id="list", empty_text="nothing here")

    def on_mount(self) -> None:
        self.query_one(VirtualList).set_rows(self.data)
        self.query_one(VirtualList).focus()

    def on_virtual_list_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.events.append(("highlighted", event.row.key if event.row else None))

    def on_virtual_list_selected(self, event: VirtualList.Selected) -> None:
        self.events.append(("selected", event.row.key))


@sync
async def test_filter_terms_must_all_match_and_narrowing_reuses_the_previous_result() -> None:
    app = ListApp(rows(100_000))
    async with app.run_test(size=(80, 20)):
        widget = app.query_one(VirtualList)
        widget.set_filter("ns-3")
        assert widget.row_count == len([i for i in range(100_000) if i % 7 == 3])
        widget.set_filter("ns-3 app=a12")
        expected = [i for i in range(100_000) if i % 7 == 3 and f"app=a{i % 13}" == "app=a12"]
        assert [widget.row_at(p).key for p in range(widget.row_count)] == expected
        widget.set_filter("NS-3 APP=A12")
        assert widget.row_count == len(expected), "case-insensitive"
        widget.set_filter("")
        assert widget.row_count == 100_000


@sync
async def test_cursor_stays_on_its_row_through_filtering() -> None:
    app = ListApp(rows(50))
    async with app.run_test(size=(80, 20)):
        widget = app.query_one(VirtualList)
        widget.cursor = 20
        widget.set_filter("ns-6")
        assert widget.highlighted_row.key == 20
        widget.set_filter("app=a8")
        assert widget.highlighted_row.key == 21, "the next row shown after the one that left"
        widget.set_filter("")
        widget.set_rows(list(reversed(rows(50))))
        assert widget.highlighted_row.key == widget.row_at(widget.cursor).key


def test_measure_gives_natural_widths_and_counts_wide_characters() -> None:
    data = [Row.make(("短い名前です", "x" * 100, ""), 0), Row.make(("a", "b", ""), 1)]
    assert measure(data, COLUMNS) == (12, 100, 6)
    assert measure([Row.make(("", "x" * 1000, ""), 0)], COLUMNS)[1] == NATURAL_CAP


def test_max_width_holds_a_column_back_only_while_the_terminal_has_no_room_to_spare() -> None:
    measured = (12, 100, 40)  # NAME, NAMESPACE (max_width 20), LABELS (flex)
    # 70 columns: NAMESPACE held at its max_width 20, the flex column gives way
    assert layout(COLUMNS, measured, 70) == [12, 20, 70 - 1 - 12 - 20 - 4]
    # 80: the flex column at its natural 40, the 3 columns to spare go to NAMESPACE
    assert layout(COLUMNS, measured, 80) == [12, 80 - 1 - 12 - 40 - 4, 40]
    # 120: the flex column first up to its natural 40, then NAMESPACE beyond its max_width
    assert layout(COLUMNS, measured, 120) == [12, 120 - 1 - 12 - 40 - 4, 40]
    # 200: everyone at full width, the flex column takes the rest
    assert layout(COLUMNS, measured, 200) == [12, 100, 200 - 1 - 12 - 100 - 4]
    # too narrow: as before, the flex column gives way first, then the others from the right
    assert layout(COLUMNS, measured, 40)[0] == 12


@sync
async def test_keys_mouse_and_messages() -> None:
    app = ListApp(rows(200))
    async with app.run_test(size=(80, 20)) as pilot:
        widget = app.query_one(VirtualList)
        await pilot.press("down", "down", "j")
        assert widget.cursor == 3
        await pilot.press("k")
        assert widget.cursor == 2
        await pilot.press("pagedown")
        assert widget.cursor > 10 and widget.scroll_y > 0
        await pilot.press("G")
        assert widget.cursor == 199
        await pilot.press("g")
        assert widget.cursor == 0 and widget.scroll_y == 0
        await pilot.press("enter")
        await pilot.pause()
        assert ("selected", 0) in app.events
        await pilot.click(VirtualList, offset=(5, 4))
        await pilot.pause()
        assert widget.cursor == 3
        await pilot.click(VirtualList, offset=(5, 4))
        await pilot.pause()
        assert ("selected", 3) in app.events
        widget.set_filter("no such pod")
        await pilot.pause()
        assert widget.row_count == 0 and widget.highlighted_row is None
        assert "No match for 'no such pod'" in widget.render_line(1).text


@sync
async def test_lines_are_exactly_the_width_with_wide_and_right_to_left_text() -> None:
    data = [Row.make(("ポッド名前ポッド名前ポッド名前ポッド名前", "שלום-עולם", "emoji=🚀🚀🚀🚀"), 0),
            Row.make(("x" * 500, "y", "z"), 1)]
    app = ListApp(data)
    async with app.run_test(size=(60, 10)) as pilot:
        widget = app.query_one(VirtualList)
        await pilot.pause()
        width = widget.scrollable_content_region.width
        for y in range(4):
            strip = widget.render_line(y)
            assert strip.cell_length == width
            assert cell_len(strip.text) == width
        assert "…" in widget.render_line(2).text


@sync
async def test_a_cell_with_escapes_or_markup_is_drawn_cleaned_and_literally() -> None:
    """Row builders clean cluster text; the list cleans again what is not printable, so an escape
    never reaches the terminal even from a builder that forgot, and markup is only characters."""
    from tests.console.helpers import screen_text

    hostile = Row.make(("evil\x1b]52;c;ZXZpbA==\x07\u202e[/oops]", "ns\x1b[2J", "[bold]x[/]"), "evil")
    app = ListApp([hostile, *rows(3)])
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "evil\\u202e[/oops]" in text and "[bold]x[/]" in text and " ns " in text
        assert not any(bad in text for bad in ("\x1b", "\x07", "\u202e", "ZXZpbA=="))



@sync
async def test_rows_and_cursor_set_together_on_an_empty_list_scroll_the_cursor_into_view() -> None:
    """What a screen opened by go-to does: its list was laid out empty (no scrollbar), then gets
    its rows and the cursor in one go. A scroll that waits for the scrollbar never comes (the
    size does not change), so the row stayed out of view."""
    app = ListApp([])
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        widget = app.query_one(VirtualList)
        widget.set_rows(rows(500))
        widget.cursor = 300
        await pilot.pause()
        top = round(widget.scroll_y)
        assert widget.cursor == 300
        assert top <= 300 < top + widget.scrollable_content_region.height - 1, top
