"""Errors of the Google APIs netpol-tui reads, in words with the fix: one mapping for all of them.

The GKE API (`gke.py`: the cluster and its operations) and Cloud Logging (`gke_logs.py`: the
policy-action log) fail the same ways: google-api-core answers (403 denied or API disabled, 404,
401, 429, retries given up), google-auth (no Application Default Credentials, a refresh that
fails), requests (timeouts, unreachable or unresolvable hosts) and netpol-tui's own bounds (the
deadline, the body cap). `google_failure` maps any of them once; a `GoogleApi` names the API and
gives the few sentences that differ from one API to the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from netpol_tui.text import clean

#: api_core prefixes messages with the request ("GET https://...: "); the URL only adds noise.
REQUEST_PREFIX = re.compile(r"^(?:GET|POST) \S+: ")
ADC_LOGIN = "gcloud auth application-default login"


@dataclass(frozen=True, slots=True)
class GoogleApi:
    """One Google API as the reasons name it, and its own sentences."""

    #: "GKE API": "the GKE API at ENDPOINT did not answer", "rejected by the GKE API (401)".
    api: str
    #: "GKE API" or "Cloud Logging": "... request failed", "... request blocked by VPC Service Controls".
    short: str
    #: The service `gcloud services enable` turns on, e.g. container.googleapis.com.
    service: str
    #: The client library, named when it cannot be imported.
    package: str
    project: str
    #: The endpoint asked (the API's default when none was given).
    endpoint: str
    timeout: float
    #: What to pass behind VPC Service Controls (the API's endpoint flag).
    vpc_hint: str
    #: What a VM's service account must be allowed, said when there are no credentials at all.
    credentials_permission: str
    #: The sentence of a 403 denial, naming what to ask for.
    denied: str
    not_found: str
    quota: str
    #: Said after "API error (CODE)" of any other answer, e.g. " reading the cluster".
    reading: str = ""
    #: The sentence of a 400 (before ": MESSAGE"); None: a 400 is reported as any other API error.
    bad_request: str | None = None
    #: Appended to the message of a body over the cap, e.g. "; shorten --logs-since".
    too_large: str = ""


@dataclass(frozen=True, slots=True)
class GoogleFailure:
    """Why a Google API call failed, in words; `fix` the words of a command that fixes it (the
    API is disabled), `denied` set when it is a 403 denial (the caller names the permission)."""

    reason: str
    fix: tuple[str, ...] | None = None
    denied: bool = False


def error_message(exc: BaseException) -> str:
    """The exception's message without the request URL, cleaned of control characters, one line."""
    return clean(REQUEST_PREFIX.sub("", str(getattr(exc, "message", None) or exc)), 240, single_line=True)


def google_failure(exc: BaseException, api: GoogleApi) -> GoogleFailure:
    """Any error from a Google client library, google-auth or requests, in words with what to do."""
    if isinstance(exc, ImportError):
        return GoogleFailure(f"{api.package} is not installed ({exc}); reinstall netpol-tui")
    from netpol_tui.sources.gke_bounds import DeadlinePassed
    from netpol_tui.sources.limits import TooLarge

    if isinstance(exc, DeadlinePassed):
        return GoogleFailure(f"the {api.api} at {api.endpoint} did not answer within {api.timeout:g} s (connect to "
                             "last byte); raise --timeout")
    if isinstance(exc, TooLarge):
        return GoogleFailure(f"{exc}{api.too_large}")
    from google.api_core import exceptions as gexc

    message = error_message(exc)
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        inner = google_failure(exc.cause, api)
        return replace(inner, reason=f"{inner.reason} (gave up after retrying)")
    if isinstance(exc, gexc.Forbidden):
        lowered = message.lower()
        if "has not been used" in lowered or "service_disabled" in lowered or "is disabled" in lowered:
            return GoogleFailure(f"the {api.api} is not enabled in project {api.project} (403)",
                                 fix=("gcloud", "services", "enable", api.service, f"--project={api.project}"))
        if "vpc service controls" in lowered or "vpcservicecontrols" in lowered or "organization's policy" in lowered:
            return GoogleFailure(f"{api.short} request blocked by VPC Service Controls (403); {api.vpc_hint}")
        return GoogleFailure(api.denied, denied=True)
    if isinstance(exc, gexc.NotFound):
        return GoogleFailure(api.not_found)
    if isinstance(exc, gexc.BadRequest) and api.bad_request is not None:
        return GoogleFailure(f"{api.bad_request}: {message}")
    if isinstance(exc, gexc.Unauthorized):
        return GoogleFailure(f"Google credentials were rejected by the {api.api} (401); run `{ADC_LOGIN}` (or "
                             "refresh the service account key)")
    if isinstance(exc, gexc.TooManyRequests):
        return GoogleFailure(api.quota)
    if isinstance(exc, gexc.GoogleAPICallError):
        return GoogleFailure(f"{api.api} error ({getattr(exc, 'code', None)}){api.reading}: {message}")
    import google.auth.exceptions as auth_exc

    if isinstance(exc, auth_exc.DefaultCredentialsError):
        return GoogleFailure(f"no Google Cloud credentials (Application Default Credentials); run `{ADC_LOGIN}`, "
                             "or set GOOGLE_APPLICATION_CREDENTIALS, or on a VM attach a service account allowed "
                             f"{api.credentials_permission}")
    if isinstance(exc, auth_exc.RefreshError):
        return GoogleFailure(f"Google credentials could not be refreshed ({message}); run `{ADC_LOGIN}`")
    if isinstance(exc, auth_exc.TransportError):
        return GoogleFailure(f"cannot reach the Google token service: {message}; {api.vpc_hint}")
    import requests

    if isinstance(exc, requests.exceptions.Timeout):
        return GoogleFailure(f"the {api.api} at {api.endpoint} did not answer within {api.timeout:g} s; raise "
                             "--timeout")
    if isinstance(exc, requests.exceptions.ConnectionError):
        lowered = message.lower()
        if "name or service" in lowered or "name resolution" in lowered or "nodename nor servname" in lowered:
            return GoogleFailure(f"cannot resolve the {api.api} host of {api.endpoint}; check DNS, or {api.vpc_hint}")
        return GoogleFailure(f"cannot reach the {api.api} at {api.endpoint}: {message}; {api.vpc_hint}")
    return GoogleFailure(f"{api.short} request failed: {type(exc).__name__}: {message}")


__all__ = ["GoogleApi", "GoogleFailure", "error_message", "google_failure"]
