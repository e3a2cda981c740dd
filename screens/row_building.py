"""A mode screen's list rows, built on the UI thread in slices: the rows of a 100,000-pod
snapshot take seconds to build, and a thread would hold the GIL for all of them (a screen switch
took a second); slices of a few milliseconds keep every key within one slice of its answer.

Builds of one queue run one at a time, the newest request after the running one: while the
console follows a busy cluster, cancelling the running build on every update meant none finished.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any

from textual.screen import Screen

from netpol_tui.gcpause import freeze_long_lived, gc_paused
from netpol_tui.messages import RowsPrepared
from netpol_tui.tracing import trace
from netpol_tui.widgets.virtual_list import Row, VirtualList, measure

BIG_LIST = 10_000
#: Longest stretch the UI thread spends building rows before it answers keys again.
ROWS_SLICE_SECONDS = 0.004
#: ... and how long it then leaves the event loop to everything else (keys, repaints).
ROWS_PAUSE_SECONDS = 0.002


def _widest(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(max(x, y) for x, y in zip(a, b, strict=True)) if a else b


class RowBuilding(Screen):
    """Mixin of ModeScreen: `prepare_rows` and the RowsPrepared handler."""

    def _rows_setup(self) -> None:
        #: Queues whose rows are being built, and the newest build asked for meanwhile.
        self._rows_building: set[str] = set()
        self._rows_waiting: dict[str, tuple[Callable[..., Iterable[Row | None]], tuple[Any, ...], object]] = {}

    def show_filter_count(self, target: str) -> None:
        """Hook (ModeScreen): the filter's count line of `target`."""

    def _try_reveal(self) -> None:
        """Hook (ModeScreen): a pending go-to may find its row now."""

    # ------------------------------------------------------------------ rows off the UI thread

    def prepare_rows(self, target: str, builder: Callable[..., Iterable[Row | None]], *args: Any,
                     generation: object = None, queue: str | None = None) -> None:
        """Build a list's rows, then put them into `#target` (via `on_rows_prepared`).

        Runs on the UI thread in slices of a few milliseconds instead of in a thread: a thread
        building 100,000 rows holds the GIL and made every key wait for it (a screen switch took
        a second); slices keep each key within one slice of its answer. A builder may yield None
        as a checkpoint during long preparation that produces no row yet.

        `queue` (default `target`): builds of one queue run one at a time; a build ahead of its
        state (Policies, while the followed snapshot's checks run) has a queue of its own, so it
        never takes the place of a build the list is waiting for.
        """
        queue = queue or target
        if queue in self._rows_building:
            # let the running build finish (the list keeps its rows meanwhile), then build only the
            # newest asked for: cancelling it on every followed update meant no build ever finished
            self._rows_waiting[queue] = (builder, args, generation)
            return
        self._rows_building.add(queue)
        lists = self.query(f"#{target}")
        columns = lists.first(VirtualList).columns if lists else ()

        async def work() -> None:
            try:
                await build()
            finally:
                self._rows_building.discard(queue)
                waiting = self._rows_waiting.pop(queue, None)
                if waiting is not None:
                    self.prepare_rows(target, waiting[0], *waiting[1], generation=waiting[2], queue=queue)

        async def build() -> None:
            started, slices = time.perf_counter(), 0
            rows: list[Row] = []
            widths: tuple[int, ...] = ()
            measured = 0
            deadline = time.perf_counter() + ROWS_SLICE_SECONDS
            with gc_paused():
                for count, row in enumerate(builder(*args)):
                    if row is not None:
                        rows.append(row)
                    if not count & 255 and time.perf_counter() >= deadline:
                        widths = _widest(widths, measure(rows[measured:], columns))
                        measured = len(rows)
                        await asyncio.sleep(ROWS_PAUSE_SECONDS)
                        slices += 1
                        deadline = time.perf_counter() + ROWS_SLICE_SECONDS
                widths = _widest(widths, measure(rows[measured:], columns))
            trace("rows-built", target=target, rows=len(rows), slices=slices, seconds=time.perf_counter() - started)
            self.post_message(RowsPrepared(target, rows, widths, generation))

        self.run_worker(work(), exit_on_error=False, name=f"rows:{queue}", group=f"rows:{queue}")

    @property
    def being_removed(self) -> bool:
        """Hook (ModeScreen): the app is quitting and this screen's widgets are going."""
        return False

    def on_rows_prepared(self, message: RowsPrepared) -> None:
        if self.being_removed:
            return
        if len(message.rows) > BIG_LIST:
            freeze_long_lived()  # the rows live as long as the snapshot: no need to rescan them in every collection
        started = time.perf_counter()
        for virtual_list in self.query(f"#{message.target}").results(VirtualList):
            virtual_list.set_rows(message.rows, message.widths)
        trace("rows-set", target=message.target, seconds=time.perf_counter() - started)
        self.show_filter_count(message.target)
        self.rows_shown(message.target)
        self._try_reveal()

    def rows_shown(self, target: str) -> None:
        """Hook: rows of `target` were replaced."""
