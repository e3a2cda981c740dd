"""`flows --logs-since`: the real google-cloud-logging client against a Cloud Logging stand-in on 127.0.0.1.

The stand-in serves `POST /v2/entries:list` with nextPageToken paging and keeps every request
body, so the tests check the query itself (log name, node resource, cluster, time bound) as
well as paging, the caps, the deadlines, the body cap and the 403/404 answers. Credentials are
anonymous (a plain-HTTP endpoint never gets a token), as in the GKE source's tests.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.flows.duration import duration_text, parse_duration
from netpol_tui.sources.gke import GkeIdentity
from netpol_tui.sources.gke_logs import LogRead, build_filter
from tests.flows.records import log_entry, write_lines
from tests.flows.test_cli import AGREE, DISAGREE
from tests.live import data
from tests.live.harness import isolate, serving
from tests.live.standin import GkeAPI, KubeAPI, LoggingAPI, gke_error, kubeconfig

GKE = ["--project", "p1", "--location", "europe-west1", "--cluster", "c1"]
LOG_NAME = 'logName="projects/p1/logs/policy-action"'
DENIED = gke_error(403, "PERMISSION_DENIED",
                   "Permission 'logging.logEntries.list' denied on resource (or it may not exist).")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def _served(server: LoggingAPI) -> None:
    assert server.violations == []
    assert {(r.method, r.path) for r in server.requests} <= {("POST", "/v2/entries:list")}
    # a plain-HTTP endpoint gets anonymous credentials: no token ever goes out in clear text
    assert not any("authorization" in r.headers for r in server.requests)


@pytest.fixture
def logging_api() -> Iterator[LoggingAPI]:
    with serving(LoggingAPI(), after=_served) as server:
        yield server


def flows(capsys, logging_api: LoggingAPI, *extra: str, since: str = "1h", source: tuple[str, ...] = (
        "--demo", "dataplane-v2", *GKE)) -> tuple[int, str, str]:
    code = main(["flows", *source, "--logs-since", since, "--logging-endpoint", logging_api.url, *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def entries(*payloads: dict, times: int = 1) -> list[dict]:
    return [log_entry(payload, project="p1") for payload in payloads] * times


# ---------------------------------------------------------------------------------------- reading


def test_pages_are_followed_with_the_filter_on_log_resource_cluster_and_time(capsys, logging_api):
    logging_api.entries = entries(AGREE, DISAGREE, times=3)
    logging_api.max_page = 2
    before = datetime.now(UTC)
    code, out, err = flows(capsys, logging_api, "--format", "json")
    after = datetime.now(UTC)
    assert code == 1, err  # DISAGREE disagrees
    report = json.loads(out)
    assert report["logs"]["status"] == "read" and report["logs"]["entries"] == 6 and report["logs"]["pages"] == 3
    assert report["summary"]["records"] == 6
    assert sorted((g["observed"], g["count"]) for g in report["groups"]) == [("allow", 3), ("deny", 3)]
    tokens = [body.get("pageToken") for body in logging_api.bodies]
    assert tokens == [None, "offset-2", "offset-4"]
    for body in logging_api.bodies:
        assert body["resourceNames"] == ["projects/p1"] and body["orderBy"] == "timestamp desc"
        assert body["pageSize"] == 1000
        clauses = body["filter"].splitlines()
        assert LOG_NAME in clauses and 'resource.type="k8s_node"' in clauses
        assert 'resource.labels.cluster_name="c1"' in clauses and 'resource.labels.location="europe-west1"' in clauses
        bound = next(c for c in clauses if c.startswith("timestamp>="))
        start = datetime.fromisoformat(bound.split('"')[1].replace("Z", "+00:00"))
        assert before - timedelta(hours=1, seconds=1) <= start <= after - timedelta(hours=1) + timedelta(seconds=1)


def test_text_report_says_what_was_read(capsys, logging_api):
    logging_api.entries = entries(AGREE)
    code, out, _ = flows(capsys, logging_api, since="30m")
    assert code == 0
    assert "Policy log read from Cloud Logging: 1 entries of projects/p1/logs/policy-action since " in out
    assert "[AGREES] observed deny" in out


def test_no_entries_says_how_to_turn_logging_on(capsys, logging_api):
    code, out, _ = flows(capsys, logging_api)
    assert code == 0
    assert "0 entries" in out and "NetworkLogging" in out


def test_logs_and_flow_files_combine(tmp_path, capsys, logging_api):
    logging_api.entries = entries(DISAGREE)
    path = write_lines(tmp_path / "flows.jsonl", [AGREE])
    code, out, _ = flows(capsys, logging_api, "--flows", str(path), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["records"] == 2
    assert {(g["observed"], g["status"]) for g in report["groups"]} == {("deny", "agrees"), ("allow", "disagrees")}


def test_malformed_entry_is_a_named_problem(capsys, logging_api):
    bad = log_entry(json.loads(json.dumps(AGREE)), project="p1")
    bad["jsonPayload"]["connection"]["dest_port"] = "x"
    logging_api.entries = [log_entry(AGREE, project="p1"), bad]
    code, out, _ = flows(capsys, logging_api, "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["summary"]["records"] == 1
    assert report["problems"] == [{"file": "Cloud Logging projects/p1/logs/policy-action", "line": None, "index": 1,
                                   "field": "connection.dest_port", "message": "not a port number: 'x'"}]


def test_api_numbers_as_floats_are_read(capsys, logging_api):
    """The API carries jsonPayload as a protobuf Struct: ports and counts may come back as 8080.0."""
    payload = json.loads(json.dumps(AGREE))
    payload["connection"]["dest_port"] = 9000.0
    payload["count"] = 4.0
    logging_api.entries = [log_entry(payload, project="p1")]
    code, out, _ = flows(capsys, logging_api, "--format", "json")
    assert code == 0
    assert [(g["port"], g["count"]) for g in json.loads(out)["groups"]] == [(9000, 4)]


def test_entry_time_and_node_stand_in_for_missing_payload_fields(capsys, logging_api):
    """A payload without its own timestamp or node_name: the LogEntry's timestamp and resource label count."""
    payload = json.loads(json.dumps(AGREE))
    del payload["timestamp"], payload["node_name"]
    entry = log_entry(payload, project="p1")
    entry["timestamp"] = "2024-11-18T15:11:00.250Z"
    entry["resource"]["labels"]["node_name"] = "gke-node-7"
    logging_api.entries = [entry]
    code, out, _ = flows(capsys, logging_api, "--format", "json")
    assert code == 0
    group = json.loads(out)["groups"][0]
    assert group["first_seen"].startswith("2024-11-18T15:11:00") and group["nodes"] == ["gke-node-7"]


def test_a_transient_503_is_retried(capsys, logging_api):
    logging_api.entries = entries(AGREE)
    logging_api.fault("/v2/entries:list", status=503, body=gke_error(503, "UNAVAILABLE", "try again"))
    code, out, _ = flows(capsys, logging_api, "--format", "json")
    assert code == 0 and json.loads(out)["logs"]["status"] == "read"
    assert len(logging_api.bodies) == 2


# ---------------------------------------------------------------------------------------- not read


def test_403_is_not_read_with_the_permission_and_exit_3(tmp_path, capsys, logging_api):
    logging_api.fault("/v2/entries:list", status=403, body=DENIED, times=None)
    path = write_lines(tmp_path / "flows.jsonl", [AGREE])
    code, out, err = flows(capsys, logging_api, "--flows", str(path), "--format", "json")
    assert code == 3
    report = json.loads(out)
    logs = report["logs"]
    assert logs["status"] == "not read" and logs["entries"] == 0
    assert "logging.logEntries.list" in logs["reason"] and "roles/logging.viewer" in logs["reason"]
    assert logs["permission"] == "logging.logEntries.list (e.g. roles/logging.viewer)"
    # the snapshot and the flows file still work
    assert [(g["observed"], g["status"]) for g in report["groups"]] == [("deny", "agrees")]
    assert "warning: Policy log NOT READ from Cloud Logging" in err and "ask for logging.logEntries.list" in err
    assert len(logging_api.bodies) == 1  # a denial is not retried


def test_403_api_disabled_names_the_command_that_enables_it(capsys, logging_api):
    logging_api.fault("/v2/entries:list", status=403, body=gke_error(
        403, "PERMISSION_DENIED", "Cloud Logging API has not been used in project p1 before or it is disabled."))
    code, out, _ = flows(capsys, logging_api, "--format", "json")
    assert code == 3
    logs = json.loads(out)["logs"]
    assert "not enabled in project p1" in logs["reason"] and logs["permission"] is None
    assert logs["fix"] == "gcloud services enable logging.googleapis.com --project=p1"


def test_404_unknown_project(capsys, logging_api):
    logging_api.fault("/v2/entries:list", status=404, body=gke_error(404, "NOT_FOUND", "Project not found"))
    code, out, err = flows(capsys, logging_api)
    assert code == 3
    assert "Policy log NOT READ" in out and "does not know project p1 (404); check --project" in out
    assert "does not know project p1" in err


def test_live_source_reads_its_own_cluster_and_survives_a_403(tmp_path, capsys):
    """Against the Kubernetes and GKE stand-ins: the log of the context's cluster; denied, the rest loads."""
    kube = KubeAPI(data.cluster_objects(), token="t0ken").start()
    gke = GkeAPI({(data.PROJECT, data.LOCATION, data.CLUSTER): data.gke_cluster()},
                 {(data.PROJECT, data.LOCATION): data.gke_operations()}).start()
    logs = LoggingAPI().start()
    try:
        config = tmp_path / "kubeconfig"
        config.write_text(json.dumps(kubeconfig(kube.url, data.CONTEXT, token="t0ken")))
        source = ("--kubeconfig", str(config), "--gke-endpoint", gke.url, "--timeout", "2")
        code, out, err = flows(capsys, logs, "--format", "json", source=source)
        assert code == 0, err
        assert json.loads(out)["logs"]["log"] == f"projects/{data.PROJECT}/logs/policy-action"
        clauses = logs.bodies[0]["filter"].splitlines()
        assert f'logName="projects/{data.PROJECT}/logs/policy-action"' in clauses
        assert f'resource.labels.cluster_name="{data.CLUSTER}"' in clauses
        assert f'resource.labels.location="{data.LOCATION}"' in clauses
        assert logs.bodies[0]["resourceNames"] == [f"projects/{data.PROJECT}"]

        logs.fault("/v2/entries:list", status=403, body=DENIED)
        code, out, err = flows(capsys, logs, "--format", "json", source=source)
        assert code == 3
        report = json.loads(out)
        assert report["logs"]["status"] == "not read" and "logging.logEntries.list" in report["logs"]["reason"]
        assert report["summary"]["dataplane"]  # the snapshot loaded and the engine ran
        assert kube.paths("/pods") and gke.paths("/clusters/")
        assert kube.violations == [] and gke.violations == []
    finally:
        for server in (kube, gke, logs):
            server.stop()
    _served(logs)


# ---------------------------------------------------------------------------------------- bounds


def test_record_cap_keeps_the_newest_and_says_so(capsys, logging_api):
    logging_api.entries = entries(AGREE, times=25)
    logging_api.max_page = 10
    code, out, err = flows(capsys, logging_api, "--logs-limit", "12", "--format", "json")
    assert code == 3  # every group agrees, but the log was not read whole
    logs = json.loads(out)["logs"]
    assert logs["status"] == "read in part" and logs["entries"] == 12
    assert "record cap of 12 entries" in logs["cut"] and "--logs-limit" in logs["cut"]
    assert len(logging_api.bodies) == 2  # no page is asked for beyond the cap
    assert "READ IN PART" in err


def test_record_cap_reached_exactly_at_the_end_is_a_whole_read(capsys, logging_api):
    logging_api.entries = entries(AGREE, times=10)
    logging_api.max_page = 5
    code, out, _ = flows(capsys, logging_api, "--logs-limit", "10", "--format", "json")
    assert code == 0 and json.loads(out)["logs"]["status"] == "read"


def test_page_cap_stops_a_log_of_empty_pages(logging_api):
    logging_api.empty_pages = 50
    read = LogRead(GkeIdentity("p1", "europe-west1", "c1"), timedelta(hours=1), endpoint=logging_api.url,
                   timeout=2.0, max_pages=5)
    assert list(read.entries()) == []
    assert len(logging_api.bodies) == 5 and read.pages == 5
    assert "page cap of 5 pages" in (read.cut or "")
    assert read.status()["status"] == "not read"


def test_a_slow_answer_ends_at_timeout(capsys, logging_api):
    logging_api.fault("/v2/entries:list", delay=5.0)
    started = time.monotonic()
    code, out, _ = flows(capsys, logging_api, "--timeout", "0.5", "--format", "json")
    assert time.monotonic() - started < 4.0
    assert code == 3
    logs = json.loads(out)["logs"]
    assert logs["status"] == "not read" and "did not answer within 0.5 s" in logs["reason"]


def test_a_trickling_answer_ends_at_timeout_in_total(capsys, logging_api):
    """Each byte arrives well within the socket timeout; the whole answer may not take longer than --timeout."""
    logging_api.entries = entries(AGREE)
    logging_api.fault("/v2/entries:list", trickle=0.2)
    started = time.monotonic()
    code, out, _ = flows(capsys, logging_api, "--timeout", "1", "--format", "json")
    assert time.monotonic() - started < 4.0
    assert code == 3
    assert "did not answer within 1 s" in json.loads(out)["logs"]["reason"]


def test_total_budget_stops_between_pages(logging_api):
    logging_api.entries = entries(AGREE, times=40)
    logging_api.max_page = 1
    logging_api.fault("/v2/entries:list", delay=0.25, times=None)
    read = LogRead(GkeIdentity("p1", "europe-west1", "c1"), timedelta(hours=1), endpoint=logging_api.url,
                   timeout=2.0, budget=1.5)
    started = time.monotonic()
    got = list(read.entries())
    # 40 pages at 0.25 s need 10 s: the budget ends it, with at most one request's deadline over
    assert time.monotonic() - started < 1.5 + 2.0
    assert 1 <= len(got) < 40 and read.entries_read == len(got)
    assert "allowed in total (--load-timeout)" in (read.cut or "")
    assert read.status()["status"] == "read in part"


def test_a_huge_answer_is_cut_at_the_size_cap(capsys, logging_api):
    logging_api.fault("/v2/entries:list", endless=True)
    started = time.monotonic()
    code, out, _ = flows(capsys, logging_api, "--max-response-mb", "1", "--format", "json")
    assert time.monotonic() - started < 5.0
    assert code == 3
    reason = json.loads(out)["logs"]["reason"]
    assert "Cloud Logging API response is larger than 1 MiB" in reason


def test_a_decompression_bomb_is_cut_at_the_size_cap(capsys, logging_api):
    logging_api.fault("/v2/entries:list", gzip_bomb_mib=64)
    code, out, _ = flows(capsys, logging_api, "--max-response-mb", "2", "--format", "json")
    assert code == 3
    assert "larger than 2 MiB" in json.loads(out)["logs"]["reason"]


# ---------------------------------------------------------------------------------------- input


@pytest.mark.parametrize(("text", "seconds"), [
    ("30m", 1800), ("1h", 3600), ("2d", 172800), ("1h30m", 5400), (" 90S ", 90), ("1w", 604800),
    ("1d 12h", 129600),
])
def test_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("text", "says"), [
    ("", "needs a duration"), ("10", "is not a duration"), ("1x", "is not a duration"),
    ("-1h", "is not a duration"), ("1.5h", "is not a duration"), ("0m", "no time at all"),
    ("1h1h", "names the unit 'h' twice"), ("3651d", "longer than any log bucket"),
])
def test_bad_durations(text, says):
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert says in message and "\n" not in message


def test_duration_text_round_trips():
    for text in ("30m", "1h", "2d", "1h30m", "1d12h5s"):
        assert duration_text(parse_duration(text)) == text


def test_bad_duration_exits_2_with_one_line_before_any_read(capsys, logging_api):
    code, out, err = flows(capsys, logging_api, since="ten minutes")
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "'ten minutes' is not a duration" in err
    assert logging_api.requests == []


def test_demo_without_a_cluster_named_exits_2(capsys, logging_api):
    code, _, err = flows(capsys, logging_api, source=("--demo", "dataplane-v2"))
    assert code == 2 and "the demo is none: pass --project, --location and --cluster" in err
    assert logging_api.requests == []


def test_files_source_takes_the_cluster_from_the_flags(tmp_path, capsys, logging_api):
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "ns.json").write_text(json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": "web"}}))
    code, _, err = flows(capsys, logging_api, source=("--files", str(tmp_path / "dump")))
    assert code == 2 and "pass --project, --location" in err
    code, _, err = flows(capsys, logging_api, source=("--files", str(tmp_path / "dump"), *GKE))
    assert code == 0, err
    assert 'resource.labels.cluster_name="c1"' in logging_api.bodies[0]["filter"]


def test_files_source_takes_the_cluster_from_its_cluster_document(capsys, logging_api):
    """`gcloud container clusters describe` output among the files names the cluster (flags still win)."""
    demo = Path(__file__).resolve().parents[2] / "netpol_tui" / "demo" / "dataplane-v2"
    code, out, err = flows(capsys, logging_api, "--format", "json", source=("--files", str(demo), "--location", "x1"))
    assert code == 0, err
    clauses = logging_api.bodies[0]["filter"].splitlines()
    assert 'logName="projects/acme-web-prod/logs/policy-action"' in clauses
    assert 'resource.labels.location="x1"' in clauses
    assert json.loads(out)["logs"]["cluster"].startswith("projects/acme-web-prod/locations/x1/clusters/")


def test_filter_quotes_its_values():
    text = build_filter(GkeIdentity('p"1', "loc\\x", "c1"), datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    assert 'logName="projects/p\\"1/logs/policy-action"' in text.splitlines()
    assert 'resource.labels.location="loc\\\\x"' in text.splitlines()
    assert 'timestamp>="2026-12-01T09:00:00Z"' not in text and 'timestamp>="2026-12-01T10:00:00Z"' in text
