"""`check` never passes on data it did not have: exit 3, SARIF `executionSuccessful: false` with a
notification per kind not read, and the unknown count and why in the first lines of text and JSON.

The snapshots are check fixtures saved as `snapshot save` would after a 403: the kind's objects
are absent and the manifest names it as not read with the API server's reason.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from netpol_tui.checks import CATALOG, Report, Severity, UnknownCheck
from netpol_tui.cli import main
from netpol_tui.fleet import FleetRow, exit_code
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.save import MANIFEST, MANIFEST_API_VERSION, MANIFEST_KIND

FIXTURES = Path(__file__).parent / "fixtures"
#: The list kinds in the fixtures' objects.yaml that hold each Kubernetes kind.
LISTS = {Kind.NETWORK_POLICY: "NetworkPolicyList", Kind.POD: "PodList", Kind.NAMESPACE: "NamespaceList",
         Kind.NODE: "NodeList", Kind.EVENT: "EventList"}
RESOURCES = {Kind.NETWORK_POLICY: "networkpolicies.networking.k8s.io", Kind.POD: "pods",
             Kind.NAMESPACE: "namespaces", Kind.NODE: "nodes", Kind.EVENT: "events"}


def forbidden_snapshot(tmp_path: Path, fixture: str, kind: Kind) -> Path:
    """Fixture `fixture` as saved by someone who may not list `kind` (403)."""
    target = tmp_path / f"{fixture.replace('/', '-')}-{kind}"
    target.mkdir()
    shutil.copy(FIXTURES / fixture / "cluster.json", target / "cluster.json")
    documents = [doc for doc in yaml.safe_load_all((FIXTURES / fixture / "objects.yaml").read_text())
                 if doc["kind"] != LISTS[kind]]
    (target / "objects.yaml").write_text(yaml.safe_dump_all(documents))
    resource = RESOURCES[kind]
    manifest = {"apiVersion": MANIFEST_API_VERSION, "kind": MANIFEST_KIND, "capturedAt": "2026-12-01T10:00:00+00:00",
                "source": {"kind": "live", "context": "prod"},
                "unknown": [{"kind": str(kind), "reason": f"forbidden for alice@example.com: list {resource} at cluster "
                                                          f"scope; grant get/list/watch on {resource}"}]}
    (target / MANIFEST).write_text(json.dumps(manifest))
    return target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_policies_forbidden_is_exit_3_with_the_reason_first(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    folder = str(forbidden_snapshot(tmp_path, "NP004/fires", Kind.NETWORK_POLICY))
    code, out = run(capsys, "check", "--files", folder, "--select", "NP")
    assert code == 3
    lines = out.splitlines()
    assert lines[1] == "0 errors, 0 warnings, 0 info, 6 unknown (6 checks run)"
    assert lines[2] == "UNKNOWN: 6 of 6 checks could not decide, so this result is incomplete:"
    assert lines[3].startswith("  - NetworkPolicy not read: forbidden for alice@example.com")
    assert lines[3].endswith("check the permission: kubectl auth can-i list networkpolicies.networking.k8s.io -A")
    assert lines[4].startswith("  - NP001, NP002, NP003, NP004, NP005, NP006: NetworkPolicy could not be read")
    assert "No problems found" not in out


def test_json_states_the_unknown_count_and_why_in_its_first_keys(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    folder = str(forbidden_snapshot(tmp_path, "NP004/fires", Kind.NETWORK_POLICY))
    code, out = run(capsys, "check", "--files", folder, "--select", "NP", "--format", "json")
    assert code == 3
    document = json.loads(out)
    assert list(document)[:3] == ["summary", "complete", "unknown_because"]
    assert document["summary"]["unknown"] == 6 and document["complete"] is False
    assert document["unknown_because"][0].startswith("NetworkPolicy not read: forbidden")
    assert document["not_read"] == [{
        "kind": "NetworkPolicy",
        "reason": "forbidden for alice@example.com: list networkpolicies.networking.k8s.io at cluster scope; "
                  "grant get/list/watch on networkpolicies.networking.k8s.io",
        "permission": ["kubectl auth can-i list networkpolicies.networking.k8s.io -A"]}]
    assert [item["id"] for item in document["unknown"]] == ["NP001", "NP002", "NP003", "NP004", "NP005", "NP006"]
    # the summary is in the first lines of the document itself, not only first in the mapping
    assert '"unknown": 6' in "\n".join(out.splitlines()[:8])


def test_sarif_execution_not_successful_with_a_notification_per_kind(capsys: pytest.CaptureFixture[str],
                                                                    tmp_path: Path) -> None:
    folder = str(forbidden_snapshot(tmp_path, "NP004/fires", Kind.NETWORK_POLICY))
    code, out = run(capsys, "check", "--files", folder, "--select", "NP", "--format", "sarif")
    assert code == 3
    run_ = json.loads(out)["runs"][0]
    assert run_["results"] == []
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    descriptors = run_["tool"]["driver"]["notifications"]
    not_read = [n for n in notifications if descriptors[n["descriptor"]["index"]]["id"] == "not-read"]
    assert len(not_read) == 1 and not_read[0]["level"] == "error"
    assert not_read[0]["properties"]["kind"] == "NetworkPolicy"
    assert not_read[0]["properties"]["permission"] == ["kubectl auth can-i list networkpolicies.networking.k8s.io -A"]
    assert "forbidden for alice@example.com" in not_read[0]["message"]["text"]
    rules = run_["tool"]["driver"]["rules"]
    per_check = [n for n in notifications if n["descriptor"]["id"] == "check-unknown"]
    assert [rules[n["associatedRule"]["index"]]["id"] for n in per_check] == [f"NP00{i}" for i in range(1, 7)]


@pytest.mark.parametrize("kind", [Kind.NETWORK_POLICY, Kind.POD, Kind.NAMESPACE, Kind.NODE])
def test_each_forbidden_kind_makes_the_run_incomplete(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                      kind: Kind) -> None:
    folder = str(forbidden_snapshot(tmp_path, "NP006/clean", kind))
    code, out = run(capsys, "check", "--files", folder, "--format", "sarif", "--fail-on", "info")
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    kinds = [n["properties"]["kind"] for n in invocation["toolExecutionNotifications"] if "properties" in n]
    assert kinds == [str(kind)]
    # NP006/clean has no finding at all when every kind is read: exit 3 is the unread kind alone
    assert code == 3
    assert run(capsys, "check", "--files", str(FIXTURES / "NP006" / "clean"), "--fail-on", "info")[0] == 0


def test_findings_at_fail_on_win_over_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # KI002 fires (an error) from pods and events; the policy checks are unknown
    folder = str(forbidden_snapshot(tmp_path, "KI002/fires", Kind.NETWORK_POLICY))
    code, out = run(capsys, "check", "--files", folder)
    assert code == 1 and "ERRORS (1)" in out and "UNKNOWN: " in out.splitlines()[2]
    assert run(capsys, "check", "--files", folder, "--fail-on", "warning")[0] == 1


def test_a_finding_below_fail_on_does_not_hide_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # NP006 fires a warning; with pods forbidden other checks are unknown; --fail-on error: 3, not 0
    folder = str(forbidden_snapshot(tmp_path, "NP006/fires", Kind.POD))
    code, out = run(capsys, "check", "--files", folder, "--format", "json")
    document = json.loads(out)
    assert document["summary"]["warning"] >= 1 and document["summary"]["error"] == 0
    assert code == 3
    assert run(capsys, "check", "--files", folder, "--fail-on", "warning")[0] == 1


def test_fail_on_never_exits_0_even_when_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = str(forbidden_snapshot(tmp_path, "KI002/fires", Kind.NETWORK_POLICY))
    for fmt in ("text", "json", "markdown", "sarif"):
        code, out = run(capsys, "check", "--files", folder, "--format", fmt, "--fail-on", "never")
        assert code == 0 and "NetworkPolicy not read" in out, fmt


def test_a_failing_check_is_unknown_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that raises is not a clean result: exit 3, and SARIF says the run did not succeed."""
    from netpol_tui.checks import registry

    def broken(ctx: object) -> list:
        raise RuntimeError("boom")

    spec = next(s for s in CATALOG if s.id == "NP006")
    monkeypatch.setattr(registry, "CATALOG", tuple(s if s is not spec else
                                                   type(spec)(spec.id, spec.symbol, spec.title, spec.severity, spec.doc,
                                                              broken) for s in CATALOG))
    folder = str(FIXTURES / "NP006" / "clean")
    code, out = run(capsys, "check", "--files", folder, "--format", "sarif", "--select", "NP006")
    assert code == 3
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "RuntimeError: boom" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_complete_report_is_successful_and_silent_about_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(FIXTURES / "NP006" / "clean")
    code, out = run(capsys, "check", "--files", folder, "--format", "sarif")
    assert code == 0
    invocation = json.loads(out)["runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}
    code, out = run(capsys, "check", "--files", folder)
    assert code == 0 and "UNKNOWN" not in out and out.splitlines()[-1] == "No problems found."


# ------------------------------------------------------------------ fleet


def _row(context: str, *, unknown: int = 0, error: str | None = None, severity: Severity | None = None) -> FleetRow:
    from netpol_tui.checks import Finding, Subject

    findings = () if severity is None else (
        Finding("NP006", "ignored-policy-section", severity, "t", Subject("NetworkPolicy", "a", "b"), "m"),)
    report = Report(findings, tuple(UnknownCheck("NP001", "Pod could not be read") for _ in range(unknown)),
                    "calico", context, checked=("NP001", "NP006"))
    return FleetRow(context, error=error, report=None if error else report, unknown=unknown)


def test_fleet_exit_codes_match_check() -> None:
    assert exit_code([_row("a"), _row("b")], "error") == 0
    assert exit_code([_row("a"), _row("b", unknown=1)], "error") == 3
    assert exit_code([_row("a", severity=Severity.WARNING), _row("b", unknown=1)], "error") == 3
    assert exit_code([_row("a", severity=Severity.ERROR), _row("b", unknown=1)], "error") == 1
    assert exit_code([_row("a", unknown=1)], "never") == 0
    assert exit_code([_row("a", severity=Severity.ERROR)], "never") == 0
    assert exit_code([_row("a"), _row("b", error="connection refused")], "error") == 2
