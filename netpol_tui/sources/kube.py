"""Kubernetes API access for the live source: kubeconfig, credentials, read-only raw requests.

Why not simply `kubernetes.config.load_kube_config()`:
- several `KUBECONFIG` files must merge the way kubectl merges them (the first file that names
  a context, cluster, user or current-context wins; the client lets the last current-context win);
- exec credential plugins (gke-gcloud-auth-plugin) must run with a timeout, without the user's
  terminal (the console owns it) and with errors we can explain, whereas the client's loader
  logs plugin failures and carries on unauthenticated.
So the kubeconfig is merged and exec plugins are run here, and the result is handed to the
client's own `KubeConfigLoader` for TLS, certificates, tokens and proxies.

Every request is a GET with a timeout, bounded retries (429 and 5xx, honouring Retry-After)
and one `KubeFailure` with a user-facing message when it fails. The kubernetes package is
imported inside functions only: importing it costs about half a second.
"""

from __future__ import annotations

import base64
import contextlib
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
import yaml

from netpol_tui import __version__
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.deadline import RequestScope, ScopeGroup, request_deadline, track_pool_manager
from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.exec_plugin import (
    GKE_PLUGIN,
    GKE_PLUGIN_INSTALL,
    ExecCredential,
    run_exec_plugin,
)
from netpol_tui.sources.limits import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_RESPONSE_MB,
    MIB,
    BodyDecoder,
    ReadLimits,
    TooLarge,
    read_small_file,
)
from netpol_tui.text import clean

USER_AGENT = f"netpol-tui/{__version__} (read-only)"
PAGE_SIZE = 500
#: Bytes read per socket read while a page downloads (the deadline is checked between reads).
READ_CHUNK = 1 << 20
#: Path-valued kubeconfig fields that kubectl resolves relative to the file that holds them.
_CLUSTER_PATHS = ("certificate-authority",)
_USER_PATHS = ("client-certificate", "client-key", "tokenFile")


#: Held while the client libraries are first imported. Their packages import each other in a
#: cycle; two threads importing them at once (fleet checks, the console's load and node watch)
#: can see a half-initialised module ("cannot import name 'ApiClient'").
IMPORT_LOCK = threading.RLock()


def import_kubernetes() -> None:
    """Import everything this module later takes from kubernetes/urllib3, once, under the lock."""
    with IMPORT_LOCK:
        import kubernetes.client
        import kubernetes.client.exceptions
        import kubernetes.config.config_exception
        import kubernetes.config.incluster_config
        import kubernetes.config.kube_config  # noqa: F401
        import urllib3.exceptions  # noqa: F401


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
        return base * (0.5 + random.random() / 2)


#: Tests swap in a faster policy.
RETRY = RetryPolicy()
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


# ------------------------------------------------------------------------ failures


@dataclass(frozen=True)
class KubeFailure:
    """Why a request failed, in words for the user.

    `fatal` failures (bad credentials, no connection, TLS) would fail every other request the
    same way, so the loader stops early instead of waiting for each to time out.
    """

    category: str
    message: str
    hint: str | None = None
    status: int | None = None
    fatal: bool = False

    def text(self) -> str:
        return self.message + (f"; {self.hint}" if self.hint else "")


class KubeRequestError(Exception):
    def __init__(self, failure: KubeFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


# ------------------------------------------------------------------------ kubeconfig


@dataclass(frozen=True)
class KubeConfig:
    """The merged kubeconfig: named entries as plain dicts, file paths already absolute."""

    paths: tuple[str, ...]
    contexts: dict[str, dict[str, Any]]
    clusters: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    current_context: str | None

    @property
    def context_names(self) -> list[str]:
        return list(self.contexts)


def kubeconfig_paths(kubeconfig: str | None) -> list[str]:
    """The files kubectl would read: --kubeconfig, else every existing $KUBECONFIG entry, else ~/.kube/config."""
    if kubeconfig:
        return [str(Path(kubeconfig).expanduser())]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [str(Path(part).expanduser()) for part in env.split(os.pathsep)
                if part and Path(part).expanduser().is_file()]
    default = Path.home() / ".kube" / "config"
    return [str(default)] if default.is_file() else []


def _absolute(base: Path, value: Any) -> Any:
    if isinstance(value, str) and value and not os.path.isabs(value):
        return str(base / Path(value).expanduser())
    return value


def _named(entries: Any, field_name: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if entries is None:
        return
    if not isinstance(entries, list):
        raise KubeConfigError(f"kubeconfig {path}: '{field_name}' must be a list")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise KubeConfigError(f"kubeconfig {path}: every entry of '{field_name}' needs a name")
        body = entry.get(field_name[:-1])
        yield entry["name"], dict(body) if isinstance(body, dict) else {}


def _load_yaml(data: bytes) -> Any:
    """libyaml when PyYAML has it: the pure-Python parser took minutes on a 24 MB kubeconfig."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(data, Loader=loader)


def _read_document(path: str, limit: int) -> Any:
    try:
        data = read_small_file(path, limit, "kubeconfig")
    except TooLarge as exc:
        raise KubeConfigError(str(exc), hint="Point --kubeconfig or $KUBECONFIG at a kubeconfig file.") from None
    except OSError as exc:
        raise KubeConfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}") from None
    try:
        return _load_yaml(data)
    except yaml.YAMLError as exc:
        raise KubeConfigError(f"kubeconfig {path} is not valid YAML: {str(exc).splitlines()[0]}") from None


_config_cache: dict[tuple, KubeConfig] = {}
_config_lock = threading.Lock()


def _signature(paths: list[str]) -> tuple | None:
    try:
        return tuple((p, st.st_ino, st.st_size, st.st_mtime_ns) for p in paths for st in [os.stat(p)])
    except OSError:
        return None


def read_kubeconfig(kubeconfig: str | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> KubeConfig:
    """Merge the kubeconfig files with kubectl's rules; raises KubeConfigError with a fix.

    Parsed files are remembered while they stay unchanged (`check --all-contexts` reads the
    kubeconfig once per context); callers must not change the returned dicts.
    """
    paths = kubeconfig_paths(kubeconfig)
    if kubeconfig and not Path(paths[0]).is_file():
        if Path(paths[0]).exists():
            raise KubeConfigError(f"kubeconfig {kubeconfig} is not a regular file",
                                  hint="Pass a kubeconfig file with --kubeconfig.")
        raise KubeConfigError(f"kubeconfig {kubeconfig} not found",
                              hint="Pass an existing file with --kubeconfig, or leave it out to use $KUBECONFIG "
                                   "or ~/.kube/config.")
    signature = _signature(paths)
    if signature is not None:
        signature += (limits.max_kubeconfig,)
    if signature is not None:
        with _config_lock:
            cached = _config_cache.get(signature)
        if cached is not None:
            return cached
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in paths:
        document = _read_document(path, limits.max_kubeconfig)
        if document is None:
            continue
        if not isinstance(document, dict):
            raise KubeConfigError(f"kubeconfig {path} is not a kubeconfig (expected a mapping)")
        base = Path(path).resolve().parent
        for name, body in _named(document.get("clusters"), "clusters", path):
            if name not in clusters:
                clusters[name] = {k: _absolute(base, v) if k in _CLUSTER_PATHS else v for k, v in body.items()}
        for name, body in _named(document.get("users"), "users", path):
            if name not in users:
                user = {k: _absolute(base, v) if k in _USER_PATHS else v for k, v in body.items()}
                exec_config = user.get("exec")
                if isinstance(exec_config, dict) and os.sep in str(exec_config.get("command", "")):
                    user["exec"] = {**exec_config, "command": _absolute(base, exec_config["command"])}
                users[name] = user
        for name, body in _named(document.get("contexts"), "contexts", path):
            contexts.setdefault(name, body)
        if current is None and isinstance(document.get("current-context"), str) and document["current-context"]:
            current = document["current-context"]
    config = KubeConfig(tuple(paths), contexts, clusters, users, current)
    if signature is not None:
        with _config_lock:
            _config_cache.clear()
            _config_cache[signature] = config
    return config


def list_contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """Context names in kubeconfig order and the current one (for `check --all-contexts`)."""
    config = read_kubeconfig(kubeconfig)
    return config.context_names, config.current_context


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


def _auth_kind(user: dict[str, Any]) -> str:
    if "exec" in user:
        return "exec"
    provider = user.get("auth-provider")
    if isinstance(provider, dict) and provider.get("name") == "oidc":
        return "oidc"
    if user.get("token") or user.get("tokenFile"):
        return "token"
    if user.get("client-certificate") or user.get("client-certificate-data"):
        return "client-certificate"
    if user.get("username"):
        return "basic"
    return "none"


def _context_hint(config: KubeConfig) -> str:
    names = config.context_names
    shown = ", ".join(names[:10]) + (f" (+{len(names) - 10} more)" if len(names) > 10 else "")
    return f"Contexts in the kubeconfig: {shown}. Choose one with --context NAME." if names \
        else "The kubeconfig names no contexts; run `gcloud container clusters get-credentials CLUSTER`."


def resolve_context(config: KubeConfig, wanted: str | None) -> tuple[str, dict, dict, str | None, dict]:
    """(context name, context, cluster, user name, user) for --context or the current context."""
    name = wanted or config.current_context
    if not name:
        raise KubeConfigError("the kubeconfig has no current context", hint=_context_hint(config))
    context = config.contexts.get(name)
    if context is None:
        raise KubeConfigError(f"context {name!r} not found in the kubeconfig "
                              f"({', '.join(config.paths) or 'no files'})", hint=_context_hint(config))
    cluster_name = context.get("cluster")
    cluster = config.clusters.get(cluster_name) if isinstance(cluster_name, str) else None
    if cluster is None or not cluster.get("server"):
        raise KubeConfigError(f"context {name!r} names cluster {cluster_name!r}, which has no server in the "
                              "kubeconfig", hint="Fetch a fresh entry: gcloud container clusters get-credentials "
                                                 "CLUSTER --location=LOCATION --project=PROJECT_ID")
    user_name = context.get("user") if isinstance(context.get("user"), str) else None
    user = config.users.get(user_name, {}) if user_name else {}
    return name, context, cluster, user_name, user


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
        decoder = BodyDecoder(raw.headers.get("Content-Encoding"), limit, what)
        while True:
            chunk = raw.read1(READ_CHUNK, decode_content=False)
            if not chunk:
                raw.release_conn()
                return decoder.finish()
            try:
                decoder.feed(chunk)
            except TooLarge:
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
                if 200 <= status < 300:
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
                    failure = replace(failure, message=f"{failure.message} (gave up after {attempt} "
                                                       f"attempt{'s' if attempt != 1 else ''}: retrying may take "
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


class GoneError(KubeRequestError):
    """410: a continue token or resourceVersion expired; `token` continues from the next key if given."""

    def __init__(self, failure: KubeFailure, token: str | None) -> None:
        super().__init__(failure)
        self.token = token


def _status_continue(body: bytes) -> str | None:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    meta = document.get("metadata") if isinstance(document, dict) else None
    token = meta.get("continue") if isinstance(meta, dict) else None
    return token if isinstance(token, str) and token else None


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


#: Path fields whose file is read here (capped, regular files only) and handed on as data.
_CLUSTER_FILES = (("certificate-authority", "certificate-authority-data", "certificate-authority file"),)
_USER_FILES = (("client-certificate", "client-certificate-data", "client-certificate file"),
               ("client-key", "client-key-data", "client-key file"),
               ("tokenFile", "token", "tokenFile"))


def inline_credential_files(entry: dict[str, Any], fields: tuple, limits: ReadLimits) -> dict[str, Any]:
    """The entry with each credential file replaced by its content (never read by the client).

    The files must be regular files under `limits.max_credential_file`: `tokenFile: /dev/zero`
    or a FIFO is refused instead of reading forever. As client-go does, inline data wins over a
    certificate file, and a tokenFile wins over a token.
    """
    out = dict(entry)
    for file_key, data_key, what in fields:
        path = out.get(file_key)
        if not path:
            out.pop(file_key, None)
            continue
        if data_key != "token" and out.get(data_key):
            out.pop(file_key)
            continue
        try:
            content = read_small_file(str(path), limits.max_credential_file, what)
        except TooLarge as exc:
            raise KubeConfigError(str(exc), hint="Fix the path in the kubeconfig; credential files are small "
                                                 "regular files.") from None
        except OSError as exc:
            raise KubeConfigError(f"cannot read the {what} {path}: {exc.strerror or exc}",
                                  hint="Fix the path in the kubeconfig, or fetch a fresh kubeconfig.") from None
        out.pop(file_key)
        if data_key == "token":
            token = content.decode("utf-8", "replace").strip()
            if token:
                out["token"] = token
        else:
            out[data_key] = base64.b64encode(content).decode()
    return out


def connect(options: Any) -> KubeClient:
    """A KubeClient for --kubeconfig/--context (or in-cluster config); raises KubeConfigError."""
    import_kubernetes()
    from kubernetes.client import ApiClient, Configuration

    timeout = float(options.timeout or 10.0)
    limits: ReadLimits = getattr(options, "limits", DEFAULT_LIMITS)
    paths = kubeconfig_paths(options.kubeconfig)
    configuration = Configuration()
    configuration.retries = False
    refresh: Callable[[], bool] | None = None
    if not paths and not options.kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
        if options.context:
            raise KubeConfigError(f"context {options.context!r} asked for, but there is no kubeconfig "
                                  "(running in a pod: only the in-cluster service account is available)")
        from kubernetes.config.config_exception import ConfigException
        from kubernetes.config.incluster_config import load_incluster_config

        try:
            load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise KubeConfigError(f"in-cluster configuration failed: {exc}",
                                  hint="Mount a service account token, or pass --kubeconfig.") from None
        target = KubeTarget(context=None, server=configuration.host, auth="in-cluster")
    else:
        config = read_kubeconfig(options.kubeconfig, limits)
        if not config.paths:
            raise KubeConfigError("no kubeconfig found ($KUBECONFIG, ~/.kube/config)",
                                  hint="Run `gcloud container clusters get-credentials CLUSTER --location=LOCATION "
                                       "--project=PROJECT_ID`, or pass --kubeconfig PATH.")
        name, context, cluster, user_name, user = resolve_context(config, options.context)
        target = KubeTarget(context=name, server=str(cluster["server"]).rstrip("/"),
                            cluster_entry=context.get("cluster"), user_entry=user_name,
                            default_namespace=context.get("namespace"), auth=_auth_kind(user))
        provider = user.get("auth-provider")
        if isinstance(provider, dict) and provider.get("name") in ("gcp", "azure"):
            raise KubeConfigError(
                f"the kubeconfig user {user_name!r} uses the removed {provider.get('name')} auth-provider",
                hint=("Switch to gke-gcloud-auth-plugin: " + GKE_PLUGIN_INSTALL + "."
                      if provider.get("name") == "gcp" else "Switch to kubelogin (an exec credential plugin)."))
        if cluster.get("insecure-skip-tls-verify") and (cluster.get("certificate-authority")
                                                        or cluster.get("certificate-authority-data")):
            # kubectl refuses this too: which one did the user mean? Never send credentials on a guess.
            raise KubeConfigError(
                f"context {name!r}: specifying a root certificates file with the insecure flag is not allowed "
                f"(cluster {target.cluster_entry!r} has both insecure-skip-tls-verify and a certificate-authority)",
                hint="Remove insecure-skip-tls-verify or the certificate-authority from that cluster entry, "
                     "as kubectl requires.")
        cluster = inline_credential_files(cluster, _CLUSTER_FILES, limits)
        user = inline_credential_files(user, _USER_FILES, limits)
        loader_user = dict(user)
        exec_config = user.get("exec") if isinstance(user.get("exec"), dict) else None
        if exec_config is not None:
            target.exec_command = str(exec_config.get("command") or "")
            credential = run_exec_plugin(exec_config, cluster, timeout, user=user_name or "?",
                                         max_output=limits.max_plugin_output)
            loader_user = _user_with_credential(user, credential)
        configuration = _configure(name, context, cluster, user_name, loader_user, configuration)
        if exec_config is not None:
            refresh = _exec_refresher(configuration, exec_config, cluster, timeout, user_name or "?", credential)
        if cluster.get("insecure-skip-tls-verify"):
            import warnings

            import urllib3

            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            target.notes.append("TLS verification of the API server is off (insecure-skip-tls-verify)")
    configuration.retries = False
    # Every list runs in its own thread; a full pool would make urllib3 log (to the terminal).
    configuration.connection_pool_maxsize = max(32, configuration.connection_pool_maxsize or 0)
    quiet_client_logs()
    api_client = ApiClient(configuration)
    api_client.user_agent = USER_AGENT
    if not track_pool_manager(api_client.rest_client.pool_manager):
        target.notes.append("requests through a SOCKS proxy are bounded per socket operation only, not in total")
    max_response = getattr(options, "max_response_bytes", None) or int(DEFAULT_MAX_RESPONSE_MB * MIB)
    return KubeClient(api_client, target, timeout, refresh, limits=limits, max_response=max_response)


def quiet_client_logs() -> None:
    """Keep the client libraries' log records off the terminal the console draws on.

    Without a handler anywhere, Python prints WARNING records to stderr (logging.lastResort);
    a NullHandler on their loggers stops that, while an application that configures logging
    still receives the records through propagation.
    """
    import logging
    import warnings

    for name in ("kubernetes", "urllib3", "google", "google_auth_httplib2", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
    warnings.filterwarnings("ignore", message="Your application has authenticated using end user credentials")


def _user_with_credential(user: dict[str, Any], credential: ExecCredential) -> dict[str, Any]:
    """The user entry as the client's loader understands it, with the plugin's output in place of exec."""
    out = {k: v for k, v in user.items() if k not in ("exec", "token", "tokenFile")}
    if credential.token:
        out["token"] = credential.token
    else:
        out["client-certificate-data"] = base64.b64encode(str(credential.client_certificate_data).encode()).decode()
        out["client-key-data"] = base64.b64encode(str(credential.client_key_data).encode()).decode()
        out.pop("client-certificate", None)
        out.pop("client-key", None)
    return out


def _configure(name: str, context: dict, cluster: dict, user_name: str | None, user: dict,
               configuration: Any) -> Any:
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader

    user_ref = user_name or "netpol-tui-anonymous"
    document = {
        "current-context": name,
        "contexts": [{"name": name, "context": {**context, "user": user_ref}}],
        "clusters": [{"name": context.get("cluster"), "cluster": cluster}],
        "users": [{"name": user_ref, "user": user}],
    }
    try:
        KubeConfigLoader(config_dict=document, active_context=name).load_and_set(configuration)
    except ConfigException as exc:
        raise KubeConfigError(f"context {name!r}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise KubeConfigError(f"context {name!r}: cannot use the kubeconfig entry: {exc}") from None
    return configuration


def _exec_refresher(configuration: Any, exec_config: dict, cluster: dict, timeout: float,
                    user_name: str, credential: ExecCredential) -> Callable[[], bool]:
    """Hooks that keep an exec plugin token fresh: before expiry, and once after a 401."""
    state: dict[str, ExecCredential | None] = {"credential": credential}

    def apply(credential: ExecCredential) -> None:
        state["credential"] = credential
        if credential.token:
            configuration.api_key["BearerToken"] = f"Bearer {credential.token}"

    def hook(_configuration: Any) -> None:
        current = state["credential"]
        if current is None or current.expires_soon():
            # On failure the request goes out with the old token; a 401 then explains it.
            with contextlib.suppress(KubeConfigError):
                apply(run_exec_plugin(exec_config, cluster, timeout, user=user_name))

    def refresh() -> bool:
        apply(run_exec_plugin(exec_config, cluster, timeout, user=user_name, refresh=True))
        return True

    configuration.refresh_api_key_hook = hook
    return refresh


# ------------------------------------------------------------------------ resources


@dataclass(frozen=True)
class Resource:
    """One list the live source reads; `kind` is the Snapshot kind it feeds."""

    kind: Kind
    k8s_kind: str
    group: str
    version: str
    plural: str
    namespaced: bool

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def rbac_name(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None) -> str:
        prefix = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{prefix}/namespaces/{namespace}/{self.plural}"
        return f"{prefix}/{self.plural}"


RESOURCES: tuple[Resource, ...] = (
    Resource(Kind.NAMESPACE, "Namespace", "", "v1", "namespaces", False),
    Resource(Kind.NODE, "Node", "", "v1", "nodes", False),
    Resource(Kind.POD, "Pod", "", "v1", "pods", True),
    Resource(Kind.NETWORK_POLICY, "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True),
    Resource(Kind.SERVICE, "Service", "", "v1", "services", True),
    Resource(Kind.INGRESS, "Ingress", "networking.k8s.io", "v1", "ingresses", True),
    Resource(Kind.EVENT, "Event", "", "v1", "events", True),
    Resource(Kind.WORKLOAD, "Deployment", "apps", "v1", "deployments", True),
    Resource(Kind.WORKLOAD, "StatefulSet", "apps", "v1", "statefulsets", True),
    Resource(Kind.WORKLOAD, "DaemonSet", "apps", "v1", "daemonsets", True),
)
NODES = RESOURCES[1]


@dataclass
class Page:
    items: list[Any]
    #: Items delivered so far (this page included) and the total when the server said.
    done: int
    total: int
    note: str | None = None
    #: metadata.resourceVersion of the list (where a watch can start).
    resource_version: str | None = None
    #: No more pages follow.
    last: bool = False


def list_pages(client: KubeClient, resource: Resource, namespace: str | None = None, *,
               cancelled: Callable[[], bool] = lambda: False, page_size: int | None = None) -> Iterator[Page]:
    """Paginated raw list items of one resource; raises KubeRequestError.

    An expired continue token (410) continues from the token the server hands back (the rest
    then comes from a newer state of the cluster, which is said in `Page.note`) or, without
    one, starts over and skips the objects already delivered.
    """
    path = resource.path(namespace)
    page_size = page_size or PAGE_SIZE
    limits: ReadLimits = getattr(client, "limits", DEFAULT_LIMITS)
    token: str | None = None
    seen: set[tuple[Any, Any]] = set()
    tokens: set[str] = set()
    done = 0
    pages = 0
    restarted = False
    note = None
    while not cancelled():
        pages += 1
        if pages > limits.max_pages:
            raise KubeRequestError(KubeFailure(
                "too-large", f"the list of {resource.plural} did not end after {limits.max_pages} pages "
                             f"({done} objects); stopped", "narrow the listing with --namespace"))
        query: list[tuple[str, Any]] = [("limit", page_size)]
        if token:
            query.append(("continue", token))
        try:
            document = client.get_json(path, query, resource=resource, namespace=namespace)
        except GoneError as exc:
            if not token or restarted:
                raise
            restarted = True
            tokens.clear()
            if exc.token:
                token = exc.token
                note = f"the list of {resource.plural} took longer than its continue token lived; the rest " \
                       "was read from a newer state of the cluster"
            else:
                token = None
                note = f"the list of {resource.plural} was restarted after its continue token expired"
            continue
        items = document.get("items")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise KubeRequestError(KubeFailure("invalid", f"GET {path}: 'items' is not a list"))
        fresh = []
        new = 0
        for item in items:
            meta = item.get("metadata") if isinstance(item, dict) else None
            key = (meta.get("namespace"), meta.get("name")) if isinstance(meta, dict) else (None, id(item))
            if key in seen:
                if restarted:
                    continue
            else:
                new += 1
            seen.add(key)
            fresh.append(item)
        done += len(fresh)
        if done > limits.max_objects:
            raise KubeRequestError(KubeFailure(
                "too-large", f"the list of {resource.plural} has more than {limits.max_objects} objects; stopped",
                "narrow the listing with --namespace"))
        meta = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        token = _next_token(meta.get("continue"), tokens, resource, new > 0 or not items or restarted)
        remaining = meta.get("remainingItemCount")
        total = done + remaining if isinstance(remaining, int) and token else (done if not token else 0)
        version = meta.get("resourceVersion") if isinstance(meta.get("resourceVersion"), str) else None
        yield Page(fresh, done, total, note, version, last=not token)
        note = None
        if not token:
            return


def _next_token(value: Any, tokens: set[str], resource: Resource, progressed: bool) -> str | None:
    """The continue token of a page, or KubeRequestError when following it would loop.

    The API server hands out each token once and only as a string; a token seen before (or a
    page with items but none new) would read the same objects forever.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} carries a continue token that is not a string "
                       f"({type(value).__name__}); stopped"))
    if value in tokens:
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} handed back a continue token it had already given; "
                       "stopped (the pages would repeat forever)"))
    if not progressed:
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} keeps returning objects already read under new continue "
                       "tokens; stopped"))
    tokens.add(value)
    return value


# ------------------------------------------------------------------------ messages


_FORBIDDEN_USER = re.compile(r'User "([^"]{1,200})"')


def _server_message(body: bytes) -> str:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body[:300].decode("utf-8", "replace").strip()
        return clean(text, 300, single_line=True)
    if isinstance(document, dict) and isinstance(document.get("message"), str):
        return clean(document["message"], 300, single_line=True)
    return ""


def auth_hint(target: KubeTarget) -> str:
    if target.auth == "exec" and target.exec_command and Path(target.exec_command).name == GKE_PLUGIN:
        return ("the gke-gcloud-auth-plugin token was refused: run `gcloud auth login`, then "
                "`gcloud container clusters get-credentials CLUSTER --location=LOCATION --project=PROJECT_ID`")
    if target.auth == "exec":
        return f"the token from `{target.exec_command}` was refused: log in again with that tool"
    if target.auth == "token":
        return "the token in the kubeconfig has expired or was revoked: fetch a new kubeconfig " \
               "(for GKE: gcloud container clusters get-credentials CLUSTER --location=LOCATION)"
    if target.auth == "in-cluster":
        return "the pod's service account token was refused: check the token mount"
    if target.auth == "none":
        return f"the kubeconfig user {target.user_entry!r} has no credentials; for GKE install " \
               f"{GKE_PLUGIN} and run `gcloud container clusters get-credentials CLUSTER --location=LOCATION`"
    return "the credentials in the kubeconfig were refused: refresh them"


def status_failure(status: int, body: bytes, target: KubeTarget, resource: Resource | None,
                   namespace: str | None) -> KubeFailure:
    """A non-2xx answer in words: what failed and what to do."""
    message = _server_message(body)
    what = f"{resource.plural}" if resource else "the request"
    if status == 401:
        return KubeFailure("auth", f"the API server {target.server} rejected the credentials (401 Unauthorized)",
                           auth_hint(target), status, fatal=True)
    if status == 403:
        if resource is not None:
            scope = f"in namespace {namespace}" if resource.namespaced and namespace else "at cluster scope"
            user = _FORBIDDEN_USER.search(message)
            who = f" for {clean(user.group(1), 120)}" if user else ""
            return KubeFailure("forbidden", f"forbidden{who}: list {resource.rbac_name} {scope}",
                               f"grant get/list/watch on {resource.rbac_name}", status)
        return KubeFailure("forbidden", f"forbidden: {message or 'access denied'}", None, status)
    if status == 404:
        if resource is not None:
            return KubeFailure("not-found", f"the API server does not serve {resource.group_version} "
                                            f"{resource.plural} (404)", None, status)
        return KubeFailure("not-found", f"not found (404): {message}", None, status)
    if status == 410:
        return KubeFailure("gone", f"the list of {what} expired on the server (410 Gone)", None, status)
    if status == 429:
        return KubeFailure("busy", f"the API server is throttling requests (429 Too Many Requests) while listing "
                                   f"{what}", "try again in a minute", status)
    if status >= 500:
        detail = f": {message}" if message else ""
        return KubeFailure("server", f"the API server failed ({status}) while listing {what}{detail}", None, status)
    detail = f": {message}" if message else ""
    return KubeFailure("http", f"the API server answered {status} while listing {what}{detail}", None, status)


def _host(target: KubeTarget) -> str:
    return urlsplit(target.server).netloc or target.server


def transport_failure(exc: BaseException, target: KubeTarget, timeout: float) -> KubeFailure:
    """Connection-level errors (refused, DNS, TLS, timeouts, dropped) in words."""
    import urllib3.exceptions as u3
    from kubernetes.client.exceptions import ApiException

    inner: BaseException = exc
    while isinstance(inner, u3.MaxRetryError) and inner.reason is not None:
        inner = inner.reason
    host = _host(target)
    context = f" (context {target.context})" if target.context else ""
    if isinstance(inner, u3.NameResolutionError):
        return KubeFailure("dns", f"cannot resolve the API server host {host}{context}",
                           "check the cluster's server address in the kubeconfig and your DNS/VPN", fatal=True)
    if isinstance(inner, u3.NewConnectionError):
        text = str(inner).lower()
        if "name or service" in text or "nodename nor servname" in text or "temporary failure in name" in text:
            return KubeFailure("dns", f"cannot resolve the API server host {host}{context}",
                               "check the cluster's server address in the kubeconfig and your DNS/VPN", fatal=True)
        if "refused" in text:
            return KubeFailure("connect", f"connection refused by the API server {host}{context}",
                               "is the cluster up and is this the right context? For a private cluster, run "
                               "from a bastion inside the VPC or enable authorized networks", fatal=True)
        return KubeFailure("connect", f"cannot connect to the API server {host}{context}: "
                                      f"{clean(str(inner), 200, single_line=True)}",
                           "check the network path to the cluster", fatal=True)
    if isinstance(inner, u3.ConnectTimeoutError):
        return KubeFailure("timeout", f"no connection to the API server {host} within {timeout:g} s{context}",
                           "check VPN/bastion and authorized networks, or raise --timeout", fatal=True)
    if isinstance(inner, u3.ReadTimeoutError | TimeoutError):
        return KubeFailure("timeout", f"the API server {host} did not answer within {timeout:g} s",
                           "raise --timeout, or narrow the listing with --namespace")
    if isinstance(inner, u3.SSLError) or (isinstance(inner, ApiException) and "SSLError" in str(inner.reason)):
        detail = inner.reason if isinstance(inner, ApiException) else inner
        return KubeFailure("tls", f"TLS with the API server {host} failed: "
                                  f"{clean(str(detail), 200, single_line=True)}",
                           "the kubeconfig's certificate-authority does not match the server; fetch a fresh "
                           "kubeconfig", fatal=True)
    if isinstance(inner, u3.ProxyError):
        return KubeFailure("connect", f"the proxy refused the connection to {host}: "
                                      f"{clean(str(inner), 200, single_line=True)}",
                           "check HTTPS_PROXY / proxy-url", fatal=True)
    if isinstance(inner, u3.ProtocolError | u3.DecodeError | ConnectionError):
        return KubeFailure("protocol", f"the connection to the API server {host} was dropped mid-response",
                           "try again")
    if isinstance(inner, ApiException):
        return KubeFailure("http", f"request to {host} failed: {clean(str(inner.reason), 200, single_line=True)}")
    return KubeFailure("error", f"request to {host} failed: {type(inner).__name__}: "
                                f"{clean(str(inner), 200, single_line=True)}")


__all__ = [
    "NODES", "PAGE_SIZE", "RESOURCES", "RETRY", "ExecCredential", "GoneError", "KubeClient", "KubeConfig",
    "KubeConfigError", "KubeFailure", "KubeRequestError", "KubeTarget", "Page", "Resource", "RetryPolicy",
    "connect", "kubeconfig_paths", "list_contexts", "list_pages", "read_kubeconfig", "resolve_context",
    "IMPORT_LOCK", "import_kubernetes", "quiet_client_logs", "retry_after_seconds", "run_exec_plugin", "status_failure", "transport_failure",
]
