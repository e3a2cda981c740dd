"""Timing lines for finding where the console's time goes while it follows a cluster: written to
the file $NETPOL_FOLLOW_TRACE names (benchmarks/bench_follow.py --console reads it), nothing when
it is not set. A developer aid, not output: the console never reads it back."""

from __future__ import annotations

import os
import time
from typing import Any


def trace(event: str, **values: Any) -> None:
    """One line to $NETPOL_FOLLOW_TRACE (benchmarks/bench_follow.py --console reads where the time
    goes while following); nothing when it is not set."""
    path = os.environ.get("NETPOL_FOLLOW_TRACE")
    if path:
        fields = " ".join(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                          for key, value in values.items())
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{time.monotonic():.3f} {event} {fields} rss={_rss_mb()}\n")


def _rss_mb() -> int:
    """The resident set in MB (Linux; 0 elsewhere): where memory grows while following."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError):
        return 0
