"""GKE API access for the live source: the cluster and its operations, read-only.

Uses google-cloud-container over REST (imported lazily: grpc/protobuf cost a noticeable part of
a second) and converts the protos back to the REST JSON that `model.parse` reads, so live data
and `gcloud ... --format=json` files go through one parser.

Never raises: when GKE data cannot be had the caller runs in Kubernetes-only mode, and the
returned reasons say why and how to fix it (they become UnknownParts, shown as a banner).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from netpol_tui.shell import join

IAM_ROLE = "roles/container.clusterViewer"
#: What each call needs; operations.list is not in every viewer role, so it is named on its own.
CLUSTER_PERMISSION = f"container.clusters.get (e.g. {IAM_ROLE})"
OPERATIONS_PERMISSION = "container.operations.list (e.g. roles/container.viewer, or a custom role)"
#: Finished operations older than this are not kept (running ones always are).
RECENT_OPERATIONS = timedelta(days=7)
MAX_RECENT_OPERATIONS = 50
RUNNING_STATES = frozenset({"PENDING", "RUNNING", "ABORTING"})
VPC_SC_HINT = ("behind VPC Service Controls pass --gke-endpoint https://restricted.googleapis.com "
               "(or https://private.googleapis.com, or your Private Service Connect endpoint)")
GCE_PRODUCT_FILE = "/sys/class/dmi/id/product_name"
_FRACTION = re.compile(r"(\.\d{6})\d+")
DEFAULT_ENDPOINT = "https://container.googleapis.com"


@dataclass(frozen=True)
class GkeIdentity:
    project: str
    location: str
    cluster: str

    @property
    def name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/clusters/{self.cluster}"

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"


def parse_context_name(name: str | None) -> GkeIdentity | None:
    """`gke_PROJECT_LOCATION_CLUSTER`, as `gcloud container clusters get-credentials` names contexts.

    Neither project ids, locations nor cluster names may contain an underscore, so the split is exact.
    """
    if not name:
        return None
    parts = name.split("_")
    if len(parts) != 4 or parts[0] != "gke" or not all(parts[1:]):
        return None
    return GkeIdentity(parts[1], parts[2], parts[3])


def identify(options: Any, context: str | None, cluster_entry: str | None = None) -> tuple[GkeIdentity | None, str]:
    """The cluster to ask GKE about: flags first, then the context (or its cluster entry) name.

    Returns (identity, "") or (None, reason with the fix).
    """
    parsed = parse_context_name(context) or parse_context_name(cluster_entry)
    project = options.project or (parsed.project if parsed else None)
    location = options.location or (parsed.location if parsed else None)
    cluster = options.cluster or (parsed.cluster if parsed else None)
    if project and location and cluster:
        return GkeIdentity(project, location, cluster), ""
    missing = [flag for flag, value in (("--project", project), ("--location", location), ("--cluster", cluster))
               if not value]
    where = f"context {context!r} is not named gke_PROJECT_LOCATION_CLUSTER" if context else "no kubeconfig context"
    return None, (f"GKE cluster not identified ({where}); pass {', '.join(missing)} to read the cluster "
                  "from the GKE API")


@dataclass
class GkeResult:
    """What the GKE API gave: REST-shaped dicts, or the reasons they are missing."""

    cluster: dict[str, Any] | None = None
    operations: list[dict[str, Any]] | None = None
    cluster_reason: str | None = None
    operations_reason: str | None = None
    notes: list[str] = field(default_factory=list)


def adc_may_exist() -> bool:
    """Whether Application Default Credentials can be found without probing the metadata server.

    Off Google Cloud, google.auth.default() probes 169.254.169.254 three times with a 3 s timeout
    before giving up; a laptop without ADC would wait ~9 s for a "no credentials" banner. The
    probe is only worth it where a metadata server is plausible (a GCE VM or a GKE pod).
    """
    if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or os.environ.get("NO_GCE_CHECK") == "true":
        return True
    config = os.environ.get("CLOUDSDK_CONFIG") or os.path.join(os.path.expanduser("~"), ".config", "gcloud")
    if os.path.isfile(os.path.join(config, "application_default_credentials.json")):
        return True
    if os.environ.get("GCE_METADATA_HOST") or os.environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    try:
        with open(GCE_PRODUCT_FILE, encoding="utf-8", errors="replace") as handle:
            return handle.read().strip().startswith("Google")
    except OSError:
        return False


def _credentials(endpoint: str | None) -> Any:
    """ADC, except for a plain-HTTP endpoint: tokens are never sent in clear text (tests, emulators)."""
    if endpoint and endpoint.startswith("http://"):
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    import google.auth
    import google.auth.exceptions

    if not adc_may_exist():
        raise google.auth.exceptions.DefaultCredentialsError("no ADC file and not on Google Cloud")

    credentials, _project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    return credentials


def make_client(endpoint: str | None) -> Any:
    from google.cloud.container_v1 import ClusterManagerClient

    from netpol_tui.sources.kube_connect import quiet_client_logs

    quiet_client_logs()

    options = {"api_endpoint": endpoint.rstrip("/")} if endpoint else None
    return ClusterManagerClient(credentials=_credentials(endpoint), transport="rest", client_options=options)


def make_retry(budget: float) -> Any:
    """Bounded retries of throttling and 5xx answers (the policy the Kubernetes side uses)."""
    from google.api_core import exceptions as gexc
    from google.api_core import retry as gretry

    from netpol_tui.sources import kube_client

    policy = kube_client.RETRY
    return gretry.Retry(
        predicate=gretry.if_exception_type(gexc.TooManyRequests, gexc.InternalServerError, gexc.BadGateway,
                                           gexc.ServiceUnavailable, gexc.GatewayTimeout),
        initial=policy.backoff, maximum=policy.max_backoff, multiplier=2.0,
        timeout=min(policy.budget, budget) if policy.budget is not None else budget,
    )


def to_rest_dict(message: Any) -> dict[str, Any]:
    """A proto-plus message as REST JSON: camelCase names, enum names (not numbers), and, as gcloud
    prints it, without fields left at their default (proto-plus would print "" and *_UNSPECIFIED)."""
    text = type(message).to_json(message, use_integers_for_enums=False, preserving_proto_field_name=False,
                                 always_print_fields_with_no_presence=False, indent=None)
    data: dict[str, Any] = orjson.loads(text)
    return data


def restore_zero_enums(cluster: dict[str, Any]) -> dict[str, Any]:
    """Put back enum fields whose zero value means something, which proto JSON leaves out.

    A maintenance exclusion's `scope` NO_UPGRADES is enum value 0: an exclusion with options but
    no scope in the JSON is a NO_UPGRADES exclusion, and gcloud users expect to see it named.
    """
    window = cluster.get("maintenancePolicy", {}).get("window", {})
    exclusions = window.get("maintenanceExclusions") if isinstance(window, dict) else None
    if isinstance(exclusions, dict):
        for exclusion in exclusions.values():
            options = exclusion.get("maintenanceExclusionOptions") if isinstance(exclusion, dict) else None
            if isinstance(options, dict) and "scope" not in options:
                options["scope"] = "NO_UPGRADES"
    return cluster


def failure_reason(exc: BaseException, identity: GkeIdentity, endpoint: str | None, timeout: float,
                   what: str = "the cluster") -> str:
    """Any error from google-cloud-container / google-auth / requests in words, with the fix
    (the mapping shared with Cloud Logging: `google_errors.google_failure`)."""
    from netpol_tui.sources.google_errors import GoogleApi, google_failure

    permission = OPERATIONS_PERMISSION if what.startswith("the operations") else CLUSTER_PERMISSION
    failure = google_failure(exc, GoogleApi(
        api="GKE API", short="GKE API", service="container.googleapis.com", package="google-cloud-container",
        project=identity.project, endpoint=endpoint or DEFAULT_ENDPOINT, timeout=timeout, vpc_hint=VPC_SC_HINT,
        credentials_permission=CLUSTER_PERMISSION,
        denied=f"GKE API denied reading {what} {identity.name} (403); grant {permission} on project {identity.project}",
        not_found=(f"GKE cluster {identity.name} not found (404); check --project, --location and --cluster "
                   "(or the kubeconfig context name)"),
        quota="GKE API quota exhausted (429); try again in a minute", reading=f" reading {what}"))
    return f"{failure.reason}: run `{join(failure.fix)}`" if failure.fix else failure.reason


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00")))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _cluster_of(operation: dict[str, Any]) -> str | None:
    link = operation.get("targetLink") or ""
    if "/clusters/" not in link:
        return None
    return link.split("/clusters/", 1)[1].split("/")[0]


def select_operations(operations: list[dict[str, Any]], cluster: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """This cluster's operations: every running one, plus the most recent finished ones."""
    now = now or datetime.now(UTC)
    running, finished = [], []
    for operation in operations:
        if _cluster_of(operation) != cluster:
            continue
        if operation.get("status") in RUNNING_STATES:
            running.append(operation)
            continue
        when = _time(operation.get("endTime")) or _time(operation.get("startTime"))
        if when is not None and now - when <= RECENT_OPERATIONS:
            finished.append((when, operation))
    finished.sort(key=lambda pair: pair[0], reverse=True)
    return running + [operation for _, operation in finished[:MAX_RECENT_OPERATIONS]]


def import_google() -> None:
    """Import the Google client stack once, under the shared lock (see kube.IMPORT_LOCK)."""
    from netpol_tui.sources.kube_connect import IMPORT_LOCK

    with IMPORT_LOCK:
        import google.api_core.exceptions
        import google.api_core.retry
        import google.auth
        import google.auth.credentials
        import google.auth.exceptions
        import google.cloud.container_v1  # noqa: F401
        import requests  # noqa: F401


class GkeReader:
    """google-cloud-container for one source: the client is made at the first read and reused by
    every later one (the follower polls every 15 s), until `close()`.

    Reads are one at a time. A read that failed below the API (the deadline cut the connection, a
    body over the cap, no connection, no credentials) drops the client: the next read makes a new
    one. `close()` is safe from any thread and never waits for a read in flight: that read closes
    the client when it ends.
    """

    def __init__(self, endpoint: str | None, max_response: int | None = None) -> None:
        from netpol_tui.sources.limits import DEFAULT_MAX_RESPONSE_MB, MIB

        self.endpoint = endpoint
        self.max_response = max_response or int(DEFAULT_MAX_RESPONSE_MB * MIB)
        #: Clients made so far (one for the reader's lifetime unless a read failed below the API).
        self.clients_made = 0
        self._client: Any = None
        self._closed = False
        self._busy = False
        self._read_lock = threading.Lock()
        self._state_lock = threading.Lock()

    def __enter__(self) -> GkeReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, identity: GkeIdentity, timeout: float) -> GkeResult:
        """get_cluster + list_operations, each within `timeout` in total; never raises (reasons instead)."""
        with self._read_lock:
            with self._state_lock:
                if self._closed:
                    reason = "GKE API not read: the source was closed"
                    return GkeResult(cluster_reason=reason, operations_reason=reason)
                self._busy = True
            try:
                return self._fetch(identity, timeout)
            finally:
                with self._state_lock:
                    self._busy = False
                    client = None
                    if self._closed:
                        client, self._client = self._client, None
                _close_client(client)

    def close(self) -> None:
        with self._state_lock:
            self._closed = True
            if self._busy:
                return  # the read in flight closes the client when it ends
            client, self._client = self._client, None
        _close_client(client)

    def _fetch(self, identity: GkeIdentity, timeout: float) -> GkeResult:
        from netpol_tui.sources.gke_bounds import bound_client, call_within

        result = GkeResult()
        endpoint = self.endpoint
        if self._client is None:
            try:
                import_google()
                client = make_client(endpoint)
                self.clients_made += 1
                bound_client(client, self.max_response)
            except Exception as exc:  # credentials discovery and client construction
                result.cluster_reason = failure_reason(exc, identity, endpoint, timeout)
                result.operations_reason = result.cluster_reason
                return result
            self._client = client
        client = self._client
        try:
            cluster = call_within(lambda: client.get_cluster(name=identity.name, retry=make_retry(timeout),
                                                       timeout=timeout), timeout)
            result.cluster = restore_zero_enums(to_rest_dict(cluster))
        except Exception as exc:
            self._drop_after(exc)
            result.cluster_reason = failure_reason(exc, identity, endpoint, timeout)
            result.operations_reason = f"not read: {result.cluster_reason}"
            return result
        try:
            response = call_within(lambda: client.list_operations(parent=identity.parent, retry=make_retry(timeout),
                                                            timeout=timeout), timeout)
            operations = [to_rest_dict(operation) for operation in response.operations]
            result.operations = select_operations(operations, identity.cluster)
        except Exception as exc:
            self._drop_after(exc)
            result.operations_reason = failure_reason(exc, identity, endpoint, timeout, "the operations of")
        return result

    def _drop_after(self, exc: BaseException) -> None:
        """An answer of the API keeps the client; a failure below it (connection, deadline, cap) drops it."""
        from google.api_core import exceptions as gexc

        if isinstance(exc, gexc.GoogleAPICallError):
            return
        client, self._client = self._client, None
        _close_client(client)


def _close_client(client: Any) -> None:
    transport = getattr(client, "transport", None) if client is not None else None
    try:
        if transport is not None:
            transport.close()
    except Exception:  # closing must never mask the result
        pass


def fetch_gke(identity: GkeIdentity, endpoint: str | None, timeout: float,
              max_response: int | None = None) -> GkeResult:
    """One read with a client of its own, closed after it (a follower keeps a `GkeReader` instead)."""
    with GkeReader(endpoint, max_response) as reader:
        return reader.fetch(identity, timeout)


__all__ = ["IAM_ROLE", "GkeIdentity", "GkeReader", "GkeResult", "fetch_gke", "failure_reason", "identify",
           "parse_context_name", "select_operations", "to_rest_dict"]
