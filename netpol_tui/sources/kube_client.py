"""Read-only, retrying Kubernetes GET requests, each bounded in time and size.

Every attempt runs under a total deadline (connect, headers and body), its decompressed body
is capped, 429/5xx and dropped connections are retried within a budget (honouring
Retry-After), and every failure is one `KubeFailure` with a user-facing message.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from netpol_tui import __version__
from netpol_tui.model.typed_decode import TYPED_KINDS, decode_list
from netpol_tui.sources.deadline import RequestScope, ScopeGroup, request_deadline
from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.kube_errors import (
    GoneError,
    KubeFailure,
    KubeRequestError,
    _host,
    _status_continue,
    status_failure,
    transport_failure,
)
from netpol_tui.sources.limits import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_RESPONSE_MB,
    MIB,
    BodyDecoder,
    MemoryBudget,
    ReadLimits,
    TooLarge,
)
from netpol_tui.text import clean, plural

if TYPE_CHECKING:
    from netpol_tui.sources.kube_resources import Resource


USER_AGENT = f"netpol-tui/{__version__} (read-only)"
#: Most raw (compressed) bytes taken per read while a page downloads.
READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries for 429/5xx and dropped connections.

    `budget` caps the total time spent waiting between attempts of one request (None: the
    request timeout), so a busy API server costs at most that much extra per request.
    """

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 5.0
    budget: float | None = None

    def delay(self, attempt: int) -> float:
        """Exponential backoff with jitter for the given 1-based retry number."""
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return float(base * (0.5 + random.random() / 2))


#: Tests swap in a faster policy.
RETRY = RetryPolicy()
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})



# ------------------------------------------------------------------------ connection


@dataclass
class KubeTarget:
    """Which API server, as whom; what messages and SourceInfo name."""

    context: str | None
    server: str
    cluster_entry: str | None = None
    user_entry: str | None = None
    default_namespace: str | None = None
    #: "token", "exec", "client-certificate", "basic", "oidc", "in-cluster" or "none".
    auth: str = "none"
    exec_command: str | None = None
    notes: list[str] = field(default_factory=list)




class KubeClient:
    """A configured kubernetes ApiClient plus retrying GET requests, each bounded in time and size.

    Every attempt runs under a total deadline of `timeout` seconds (connect, headers and body,
    enforced by `deadline.request_deadline`), its decompressed body is capped at `max_response`
    bytes, and `abort()` cuts every request in flight (a load that gave up or was cancelled).
    """

    def __init__(self, api_client: Any, target: KubeTarget, timeout: float,
                 refresh: Callable[[], bool] | None = None, *, limits: ReadLimits = DEFAULT_LIMITS,
                 max_response: int = int(DEFAULT_MAX_RESPONSE_MB * MIB)) -> None:
        self.api = api_client
        self.target = target
        self.timeout = timeout
        self.limits = limits
        self.max_response = max_response
        self.scopes = ScopeGroup()
        #: What all bodies being downloaded at once may hold together.
        self.in_flight = MemoryBudget(max_response)
        self._refresh = refresh

    # -- requests

    def _open(self, path: str, query: list[tuple[str, Any]], read_timeout: float, *, gzip: bool = True) -> Any:
        """Start one GET; returns the raw urllib3 response (body not read yet)."""
        method, url, headers, _body, _post = self.api.param_serialize(
            method="GET", resource_path=path,
            header_params={"Accept": "application/json", "Accept-Encoding": "gzip" if gzip else "identity",
                           "User-Agent": USER_AGENT},
            auth_settings=["BearerToken"],
        )
        if query:
            url += "?" + urlencode(query)
        response = self.api.call_api(method, url, header_params=headers,
                                     _request_timeout=(self.timeout, read_timeout))
        return response.response

    def _read_body(self, raw: Any, limit: int, what: str) -> bytes:
        """The decompressed body, at most `limit` bytes (TooLarge beyond)."""
        decoder = BodyDecoder(raw.headers.get("Content-Encoding"), limit, what, self.in_flight)
        try:
            while True:
                chunk = raw.read1(READ_CHUNK, decode_content=False)
                if not chunk:
                    raw.release_conn()
                    return decoder.finish()
                decoder.feed(chunk)
        except BaseException:
            decoder.release()
            raw.close()
            raise

    def _error_body(self, raw: Any, path: str) -> bytes:
        """The first 64 KiB of an error answer: enough for its Status message."""
        try:
            return self._read_body(raw, 64 * 1024, f"GET {path}")
        except TooLarge:
            return b""

    def abort(self) -> None:
        """Cut every request in flight and refuse new ones (the load is over)."""
        self.scopes.abort()

    def _deadline_failure(self, scope: RequestScope, path: str, status: int | None) -> KubeFailure:
        if scope.aborted:
            return KubeFailure("cancelled", "not read: loading stopped early")
        host = _host(self.target)
        if status is None:
            return KubeFailure("timeout", f"the API server {host} did not answer within {self.timeout:g} s", "raise --timeout, or narrow the listing with "
                                                                 "--namespace")
        return KubeFailure("timeout", f"the API server {host} did not finish sending {path} within "
                                      f"{self.timeout:g} s", "raise --timeout, or narrow the listing with --namespace")

    def get_json(self, path: str, query: list[tuple[str, Any]] | None = None, *,
                 resource: Resource | None = None, namespace: str | None = None,
                 retry: RetryPolicy | None = None) -> dict[str, Any]:
        """GET and decode a JSON object; retries 429/5xx and dropped connections within the budget."""
        policy = retry or RETRY
        budget = policy.budget if policy.budget is not None else self.timeout
        waited = 0.0
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            headers: Any = {}
            with request_deadline(self.timeout, self.scopes) as scope:
                try:
                    raw = self._open(path, query or [], self.timeout)
                    status = raw.status
                    headers = raw.headers
                    if 200 <= status < 300:
                        body = self._read_body(raw, self.max_response, f"GET {path}")
                    else:
                        body = self._error_body(raw, path)
                except TooLarge as exc:
                    raise KubeRequestError(KubeFailure("too-large", str(exc), status=status)) from None
                except Exception as exc:  # urllib3 and kubernetes errors, classified below
                    if scope.cut:
                        raise KubeRequestError(self._deadline_failure(scope, path, status)) from None
                    failure = transport_failure(exc, self.target, self.timeout)
                    retryable = failure.category == "protocol"
                    body = None
            if body is not None:
                assert status is not None  # a body is only read once the response's status is known
                if 200 <= status < 300:
                    if resource is not None and resource.k8s_kind in TYPED_KINDS:
                        # Only the fields the model keeps; whatever the typed decode refuses
                        # is decoded below, with the same outcome and messages as ever.
                        trimmed = decode_list(body, resource.k8s_kind)
                        if trimmed is not None:
                            return trimmed
                    try:
                        document = orjson.loads(body)
                    except orjson.JSONDecodeError:
                        failure = KubeFailure("invalid", f"the API server sent invalid JSON for GET {path}",
                                              status=status)
                        retryable = False
                    else:
                        if isinstance(document, dict):
                            return document
                        failure = KubeFailure("invalid", f"the API server sent a {type(document).__name__} "
                                                         f"instead of an object for GET {path}", status=status)
                        retryable = False
                else:
                    failure = status_failure(status, body, self.target, resource, namespace)
                    retryable = status in RETRY_STATUSES
                    if status == 401 and not refreshed and self._refresh is not None:
                        refreshed = True
                        try:
                            if self._refresh():
                                continue
                        except KubeConfigError as exc:
                            raise KubeRequestError(KubeFailure("auth", exc.message, exc.hint, 401, True)) from None
                    if status == 410:
                        raise GoneError(failure, _status_continue(body))
            if not retryable or attempt >= policy.attempts:
                if attempt > 1 and retryable:
                    failure = replace(failure, message=f"{failure.message} (after {attempt} attempts)")
                raise KubeRequestError(failure)
            delay = policy.delay(attempt)
            sent = headers.get("Retry-After") if status in RETRY_STATUSES else None
            after = retry_after_seconds(sent)
            if after is not None:
                delay = after
            if waited + delay > budget:
                if after is not None:
                    failure = replace(failure, message=f"{failure.message}; the server sent Retry-After: "
                                                       f"{clean(str(sent), 60, single_line=True)}, longer than "
                                                       f"the {budget:g} s allowed for retries", fatal=False)
                else:
                    failure = replace(failure, message=f"{failure.message} (gave up after "
                                                       f"{plural(attempt, 'attempt')}: retrying may take "
                                                       f"{budget:g} s at most)",
                                      fatal=False)
                raise KubeRequestError(failure)
            waited += delay
            if self.scopes.aborted:
                raise KubeRequestError(KubeFailure("cancelled", "not read: loading stopped early"))
            time.sleep(delay)

    def stream(self, path: str, query: list[tuple[str, Any]], read_timeout: float) -> Any:
        """Open a watch stream (uncompressed); returns the raw response or raises KubeRequestError.

        Call it inside a `request_deadline` that covers the whole stream.
        """
        try:
            raw = self._open(path, query, read_timeout, gzip=False)
        except Exception as exc:
            raise KubeRequestError(transport_failure(exc, self.target, self.timeout)) from None
        if raw.status == 401 and self._refresh is not None:
            raw.close()
            try:
                self._refresh()
            except KubeConfigError as exc:
                raise KubeRequestError(KubeFailure("auth", exc.message, exc.hint, 401, True)) from None
            try:
                raw = self._open(path, query, read_timeout, gzip=False)
            except Exception as exc:
                raise KubeRequestError(transport_failure(exc, self.target, self.timeout)) from None
        if not 200 <= raw.status < 300:
            try:
                body = self._error_body(raw, path)
            except Exception:  # the status says enough
                body = b""
            raw.close()
            failure = status_failure(raw.status, body, self.target, None, None)
            if raw.status == 410:
                raise GoneError(failure, None)
            raise KubeRequestError(failure)
        return raw

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a pool must never mask the real outcome
            self.api.close()




def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


__all__ = ["KubeClient", "KubeTarget", "READ_CHUNK", "RETRY", "RETRY_STATUSES", "RetryPolicy", "USER_AGENT", "retry_after_seconds"]
