"""The fast path for JSON lines (`flows/fastlines.py`: msgspec blocks folded by raw key) gives exactly
what the per-record path gives: the same connections in the same order (their counts, times, nodes
and first record), the same groups and JSON, the same problems, skips and counts."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import netpol_tui.flows as flows_package
from netpol_tui.flows import compare_flows, gke_log, reader
from netpol_tui.flows.fastlines import decode_block
from netpol_tui.flows.groups import aggregate
from netpol_tui.flows.reader import FlowReader
from netpol_tui.policy import PolicyEngine
from netpol_tui.sources.demo import demo_flow_paths, load_demo
from tests.flows.records import gke_payload, hubble_flow, log_entry
from tests.flows.world import ALLOW_WEB_TO_DB, DENY_ALL_INGRESS, db_service, policy, world


def _connections(path: Path, fast: bool) -> tuple[list, tuple]:
    gke_log._IP_CACHE.clear()  # each run starts cold: which way a record takes must not matter
    connections: dict = {}
    flow_reader = FlowReader(None, connections) if fast else FlowReader(None)
    aggregate(flow_reader.read([str(path)]), lambda: flow_reader.where, connections)
    rows = [(key, conn.count, conn.first, conn.last, sorted(conn.nodes), conn.where)
            for key, conn in connections.items()]
    state = (flow_reader.records, flow_reader.problem_count, [str(p) for p in flow_reader.problems],
             sorted(flow_reader.skipped.items()))
    return rows, state


def _report(snapshot, paths: list[str], fast: bool, monkeypatch) -> str:
    gke_log._IP_CACHE.clear()
    with monkeypatch.context() as patch:
        if not fast:  # the per-record way: a reader that folds nothing itself
            patch.setattr(flows_package, "FlowReader", lambda stdin=None, connections=None: FlowReader(stdin))
        report = compare_flows(snapshot, PolicyEngine(snapshot, "auto"), paths, source_words=["--demo"])
    return json.dumps(report.to_dict(), sort_keys=True)


def _as_lines(path: str, out: Path) -> Path:
    """A gcloud JSON array rewritten as JSON lines (the export shape the fast path reads)."""
    entries = json.loads(Path(path).read_text())
    out.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    return out


def test_fast_path_is_taken_for_export_lines(tmp_path) -> None:
    lines = [log_entry(gke_payload("10.8.0.1", "10.8.1.1", 5432, src=("shop", "web-5d4f8-a"), dst=("shop", "db-0")))
             for _ in range(3)]
    block = "".join(json.dumps(line) + "\n" for line in lines).encode()
    assert decode_block(block) is not None and len(decode_block(block) or []) == 3
    assert decode_block(block + b"\n") is None  # a blank line: numbered line by line instead
    assert decode_block(block.replace(b"web-5d4f8-a", "w\u00e9b".encode())) is None  # not ASCII


def test_demo_records_as_lines_give_the_same_report(tmp_path, monkeypatch) -> None:
    snapshot = load_demo("dataplane-v2")
    action, hubble = demo_flow_paths("dataplane-v2")
    lines = str(_as_lines(action, tmp_path / "policy-action.jsonl"))
    for paths in ([lines], [lines, hubble], [action, hubble]):
        fast = _report(snapshot, paths, True, monkeypatch)
        assert fast == _report(snapshot, paths, False, monkeypatch)
        assert json.loads(fast)["groups"]
    rows, state = _connections(Path(lines), True)
    assert (rows, state) == _connections(Path(lines), False) and state[0] > 10


# ---------------------------------------------------------------- random records, both ways

PODS = (("shop", "web-5d4f8-a", "10.8.0.1"), ("shop", "db-0", "10.8.1.1"), ("other", "client-0", "10.9.0.1"),
        ("shop", "gone-0", "10.8.7.7"))
ips = st.sampled_from(("10.8.0.1", "10.8.1.1", "10.9.0.1", "203.0.113.9", "10.96.0.10", "010.8.0.1", "2001:DB8::1",
                       "not-an-ip", ""))
peer = st.one_of(
    st.none(), st.just({}), st.builds(lambda ip: {"instance": ip}, ips),
    st.builds(lambda p, ns_key, kind, extra: {"pod_name": p[1], ns_key: p[0], "workload_kind": kind,
                                               "workload_name": p[1].rsplit("-", 1)[0], **extra},
              st.sampled_from(PODS), st.sampled_from(("pod_namespace", "namespace")),
              st.sampled_from(("ReplicaSet", "StatefulSet", "")),
              st.sampled_from(({}, {"pod_name": ""}, {"cluster": "c1"}, {"namespace": "shop"}))),
    st.just("not-a-peer"),
)
connection = st.fixed_dictionaries({
    "src_ip": ips, "dest_ip": ips, "src_port": st.integers(1024, 65535),
    "dest_port": st.sampled_from((5432, 80, 0, 70000, 5432.0, "5432", 443)),
    "protocol": st.sampled_from(("tcp", "TCP", "Tcp", "udp", "6", "icmp", "gre")),
    "direction": st.sampled_from(("ingress", "egress", "Ingress", "sideways")),
}, optional={"extra": st.just({"nested": [1, {"a": None}]})})
stamps = st.sampled_from(("2026-12-01T10:00:00.123456789Z", "2026-12-01T09:59:59Z", "2026-12-01T10:00:01.5Z",
                          "2026-12-01T11:00:00+01:00", "2026-12-01 10:00:02Z", "yesterday", ""))
payload = st.fixed_dictionaries({"connection": connection}, optional={
    "disposition": st.sampled_from(("allow", "deny", "denied", "maybe")),
    "src": peer, "dest": peer,
    "policies": st.one_of(st.none(), st.just([]), st.lists(st.fixed_dictionaries(
        {"name": st.sampled_from(("allow-web", "deny-all", ""))},
        optional={"namespace": st.sampled_from(("shop", "other")), "kind": st.sampled_from(("NetworkPolicy", "CCNP"))}),
        max_size=2), st.just("all")),
    "count": st.sampled_from((1, 2, 7, 0, 2.0, "3", None, True)),
    "timestamp": stamps,
    "node_name": st.sampled_from(("node-1", "node-2", "", None)),
})


@st.composite
def entry_line(draw) -> str:
    kind = draw(st.sampled_from(("entry", "entry", "entry", "entry", "bare", "hubble", "other-log", "broken", "blank",
                                 "response", "odd")))
    body = draw(payload)
    if kind == "bare":
        return json.dumps(body)
    if kind == "hubble":
        return json.dumps(hubble_flow("10.8.0.1", "10.8.1.1", 5432, src=("shop", "web-5d4f8-a"), dst=("shop", "db-0")))
    if kind == "broken":
        return '{"jsonPayload": {"connection": '
    if kind == "blank":
        return draw(st.sampled_from(("", "   ")))
    if kind == "odd":
        return draw(st.sampled_from(("[1, 2]", "42", '{"jsonPayload": null}', '{"insertId": "only"}')))
    entry = log_entry(body)
    entry["timestamp"] = draw(stamps)
    if kind == "other-log":
        entry["logName"] = "projects/p1/logs/cloudaudit.googleapis.com%2Factivity"
    if kind == "response":
        return json.dumps({"entries": [entry, entry]})
    if draw(st.booleans()):
        entry["resource"]["labels"]["node_name"] = draw(st.sampled_from(("node-2", None)))
    return json.dumps(entry)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(entry_line(), min_size=1, max_size=40), block=st.sampled_from((64, 300, 4096, 1 << 20)),
       truncate=st.integers(0, 30), repeat=st.integers(1, 3))
def test_random_lines_fold_the_same_both_ways(tmp_path, monkeypatch, lines, block, truncate, repeat) -> None:
    # small blocks put block boundaries inside lines; repeats fold records into known connections
    monkeypatch.setattr(reader, "BLOCK", block)
    text = "".join(line + "\n" for line in lines * repeat)
    if truncate:
        text = text[:-truncate]
    path = tmp_path / "records.jsonl"
    path.write_text(text)
    assert _connections(path, True) == _connections(path, False)


def _snapshot():
    return world(policies=[policy("deny", "shop", DENY_ALL_INGRESS), policy("web-db", "shop", ALLOW_WEB_TO_DB)],
                 services=[db_service()])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(entry_line(), min_size=1, max_size=40), block=st.sampled_from((64, 1 << 20)))
def test_random_records_give_the_same_report(tmp_path, monkeypatch, lines, block) -> None:
    monkeypatch.setattr(reader, "BLOCK", block)
    path = tmp_path / "records.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    snapshot = _snapshot()
    assert _report(snapshot, [str(path)], True, monkeypatch) == _report(snapshot, [str(path)], False, monkeypatch)


@pytest.mark.parametrize("seed", range(6))
def test_well_formed_records_give_the_same_groups(tmp_path, monkeypatch, seed) -> None:
    """Mostly valid records (the benchmark's kind), many per connection, across block boundaries."""
    monkeypatch.setattr(reader, "BLOCK", 2048)
    rng = random.Random(seed)
    lines = []
    for _ in range(300):
        src, dst = rng.choice(PODS), rng.choice(PODS + (("", "", "203.0.113.9"),))
        lines.append(json.dumps(log_entry(gke_payload(
            src[2], dst[2], rng.choice((5432, 80)), rng.choice(("allow", "deny")), rng.choice(("ingress", "egress")),
            src=src[:2], dst=dst[:2] if dst[0] else None, count=rng.randint(1, 3),
            protocol=rng.choice(("tcp", "tcp", "TCP")), node=rng.choice(("node-1", "node-2")),
            timestamp=f"2026-12-01T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000)}Z"))))
    path = tmp_path / "records.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    snapshot = _snapshot()
    fast = _report(snapshot, [str(path)], True, monkeypatch)
    assert fast == _report(snapshot, [str(path)], False, monkeypatch)
    data = json.loads(fast)
    assert sum(group["count"] for group in data["groups"]) >= 300 and data["problems"] == []


def test_a_service_clusterip_as_source_is_unknown_not_a_crash(run_flows) -> None:
    """Found by the random records above: a source address that is a Service ClusterIP crashed."""
    snapshot = world(policies=[policy("deny", "shop", DENY_ALL_INGRESS)], services=[db_service()])
    report = run_flows(snapshot, [log_entry(gke_payload("10.96.0.10", "10.8.1.1", 5432, dst=("shop", "db-0")))])
    (group,) = report.groups
    assert group.status == "unknown"
    assert any("source cannot be evaluated" in reason and "ClusterIP of Service shop/db" in reason
               for reason in group.evaluation.reasons)
