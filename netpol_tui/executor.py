"""An executor whose threads never delay the exit.

Textual runs thread workers through the event loop's default executor; a ThreadPoolExecutor is
joined when the loop closes and again at interpreter exit, so `q` pressed while the verdict
engine or the checks were still running on a big cluster blanked the screen for seconds before
the process ended. Each job here runs in its own daemon thread, which nothing joins; the work
is read-only and in memory, so nothing is lost when the process ends under it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class DaemonExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor (asyncio accepts no other as the default) that pools nothing."""

    def __init__(self, name: str = "netpol-tui-worker") -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self.name = name
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._shutdown:
            raise RuntimeError("cannot schedule new work after shutdown")
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the awaiting worker, which reports it
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name=self.name, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Never waits: the running jobs are daemons and end with the process."""
        self._shutdown = True
