"""Join, group and compare: endpoints to the snapshot, groups, verdicts and the JSON shape."""

from __future__ import annotations

import shlex

from netpol_tui.flows.compare import AGREES, DISAGREES, UNKNOWN
from tests.flows.records import gke_payload, hubble_flow
from tests.flows.world import ALLOW_WEB_TO_DB, DENY_ALL_INGRESS, RECORD_TIME, db_service, policy, world

GROUP_KEYS = {"src", "dst", "port", "protocol", "direction", "observed", "count", "first_seen", "last_seen",
              "nodes", "predicted", "status", "deciding", "diagnosis"}


def shop_world(**kwargs):
    return world(policies=[policy("deny-all", "shop", DENY_ALL_INGRESS), policy("allow-web", "shop", ALLOW_WEB_TO_DB)],
                 **kwargs)


def test_agreeing_records_group_by_workload(run_flows):
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", src=("shop", "web-5d4f8-a"), dst=("shop", "db-0"),
                           node="node-2", timestamp=RECORD_TIME, count=2),
               gke_payload("10.8.0.2", "10.8.1.1", 5432, "allow", src=("shop", "web-5d4f8-b"), dst=("shop", "db-0"),
                           node="node-2", timestamp="2026-12-01T10:05:00Z"),
               gke_payload("10.9.0.1", "10.8.1.1", 5432, "deny", src=("other", "client-0"), dst=("shop", "db-0"),
                           node="node-2", timestamp=RECORD_TIME)]
    report = run_flows(shop_world(), records)
    data = report.to_dict()
    assert [g["status"] for g in data["groups"]] == [AGREES, AGREES]
    denied, allowed = data["groups"]  # denied first
    assert denied["observed"] == "deny" and denied["src"]["pod"] == "client-0"
    assert set(allowed) >= GROUP_KEYS
    assert allowed["src"] == {"kind": "pod", "namespace": "shop", "pods": ["web-5d4f8-a", "web-5d4f8-b"],
                              "workload": "Deployment/web", "ip": None, "ips": ["10.8.0.1", "10.8.0.2"]}
    assert allowed["dst"]["pod"] == "db-0" and allowed["dst"]["ip"] == "10.8.1.1"
    assert (allowed["count"], allowed["port"], allowed["protocol"], allowed["direction"]) == (3, 5432, "TCP",
                                                                                               "ingress")
    assert (allowed["first_seen"], allowed["last_seen"]) == ("2026-12-01T10:00:00Z", "2026-12-01T10:05:00Z")
    assert allowed["nodes"] == ["node-2"] and allowed["predicted"] == "allow" and allowed["diagnosis"] == []
    assert [d["policy"] for d in allowed["deciding"]] == ["shop/allow-web"]
    assert {d["policy"] for d in denied["deciding"]} == {"shop/deny-all", "shop/allow-web"}
    assert set(denied["isolating"]) == {"shop/deny-all", "shop/allow-web"} and denied["would_allow"]


def test_explain_command_is_quoted_and_runs_as_pasted(run_flows):
    records = [gke_payload("10.9.0.1", "10.8.1.1", 5432, "deny", src=("other", "client-0"), dst=("shop", "db-0"))]
    report = run_flows(shop_world(), records, source_words=("--files", "my dump"))
    command = report.to_dict()["groups"][0]["explain_command"]
    assert shlex.split(command) == ["netpol-tui", "explain", "--files", "my dump", "--from", "other/client-0",
                                    "--to", "shop/db-0", "--port", "5432", "--protocol", "TCP"]


def test_direction_compares_the_reported_side(run_flows):
    # egress of web is open; the ingress of db denies the cache: an egress allow record agrees
    records = [gke_payload("10.8.1.2", "10.8.1.1", 5432, "allow", "egress", src=("shop", "cache-0"),
                           dst=("shop", "db-0")),
               gke_payload("10.8.1.2", "10.8.1.1", 5432, "deny", "ingress", src=("shop", "cache-0"),
                           dst=("shop", "db-0"))]
    report = run_flows(shop_world(), records)
    assert {(g.direction, g.status) for g in report.groups} == {("egress", AGREES), ("ingress", AGREES)}


def test_ip_only_records_join_by_ip_and_external_addresses(run_flows):
    egress_policy = policy("web-egress", "shop", {"podSelector": {"matchLabels": {"app": "web"}},
                                                   "policyTypes": ["Egress"],
                                                   "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}]})
    records = [gke_payload("10.8.0.1", "203.0.113.9", 443, "allow", "egress"),
               gke_payload("10.8.0.1", "198.51.100.1", 443, "deny", "egress")]
    report = run_flows(world(policies=[egress_policy]), records)
    data = report.to_dict()["groups"]
    assert [(g["dst"]["kind"], g["dst"]["ip"], g["status"]) for g in data] == [
        ("external", "198.51.100.1", AGREES), ("external", "203.0.113.9", AGREES)]
    assert data[0]["src"]["workload"] == "Deployment/web"


def test_service_ip_is_noted_and_evaluated_for_its_pods(run_flows):
    records = [gke_payload("10.8.0.1", "10.96.0.10", 5432, "allow", src=("shop", "web-5d4f8-a"))]
    report = run_flows(shop_world(services=[db_service()]), records)
    group = report.to_dict()["groups"][0]
    assert group["dst"]["kind"] == "service" and group["dst"]["service"] == "shop/db"
    assert group["status"] == AGREES
    assert "shop/svc/db" in group["explain_command"]


def test_node_addresses_are_nodes(run_flows):
    records = [gke_payload("10.128.0.1", "10.8.1.1", 5432, "deny", dst=("shop", "db-0"))]
    group = run_flows(shop_world(), records).to_dict()["groups"][0]
    assert group["src"]["kind"] == "node" and group["src"]["node"] == "node-1"
    assert group["status"] == AGREES


def test_hubble_records_compare_too(run_flows):
    records = [hubble_flow("10.9.0.1", "10.8.1.1", 5432, "DROPPED", "INGRESS", ("other", "client-0"),
                           ("shop", "db-0"), drop_reason="POLICY_DENIED"),
               hubble_flow("10.8.0.1", "10.8.1.1", 5432, "FORWARDED", "INGRESS", ("shop", "web-5d4f8-a"),
                           ("shop", "db-0"))]
    report = run_flows(shop_world(), records)
    assert [(g.observed, g.status, g.kind) for g in report.groups] == [("deny", AGREES, "hubble"),
                                                                      ("allow", AGREES, "hubble")]


def test_unknown_verdict_from_the_engine_gives_status_unknown(run_flows, monkeypatch):
    from netpol_tui.policy import PolicyEngine

    real = PolicyEngine.evaluate

    class Unknown:
        def __init__(self, verdict):
            self._verdict = verdict

        verdict = "unknown"

        def __getattr__(self, name):
            return getattr(self._verdict, name)

    monkeypatch.setattr(PolicyEngine, "evaluate", lambda self, *a, **k: Unknown(real(self, *a, **k)))
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", src=("shop", "web-5d4f8-a"), dst=("shop", "db-0"))]
    group = run_flows(shop_world(), records).groups[0]
    assert group.predicted == UNKNOWN and group.status == UNKNOWN


def test_flipped_record_disagrees(run_flows):
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "deny", src=("shop", "web-5d4f8-a"), dst=("shop", "db-0"))]
    group = run_flows(shop_world(), records).groups[0]
    assert (group.observed, group.predicted, group.status) == ("deny", "allow", DISAGREES)
    assert group.diagnosis


def test_log_text_is_sanitised(run_flows):
    evil = "web-\x1b]52;c;ZXZpbA==\x07x"
    records = [gke_payload("10.8.0.1", "10.8.1.1", 5432, "allow", src=("shop", evil), dst=("shop", "db-0"),
                           node="node-\x1b[31mred")]
    report = run_flows(shop_world(), records)
    for text in (report.to_text(), report.to_markdown(), str(report.to_dict())):
        assert "\x1b" not in text and "\x07" not in text
