"""RFC 3339 timestamps as the Kubernetes and GKE APIs write them ("2024-11-18T15:14:00Z")."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


def parse_timestamp(text: Any) -> datetime | None:
    """An aware datetime (UTC when the text names no offset); None for a missing or malformed value."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _parse(text.strip())


@lru_cache(maxsize=4096)
def _parse(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ------------------------------------------------------------------------ ages


def kubectl_age(created: Any, now: datetime, unknown: str = "<unknown>") -> str:
    """The AGE column as `kubectl get` prints it, measured to `now` (the snapshot's capture time,
    never the wall clock): `45s`, `9m5s`, `37m`, `5h12m`, `20h`, `3d4h`, `120d`, `2y37d`.

    `unknown` for a missing or malformed timestamp (kubectl's `<unknown>`; a narrow column may
    pass `?`); `<invalid>`, as kubectl, when the object is more than a second younger than `now`.
    """
    start = parse_timestamp(created)
    if start is None:
        return unknown
    seconds = int((now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp() - start.timestamp())
    if seconds < -1:
        return "<invalid>"
    return human_duration(max(seconds, 0))


def human_duration(seconds: int) -> str:
    """kubectl's rounding of a duration: the larger unit alone once it reads well, with the next
    smaller one while the larger count is small (under 10 minutes, 8 hours, 8 days, 8 years)."""
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 180:
        return _pair(minutes, "m", seconds % 60, "s") if minutes < 10 else f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return _pair(hours, "h", minutes % 60, "m") if hours < 8 else f"{hours}h"
    days = hours // 24
    if days < 730:
        return _pair(days, "d", hours % 24, "h") if days < 8 else f"{days}d"
    years = days // 365
    return _pair(years, "y", days % 365, "d") if years < 8 else f"{years}y"


def _pair(large: int, large_unit: str, small: int, small_unit: str) -> str:
    return f"{large}{large_unit}{small}{small_unit}" if small else f"{large}{large_unit}"


_AGE_PART = re.compile(r"(\d+)([smhdy])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}


def age_seconds(text: str) -> int | None:
    """The duration an age like `3d4h` stands for (the lower bound), None for `?` or `<unknown>`:
    how a table sorts its AGE column."""
    parts = _AGE_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
