"""One bad object costs only itself (issue 10 item 4).

A wrong type anywhere in one object becomes one problem line naming the object (kind,
namespace/name or item index, field); the rest of its kind still loads. A kind whose every
object failed is *not read* (in `Snapshot.unknown`, not in `loaded_kinds`), so the checks that
need it say unknown instead of passing on "no objects".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from netpol_tui.checks.registry import run_checks
from netpol_tui.model import SourceInfo
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.builder import SnapshotBuilder, build_from_documents
from netpol_tui.sources.demo import demo_path
from netpol_tui.sources.files import load_files

DEMO = demo_path("calico")


def _items(name: str) -> list[dict]:
    text = (DEMO / name).read_text()
    document = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    return document["items"] if isinstance(document, dict) else document


#: (Kubernetes kind, demo file, a field path inside one object, a wrong-typed value, the field named).
BAD_FIELDS = [
    ("NetworkPolicy", "networkpolicies.yaml", ("metadata", "namespace"), ["a"], "metadata.namespace"),
    ("NetworkPolicy", "networkpolicies.yaml", ("spec", "podSelector"), ["app"], "spec.podSelector"),
    ("Pod", "pods.json", ("metadata", "name"), 5, "metadata.name"),
    ("Pod", "pods.json", ("spec", "containers"), {"name": "x"}, "spec.containers"),
    ("Pod", "pods.json", ("status", "podIPs"), "10.8.0.1", "status.podIPs"),
    ("Pod", "pods.json", ("spec", "hostNetwork"), "yes", "spec.hostNetwork"),
    ("Node", "nodes.json", ("status",), ["x"], "status"),
    ("Node", "nodes.json", ("spec", "unschedulable"), {"yes": 1}, "spec.unschedulable"),
    ("Namespace", "namespaces.yaml", ("metadata", "labels"), ["team"], "metadata.labels"),
    ("Service", "services.yaml", ("spec", "ports"), [{"port": True}], "spec.ports[0].port"),
    ("Service", "services.yaml", ("spec", "ports"), [{"port": 2**70}], "spec.ports[0].port"),
    ("Ingress", "ingresses.yaml", ("spec", "rules"), {"host": "x"}, "spec.rules"),
    ("Deployment", "workloads.yaml", ("spec", "replicas"), 2**80, "spec.replicas"),
    ("Event", "events.json", ("involvedObject",), "pod/x", "involvedObject"),
    ("Event", "events.json", ("count",), None, None),  # null is "not written": still loads
]


def _set(obj: dict, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        obj = obj.setdefault(step, {})
    obj[path[-1]] = value


def _of_kind(kind: str, items: list[dict], least: int = 3) -> list[dict]:
    """The demo's objects of one kind, topped up with renamed copies to at least `least`."""
    found = [item for item in items if item.get("kind") == kind]
    while len(found) < least:
        extra = copy.deepcopy(found[0])
        extra["metadata"]["name"] += f"-copy{len(found)}"
        found.append(extra)
    return found


@pytest.mark.parametrize(("kind", "file", "path", "value", "field"), BAD_FIELDS,
                         ids=[f"{k}-{'.'.join(p)}-{type(v).__name__}" for k, _, p, v, _ in BAD_FIELDS])
def test_one_bad_object_costs_only_itself(kind: str, file: str, path: tuple, value: Any, field: str | None,
                                          tmp_path: Path) -> None:
    items = _of_kind(kind, _items(file))[:3]
    bad = copy.deepcopy(items[1])
    _set(bad, path, value)
    (tmp_path / "list.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items":
                                                    [items[0], bad, *items[2:]]}))
    snapshot = load_files([str(tmp_path)])
    snapshot_kind = Kind.WORKLOAD if kind == "Deployment" else Kind(kind)
    loaded = {(getattr(o, "namespace", ""), o.name) for o in _objects(snapshot, snapshot_kind)}
    others = {(item["metadata"].get("namespace", "default") if snapshot_kind not in (Kind.NODE, Kind.NAMESPACE)
               else "", item["metadata"]["name"]) for index, item in enumerate(items) if index != 1}
    assert others <= loaded
    assert snapshot.has(snapshot_kind) and snapshot.unknown == ()
    if field is None:
        assert snapshot.problems == () and len(loaded) == len(items)
        return
    assert len(loaded) == len(items) - 1
    [problem] = snapshot.problems
    text = str(problem)
    assert "item 1" in text and kind in text and field in text
    name = items[1]["metadata"]["name"]
    assert name in text or path == ("metadata", "name")
    [rejected] = snapshot.rejected
    assert rejected.kind is snapshot_kind and field in rejected.reason


def _objects(snapshot: Any, kind: Kind) -> tuple:
    return {Kind.NAMESPACE: snapshot.namespaces, Kind.POD: snapshot.pods, Kind.NODE: snapshot.nodes,
            Kind.NETWORK_POLICY: snapshot.policies, Kind.SERVICE: snapshot.services,
            Kind.INGRESS: snapshot.ingresses, Kind.WORKLOAD: snapshot.workloads,
            Kind.EVENT: snapshot.events}[kind]


def test_policy_with_a_list_namespace_leaves_the_other_policies(tmp_path: Path) -> None:
    """The issue's example: `namespace: ["a"]` once made every policy unread."""
    policies = _of_kind("NetworkPolicy", _items("networkpolicies.yaml"))
    policies[0]["metadata"]["namespace"] = ["a"]
    (tmp_path / "networkpolicies.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List",
                                                                     "items": policies}))
    snapshot = load_files([str(tmp_path)])
    assert len(snapshot.policies) == len(policies) - 1 and snapshot.has(Kind.NETWORK_POLICY)
    assert [str(p) for p in snapshot.problems] == [
        f"{tmp_path}/networkpolicies.yaml (item 0): NetworkPolicy {policies[0]['metadata']['name']}: "
        "metadata.namespace must be a string, got a list"]


@pytest.mark.parametrize("list_kind", ["List", "NodeList"])
def test_every_node_broken_means_nodes_not_read(list_kind: str) -> None:
    """One malformed node, and no other: nodes are not read (not "0 nodes"), GKE003/GKE006 unknown."""
    from tests.checks import helpers

    node = helpers.node("n1")
    node["status"] = ["broken"]
    items = [node] if list_kind == "List" else [{k: v for k, v in node.items() if k != "kind"}]
    snapshot = build_from_documents([
        # Without initialNodeCount, GKE006 cannot count the nodes from the pools either.
        (helpers.cluster(nodePools=[{"name": "default-pool"}]), "cluster.json", None),
        ({"apiVersion": "v1", "kind": list_kind, "items": items}, "nodes.json", None),
        (helpers.lst("NetworkPolicy", [helpers.policy("deny")]), "policies.json", None),
    ], SourceInfo("files", "test"))
    assert snapshot.nodes == () and not snapshot.has(Kind.NODE)
    reason = snapshot.unknown_reason(Kind.NODE)
    assert reason is not None and "n1" in reason and "status must be a mapping" in reason
    report = run_checks(snapshot, select="GKE003,GKE006")
    assert not report.findings
    assert {item.id for item in report.unknown} == {"GKE003", "GKE006"}
    reasons = {item.id: item.reason for item in report.unknown}
    assert "Node could not be read" in reasons["GKE003"] and "node count is unknown" in reasons["GKE006"]


def test_a_list_item_that_is_not_an_object_counts_against_its_kind() -> None:
    builder = SnapshotBuilder()
    builder.add_document({"apiVersion": "v1", "kind": "PodList", "items": ["not a pod", 7]}, "pods.json")
    snapshot = builder.build(SourceInfo("files", "test"))
    assert not snapshot.has(Kind.POD) and "all 2 objects" in (snapshot.unknown_reason(Kind.POD) or "")
    assert [p.location for p in snapshot.problems] == ["item 0", "item 1"]


def test_an_empty_list_is_still_read_as_none() -> None:
    snapshot = build_from_documents([({"apiVersion": "v1", "kind": "NodeList", "items": []}, "n.json", None)],
                                    SourceInfo("files", "test"))
    assert snapshot.has(Kind.NODE) and snapshot.unknown == ()


def test_broken_objects_in_one_file_and_good_ones_in_another_load(tmp_path: Path) -> None:
    nodes = _items("nodes.json")
    broken = copy.deepcopy(nodes[0])
    broken["metadata"]["labels"] = "pool=x"
    (tmp_path / "a.json").write_text(json.dumps({"kind": "NodeList", "apiVersion": "v1", "items": [broken]}))
    (tmp_path / "b.json").write_text(json.dumps({"kind": "NodeList", "apiVersion": "v1", "items": nodes[1:]}))
    snapshot = load_files([str(tmp_path)])
    assert snapshot.has(Kind.NODE) and len(snapshot.nodes) == len(nodes) - 1 and snapshot.unknown == ()


@pytest.mark.parametrize("wrapped", [True, False])
def test_broken_cluster_document_is_not_read(wrapped: bool) -> None:
    from tests.checks import helpers

    doc = helpers.cluster()
    doc["nodePools"] = [{"name": "p", "config": {"machineType": ["e2"]}}]
    snapshot = build_from_documents([({"clusters": [doc]} if wrapped else doc, "cluster.json", None)],
                                    SourceInfo("files", "test"))
    assert snapshot.cluster is None and not snapshot.has(Kind.CLUSTER)
    assert "machineType" in (snapshot.unknown_reason(Kind.CLUSTER) or "")


def test_broken_operations_are_not_read() -> None:
    snapshot = build_from_documents([({"operations": [{"name": ["op"]}]}, "ops.json", None)],
                                    SourceInfo("files", "test"))
    assert not snapshot.has(Kind.OPERATION) and snapshot.unknown_reason(Kind.OPERATION)


def test_a_kind_unknown_from_the_manifest_keeps_its_first_reason() -> None:
    """A failed-only kind next to a manifest naming the kind as unreadable: one unknown, not two."""
    builder = SnapshotBuilder()
    builder.mark_unknown(Kind.POD, "pods: forbidden")
    builder.add_document({"kind": "PodList", "apiVersion": "v1", "items": [{"metadata": []}]}, "pods.json")
    snapshot = builder.build(SourceInfo("files", "test"))
    assert [(part.kind, part.reason) for part in snapshot.unknown] == [(Kind.POD, "pods: forbidden")]


# ------------------------------------------------------------------- huge numbers


def test_huge_integer_in_yaml_rejects_only_its_object(tmp_path: Path) -> None:
    digits = "9" * 5000
    (tmp_path / "services.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        f"- {{kind: Service, apiVersion: v1, metadata: {{name: big, namespace: a}}, spec: {{ports: [{{port: {digits}}}]}}}}\n"
        "- {kind: Service, apiVersion: v1, metadata: {name: ok, namespace: a}, spec: {ports: [{port: 80}]}}\n")
    snapshot = load_files([str(tmp_path)])
    assert [s.name for s in snapshot.services] == ["ok"]
    [problem] = snapshot.problems
    assert "Service a/big" in str(problem) and "spec.ports[0].port" in str(problem) and len(str(problem)) < 300


@pytest.mark.parametrize("number", ["9" * 5000, "1e400", "-" + "9" * 400])
def test_huge_number_in_json_rejects_only_its_object(number: str, tmp_path: Path) -> None:
    (tmp_path / "services.json").write_text(
        '{"apiVersion": "v1", "kind": "ServiceList", "items": ['
        f'{{"metadata": {{"name": "big", "namespace": "a"}}, "spec": {{"ports": [{{"port": {number}}}]}}}},'
        '{"metadata": {"name": "ok", "namespace": "a"}, "spec": {"ports": [{"port": 80}]}}]}')
    snapshot = load_files([str(tmp_path)])
    assert [s.name for s in snapshot.services] == ["ok"] and snapshot.has(Kind.SERVICE)
    [problem] = snapshot.problems
    assert "Service a/big" in str(problem) and "spec.ports[0].port" in str(problem)


def test_out_of_int64_range_is_a_problem_not_a_value() -> None:
    from netpol_tui.model.parse import ParseError, parse_pod

    with pytest.raises(ParseError, match="terminationGracePeriodSeconds is out of range"):
        parse_pod({"metadata": {"name": "p"}, "spec": {"terminationGracePeriodSeconds": 2**64}})


# ------------------------------------------------------------------ property


def _document_objects() -> list[dict]:
    """A valid snapshot as one kubectl List: a few objects of every kind, from the calico demo."""
    out: list[dict] = []
    for file, kinds in (("namespaces.yaml", ("Namespace",)), ("nodes.json", ("Node",)), ("pods.json", ("Pod",)),
                        ("networkpolicies.yaml", ("NetworkPolicy",)), ("services.yaml", ("Service",)),
                        ("ingresses.yaml", ("Ingress",)), ("events.json", ("Event",)),
                        ("workloads.yaml", ("Deployment", "StatefulSet", "DaemonSet"))):
        for kind in kinds:
            out.extend(_of_kind(kind, _items(file), 2)[:3])
    return out


OBJECTS = _document_objects()
CLUSTER = json.loads((DEMO / "cluster.json").read_text())
OPERATIONS = json.loads((DEMO / "operations.json").read_text())
OPERATIONS = OPERATIONS["operations"] if isinstance(OPERATIONS, dict) else OPERATIONS


def _documents(objects: list[dict], cluster: dict, operations: list[dict]) -> list[tuple[Any, str, None]]:
    return [({"apiVersion": "v1", "kind": "List", "items": objects}, "snapshot.json", None),
            (cluster, "cluster.json", None), ({"operations": operations}, "operations.json", None)]


def _leaves(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path inside an object (mappings and lists walked), the object itself excluded."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_leaves(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_leaves(item, (*prefix, index)))
    return out


def _wrong_type(original: Any) -> Any:
    from hypothesis import strategies as st

    kinds = {
        "null": st.none(), "bool": st.booleans(),
        "int": st.sampled_from([0, -1, 65536, 2**63, -(2**64), 10**30]) | st.integers(),
        "float": st.floats(allow_nan=True, allow_infinity=True),
        "str": st.sampled_from(["", "x", "TCP", "10.0.0.0/8", "In"]) | st.text(max_size=8),
        "list": st.lists(st.none() | st.integers() | st.text(max_size=4) | st.dictionaries(
            st.text(max_size=4), st.integers(), max_size=2), max_size=3),
        "dict": st.dictionaries(st.text(max_size=6), st.none() | st.integers() | st.text(max_size=4)
                                | st.lists(st.integers(), max_size=2), max_size=3),
    }
    own = {type(None): "null", bool: "bool", int: "int", float: "float", str: "str", list: "list",
           dict: "dict"}.get(type(original))
    return st.one_of(*(strategy for name, strategy in kinds.items() if name != own))


def _same(snapshot: Any, other: Any) -> list[tuple[str, Any]]:
    """(field, object) pairs of the baseline that are missing from `other`."""
    missing = []
    for field in ("namespaces", "nodes", "pods", "policies", "services", "ingresses", "events", "workloads",
                  "operations"):
        have = getattr(other, field)
        missing.extend((field, obj) for obj in getattr(snapshot, field) if obj not in have)
    return missing


def test_a_wrong_type_in_one_object_loses_only_that_object() -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    info = SourceInfo("files", "property")
    baseline = build_from_documents(_documents(OBJECTS, CLUSTER, OPERATIONS), info)
    assert baseline.problems == () and baseline.unknown == ()
    targets = [("item", index) for index in range(len(OBJECTS))] + [("cluster", 0)] + \
        [("operation", index) for index in range(len(OPERATIONS))]

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def run(data: st.DataObject) -> None:
        where, index = data.draw(st.sampled_from(targets))
        objects, cluster, operations = copy.deepcopy(OBJECTS), copy.deepcopy(CLUSTER), copy.deepcopy(OPERATIONS)
        target = {"item": objects, "operation": operations}.get(where, [cluster])[index]
        path = data.draw(st.sampled_from(_leaves(target)))
        parent = target
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(_wrong_type(parent[path[-1]]))
        snapshot = build_from_documents(_documents(objects, cluster, operations), info)
        missing = _same(baseline, snapshot)
        # Only the mutated object may be missing or changed: nothing else of its kind, nor of any other.
        assert len(missing) <= 1, missing
        lost_cluster = where == "cluster" and snapshot.cluster is None
        assert snapshot.cluster == baseline.cluster or where == "cluster"
        for kind in baseline.loaded_kinds:
            assert snapshot.has(kind) or (kind is Kind.CLUSTER and lost_cluster), kind
        lost = sum(baseline.counts().values()) - sum(snapshot.counts().values())
        assert lost == (1 if missing or lost_cluster else 0) or (lost == 0 and len(missing) == 1)
        if lost:
            assert len(snapshot.problems) == 1, snapshot.problems
            text = str(snapshot.problems[0])
            label = {"item": f"item {index}", "operation": f"operation {index}", "cluster": "GKE cluster"}[where]
            assert label in text
            if where == "item" and path != ("kind",):
                assert target["kind"] in text
            keys = [str(step) for step in path if isinstance(step, str)]
            assert any(key in text for key in keys[-2:]) or not keys or "unusable" in text, (path, text)
            assert "\n" not in text and len(text) < 800

    run()


def test_yaml_list_or_mapping_as_a_key_rejects_only_its_object(tmp_path: Path) -> None:
    """YAML allows `? [a, b]` keys (PyYAML refused the whole document); only that object is lost."""
    (tmp_path / "namespaces.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- kind: Namespace\n  apiVersion: v1\n  metadata:\n    name: odd\n    labels:\n      ? [team, x]\n      : a\n"
        "- kind: Namespace\n  apiVersion: v1\n  metadata:\n    name: fine\n    ? {ignored: key}\n    : 1\n"
        "- {kind: Namespace, apiVersion: v1, metadata: {name: ok}}\n")
    snapshot = load_files([str(tmp_path)])
    assert [n.name for n in snapshot.namespaces] == ["fine", "ok"]
    [problem] = snapshot.problems
    assert "item 0" in str(problem) and "Namespace odd" in str(problem) and "metadata.labels key" in str(problem)
    assert "a list used as a key" in str(problem)
