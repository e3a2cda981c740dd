"""The GKE cluster's network policy log (`policy-action`) read live from Cloud Logging, read-only.

`flows --logs-since 1h` asks Cloud Logging's entries.list (a POST that only reads) through
google-cloud-logging's HTTP/JSON client (`Client(_use_grpc=False)`: REST, so tests answer it from
127.0.0.1 and no gRPC channel is opened). The client hands back LogEntry objects; `to_api_repr()`
turns each into the REST JSON that `gcloud logging read --format=json` prints, so live entries
and files go through the same policy-action parser.

Bounds, all of them reported when they cut the read:
- the filter names the log, the node resource, the cluster (name and location) and the time;
- pages of PAGE_SIZE entries, newest first (so a cap keeps the most recent records);
- at most `max_records` entries and `max_pages` requests;
- each request (its retries included) ends within `timeout` seconds, connect to last byte, and
  all of them within `budget` (cut by the request_deadline watchdog, like every other read);
- each decompressed response body is capped (the gke_bounds session hook).

Never raises while reading: `LogRead.entries()` stops and records why (`reason`, `cut`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from netpol_tui.sources.gke import GkeIdentity

LOG_ID = "policy-action"
RESOURCE_TYPE = "k8s_node"
PERMISSION = "logging.logEntries.list"
ROLE = "roles/logging.viewer"
DEFAULT_ENDPOINT = "https://logging.googleapis.com"
#: entries.list accepts up to 1,000 entries a page.
PAGE_SIZE = 1000
DEFAULT_MAX_RECORDS = 100_000
#: Cloud Logging may answer a page with few or no entries and a nextPageToken while it scans, so
#: the page cap leaves room beyond max_records / PAGE_SIZE.
EXTRA_PAGES = 20
#: One page of 1,000 entries is one to two MB; no sane page comes near this.
MAX_PAGE_BYTES = 64 << 20
#: Statuses of LogRead.status().
READ, PARTIAL, NOT_READ = "read", "read in part", "not read"
VPC_SC_HINT = ("behind VPC Service Controls pass --logging-endpoint https://restricted.googleapis.com "
               "(or https://private.googleapis.com, or your Private Service Connect endpoint)")


def log_name(project: str) -> str:
    return f"projects/{project}/logs/{LOG_ID}"


def _literal(value: str) -> str:
    """A string literal of the Logging query language (backslash and quote escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_filter(identity: GkeIdentity, start: datetime) -> str:
    """The Logging query: this cluster's policy-action entries since `start` (one clause a line, ANDed)."""
    return "\n".join([
        f"logName={_literal(log_name(identity.project))}",
        f"resource.type={_literal(RESOURCE_TYPE)}",
        f"resource.labels.cluster_name={_literal(identity.cluster)}",
        f"resource.labels.location={_literal(identity.location)}",
        f"timestamp>={_literal(rfc3339(start))}",
    ])


def default_max_pages(max_records: int, page_size: int = PAGE_SIZE) -> int:
    return -(-max_records // page_size) + EXTRA_PAGES


class _PageCap(Exception):
    """The page cap was reached while the log still had pages."""


class _BudgetSpent(Exception):
    """The overall budget ran out between two pages."""


@dataclass
class LogRead:
    """One bounded read of the policy-action log; iterate `entries()` once, then read the outcome."""

    identity: GkeIdentity
    since: timedelta
    endpoint: str | None = None
    timeout: float = 10.0
    budget: float = 300.0
    max_response: int = MAX_PAGE_BYTES
    page_size: int = PAGE_SIZE
    max_records: int = DEFAULT_MAX_RECORDS
    max_pages: int | None = None
    now: datetime | None = None
    #: What entries() found out: counts, why it stopped early (`cut`) or failed (`reason`).
    pages: int = 0
    entries_read: int = 0
    reason: str | None = None
    cut: str | None = None
    #: Words of a command that fixes `reason` (rendered by the caller's shell quoting), if any.
    fix: list[str] | None = None
    #: The IAM permission to ask for when `reason` is a denial.
    permission: str | None = None
    complete: bool = False
    _received: int = field(default=0, repr=False)
    _more: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self.start = (self.now or datetime.now(UTC)) - self.since
        self.filter = build_filter(self.identity, self.start)
        if self.max_pages is None:
            self.max_pages = default_max_pages(self.max_records, self.page_size)

    @property
    def name(self) -> str:
        """How problems and the report name this input."""
        return f"Cloud Logging {log_name(self.identity.project)}"

    def entries(self) -> Iterator[dict[str, Any]]:
        """The log entries as REST JSON dicts, newest first, within every bound; never raises."""
        try:
            client = self._client()
        except Exception as exc:
            self._failed(exc)
            return
        try:
            yield from self._read(client)
        finally:
            _close(client)

    def _client(self) -> Any:
        from netpol_tui.sources.gke import _credentials, import_google
        from netpol_tui.sources.gke_bounds import bound_session
        from netpol_tui.sources.kube_connect import IMPORT_LOCK, quiet_client_logs

        import_google()
        with IMPORT_LOCK:
            from google.cloud.logging_v2 import Client
        quiet_client_logs()
        options = {"api_endpoint": self.endpoint.rstrip("/")} if self.endpoint else None
        client = Client(project=self.identity.project, credentials=_credentials(self.endpoint), _use_grpc=False,
                        client_options=options)
        session = client._http  # the AuthorizedSession every request of the client goes through
        bound_session(session, min(self.max_response, MAX_PAGE_BYTES), "the Cloud Logging API")
        auth_session = getattr(session, "_auth_request_session", None)
        if auth_session is not None:
            bound_session(auth_session, 64 * 1024, "the Google token service")
        return client

    def _read(self, client: Any) -> Iterator[dict[str, Any]]:
        from google.cloud.logging_v2 import DESCENDING

        from netpol_tui.sources.gke import make_retry
        from netpol_tui.sources.gke_bounds import DeadlinePassed, call_within

        deadline = time.monotonic() + self.budget
        original = client._connection.api_request

        def api_request(*args: Any, **kwargs: Any) -> Any:
            """One page: counted, within the page cap, its deadline and what is left of the budget."""
            if self.pages >= (self.max_pages or 0):
                raise _PageCap()
            left = deadline - time.monotonic()
            if left <= 0:
                raise _BudgetSpent()
            seconds = min(self.timeout, left)
            kwargs["timeout"] = seconds
            try:
                response = call_within(lambda: make_retry(seconds)(original)(*args, **kwargs), seconds)
            except DeadlinePassed:
                if seconds < self.timeout:  # it was the total budget, not --timeout, that ran out
                    raise _BudgetSpent() from None
                raise
            self.pages += 1
            if isinstance(response, dict):
                entries = response.get("entries")
                self._received += len(entries) if isinstance(entries, list) else 0
                self._more = bool(response.get("nextPageToken"))
            return response

        client._connection.api_request = api_request
        try:
            iterator = client.list_entries(resource_names=[f"projects/{self.identity.project}"], filter_=self.filter,
                                           order_by=DESCENDING, page_size=self.page_size)
            for entry in iterator:
                yield entry.to_api_repr()
                self.entries_read += 1
                if self.entries_read >= self.max_records:
                    if self._received > self.entries_read or self._more:
                        self.cut = (f"stopped at the record cap of {self.max_records:,} entries, the newest "
                                    f"(raise --logs-limit, or shorten --logs-since)")
                        return
            self.complete = True
        except _PageCap:
            self.cut = (f"stopped at the page cap of {self.max_pages} pages ({self.entries_read:,} entries read); "
                        "raise --logs-limit, or shorten --logs-since")
        except _BudgetSpent:
            self.cut = (f"stopped after {self.pages} pages ({self.entries_read:,} entries): reading took longer "
                        f"than the {self.budget:g} s allowed in total (--load-timeout)")
        except Exception as exc:
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        self.reason = failure_reason(exc, self)
        if self.pages:
            self.reason = f"after {self.pages} pages ({self.entries_read:,} entries): {self.reason}"

    def status(self) -> dict[str, Any]:
        """The outcome as plain data for the report: read, read in part (why) or not read (why, fix)."""
        if (self.reason is not None or self.cut is not None) and not self.entries_read:
            state = NOT_READ
        elif self.reason is not None or self.cut is not None:
            state = PARTIAL
        else:
            state = READ
        return {"source": "Cloud Logging", "log": log_name(self.identity.project), "project": self.identity.project,
                "cluster": self.identity.name,
                "since": rfc3339(self.start), "filter": self.filter, "status": state, "entries": self.entries_read,
                "pages": self.pages, "reason": self.reason, "cut": self.cut, "permission": self.permission,
                "fix": list(self.fix) if self.fix else None}


def failure_reason(exc: BaseException, read: LogRead) -> str:
    """Any error from google-cloud-logging / google-auth / requests in words, with what to do
    (the mapping shared with the GKE API: `google_errors.google_failure`).

    A denial sets `read.permission`; a disabled API sets `read.fix` (command words).
    """
    from netpol_tui.sources.google_errors import GoogleApi, google_failure

    project = read.identity.project
    permission = f"{PERMISSION} (e.g. {ROLE})"
    failure = google_failure(exc, GoogleApi(
        api="Cloud Logging API", short="Cloud Logging", service="logging.googleapis.com",
        package="google-cloud-logging", project=project, endpoint=read.endpoint or DEFAULT_ENDPOINT,
        timeout=read.timeout, vpc_hint=VPC_SC_HINT, credentials_permission=PERMISSION,
        denied=f"Cloud Logging denied listing the log's entries (403); ask for {permission} on project {project}",
        not_found=(f"Cloud Logging does not know project {project} (404); check --project (or the kubeconfig "
                   "context name)"),
        quota="Cloud Logging read quota exhausted (429); try again in a minute, or shorten --logs-since",
        bad_request="Cloud Logging rejected the query (400)", too_large="; shorten --logs-since"))
    if failure.fix:
        read.fix = list(failure.fix)
    if failure.denied:
        read.permission = permission
    return failure.reason


def _close(client: Any) -> None:
    with contextlib.suppress(Exception):  # closing must never mask the outcome
        client.close()


__all__ = ["DEFAULT_MAX_RECORDS", "LOG_ID", "NOT_READ", "PAGE_SIZE", "PARTIAL", "PERMISSION", "READ", "ROLE",
           "LogRead", "build_filter", "failure_reason", "log_name"]
