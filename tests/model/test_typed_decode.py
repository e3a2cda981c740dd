"""The typed decode (only the fields the model keeps) against the generic one, input by input.

Every case loads the same bytes twice through `load_files`: once as shipped (the typed decode
of netpol_tui.model.typed_decode first) and once with it switched off (orjson and the generic
walk only, as before). The pods, problem lines and unknown kinds must be identical, whether the
typed decode took the file or refused it; the cases also say which of the two happened, so a
schema that silently stops accepting clean kubectl output fails here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model import typed_decode
from netpol_tui.model.typed_decode import decode_list, guess_item_kind
from netpol_tui.sources import files
from netpol_tui.sources.file_cache import FileCache
from netpol_tui.sources.files import load_files
from netpol_tui.sources.locate import clear_cache, object_line

JUNK = {"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}, "env": [{"name": "A", "value": "1"}],
        "image": "registry.example/app:1.2.3", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}


def rich_pod(index: int = 0) -> dict[str, Any]:
    """A pod with every field the pod parser reads, plus fields it never reads."""
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": f"web-{index}", "namespace": "shop", "uid": f"uid-{index}", "resourceVersion": "12",
            "creationTimestamp": "2026-11-20T08:00:00Z", "generateName": "web-",
            "labels": {"app": "web", "pod-template-hash": "abc"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-20T08:00:00Z"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc",
                                 "controller": True, "blockOwnerDeletion": True, "uid": "o"}],
            "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {}}}],
        },
        "spec": {
            "containers": [
                {"name": "app", **JUNK,
                 "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                           {"containerPort": 9090, "protocol": "UDP", "hostPort": 1}],
                 "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "1"}}},
                {"name": "sidecar", "ports": [{"containerPort": 15001}]},
            ],
            "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}],
            "nodeName": "node-1", "hostNetwork": False, "terminationGracePeriodSeconds": 30,
            "volumes": [{"name": "data", "emptyDir": {}}], "tolerations": [{"key": "k", "operator": "Exists"}],
        },
        "status": {
            "phase": "Pending", "hostIP": "10.128.0.1", "podIP": "10.64.0.5",
            "podIPs": [{"ip": "10.64.0.5"}, {"ip": "fd00::5"}],
            "conditions": [{"type": "Ready", "status": "False"}],
            "initContainerStatuses": [{"name": "init", "state": {"waiting": {"reason": "PodInitializing"}}}],
            "containerStatuses": [{"name": "app", "image": "x", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                   "lastState": {"terminated": {"exitCode": 1}}},
                                  {"name": "sidecar", "state": {"running": {"startedAt": "x"}}}],
        },
    }


def pod_list(pods: list[dict[str, Any]], kind: str = "List") -> dict[str, Any]:
    return {"apiVersion": "v1", "items": pods, "kind": kind, "metadata": {"resourceVersion": ""}}


def outcome(path: Path, *, typed: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as patch:
        if not typed:
            patch.setattr(files, "TYPED_KINDS", frozenset())
        try:
            snapshot = load_files([str(path)])
        except Exception as exc:  # SourceError when nothing usable: compared by its text and problems
            return ("error", str(exc), tuple(str(p) for p in getattr(exc, "problems", ()) or ()))
    return (snapshot.pods, tuple(str(problem) for problem in snapshot.problems),
            tuple(str(part) for part in snapshot.unknown), snapshot.loaded_kinds)


def same_both_ways(tmp_path: Path, data: bytes, monkeypatch: pytest.MonkeyPatch, name: str = "pods.json") -> tuple:
    path = tmp_path / name
    path.write_bytes(data)
    typed = outcome(path, typed=True, monkeypatch=monkeypatch)
    generic = outcome(path, typed=False, monkeypatch=monkeypatch)
    assert typed == generic
    return typed


def set_path(document: Any, path: tuple, value: Any) -> Any:
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def test_clean_lists_take_the_typed_decode_and_parse_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pods = [rich_pod(index) for index in range(3)]
    for kind in ("List", "PodList"):
        data = orjson.dumps(pod_list(pods, kind))
        assert decode_list(data, "Pod") is not None, kind
        result = same_both_ways(tmp_path, data, monkeypatch)
        assert len(result[0]) == 3 and not result[1]
        first = result[0][0]
        assert first.pod_ips == ("10.64.0.5", "fd00::5") and first.owner_name == "web-abc"
        assert first.waiting_reasons == ("PodInitializing", "CrashLoopBackOff")
        assert first.cpu_request_millis == 1000 and len(first.ports) == 3


def test_the_typed_decode_drops_what_is_not_read() -> None:
    document = decode_list(orjson.dumps(pod_list([rich_pod()])), "Pod")
    assert document is not None
    item = document["items"][0]
    assert "managedFields" not in item["metadata"] and "volumes" not in item["spec"]
    assert set(item["spec"]["containers"][0]) == {"name", "ports", "resources"}
    assert item["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "250m", "memory": "64Mi"}}
    assert "conditions" not in item["status"]


BASE = pod_list([rich_pod(0), rich_pod(1)])
ITEM = ("items", 0)

#: (path, value, taken by the typed decode): wrong types, missing fields, nulls, odd numbers.
MUTATIONS = [
    ((*ITEM, "spec"), "not a mapping", False),
    ((*ITEM, "spec"), None, True),
    ((*ITEM, "spec"), DELETE, True),
    ((*ITEM, "metadata"), None, True),
    ((*ITEM, "metadata"), [], False),
    ((*ITEM, "metadata", "name"), DELETE, True),
    ((*ITEM, "metadata", "name"), 5, True),
    ((*ITEM, "metadata", "name"), {"a": 1}, False),
    ((*ITEM, "metadata", "namespace"), 7, True),
    ((*ITEM, "metadata", "labels"), {"n": 1, "b": True, "f": 1.5}, True),
    ((*ITEM, "metadata", "labels"), {"n": None}, True),
    ((*ITEM, "metadata", "labels"), {"n": {"deep": 1}}, False),
    ((*ITEM, "metadata", "labels"), ["a"], False),
    ((*ITEM, "metadata", "labels"), "app=web", False),
    ((*ITEM, "metadata", "annotations"), None, True),
    ((*ITEM, "metadata", "ownerReferences"), "x", False),
    ((*ITEM, "metadata", "ownerReferences"), [5], False),
    ((*ITEM, "metadata", "ownerReferences", 0, "kind"), 5, True),
    ((*ITEM, "metadata", "ownerReferences", 0, "controller"), "true", True),
    ((*ITEM, "metadata", "uid"), 12, True),
    ((*ITEM, "metadata", "creationTimestamp"), None, True),
    ((*ITEM, "spec", "containers"), {}, False),
    ((*ITEM, "spec", "containers"), None, True),
    ((*ITEM, "spec", "containers", 0), "app", False),
    ((*ITEM, "spec", "containers", 0, "ports"), "8080", False),
    ((*ITEM, "spec", "containers", 0, "ports"), [], True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), "8080", True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), "http", True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), 70000, True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), 0, True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), 8080.0, True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), True, True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), 10**30, False),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), 2**63, False),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), -(2**63), True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "containerPort"), None, True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "protocol"), "tcp", True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "protocol"), "ICMP", True),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "protocol"), ["TCP"], False),
    ((*ITEM, "spec", "containers", 0, "ports", 0, "name"), 80, True),
    ((*ITEM, "spec", "containers", 0, "name"), 3, True),
    ((*ITEM, "spec", "containers", 0, "resources"), [], False),
    ((*ITEM, "spec", "containers", 0, "resources"), "big", False),
    ((*ITEM, "spec", "containers", 0, "resources", "requests"), {"cpu": "lots"}, True),
    ((*ITEM, "spec", "containers", 0, "resources", "requests"), {"cpu": 2, "memory": 1e3}, True),
    ((*ITEM, "spec", "containers", 0, "resources", "requests"), {"cpu": -1}, True),
    ((*ITEM, "spec", "containers", 0, "resources", "requests"), [], False),
    ((*ITEM, "spec", "initContainers"), "x", False),
    ((*ITEM, "spec", "initContainers", 0, "resources", "requests", "memory"), "1Zi", True),
    ((*ITEM, "spec", "nodeName"), 12, True),
    ((*ITEM, "spec", "hostNetwork"), "true", True),
    ((*ITEM, "spec", "hostNetwork"), "yes", True),
    ((*ITEM, "spec", "terminationGracePeriodSeconds"), "30", True),
    ((*ITEM, "spec", "terminationGracePeriodSeconds"), 2**62, True),
    ((*ITEM, "spec", "terminationGracePeriodSeconds"), 1.5, True),
    ((*ITEM, "status"), "Running", False),
    ((*ITEM, "status", "phase"), 3, True),
    ((*ITEM, "status", "phase"), None, True),
    ((*ITEM, "status", "podIP"), "300.1.1.1", True),
    ((*ITEM, "status", "podIP"), 10, True),
    ((*ITEM, "status", "podIPs"), "10.0.0.1", False),
    ((*ITEM, "status", "podIPs"), [{"ip": "nope"}], True),
    ((*ITEM, "status", "podIPs"), [{"ip": None}, {"ip": "10.0.0.9"}], True),
    ((*ITEM, "status", "podIPs"), ["10.0.0.1"], False),
    ((*ITEM, "status", "hostIP"), "::1", True),
    ((*ITEM, "status", "hostIP"), "x", True),
    ((*ITEM, "status", "containerStatuses"), {}, False),
    ((*ITEM, "status", "containerStatuses", 0, "state"), "waiting", False),
    ((*ITEM, "status", "containerStatuses", 0, "state", "waiting"), {"reason": 5}, True),
    ((*ITEM, "status", "containerStatuses", 0, "state", "waiting"), {"reason": None}, True),
    ((*ITEM, "status", "containerStatuses", 0, "state", "waiting"), True, False),
    ((*ITEM, "kind"), "Service", False),
    ((*ITEM, "kind"), 5, False),
    ((*ITEM, "kind"), DELETE, False),
    ((*ITEM, "apiVersion"), "crd.example/v1", True),
    ((*ITEM, "apiVersion"), 1, True),
    (("items",), None, False),
    (("items",), [], True),
    (("items",), {"a": 1}, False),
    (("items", 0), "a pod", False),
    (("items", 0), None, False),
    (("kind",), "Pod", False),
    (("kind",), 5, False),
    (("metadata",), "x", False),
    (("metadata", "continue"), {"a": 1}, False),
]


@pytest.mark.parametrize(("path", "value", "taken"), MUTATIONS, ids=[f"{'.'.join(map(str, m[0]))}={m[1]!r}"[:60]
                                                                      for m in MUTATIONS])
def test_malformed_input_gives_the_same_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: tuple,
                                                value: Any, taken: bool) -> None:
    data = orjson.dumps(set_path(BASE, path, value)) if value != 10**30 and value != 2**63 else \
        json.dumps(set_path(BASE, path, value)).encode()
    assert (decode_list(data, "Pod") is not None) is taken
    same_both_ways(tmp_path, data, monkeypatch)


RAW_CASES = {
    "truncated": orjson.dumps(BASE)[:-40],
    "trailing comma": orjson.dumps(BASE).replace(b'"shop"', b'"shop",', 1),
    "two documents": orjson.dumps(BASE) + b"\n" + orjson.dumps(BASE),
    "bad utf-8 in an unread field": orjson.dumps(BASE).replace(b"registry.example", b"registry.\xffexample", 1),
    "bad utf-8 in a name": orjson.dumps(BASE).replace(b'"web-0"', b'"web-\xc3"', 1),
    "utf-8 in a label": orjson.dumps(BASE).replace(b'"web"', '"wéb✓"'.encode(), 1),
    "lone surrogate": orjson.dumps(BASE).replace(b'"web-0"', b'"web-\\ud800"', 1),
    "escaped name": orjson.dumps(BASE).replace(b'"web-0"', b'"web-\\u00e9\\n"', 1),
    "number beyond a double": orjson.dumps(BASE).replace(b'"hostPort":1', b'"hostPort":1e400', 1),
    "number beyond a double, read": orjson.dumps(BASE).replace(b'"containerPort":9090', b'"containerPort":1e400', 1),
    "nested deeply in an unread field": orjson.dumps(BASE).replace(b'"emptyDir":{}', b'"emptyDir":' + b"[" * 1100
                                                                  + b"]" * 1100, 1),
    "nested 1020 deep in an unread field": orjson.dumps(BASE).replace(b'"emptyDir":{}', b'"emptyDir":' + b"[" * 1015
                                                                     + b"]" * 1015, 1),
    "duplicate keys": orjson.dumps(BASE).replace(b'"nodeName":"node-1"', b'"nodeName":"a","nodeName":"b"', 1),
    "huge strings": orjson.dumps(set_path(set_path(BASE, (*ITEM, "metadata", "name"), "n" * 300_000),
                                          (*ITEM, "metadata", "annotations"), {"a": "x" * 2_000_000})),
    "control character": orjson.dumps(BASE).replace(b'"web-0"', b'"web\x01"', 1),
    "NaN": orjson.dumps(BASE).replace(b'"hostPort":1', b'"hostPort":NaN', 1),
    "whitespace and BOM": b"\xef\xbb\xbf \n" + json.dumps(BASE, indent=2).encode() + b"\n\n",
    "pretty printed": json.dumps(BASE, indent=4, sort_keys=True).encode(),
    "mixed kinds": orjson.dumps(pod_list([rich_pod(), {"apiVersion": "v1", "kind": "Service",
                                                       "metadata": {"name": "s", "namespace": "shop"}}])),
    "a single pod": orjson.dumps(rich_pod()),
    "empty list": orjson.dumps(pod_list([], "PodList")),
}


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_broken_bytes_give_the_same_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    same_both_ways(tmp_path, RAW_CASES[case], monkeypatch)


def test_refused_bytes_are_refused_by_the_typed_decode() -> None:
    for case in ("truncated", "two documents", "bad utf-8 in an unread field", "lone surrogate", "mixed kinds",
                 "nested deeply in an unread field", "a single pod", "NaN"):
        assert decode_list(RAW_CASES[case], "Pod") is None, case
    for case in ("utf-8 in a label", "escaped name", "pretty printed", "empty list", "huge strings"):
        assert decode_list(RAW_CASES[case], "Pod") is not None, case


def test_guess_item_kind() -> None:
    assert guess_item_kind(orjson.dumps(pod_list([rich_pod()]))) == "Pod"
    assert guess_item_kind(b'{"kind":"PodList","items":[]}') == "Pod"
    assert guess_item_kind(b'{"apiVersion": "v1", "items": [], "kind": "List"}') is None
    assert guess_item_kind(b'{"kind": "NodeList"}') == "Node"
    assert guess_item_kind(b"not json") is None
    # Only a guess: a wrong one is caught by decode_list's check of every item's kind.
    assert decode_list(orjson.dumps(pod_list([rich_pod()])), "Node") is None


def test_api_lists_without_item_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [{k: v for k, v in rich_pod(index).items() if k not in ("kind", "apiVersion")} for index in range(2)]
    data = orjson.dumps({"kind": "PodList", "apiVersion": "v1",
                         "metadata": {"resourceVersion": "9", "continue": "tok", "remainingItemCount": 5},
                         "items": items})
    document = decode_list(data, "Pod")
    assert document is not None and document["metadata"] == {"resourceVersion": "9", "continue": "tok",
                                                              "remainingItemCount": 5}
    same_both_ways(tmp_path, data, monkeypatch)
    # In a plain List an item without a kind is a problem line, reported by the generic walk.
    assert decode_list(orjson.dumps({"kind": "List", "items": items}), "Pod") is None


def test_the_file_cache_and_line_lookups_work_on_typed_lists(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    path.write_bytes(json.dumps(pod_list([rich_pod(index) for index in range(4)]), indent=2).encode())
    assert decode_list(path.read_bytes(), "Pod") is not None
    cache = FileCache()
    first = load_files([str(path)], cache=cache)
    again = load_files([str(path)], cache=cache)
    assert cache.read_count == 1 and cache.replayed_count == 1
    assert again.pods == first.pods
    clear_cache()
    lines = [object_line(pod.origin) for pod in first.pods]
    text = path.read_text().splitlines()
    starts = [number for number, line in enumerate(text, 1) if line == "    {"]
    assert lines == starts and len(starts) == 4


def test_every_schema_key_is_one_a_parser_reads() -> None:
    """The other half of the invariant: a key in the schema that no parser reads only costs time,
    but a typo (`podIps`) would silently drop a field; every pod key must appear in parse_core."""
    source = Path(typed_decode.__file__).with_name("parse_core.py").read_text() + \
        Path(typed_decode.__file__).with_name("parse_fields.py").read_text() + \
        Path(typed_decode.__file__).with_name("parse.py").read_text()
    keys: set[str] = set()

    def walk(schema: Any) -> None:
        for key, annotation in getattr(schema, "__annotations__", {}).items():
            keys.add(key)
            for part in getattr(annotation, "__args__", ()):
                walk(part)
                for inner in getattr(part, "__args__", ()):
                    walk(inner)

    walk(typed_decode._Pod)
    missing = {key for key in keys if f'"{key}"' not in source and key not in ("apiVersion", "kind", "items")}
    assert not missing
    assert {"containerPort", "podIPs", "ownerReferences", "initContainerStatuses"} <= keys


_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                     st.sampled_from(["TCP", "UDP", "10.0.0.1", "fd00::1", "100m", "1Gi", "true", "80"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                       max_leaves=6)


def _paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


_PATHS = [path for path in _paths(BASE["items"][0])]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(_PATHS), _values), min_size=1, max_size=3))
def test_random_values_anywhere_give_the_same_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      changes: list) -> None:
    document = copy.deepcopy(BASE)
    for path, value in changes:
        try:
            document = set_path(document, (*ITEM, *path), value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced a parent
    data = json.dumps(document).encode()
    same_both_ways(tmp_path, data, monkeypatch)
