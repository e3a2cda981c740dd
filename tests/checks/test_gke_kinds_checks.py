"""GKE018-GKE026 edges: version lines, in-cluster name forms, unread kinds, deny shadowing partly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.fqdn import fqdn_minimum_version, service_for_name
from netpol_tui.model.objects import Service
from netpol_tui.model.snapshot import Kind, UnknownPart
from netpol_tui.versions import GkeVersion
from tests.checks.helpers import snapshot
from tests.checks.make_fixtures import fixtures


def _case(check_id: str, case: str = "fires"):
    cluster_doc, documents = fixtures()[check_id][case]
    return snapshot(cluster_doc, *documents)


@pytest.mark.parametrize(("version", "needed"), [
    ("1.25.16-gke.1000", "1.26.4-gke.500"), ("1.26.4-gke.499", "1.26.4-gke.500"), ("1.26.4-gke.500", None),
    ("1.26.15", None), ("1.27.1-gke.399", "1.27.1-gke.400"), ("1.27.1-gke.400", None), ("1.28.0-gke.1", None),
])
def test_fqdn_minimum_version_per_line(version: str, needed: str | None) -> None:
    result = fqdn_minimum_version(GkeVersion.parse(version))
    assert (str(result) if result else None) == needed


def test_in_cluster_name_forms() -> None:
    services = {("shop", "payments"): Service(name="payments", namespace="shop")}
    assert service_for_name("payments.shop.svc.cluster.local", services) == (services["shop", "payments"], True)
    assert service_for_name("payments.shop.svc", services)[1] is True
    assert service_for_name("payments.shop", services)[1] is True
    assert service_for_name("ghost.other.svc.cluster.local.", services) == (None, True)
    # a two-label public name is in-cluster only when such a Service exists
    assert service_for_name("example.com", services) == (None, False)
    assert service_for_name("api.payments.example.com", services) == (None, False)


@pytest.mark.parametrize("check_id", ["GKE018", "GKE019", "GKE020", "GKE021", "GKE022", "GKE023", "GKE024"])
def test_fqdn_checks_are_unknown_when_fqdn_policies_were_not_read(check_id: str) -> None:
    snap = replace(_case(check_id), fqdn_policies=(), unknown=(UnknownPart(Kind.FQDN_POLICY, "403 Forbidden"),))
    report = run_checks(snap, select=check_id)
    assert [f.id for f in report.findings] == []
    (unknown,) = [u for u in report.unknown if u.id == check_id]
    assert "403 Forbidden" in unknown.reason and "kubectl auth can-i list fqdnnetworkpolicies" in unknown.reason


@pytest.mark.parametrize("check_id", ["GKE025", "GKE026"])
def test_cilium_checks_are_unknown_when_cilium_policies_were_not_read(check_id: str) -> None:
    snap = replace(_case(check_id), cilium_policies=(), unknown=(UnknownPart(Kind.CILIUM_POLICY, "403 Forbidden"),))
    report = run_checks(snap, select=check_id)
    assert [f.id for f in report.findings] == []
    assert "403 Forbidden" in next(u.reason for u in report.unknown if u.id == check_id)


def test_no_fqdn_or_cilium_policies_no_findings_and_no_unknown() -> None:
    snap = replace(_case("GKE018"), fqdn_policies=())
    report = run_checks(snap, select="GKE018,GKE019,GKE020,GKE021,GKE022,GKE023,GKE024,GKE025,GKE026")
    assert report.findings == () and report.unknown == ()


def test_fqdn_dns_check_names_the_policy_and_leaves_networkpolicy_isolated_pods_to_np004() -> None:
    (finding,) = run_checks(_case("GKE021"), select="GKE021").findings
    assert "shop/allow-payments-api" in " ".join(e.observed for e in finding.evidence)
    assert "app: web" in finding.remediation.manifest
    from tests.checks.helpers import policy
    cluster_doc, documents = fixtures()["GKE021"]["fires"]
    deny = policy("deny-egress", "shop", {"podSelector": {}, "policyTypes": ["Egress"]})
    docs = [doc if doc.get("kind") != "NetworkPolicyList" else {**doc, "items": [deny]} for doc in documents]
    report = run_checks(snapshot(cluster_doc, *docs), select="GKE021,NP004")
    assert [f.id for f in report.findings] == ["NP004"]


def test_deny_shadow_reports_the_deciding_rule_and_skips_calico() -> None:
    (finding,) = run_checks(_case("GKE026"), select="GKE026").findings
    assert "egressDeny[0] of CCNP lockdown" in finding.message
    cluster_doc, documents = fixtures()["GKE026"]["fires"]
    calico = snapshot(fixtures()["GKE025"]["fires"][0], *documents)
    assert run_checks(calico, select="GKE026").findings == ()
    assert [f.id for f in run_checks(calico, select="GKE025").findings] == ["GKE025"]
