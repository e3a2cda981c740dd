"""The bundled demos' flow records: Dataplane V2 ships a policy-action log and Hubble lines with one
disagreement of every diagnosis kind; Calico ships none and says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.flows import compare_flows
from netpol_tui.flows.diagnose import (
    CANNOT_EVALUATE,
    DATAPLANE,
    ENFORCEMENT,
    FQDN_NOT_LOGGED,
    NOT_EXPLAINED,
    POD_MISSING,
    POLICIES_DIFFER,
    POLICY_CHANGED,
)
from netpol_tui.model.gke_logging import NO_POLICY_LOGS
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources.demo import demo_flow_paths, load_demo


def test_dataplane_v2_ships_both_formats_and_every_diagnosis() -> None:
    paths = demo_flow_paths("dataplane-v2")
    assert [Path(path).name for path in paths] == ["policy-action.json", "hubble.jsonl"]
    assert isinstance(json.loads(Path(paths[0]).read_text()), list)  # gcloud logging read --format=json
    assert all(json.loads(line)["flow"] for line in Path(paths[1]).read_text().splitlines())
    snapshot = load_demo("dataplane-v2")
    report = compare_flows(snapshot, PolicyEngine(snapshot, "auto"), paths)
    assert report.problems == [] and report.records == 43
    kinds = {item["kind"] for group in report.groups for item in group.diagnosis}
    assert kinds == {ENFORCEMENT, POLICY_CHANGED, POD_MISSING, DATAPLANE, POLICIES_DIFFER, NOT_EXPLAINED,
                     CANNOT_EVALUATE, FQDN_NOT_LOGGED}
    # the api pods' call to the payment provider: FQDNNetworkPolicy api/allow-payments-api decides it,
    # which GKE's policy log does not record
    (not_logged,) = [group for group in report.groups if group.status == "not logged"]
    assert (not_logged.src.workload, not_logged.dst.ip, not_logged.port, not_logged.direction) == \
        ("Deployment/api", "198.51.100.23", 443, "egress")
    by_kind = {group.kind for group in report.groups if group.status == "disagrees"}
    assert by_kind == {"policy-action", "hubble"}
    # denied first: the incident's group (storefront -> api 8080, GKE011's ipBlock) leads
    first = report.groups[0]
    assert (first.observed, first.status, first.src.workload, first.dst.workload, first.port) == \
        ("deny", "agrees", "Deployment/storefront", "Deployment/api", 8080)
    assert sorted(report.skipped) == ["dropped for a reason other than policy: CT_MAP_INSERTION_FAILED",
                                      "reply packets (the answer of an allowed connection)"]


def test_flows_demo_without_flows_reads_the_demo_records(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "--demo", "dataplane-v2", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["records"] == 43 and data["summary"]["disagrees"] == 6
    assert data["summary"]["not logged"] == 1
    assert all(g["explain_command"].startswith("netpol-tui explain --demo dataplane-v2 ") for g in data["groups"])


def test_calico_demo_has_none_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo_flow_paths("calico") == ()
    assert main(["flows", "--demo", "calico"]) == 2
    err = capsys.readouterr().err
    assert NO_POLICY_LOGS in err and "Hubble is not available" in err

