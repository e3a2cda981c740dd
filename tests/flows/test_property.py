"""Records made from the engine's own verdicts agree; flipping one makes exactly its group disagree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from netpol_tui.flows import compare_flows
from netpol_tui.flows.compare import AGREES, DISAGREES
from netpol_tui.policy import Endpoint, PolicyEngine
from tests.flows.records import gke_payload, write_lines
from tests.flows.world import pod, policy, world

APPS = ("a", "b", "c")
NAMESPACES = ("n1", "n2")
PORTS = (80, 443, 5432)

peer = st.one_of(
    st.builds(lambda app: {"podSelector": {"matchLabels": {"app": app}}}, st.sampled_from(APPS)),
    st.builds(lambda ns, app: {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
                               "podSelector": {"matchLabels": {"app": app}}},
              st.sampled_from(NAMESPACES), st.sampled_from(APPS)),
    st.builds(lambda cidr: {"ipBlock": {"cidr": cidr}}, st.sampled_from(("10.0.0.0/8", "10.1.0.0/16", "0.0.0.0/0"))),
)
port_entry = st.one_of(
    st.builds(lambda port: {"port": port}, st.sampled_from(PORTS)),
    st.builds(lambda port: {"port": port, "endPort": port + 500}, st.sampled_from(PORTS)),
)
rule = st.fixed_dictionaries({}, optional={"peers": st.lists(peer, max_size=2), "ports": st.lists(port_entry,
                                                                                                   max_size=2)})
policy_spec = st.builds(
    lambda selector, types, ingress, egress: {
        "podSelector": {"matchLabels": {"app": selector}} if selector else {}, "policyTypes": types,
        **({"ingress": [_rule(r, "from") for r in ingress]} if "Ingress" in types else {}),
        **({"egress": [_rule(r, "to") for r in egress]} if "Egress" in types else {})},
    st.one_of(st.none(), st.sampled_from(APPS)),
    st.sampled_from((["Ingress"], ["Egress"], ["Ingress", "Egress"])),
    st.lists(rule, max_size=2), st.lists(rule, max_size=2))


def _rule(data: dict, key: str) -> dict:
    out = {}
    if "peers" in data:
        out[key] = data["peers"]
    if "ports" in data:
        out["ports"] = data["ports"]
    return out


cases = st.fixed_dictionaries({
    "pods": st.lists(st.tuples(st.sampled_from(NAMESPACES), st.sampled_from(APPS), st.booleans()),
                     min_size=2, max_size=6),
    "policies": st.lists(st.tuples(st.sampled_from(NAMESPACES), policy_spec), max_size=4),
    "model": st.sampled_from(("dataplane-v2", "calico", None)),
    "pairs": st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), st.sampled_from(PORTS)), min_size=1,
                      max_size=12),
    "flip": st.integers(0, 10**6),
})


def _snapshot(case):
    # `version` is named by no selector: pods differing only there share cached verdicts
    pods = [pod(f"p{i}", ns, {"app": app, "version": f"v{i % 2}"}, f"10.1.{i}.1", node="node-1",
                owner=f"w-{app}" if owned else None)
            for i, (ns, app, owned) in enumerate(case["pods"])]
    policies = [policy(f"pol-{i}", ns, spec) for i, (ns, spec) in enumerate(case["policies"])]
    return world(case["model"], policies=policies, pods=pods)


def _records(snapshot, engine, pairs):
    pods = snapshot.pods
    records = []
    for src_index, dst_index, port in pairs:
        src = pods[src_index % len(pods)]
        if dst_index >= len(pods):  # an address outside the cluster
            dst_ep, dst_ip, dst_ref = Endpoint.for_address("203.0.113.7"), "203.0.113.7", None
        else:
            target = pods[dst_index]
            dst_ep, dst_ip, dst_ref = Endpoint.for_pod(target), target.ip, (target.namespace, target.name)
        verdict = engine.evaluate(Endpoint.for_pod(src), dst_ep, port)
        for direction, side in (("egress", verdict.egress), ("ingress", verdict.ingress)):
            records.append(gke_payload(src.ip, dst_ip, port, side.verdict, direction, (src.namespace, src.name),
                                       dst_ref, timestamp="2026-12-01T10:00:00Z"))
    return records


@settings(max_examples=60)
@given(case=cases)
def test_engine_made_records_agree_and_a_flip_disagrees_alone(tmp_path_factory, case):
    snapshot = _snapshot(case)
    engine = PolicyEngine(snapshot)
    records = _records(snapshot, engine, case["pairs"])
    folder = tmp_path_factory.mktemp("flows")
    report = compare_flows(snapshot, engine, [str(write_lines(folder / "r.jsonl", records))])
    assert report.problem_count == 0
    assert {group.status for group in report.groups} == {AGREES}

    flipped_index = case["flip"] % len(records)
    flipped = records[flipped_index]
    flipped["disposition"] = "deny" if flipped["disposition"] == "allow" else "allow"
    report = compare_flows(snapshot, engine, [str(write_lines(folder / "f.jsonl", records))])
    disagreeing = [group for group in report.groups if group.status == DISAGREES]
    assert len(disagreeing) == 1
    (group,) = disagreeing
    keys = [conn.key for conn, _ in group.connections]
    assert all(key.disposition == flipped["disposition"] for key in keys)
    assert any(key.src.pod == flipped["src"]["pod_name"] and key.port == flipped["connection"]["dest_port"]
               and key.direction == flipped["connection"]["direction"] and key.dst.ip == flipped["connection"]["dest_ip"]
               for key in keys)
    assert all(other.status == AGREES for other in report.groups if other is not group)
