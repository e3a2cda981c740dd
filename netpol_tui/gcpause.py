"""Pause Python's cyclic garbage collector around bulk work: loading, indexing, checking.

A large snapshot holds millions of long-lived objects without reference cycles. While new
objects are allocated, CPython's automatic collections rescan all of them, which cost about
half of a load and more than the checks themselves (benchmarks/README.md). Reference counting
still frees everything as usual. Pauses nest and may overlap across threads (the console's
workers, fleet checks): the collector is switched back on when the last one ends, and only if
it was on when the first one began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
