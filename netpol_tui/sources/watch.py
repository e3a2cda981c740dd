"""Follow node changes with a Kubernetes watch (the Nodes screen shows recreation as it happens).

`NodeWatcher` lists the nodes once (a RESYNC event with all of them), then watches from the
list's resourceVersion with a bounded server-side `timeoutSeconds`, reconnecting from the last
resourceVersion seen when the stream ends or drops (with capped exponential backoff while the
API server is unreachable) and listing again when the server says 410 Gone. It runs in a plain
thread and knows nothing of textual: the console wraps it in a worker and turns the callbacks
into messages. Callbacks run on the watcher's thread.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from netpol_tui.model.objects import Node
from netpol_tui.model.parse import ParseError, parse_node
from netpol_tui.sources.deadline import request_deadline
from netpol_tui.text import clean

if TYPE_CHECKING:
    from netpol_tui.sources import SourceOptions

#: Server-side watch duration; the server ends the stream after it and we resume.
WATCH_SECONDS = 300
INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 30.0
#: One watch event (a node object) larger than this ends the connection.
MAX_EVENT = 64 << 20


@dataclass(frozen=True)
class NodeEvent:
    """RESYNC carries every node (replace what you have); ADDED/MODIFIED/DELETED carry one."""

    type: str
    node: Node | None = None
    nodes: tuple[Node, ...] = ()
    resource_version: str | None = None


@dataclass(frozen=True)
class WatchError:
    """A problem while watching. Not fatal: the watcher retries in `retry_in` seconds (None: at once).
    Fatal (no permission, credentials refused, no kubeconfig): the watcher has stopped."""

    message: str
    fatal: bool = False
    retry_in: float | None = None


class NodeWatcher:
    """Keeps a view of the cluster's nodes current; `start()` runs it in a daemon thread."""

    def __init__(self, options: SourceOptions, on_event: Callable[[NodeEvent], None],
                 on_error: Callable[[WatchError], None], *, watch_seconds: int = WATCH_SECONDS,
                 initial_backoff: float = INITIAL_BACKOFF, max_backoff: float = MAX_BACKOFF,
                 client: Any = None) -> None:
        self.options = options
        self.on_event = on_event
        self.on_error = on_error
        self.watch_seconds = watch_seconds
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self._client = client
        self._stop = threading.Event()
        self._response: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.resource_version: str | None = None
        self._delivered = 0

    # -------------------------------------------------------------- control

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name="netpol-node-watch", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, wait: float | None = 5.0) -> None:
        """Stop watching: wakes a blocked read at once; waits up to `wait` seconds for the thread."""
        self._stop.set()
        with self._lock:
            response = self._response
        if response is not None:
            for close in ("shutdown", "close"):
                with contextlib.suppress(Exception):  # the stream may already be gone
                    getattr(response, close, lambda: None)()
        if self._thread is not None and wait and self._thread is not threading.current_thread():
            self._thread.join(wait)

    @property
    def stopped(self) -> bool:
        """Not watching any more: stop() was called or a fatal error ended it."""
        return self._stop.is_set()

    # -------------------------------------------------------------- loop

    def run(self) -> None:
        """Blocking: list, watch, reconnect, until stop() or a fatal error."""
        from netpol_tui.sources import kube

        backoff = self.initial_backoff
        try:
            while not self._stop.is_set():
                try:
                    if self._client is None:
                        self._client = kube.connect(self.options)
                    if self.resource_version is None:
                        self._relist()
                    if self._watch_once():
                        backoff = self.initial_backoff
                    elif self._stop.wait(backoff):
                        return
                    else:
                        # A server that ends watches at once must not make us spin.
                        backoff = min(self.max_backoff, backoff * 2)
                    continue
                except kube.GoneError:
                    self.resource_version = None
                    continue
                except kube.KubeConfigError as exc:
                    self.on_error(WatchError(" ".join(exc.lines()), fatal=True))
                    return
                except kube.KubeRequestError as exc:
                    failure = exc.failure
                    if failure.category in ("auth", "forbidden", "not-found", "tls"):
                        self.on_error(WatchError(failure.text(), fatal=True))
                        return
                    message = failure.text()
                except Exception as exc:  # a dropped or odd stream: reconnect, never die silently
                    if self._stop.is_set():
                        return
                    if type(exc).__module__.startswith("urllib3") and self._client is not None:
                        failure = kube.transport_failure(exc, self._client.target, self._client.timeout)
                        message = f"node watch interrupted: {failure.text()}"
                    else:
                        message = f"node watch interrupted: {type(exc).__name__}: {clean(str(exc), 200)}"
                if self._stop.is_set():
                    return
                delay = backoff * (0.8 + random.random() * 0.4)
                self.on_error(WatchError(message, retry_in=round(delay, 2)))
                if self._stop.wait(delay):
                    return
                backoff = min(self.max_backoff, backoff * 2)
        finally:
            self._stop.set()  # `stopped` is true however the watcher ended
            if self._client is not None:
                self._client.close()

    def _relist(self) -> None:
        from netpol_tui.sources import kube

        nodes: list[Node] = []
        version = None
        for page in kube.list_pages(self._client, kube.NODES, cancelled=self._stop.is_set):
            version = page.resource_version or version
            for item in page.items:
                node = self._parse(item)
                if node is not None:
                    nodes.append(node)
        if self._stop.is_set():
            return
        self.resource_version = version
        self.on_event(NodeEvent("RESYNC", nodes=tuple(nodes), resource_version=version))

    def _parse(self, item: Any) -> Node | None:
        if not isinstance(item, dict):
            self.on_error(WatchError(f"skipped a node that is not an object ({type(item).__name__})"))
            return None
        try:
            return parse_node(item)
        except (ParseError, TypeError, ValueError, AttributeError) as exc:
            meta = item.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) else None
            self.on_error(WatchError(f"skipped node {clean(name or '(unnamed)', 100)}: {clean(str(exc), 200)}"))
            return None

    def _watch_once(self) -> bool:
        """One watch connection; True when it ended normally after a while or after delivering events."""
        import time

        from netpol_tui.sources import kube

        started = time.monotonic()
        self._delivered = 0

        timeout = float(self.options.timeout or 10.0)
        query = [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", self.watch_seconds)]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        # The whole connection, not each read, is bounded: the server ends it after
        # watch_seconds, and one that trickles forever is cut `timeout` seconds later.
        with request_deadline(self.watch_seconds + timeout, self._client.scopes if hasattr(self._client, "scopes")
                              else None):
            response = self._client.stream(kube.NODES.path(), query, read_timeout=self.watch_seconds + timeout)
            with self._lock:
                self._response = response
            if self._stop.is_set():
                response.close()
                return True
            limit = getattr(self._client, "max_response", MAX_EVENT)
            try:
                buffer = b""
                reader = getattr(response, "read1", None) or response.read
                while not self._stop.is_set():
                    chunk = reader(65536)
                    if not chunk:
                        break
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        if line.strip():
                            self._handle_line(line)
                    if len(buffer) > min(limit, MAX_EVENT):
                        raise kube.KubeRequestError(kube.KubeFailure(
                            "too-large", f"node watch: one event is larger than {MAX_EVENT >> 20} MiB; reconnecting"))
                if buffer.strip() and not self._stop.is_set():
                    self._handle_line(buffer)
                return self._delivered > 0 or time.monotonic() - started >= 1.0
            finally:
                with self._lock:
                    self._response = None
                response.close()

    def _handle_line(self, line: bytes) -> None:
        from netpol_tui.sources import kube

        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.on_error(WatchError("skipped a watch event that is not valid JSON"))
            return
        if not isinstance(event, dict):
            self.on_error(WatchError("skipped a watch event that is not an object"))
            return
        kind = event.get("type")
        obj = event.get("object") if isinstance(event.get("object"), dict) else {}
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if kind == "ERROR":
            code = obj.get("code")
            message = clean(obj.get("message") or "watch error", 200, single_line=True)
            failure = kube.KubeFailure("gone" if code == 410 else "server", f"node watch: {message} ({code})",
                                       status=code if isinstance(code, int) else None)
            if code == 410:
                raise kube.GoneError(failure, None)
            raise kube.KubeRequestError(failure)
        version = meta.get("resourceVersion")
        if kind == "BOOKMARK":
            if isinstance(version, str) and version:
                self.resource_version = version
            return
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            self.on_error(WatchError(f"skipped a watch event of unknown type {clean(kind, 40)!s}"))
            return
        node = self._parse(obj)
        if isinstance(version, str) and version:
            self.resource_version = version
        if node is not None:
            self._delivered += 1
            self.on_event(NodeEvent(kind, node=node, resource_version=self.resource_version))


__all__ = ["NodeEvent", "NodeWatcher", "WatchError"]
