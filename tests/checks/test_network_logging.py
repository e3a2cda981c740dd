"""NetworkLogging (network policy logging settings): parsing, save round-trip, and check GKE017."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from netpol_tui.checks import Severity, run_checks
from netpol_tui.checks.policy_logging import CAN_I
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.files import load_files
from netpol_tui.sources.save import save_snapshot
from tests.checks.helpers import cluster, lst, snapshot
from tests.checks.make_fixtures import DENY_INGRESS, network_logging, world

DPV2 = cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False)


def _logging_object(**cluster_spec: dict) -> dict:
    return {"apiVersion": "networking.gke.io/v1alpha1", "kind": "NetworkLogging", "metadata": {"name": "default"},
            "spec": {"cluster": cluster_spec}}


def _gke017(*documents: dict):
    report = run_checks(snapshot(*documents), select="GKE017")
    return [f for f in report.findings if f.id == "GKE017"], [u.reason for u in report.unknown]


# ------------------------------------------------------------------ parsing


def test_parsed_fields_and_defaults() -> None:
    snap = snapshot(lst("NetworkLogging", [_logging_object(allow={"log": True, "delegate": True})]))
    config = snap.logging_config
    assert config is not None and config.name == "default"
    assert (config.allow.log, config.allow.delegate, config.deny.log, config.deny.delegate) == (True, True, False, False)
    assert snap.has(Kind.NETWORK_LOGGING) and snap.counts()["networkloggings"] == 1


def test_empty_list_is_read_and_none() -> None:
    snap = snapshot(lst("NetworkLogging", []))
    assert snap.has(Kind.NETWORK_LOGGING) and snap.logging_config is None
    assert "networkloggings" not in snap.counts()


@pytest.mark.parametrize(("spec", "field"), [
    ({"deny": {"log": "yes"}}, "spec.cluster.deny.log"),
    ({"allow": {"log": False, "delegate": True}}, "spec.cluster.allow.delegate"),
    ({"deny": ["log"]}, "spec.cluster.deny"),
])
def test_bad_field_rejects_the_object_and_makes_the_kind_unknown(spec: dict, field: str) -> None:
    builder = SnapshotBuilder()
    builder.add_document(lst("NetworkLogging", [_logging_object(**spec)]), "networklogging.json")
    from netpol_tui.model.snapshot import SourceInfo

    snap = builder.build(SourceInfo("files", "test"))
    assert [field in p.message for p in snap.problems] == [True]
    assert not snap.has(Kind.NETWORK_LOGGING) and field in snap.unknown_reason(Kind.NETWORK_LOGGING)


def test_other_group_is_not_read_as_gke_logging() -> None:
    obj = {**_logging_object(deny={"log": True}), "apiVersion": "example.com/v1"}
    snap = snapshot({"apiVersion": "v1", "kind": "List", "items": [obj]})
    assert snap.network_logging == () and snap.skipped_kinds == (("NetworkLogging.example.com", 1),)


def test_save_round_trip_keeps_object_and_read_but_empty(tmp_path: Path) -> None:
    full = snapshot(lst("NetworkLogging", [_logging_object(deny={"log": True})]), lst("Namespace", []))
    save_snapshot(full, tmp_path / "full")
    again = load_files([str(tmp_path / "full")])
    kept = again.logging_config
    assert (kept.name, kept.allow, kept.deny) == (full.logging_config.name, full.logging_config.allow,
                                                  full.logging_config.deny) and kept.deny.log is True
    assert again.logging_config.raw["spec"] == {"cluster": {"deny": {"log": True}}}
    empty = snapshot(lst("NetworkLogging", []), lst("Namespace", []))
    save_snapshot(empty, tmp_path / "empty")
    assert (tmp_path / "empty" / "networklogging.json").is_file()
    assert load_files([str(tmp_path / "empty")]).has(Kind.NETWORK_LOGGING)
    unread = snapshot(lst("Namespace", []))
    save_snapshot(unread, tmp_path / "unread")
    assert not (tmp_path / "unread" / "networklogging.json").exists()


# ------------------------------------------------------------------ GKE017


def test_deny_logging_off_fires_with_a_manifest_that_keeps_allow_logging() -> None:
    findings, _ = _gke017(DPV2, *world(policies=[DENY_INGRESS], extra=[network_logging(deny=False, allow=True)]))
    (finding,) = findings
    assert finding.severity is Severity.WARNING and str(finding.subject) == "Cluster prod"
    manifest = yaml.safe_load(finding.remediation.manifest)
    assert manifest == {"apiVersion": "networking.gke.io/v1alpha1", "kind": "NetworkLogging",
                        "metadata": {"name": "default"},
                        "spec": {"cluster": {"allow": {"log": True, "delegate": False},
                                             "deny": {"log": True, "delegate": False}}}}
    apply = finding.remediation.commands[-1]
    assert apply.argv == ("kubectl", "apply", "-f", "-") and apply.stdin == finding.remediation.manifest
    assert apply.script.startswith("kubectl apply -f - <<'EOF'\n")
    assert any("costly" in note or "cost a lot" in note for note in finding.notes)


def test_missing_object_on_dataplane_v2_fires() -> None:
    findings, _ = _gke017(DPV2, *world(policies=[], extra=[lst("NetworkLogging", [])]))
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert "no NetworkLogging object 'default'" in findings[0].message
    allow = yaml.safe_load(findings[0].remediation.manifest)["spec"]["cluster"]["allow"]
    assert allow == {"log": False, "delegate": False}


def test_delegated_deny_logging_is_info() -> None:
    delegated = lst("NetworkLogging", [_logging_object(deny={"log": True, "delegate": True})])
    findings, _ = _gke017(DPV2, *world(policies=[], extra=[delegated]))
    assert [f.severity for f in findings] == [Severity.INFO] and "opt in by annotation" in findings[0].message


def test_deny_logging_on_is_quiet() -> None:
    assert _gke017(DPV2, *world(policies=[], extra=[network_logging(deny=True)])) == ([], [])


def test_not_read_is_unknown_with_the_permission() -> None:
    findings, unknown = _gke017(DPV2, *world(policies=[]))
    assert findings == [] and len(unknown) == 1
    assert "kubectl get networklogging -o json" in unknown[0] and CAN_I in unknown[0]


def test_calico_is_quiet_even_without_the_object() -> None:
    """The legacy datapath has no policy logs: nothing to turn on (the flows views say so)."""
    assert _gke017(cluster(), *world(policies=[DENY_INGRESS])) == ([], [])
