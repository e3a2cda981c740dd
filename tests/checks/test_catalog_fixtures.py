"""Every check fires on its fixture and stays quiet on the near miss; registry invariants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netpol_tui.checks import CATALOG, CHECKS_BY_ID, Report, Severity, run_checks
from netpol_tui.sources.files import load_files

FIXTURES = Path(__file__).parent / "fixtures"

#: check id -> (subject kind, namespace, name) it must report on its `fires` fixture.
EXPECTED = {
    "GKE001": ("Cluster", None, "prod"),
    "GKE002": ("Cluster", None, "prod"),
    "GKE003": ("NodePool", None, "default-pool"),
    "GKE004": ("Cluster", None, "prod"),
    "GKE005": ("NodePool", None, "tiny"),
    "GKE006": ("Cluster", None, "prod"),
    "GKE007": ("Node", None, "node-a"),
    "GKE008": ("Namespace", "shop", "shop"),
    "GKE009": ("NetworkPolicy", "shop", "allow-rtp"),
    "GKE010": ("NetworkPolicy", "shop", "egress"),
    "GKE011": ("NetworkPolicy", "shop", "allow-internal"),
    "GKE012": ("NetworkPolicy", "shop", "egress"),
    "GKE013": ("Service", "shop", "web"),
    "GKE014": ("Service", "shop", "web"),
    "GKE015": ("Namespace", "shop", "shop"),
    "GKE016": ("Cluster", None, "prod"),
    "GKE017": ("Cluster", None, "prod"),
    "GKE018": ("Cluster", None, "prod"),
    "GKE019": ("Cluster", None, "prod"),
    "GKE020": ("Cluster", None, "prod"),
    "GKE021": ("Namespace", "shop", "shop"),
    "GKE022": ("Deployment", "kube-system", "coredns"),
    "GKE023": ("FQDNNetworkPolicy", "shop", "allow-payments"),
    "GKE024": ("FQDNNetworkPolicy", "shop", "allow-partners"),
    "GKE025": ("Cluster", None, "prod"),
    "GKE026": ("NetworkPolicy", "shop", "allow-mail"),
    "KI001": ("Cluster", None, "prod"),
    "KI002": ("StatefulSet", "shop", "db"),
    "KI003": ("DaemonSet", "kube-system", "ip-masq-agent"),
    "NP001": ("NetworkPolicy", "shop", "allow-store"),
    "NP002": ("NetworkPolicy", "shop", "allow-frontend"),
    "NP003": ("Namespace", "shop", "shop"),
    "NP004": ("Namespace", "shop", "shop"),
    "NP005": ("NetworkPolicy", "shop", "allow-web"),
    "NP006": ("NetworkPolicy", "shop", "dns-only"),
}
_REPORTS: dict[Path, Report] = {}


def report_for(folder: Path) -> Report:
    if folder not in _REPORTS:
        snapshot = load_files([str(folder)])
        assert not snapshot.problems, [str(p) for p in snapshot.problems]
        _REPORTS[folder] = run_checks(snapshot)
    return _REPORTS[folder]


def test_catalog_ids_symbols_and_order() -> None:
    ids = [spec.id for spec in CATALOG]
    symbols = [spec.symbol for spec in CATALOG]
    assert len(ids) == 35 and len(set(ids)) == 35 and len(set(symbols)) == 35
    assert ids == sorted(ids, key=lambda i: ({"GKE": 0, "KI": 1, "NP": 2}[re.sub(r"\d", "", i)], i))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", symbol) for symbol in symbols)
    assert set(EXPECTED) == set(ids)
    for spec in CATALOG:
        assert len(spec.doc) > 80, f"{spec.id} needs a docstring that explains the problem"
        assert isinstance(spec.severity, Severity) and spec.title
        assert (FIXTURES / spec.id / "fires").is_dir() and (FIXTURES / spec.id / "clean").is_dir(), spec.id


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fires_with_subject_evidence_and_remediation(check_id: str) -> None:
    report = report_for(FIXTURES / check_id / "fires")
    findings = [f for f in report.findings if f.id == check_id]
    assert findings, f"{check_id} did not fire; unknown: {[u for u in report.unknown if u.id == check_id]}"
    subjects = {(f.subject.kind, f.subject.namespace, f.subject.name) for f in findings}
    assert EXPECTED[check_id] in subjects
    spec = CHECKS_BY_ID[check_id]
    for finding in findings:
        assert finding.symbol == spec.symbol and finding.title == spec.title and finding.explanation == spec.doc
        assert finding.message and finding.evidence
        assert not finding.remediation.empty, f"{check_id} has no remediation"
        assert all(c.text.strip() for c in finding.remediation.commands)
        for placeholder in finding.remediation.placeholders:
            assert any(placeholder in c.text for c in finding.remediation.commands) or \
                placeholder in (finding.remediation.manifest or "")
        assert finding.remediation.placeholders == (), "fixtures have every value: no placeholder expected"
        data = finding.to_dict()
        assert list(data) == ["id", "symbol", "severity", "title", "subject", "message", "evidence", "remediation"]
        assert list(data["remediation"]) == ["commands", "manifest"]
    assert check_id not in {u.id for u in report.unknown}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_near_miss_stays_clean(check_id: str) -> None:
    folder = FIXTURES / check_id / "clean"
    snapshot = load_files([str(folder)])
    assert snapshot.pods and snapshot.cluster is not None, "a near miss is a real cluster, not an empty one"
    report = report_for(folder)
    assert [f.message for f in report.findings if f.id == check_id] == []
    assert check_id not in {u.id for u in report.unknown}, [u.reason for u in report.unknown if u.id == check_id]
