"""Follow the source after the first read: one new immutable Snapshot per batch of changes.

`Follower(options)` is an iterator of `FollowUpdate`s: the first holds the initial read (the
same Snapshot `load_snapshot` gives), each later one the next Snapshot, the objects that
changed and every followed list's state. Both the CLI (`check --watch`, `--until-clean`)
and the console consume it, on a thread of their own; `stop()` may be called from any thread
and ends the iteration within a fraction of a second.

- live: every list of `kube.RESOURCES` is watched from its list's resourceVersion (one
  `ListFollower` thread each, see follow_kube); the GKE cluster and operations are polled
  every `gke_poll_seconds` (`gke_busy_seconds` while an operation runs). Events arriving
  within `batch_seconds` of the first one make one Snapshot.
- files: the files' modification times (and sizes) are polled; when one changes the files
  are read again and the new Snapshot shares every object that did not change.
- demo: the bundled demo never changes: the initial update is the only one.

No textual here: sources never know who shows their data.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.sources.file_cache import FileCache
from netpol_tui.sources.follow_apply import Objects, merge_changes
from netpol_tui.sources.follow_files import FILES_STATE as FILES_STATE
from netpol_tui.sources.follow_files import follow_files
from netpol_tui.sources.follow_state import Change, FollowMessage, FollowState, FollowUpdate, KindStatus
from netpol_tui.text import clean

if TYPE_CHECKING:
    from netpol_tui.sources import Progress, SourceOptions
    from netpol_tui.sources.follow_kube import ListFollower

BATCH_SECONDS = 0.25
WATCH_SECONDS = 300
#: A watch stream silent for this long is resumed (API servers send bookmarks about every minute).
IDLE_SECONDS = 90.0
POLL_SECONDS = 10.0
GKE_POLL_SECONDS = 15.0
GKE_BUSY_SECONDS = 3.0
FILE_POLL_SECONDS = 1.0
INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 30.0
#: Messages waiting for the consumer; a producer blocks (and so reads no further) beyond it.
QUEUE_MESSAGES = 10_000
GKE_STATE = "GKE cluster"
_STOP = ("stop",)


class Follower:
    """Iterate for updates; `stop()` from anywhere. One iteration per Follower."""

    def __init__(self, options: SourceOptions, *, progress: Progress | None = None,
                 batch_seconds: float = BATCH_SECONDS, watch_seconds: int = WATCH_SECONDS,
                 idle_seconds: float = IDLE_SECONDS, poll_seconds: float = POLL_SECONDS,
                 gke_poll_seconds: float = GKE_POLL_SECONDS, gke_busy_seconds: float = GKE_BUSY_SECONDS,
                 file_poll_seconds: float = FILE_POLL_SECONDS, initial_backoff: float = INITIAL_BACKOFF,
                 max_backoff: float = MAX_BACKOFF, initial: Snapshot | None = None,
                 file_cache: FileCache | None = None) -> None:
        """`initial`: a snapshot of the same files already read (files only: the console reads them
        before going full screen), and `file_cache` the cache that read filled; live sources always
        list again, for the resourceVersions."""
        self.options = options
        self.initial = initial
        #: Files only: each file's last outcomes, so a change re-reads that file alone.
        self.file_cache = file_cache if file_cache is not None else FileCache()
        self.progress = progress
        self.batch_seconds = batch_seconds
        self.watch_seconds = watch_seconds
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.gke_poll_seconds = gke_poll_seconds
        self.gke_busy_seconds = gke_busy_seconds
        self.file_poll_seconds = file_poll_seconds
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        #: Lists read again after the first read, by plural (a 410 Gone costs exactly one).
        self.relists: Counter[str] = Counter()
        self._stop = threading.Event()
        self._queue: queue.Queue[FollowMessage] = queue.Queue(maxsize=QUEUE_MESSAGES)
        self._followers: list[ListFollower] = []
        self._client: Any = None
        #: The GKE client of the first read and every poll, closed at stop().
        self._gke: Any = None
        self._gke_busy = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def __iter__(self) -> Iterator[FollowUpdate]:
        return self.updates()

    def updates(self) -> Iterator[FollowUpdate]:
        """The initial update (raises SourceError when nothing could be read), then one per batch."""
        try:
            if self.options.demo:
                yield from self._follow_demo()
            elif self.options.files:
                yield from self._follow_files()
            else:
                yield from self._follow_live()
        finally:
            self.stop()

    def run(self, callback: Callable[[FollowUpdate], None]) -> None:
        """Blocking: call `callback` with each update until `stop()` (or the source cannot change)."""
        for update in self.updates():
            callback(update)
            if self._stop.is_set():
                return

    def stop(self) -> None:
        """End following: wakes blocked reads and the consumer at once. Safe from any thread, twice."""
        self._stop.set()
        with self._lock:
            followers, client, gke_reader = list(self._followers), self._client, self._gke
        for follower in followers:
            follower.interrupt()
        if client is not None:
            client.abort()
        if gke_reader is not None:
            gke_reader.close()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(_STOP)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # ------------------------------------------------------------------ demo and files

    def _follow_demo(self) -> Iterator[FollowUpdate]:
        from netpol_tui.sources import load_snapshot

        snapshot = load_snapshot(self.options, self.progress)
        yield FollowUpdate(snapshot, (), (KindStatus("demo", FollowState.FIXED, "the bundled demo never changes"),),
                           initial=True)

    def _follow_files(self) -> Iterator[FollowUpdate]:
        return follow_files(self.options, self._stop, poll_seconds=self.file_poll_seconds, initial=self.initial,
                            cache=self.file_cache, progress=self.progress)

    # ------------------------------------------------------------------ live

    def _follow_live(self) -> Iterator[FollowUpdate]:
        from netpol_tui.sources import kube
        from netpol_tui.sources.follow_kube import ListFollower
        from netpol_tui.sources.gke import GkeReader
        from netpol_tui.sources.live import load_live

        versions: dict[str, str] = {}
        reader = GkeReader(self.options.gke_endpoint, self.options.max_response_bytes)
        with self._lock:
            self._gke = reader
        if self._stop.is_set():
            reader.close()
        snapshot = load_live(self.options, self.progress, versions=versions, gke_reader=reader)
        if self._stop.is_set():
            return
        try:
            client = kube.connect(self.options)
        except Exception as exc:  # read once, but cannot follow: say so rather than fail the read
            reason = f"cannot follow: {clean(str(exc), 200, single_line=True)}"
            yield FollowUpdate(snapshot, (), tuple(KindStatus(r.plural, FollowState.NOT_READ, reason)
                                                   for r in kube.RESOURCES), initial=True)
            return
        with self._lock:
            self._client = client
        try:
            resources = kube.RESOURCES
            per_kind = Counter(resource.kind for resource in resources)
            objects = Objects(snapshot)
            states: dict[str, KindStatus] = {}
            #: plural -> why it is not read; a kind is read again once none of its lists is here.
            unread: dict[str, str] = {}
            absent: set[str] = set()
            for resource in resources:
                if resource.plural in versions:
                    states[resource.plural] = KindStatus(resource.plural, FollowState.FOLLOWING)
                elif resource.optional and snapshot.has(resource.kind) and not snapshot.unknown_reason(resource.kind):
                    absent.add(resource.plural)
                    states[resource.plural] = KindStatus(resource.plural, FollowState.ABSENT,
                                                         f"{resource.rbac_name} is not served (CRD not installed)")
                else:
                    reason = snapshot.unknown_reason(resource.kind) or "not read by the first load"
                    unread[resource.plural] = reason
                    states[resource.plural] = KindStatus(resource.plural, FollowState.NOT_READ, reason)
            identity = self._gke_identity(client)
            if identity is not None:
                self._gke_busy = any(op.is_running for op in snapshot.operations)
                states[GKE_STATE] = self._gke_status(snapshot.unknown_reason(Kind.CLUSTER))
            yield FollowUpdate(snapshot, (), tuple(states.values()), initial=True)

            for resource in resources:
                if resource.plural in absent:
                    continue
                follower = ListFollower(
                    client, resource, self.options.namespace, versions.get(resource.plural), self._post, self._stop,
                    watch_seconds=self.watch_seconds, idle_seconds=self.idle_seconds, poll_seconds=self.poll_seconds,
                    initial_backoff=self.initial_backoff, max_backoff=self.max_backoff, on_relist=self._count_relist)
                with self._lock:
                    self._followers.append(follower)
                _start(follower.run, f"netpol-follow-{resource.plural}")
            if identity is not None:
                _start(lambda: self._poll_gke(identity), "netpol-follow-gke")

            while not self._stop.is_set():
                batch = self._next_batch()
                if not batch:
                    continue
                changes: list[Change] = []
                before = dict(states)
                for message in batch:
                    changes += self._apply(message, objects, states, unread, per_kind)
                dirty = objects.dirty
                if dirty:
                    snapshot = objects.snapshot(snapshot)
                    self._gke_busy = any(op.is_running for op in snapshot.operations)
                if changes or dirty or states != before:
                    yield FollowUpdate(snapshot, merge_changes(changes), tuple(states.values()))
        finally:
            self.stop()
            client.close()

    def _next_batch(self) -> list[FollowMessage]:
        """Messages of one batch: the first waited for, then whatever arrives within batch_seconds
        and whatever is already waiting."""
        try:
            first = self._queue.get(timeout=0.5)
        except queue.Empty:
            return []
        if first is _STOP:
            return []
        batch = [first]
        end = time.monotonic() + self.batch_seconds
        while (left := end - time.monotonic()) > 0:
            try:
                message = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if message is _STOP:
                return batch
            batch.append(message)
        # A consumer that fell behind (checks on a big cluster take seconds) takes the whole
        # backlog as one batch instead of one snapshot per 250 ms of it.
        for _ in range(QUEUE_MESSAGES):
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            if message is _STOP:
                break
            batch.append(message)
        return batch

    def _apply(self, message: FollowMessage, objects: Objects, states: dict[str, KindStatus], unread: dict[str, str],
               per_kind: Counter[Kind]) -> list[Change]:
        what = message[0]
        if what == "state":
            status: KindStatus = message[1]
            states[status.name] = status
            return []
        if what == "gke":
            return self._apply_gke(message[1], objects, states)
        resource = message[1]
        source = resource.path(self.options.namespace)
        shares = per_kind[resource.kind] > 1
        if what == "events":
            changes = []
            for action, obj in message[2]:
                change = objects.apply_event(resource.kind, resource.k8s_kind, action, obj, source)
                if change is not None:
                    changes.append(change)
            return changes
        if what == "list":
            changes = objects.replace_list(resource.kind, resource.k8s_kind, shares, message[2], source)
            unread.pop(resource.plural, None)
            if not _kind_unread(resource.kind, unread):
                objects.mark_read(resource.kind)
            return changes
        if what == "unread":
            unread[resource.plural] = message[2]
            from netpol_tui.sources import kube

            reasons = [f"{r.plural}: {unread[r.plural]}" if shares else unread[r.plural]
                       for r in kube.RESOURCES if r.kind is resource.kind and r.plural in unread]
            objects.mark_unread(resource.kind, "; ".join(reasons))
            return []
        if what == "problem":
            objects.problem(source, message[2])
        return []

    # ------------------------------------------------------------------ GKE

    def _gke_identity(self, client: Any) -> Any:
        from netpol_tui.sources import gke

        identity, _reason = gke.identify(self.options, client.target.context, client.target.cluster_entry)
        return identity

    def _gke_status(self, reason: str | None) -> KindStatus:
        if reason:
            return KindStatus(GKE_STATE, FollowState.NOT_READ, reason)
        return KindStatus(GKE_STATE, FollowState.POLLING,
                          f"read every {self.gke_poll_seconds:g} s, every {self.gke_busy_seconds:g} s while an operation runs")

    def _poll_gke(self, identity: Any) -> None:
        from netpol_tui.sources import gke

        timeout = float(self.options.timeout or 10.0)
        while not self._stop.wait(self.gke_busy_seconds if self._gke_busy else self.gke_poll_seconds):
            try:
                result = self._gke.fetch(identity, timeout)
            except Exception as exc:  # fetch_gke reports its own failures; this is the last guard
                result = gke.GkeResult(cluster_reason=f"GKE API request failed: {type(exc).__name__}: {exc}")
            self._post(("gke", result))

    def _apply_gke(self, result: Any, objects: Objects, states: dict[str, KindStatus]) -> list[Change]:
        from netpol_tui.model.parse import parse_cluster, parse_operation

        cluster = operations = None
        cluster_reason, operations_reason = result.cluster_reason, result.operations_reason
        if result.cluster is not None:
            try:
                cluster = parse_cluster(result.cluster, None)
            except Exception as exc:  # a malformed answer: keep the last good one, say why
                cluster_reason = f"GKE cluster: {clean(str(exc), 200, single_line=True)}"
        if result.operations is not None:
            parsed = []
            for item in result.operations:
                with contextlib.suppress(Exception):  # one bad operation must not hide the others
                    parsed.append(parse_operation(item, None))
            operations = tuple(parsed)
        states[GKE_STATE] = self._gke_status(cluster_reason)
        return objects.set_gke(cluster, operations, cluster_reason, operations_reason)

    # ------------------------------------------------------------------ plumbing

    def _post(self, message: FollowMessage) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(message, timeout=0.2)
                return
            except queue.Full:
                continue

    def _count_relist(self, plural: str) -> None:
        with self._lock:
            self.relists[plural] += 1


def _kind_unread(kind: Kind, unread: dict[str, str]) -> bool:
    from netpol_tui.sources import kube

    return any(resource.kind is kind and resource.plural in unread for resource in kube.RESOURCES)


def _start(target: Callable[[], None], name: str) -> threading.Thread:
    # Daemon threads: a read stuck past every deadline must never hold up the program's exit.
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def follow(options: SourceOptions, **settings: Any) -> Follower:
    """A Follower for the source the options name (settings: see Follower)."""
    return Follower(options, **settings)


__all__ = ["Change", "FollowState", "FollowUpdate", "Follower", "KindStatus", "follow"]
