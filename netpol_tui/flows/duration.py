"""`--logs-since` durations: 30m, 1h, 2d, 1h30m (as `gcloud logging read --freshness` writes them).

A bare number is refused rather than guessed at (seconds? minutes?); so is a duration longer
than Cloud Logging keeps anything (3650 days, the longest bucket retention), which can only be
a typo.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: The longest retention a log bucket can have.
MAX_DURATION = timedelta(days=3650)
_PART = re.compile(r"(\d{1,9})([smhdw])")
EXAMPLES = "e.g. 30m, 1h, 2d or 1h30m (units s, m, h, d, w)"


def parse_duration(text: str) -> timedelta:
    """The duration `text` names; ValueError with a one-line message that says how to write it."""
    compact = (text or "").strip().lower().replace(" ", "")
    if not compact:
        raise ValueError(f"--logs-since needs a duration, {EXAMPLES}")
    seconds = 0
    position = 0
    units_seen: list[str] = []
    while position < len(compact):
        match = _PART.match(compact, position)
        if match is None:
            raise ValueError(f"--logs-since {text!r} is not a duration; write it {EXAMPLES}")
        number, unit = match.groups()
        if unit in units_seen:
            raise ValueError(f"--logs-since {text!r} names the unit {unit!r} twice; write it {EXAMPLES}")
        units_seen.append(unit)
        seconds += int(number) * UNITS[unit]
        position = match.end()
    if seconds <= 0:
        raise ValueError(f"--logs-since {text!r} is no time at all; write a positive duration, {EXAMPLES}")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"--logs-since {text!r} is longer than any log bucket keeps entries (3650d)")
    return timedelta(seconds=seconds)


def duration_text(duration: timedelta) -> str:
    """The shortest spelling parse_duration reads back: 90 minutes is 1h30m."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


__all__ = ["MAX_DURATION", "duration_text", "parse_duration"]
