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
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
import yaml

from netpol_tui import __version__
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.errors import SourceError
from netpol_tui.text import clean
from netpol_tui.timestamps import parse_timestamp

USER_AGENT = f"netpol-tui/{__version__} (read-only)"
PAGE_SIZE = 500
#: Bytes read per socket read while a page downloads (the deadline is checked between reads).
READ_CHUNK = 1 << 20
GKE_PLUGIN = "gke-gcloud-auth-plugin"
GKE_PLUGIN_INSTALL = ("install it with `gcloud components install gke-gcloud-auth-plugin` (or the "
                      "google-cloud-cli-gke-gcloud-auth-plugin package), then run `gcloud container clusters "
                      "get-credentials CLUSTER --location=LOCATION --project=PROJECT_ID`")
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


class KubeConfigError(SourceError):
    """The kubeconfig (or the credentials it names) cannot be used."""


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


def read_kubeconfig(kubeconfig: str | None = None) -> KubeConfig:
    """Merge the kubeconfig files with kubectl's rules; raises KubeConfigError with a fix."""
    paths = kubeconfig_paths(kubeconfig)
    if kubeconfig and not Path(paths[0]).is_file():
        raise KubeConfigError(f"kubeconfig {kubeconfig} not found",
                              hint="Pass an existing file with --kubeconfig, or leave it out to use $KUBECONFIG "
                                   "or ~/.kube/config.")
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in paths:
        try:
            with open(path, "rb") as handle:
                document = yaml.safe_load(handle)
        except OSError as exc:
            raise KubeConfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise KubeConfigError(f"kubeconfig {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
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
    return KubeConfig(tuple(paths), contexts, clusters, users, current)


def list_contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """Context names in kubeconfig order and the current one (for `check --all-contexts`)."""
    config = read_kubeconfig(kubeconfig)
    return config.context_names, config.current_context


# ------------------------------------------------------------------------ exec plugins


@dataclass(frozen=True)
class ExecCredential:
    token: str | None = None
    client_certificate_data: str | None = None
    client_key_data: str | None = None
    expiry: datetime | None = None

    def expires_soon(self) -> bool:
        return self.expiry is not None and self.expiry - timedelta(seconds=60) <= datetime.now(UTC)


_exec_cache: dict[str, ExecCredential] = {}
_exec_lock = threading.Lock()


def exec_plugin_hint(command: str, install_hint: Any = None) -> str:
    if Path(command).name == GKE_PLUGIN:
        return GKE_PLUGIN_INSTALL[0].upper() + GKE_PLUGIN_INSTALL[1:] + "."
    if isinstance(install_hint, str) and install_hint.strip():
        return clean(install_hint.strip(), 300)
    return f"Install {command} or fix the user's exec section in the kubeconfig."


def run_exec_plugin(exec_config: dict[str, Any], cluster: dict[str, Any], timeout: float, *,
                    user: str = "?", refresh: bool = False) -> ExecCredential:
    """Run a client-go credential plugin (never interactively: the console owns the terminal)."""
    command = exec_config.get("command")
    if not isinstance(command, str) or not command:
        raise KubeConfigError(f"kubeconfig user {user!r}: exec section without a command")
    args = [str(arg) for arg in exec_config.get("args") or []]
    extra_env = {str(item.get("name")): str(item.get("value", ""))
                 for item in exec_config.get("env") or [] if isinstance(item, dict) and item.get("name")}
    api_version = str(exec_config.get("apiVersion") or "client.authentication.k8s.io/v1beta1")
    key = orjson.dumps([command, args, sorted(extra_env.items()),
                        cluster.get("server") if exec_config.get("provideClusterInfo") else None]).decode()
    with _exec_lock:
        cached = _exec_cache.get(key)
        if cached and not refresh and not cached.expires_soon():
            return cached
        resolved = shutil.which(command)
        if resolved is None:
            raise KubeConfigError(
                f"the kubeconfig user {user!r} gets its credentials from `{command}`, which is not installed "
                "or not on PATH", hint=exec_plugin_hint(command, exec_config.get("installHint")))
        if exec_config.get("interactiveMode") == "Always":
            raise KubeConfigError(
                f"the credential plugin `{command}` of user {user!r} needs an interactive terminal",
                hint="Run any kubectl command once in a shell to log in, then start netpol-tui again.")
        spec: dict[str, Any] = {"interactive": False}
        if exec_config.get("provideClusterInfo"):
            spec["cluster"] = {k: v for k, v in {
                "server": cluster.get("server"), "tls-server-name": cluster.get("tls-server-name"),
                "insecure-skip-tls-verify": cluster.get("insecure-skip-tls-verify"),
                "certificate-authority-data": cluster.get("certificate-authority-data"),
                "proxy-url": cluster.get("proxy-url")}.items() if v is not None}
        env = {**os.environ, **extra_env,
               "KUBERNETES_EXEC_INFO": orjson.dumps({"apiVersion": api_version, "kind": "ExecCredential",
                                                     "spec": spec}).decode()}
        try:
            done = subprocess.run([resolved, *args], stdin=subprocess.DEVNULL, capture_output=True,
                                  env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise KubeConfigError(f"the credential plugin `{command}` did not answer within {timeout:g} s",
                                  hint="Check your network and gcloud login, or raise --timeout.") from None
        except OSError as exc:
            raise KubeConfigError(f"cannot run the credential plugin `{command}`: {exc.strerror or exc}",
                                  hint=exec_plugin_hint(command, exec_config.get("installHint"))) from None
        if done.returncode != 0:
            stderr = clean(done.stderr.decode("utf-8", "replace").strip(), 400, single_line=True)
            hint = ("Run `gcloud auth login` (and check `gcloud config list`), then try again."
                    if Path(command).name == GKE_PLUGIN else "Fix the plugin's login, then try again.")
            raise KubeConfigError(f"the credential plugin `{command}` failed (exit {done.returncode})"
                                  + (f": {stderr}" if stderr else ""), hint=hint)
        try:
            status = orjson.loads(done.stdout).get("status") or {}
        except (orjson.JSONDecodeError, AttributeError):
            raise KubeConfigError(f"the credential plugin `{command}` printed something that is not an "
                                  "ExecCredential") from None
        credential = ExecCredential(
            token=status.get("token") if isinstance(status.get("token"), str) else None,
            client_certificate_data=status.get("clientCertificateData"),
            client_key_data=status.get("clientKeyData"),
            expiry=parse_timestamp(status.get("expirationTimestamp")),
        )
        if not credential.token and not (credential.client_certificate_data and credential.client_key_data):
            raise KubeConfigError(f"the credential plugin `{command}` returned neither a token nor a client "
                                  "certificate")
        _exec_cache[key] = credential
        return credential


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
    """A configured kubernetes ApiClient plus retrying, deadline-bound GET requests."""

    def __init__(self, api_client: Any, target: KubeTarget, timeout: float,
                 refresh: Callable[[], bool] | None = None) -> None:
        self.api = api_client
        self.target = target
        self.timeout = timeout
        self._refresh = refresh

    # -- requests

    def _open(self, path: str, query: list[tuple[str, Any]], read_timeout: float) -> Any:
        """Start one GET; returns the raw urllib3 response (body not read yet)."""
        method, url, headers, _body, _post = self.api.param_serialize(
            method="GET", resource_path=path,
            header_params={"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": USER_AGENT},
            auth_settings=["BearerToken"],
        )
        if query:
            url += "?" + urlencode(query)
        response = self.api.call_api(method, url, header_params=headers,
                                     _request_timeout=(self.timeout, read_timeout))
        return response.response

    def _read_body(self, raw: Any, deadline: float) -> bytes:
        chunks = []
        reader = getattr(raw, "read1", None) or raw.read
        while True:
            chunk = reader(READ_CHUNK)
            if not chunk:
                raw.release_conn()
                break
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raw.close()
                raise TimeoutError("body took longer than the timeout")
        return b"".join(chunks)

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
            started = time.monotonic()
            status: int | None = None
            try:
                raw = self._open(path, query or [], self.timeout)
                status = raw.status
                body = self._read_body(raw, started + max(self.timeout, 1.0) * 3)
                headers = raw.headers
            except Exception as exc:  # urllib3 and kubernetes errors, classified below
                failure = transport_failure(exc, self.target, self.timeout)
                retryable = failure.category == "protocol"
            else:
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
                    failure = KubeFailure(failure.category, f"{failure.message} (after {attempt} attempts)",
                                          failure.hint, failure.status, failure.fatal)
                raise KubeRequestError(failure)
            delay = policy.delay(attempt)
            if status in RETRY_STATUSES:
                after = retry_after_seconds(headers.get("Retry-After"))
                if after is not None:
                    delay = after
            if waited + delay > budget:
                if status in RETRY_STATUSES and delay > budget:
                    failure = KubeFailure(failure.category, f"{failure.message}; the server asked to retry after "
                                                            f"{delay:g} s, longer than the {budget:g} s allowed",
                                          failure.hint, failure.status)
                raise KubeRequestError(failure)
            waited += delay
            time.sleep(delay)

    def stream(self, path: str, query: list[tuple[str, Any]], read_timeout: float) -> Any:
        """Open a watch stream; returns the raw response (caller reads lines) or raises KubeRequestError."""
        try:
            raw = self._open(path, query, read_timeout)
        except Exception as exc:
            raise KubeRequestError(transport_failure(exc, self.target, self.timeout)) from None
        if raw.status == 401 and self._refresh is not None:
            raw.close()
            try:
                self._refresh()
            except KubeConfigError as exc:
                raise KubeRequestError(KubeFailure("auth", exc.message, exc.hint, 401, True)) from None
            try:
                raw = self._open(path, query, read_timeout)
            except Exception as exc:
                raise KubeRequestError(transport_failure(exc, self.target, self.timeout)) from None
        if not 200 <= raw.status < 300:
            body = raw.read()
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


def connect(options: Any) -> KubeClient:
    """A KubeClient for --kubeconfig/--context (or in-cluster config); raises KubeConfigError."""
    import_kubernetes()
    from kubernetes.client import ApiClient, Configuration

    timeout = float(options.timeout or 10.0)
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
        config = read_kubeconfig(options.kubeconfig)
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
        loader_user = dict(user)
        exec_config = user.get("exec") if isinstance(user.get("exec"), dict) else None
        if exec_config is not None:
            target.exec_command = str(exec_config.get("command") or "")
            credential = run_exec_plugin(exec_config, cluster, timeout, user=user_name or "?")
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
    return KubeClient(api_client, target, timeout, refresh)


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
    token: str | None = None
    seen: set[tuple[Any, Any]] = set()
    done = 0
    restarted = False
    note = None
    while not cancelled():
        query: list[tuple[str, Any]] = [("limit", page_size)]
        if token:
            query.append(("continue", token))
        try:
            document = client.get_json(path, query, resource=resource, namespace=namespace)
        except GoneError as exc:
            if not token or restarted:
                raise
            restarted = True
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
        for item in items:
            meta = item.get("metadata") if isinstance(item, dict) else None
            key = (meta.get("namespace"), meta.get("name")) if isinstance(meta, dict) else (None, id(item))
            if not isinstance(key[0], str | None) or not isinstance(key[1], str | None):
                key = (None, id(item))  # a list or mapping as a name: the parser reports that object alone
            if key in seen and restarted:
                continue
            seen.add(key)
            fresh.append(item)
        done += len(fresh)
        meta = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        token = meta.get("continue") or None
        remaining = meta.get("remainingItemCount")
        total = done + remaining if isinstance(remaining, int) and token else (done if not token else 0)
        version = meta.get("resourceVersion") if isinstance(meta.get("resourceVersion"), str) else None
        yield Page(fresh, done, total, note, version, last=not token)
        note = None
        if not token:
            return


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
