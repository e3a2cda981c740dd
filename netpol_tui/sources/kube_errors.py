"""Kubernetes request failures in words for the user: HTTP statuses, transport errors, 410 Gone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import orjson

from netpol_tui.sources.exec_plugin import GKE_PLUGIN
from netpol_tui.text import clean

if TYPE_CHECKING:
    from netpol_tui.sources.kube_client import KubeTarget
    from netpol_tui.sources.kube_resources import Resource


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


__all__ = ["GoneError", "KubeFailure", "KubeRequestError", "auth_hint", "status_failure", "transport_failure"]
