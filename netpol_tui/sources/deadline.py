"""Total deadlines for HTTP requests, and work the caller can walk away from.

urllib3's timeouts (and so the kubernetes client's and requests') bound each socket operation,
not the request: a server that sends its headers one byte every 0.5 s never trips a 10 s read
timeout. Here a request runs inside a `RequestScope`; the connections it uses register
themselves with the scope (through the tracked connection classes that `track_pool_manager`
installs), and one watchdog thread shuts their sockets down when the scope's deadline passes,
which ends any blocked read at once. The caller then sees an error and `scope.expired`.

`run_abandonable` runs a blocking call in a daemon thread so that a caller who is cancelled
(the console quitting) returns at once instead of waiting for the call.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()


class RequestScope:
    """The connections of one request and when they must be cut.

    `expired` is set by the watchdog at the deadline, `aborted` by `abort()` (the load gave up);
    either way every registered socket is shut down and later registrations are shut at once.
    """

    def __init__(self, seconds: float, group: ScopeGroup | None = None) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self.aborted = False
        self.done = False
        self.group = group
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    @property
    def cut(self) -> bool:
        return self.expired or self.aborted

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def attach(self, connection: Any) -> None:
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            cut = self.cut
        if cut:
            _shut(connection)

    def _cut(self, *, abort: bool) -> None:
        with self._lock:
            if self.done:
                return
            if abort:
                self.aborted = True
            else:
                self.expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def expire(self) -> None:
        self._cut(abort=False)

    def abort(self) -> None:
        self._cut(abort=True)


class ScopeGroup:
    """The live scopes of one client, so a load that gives up can cut every request at once."""

    def __init__(self) -> None:
        self._scopes: set[RequestScope] = set()
        self._lock = threading.Lock()
        self.aborted = False

    def add(self, scope: RequestScope) -> None:
        with self._lock:
            self._scopes.add(scope)
            aborted = self.aborted
        if aborted:
            scope.abort()

    def discard(self, scope: RequestScope) -> None:
        with self._lock:
            self._scopes.discard(scope)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            scopes = list(self._scopes)
        for scope in scopes:
            scope.abort()


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError, ValueError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires scopes at their deadlines (a heap, woken on each new scope)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, RequestScope]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, scope: RequestScope) -> None:
        with self._wake:
            heapq.heappush(self._heap, (scope.deadline, next(self._counter), scope))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="netpol-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait(30.0)
                    continue
                deadline, _, scope = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(min(wait, 30.0))
                    continue
                heapq.heappop(self._heap)
            scope.expire()


_WATCHDOG = _Watchdog()


def current_scope() -> RequestScope | None:
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


@contextlib.contextmanager
def request_deadline(seconds: float, group: ScopeGroup | None = None) -> Iterator[RequestScope]:
    """Run the block's HTTP requests (made on this thread) under one total deadline."""
    scope = RequestScope(seconds, group)
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(scope)
    if group is not None:
        group.add(scope)
    _WATCHDOG.add(scope)
    try:
        yield scope
    finally:
        with scope._lock:
            scope.done = True
        stack.pop()
        if group is not None:
            group.discard(scope)


# --------------------------------------------------------------------------- tracked connections


@lru_cache(maxsize=1)
def _pool_classes() -> dict[str, type]:
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Tracked:
        """Registers itself with the request scope of the thread that uses it."""

        def _register(self) -> None:
            scope = current_scope()
            if scope is not None:
                scope.attach(self)

        def connect(self) -> None:
            self._register()
            super().connect()  # type: ignore[misc]
            scope = current_scope()
            if scope is not None and scope.cut:
                _shut(self)
                raise TimeoutError("request deadline passed while connecting")

        def request(self, *args: Any, **kwargs: Any) -> Any:
            self._register()
            return super().request(*args, **kwargs)  # type: ignore[misc]

    class TrackedHTTPConnection(Tracked, HTTPConnection):
        pass

    class TrackedHTTPSConnection(Tracked, HTTPSConnection):
        pass

    class TrackedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = TrackedHTTPConnection

    class TrackedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = TrackedHTTPSConnection

    return {"http": TrackedHTTPConnectionPool, "https": TrackedHTTPSConnectionPool}


def track_pool_manager(pool_manager: Any) -> bool:
    """Make a urllib3 PoolManager/ProxyManager's connections obey request scopes.

    Returns False for managers with their own pool classes (SOCKS proxies): their requests keep
    urllib3's per-operation timeouts only.
    """
    from urllib3.poolmanager import pool_classes_by_scheme

    current = getattr(pool_manager, "pool_classes_by_scheme", None)
    tracked = _pool_classes()
    if current == tracked:
        return True
    if current != pool_classes_by_scheme:
        return False
    pool_manager.clear()
    pool_manager.pool_classes_by_scheme = dict(tracked)
    return True

# --------------------------------------------------------------------------- abandonable calls


class Abandoned(Exception):
    """The caller was cancelled before the call finished; the call goes on in a daemon thread."""


def run_abandonable(call: Callable[[], T], cancelled: Callable[[], bool], poll: float = 0.1) -> T:
    """`call()` in a daemon thread; returns its result, or raises Abandoned once `cancelled()`.

    A daemon thread never holds up the interpreter's exit, and the caller (a console worker in
    the event loop's executor, which the loop waits for on exit) returns within `poll` seconds.
    """
    outcome: list[tuple[bool, Any]] = []
    finished = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))
        finally:
            finished.set()

    threading.Thread(target=run, name="netpol-abandonable", daemon=True).start()
    while not finished.wait(poll):
        if cancelled():
            raise Abandoned()
    ok, value = outcome[0]
    if ok:
        result: T = value
        return result
    raise value


__all__ = ["Abandoned", "RequestScope", "ScopeGroup", "current_scope", "request_deadline", "run_abandonable",
           "track_pool_manager"]
