"""One thread per Kubernetes list: watch it from the list's resourceVersion, re-read it when needed.

`ListFollower.run()` watches one resource with bookmarks and a server-side `timeoutSeconds`,
resumes from the last resourceVersion seen when a stream ends, re-lists exactly once per
410 Gone, reconnects with capped exponential backoff when a stream breaks, and falls back to
re-listing every few seconds when watching is forbidden but listing is allowed. Every stream
read has a deadline (`idle_seconds`), every line a size cap, every connection a total
deadline. It talks to the consumer only through `post(message)`: ("events", resource,
[(type, object)]), ("list", resource, items), ("state", KindStatus) and ("unread", resource,
reason); the consumer applies them in order. No textual, no shared mutable state.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from netpol_tui.sources.deadline import request_deadline
from netpol_tui.sources.follow_state import FollowMessage, FollowState, KindStatus
from netpol_tui.text import clean

if TYPE_CHECKING:
    from netpol_tui.sources.kube import KubeClient, Resource

#: One watch event larger than this (or the client's response cap, if smaller) ends the connection.
MAX_EVENT = 64 << 20
#: Failure categories that waiting does not cure: the list (or watch) is refused.
_REFUSED = ("auth", "forbidden", "not-found", "tls")


class ListFollower:
    """Follows one Kubernetes list; `run()` blocks until `stop` is set."""

    def __init__(self, client: KubeClient, resource: Resource, namespace: str | None, resource_version: str | None,
                 post: Callable[[FollowMessage], None], stop: threading.Event, *, watch_seconds: int, idle_seconds: float,
                 poll_seconds: float, initial_backoff: float, max_backoff: float,
                 on_relist: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.resource_version = resource_version
        self.post = post
        self.stop = stop
        self.watch_seconds = watch_seconds
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.on_relist = on_relist
        self.polling_note: str | None = None
        self._response: Any = None
        self._lock = threading.Lock()
        self._state: KindStatus | None = None

    @property
    def name(self) -> str:
        return self.resource.plural

    # ------------------------------------------------------------------ control

    def interrupt(self) -> None:
        """Wake a blocked stream read (stop() of the follower calls it from another thread)."""
        with self._lock:
            response = self._response
        if response is not None:
            for close in ("shutdown", "close"):
                with contextlib.suppress(Exception):  # the stream may already be gone
                    getattr(response, close, lambda: None)()

    def _set_state(self, state: FollowState, note: str | None = None) -> None:
        status = KindStatus(self.name, state, note)
        if status != self._state:
            self._state = status
            self.post(("state", status))

    # ------------------------------------------------------------------ loop

    def run(self) -> None:
        from netpol_tui.sources import kube

        backoff = self.initial_backoff
        while not self.stop.is_set():
            listing = self.resource_version is None
            try:
                if listing:
                    self._relist()
                    if self.stop.is_set():
                        return
                if self.polling_note is not None:
                    self._set_state(FollowState.POLLING, self.polling_note)
                    self.resource_version = None  # the next round lists again
                    if self.stop.wait(self.poll_seconds):
                        return
                    continue
                if self._watch_once():
                    backoff = self.initial_backoff
                    continue
                # A server that ends watches at once must not make us spin.
                if self.stop.wait(backoff):
                    return
                backoff = min(self.max_backoff, backoff * 2)
                continue
            except kube.GoneError as exc:
                if listing:
                    message = exc.failure.text()
                else:
                    self.resource_version = None  # one relist per 410, from the top of the loop
                    continue
            except kube.KubeRequestError as exc:
                failure = exc.failure
                if failure.category == "cancelled" or self.stop.is_set():
                    return
                if failure.category in _REFUSED:
                    if listing:
                        reason = failure.text()
                        self._set_state(FollowState.NOT_READ, reason)
                        self.post(("unread", self.resource, reason))
                        return
                    if failure.category == "forbidden":
                        self.polling_note = (f"watch forbidden, list allowed: re-read every {self.poll_seconds:g} s; "
                                             f"ask for watch on {self.resource.rbac_name} to follow it live")
                        continue
                message = failure.text()
            except Exception as exc:  # a dropped or odd stream: reconnect, never die silently
                if self.stop.is_set():
                    return
                message = self._describe(exc)
            if self.stop.is_set():
                return
            delay = backoff * (0.8 + random.random() * 0.4)
            self._set_state(FollowState.RECONNECTING, f"{message}; retrying in {delay:.1f} s")
            if self.stop.wait(delay):
                return
            backoff = min(self.max_backoff, backoff * 2)

    def _describe(self, exc: Exception) -> str:
        from netpol_tui.sources import kube

        if type(exc).__module__.startswith("urllib3"):
            return f"watch interrupted: {kube.transport_failure(exc, self.client.target, self.client.timeout).text()}"
        return f"watch interrupted: {type(exc).__name__}: {clean(str(exc), 200, single_line=True)}"

    def _relist(self) -> None:
        """Read the whole list again (the pages bounded as for the first read) and hand it over."""
        from netpol_tui.sources import kube

        if self.on_relist is not None:
            self.on_relist(self.name)
        items: list[Any] = []
        version = None
        for page in kube.list_pages(self.client, self.resource, self.namespace, cancelled=self.stop.is_set):
            version = page.resource_version or version
            items.extend(page.items)
            if page.last:
                break
        else:
            if self.stop.is_set():
                return
        self.resource_version = version or ""
        self.post(("list", self.resource, items))

    def _watch_once(self) -> bool:
        """One watch connection; True when it ended normally (server timeout, idle read) or delivered events."""
        started = time.monotonic()
        timeout = float(self.client.timeout or 10.0)
        query: list[tuple[str, Any]] = [("watch", "1"), ("allowWatchBookmarks", "true"),
                                        ("timeoutSeconds", self.watch_seconds)]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        delivered = 0
        # The connection as a whole is bounded (the server ends it after watch_seconds, one
        # that trickles forever is cut `timeout` seconds later); each read by idle_seconds.
        with request_deadline(self.watch_seconds + timeout, self.client.scopes):
            response = self.client.stream(self.resource.path(self.namespace), query, read_timeout=self.idle_seconds)
            with self._lock:
                self._response = response
            try:
                if self.stop.is_set():
                    return True
                self._set_state(FollowState.FOLLOWING)
                limit = min(getattr(self.client, "max_response", MAX_EVENT), MAX_EVENT)
                reader = getattr(response, "read1", None) or response.read
                buffer = b""
                while not self.stop.is_set():
                    try:
                        chunk = reader(65536)
                    except Exception as exc:
                        if _is_read_timeout(exc):
                            return True  # quiet for idle_seconds: resume from the last version at once
                        raise
                    if not chunk:
                        break
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    events: list[tuple[str, dict[str, Any]]] = []
                    try:
                        for line in lines:
                            if line.strip() and (event := self._decode(line)) is not None:
                                events.append(event)
                    finally:  # the events before an ERROR line still count
                        if events:
                            delivered += len(events)
                            self.post(("events", self.resource, events))
                    if len(buffer) > limit:
                        from netpol_tui.sources import kube

                        raise kube.KubeRequestError(kube.KubeFailure(
                            "too-large", f"watch of {self.name}: one event is larger than {limit >> 20} MiB"))
                if buffer.strip() and not self.stop.is_set():
                    event = self._decode(buffer)
                    if event is not None:
                        delivered += 1
                        self.post(("events", self.resource, [event]))
                return delivered > 0 or time.monotonic() - started >= 1.0
            finally:
                with self._lock:
                    self._response = None
                response.close()

    def _decode(self, line: bytes) -> tuple[str, dict[str, Any]] | None:
        """One event line: (type, object) to apply, None for bookmarks and skipped lines; raises on ERROR."""
        from netpol_tui.sources import kube

        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.post(("problem", self.resource, "skipped a watch event that is not valid JSON"))
            return None
        if not isinstance(event, dict):
            self.post(("problem", self.resource, "skipped a watch event that is not an object"))
            return None
        kind = event.get("type")
        obj = event.get("object")
        if not isinstance(obj, dict):
            obj = {}
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        if kind == "ERROR":
            code = obj.get("code")
            message = clean(str(obj.get("message") or "watch error"), 200, single_line=True)
            failure = kube.KubeFailure("gone" if code == 410 else "server", f"watch of {self.name}: {message} ({code})",
                                       status=code if isinstance(code, int) else None)
            if code == 410:
                raise kube.GoneError(failure, None)
            raise kube.KubeRequestError(failure)
        version = meta.get("resourceVersion")
        if isinstance(version, str) and version:
            self.resource_version = version
        if kind == "BOOKMARK":
            return None
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            self.post(("problem", self.resource, f"skipped a watch event of unknown type {clean(str(kind), 40)}"))
            return None
        return kind, obj


def _is_read_timeout(exc: BaseException) -> bool:
    """A socket read that waited idle_seconds for nothing (urllib3 wraps socket.timeout)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, socket.timeout | TimeoutError) or type(exc).__name__ == "ReadTimeoutError":
            return True
        exc = exc.__context__ or exc.__cause__  # type: ignore[assignment]
        seen += 1
    return False


__all__ = ["ListFollower", "MAX_EVENT"]
