"""Keep Python's cyclic garbage collector off the snapshot: paused around bulk work (loading,
indexing, checking), and the long-lived result frozen, one snapshot at a time.

A large snapshot holds millions of long-lived objects without reference cycles. While new
objects are allocated, CPython's automatic collections rescan all of them, which cost about
half of a load and more than the checks themselves (benchmarks/README.md). Reference counting
still frees everything as usual. Pauses nest and may overlap across threads (the console's
workers, fleet checks): the collector is switched back on when the last one ends, and only if
it was on when the first one began.

Freezing (`gc.freeze`) moves everything alive into a generation collections never scan, so a
full collection no longer rescans a big snapshot mid-keystroke. It is scoped to one snapshot:
when a reload replaces it, `thaw_replaced` puts what earlier snapshots froze back under the
collector and collects once, so reference cycles left from the old snapshot's time (old widgets,
tracebacks of failed workers) are freed instead of staying frozen for the life of the process.
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


def freeze_long_lived() -> None:
    """Freeze what is alive now (the current snapshot, its engine, its rows): they live until the
    next reload, so rescanning them in every full collection would be wasted work."""
    gc.freeze()


def thaw_replaced() -> None:
    """Call once the old snapshot is no longer referenced (after a reload's state swap), before
    freezing the new one: one full collection frees the old time's cycles (about 0.2 s on 20,000
    pods, once per reload, instead of never)."""
    gc.unfreeze()
    gc.collect()
