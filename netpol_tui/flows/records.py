"""What one observed flow record holds once read, and the problems met while reading.

A record is kept as a few strings and ints, not as the source JSON: a million records are
aggregated as they stream by, so only what identifies a connection and its disposition is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

ALLOW, DENY = "allow", "deny"
INGRESS, EGRESS = "ingress", "egress"
#: Where records come from: GKE network policy logging, or Hubble (Dataplane V2 observability).
GKE_LOG, HUBBLE = "policy-action", "hubble"


class Peer(NamedTuple):
    """One side of a recorded connection, as the record names it (any field may be missing).

    Tuples, not dataclasses: a million records each build two peers and a key while streaming.
    """

    namespace: str | None = None
    pod: str | None = None
    ip: str | None = None
    workload_kind: str | None = None
    workload_name: str | None = None
    #: "world", "host", ... when the record says the peer is not a pod (Hubble reserved identities).
    reserved: str | None = None


class FlowKey(NamedTuple):
    """What identifies a connection in a record; equal keys are aggregated."""

    kind: str
    src: Peer
    dst: Peer
    port: int
    protocol: str
    #: ingress/egress: which side's policy the record reports; None when the record does not say.
    direction: str | None
    disposition: str
    #: `namespace/name` of the policies the record names, sorted; None when the record names none.
    policies: tuple[str, ...] | None = None
    #: Hubble AUDIT verdicts: policy would have dropped, audit mode let it pass.
    audit: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be used: where it is and which field is wrong."""

    file: str
    message: str
    line: int | None = None
    index: int | None = None
    field: str | None = None

    def where(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        elif self.index is not None:
            text += f" (record {self.index})"
        return text

    def __str__(self) -> str:
        field = f" [{self.field}]" if self.field else ""
        return f"{self.where()}{field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "index": self.index, "field": self.field,
                "message": self.message}


class RecordError(ValueError):
    """A malformed record: the field at fault and what is wrong with it."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def time_key(text: Any) -> str | None:
    """A string that sorts like the instant: RFC 3339 UTC text with any number of fraction digits.

    `...:37Z` and `...:37.5Z` and `...:37.993712906Z` sort correctly once the `Z` is dropped;
    other offsets are converted to UTC first (the slow path, rare in logs).
    """
    if not isinstance(text, str):
        return None
    if len(text) >= 20 and text[-1] in "Zz" and text[10] in "Tt ":
        return text[:10] + "T" + text[11:-1]
    value = parse_time(text)
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")


def parse_time(text: str) -> datetime | None:
    """An aware datetime; fractions beyond microseconds (Go writes nanoseconds) are cut."""
    raw = text.strip().replace("z", "Z").replace("Z", "+00:00")
    if "." in raw:
        head, _, rest = raw.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        raw = head + "." + rest[:min(digits, 6)].ljust(1, "0") + rest[digits:]
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def key_time(key: str | None) -> datetime | None:
    """The instant of a `time_key` string."""
    if key is None:
        return None
    return parse_time(key + "Z")


def display_time(key: str | None) -> str | None:
    return None if key is None else key + "Z"
