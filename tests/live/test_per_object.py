"""The live source keeps the files source's rule: one bad object costs only itself (issue 10 item 4).

Run against the Kubernetes API stand-in with the real client and the real parsers.
"""

from __future__ import annotations

import pytest

from netpol_tui.checks.registry import run_checks
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.live import load_live
from tests.live.standin import KubeAPI


def test_policy_with_a_list_namespace_costs_only_that_policy(options: SourceOptions, kube_api: KubeAPI) -> None:
    """`namespace: ["a"]` once made every policy unread ("TypeError: unhashable type: 'list'")."""
    policies = kube_api.objects["networkpolicies"]
    good = len(policies)
    kube_api.add("networkpolicies", {"metadata": {"name": "odd", "namespace": ["a"]}, "spec": {}})
    snapshot = load_live(options)
    assert len(snapshot.policies) == good and snapshot.has(Kind.NETWORK_POLICY)
    assert snapshot.unknown_reason(Kind.NETWORK_POLICY) is None
    [problem] = [p for p in snapshot.problems if "NetworkPolicy" in str(p)]
    assert "networkpolicies" in problem.source and problem.location == f"item {good}"
    assert "NetworkPolicy odd: metadata.namespace must be a string, got a list" in problem.message


def test_a_name_of_the_wrong_type_is_named_by_its_list_index(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.add("pods", {"metadata": {"name": {"x": 1}, "namespace": "shop"}, "spec": {}})
    count = len(kube_api.objects["pods"])
    snapshot = load_live(options)
    assert len(snapshot.pods) == count - 1 and snapshot.has(Kind.POD)
    [problem] = [p for p in snapshot.problems if "Pod" in p.message]
    assert problem.location == f"item {count - 1}" and "metadata.name must be a string" in problem.message


@pytest.mark.parametrize("broken", [{"metadata": {"name": "n1"}, "status": ["x"]}, "not an object"],
                         ids=["bad-field", "not-an-object"])
def test_only_node_broken_means_nodes_not_read(broken: object, options: SourceOptions, kube_api: KubeAPI) -> None:
    """One malformed node and no other: nodes are unknown (not "0 nodes"), so GKE003 is unknown."""
    kube_api.objects["nodes"] = [broken]
    snapshot = load_live(options)
    assert snapshot.nodes == () and not snapshot.has(Kind.NODE)
    assert "could not be used" in (snapshot.unknown_reason(Kind.NODE) or "")
    report = run_checks(snapshot, select="GKE003")
    assert not report.findings and [item.id for item in report.unknown] == ["GKE003"]
