"""sources.locate: the line a List item starts on, found lazily from Origin.item; never raises."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netpol_tui.model.objects import Origin
from netpol_tui.sources import locate
from netpol_tui.sources.files import load_files
from netpol_tui.sources.locate import json_item_lines, object_line, yaml_item_lines


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    locate.clear_cache()


def _pod(name: str, **extra: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", **extra},
            "status": {"phase": "Running"}}


def _kubectl_json(items: list[dict]) -> str:
    """`kubectl get -o json` layout: 4-space indent, items after apiVersion."""
    return json.dumps({"apiVersion": "v1", "items": items, "kind": "List",
                       "metadata": {"resourceVersion": ""}}, indent=4) + "\n"


def _starts(text: str, marker: str) -> list[int]:
    """1-based lines holding `marker` (what a test expects an item to start on)."""
    return [number for number, line in enumerate(text.splitlines(), 1) if line == marker]


# ------------------------------------------------------------------------- JSON


def test_kubectl_json_list_items_start_on_their_brace_line() -> None:
    text = _kubectl_json([_pod("a"), _pod("b"), _pod("c")])
    expected = _starts(text, "        {")
    assert len(expected) == 3 and expected[0] == 4  # after `{`, apiVersion, `"items": [`
    assert json_item_lines(text.encode()) == tuple(expected)


def test_json_strings_with_brackets_braces_escaped_quotes_and_an_items_key_do_not_confuse() -> None:
    tricky = {"x": 'a}]"{[,\\', "items": "[{", "y": "\\\\", "z": "\"items\": ["}
    first = _pod("a", annotations=tricky)
    first["spec"] = {"items": [{"a": 1}, {"b": 2}], "list": [1, [2, {"c": "]"}], 3]}
    text = _kubectl_json([first, _pod("b", annotations={"q": "\\\"}"}), _pod("c")])
    expected = _starts(text, "        {")
    assert len(expected) == 3
    assert json_item_lines(text.encode()) == tuple(expected)


def test_json_top_level_array_and_scalar_elements_keep_their_index() -> None:
    text = '[\n  {"name": "one"},\n  "not an object",\n  7,\n\n  {"name": "four"}\n]\n'
    assert json_item_lines(text.encode()) == (2, -1, -1, 6)


def test_json_duplicate_items_key_last_one_wins_like_the_decoder() -> None:
    text = '{\n "items": [\n  {}\n ],\n "other": [\n  1,\n  2\n ],\n "items": [\n  {},\n  {}\n ]\n}\n'
    assert json_item_lines(text.encode()) == (10, 11)


def test_json_stream_second_document_lines_are_absolute() -> None:
    first = json.dumps(_pod("solo"), indent=2) + "\n"
    second = _kubectl_json([_pod("a"), _pod("b")])
    text = first + second
    second_line = first.count("\n") + 1
    expected = [number for number in _starts(text, "        {") if number > second_line]
    assert json_item_lines(text.encode(), second_line) == tuple(expected)


@pytest.mark.parametrize("text", [
    '{\n "items": [\n  {}\n',              # cut short
    '{\n "items": {"a": 1}\n}\n',          # items not a list
    '{\n "kind": "Pod"\n}\n',              # no items
    '"just a string"\n\n',
    '{\n "items": [\n  "unterminated\n ]\n}\n',
    ']\n]\n',
])
def test_json_without_a_usable_items_array_gives_none(text: str) -> None:
    assert json_item_lines(text.encode()) is None


def test_compact_one_line_json_is_not_scanned() -> None:
    text = json.dumps({"kind": "List", "items": [_pod("a"), _pod("b")]}) + "\n"
    assert json_item_lines(text.encode()) is None  # every item is on line 1: the fallback is right


@settings(max_examples=60)
@given(st.lists(st.dictionaries(st.text(max_size=8), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab{}[],:"\\\n\t\u00e9 ', max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8), max_size=4), max_size=6), st.sampled_from([1, 2, 4]))
def test_json_scanner_matches_the_decoder_on_generated_lists(items: list[dict], indent: int) -> None:
    marked = [{"\u0000marker": index, **item} for index, item in enumerate(items)]
    text = json.dumps({"apiVersion": "v1", "items": marked, "kind": "List"}, indent=indent)
    expected = []
    for index in range(len(items)):
        marker_line = next(number for number, line in enumerate(text.splitlines(), 1)
                           if line.strip() in (f'"\\u0000marker": {index},', f'"\\u0000marker": {index}'))
        expected.append(marker_line - 1)  # the item's `{` is the line before its first key
    assert json_item_lines(text.encode()) == tuple(expected)


# ------------------------------------------------------------------------- YAML


YAML_STREAM = """\
apiVersion: v1
kind: Pod
metadata:
  name: solo
---
apiVersion: v1
kind: List
metadata:
  note: |
    items:
    - not: an item
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: a
    annotations:
      script: |
        - fake entry
        ]}
- apiVersion: v1
  kind: Pod
  metadata: {name: b, annotations: {x: "- [ {"}}
-
  apiVersion: v1
  kind: Pod
  metadata:
    name: c
---
- {kind: Pod, metadata: {name: d}}
-   kind: Pod
    metadata: {name: e}
"""


def test_yaml_list_items_start_lines() -> None:
    data = YAML_STREAM.encode()
    assert yaml_item_lines(data, 1) is None  # a single object: no items
    assert yaml_item_lines(data, 5) == (13, 21, 25)  # the third starts on the line after its bare `-`
    assert yaml_item_lines(data, 29) == (30, 31)


def test_yaml_indented_sequence_and_bad_documents() -> None:
    assert yaml_item_lines(b"kind: List\nitems:\n  - a: 1\n  - plain\n  - b: 2\n") == (3, -1, 5)
    assert yaml_item_lines(b"kind: List\nitems: [\n") is None
    assert yaml_item_lines(b"kind: List\nitems: {a: 1}\n") is None
    assert yaml_item_lines(b"just text\n") is None
    assert yaml_item_lines(b"a: 1\n", 9) is None


# --------------------------------------------------------------------- object_line


def test_object_line_from_real_loads_json_and_yaml(tmp_path: Path) -> None:
    json_text = _kubectl_json([_pod("j0"), _pod("j1"), _pod("j2")])
    (tmp_path / "pods.json").write_text(json_text)
    (tmp_path / "more.yaml").write_text(YAML_STREAM)
    snapshot = load_files([str(tmp_path)])
    assert snapshot.problems == ()
    lines = {pod.name: object_line(pod.origin) for pod in snapshot.pods}
    j0, j1, j2 = _starts(json_text, "        {")
    assert lines == {"j0": j0, "j1": j1, "j2": j2, "a": 13, "b": 21, "c": 25, "d": 30, "e": 31, "solo": None}


def test_builder_numbers_items_of_a_documents_own_list_only(tmp_path: Path) -> None:
    nested = {"kind": "List", "items": [
        {"kind": "List", "items": [_pod("inner-0"), _pod("inner-1")]},
        _pod("outer-1"),
    ]}
    (tmp_path / "nested.json").write_text(json.dumps(nested, indent=2))
    (tmp_path / "array.json").write_text(json.dumps([_pod("arr-0"), _pod("arr-1")], indent=2))
    (tmp_path / "single.yaml").write_text(yaml.safe_dump(_pod("single")))
    snapshot = load_files([str(tmp_path)])
    items = {pod.name: pod.origin.item for pod in snapshot.pods}
    # Objects of a nested List carry the index of that List in the outer one.
    assert items == {"inner-0": 0, "inner-1": 0, "outer-1": 1, "arr-0": 0, "arr-1": 1, "single": None}
    lines = {pod.name: object_line(pod.origin) for pod in snapshot.pods}
    text = (tmp_path / "nested.json").read_text().splitlines()
    assert text[lines["inner-0"] - 1] == "    {" and '"kind": "List"' in text[lines["inner-0"]]
    assert lines["arr-1"] == 2 + json.dumps(_pod("arr-0"), indent=2).count("\n") + 1
    assert lines["single"] is None


def test_missing_changed_and_special_files_fall_back_to_none(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    path.write_text(_kubectl_json([_pod("a"), _pod("b"), _pod("c")]))
    origin = Origin(str(path), 1, None, 2)
    assert object_line(origin) == _starts(path.read_text(), "        {")[2]
    path.write_text(_kubectl_json([_pod("a")]))  # rewritten: fewer items now
    os.utime(path, ns=(1, 1))  # make sure the cache key changes even on coarse clocks
    assert object_line(origin) is None
    path.write_text('{\n "items": [\n  1,\n  2,\n  3\n ]\n}\n')  # not objects any more
    assert object_line(origin) is None
    path.write_bytes(b"\xff\xfe\x00garbage\x00{[")
    assert object_line(origin) is None
    path.unlink()
    assert object_line(origin) is None
    assert object_line(Origin(str(tmp_path), 1, None, 0)) is None  # a directory
    assert object_line(Origin("<stdin>", 1, None, 0)) is None
    assert object_line(Origin("", 1, None, 0)) is None
    assert object_line(Origin(str(path), 1)) is None  # not a List item
    assert object_line(Origin(str(path), 1, None, -1)) is None
    assert object_line(None) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_read_again(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert object_line(Origin(str(fifo), 1, None, 0)) is None  # would block if it were opened


def test_cache_is_per_file_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("kind: List\nitems:\n- a: 1\n- b: 2\n")
    reads: list[str] = []
    original = locate._scan
    monkeypatch.setattr(locate, "_scan", lambda p, line: reads.append(p) or original(p, line))
    assert [object_line(Origin(str(path), 1, None, i)) for i in (0, 1, 0, 1)] == [3, 4, 3, 4]
    assert len(reads) == 1
    path.write_text("kind: List\nitems:\n\n- a: 1\n\n- b: 2\n")
    os.utime(path, ns=(2, 2))
    assert object_line(Origin(str(path), 1, None, 1)) == 6 and len(reads) == 2
