"""The Struct decode and fast pod parser (netpol_tui.model.pod_structs) against parse_pod, pod for pod.

Three roads load the same bytes: the Structs and `fast_pod` (as shipped), the trimmed-dict decode
with `parse_pod` for every pod (`files.FAST_PODS` off) and the generic orjson decode (typed decode
off). Pods (field by field, origins included), problem lines and unknown kinds must be the same on
all three, for every field mutation, broken-byte case and fuzzed document of test_typed_decode; and
each pod `fast_pod` accepts must equal what `parse_pod` makes of the same pod, while the pods it
does not accept must be exactly those parse_pod rejects or that need its general helpers.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpol_tui.model.construct import positional_constructor
from netpol_tui.model.objects import ContainerPort, Namespace, Origin, Pod
from netpol_tui.model.parse import ParseError, parse_pod
from netpol_tui.model.pod_structs import as_mapping, decode_pod_structs, fast_pod
from netpol_tui.model.snapshot import SourceInfo
from netpol_tui.model.typed_decode import decode_list
from netpol_tui.sources import files
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.files import load_files
from tests.model.test_typed_decode import (
    BASE,
    DELETE,
    ITEM,
    MUTATIONS,
    RAW_CASES,
    _paths,
    _values,
    pod_list,
    rich_pod,
    set_path,
)


def outcome(path: Path, road: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as patch:
        if road == "dicts":
            patch.setattr(files, "FAST_PODS", False)
        elif road == "generic":
            patch.setattr(files, "TYPED_KINDS", frozenset())
        try:
            snapshot = load_files([str(path)])
        except Exception as exc:
            return ("error", str(exc), tuple(str(p) for p in getattr(exc, "problems", ()) or ()))
    return (snapshot.pods, tuple(str(problem) for problem in snapshot.problems),
            tuple(str(part) for part in snapshot.unknown), snapshot.loaded_kinds,
            tuple(str(item) for item in snapshot.rejected))


def same_three_ways(tmp_path: Path, data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple:
    path = tmp_path / "pods.json"
    path.write_bytes(data)
    fast = outcome(path, "fast", monkeypatch)
    assert fast == outcome(path, "dicts", monkeypatch)
    assert fast == outcome(path, "generic", monkeypatch)
    if fast[0] != "error":
        # Equal Pods compare equal field by field, origins (file, line, item index) included.
        assert all(pod.origin is not None for pod in fast[0])
    return fast


def pods_one_by_one(data: bytes) -> list[tuple[Any, Any]]:
    """(fast_pod, parse_pod outcome) for each pod of a List the Struct decode takes."""
    decoded = decode_pod_structs(data)
    assert decoded is not None
    pairs = []
    for index, item in enumerate(decoded[1]):
        origin = Origin("p", 1, None, index)
        try:
            slow: Any = parse_pod(as_mapping(item), origin)
        except Exception as exc:
            slow = exc
        pairs.append((fast_pod(item, origin), slow))
    return pairs


def check_pod_for_pod(data: bytes) -> list[tuple[Any, Any]]:
    pairs = pods_one_by_one(data)
    for fast, slow in pairs:
        if fast is not None:
            assert isinstance(slow, Pod) and fast == slow
            assert [getattr(fast, name) for name in Pod.__slots__] == [getattr(slow, name) for name in Pod.__slots__]
    return pairs


# ------------------------------------------------------------------ the constructor


def test_positional_constructor_builds_the_same_objects() -> None:
    make = positional_constructor(Pod)
    values = {field.name: f"v-{field.name}" for field in dataclasses.fields(Pod)}
    built, reference = make(*values.values()), Pod(**values)
    assert built == reference and type(built) is Pod
    assert all(getattr(built, name) == value for name, value in values.items())
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "changed"  # type: ignore[misc]
    port = positional_constructor(ContainerPort)(80, "TCP", None, "app")
    assert port == ContainerPort(80, "TCP", None, "app") and hash(port) == hash(ContainerPort(80, "TCP", None, "app"))
    with pytest.raises(TypeError):
        make("only", "two")


def test_positional_constructor_refuses_classes_it_cannot_build_the_same() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(slots=True)
    class Mutable:
        a: int

    for cls in (NoSlots, PostInit, Mutable, dict):
        with pytest.raises(TypeError):
            positional_constructor(cls)
    assert positional_constructor(Namespace)("a", {}, "Active", None, None) == Namespace("a")


# ------------------------------------------------------------------ the Struct decode


def test_as_mapping_is_what_the_trimmed_dict_decode_gives() -> None:
    data = orjson.dumps(BASE)
    decoded, trimmed = decode_pod_structs(data), decode_list(data, "Pod")
    assert decoded is not None and trimmed is not None
    assert decoded[0] == "List"
    assert [as_mapping(item) for item in decoded[1]] == trimmed["items"]


def test_clean_pods_take_the_fast_road_and_equal_parse_pod() -> None:
    pods = [rich_pod(index) for index in range(3)]
    # Single-stack, no status lists, hostNetwork, an init container only: all usual shapes.
    plain = copy.deepcopy(rich_pod(9))
    plain["status"]["podIPs"] = [{"ip": "10.64.0.9"}]
    del plain["status"]["containerStatuses"], plain["spec"]["initContainers"]
    plain["spec"]["hostNetwork"] = True
    pairs = check_pod_for_pod(orjson.dumps(pod_list([*pods, plain], "PodList")))
    assert all(fast is not None for fast, _ in pairs)
    assert pairs[0][0].pod_ips == ("10.64.0.5", "fd00::5") and pairs[3][0].pod_ips == ("10.64.0.9",)


@pytest.mark.parametrize(("path", "value", "taken"), MUTATIONS, ids=[f"{'.'.join(map(str, m[0]))}={m[1]!r}"[:60]
                                                                      for m in MUTATIONS])
def test_mutations_same_three_ways_and_pod_for_pod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: tuple,
                                                   value: Any, taken: bool) -> None:
    document = set_path(BASE, path, value)
    data = orjson.dumps(document) if value != 10**30 and value != 2**63 else json.dumps(document).encode()
    # The Struct decode takes exactly what the trimmed-dict decode takes.
    assert (decode_pod_structs(data) is not None) is taken is (decode_list(data, "Pod") is not None)
    same_three_ways(tmp_path, data, monkeypatch)
    if taken and document.get("items"):
        pairs = check_pod_for_pod(data)
        # The untouched second pod always takes the fast road; a pod parse_pod rejects never does.
        assert pairs[1][0] is not None
        for fast, slow in pairs:
            if isinstance(slow, Exception):
                assert fast is None


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_broken_bytes_same_three_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    data = RAW_CASES[case]
    assert (decode_pod_structs(data) is None) is (decode_list(data, "Pod") is None)
    same_three_ways(tmp_path, data, monkeypatch)


def test_fallback_messages_are_parse_pods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = set_path(BASE, (*ITEM, "status", "hostIP"), "10.0.0.300")
    result = same_three_ways(tmp_path, orjson.dumps(bad), monkeypatch)
    assert len(result[0]) == 1 and len(result[1]) == 1
    assert result[1][0].endswith("pods.json (item 0): Pod shop/web-0: status.hostIP is not an IP address: "
                                 "'10.0.0.300'")
    with pytest.raises(ParseError):
        parse_pod(bad["items"][0])


def test_duplicates_and_api_versions_as_the_walk_reports_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calico = set_path(rich_pod(1), ("apiVersion",), "crd.projectcalico.org/v1")
    document = pod_list([rich_pod(0), rich_pod(0), calico, set_path(rich_pod(2), ("apiVersion",), DELETE)])
    result = same_three_ways(tmp_path, orjson.dumps(document), monkeypatch)
    assert [pod.name for pod in result[0]] == ["web-0", "web-2"]
    assert any("duplicate Pod shop/web-0" in line for line in result[1])


def test_a_recording_reader_replays_the_fast_road(tmp_path: Path) -> None:
    from netpol_tui.sources.file_cache import FileCache

    path = tmp_path / "pods.json"
    path.write_bytes(orjson.dumps(pod_list([rich_pod(index) for index in range(3)], "PodList")))
    cache = FileCache()
    first = load_files([str(path)], cache=cache)
    again = load_files([str(path)], cache=cache)
    assert cache.replayed_count == 1 and again.pods == first.pods and len(first.pods) == 3


def test_add_pod_structs_keeps_a_nested_origin() -> None:
    decoded = decode_pod_structs(orjson.dumps(pod_list([rich_pod(0)])))
    assert decoded is not None
    builder = SnapshotBuilder()
    outer = Origin("f", 3, 2, 7)
    builder.add_pod_structs(decoded[0], decoded[1], "f", "document 2", outer)
    snapshot = builder.build(SourceInfo(kind="files", description="t"))
    assert snapshot.pods[0].origin == outer


def test_the_struct_schema_matches_the_trimmed_dict_schema() -> None:
    """Every key the TypedDict schema keeps, the Structs keep (and no other): a key missing here
    would make fast_pod read a field as absent."""
    from netpol_tui.model import pod_structs, typed_decode

    def keys(schema: Any, struct: bool) -> set[str]:
        found: set[str] = set()
        names = [f.encode_name for f in msgspec.structs.fields(schema)] if struct else \
            list(getattr(schema, "__annotations__", {}))
        hints = {f.encode_name: f.type for f in msgspec.structs.fields(schema)} if struct else \
            schema.__annotations__
        for name in names:
            found.add(name)
            stack = [hints[name]]
            while stack:
                part = stack.pop()
                inner = getattr(part, "__args__", ())
                stack.extend(inner)
                if struct and isinstance(part, type) and issubclass(part, msgspec.Struct):
                    found |= {f"{name}.{key}" for key in keys(part, True)}
                elif not struct and hasattr(part, "__annotations__") and hasattr(part, "__total__"):
                    found |= {f"{name}.{key}" for key in keys(part, False)}
        return found

    assert keys(pod_structs.PodStruct, True) == keys(typed_decode._Pod, False)


_PATHS = _paths(BASE["items"][0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(_PATHS), _values), min_size=1, max_size=3))
def test_random_values_same_three_ways_and_pod_for_pod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       changes: list) -> None:
    document = copy.deepcopy(BASE)
    for path, value in changes:
        try:
            document = set_path(document, (*ITEM, *path), value)
        except (KeyError, IndexError, TypeError):
            continue
    data = json.dumps(document).encode()
    same_three_ways(tmp_path, data, monkeypatch)
    if decode_pod_structs(data) is not None:
        check_pod_for_pod(data)


#: Optional fields a pod of the usual shape may leave out or set to null: the fast road must take
#: such a pod (and give parse_pod's Pod), or the defaults it fills in would go untested.
OPTIONAL = [("metadata", "uid"), ("metadata", "namespace"), ("metadata", "labels"), ("metadata", "annotations"),
            ("metadata", "creationTimestamp"), ("metadata", "ownerReferences"),
            ("metadata", "ownerReferences", 0, "controller"), ("spec", "hostNetwork"), ("spec", "nodeName"),
            ("spec", "terminationGracePeriodSeconds"), ("spec", "containers"), ("spec", "initContainers"),
            ("spec", "containers", 0, "ports"), ("spec", "containers", 0, "ports", 0, "name"),
            ("spec", "containers", 0, "ports", 0, "protocol"), ("spec", "containers", 0, "resources"),
            ("spec", "containers", 0, "resources", "requests"), ("spec", "containers", 0, "name"),
            ("status", "phase"), ("status", "podIPs"), ("status", "hostIP"), ("status", "containerStatuses"),
            ("status", "containerStatuses", 0, "state"), ("status", "containerStatuses", 0, "state", "waiting"),
            ("status", "initContainerStatuses", 0, "state", "waiting", "reason"), ("apiVersion",)]


@pytest.mark.parametrize("path", OPTIONAL, ids=[".".join(map(str, path)) for path in OPTIONAL])
@pytest.mark.parametrize("value", [DELETE, None, ""], ids=["absent", "null", "empty"])
def test_absent_or_null_optional_fields_take_the_fast_road(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           path: tuple, value: Any) -> None:
    pod = set_path(rich_pod(0), path, value)
    data = orjson.dumps(pod_list([pod]))
    same_three_ways(tmp_path, data, monkeypatch)
    if decode_pod_structs(data) is None:  # "" where a list or mapping belongs: the generic road
        assert value == "" and decode_list(data, "Pod") is None
        return
    [(fast, slow)] = check_pod_for_pod(data)
    if value != "" or path[-1] in ("uid", "namespace", "nodeName", "name", "hostIP", "phase", "reason",
                                       "creationTimestamp", "protocol"):
        assert fast is not None and fast == slow


def test_one_owner_without_controller_and_status_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pod = rich_pod(0)
    pod["metadata"]["ownerReferences"] = [{"kind": "Job", "name": "once"}]
    two = rich_pod(1)
    two["metadata"]["ownerReferences"] = [{"kind": "A", "name": "a"}, {"kind": "B", "name": "b", "controller": True}]
    none = rich_pod(2)
    none["metadata"]["ownerReferences"] = [{"kind": "A", "name": "a"}, {"kind": "B", "name": "b"}]
    data = orjson.dumps(pod_list([pod, two, none]))
    same_three_ways(tmp_path, data, monkeypatch)
    pairs = check_pod_for_pod(data)
    assert [(fast.owner_kind, fast.owner_name) for fast, _ in pairs] == [("Job", "once"), ("B", "b"), (None, None)]
