"""Reachability checks on snapshots with Namespaces not read: an unknown verdict is an unknown
check result, never a pass and never a finding."""

from __future__ import annotations

from netpol_tui.checks import run_checks
from tests.checks.helpers import cluster, lst, node, pod, policy, snapshot

BY_TEAM = {"to": [{"namespaceSelector": {"matchLabels": {"team": "platform"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}


def documents(*, namespaces: bool):
    docs = [lst("Node", [node(f"n{i}", ip=f"10.128.0.{i + 2}") for i in range(3)]),
            lst("Pod", [pod("web-0", labels={"app": "web"}, ip="10.64.1.10"),
                        pod("kube-dns-0", "kube-system", labels={"k8s-app": "kube-dns"}, ip="10.64.0.2")]),
            lst("NetworkPolicy", [policy("egress", spec={"podSelector": {}, "policyTypes": ["Egress"],
                                                         "egress": [BY_TEAM]})])]
    if namespaces:
        docs.append(lst("Namespace", [{"apiVersion": "v1", "kind": "Namespace",
                                       "metadata": {"name": name, "labels": labels}}
                                      for name, labels in (("shop", {}), ("kube-system", {"team": "dns"}))]))
    return docs


def np004(*docs):
    report = run_checks(snapshot(cluster(), *docs), select="NP004")
    return [f for f in report.findings if f.id == "NP004"], [u for u in report.unknown if u.id == "NP004"]


def test_dns_check_fires_with_namespaces_read():
    found, unknown = np004(*documents(namespaces=True))
    assert found and not unknown  # kube-system is team=dns, the rule wants team=platform


def test_dns_check_is_unknown_when_namespace_labels_decide_and_were_not_read():
    found, unknown = np004(*documents(namespaces=False))
    assert not found
    assert unknown and any("Namespace" in u.reason for u in unknown)
