"""Loopback stand-ins for the Kubernetes API and the GKE REST API.

Small threaded HTTP/1.1 servers the live tests (and benchmarks/bench_live.py) start on
127.0.0.1. They speak just enough of each API for the real `kubernetes` and
`google-cloud-container` clients and for kubectl: lists with limit/continue and labelSelector,
Status errors, watch streams, discovery. Faults are scripted per request (status, Retry-After,
delay, dropped connection, malformed body). Any request that is not a GET is recorded as a
violation; the test fixtures fail the test when there is one.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import functools
import gzip
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """One scripted misbehaviour for requests whose path contains `path` (and match `when`).

    `times` requests are affected (None: all). `status` answers with a Status body (or `body`);
    `delay` waits before answering; `drop` sends the headers and part of the body, then closes.
    """

    path: str
    status: int | None = None
    times: int | None = 1
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    body: bytes | None = None
    message: str | None = None
    reason: str | None = None
    when: Callable[[dict[str, list[str]]], bool] | None = None
    #: Status.metadata.continue to hand back with a 410 (an inconsistent continue token).
    continue_token: str | None = None
    #: Send the status line and headers one byte every `trickle` seconds.
    trickle: float = 0.0
    #: Send the headers at once, then the body one byte every `slow_body` seconds.
    slow_body: float = 0.0
    #: Answer 200 with a gzip body (Content-Encoding: gzip) of this many MiB of zeros once inflated.
    gzip_bomb_mib: int = 0
    #: Answer 200 with a chunked body that never ends.
    endless: bool = False
    #: Rewrite a list page's metadata.continue: called with the token the stand-in would send.
    rewrite_continue: Callable[[Any], Any] | None = None
    hits: int = 0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    #: The body of a POST the stand-in accepts as a read (Cloud Logging's entries.list).
    body: bytes = b""


@dataclass
class WatchStep:
    """One action of a scripted watch connection."""

    action: str  # "event", "sleep", "drop", "gone", "error", "raw"
    type: str = ""
    object: Any = None
    seconds: float = 0.0
    data: bytes = b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class StandIn:
    """Base: request log, faults, non-GET violations, start/stop."""

    name = "stand-in"
    #: Paths whose POST only reads (entries.list of Cloud Logging); any other non-GET is a violation.
    read_posts: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.scheme = "http"

    # -- lifecycle

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> StandIn:
        handler = _make_handler(self)
        self._server = _Server(("127.0.0.1", port), handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"{self.name}-server")
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- faults

    def fault(self, path: str, **kwargs: Any) -> Fault:
        fault = Fault(path, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, path: str, query: dict[str, list[str]]) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path not in path:
                    continue
                if fault.when is not None and not fault.when(query):
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
        return None

    def paths(self, contains: str = "") -> list[str]:
        return [r.path for r in self.requests if contains in r.path]

    # -- to override

    def handle(self, request: Request, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError


def _make_handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "netpol-standin"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()})
            if self.command == "POST" and parts.path in standin.read_posts:
                request.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with standin.lock:
                standin.requests.append(request)
            if self.command != "GET" and not (self.command == "POST" and parts.path in standin.read_posts):
                with standin.lock:
                    standin.violations.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                send_json(self, 405, status_body(405, "MethodNotAllowed", "read-only stand-in"))
                return
            try:
                standin.handle(request, self)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    return Handler


# --------------------------------------------------------------------------- helpers


def status_body(code: int, reason: str, message: str, continue_token: str | None = None) -> dict:
    meta = {"continue": continue_token} if continue_token else {}
    return {"kind": "Status", "apiVersion": "v1", "metadata": meta, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def send_json(handler: BaseHTTPRequestHandler, code: int, document: Any, headers: dict[str, str] | None = None,
              body: bytes | None = None) -> None:
    data = body if body is not None else orjson.dumps(document)
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)


def drop_after_headers(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    """Announce the full length, send a third of the body, then cut the connection."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data[: max(1, len(data) // 3)])
    handler.wfile.flush()
    abort(handler)


def abort(handler: BaseHTTPRequestHandler) -> None:
    handler.close_connection = True
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def apply_fault(standin: StandIn, fault: Fault, handler: BaseHTTPRequestHandler, ok_body: Callable[[], bytes]) -> bool:
    """Play a fault; True when the response was fully handled by it."""
    if fault.delay:
        deadline = time.monotonic() + fault.delay
        while time.monotonic() < deadline and not standin.stopping.is_set():
            time.sleep(0.01)
    if fault.drop:
        drop_after_headers(handler, ok_body())
        return True
    if fault.trickle or fault.slow_body or fault.gzip_bomb_mib or fault.endless:
        with contextlib.suppress(OSError):
            _misbehave(standin, fault, handler, ok_body)
        handler.close_connection = True
        return True
    if fault.rewrite_continue is not None:
        document = orjson.loads(ok_body())
        meta = document.setdefault("metadata", {})
        meta["continue"] = fault.rewrite_continue(meta.get("continue"))
        if meta["continue"] is None:
            del meta["continue"]
        send_json(handler, 200, document)
        return True
    if fault.status is not None:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        reason = fault.reason or {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 410: "Expired",
                                  429: "TooManyRequests"}.get(fault.status, "InternalError")
        message = fault.message or f"scripted {fault.status}"
        send_json(handler, fault.status, status_body(fault.status, reason, message, fault.continue_token),
                  headers, fault.body)
        return True
    if fault.body is not None:
        send_json(handler, 200, None, body=fault.body)
        return True
    return False


def gzip_bomb(mib: int) -> bytes:
    """A multi-member gzip body of `mib` MiB of zeros (about 1 KiB per MiB: 2 MB holds 2 GiB)."""
    return _gzip_member() * mib


@functools.lru_cache(maxsize=1)
def _gzip_member() -> bytes:
    return gzip.compress(b"\0" * (1 << 20), 9)


def _sleep(standin: StandIn, seconds: float) -> bool:
    """Sleep unless the stand-in stops; False when it is stopping."""
    return not standin.stopping.wait(seconds)


def _misbehave(standin: StandIn, fault: Fault, handler: BaseHTTPRequestHandler, ok_body: Callable[[], bytes]) -> None:
    wfile = handler.wfile
    if fault.endless:
        wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b'{"kind":"PodList","items":[' + b" " * 65000
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        while not standin.stopping.is_set():
            wfile.write(chunk)
        return
    if fault.gzip_bomb_mib:
        body = gzip_bomb(fault.gzip_bomb_mib)
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        wfile.write(head + body)
        wfile.flush()
        return
    body = ok_body()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "\r\n").encode()
    if fault.trickle:
        for index in range(len(head)):
            wfile.write(head[index:index + 1])
            wfile.flush()
            if not _sleep(standin, fault.trickle):
                return
    else:
        wfile.write(head)
        wfile.flush()
    if fault.slow_body:
        for index in range(len(body)):
            wfile.write(body[index:index + 1])
            wfile.flush()
            if not _sleep(standin, fault.slow_body):
                return
    else:
        wfile.write(body)


# --------------------------------------------------------------------------- Kubernetes


@dataclass(frozen=True)
class ApiResource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short: tuple[str, ...] = ()


API_RESOURCES = (
    ApiResource("", "v1", "namespaces", "Namespace", False, ("ns",)),
    ApiResource("", "v1", "nodes", "Node", False, ("no",)),
    ApiResource("", "v1", "pods", "Pod", True, ("po",)),
    ApiResource("", "v1", "services", "Service", True, ("svc",)),
    ApiResource("", "v1", "events", "Event", True, ("ev",)),
    ApiResource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True, ("netpol",)),
    ApiResource("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",)),
    ApiResource("apps", "v1", "deployments", "Deployment", True, ("deploy",)),
    ApiResource("apps", "v1", "statefulsets", "StatefulSet", True, ("sts",)),
    ApiResource("apps", "v1", "daemonsets", "DaemonSet", True, ("ds",)),
    ApiResource("networking.gke.io", "v1alpha1", "networkloggings", "NetworkLogging", False, ("nl",)),
)
#: CRDs of GKE Dataplane V2 policy kinds, served only by a KubeAPI(crds=True) (else 404, as on
#: a cluster without them).
CRD_RESOURCES = (
    ApiResource("networking.gke.io", "v1alpha1", "fqdnnetworkpolicies", "FQDNNetworkPolicy", True),
    ApiResource("cilium.io", "v2", "ciliumnetworkpolicies", "CiliumNetworkPolicy", True, ("cnp",)),
    ApiResource("cilium.io", "v2", "ciliumclusterwidenetworkpolicies", "CiliumClusterwideNetworkPolicy", False,
                ("ccnp",)),
)
_BY_PATH = {(r.group, r.version, r.plural): r for r in API_RESOURCES}
_LIST_PATH = re.compile(r"^/(?:api/(?P<v1>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                        r"(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>[a-z]+)$")


def _encode_token(offset: int, rv: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"o": offset, "rv": rv})).decode()


def _decode_token(token: str) -> dict | None:
    try:
        return orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, orjson.JSONDecodeError):
        return None


def _selector_matches(selector: str, labels: dict[str, str]) -> bool:
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "==" in term or "=" in term:
            key, value = re.split("==|=", term, maxsplit=1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class KubeAPI(StandIn):
    """Kubernetes API server stand-in: discovery, lists, watch on nodes."""

    name = "kube-api"

    def __init__(self, objects: dict[str, list[dict]] | None = None, token: str | None = None,
                 crds: bool = False) -> None:
        super().__init__()
        self.resources = API_RESOURCES + (CRD_RESOURCES if crds else ())
        self._by_path = {(r.group, r.version, r.plural): r for r in self.resources}
        #: plural -> raw items (metadata.namespace set on namespaced ones)
        self.objects: dict[str, list[dict]] = {r.plural: [] for r in self.resources}
        for plural, items in (objects or {}).items():
            self.objects[plural] = list(items)
        self.token = token
        self.resource_version = 1000
        self.watch_sessions: list[list[WatchStep]] = []
        self.watch_requests: list[dict[str, list[str]]] = []
        self.page_cache: dict[tuple, bytes] = {}
        self.cache_pages = False
        #: plural -> scripted watch connections for that list alone (played before the live changes).
        self.watch_scripts: dict[str, list[list[WatchStep]]] = {}
        #: (resourceVersion, plural, type, object) of every `change()`: a watch from an older version replays them.
        self.history: list[tuple[int, str, str, dict]] = []
        self._streams: list[tuple[str, str | None, list[tuple[str, dict]], threading.Event]] = []

    def add(self, plural: str, *items: dict) -> None:
        self.objects[plural].extend(items)

    def change(self, plural: str, type_: str, obj: dict) -> int:
        """Change the cluster as a controller would: ADDED/MODIFIED replace by namespace and name,
        DELETED removes; the new resourceVersion goes to the object, every open watch of that
        list (and any later watch from an older version) gets the event. Returns the version."""
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        key = (meta.get("namespace"), meta.get("name"))
        with self.lock:
            self.resource_version += 1
            version = self.resource_version
            meta["resourceVersion"] = str(version)
            items = [item for item in self.objects[plural]
                     if ((item.get("metadata") or {}).get("namespace"), (item.get("metadata") or {}).get("name")) != key]
            if type_ != "DELETED":
                items.append(obj)
            self.objects[plural] = items
            self.page_cache.clear()
            self.history.append((version, plural, type_, obj))
            for stream_plural, namespace, pending, wake in self._streams:
                if stream_plural == plural and namespace in (None, key[0]):
                    pending.append((type_, obj))
                    wake.set()
        return version

    # -- routing

    def handle(self, request: Request, handler: BaseHTTPRequestHandler) -> None:
        path = request.path.rstrip("/") or "/"
        fault = self._take_fault(path, request.query)
        if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}" \
                and (fault is None or fault.status is None):
            send_json(handler, 401, status_body(401, "Unauthorized", "Unauthorized"))
            return
        match = _LIST_PATH.match(path)
        resource = None
        if match:
            group = match.group("group") or ""
            version = match.group("v1") or match.group("version")
            resource = self._by_path.get((group, version, match.group("plural")))
        if resource is not None:
            namespace = match.group("ns")
            if request.query.get("watch", ["false"])[0] in ("true", "1"):
                if fault is not None and apply_fault(self, fault, handler, lambda: b"{}"):
                    return
                self._watch(request, handler, resource.plural, namespace)
                return
            body = lambda: self._list_body(resource, namespace, request.query)  # noqa: E731
            if fault is not None and apply_fault(self, fault, handler, body):
                return
            try:
                data = body()
            except _Gone as gone:
                send_json(handler, 410, status_body(410, "Expired", str(gone)))
                return
            send_json(handler, 200, None, body=data)
            return
        if fault is not None and apply_fault(self, fault, handler, lambda: b"{}"):
            return
        document = self._discovery(path)
        if document is None:
            send_json(handler, 404, status_body(404, "NotFound", f"the server could not find {path}"))
        else:
            send_json(handler, 200, document)

    # -- lists

    def _list_body(self, resource: ApiResource, namespace: str | None, query: dict[str, list[str]]) -> bytes:
        limit = int(query.get("limit", ["0"])[0] or 0)
        token = query.get("continue", [""])[0]
        selector = query.get("labelSelector", [""])[0]
        key = (resource.plural, namespace, limit, token, selector)
        if self.cache_pages and key in self.page_cache:
            return self.page_cache[key]
        items = self.objects[resource.plural]
        if namespace and resource.namespaced:
            items = [i for i in items if (i.get("metadata") or {}).get("namespace") == namespace]
        if selector:
            items = [i for i in items if _selector_matches(selector, (i.get("metadata") or {}).get("labels") or {})]
        offset = 0
        if token:
            state = _decode_token(token)
            if state is None:
                raise _Gone("continue token is not valid")
            offset = int(state["o"])
        page = items[offset: offset + limit] if limit else items[offset:]
        meta: dict[str, Any] = {"resourceVersion": str(self.resource_version)}
        end = offset + len(page)
        if limit and end < len(items):
            meta["continue"] = _encode_token(end, self.resource_version)
            meta["remainingItemCount"] = len(items) - end
        list_kind = f"{resource.kind}List"
        api_version = f"{resource.group}/{resource.version}" if resource.group else resource.version
        data = orjson.dumps({"kind": list_kind, "apiVersion": api_version, "metadata": meta, "items": page})
        if self.cache_pages:
            self.page_cache[key] = data
        return data

    # -- watch

    def _watch(self, request: Request, handler: BaseHTTPRequestHandler, plural: str = "nodes",
               namespace: str | None = None) -> None:
        with self.lock:
            self.watch_requests.append(request.query)
            scripts = self.watch_scripts.get(plural)
            if scripts:
                script = scripts.pop(0)
            else:
                script = self.watch_sessions.pop(0) if self.watch_sessions else []
        timeout = float(request.query.get("timeoutSeconds", ["30"])[0] or 30)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def chunk(data: bytes) -> None:
            handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            handler.wfile.flush()

        for step in script:
            if step.action == "event":
                chunk(orjson.dumps({"type": step.type, "object": step.object}) + b"\n")
            elif step.action == "raw":
                chunk(step.data)
            elif step.action == "sleep":
                time.sleep(step.seconds)
            elif step.action == "gone":
                chunk(orjson.dumps({"type": "ERROR", "object": status_body(410, "Expired", "too old resource "
                                                                                          "version")}) + b"\n")
                handler.wfile.write(b"0\r\n\r\n")
                return
            elif step.action == "error":
                chunk(orjson.dumps({"type": "ERROR", "object": step.object}) + b"\n")
            elif step.action == "drop":
                handler.wfile.write(b"40\r\n{\"type\":\"MODIFIED\"")  # a chunk cut short
                handler.wfile.flush()
                abort(handler)
                return
        since = int(request.query.get("resourceVersion", ["0"])[0] or 0)
        pending: list[tuple[str, dict]] = []
        wake = threading.Event()
        stream = (plural, namespace, pending, wake)
        with self.lock:
            pending.extend((type_, obj) for version, p, type_, obj in self.history
                           if p == plural and version > since
                           and namespace in (None, (obj.get("metadata") or {}).get("namespace")))
            self._streams.append(stream)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not self.stopping.is_set():
                wake.wait(0.02)
                with self.lock:
                    events, pending[:] = list(pending), []
                    wake.clear()
                for type_, obj in events:
                    chunk(orjson.dumps({"type": type_, "object": obj}) + b"\n")
            with contextlib.suppress(OSError):
                handler.wfile.write(b"0\r\n\r\n")
        finally:
            with self.lock:
                self._streams.remove(stream)

    # -- discovery (for kubectl)

    def _discovery(self, path: str) -> dict | None:
        if path == "/version":
            return {"major": "1", "minor": "30", "gitVersion": "v1.30.5-gke.1000", "platform": "linux/amd64"}
        if path == "/api":
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.port}"}]}
        if path == "/apis":
            groups = sorted({(r.group, r.version) for r in self.resources if r.group})
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                 "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}} for g, v in groups]}
        match = re.match(r"^/(?:api/(v1)|apis/([^/]+)/([^/]+))$", path)
        if not match:
            return None
        group = match.group(2) or ""
        version = match.group(1) or match.group(3)
        resources = [r for r in self.resources if r.group == group and r.version == version]
        if not resources:
            return None
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
                "resources": [{"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                               "kind": r.kind, "verbs": ["get", "list", "watch"], "shortNames": list(r.short)}
                              for r in resources]}


class _Gone(Exception):
    pass


# --------------------------------------------------------------------------- GKE


class GkeAPI(StandIn):
    """GKE REST stand-in: clusters.get and operations.list of projects.locations."""

    name = "gke-api"

    def __init__(self, clusters: dict[tuple[str, str, str], dict] | None = None,
                 operations: dict[tuple[str, str], list[dict]] | None = None) -> None:
        super().__init__()
        self.clusters = dict(clusters or {})
        self.operations = dict(operations or {})

    def handle(self, request: Request, handler: BaseHTTPRequestHandler) -> None:
        path = request.path
        fault = self._take_fault(path, request.query)
        cluster = re.match(r"^/v1/projects/([^/]+)/locations/([^/]+)/clusters/([^/:]+)$", path)
        operations = re.match(r"^/v1/projects/([^/]+)/locations/([^/]+)/operations$", path)
        if cluster:
            key = (cluster.group(1), cluster.group(2), cluster.group(3))
            body = lambda: orjson.dumps(self.clusters.get(key, {}))  # noqa: E731
            if fault is not None and apply_fault(self, fault, handler, body):
                return
            if key not in self.clusters:
                send_json(handler, 404, {"error": {"code": 404, "message": f"Not found: {path}.",
                                                   "status": "NOT_FOUND"}})
                return
            send_json(handler, 200, None, body=body())
            return
        if operations:
            key = (operations.group(1), operations.group(2))
            body = lambda: orjson.dumps({"operations": self.operations.get(key, [])})  # noqa: E731
            if fault is not None and apply_fault(self, fault, handler, body):
                return
            send_json(handler, 200, None, body=body())
            return
        send_json(handler, 404, {"error": {"code": 404, "message": "unknown path", "status": "NOT_FOUND"}})


def gke_error(code: int, status: str, message: str) -> bytes:
    """A Google API error body (what api_core turns into PermissionDenied, NotFound, ...)."""
    return orjson.dumps({"error": {"code": code, "message": message, "status": status}})


# --------------------------------------------------------------------------- Cloud Logging


class LoggingAPI(StandIn):
    """Cloud Logging REST stand-in: `POST /v2/entries:list` with pageSize/pageToken paging.

    Serves `entries` in the order given, `pageSize` at a time (at most `max_page`); each request
    body is kept in `bodies`. `empty_pages` answers that many first pages with no entries but a
    nextPageToken, as the real API does while it scans. Faults match the path and get the request
    body's fields as their query ({"pageToken": [...]}).
    """

    name = "logging-api"
    read_posts = frozenset({"/v2/entries:list"})

    def __init__(self, entries: list[dict] | None = None, max_page: int = 1000, empty_pages: int = 0) -> None:
        super().__init__()
        self.entries = list(entries or [])
        self.max_page = max_page
        self.empty_pages = empty_pages
        self.bodies: list[dict] = []

    def handle(self, request: Request, handler: BaseHTTPRequestHandler) -> None:
        if request.path != "/v2/entries:list" or request.method != "POST":
            send_json(handler, 404, {"error": {"code": 404, "message": "unknown path", "status": "NOT_FOUND"}})
            return
        try:
            body = orjson.loads(request.body or b"{}")
        except orjson.JSONDecodeError:
            send_json(handler, 400, None, body=gke_error(400, "INVALID_ARGUMENT", "body is not JSON"))
            return
        with self.lock:
            self.bodies.append(body)
        token = str(body.get("pageToken") or "")
        fault = self._take_fault(request.path, {"pageToken": [token]})
        page = self._page(body, token)
        if fault is not None and apply_fault(self, fault, handler, lambda: orjson.dumps(page)):
            return
        send_json(handler, 200, page)

    def _page(self, body: dict, token: str) -> dict:
        if token.startswith("empty-"):
            number = int(token.split("-", 1)[1])
            return {"nextPageToken": f"empty-{number + 1}" if number + 1 < self.empty_pages else "offset-0"}
        if not token and self.empty_pages:
            return {"nextPageToken": "empty-1" if self.empty_pages > 1 else "offset-0"}
        offset = int(token.split("-", 1)[1]) if token.startswith("offset-") else 0
        size = min(int(body.get("pageSize") or self.max_page), self.max_page)
        page: dict[str, Any] = {"entries": self.entries[offset:offset + size]}
        if offset + size < len(self.entries):
            page["nextPageToken"] = f"offset-{offset + size}"
        return page


# --------------------------------------------------------------------------- TLS


def self_signed(directory: Path, name: str = "standin") -> tuple[ssl.SSLContext, bytes]:
    """A server TLS context for 127.0.0.1 and its certificate (PEM), to put in a kubeconfig as the CA."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert_pem)
    key_path.write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_pem


# --------------------------------------------------------------------------- kubeconfig


def kubeconfig(server: str, context: str = "gke_demo-project_europe-west1_shop", *, token: str | None = "t0ken",
               user: dict | None = None, namespace: str | None = None, extra_contexts: dict[str, str] | None = None,
               current: str | None = None) -> dict:
    """A kubeconfig dict for one stand-in (plus more contexts pointing at other servers)."""
    user_body = user if user is not None else ({"token": token} if token else {})
    contexts = [{"name": context, "context": {"cluster": context, "user": context,
                                               **({"namespace": namespace} if namespace else {})}}]
    clusters = [{"name": context, "cluster": {"server": server}}]
    users = [{"name": context, "user": user_body}]
    for name, other in (extra_contexts or {}).items():
        contexts.append({"name": name, "context": {"cluster": name, "user": context}})
        clusters.append({"name": name, "cluster": {"server": other}})
    return {"apiVersion": "v1", "kind": "Config", "current-context": current or context,
            "contexts": contexts, "clusters": clusters, "users": users}


__all__ = ["API_RESOURCES", "CRD_RESOURCES", "Fault", "GkeAPI", "KubeAPI", "Request", "StandIn", "WatchStep", "gke_error",
           "kubeconfig", "status_body"]
