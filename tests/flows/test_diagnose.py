"""Each diagnosis kind, on a disagreement built to have exactly that cause."""

from __future__ import annotations

from datetime import UTC, datetime

from netpol_tui.flows.compare import DISAGREES, UNKNOWN
from netpol_tui.flows.diagnose import (
    CANNOT_EVALUATE,
    DATAPLANE,
    ENFORCEMENT,
    NOT_EXPLAINED,
    POD_MISSING,
    POLICIES_DIFFER,
    POLICY_CHANGED,
)
from tests.flows.records import gke_payload
from tests.flows.world import ALLOW_WEB_TO_DB, DENY_ALL_INGRESS, node, pod, policy, world

WEB_TO_DB = dict(src=("shop", "web-5d4f8-a"), dst=("shop", "db-0"))


def kinds(group):
    return [item["kind"] for item in group.diagnosis]


def only_group(report):
    (group,) = report.groups
    return group


def test_enforcement_not_active_on_a_calico_node_being_recreated(run_flows):
    nodes = [node("node-1", "10.128.0.1"), node("node-2", "10.128.0.2", calico_ready=False)]
    snapshot = world("calico", policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)], nodes=nodes)
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", node="node-2", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert group.status == DISAGREES and kinds(group) == [ENFORCEMENT]
    assert "node-2" in group.diagnosis[0]["text"] and "GKE003" in group.diagnosis[0]["text"]


def test_enforcement_not_active_without_a_dataplane_v2_agent(run_flows):
    pods = [*world().pods, pod("anetd-1", "kube-system", {"k8s-app": "cilium"}, "10.128.0.1", "node-1",
                               host_network=True)]
    snapshot = world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)], pods=pods)
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", node="node-2", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [ENFORCEMENT] and "anetd" in group.diagnosis[0]["text"]


def test_policy_created_after_the_record(run_flows):
    late = policy("deny-all", "shop", DENY_ALL_INGRESS, created="2026-12-01T11:00:00Z")
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", timestamp="2026-12-01T10:00:00Z", **WEB_TO_DB)]
    group = only_group(run_flows(world(policies=[late]), records))
    assert group.status == DISAGREES and kinds(group) == [POLICY_CHANGED]
    assert "shop/deny-all" in group.diagnosis[0]["text"] and "2026-12-01T10:00:00Z" in group.diagnosis[0]["text"]


def test_records_newer_than_the_snapshot(run_flows):
    snapshot = world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)],
                     captured=datetime(2026, 11, 30, tzinfo=UTC))
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [POLICY_CHANGED] and "take a new snapshot" in group.diagnosis[0]["text"]


def test_policy_named_by_the_log_was_deleted(run_flows):
    snapshot = world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)])
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", policies=[("shop", "allow-web")], **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [POLICY_CHANGED, POLICIES_DIFFER]
    assert "deleted or renamed" in group.diagnosis[0]["text"]


def test_pod_not_in_snapshot_evaluated_as_its_sibling(run_flows):
    snapshot = world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS), policy("allow-web", "shop",
                                                                                     ALLOW_WEB_TO_DB)])
    record = gke_payload("10.8.0.9", "10.8.1.1", 5432, "deny", src=("shop", "web-5d4f8-gone"), dst=("shop", "db-0"))
    record["src"]["workload_name"] = "web-5d4f8"
    group = only_group(run_flows(snapshot, [record]))
    assert group.status == DISAGREES and kinds(group) == [POD_MISSING]
    text = group.diagnosis[0]["text"]
    assert "shop/web-5d4f8-gone is not in the snapshot" in text and "web-5d4f8-a" in text
    assert "record 2026-12-01T10:00:00.123456789Z" in text and "snapshot 2026-12-02T12:00:00+00:00" in text


def test_pod_not_in_snapshot_without_sibling_is_unknown(run_flows):
    record = gke_payload("10.8.0.9", "10.8.1.1", 5432, "deny", src=("shop", "ghost-1"), dst=("shop", "db-0"))
    group = only_group(run_flows(world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)]), [record]))
    assert group.status == UNKNOWN and group.predicted == UNKNOWN
    assert kinds(group)[0] == POD_MISSING and CANNOT_EVALUATE in kinds(group)


def test_pod_recreated_after_the_record(run_flows):
    pods = [pod("db-0", "shop", {"app": "db"}, "10.8.1.1", created="2026-12-01T12:00:00Z"),
            pod("web-5d4f8-a", "shop", {"app": "web"}, "10.8.0.1", owner="web")]
    snapshot = world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS)], pods=pods)
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [POD_MISSING] and "created at 2026-12-01T12:00:00Z" in group.diagnosis[0]["text"]


def test_end_port_semantics(run_flows):
    ranged = {"podSelector": {"matchLabels": {"app": "db"}},
              "ingress": [{"ports": [{"port": 5000, "endPort": 6000}]}]}
    snapshot = world(policies=[policy("ranged", "shop", ranged)])
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert (group.predicted, group.status) == ("deny", DISAGREES)
    assert kinds(group) == [DATAPLANE] and "endPort" in group.diagnosis[0]["text"]


def test_ip_block_over_pod_ips(run_flows):
    by_ip = {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.8.0.0/16"}}]}]}
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", **WEB_TO_DB)]
    group = only_group(run_flows(world(policies=[policy("by-ip", "shop", by_ip)]), records))
    assert kinds(group) == [DATAPLANE] and "ipBlock 10.8.0.0/16" in group.diagnosis[0]["text"]


def test_host_network_and_model_mismatch(run_flows):
    pods = [pod("db-0", "shop", {"app": "db"}, "10.8.1.1"),
            pod("agent-1", "shop", {"app": "agent"}, "10.128.0.1", host_network=True)]
    snapshot = world(None, policies=[policy("deny-all", "shop", {"policyTypes": ["Egress"]})], pods=pods)
    records = [gke_payload("10.128.0.1", "10.8.1.1", 5432, "deny", "egress", src=("shop", "agent-1"),
                           dst=("shop", "db-0"))]
    group = only_group(run_flows(snapshot, records))
    assert group.status == DISAGREES and kinds(group) == [DATAPLANE, DATAPLANE]
    texts = " ".join(item["text"] for item in group.diagnosis)
    assert "--dataplane dataplane-v2" in texts and "hostNetwork" in texts


def test_logged_policies_differ_from_the_deciding_ones(run_flows):
    snapshot = world(policies=[policy("allow-web", "shop", ALLOW_WEB_TO_DB),
                               policy("deny-all", "shop", DENY_ALL_INGRESS)])
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "deny", policies=[("shop", "deny-all")], **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [POLICIES_DIFFER]
    assert "shop/deny-all" in group.diagnosis[0]["text"] and "shop/allow-web" in group.diagnosis[0]["text"]


def test_not_explained_says_what_reproduces_it(run_flows):
    snapshot = world(policies=[policy("allow-web", "shop", ALLOW_WEB_TO_DB)])
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "deny", **WEB_TO_DB)]
    group = only_group(run_flows(snapshot, records))
    assert kinds(group) == [NOT_EXPLAINED]
    reproduce = group.diagnosis[0]["reproduce"]
    assert reproduce["record"].endswith("flows.jsonl:1") and reproduce["dataplane"] == "dataplane-v2"
    assert reproduce["engine"]["verdict"] == "allow" and reproduce["snapshot_captured_at"].startswith("2026-12-02")


def test_agreeing_groups_have_no_diagnosis(run_flows):
    snapshot = world(policies=[policy("allow-web", "shop", ALLOW_WEB_TO_DB)])
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", policies=[("shop", "other")], **WEB_TO_DB)]
    assert only_group(run_flows(snapshot, records)).diagnosis == []
