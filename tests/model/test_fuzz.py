"""Hostile input: parsers raise ParseError and nothing else; the builder never raises at all.

Mutations start from real demo objects (so the parser gets deep into them) and replace one
value anywhere with arbitrary JSON, or delete it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model import SourceInfo
from netpol_tui.model.parse import K8S_PARSERS, ParseError, parse_cluster, parse_operation
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.demo import demo_path

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["", "TCP", "In", "10.0.0.0/8", "10.8.0.1", "http", "100m", "1Gi", "true", "Pod", "v1"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _items(name: str, demo: str = "calico") -> list[dict]:
    folder = demo_path(demo)
    path = folder / name
    if path.suffix == ".json":
        return json.loads(path.read_text())["items"] if name != "operations.json" else json.loads(path.read_text())
    import yaml

    return yaml.safe_load(path.read_text())["items"]


SAMPLES: list[tuple[str, dict]] = []
for _file, _limit in (("pods.json", 40), ("networkpolicies.yaml", 30), ("nodes.json", 3), ("services.yaml", 5),
                      ("ingresses.yaml", 1), ("workloads.yaml", 10), ("events.json", 3)):
    for _item in _items(_file)[:_limit]:
        SAMPLES.append((_item["kind"], _item))
SAMPLES.extend(("Cluster", json.loads((demo_path(d) / "cluster.json").read_text())) for d in ("calico", "dataplane-v2"))
SAMPLES.extend(("Operation", op) for op in _items("operations.json"))


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _parse(kind: str, obj: Any) -> Any:
    if kind == "Cluster":
        return parse_cluster(obj)
    if kind == "Operation":
        return parse_operation(obj)
    return K8S_PARSERS[kind][1](obj)


def _parses_or_explains(kind: str, obj: Any) -> None:
    """The parser returns an object, or raises ParseError with one short line; nothing else."""
    try:
        result = _parse(kind, obj)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) < 300
    else:
        assert result is not None


@FUZZ
@given(st.data())
def test_mutated_real_objects_only_raise_parse_error(data: st.DataObject) -> None:
    kind, original = data.draw(st.sampled_from(SAMPLES))
    obj = copy.deepcopy(original)
    paths = _paths(obj)[1:]
    path = data.draw(st.sampled_from(paths))
    parent = obj
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON)
    _parses_or_explains(kind, obj)


@FUZZ
@given(st.sampled_from(sorted(K8S_PARSERS) + ["Cluster", "Operation"]), st.dictionaries(
    st.sampled_from(["metadata", "spec", "status", "kind", "apiVersion", "name", "items", "involvedObject",
                     "regarding", "nodePools", "addonsConfig", "progress", "count", "series"]), JSON, max_size=5))
def test_arbitrary_documents_only_raise_parse_error(kind: str, obj: dict) -> None:
    _parses_or_explains(kind, obj)


@FUZZ
@given(JSON)
def test_builder_never_raises(document: Any) -> None:
    builder = SnapshotBuilder()
    builder.add_document(document, "fuzz.json")
    builder.add_document({"kind": "List", "items": [document, {"kind": "Pod", "metadata": document}]}, "fuzz.json")
    for kind in K8S_PARSERS:
        builder.add_document({"kind": kind, "apiVersion": document, "metadata": {"name": "x"}, "spec": document},
                             "fuzz.json")
    builder.add_document({"clusters": [document]}, "fuzz.json")
    builder.add_document({"operations": [document, {"name": "op", "progress": document}]}, "fuzz.json")
    snapshot = builder.build(SourceInfo("files", "fuzz"))
    assert all("\n" not in str(problem) for problem in snapshot.problems)
    assert len(snapshot.problems) + builder.object_count + sum(builder.skipped.values()) > 0


def test_samples_parse_cleanly() -> None:
    """The fuzz seeds themselves are valid, so mutations start from objects that get deep."""
    assert len(SAMPLES) > 90
    for kind, obj in SAMPLES:
        assert _parse(kind, obj) is not None
