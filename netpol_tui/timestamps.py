"""RFC 3339 timestamps as the Kubernetes and GKE APIs write them ("2024-11-18T15:14:00Z")."""

from __future__ import annotations

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
