"""Incremental checks (checks/incremental.py) equal a full run on follow-style changes: each step
derives the next snapshot from the last one the way the follower does (unchanged objects shared),
checks it incrementally from the previous run and in full, and compares the reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.incremental import IncrementalRun
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources.files import load_files

FIXTURE = Path(__file__).parent / "fixtures" / "NP004" / "fires"
COPIES = 8


@pytest.fixture(scope="module")
def cluster() -> Snapshot:
    """The NP004 fixture with its `shop` namespace copied COPIES times (shop-0 ... shop-7)."""
    base = load_files([str(FIXTURE)])
    namespaces, pods, policies = [], [], []
    for index in range(COPIES):
        name = f"shop-{index}"
        namespaces += [replace(ns, name=name, labels={**ns.labels, "kubernetes.io/metadata.name": name})
                       for ns in base.namespaces if ns.name == "shop"]
        pods += [replace(pod, namespace=name, uid=f"{pod.uid}-{index}") for pod in base.pods if pod.namespace == "shop"]
        policies += [replace(policy, namespace=name, uid=f"{policy.uid}-{index}")
                     for policy in base.policies if policy.namespace == "shop"]
    return replace(base, namespaces=tuple(ns for ns in base.namespaces if ns.name != "shop") + tuple(namespaces),
                   pods=tuple(pod for pod in base.pods if pod.namespace != "shop") + tuple(pods),
                   policies=tuple(p for p in base.policies if p.namespace != "shop") + tuple(policies))


def compare(snapshot: Snapshot, previous: IncrementalRun | None) -> IncrementalRun:
    engine = PolicyEngine(snapshot)
    run = IncrementalRun(snapshot, engine, previous)
    incremental = run.report()
    full = run_checks(snapshot, engine=PolicyEngine(snapshot))
    assert incremental.findings == full.findings
    assert incremental.unknown == full.unknown
    assert incremental.checked == full.checked and incremental.notes == full.notes
    return run


def pods_of(snapshot: Snapshot, namespace: str) -> list:
    return [pod for pod in snapshot.pods if pod.namespace == namespace]


def test_the_fixture_fires_np004_in_every_copy(cluster: Snapshot) -> None:
    report = run_checks(cluster)
    assert sorted(f.subject.namespace for f in report.findings if f.id == "NP004") == \
        sorted(f"shop-{index}" for index in range(COPIES))


def test_incremental_equals_full_on_follow_style_changes(cluster: Snapshot) -> None:
    first = compare(cluster, None)
    assert first.reused == 0 and first.reused_groups == 0

    unchanged = replace(cluster)  # a batch that changed nothing the checks read
    run = compare(unchanged, first)
    assert run.reused == COPIES and run.reused_groups == len(run.live_by_namespace)

    # ADDED: a copy of a pod under a new name in shop-3
    pod = pods_of(unchanged, "shop-3")[0]
    added = replace(unchanged, pods=(*unchanged.pods, replace(pod, name="churn-0000001", uid="churn-1",
                                                              pod_ips=("10.8.9.9",))))
    run = compare(added, run)
    assert run.reused == COPIES - 1, "only shop-3 is asked again"

    # MODIFIED: a pod of shop-5 relabelled (it moves to another label group, out of its policy)
    target = pods_of(added, "shop-5")[0]
    relabelled = replace(added, pods=tuple(replace(p, labels={"app": "moved"}) if p is target else p
                                           for p in added.pods))
    run = compare(relabelled, run)
    assert run.reused == COPIES - 1 and run.reused_groups == len(run.live_by_namespace) - 1

    # DELETED: a pod of shop-7, and shop-2's policies removed (its NP004 finding resolves)
    gone = pods_of(relabelled, "shop-7")[0]
    deleted = replace(relabelled, pods=tuple(p for p in relabelled.pods if p is not gone),
                      policies=tuple(p for p in relabelled.policies if p.namespace != "shop-2"))
    run = compare(deleted, run)
    assert run.reused == COPIES - 2
    assert run.dns_hits is not None and not run.dns_hits["shop-2"] and run.dns_hits["shop-3"], \
        "shop-2's finding resolved, the others stay"


def test_a_change_every_namespace_shares_checks_every_namespace_again(cluster: Snapshot) -> None:
    first = compare(cluster, None)
    # kube-system's kube-dns pods relabelled: no namespace's DNS answer can be reused
    kube_system = replace(cluster, pods=tuple(replace(p, labels={**p.labels, "k8s-app": "other"})
                                              if p.namespace == "kube-system" else p for p in cluster.pods))
    run = compare(kube_system, first)
    assert run.reused == 0
    # a namespace relabelled (namespaceSelectors read every Namespace's labels): NP004 in full again
    back = compare(cluster, run)
    relabelled = replace(cluster, namespaces=tuple(replace(ns, labels={**ns.labels, "team": "x"})
                                                   if ns.name == "shop-1" else ns for ns in cluster.namespaces))
    assert compare(relabelled, back).reused == 0


def test_a_run_without_engine_reports_np004_unknown_like_a_full_run(cluster: Snapshot) -> None:
    run = IncrementalRun(cluster, None)
    report = run.report()
    assert any(u.id == "NP004" for u in report.unknown)
    assert run.dns_hits is None, "nothing to reuse from a run that could not ask"
