"""GKE version strings: `MAJOR.MINOR.PATCH-gke.N`, ordered by the four integers.

`packaging.version` rejects these strings. A bare `1.21.4` is accepted too and ranks above
every `1.21.4-gke.N`, as gcloud orders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-gke\.(\d+))?$")
#: Where a bare MAJOR.MINOR.PATCH sits among its -gke.N builds: above all of them.
_BARE_RANK = 2**63


class VersionError(ValueError):
    """Not a GKE version string."""


@total_ordering
@dataclass(frozen=True, slots=True)
class GkeVersion:
    major: int
    minor: int
    patch: int
    gke: int | None = None

    @classmethod
    def parse(cls, text: str) -> GkeVersion:
        if not isinstance(text, str):
            raise VersionError(f"not a GKE version: {text!r} (expected e.g. 1.21.4-gke.1500)")
        match = _VERSION.match(text.strip())
        if not match:
            raise VersionError(f"not a GKE version: {text!r} (expected e.g. 1.21.4-gke.1500 or 1.21.4)")
        major, minor, patch, gke = match.groups()
        return cls(int(major), int(minor), int(patch), int(gke) if gke is not None else None)

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        return (self.major, self.minor, self.patch, _BARE_RANK if self.gke is None else self.gke)

    @property
    def minor_version(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, GkeVersion):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return base if self.gke is None else f"{base}-gke.{self.gke}"


def parse_version(text: str) -> GkeVersion:
    return GkeVersion.parse(text)


def try_parse_version(text: str | None) -> GkeVersion | None:
    """The version, or None for a missing or malformed string (callers then say 'unknown')."""
    if not text:
        return None
    try:
        return GkeVersion.parse(text)
    except VersionError:
        return None


def in_range(version: GkeVersion, low: str | None, high: str | None) -> bool:
    """Inclusive range check; None leaves that end open."""
    if low is not None and version < GkeVersion.parse(low):
        return False
    return not (high is not None and version > GkeVersion.parse(high))
