"""SARIF names the line of the object a finding is about, also for items of a List file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from netpol_tui.checks import run_checks
from netpol_tui.checks.render import render_sarif
from netpol_tui.sources import locate
from netpol_tui.sources.files import load_files


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    locate.clear_cache()


def _policy(name: str, *, broken: bool = False) -> dict:
    """NP006 fires on `broken`: an egress section that policyTypes [Ingress] leaves out."""
    spec: dict = {"podSelector": {"matchLabels": {"app": name}}, "policyTypes": ["Ingress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "a]b}c\"d"}}}]}]}
    if broken:
        spec["egress"] = [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "shop", "annotations": {"note": "{[\"items\": ["}},
            "spec": spec}


POLICIES = [_policy("first"), _policy("second"), _policy("third", broken=True)]


def _np006_location(paths: list[Path]) -> dict:
    snapshot = load_files([str(path) for path in paths])
    report = run_checks(snapshot, select="NP006")
    results = json.loads(render_sarif(report))["runs"][0]["results"]
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results] \
        == ["NetworkPolicy/shop/third"]
    return results[0]["locations"][0]["physicalLocation"]


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line == needle)


def test_kubectl_json_list_points_at_the_third_object(tmp_path: Path) -> None:
    path = tmp_path / "netpol.json"
    text = json.dumps({"apiVersion": "v1", "items": POLICIES, "kind": "List",
                       "metadata": {"resourceVersion": ""}}, indent=4) + "\n"
    path.write_text(text)
    physical = _np006_location([path])
    assert physical["artifactLocation"]["uri"].endswith("netpol.json")
    start = physical["region"]["startLine"]
    lines = text.splitlines()
    # The `{` opening the third item, directly followed by its first field.
    assert lines[start - 1] == "        {" and lines[start] == '            "apiVersion": "networking.k8s.io/v1",'
    assert '"name": "third"' in "\n".join(lines[start:start + 10])
    assert start == [n for n, line in enumerate(lines, 1) if line == "        {"][2]


def test_yaml_list_after_another_document_points_at_the_third_object(tmp_path: Path) -> None:
    path = tmp_path / "netpol.yaml"
    namespace = yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    policies = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": POLICIES}, sort_keys=False)
    text = namespace + "---\n" + policies
    path.write_text(text)
    start = _np006_location([path])["region"]["startLine"]
    lines = text.splitlines()
    assert lines[start - 1] == "- apiVersion: networking.k8s.io/v1"
    assert yaml.safe_load("\n".join(lines[start - 1:]))[0]["metadata"]["name"] == "third"


def test_single_object_document_keeps_its_document_line(tmp_path: Path) -> None:
    path = tmp_path / "objects.yaml"
    text = yaml.safe_dump(_policy("first")) + "---\n" + yaml.safe_dump(_policy("third", broken=True))
    path.write_text(text)
    assert _np006_location([path])["region"]["startLine"] == _line_of(text, "---")


def test_file_gone_or_changed_after_loading_falls_back_to_the_document_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "netpol.json"
    path.write_text(json.dumps({"kind": "List", "items": POLICIES}, indent=2))
    snapshot = load_files([str(path)])
    report = run_checks(snapshot, select="NP006")
    path.write_text(json.dumps({"kind": "List", "items": POLICIES[:1]}, indent=2))
    result = json.loads(render_sarif(report))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    path.unlink()
    locate.clear_cache()
    result = json.loads(render_sarif(report))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}

    def explode(path: str, line: int) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(locate, "_item_lines", explode)
    result = json.loads(render_sarif(report))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
