"""Reading flow records: every input shape, unknown fields, malformed and truncated records."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from netpol_tui.flows.reader import FlowReader
from netpol_tui.flows.records import ALLOW, DENY, EGRESS, GKE_LOG, HUBBLE, INGRESS, time_key
from tests.flows.records import gke_payload, hubble_flow, log_entry, write_array, write_lines

A = gke_payload("10.0.0.1", "10.0.0.2", 8080, "allow", "ingress", src=("shop", "web-1"), dst=("shop", "db-1"),
                count=3, policies=[("shop", "allow-web")])
B = gke_payload("10.0.0.1", "203.0.113.9", 443, "deny", "egress", src=("shop", "web-1"),
                timestamp="2026-12-01T11:00:00Z")


def read(paths, stdin=None):
    reader = FlowReader(stdin)
    return reader, list(reader.read([str(p) for p in paths]))


def test_gcloud_array_of_log_entries(tmp_path):
    reader, records = read([write_array(tmp_path / "a.json", [log_entry(A), log_entry(B)])])
    assert reader.problems == []
    (first, count, when, node), (second, *_rest) = records
    assert first.kind == GKE_LOG and first.disposition == ALLOW and first.direction == INGRESS
    assert (first.src.namespace, first.src.pod, first.src.ip) == ("shop", "web-1", "10.0.0.1")
    assert (first.dst.pod, first.port, first.protocol) == ("db-1", 8080, "TCP")
    assert first.src.workload_kind == "ReplicaSet" and first.src.workload_name == "web"
    assert first.policies == ("shop/allow-web",)
    assert count == 3 and node == "node-1" and when == "2026-12-01T10:00:00.123456789"
    assert second.disposition == DENY and second.direction == EGRESS and second.dst.pod is None
    assert second.policies is None


def test_json_lines_of_entries_and_bare_payloads(tmp_path):
    reader, records = read([write_lines(tmp_path / "l.jsonl", [log_entry(A), B])])
    assert reader.problems == [] and len(records) == 2
    assert records[1][0].dst.ip == "203.0.113.9"


def test_node_name_from_the_log_entry_resource(tmp_path):
    entry = log_entry(json.loads(json.dumps(A)))
    del entry["jsonPayload"]["node_name"]
    _, records = read([write_lines(tmp_path / "l.jsonl", [entry])])
    assert records[0][3] == "node-1"


def test_entries_response_and_pretty_printed_objects(tmp_path):
    path = tmp_path / "resp.json"
    path.write_text(json.dumps({"entries": [log_entry(A), log_entry(B)], "nextPageToken": "t"}, indent=2))
    reader, records = read([path])
    assert reader.problems == [] and [r[0].port for r in records] == [8080, 443]
    concatenated = tmp_path / "jq.json"
    concatenated.write_text(json.dumps(B, indent=2) + "\n" + json.dumps(A, indent=2) + "\n")
    reader, records = read([concatenated])
    assert reader.problems == [] and [r[0].port for r in records] == [443, 8080]


def test_unknown_fields_are_ignored(tmp_path):
    payload = gke_payload("10.0.0.1", "10.0.0.2", 80, future_field={"x": [1, 2]})
    payload["connection"]["new_thing"] = "y"
    payload["src"]["labels"] = {"a": "b"}
    reader, records = read([write_lines(tmp_path / "u.jsonl", [log_entry(payload) | {"labels": {"k": "v"}}])])
    assert reader.problems == [] and records[0][0].port == 80


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda p: p["connection"].update(dest_port="http"), "connection.dest_port"),
    (lambda p: p["connection"].update(dest_port=70000), "connection.dest_port"),
    (lambda p: p["connection"].pop("src_ip"), "connection.src_ip"),
    (lambda p: p["connection"].update(dest_ip="10.0.0.300"), "connection.dest_ip"),
    (lambda p: p["connection"].update(protocol="gre"), "connection.protocol"),
    (lambda p: p["connection"].update(direction="sideways"), "connection.direction"),
    (lambda p: p.update(disposition="maybe"), "disposition"),
    (lambda p: p.update(count=0), "count"),
    (lambda p: p.update(timestamp="yesterday"), "timestamp"),
    (lambda p: p.update(policies="all"), "policies"),
    (lambda p: p.update(src=["web"]), "src"),
    (lambda p: p.pop("connection"), "connection"),
])
def test_malformed_records_are_named_problems(tmp_path, mutate, field):
    bad = json.loads(json.dumps(A))
    mutate(bad)
    reader, records = read([write_lines(tmp_path / "m.jsonl", [A, bad, B])])
    assert len(records) == 2
    assert reader.problem_count == 1
    problem = reader.problems[0]
    assert problem.line == 2 and problem.field == field and problem.file.endswith("m.jsonl")


def test_malformed_items_in_an_array_name_their_index(tmp_path):
    bad = json.loads(json.dumps(A))
    bad["connection"]["dest_port"] = None
    reader, records = read([write_array(tmp_path / "a.json", [log_entry(A), log_entry(bad), 7])])
    assert len(records) == 1 and reader.problem_count == 2
    assert [(p.index, p.field) for p in reader.problems] == [(1, "connection.dest_port"), (2, None)]


def test_truncated_last_line_is_a_problem(tmp_path):
    reader, records = read([write_lines(tmp_path / "t.jsonl", [A, B, A], truncate_last=20)])
    assert len(records) == 2
    assert reader.problem_count == 1 and reader.problems[0].line == 3
    assert "truncated" in reader.problems[0].message


def test_truncated_array_keeps_the_records_before(tmp_path):
    reader, records = read([write_array(tmp_path / "t.json", [log_entry(A), log_entry(B), log_entry(A)],
                                        truncate_last=40)])
    assert len(records) == 2
    assert reader.problem_count == 1 and "truncated" in reader.problems[0].message
    assert reader.problems[0].index == 2


def test_invalid_json_line_goes_on_with_the_next(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(A) + "\n{not json}\n" + json.dumps(B) + "\n")
    reader, records = read([path])
    assert len(records) == 2 and reader.problems[0].line == 2


def test_other_logs_are_counted_apart_and_empty_files_are_problems(tmp_path):
    other = {"logName": "projects/p/logs/stdout", "textPayload": "hello"}
    reader, records = read([write_lines(tmp_path / "o.jsonl", [other, log_entry(A)]), tmp_path / "missing.json"])
    assert len(records) == 1 and sum(reader.skipped.values()) == 1
    assert reader.files_unreadable == 1
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    reader, records = read([empty])
    assert records == [] and "no flow records" in reader.problems[0].message
    text = tmp_path / "text.log"
    text.write_text("hello world\n")
    reader, _ = read([text])
    assert "not JSON" in reader.problems[0].message


def test_stdin_and_gzip(tmp_path):
    stdin = io.BytesIO((json.dumps(log_entry(A)) + "\n").encode())
    reader, records = read(["-"], stdin=stdin)
    assert len(records) == 1 and reader.problems == []
    path = tmp_path / "f.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps(B) + "\n")
    _, records = read([path])
    assert records[0][0].port == 443


def test_icmp_records_are_counted_apart(tmp_path):
    icmp = gke_payload("10.0.0.1", "10.0.0.2", 0, protocol="icmp")
    del icmp["connection"]["dest_port"]
    reader, records = read([write_lines(tmp_path / "i.jsonl", [icmp])])
    assert records == [] and reader.problems == [] and list(reader.skipped.values()) == [1]


# --------------------------------------------------------------------------- Hubble

@pytest.mark.parametrize("wrapped", [True, False])
def test_hubble_with_and_without_the_flow_wrapper(tmp_path, wrapped):
    flows = [hubble_flow("10.0.0.1", "10.0.0.2", 5432, "DROPPED", "INGRESS", ("shop", "web-1"), ("shop", "db-1"),
                         drop_reason="POLICY_DENIED", wrapped=wrapped),
             hubble_flow("10.0.0.1", "10.0.0.2", 8080, "FORWARDED", "EGRESS", ("shop", "web-1"), ("shop", "db-1"),
                         wrapped=wrapped)]
    reader, records = read([write_lines(tmp_path / "h.jsonl", flows)])
    assert reader.problems == []
    (denied, *_), (allowed, *_) = records
    assert denied.kind == HUBBLE and denied.disposition == DENY and denied.direction == INGRESS
    assert denied.dst.pod == "db-1" and denied.port == 5432
    assert denied.src.workload_kind == "Deployment" and denied.src.workload_name == "web"
    assert allowed.disposition == ALLOW and allowed.direction == EGRESS


def test_hubble_replies_and_other_drops_are_reported_apart(tmp_path):
    flows = [hubble_flow("10.0.0.2", "10.0.0.1", 41000, reply=True),
             hubble_flow("10.0.0.1", "10.0.0.2", 80, "DROPPED", drop_reason="CT_MAP_INSERTION_FAILED"),
             hubble_flow("10.0.0.1", "10.0.0.2", 80, "DROPPED", drop_reason="CT_MAP_INSERTION_FAILED"),
             hubble_flow("10.0.0.1", "10.0.0.2", 80, "ERROR"),
             {"node_status": {"node_names": ["n1"]}},
             hubble_flow("10.0.0.1", "10.0.0.2", 80, "DROPPED", drop_reason="POLICY_DENIED")]
    reader, records = read([write_lines(tmp_path / "h.jsonl", flows)])
    assert len(records) == 1 and reader.problems == []
    assert reader.skipped["dropped for a reason other than policy: CT_MAP_INSERTION_FAILED"] == 2
    assert any("reply" in reason for reason in reader.skipped)
    assert sum(reader.skipped.values()) == 5


def test_hubble_camel_case_numeric_enums_and_policy_fields(tmp_path):
    flow = {"time": "2026-12-01T10:00:00Z", "verdict": 2, "dropReasonDesc": 133,
            "IP": {"source": "10.0.0.1", "destination": "10.0.0.2"},
            "l4": {"UDP": {"sourcePort": 5000, "destinationPort": 53}},
            "source": {"namespace": "shop", "podName": "web-1"}, "destination": {"namespace": "kube-system"},
            "trafficDirection": 2, "isReply": False, "nodeName": "n2",
            "egress_denied_by": [{"name": "deny-all", "namespace": "shop", "kind": "KubernetesNetworkPolicy"}]}
    reader, records = read([write_lines(tmp_path / "h.jsonl", [flow])])
    key, _, _, node = records[0]
    assert reader.problems == []
    assert (key.disposition, key.direction, key.protocol, key.port) == (DENY, EGRESS, "UDP", 53)
    assert key.src.pod == "web-1" and node == "n2" and key.policies == ("shop/deny-all",)


def test_hubble_audit_and_malformed(tmp_path):
    audit = hubble_flow("10.0.0.1", "10.0.0.2", 80, "AUDIT")
    bad = hubble_flow("10.0.0.1", "10.0.0.2", 80)
    bad["flow"]["l4"] = {"TCP": {"destination_port": "x"}}
    no_ip = hubble_flow("10.0.0.1", "10.0.0.2", 80)
    del no_ip["flow"]["IP"]
    reader, records = read([write_lines(tmp_path / "h.jsonl", [audit, bad, no_ip])])
    assert len(records) == 1 and records[0][0].audit and records[0][0].disposition == DENY
    assert [(p.line, p.field) for p in reader.problems] == [(2, "l4.TCP.destination_port"), (3, "IP")]


def test_time_keys_sort_like_instants():
    texts = ["2026-12-01T10:00:37Z", "2026-12-01T10:00:37.5Z", "2026-12-01T10:00:37.9937129Z",
             "2026-12-01T10:00:37.993712906Z", "2026-12-01T11:00:38+01:00", "2026-12-01T10:00:38Z"]
    keys = [time_key(text) for text in texts]
    assert sorted(range(4), key=lambda i: keys[i]) == [0, 1, 2, 3]
    assert keys[4] == keys[5] and keys[5] > keys[2]
    assert time_key("not a time") is None


def test_numbers_as_floats_from_the_logging_api(tmp_path):
    """The Logging API returns jsonPayload as a protobuf Struct: 8080.0, count 2.0."""
    payload = json.loads(json.dumps(A))
    payload["connection"]["dest_port"] = 8080.0
    payload["count"] = 2.0
    reader, records = read([write_lines(tmp_path / "f.jsonl", [log_entry(payload)])])
    assert reader.problems == []
    assert records[0][0].port == 8080 and records[0][1] == 2
    payload["count"] = 2.5
    reader, records = read([write_lines(tmp_path / "g.jsonl", [log_entry(payload)])])
    assert records == [] and reader.problems[0].field == "count"


def test_policy_kinds_other_than_networkpolicy_keep_their_kind(tmp_path):
    payload = json.loads(json.dumps(A))
    payload["policies"] = [{"name": "allow-web", "namespace": "shop", "kind": "NetworkPolicy"},
                           {"name": "baseline", "kind": "BaselineAdminNetworkPolicy"}]
    _, records = read([write_lines(tmp_path / "k.jsonl", [log_entry(payload)])])
    assert records[0][0].policies == ("BaselineAdminNetworkPolicy:baseline", "shop/allow-web")
