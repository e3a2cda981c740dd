"""EnforcementState: mode, switches, per-pool progress, recreation, sequence step, windows, verify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from netpol_tui.checks import run_checks
from netpol_tui.checks.enforcement import (
    NO_KUBE_SYSTEM_PODS_OUTPUT,
    NO_NODES_OUTPUT,
    VERIFY_CILIUM_COMMAND,
    VERIFY_NODES_COMMAND,
    EnforcementState,
    Mode,
    RecreationDirection,
    cluster_identity,
    cluster_name,
    enable_commands,
    gcloud_flags,
    upgrade_pool_command,
)
from netpol_tui.runbooks import disable_runbook, enable_runbook
from tests.checks.helpers import cluster, lst, node, operation, pod, policy, snapshot

FLAGS = "--location=europe-west1 --project=acme-prod"


def state(*docs, **kw) -> EnforcementState:
    return EnforcementState.from_snapshot(snapshot(*docs, **kw))


def test_modes() -> None:
    assert state(cluster()).mode is Mode.CALICO
    assert state(cluster(calico=False)).mode is Mode.NONE
    assert state(cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False)).mode is Mode.DATAPLANE_V2
    assert state(cluster(autopilot={"enabled": True}, calico=None, addon=False)).mode is Mode.AUTOPILOT
    assert state(lst("Node", [])).mode is Mode.UNKNOWN
    assert state(cluster(datapath="SOMETHING_NEW")).mode is Mode.UNKNOWN


def test_switches_follow_gcloud_omitting_false_fields() -> None:
    on = state(cluster(addon=True))
    assert on.addon_enabled is True and on.node_setting_enabled is True
    missing = state(cluster(addon=None, calico=None))
    assert missing.addon_enabled is False and missing.node_setting_enabled is False
    assert state(lst("Node", [])).addon_enabled is None


def test_pool_progress_counts_labelled_and_cordoned_nodes() -> None:
    s = state(cluster(), lst("Node", [
        node("a1"), node("a2", labelled=False, cordoned=True), node("a3", labelled=False),
        node("b1", pool="big", machine="n2-standard-8"),
    ]))
    pools = {p.pool: p for p in s.pools}
    assert (pools["default-pool"].labelled, pools["default-pool"].total, pools["default-pool"].cordoned) == (1, 3, 1)
    assert pools["default-pool"].unlabelled_nodes == ("a2", "a3")
    assert pools["default-pool"].machine_type == "e2-standard-4"
    assert pools["big"].complete and pools["big"].machine_type == "n2-standard-8"
    assert s.unlabelled_nodes == ("a2", "a3")
    assert s.recreation.pending is True and s.recreation.direction is RecreationDirection.ENABLING
    assert s.step.sequence == "enable" and s.step.waiting
    assert [c.text for c in s.step.next_commands] == [
        f"gcloud container clusters upgrade prod --node-pool=default-pool --cluster-version=1.30.5-gke.1014001 {FLAGS}"]


def test_enabled_everywhere_is_not_pending() -> None:
    s = state(cluster(), lst("Node", [node("a1"), node("a2")]))
    assert s.recreation.pending is False and s.enforced_everywhere is True
    assert s.step.done == 2 and not s.step.next_commands and not s.step.waiting


def test_addon_on_node_setting_off_is_enable_step_one_not_pending() -> None:
    s = state(cluster(calico=False), lst("Node", [node("a1", labelled=False)]))
    assert s.recreation.pending is False
    assert (s.step.sequence, s.step.done, s.step.total) == ("enable", 1, 2)
    assert [c.text for c in s.step.next_commands] == [f"gcloud container clusters update prod --enable-network-policy {FLAGS}"]


def test_disabling_with_labelled_nodes() -> None:
    s = state(cluster(calico=False), lst("Node", [node("a1"), node("a2", labelled=False)]))
    assert s.recreation.pending is True and s.recreation.direction is RecreationDirection.DISABLING
    assert (s.step.sequence, s.step.done, s.step.total) == ("disable", 1, 3)
    assert [c.text for c in s.step.next_commands] == [
        f"gcloud container clusters update prod --update-addons=NetworkPolicy=DISABLED {FLAGS}"]


def test_disabling_shown_by_running_node_upgrade() -> None:
    s = state(cluster(calico=False), lst("Node", [node("a1", labelled=False)]),
              operation("op-1", done=1, total=3, pool="default-pool"))
    assert s.recreation.direction is RecreationDirection.DISABLING and s.step.sequence == "disable"
    assert s.operations[0].done == 1 and s.operations[0].total == 3
    assert "1 of 3 nodes done" in s.operations[0].text


def test_done_operations_are_not_running() -> None:
    s = state(cluster(calico=False), lst("Node", [node("a1", labelled=False)]), operation("op-1", status="DONE"))
    assert s.operations == () and s.step.sequence == "enable"


def test_off_everywhere_gives_both_enable_commands() -> None:
    s = state(cluster(calico=False, addon=False), lst("Node", [node("a1", labelled=False)]))
    assert s.recreation.pending is False
    assert [c.text for c in s.step.next_commands] == [
        f"gcloud container clusters update prod --update-addons=NetworkPolicy=ENABLED {FLAGS}",
        f"gcloud container clusters update prod --enable-network-policy {FLAGS}"]


def test_enforcement_on_addon_off_asks_for_addon() -> None:
    s = state(cluster(addon=False), lst("Node", [node("a1")]))
    assert s.step.next_commands[0].text.endswith(f"--update-addons=NetworkPolicy=ENABLED {FLAGS}")


def test_without_nodes_recreation_is_unknown() -> None:
    s = state(cluster())
    assert s.nodes_known is False and s.recreation.pending is None and s.pools == ()
    assert s.enforced_everywhere is None
    verify = {v.command: v for v in s.verify}
    assert verify[VERIFY_NODES_COMMAND].output is None


def test_dataplane_v2_has_no_sequence_and_cilium_verify() -> None:
    s = state(cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=False), lst("Pod", [
        pod("anetd-abc", "kube-system", labels={"k8s-app": "cilium"})]))
    assert s.step.sequence is None and s.recreation.pending is False
    verify = {v.command: v for v in s.verify}
    assert verify[VERIFY_CILIUM_COMMAND].output.splitlines()[1].startswith("anetd-abc")
    empty = state(cluster(datapath="ADVANCED_DATAPATH"), lst("Pod", []))
    assert {v.command: v for v in empty.verify}[VERIFY_CILIUM_COMMAND].output == NO_KUBE_SYSTEM_PODS_OUTPUT


def test_verify_nodes_output() -> None:
    s = state(cluster(), lst("Node", [node("a1"), node("a2", labelled=False, cordoned=True)]))
    out = {v.command: v.output for v in s.verify}[VERIFY_NODES_COMMAND]
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert lines[1].split() == ["a1", "Ready", "<none>", "6d", "v1.30.5-gke.1014001"]
    assert len(lines) == 2
    off = state(cluster(calico=False), lst("Node", [node("a1", labelled=False)]))
    assert {v.command: v.output for v in off.verify}[VERIFY_NODES_COMMAND] == NO_NODES_OUTPUT


def test_identity_and_flags() -> None:
    s = snapshot(cluster("prod"))
    assert gcloud_flags(s) == FLAGS and cluster_name(s) == "prod"
    bare = snapshot(lst("Node", []))
    identity = cluster_identity(bare)
    assert identity.name == "CLUSTER_NAME" and identity.flags == "--location=LOCATION --project=PROJECT_ID"
    assert identity.placeholders == ("CLUSTER_NAME", "LOCATION", "PROJECT_ID")
    ctx = snapshot(lst("Node", []), context="gke_my-proj_us-central1-a_edge")
    assert cluster_identity(ctx).flags == "--location=us-central1-a --project=my-proj"
    assert cluster_name(ctx) == "edge" and cluster_identity(ctx).placeholders == ()
    options = snapshot(lst("Node", []), project="p1", location="asia-east1", cluster="c1")
    assert gcloud_flags(options) == "--location=asia-east1 --project=p1"
    first, _ = enable_commands(bare)
    assert first.text == ("gcloud container clusters update CLUSTER_NAME --update-addons=NetworkPolicy=ENABLED "
                          "--location=LOCATION --project=PROJECT_ID")
    assert first.placeholders == ("CLUSTER_NAME", "LOCATION", "PROJECT_ID")
    upgrade = upgrade_pool_command(bare, None)
    assert upgrade.placeholders == ("CLUSTER_NAME", "LOCATION", "PROJECT_ID", "POOL_NAME", "MASTER_VERSION")


def _window(**window) -> dict:
    return {"window": window}


def test_maintenance_none_when_only_resource_version() -> None:
    s = state(cluster(maintenancePolicy={"resourceVersion": "abc"}))
    assert s.maintenance.configured is False


def test_daily_window_next_start() -> None:
    s = state(cluster(maintenancePolicy=_window(dailyMaintenanceWindow={"startTime": "03:00", "duration": "PT4H0M0S"})))
    assert s.maintenance.configured
    assert s.maintenance.next_window == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    assert s.maintenance.next_window_end == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    inside = state(cluster(maintenancePolicy=_window(dailyMaintenanceWindow={"startTime": "11:00",
                                                                              "duration": "PT4H"})))
    assert inside.maintenance.in_window and inside.maintenance.next_window == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def test_weekly_recurring_window() -> None:
    policy = _window(recurringWindow={"window": {"startTime": "2024-01-06T02:00:00Z", "endTime": "2024-01-06T06:00:00Z"},
                                      "recurrence": "FREQ=WEEKLY;BYDAY=SA,SU"})
    s = state(cluster(maintenancePolicy=policy))
    assert s.maintenance.next_window == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday
    assert s.maintenance.next_window_end == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_daily_rrule_and_unsupported_rrule() -> None:
    daily = _window(recurringWindow={"window": {"startTime": "2024-01-01T22:00:00Z", "endTime": "2024-01-02T02:00:00Z"},
                                     "recurrence": "FREQ=DAILY"})
    assert state(cluster(maintenancePolicy=daily)).maintenance.next_window == datetime(2026, 11, 26, 22, 0, tzinfo=UTC)
    monthly = _window(recurringWindow={"window": {"startTime": "2024-01-01T22:00:00Z",
                                                  "endTime": "2024-01-02T02:00:00Z"},
                                       "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1"})
    s = state(cluster(maintenancePolicy=monthly))
    assert s.maintenance.configured and s.maintenance.next_window is None


def test_exclusion_pushes_next_window() -> None:
    policy = _window(dailyMaintenanceWindow={"startTime": "03:00", "duration": "PT4H"},
                     maintenanceExclusions={"freeze": {"startTime": "2026-11-25T00:00:00Z",
                                                       "endTime": "2026-11-29T00:00:00Z"}})
    s = state(cluster(maintenancePolicy=policy))
    assert s.maintenance.blocking_exclusions == ("freeze",)
    assert s.maintenance.next_window == datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    minor_only = _window(dailyMaintenanceWindow={"startTime": "03:00", "duration": "PT4H"},
                         maintenanceExclusions={"m": {"startTime": "2026-11-25T00:00:00Z",
                                                      "endTime": "2026-11-29T00:00:00Z",
                                                      "maintenanceExclusionOptions": {"scope": "NO_MINOR_UPGRADES"}}})
    assert state(cluster(maintenancePolicy=minor_only)).maintenance.next_window == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    only_exclusion = _window(maintenanceExclusions={"x": {"startTime": "2026-11-25T00:00:00Z",
                                                          "endTime": "2026-11-29T00:00:00Z"}})
    s = state(cluster(maintenancePolicy=only_exclusion))
    assert s.maintenance.configured and s.maintenance.next_window is None


# ------------------------------------------------------------ trimmed descriptions (issue 10 item 8)

#: Descriptions cut down to name/location/version (and sometimes pools): the shapes one gets by
#: trimming a Calico, a Dataplane V2 and an Autopilot cluster's `gcloud ... describe` output.
TRIMMED = {
    "calico": {"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001"},
    "dataplane-v2": {"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001",
                     "nodePools": [{"name": "default-pool", "config": {"machineType": "e2-standard-4"},
                                    "initialNodeCount": 3}]},
    "autopilot": {"name": "prod", "location": "us-central1", "currentMasterVersion": "1.30.5-gke.1014001",
                  "selfLink": "https://container.googleapis.com/v1/projects/acme-prod/locations/us-central1/"
                              "clusters/prod", "nodePools": [{"name": "pool-1"}]},
    # The datapath kept, the Calico switches cut: still unknown on the legacy datapath.
    "legacy-switches-cut": {"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001",
                            "networkConfig": {"datapathProvider": "LEGACY_DATAPATH"}},
    # The node setting kept, the addon cut: which step of a sequence it is cannot be told.
    "calico-addon-cut": {"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001",
                         "networkPolicy": {"enabled": True, "provider": "CALICO"}},
}
ENFORCEMENT_CHECKS = "GKE001,GKE002,GKE003,GKE004,GKE007,GKE016,KI001,KI002"


def _all_commands(findings) -> list[str]:
    return [command.text if hasattr(command, "text") else str(command)
            for finding in findings for command in getattr(finding.remediation, "commands", ())]


@pytest.mark.parametrize("shape", sorted(TRIMMED))
def test_trimmed_description_gives_unknown_enforcement_and_no_switch_command(shape: str) -> None:
    docs = (TRIMMED[shape], lst("Node", [node("n1", labelled=False), node("n2", labelled=False)]),
            lst("NetworkPolicy", [policy("deny")]), lst("Pod", []))
    current = state(*docs)
    assert current.mode is Mode.UNKNOWN and current.enforced_everywhere is None
    assert current.unknown_reason and "trimmed" in current.unknown_reason
    assert current.step.next_commands == () and current.step.sequence is None
    assert current.recreation.pending is None
    report = run_checks(snapshot(*docs), select=ENFORCEMENT_CHECKS)
    assert report.findings == ()
    unknown = {item.id: item.reason for item in report.unknown}
    assert {"GKE001", "GKE002", "GKE003", "GKE004", "GKE007", "KI001", "KI002"} <= set(unknown)
    assert all("trimmed" in reason for reason in unknown.values())
    for runbook in (enable_runbook(snapshot(*docs), current, report, None),
                    disable_runbook(snapshot(*docs), current, report, None)):
        texts = [command.text for step in runbook.steps for command in step.commands]
        assert not any("network-policy" in text or "NetworkPolicy=" in text for text in texts), texts
        assert "trimmed" in runbook.steps[0].detail


@pytest.mark.parametrize("checks", ["GKE008", "GKE009"])
def test_datapath_dependent_checks_are_unknown_without_the_datapath(checks: str) -> None:
    doc = {**TRIMMED["calico"], "workloadIdentityConfig": {"workloadPool": "acme-prod.svc.id.goog"}}
    report = run_checks(snapshot(doc, lst("NetworkPolicy", [policy("deny")]), lst("Pod", [pod("p")])),
                        select=checks)
    assert report.findings == () and [item.id for item in report.unknown] == [checks]
    assert "datapath is unknown" in report.unknown[0].reason


def test_whole_descriptions_still_decide() -> None:
    """The whole-document rules stay: absent false fields are off, an absent provider is legacy."""
    off = state(cluster(calico=None, addon=None, datapath=None))
    assert off.mode is Mode.NONE and off.addon_enabled is False and off.node_setting_enabled is False
    assert [c.text for c in off.step.next_commands] == [c.text for c in enable_commands(snapshot(cluster()))]
    assert state(cluster(datapath="ADVANCED_DATAPATH", calico=None, addon=None)).mode is Mode.DATAPLANE_V2


def test_enforcement_unknown_makes_the_engine_use_kubernetes_semantics_with_the_reason() -> None:
    from netpol_tui.policy.dataplane import resolve_dataplane

    chosen, notes = resolve_dataplane(snapshot(TRIMMED["legacy-switches-cut"]))
    assert str(chosen) == "kubernetes" and "networkPolicy.enabled" in notes[0]
