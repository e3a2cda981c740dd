"""One mapping of Google API errors (sources/google_errors.py) for the GKE API and Cloud Logging.

Each case runs through both callers, `gke.failure_reason` and `gke_logs.failure_reason`, and
asserts the whole sentence each one gives, so a change to the shared mapping shows in both.
"""

from __future__ import annotations

from datetime import timedelta

import google.auth.exceptions as auth_exc
import pytest
import requests
from google.api_core import exceptions as gexc

from netpol_tui.sources import gke, gke_logs
from netpol_tui.sources.gke import GkeIdentity
from netpol_tui.sources.gke_bounds import DeadlinePassed
from netpol_tui.sources.google_errors import GoogleApi, google_failure
from netpol_tui.sources.limits import TooLarge

IDENTITY = GkeIdentity("p1", "europe-west1", "shop")
CLUSTER = "projects/p1/locations/europe-west1/clusters/shop"
GKE_VPC = gke.VPC_SC_HINT
LOG_VPC = gke_logs.VPC_SC_HINT
ADC = ("no Google Cloud credentials (Application Default Credentials); run `gcloud auth application-default "
       "login`, or set GOOGLE_APPLICATION_CREDENTIALS, or on a VM attach a service account allowed ")


def _gke(exc: BaseException, what: str = "the cluster") -> str:
    return gke.failure_reason(exc, IDENTITY, None, 5.0, what)


def _logs(exc: BaseException) -> tuple[str, gke_logs.LogRead]:
    read = gke_logs.LogRead(IDENTITY, timedelta(hours=1), timeout=5.0)
    return gke_logs.failure_reason(exc, read), read


CASES = [
    (DeadlinePassed(),
     "the GKE API at https://container.googleapis.com did not answer within 5 s (connect to last byte); "
     "raise --timeout",
     "the Cloud Logging API at https://logging.googleapis.com did not answer within 5 s (connect to last byte); "
     "raise --timeout"),
    (TooLarge("the response is larger than 8 MiB"), "the response is larger than 8 MiB",
     "the response is larger than 8 MiB; shorten --logs-since"),
    (gexc.Forbidden("Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: x"),
     f"GKE API request blocked by VPC Service Controls (403); {GKE_VPC}",
     f"Cloud Logging request blocked by VPC Service Controls (403); {LOG_VPC}"),
    (gexc.Forbidden("GET https://container.googleapis.com/v1/x: Permission denied"),
     f"GKE API denied reading the cluster {CLUSTER} (403); grant container.clusters.get "
     "(e.g. roles/container.clusterViewer) on project p1",
     "Cloud Logging denied listing the log's entries (403); ask for logging.logEntries.list "
     "(e.g. roles/logging.viewer) on project p1"),
    (gexc.NotFound("no such thing"),
     f"GKE cluster {CLUSTER} not found (404); check --project, --location and --cluster "
     "(or the kubeconfig context name)",
     "Cloud Logging does not know project p1 (404); check --project (or the kubeconfig context name)"),
    (gexc.BadRequest("POST https://logging.googleapis.com/v2/entries:list: bad filter"),
     "GKE API error (400) reading the cluster: bad filter", "Cloud Logging rejected the query (400): bad filter"),
    (gexc.Unauthorized("token expired"),
     "Google credentials were rejected by the GKE API (401); run `gcloud auth application-default login` "
     "(or refresh the service account key)",
     "Google credentials were rejected by the Cloud Logging API (401); run `gcloud auth application-default "
     "login` (or refresh the service account key)"),
    (gexc.TooManyRequests("slow down"), "GKE API quota exhausted (429); try again in a minute",
     "Cloud Logging read quota exhausted (429); try again in a minute, or shorten --logs-since"),
    (gexc.ServiceUnavailable("backend down"), "GKE API error (503) reading the cluster: backend down",
     "Cloud Logging API error (503): backend down"),
    (gexc.RetryError("gave up", gexc.ServiceUnavailable("backend down")),
     "GKE API error (503) reading the cluster: backend down (gave up after retrying)",
     "Cloud Logging API error (503): backend down (gave up after retrying)"),
    (auth_exc.DefaultCredentialsError("none"), ADC + "container.clusters.get (e.g. roles/container.clusterViewer)",
     ADC + "logging.logEntries.list"),
    (auth_exc.RefreshError("invalid_grant"),
     "Google credentials could not be refreshed (invalid_grant); run `gcloud auth application-default login`",
     "Google credentials could not be refreshed (invalid_grant); run `gcloud auth application-default login`"),
    (auth_exc.TransportError("no route"), f"cannot reach the Google token service: no route; {GKE_VPC}",
     f"cannot reach the Google token service: no route; {LOG_VPC}"),
    (requests.exceptions.ReadTimeout("read timed out"),
     "the GKE API at https://container.googleapis.com did not answer within 5 s; raise --timeout",
     "the Cloud Logging API at https://logging.googleapis.com did not answer within 5 s; raise --timeout"),
    (requests.exceptions.ConnectionError("Temporary failure in name resolution"),
     f"cannot resolve the GKE API host of https://container.googleapis.com; check DNS, or {GKE_VPC}",
     f"cannot resolve the Cloud Logging API host of https://logging.googleapis.com; check DNS, or {LOG_VPC}"),
    (requests.exceptions.ConnectionError("Connection refused"),
     f"cannot reach the GKE API at https://container.googleapis.com: Connection refused; {GKE_VPC}",
     f"cannot reach the Cloud Logging API at https://logging.googleapis.com: Connection refused; {LOG_VPC}"),
    (ImportError("No module named 'google.cloud.logging_v2'"),
     "google-cloud-container is not installed (No module named 'google.cloud.logging_v2'); reinstall netpol-tui",
     "google-cloud-logging is not installed (No module named 'google.cloud.logging_v2'); reinstall netpol-tui"),
    (ValueError("odd\x1b[31m"), "GKE API request failed: ValueError: odd", "Cloud Logging request failed: ValueError: odd"),
]


@pytest.mark.parametrize(("exc", "gke_reason", "logs_reason"), CASES, ids=[type(case[0]).__name__ + str(index)
                                                                             for index, case in enumerate(CASES)])
def test_gke_and_logging_give_each_its_sentence(exc: BaseException, gke_reason: str, logs_reason: str) -> None:
    assert _gke(exc) == gke_reason
    reason, read = _logs(exc)
    assert reason == logs_reason
    assert read.fix is None
    assert read.permission == ("logging.logEntries.list (e.g. roles/logging.viewer)"
                               if "denied listing" in logs_reason else None)


def test_a_disabled_api_gives_the_command_that_enables_it() -> None:
    exc = gexc.Forbidden("Cloud Logging API has not been used in project p1 before or it is disabled.")
    assert _gke(exc) == ("the GKE API is not enabled in project p1 (403): run "
                         "`gcloud services enable container.googleapis.com --project=p1`")
    reason, read = _logs(exc)
    assert reason == "the Cloud Logging API is not enabled in project p1 (403)"
    assert read.fix == ["gcloud", "services", "enable", "logging.googleapis.com", "--project=p1"]
    assert read.permission is None


def test_operations_denial_names_the_operations_permission() -> None:
    reason = _gke(gexc.Forbidden("denied"), "the operations of")
    assert reason == (f"GKE API denied reading the operations of {CLUSTER} (403); grant container.operations.list "
                      "(e.g. roles/container.viewer, or a custom role) on project p1")


def test_the_failure_keeps_fix_and_denial_through_a_retry() -> None:
    api = GoogleApi(api="X API", short="X", service="x.googleapis.com", package="x", project="p", endpoint="e",
                    timeout=1.0, vpc_hint="hint", credentials_permission="perm", denied="denied", not_found="nf",
                    quota="q")
    failure = google_failure(gexc.RetryError("gave up", gexc.Forbidden("nope")), api)
    assert failure.denied and failure.reason == "denied (gave up after retrying)" and failure.fix is None
