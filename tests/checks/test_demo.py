"""`netpol-tui check --demo NAME` finds exactly what the demo plants (netpol_tui/demo docstring table)."""

from __future__ import annotations

import json

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.cli import main
from netpol_tui.demo import HEALTHY_NAMESPACES, PLANTED
from netpol_tui.sources.demo import load_demo


@pytest.mark.parametrize("demo", sorted(PLANTED))
def test_demo_findings_are_exactly_the_planted_ones(demo: str) -> None:
    report = run_checks(load_demo(demo))
    found = sorted((f.id, f.subject.kind, f.subject.namespace, f.subject.name) for f in report.findings)
    planted = sorted((p.check, p.kind, p.namespace, p.name) for p in PLANTED[demo])
    assert found == planted
    assert report.unknown == ()
    healthy = set(HEALTHY_NAMESPACES[demo])
    assert not [f for f in report.findings if f.subject.namespace in healthy]


def test_demo_dataplanes_and_clusters() -> None:
    calico = run_checks(load_demo("calico"))
    dpv2 = run_checks(load_demo("dataplane-v2"))
    assert (calico.dataplane, calico.cluster) == ("calico", "shop-prod")
    assert (dpv2.dataplane, dpv2.cluster) == ("dataplane-v2", "web-autopilot")


def test_check_demo_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["summary", "complete", "unknown_because", "not_read", "unknown", "source", "cluster",
                          "dataplane", "findings"]
    assert data["cluster"] == "shop-prod" and data["dataplane"] == "calico"
    assert {f["id"] for f in data["findings"]} == {p.check for p in PLANTED["calico"]}
    first = data["findings"][0]
    assert list(first) == ["id", "symbol", "severity", "title", "subject", "message", "evidence", "remediation"]
    assert set(first["subject"]) == {"kind", "namespace", "name"}
    assert data["summary"]["error"] == sum(1 for f in data["findings"] if f["severity"] == "error")
