"""`check --all-contexts` / `--contexts A,B`: several clusters at once, one broken context does not stop the rest."""

from __future__ import annotations

import argparse
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netpol_tui.fleet import FleetRow, check_contexts, exit_code, render_table, run_fleet
from netpol_tui.sources import SourceOptions
from tests.live import data
from tests.live.conftest import TOKEN, write_kubeconfig
from tests.live.harness import serving
from tests.live.standin import GkeAPI, KubeAPI, kubeconfig

OTHER = f"gke_{data.PROJECT}_{data.LOCATION}_api"


@pytest.fixture
def second_cluster(gke_api: GkeAPI) -> Iterator[KubeAPI]:
    """Another cluster: Dataplane V2, no policies."""
    objects = data.cluster_objects()
    objects["networkpolicies"] = []
    cluster = data.gke_cluster()
    cluster.update(name="api", selfLink=data.SELF_LINK.replace("/shop", "/api"),
                   networkConfig={"datapathProvider": "ADVANCED_DATAPATH"}, networkPolicy={},
                   addonsConfig={"networkPolicyConfig": {"disabled": True}})
    gke_api.clusters[(data.PROJECT, data.LOCATION, "api")] = cluster
    with serving(KubeAPI(objects, token=TOKEN)) as server:
        yield server


@pytest.fixture
def fleet_kubeconfig(tmp_path: Path, kube_api: KubeAPI, second_cluster: KubeAPI) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    document = kubeconfig(kube_api.url, data.CONTEXT, token=TOKEN,
                          extra_contexts={OTHER: second_cluster.url, "broken": f"http://127.0.0.1:{closed}"})
    return write_kubeconfig(tmp_path / "kubeconfig", document)


def _args(kubeconfig_path: str, gke_api: GkeAPI, **extra: object) -> argparse.Namespace:
    values = dict(demo=None, files=None, context=None, kubeconfig=kubeconfig_path, project=None, location=None,
                  cluster=None, namespace=None, timeout=2.0, gke_endpoint=gke_api.url, all_contexts=True,
                  contexts=None, format="text", fail_on="error")
    values.update(extra)
    return argparse.Namespace(**values)


def test_all_contexts_table(fleet_kubeconfig: str, gke_api: GkeAPI, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_fleet(_args(fleet_kubeconfig, gke_api))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["CONTEXT", "CLUSTER", "DATAPLANE", "ENFORCEMENT", "ERRORS", "WARNINGS", "UNKNOWN"]
    shop = next(line for line in lines if line.startswith(data.CONTEXT))
    api = next(line for line in lines if line.startswith(OTHER))
    broken = next(line for line in lines if line.startswith("broken"))
    assert "demo-project/europe-west1/shop" in shop and "calico" in shop and "on (Calico)" in shop
    assert "dataplane-v2" in api and "on (Dataplane V2)" in api
    assert "failed: connection refused" in broken
    assert code == 2, "a context that could not be checked fails the run"


def test_contexts_option_and_json(fleet_kubeconfig: str, gke_api: GkeAPI, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_fleet(_args(fleet_kubeconfig, gke_api, all_contexts=False, contexts=f"{OTHER}, {data.CONTEXT},{OTHER}",
                           format="json", fail_on="never"))
    document = json.loads(capsys.readouterr().out)
    assert [c["context"] for c in document["clusters"]] == [OTHER, data.CONTEXT]
    assert document["summary"]["contexts"] == 2 and document["summary"]["failed"] == 0
    shop = document["clusters"][1]
    assert shop["status"] == "ok" and shop["dataplane"] == "calico"
    assert shop["report"]["findings"] == [] or "id" in shop["report"]["findings"][0]
    assert shop["errors"] == sum(1 for f in shop["report"]["findings"] if f["severity"] == "error")
    assert code == 0


def test_unknown_context_is_a_failed_row(fleet_kubeconfig: str, gke_api: GkeAPI,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = run_fleet(_args(fleet_kubeconfig, gke_api, all_contexts=False, contexts="nope", format="json"))
    row = json.loads(capsys.readouterr().out)["clusters"][0]
    assert row["status"] == "failed" and "context 'nope' not found" in row["error"] and code == 2


def test_demo_and_files_are_refused(tmp_path: Path, gke_api: GkeAPI, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_fleet(_args(str(tmp_path / "kc"), gke_api, demo="calico")) == 2
    assert "leave out --demo" in capsys.readouterr().err


class _Severity:
    def __init__(self, value: str) -> None:
        self.value = value


class _Finding:
    def __init__(self, severity: str) -> None:
        self.severity = _Severity(severity)
        self.id, self.subject, self.message = "GKE003", "NodePool p", "1 of 3 nodes unlabelled"


class _Report:
    def __init__(self, *severities: str) -> None:
        self.findings = tuple(_Finding(s) for s in severities)
        self.unknown = ()
        self.dataplane = "calico"

    def to_dict(self) -> dict:
        return {"findings": len(self.findings)}


def test_exit_code_follows_fail_on() -> None:
    rows = [FleetRow("a", report=_Report("warning")), FleetRow("b", report=_Report("info"))]
    assert exit_code(rows, "error") == 0 and exit_code(rows, "warning") == 1 and exit_code(rows, "info") == 1
    assert exit_code(rows, "never") == 0 and exit_code(rows, None) == 0
    assert exit_code([*rows, FleetRow("c", error="boom")], "never") == 2


def test_a_crashing_context_does_not_stop_the_others(tmp_path: Path, kube_api: KubeAPI) -> None:
    """A check that crashes on one context becomes that row's error; the others keep their reports."""
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, data.CONTEXT, token=TOKEN,
                                                       extra_contexts={"bad": kube_api.url}))
    calls: list[str] = []

    def run_checks(snapshot: object) -> _Report:
        context = snapshot.source.context
        calls.append(context)
        if context == "bad":
            raise RuntimeError("boom")
        return _Report("error")

    rows = check_contexts([data.CONTEXT, "bad", "missing"], SourceOptions(kubeconfig=path, timeout=2), run_checks)
    assert rows[0].ok and rows[0].errors == 1
    assert rows[1].error == "checks failed: RuntimeError: boom"
    assert rows[2].error.startswith("context 'missing' not found")
    table = render_table(rows)
    assert "failed: checks failed: RuntimeError: boom" in table and sorted(calls) == sorted([data.CONTEXT, "bad"])


def test_select_ignore_and_markdown(fleet_kubeconfig: str, gke_api: GkeAPI,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = run_fleet(_args(fleet_kubeconfig, gke_api, all_contexts=False, contexts=data.CONTEXT,
                           format="markdown", select=["GKE003"], ignore=None))
    out = capsys.readouterr().out
    assert out.startswith("| context | cluster |") and "GKE003" in out and "NP004" not in out
    assert code == 1
    assert run_fleet(_args(fleet_kubeconfig, gke_api, select=["NOPE999"])) == 2
    assert "no check matches" in capsys.readouterr().err
    assert run_fleet(_args(fleet_kubeconfig, gke_api, format="sarif")) == 2
    assert "text, json, markdown" in capsys.readouterr().err


def test_cli_check_all_contexts(fleet_kubeconfig: str, gke_api: GkeAPI, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the check command the checks engineer owns: `check --contexts A --format json`."""
    from netpol_tui.cli import main

    code = main(["check", "--contexts", data.CONTEXT, "--format", "json", "--fail-on", "never",
                 "--kubeconfig", fleet_kubeconfig, "--gke-endpoint", gke_api.url, "--timeout", "2"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["clusters"][0]["context"] == data.CONTEXT


def test_a_slow_context_is_reported_while_the_others_print(tmp_path: Path, kube_api: KubeAPI, gke_api: GkeAPI,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """One API server sends its headers one byte every 0.5 s: its row says so, the healthy one prints."""
    slow = KubeAPI(data.cluster_objects(), token=TOKEN).start()
    slow.fault("/", trickle=0.5, times=None)
    try:
        path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, data.CONTEXT, token=TOKEN,
                                                           extra_contexts={"slow": slow.url}))
        started = time.monotonic()
        code = run_fleet(_args(path, gke_api, timeout=1.0))
        took = time.monotonic() - started
    finally:
        slow.stop()
    out = capsys.readouterr().out
    assert took < 1.0 + 2.0, f"took {took:.1f} s"
    healthy, stuck = out.splitlines()[1:3]
    assert healthy.startswith(data.CONTEXT) and "failed" not in healthy
    assert stuck.startswith("slow") and "failed: the API server 127.0.0.1" in stuck and "within 1 s" in stuck
    assert code == 2


def test_a_context_stuck_past_its_budget_gets_a_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fleet's own deadline: a load that never returns (past every other bound) is abandoned."""
    import threading

    from netpol_tui.sources import live

    never = threading.Event()

    def load_live(options: SourceOptions, progress: object = None) -> object:
        if options.context == "stuck":
            never.wait(60)
        raise live.SourceError(f"{options.context}: refused")

    monkeypatch.setattr(live, "load_live", load_live)
    started = time.monotonic()
    rows = check_contexts(["stuck", "a", "b", "c"], SourceOptions(timeout=1), lambda snapshot: None,
                          parallel=2, budget=0.5)
    assert time.monotonic() - started < 2
    assert rows[0].error.startswith("no answer: the context did not finish loading within 0.5 s")
    assert [row.error for row in rows[1:]] == ["a: refused", "b: refused", "c: refused"]
    never.set()


def test_markdown_rows_show_cluster_text_as_typed() -> None:
    """A context name or error that holds link, image or table syntax cannot change the incident note."""
    from netpol_tui.fleet import FleetRow, render_markdown

    hostile = "a|b [click](https://evil.example) ![x](https://evil.example/p.png) <img src=x>"
    markdown = render_markdown([FleetRow(context=hostile, error=hostile)])
    row = markdown.splitlines()[2]
    assert "](" not in row.replace("\\](", "")
    assert "<img" not in row.replace("\\<", "")
    assert len(re.split(r"(?<!\\)\|", row)) == 9 and "a\\|b" in row  # 8 cell borders, one escaped pipe
    assert "`https://evil.example`" in row
