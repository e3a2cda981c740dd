"""`netpol-tui check` / `checks`: formats, exit status, selection, fleet fallback, untrusted text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from netpol_tui.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_exit_status_follows_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    fires = str(FIXTURES / "NP004" / "fires")
    assert run(capsys, "check", "--files", fires)[0] == 1
    assert run(capsys, "check", "--files", fires, "--fail-on", "never")[0] == 0
    warning_only = str(FIXTURES / "NP006" / "fires")
    assert run(capsys, "check", "--files", warning_only)[0] == 0
    assert run(capsys, "check", "--files", warning_only, "--fail-on", "warning")[0] == 1
    assert run(capsys, "check", "--files", str(FIXTURES / "NP006" / "clean"), "--fail-on", "info")[0] == 0


def test_unusable_input_and_bad_selection_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "junk.yaml").write_text("just: [text\n")
    code, out, err = run(capsys, "check", "--files", str(tmp_path))
    assert code == 2 and out == "" and "nothing usable" in err
    code, _, err = run(capsys, "check", "--demo", "--select", "GKE999")
    assert code == 2 and "GKE999" in err and "netpol-tui checks" in err


def test_select_and_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--demo", "--format", "json", "--select", "GKE01,np001", "--ignore", "GKE013")
    data = json.loads(out)
    assert {f["id"] for f in data["findings"]} == {"GKE010", "GKE012", "GKE016", "NP001"}
    assert data["summary"]["checks"] == 10 + 1 - 1


def test_text_output_groups_by_severity_and_has_no_markup(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--demo")
    assert code == 1
    assert out.index("ERRORS (4)") < out.index("WARNINGS (4)") < out.index("INFO (1)")
    assert "\x1b" not in out and "[bold" not in out
    assert "gcloud container clusters upgrade shop-prod --node-pool=highmem-pool " \
           "--cluster-version=1.21.3-gke.2000 --location=europe-west1 --project=acme-shop-prod" in out
    assert "kubectl apply -f - <<'EOF'" in out


def test_markdown_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--demo", "dataplane-v2", "--format", "markdown")
    assert code == 1
    assert out.startswith("# NetworkPolicy check: web-autopilot")
    assert "### GKE009 endport-ignored: NetworkPolicy media/allow-rtp" in out
    assert "```sh" in out and "| Evidence | Observed | Expected |" in out


def test_sarif_locates_findings_in_files(capsys: pytest.CaptureFixture[str]) -> None:
    folder = FIXTURES / "NP006" / "fires"
    code, out, _ = run(capsys, "check", "--files", str(folder), "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert len(rules) == 35 and rules[0]["id"] == "GKE001" and rules[0]["name"] == "enforcement-off"
    result = next(r for r in run_["results"] if r["ruleId"] == "NP006")
    assert rules[result["ruleIndex"]]["id"] == "NP006" and result["level"] == "warning"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("NP006/fires/objects.yaml")
    lines = (folder / "objects.yaml").read_text().splitlines()
    start = physical["region"]["startLine"]
    # the line of the policy itself inside its List, not the List's first line
    assert lines[start - 1] == "- apiVersion: networking.k8s.io/v1"
    following = "\n".join(lines[start - 1:]).split("\n---")[0]
    assert yaml.safe_load(following)[0]["metadata"]["name"] == "dns-only"
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "NetworkPolicy/shop/dns-only"


def test_catalog_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checks")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "SYMBOL", "SEVERITY", "TITLE"] and len(lines) == 36
    assert lines[1].split()[:3] == ["GKE001", "enforcement-off", "error"]
    code, out, _ = run(capsys, "checks", "--format", "json")
    assert [c["id"] for c in json.loads(out)][-1] == "NP006"


def test_fleet_without_fleet_module(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "netpol_tui.fleet", None)
    code, out, err = run(capsys, "check", "--all-contexts")
    assert code == 2 and "fleet checks are not available yet" in err


def test_fleet_delegates_to_run_fleet(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    seen = {}
    module = types.ModuleType("netpol_tui.fleet")

    def run_fleet(args: object) -> int:
        seen["contexts"] = args.contexts  # type: ignore[attr-defined]
        return 1

    module.run_fleet = run_fleet  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "netpol_tui.fleet", module)
    assert run(capsys, "check", "--contexts", "a,b")[0] == 1 and seen == {"contexts": "a,b"}


def test_cluster_text_is_cleaned(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = FIXTURES / "KI002" / "fires"
    for path in folder.iterdir():
        (tmp_path / path.name).write_text(path.read_text())
    documents = list(yaml.safe_load_all((tmp_path / "objects.yaml").read_text()))
    event = next(doc for doc in documents if doc["kind"] == "EventList")["items"][0]
    event["message"] = "\x1b]52;c;cm0gLXJmIC8=\x07evil [bold]markup[/bold] " + event["message"]
    (tmp_path / "objects.yaml").write_text(yaml.safe_dump_all(documents))
    for fmt in ("text", "json", "markdown", "sarif"):
        code, out, _ = run(capsys, "check", "--files", str(tmp_path), "--format", fmt, "--select", "KI002")
        assert code == 1 and "\x1b" not in out and "\x07" not in out and "cm0gLXJmIC8=" not in out, fmt
