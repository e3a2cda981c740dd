"""What the follower reports besides snapshots: each followed kind's state, and the changes of a batch.

Kept apart from the follower so that the console header and the CLI can name these types
without importing the machinery (threads, HTTP) behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from netpol_tui.model.snapshot import Kind, Snapshot

#: What the followers' threads hand the follower's loop, by its first item: ("state", KindStatus),
#: ("gke", GkeResult), ("events", Resource, [(event type, object dict), ...]), ("list", Resource,
#: [object dict, ...]), ("unread", Resource, reason) or ("problem", Resource, text). (A union of
#: those tuples would not narrow on `message[0] == ...`.)
FollowMessage = tuple[Any, ...]


class FollowState(StrEnum):
    """How current one followed list is."""

    #: A watch stream is open (or the source re-reads by itself, like files): changes arrive as they happen.
    FOLLOWING = "following"
    #: The stream broke; the follower is connecting again (the data is as of the last event).
    RECONNECTING = "reconnecting"
    #: Watching is not allowed (or not possible) but listing is: re-read every few seconds.
    POLLING = "polling"
    #: Not read at all (the reason says why and what to ask for); checks needing it are unknown.
    NOT_READ = "not read"
    #: Nothing will change (the bundled demo): the snapshot is final.
    FIXED = "fixed"
    #: An optional CRD list the server does not serve (404 at the first read): none exist, and
    #: there is nothing to watch; a reload notices a CRD installed since.
    ABSENT = "not installed"


@dataclass(frozen=True, slots=True)
class KindStatus:
    """One followed list: `name` is the plural (`pods`, `deployments`), `GKE cluster` or `files`."""

    name: str
    state: FollowState
    #: Why (not read, polling instead of watching) or what is being retried; None when all is well.
    note: str | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.state}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True, slots=True)
class Change:
    """One object that appeared, changed or went away between two snapshots."""

    kind: Kind
    #: "added", "modified" or "deleted".
    action: str
    #: The Kubernetes kind (Deployment, CiliumClusterwideNetworkPolicy...), or the GKE one.
    k8s_kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.k8s_kind} {where} {self.action}"


@dataclass(frozen=True, slots=True)
class FollowUpdate:
    """One batch: the new snapshot (sharing unchanged objects with the last one), what changed,
    and every followed list's state. The first update of a follower holds the initial read."""

    snapshot: Snapshot
    changes: tuple[Change, ...]
    states: tuple[KindStatus, ...]
    initial: bool = False

    def state_of(self, name: str) -> KindStatus | None:
        return next((status for status in self.states if status.name == name), None)


__all__ = ["Change", "FollowState", "FollowUpdate", "KindStatus"]
