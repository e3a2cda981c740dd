"""Runbook step states and recreation progress, computed from fixture snapshots (no textual)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.runbooks import StepState, build_runbooks, rate_eta, recreation_progress


def _runbooks(snapshot, with_report: bool = True, with_enforcement: bool = True):
    enforcement = EnforcementState.from_snapshot(snapshot) if with_enforcement else None
    report = run_checks(snapshot) if with_report else None
    return {runbook.key: runbook for runbook in build_runbooks(snapshot, enforcement, report)}


def test_enable_runbook_waits_for_recreation_with_the_pool_upgrade_command(calico_snapshot) -> None:
    runbook = _runbooks(calico_snapshot)["enable"]
    states = [step.state for step in runbook.steps]
    assert states == [StepState.DONE, StepState.DONE, StepState.DONE, StepState.PENDING]
    step = runbook.next_step
    assert step is runbook.steps[3]
    assert "10/12 nodes recreated" in step.detail
    assert "2026-11-21 03:00 UTC" in step.detail
    commands = [command.text for command in step.commands]
    assert "kubectl get nodes -l projectcalico.org/ds-ready=true" in commands
    assert ("gcloud container clusters upgrade shop-prod --node-pool=batch-pool --cluster-version=1.21.3-gke.2000 "
            "--location=europe-west1 --project=acme-shop") in commands


def test_enable_runbook_on_a_cluster_with_enforcement_off_starts_with_the_addon(calico_snapshot) -> None:
    cluster = replace(calico_snapshot.cluster, network_policy_enabled=False, network_policy_addon_present=False)
    nodes = tuple(replace(node, labels={k: v for k, v in node.labels.items() if "ds-ready" not in k})
                  for node in calico_snapshot.nodes)
    snapshot = replace(calico_snapshot, cluster=cluster, nodes=nodes, operations=())
    runbook = _runbooks(snapshot)["enable"]
    assert runbook.next_step.title == "Enable the control-plane addon"
    assert runbook.next_step.commands[0].text == ("gcloud container clusters update shop-prod "
                                                  "--update-addons=NetworkPolicy=ENABLED --location=europe-west1 "
                                                  "--project=acme-shop")


def test_disable_runbook_mid_disable_waits_before_the_addon(calico_snapshot) -> None:
    cluster = replace(calico_snapshot.cluster, network_policy_enabled=False)
    runbook = _runbooks(replace(calico_snapshot, cluster=cluster))["disable"]
    assert [step.state for step in runbook.steps] == [StepState.DONE, StepState.PENDING, StepState.PENDING]
    assert runbook.next_step is runbook.steps[1]
    assert "10/12 nodes recreated" not in runbook.steps[1].detail
    assert "2/12 nodes recreated" in runbook.steps[1].detail
    assert "Network policy addon cannot be removed" in runbook.steps[2].detail
    assert runbook.steps[2].commands[0].text.endswith(
        "--update-addons=NetworkPolicy=DISABLED --location=europe-west1 --project=acme-shop")


def test_stuck_pods_runbook_names_the_pod_and_the_ipam_fix(calico_snapshot) -> None:
    runbook = _runbooks(calico_snapshot)["stuck"]
    find, events, ipam = runbook.steps[:3]
    assert find.state is StepState.PENDING and "data/loader-8c7d-qq9zz" in find.detail
    assert events.state is StepState.PENDING
    assert events.commands[0].text == ("kubectl get events -n data --field-selector "
                                       "involvedObject.name=loader-8c7d-qq9zz")
    assert ipam.state is StepState.PENDING and "KI002" in ipam.detail


def test_policy_runbook_points_at_the_selector_typo(calico_snapshot) -> None:
    runbook = _runbooks(calico_snapshot)["policy"]
    selector_step = runbook.steps[1]
    assert selector_step.state is StepState.PENDING
    assert "shop/allow-store-from-web" in selector_step.detail


def test_without_report_or_enforcement_steps_are_unknown_never_done(calico_snapshot) -> None:
    runbooks = _runbooks(calico_snapshot, with_report=False, with_enforcement=False)
    assert runbooks["enable"].steps[0].state is StepState.UNKNOWN
    policy = runbooks["policy"]
    assert policy.steps[0].state is StepState.UNKNOWN
    assert all(step.state is not StepState.DONE for step in policy.steps[1:6])
    assert "the checks have not run" in policy.steps[1].detail


def test_dataplane_v2_has_nothing_to_switch(dpv2_snapshot) -> None:
    runbooks = _runbooks(dpv2_snapshot)
    for key in ("enable", "disable"):
        (step,) = runbooks[key].steps
        assert step.state is StepState.NOT_APPLICABLE
        assert step.commands[0].text == "kubectl -n kube-system get pods -l k8s-app=cilium"
    assert runbooks["policy"].steps[0].state is StepState.DONE


def test_recreation_progress_rate_eta_from_the_operation(calico_snapshot) -> None:
    progress = recreation_progress(calico_snapshot, EnforcementState.from_snapshot(calico_snapshot))
    assert (progress.direction, progress.done, progress.total) == ("enabling", 10, 12)
    assert [(pool.pool, pool.done, pool.total) for pool in progress.pools] == [
        ("default-pool", 4, 4), ("highmem-pool", 4, 4), ("batch-pool", 2, 4)]
    # 2 of 4 nodes in the hour since 11:00: 2 nodes/hour, 2 left.
    assert progress.eta is not None and progress.eta.remaining == timedelta(hours=1)
    assert progress.eta.text.startswith("~60 min at 2.0 nodes/hour")
    assert "next window (2026-11-21 03:00 UTC)" in progress.notice


def test_rate_eta_from_watch_samples() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    eta = rate_eta([(start, 2), (start + timedelta(minutes=30), 4)], total=10, basis="watch")
    assert eta is not None and eta.nodes_per_hour == 4.0 and eta.remaining == timedelta(hours=1.5)
    assert rate_eta([(start, 2)], 10, "watch") is None
    assert rate_eta([(start, 2), (start + timedelta(minutes=5), 2)], 10, "watch") is None
