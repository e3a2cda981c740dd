"""The bad-input corpus: every file a user could feed `--files` that is not clean kubectl output.

Each case writes one bad input next to a good file and asserts the exact problem lines
(`FILE (document/line/item): problem`); the good file must still load. Nothing may raise
but SourceError, and that only when nothing usable was loaded.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
import yaml

from netpol_tui.cli import build_parser
from netpol_tui.commands.common import load_or_report
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources import SourceOptions, load_snapshot
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.files import MAX_YAML_ALIASES, load_files

GOOD = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "good"}}


def pod(name: str = "web", namespace: str = "shop", **spec_extra) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "app"}], **spec_extra}, "status": {"phase": "Running"}}


def netpol(spec: dict, name: str = "np") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


def as_yaml(document: object) -> bytes:
    return yaml.safe_dump(document, sort_keys=False).encode()


def as_json(document: object) -> bytes:
    return orjson.dumps(document)


BOMB_LEVELS = "abcdefghijk"


def alias_bomb(levels: int, width: int) -> bytes:
    lines = [f'{BOMB_LEVELS[0]}: &{BOMB_LEVELS[0]} [{", ".join(["lol"] * width)}]']
    for index in range(1, levels):
        prev, name = BOMB_LEVELS[index - 1], BOMB_LEVELS[index]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * width)}]")
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    """`files` maps a name to its bytes; `expected` lines use {dir} for the case folder."""

    id: str
    files: dict[str, bytes]
    expected: tuple[str, ...]
    skipped: tuple[tuple[str, int], ...] = ()


LABELS_AS_LIST = pod()
LABELS_AS_LIST["metadata"]["labels"] = ["app", "web"]

PORT_AS_BOOL = pod()
PORT_AS_BOOL["spec"]["containers"][0]["ports"] = [{"containerPort": True}]

MISSING_NAME = pod()
del MISSING_NAME["metadata"]["name"]

BAD_QUANTITY = pod()
BAD_QUANTITY["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "lots"}}

BAD_POD_IP = pod()
BAD_POD_IP["status"]["podIP"] = "10.0.0.300"

EXTRA_KEYS = pod(name="extra")
EXTRA_KEYS["someday"] = {"new": "field"}
EXTRA_KEYS["spec"]["futureField"] = True

CALICO_CRD = {"apiVersion": "crd.projectcalico.org/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "allow-tcp-6379", "namespace": "shop"},
              "spec": {"selector": "role == 'database'", "ingress": [{"action": "Allow"}]}}

CLUSTERS = [{"name": "prod", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001"},
            {"name": "staging", "location": "europe-west1", "currentMasterVersion": "1.30.5-gke.1014001"}]

CASES = [
    Case("truncated-yaml", {"bad.yaml": b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web\n"},
         ("{dir}/bad.yaml: YAML syntax error at line 6, column 1: did not find expected ',' or '}}'",)),
    Case("truncated-multi-document-yaml",
         {"bad.yaml": as_yaml(pod("a")) + b"---\n" + b"kind: Pod\nmetadata: {name: b\n"},
         ("{dir}/bad.yaml (document 2, line 11): YAML syntax error at line 14, column 1: "
          "did not find expected ',' or '}}'",)),
    Case("json-syntax-error", {"bad.json": b'{"kind": "Pod",\n "metadata": {"name": "a",}}'},
         ("{dir}/bad.json: JSON syntax error at line 2, column 26: trailing comma is not allowed",)),
    Case("truncated-json", {"bad.json": as_json(GOOD)[:-7]},
         ("{dir}/bad.json: JSON syntax error at line 1, column 59: unexpected end of data",)),
    Case("binary-garbage", {"bad.yaml": bytes(range(256)) * 40},
         ("{dir}/bad.yaml: binary content (NUL bytes), not YAML or JSON",)),
    Case("invalid-utf8", {"bad.yaml": b"kind: Namespace\nmetadata:\n  name: caf\xe9\n"},
         ("{dir}/bad.yaml: not UTF-8 text (invalid byte at line 3, offset 37); not YAML or JSON",)),
    Case("invalid-utf8-json", {"bad.json": b'{"kind": "Namespace", "metadata": {"name": "caf\xe9"}}'},
         ("{dir}/bad.json: not UTF-8 text (invalid byte at line 1, offset 47); not YAML or JSON",)),
    Case("labels-as-list", {"bad.json": as_json(LABELS_AS_LIST)},
         ("{dir}/bad.json: Pod shop/web: metadata.labels must be a mapping of strings, got a list",)),
    Case("port-as-bool", {"bad.json": as_json(PORT_AS_BOOL)},
         ("{dir}/bad.json: Pod shop/web: spec.containers[0].ports[0].containerPort must be an integer, "
          "got a boolean",)),
    Case("items-not-a-list", {"bad.json": as_json({"apiVersion": "v1", "kind": "PodList", "items": {"a": 1}})},
         ("{dir}/bad.json: PodList.items must be a list, found a mapping",)),
    Case("missing-metadata", {"bad.yaml": b"apiVersion: v1\nkind: Pod\nspec: {}\n"},
         ("{dir}/bad.yaml: Pod (unnamed): metadata is missing",)),
    Case("missing-name", {"bad.json": as_json(MISSING_NAME)},
         ("{dir}/bad.json: Pod (unnamed): metadata.name is missing",)),
    Case("invalid-cidr", {"bad.yaml": as_yaml(netpol({"podSelector": {}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.ingress[0].from[0].ipBlock.cidr is not a valid CIDR: "
          "'10.0.0.0/33'",)),
    Case("except-outside-cidr", {"bad.yaml": as_yaml(netpol({"podSelector": {}, "egress": [
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16"]}}]}]}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.egress[0].to[0].ipBlock.except[0] '192.168.0.0/16' "
          "must lie strictly inside '10.0.0.0/8'",)),
    Case("unknown-selector-operator", {"bad.yaml": as_yaml(netpol({"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "Contains", "values": ["web"]}]}}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.podSelector.matchExpressions[0].operator 'Contains' "
          "is not one of In, NotIn, Exists, DoesNotExist",)),
    Case("in-without-values", {"bad.yaml": as_yaml(netpol({"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "In"}]}}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.podSelector.matchExpressions[0]: operator In needs "
          "at least one value",)),
    Case("bad-quantity", {"bad.json": as_json(BAD_QUANTITY)},
         ("{dir}/bad.json: Pod shop/web: spec.containers[0].resources.requests: not a quantity: 'lots'",)),
    Case("bad-pod-ip", {"bad.json": as_json(BAD_POD_IP)},
         ("{dir}/bad.json: Pod shop/web: status.podIP is not an IP address: '10.0.0.300'",)),
    Case("duplicate-objects", {"a.json": as_json(pod()), "b.yaml": as_yaml(pod())},
         ("{dir}/b.yaml: duplicate Pod shop/web, also in {dir}/a.json; the later one is kept",)),
    Case("duplicate-inside-a-list",
         {"bad.json": as_json({"apiVersion": "v1", "kind": "List", "items": [pod(), pod()]})},
         ("{dir}/bad.json (item 1): duplicate Pod shop/web, also in {dir}/bad.json (item 0); "
          "the later one is kept",)),
    Case("empty-file", {"bad.yaml": b""}, ("{dir}/bad.yaml: empty file",)),
    Case("whitespace-only", {"bad.json": b" \n\t\r\n  \n"}, ("{dir}/bad.json: empty file",)),
    Case("yaml-alias-bomb", {"bad.yaml": alias_bomb(11, 11)},
         (f"{{dir}}/bad.yaml: refused: more than {MAX_YAML_ALIASES} YAML aliases (possible alias bomb); "
          "kubectl output uses none",)),
    Case("small-alias-bomb-as-list-items",
         {"bad.yaml": alias_bomb(9, 9) + b"kind: List\nitems: *i\n"},
         tuple(f"{{dir}}/bad.yaml (item {index}): expected an object, found a list" for index in range(9))),
    Case("deeply-nested-json", {"bad.json": b"[" * 100_000 + b"]" * 100_000},
         ("{dir}/bad.json: JSON nested too deeply (more than 1024 levels)",)),
    Case("deeply-nested-yaml", {"bad.yaml": b"a:\n" + b"".join(b"  " * i + b"a:\n" for i in range(1, 2000))},
         ("{dir}/bad.yaml: YAML syntax error at line 1000, column 2000: exceeded maximum nesting depth",)),
    Case("json-top-level-scalar", {"bad.json": b"42\n"}, ("{dir}/bad.json: expected an object, found a number",)),
    Case("json-top-level-string", {"bad.json": b'"kubectl get pods"'},
         ("{dir}/bad.json: expected an object, found a string",)),
    Case("list-with-non-object-items",
         {"bad.json": as_json({"apiVersion": "v1", "kind": "List", "items": [1, "two", None, GOOD | {
             "metadata": {"name": "also-good"}}]})},
         ("{dir}/bad.json (item 0): expected an object, found a number",
          "{dir}/bad.json (item 1): expected an object, found a string",
          "{dir}/bad.json (item 2): expected an object, found null")),
    Case("list-item-kind-not-a-string",
         {"bad.json": as_json({"apiVersion": "v1", "kind": "List", "items": [{"kind": ["Pod"]}, {"kind": {}}]})},
         ("{dir}/bad.json (item 0): 'kind' must be a non-empty string, found a list",
          "{dir}/bad.json (item 1): list item has no 'kind'")),
    Case("kind-not-a-string", {"bad.json": as_json({"kind": 5, "metadata": {"name": "x"}})},
         ("{dir}/bad.json: 'kind' must be a non-empty string, found a number",)),
    Case("unused-kind-is-skipped",
         {"cm.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n"},
         (), skipped=(("ConfigMap", 1),)),
    Case("raw-api-list-of-an-unused-kind",
         {"cm.json": as_json({"apiVersion": "v1", "kind": "ConfigMapList", "items": [
             {"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]})},
         (), skipped=(("ConfigMap", 2),)),
    Case("calico-crd-networkpolicy-is-not-a-kubernetes-one", {"calico.yaml": as_yaml(CALICO_CRD)},
         (), skipped=(("NetworkPolicy.crd.projectcalico.org", 1),)),
    Case("several-gcloud-clusters", {"clusters.json": as_json(CLUSTERS)},
         ("{dir}/clusters.json (item 0): 2 GKE clusters in the input (prod, staging); using 'prod'. "
          "Choose one with --cluster NAME",)),
    Case("unknown-top-level-keys", {"extra.json": as_json(EXTRA_KEYS),
                                    "mystery.json": as_json({"foo": 1, "bar": [2]})},
         ("{dir}/mystery.json: not a Kubernetes object (no 'kind') nor gcloud cluster/operation output "
          "(keys: 'foo', 'bar')",)),
    Case("yaml-python-tag-is-not-executed", {"bad.yaml": b'!!python/object/apply:os.system ["false"]\n'},
         ("{dir}/bad.yaml: unsupported YAML at line 1, column 1: could not determine a constructor for the "
          "tag 'tag:yaml.org,2002:python/object/apply:os.system'",)),
    Case("json-nan", {"bad.json": b'{"kind": "Pod", "x": NaN}'},
         ("{dir}/bad.json: JSON syntax error at line 1, column 22: unexpected character, expected a JSON value",)),
    Case("policy-port-name-too-long", {"bad.yaml": as_yaml(netpol({"podSelector": {}, "ingress": [
        {"ports": [{"port": "a-very-long-port-name"}]}]}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.ingress[0].ports[0].port is not a valid port name: "
          "'a-very-long-port-name'",)),
    Case("endport-below-port", {"bad.yaml": as_yaml(netpol({"podSelector": {}, "ingress": [
        {"ports": [{"port": 8080, "endPort": 80}]}]}))},
         ("{dir}/bad.yaml: NetworkPolicy shop/np: spec.ingress[0].ports[0].endPort 80 is below port 8080",)),
    Case("operation-with-infinite-progress", {"ops.json": as_json([
        {"name": "operation-1", "operationType": "UPGRADE_NODES", "status": "RUNNING",
         "progress": {"metrics": [{"name": "NODES_DONE", "doubleValue": "Infinity"}]}}])}, ()),
    Case("hidden-and-other-files-are-ignored", {".hidden.yaml": b"{{{", "notes.txt": b"\x00\x01"}, ()),
]


def _write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good.json").write_bytes(as_json(GOOD))
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_costs_one_line_and_the_rest_loads(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / case.id
    _write(folder, case.files)
    snapshot = load_files([str(folder)])
    assert [str(problem) for problem in snapshot.problems] == [line.format(dir=folder) for line in case.expected]
    assert "good" in {namespace.name for namespace in snapshot.namespaces}
    assert snapshot.skipped_kinds == case.skipped


def test_every_problem_is_one_short_line(tmp_path: Path) -> None:
    for case in CASES:
        _write(tmp_path / case.id, case.files)
    snapshot = load_files([str(tmp_path)])
    assert len(snapshot.problems) >= 30
    for problem in snapshot.problems:
        assert "\n" not in str(problem) and len(str(problem)) < 400, problem


def test_hostile_values_are_cut_short(tmp_path: Path) -> None:
    document = netpol({"podSelector": {"matchExpressions": [{"key": "a", "operator": "X" * 1_000_000}]}})
    _write(tmp_path, {"bad.json": as_json(document)})
    (problem,) = load_files([str(tmp_path)]).problems
    assert len(problem.message) < 200 and "..." in problem.message


def test_problem_lines_carry_no_terminal_escapes(tmp_path: Path) -> None:
    """Names in problem lines come from the input; printed raw, an OSC 52 sequence could write the
    user's clipboard. Lines are cleaned of escapes and control characters."""
    evil = pod(name="web\x1b]52;c;ZXZpbA==\x07\nfake: line", namespace="shop\x1b[2J")
    evil["metadata"]["labels"] = {"a\nb\x1b[31m": ["x"]}
    _write(tmp_path, {"evil.json": as_json(evil)})
    (problem,) = load_files([str(tmp_path)]).problems
    assert "\x1b" not in str(problem) and "\n" not in str(problem) and "\x07" not in str(problem)
    assert str(problem) == (f"{tmp_path}/evil.json: Pod shop/web fake: line: metadata.labels.'a\\nb\\x1b[31m' "
                            "must be a string, got a list")


def test_fifty_megabyte_file_loads_quickly(tmp_path: Path) -> None:
    """A big cluster's dump is big: 50 MB of pods is normal input and must simply load."""
    template = pod()
    template["spec"]["containers"][0]["env"] = [{"name": f"SETTING_{i}", "value": "x" * 200} for i in range(12)]
    items = []
    for index in range(18_000):
        item = orjson.loads(orjson.dumps(template))
        item["metadata"]["name"] = f"web-{index}"
        items.append(item)
    data = orjson.dumps({"apiVersion": "v1", "kind": "List", "items": items})
    assert len(data) >= 50 * 2**20
    (tmp_path / "big.json").write_bytes(data)
    started = time.perf_counter()
    snapshot = load_files([str(tmp_path / "big.json")])
    assert time.perf_counter() - started < 20
    assert len(snapshot.pods) == 18_000 and snapshot.problems == ()


def test_fifty_megabyte_garbage_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "junk.yaml").write_bytes(b"x" * (50 * 2**20))
    with pytest.raises(SourceError) as info:
        load_files([str(tmp_path / "junk.yaml")])
    assert [str(p) for p in info.value.problems] == [f"{tmp_path}/junk.yaml: expected an object, found a string"]


# ----------------------------------------------------------------- paths and links


def test_symlink_loop_and_broken_link(tmp_path: Path) -> None:
    _write(tmp_path, {})
    os.symlink("b.yaml", tmp_path / "a.yaml")
    os.symlink("a.yaml", tmp_path / "b.yaml")
    os.symlink("missing.yaml", tmp_path / "broken.yaml")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    snapshot = load_files([str(tmp_path)])
    assert [str(p) for p in snapshot.problems] == [
        f"{tmp_path}/a.yaml: symbolic link loop",
        f"{tmp_path}/b.yaml: symbolic link loop",
        f"{tmp_path}/broken.yaml: broken symbolic link (target 'missing.yaml' does not exist)",
        f"{tmp_path}/sub/up: directory already read (symbolic link loop); skipped",
    ]
    assert [n.name for n in snapshot.namespaces] == ["good"]


def test_paths_given_directly(tmp_path: Path) -> None:
    _write(tmp_path, {})
    os.symlink("loop.json", tmp_path / "loop.json")
    snapshot = load_files([str(tmp_path / "good.json"), str(tmp_path / "nope.json"), str(tmp_path / "loop.json"),
                           "/dev/null"])
    assert [str(p) for p in snapshot.problems] == [
        f"{tmp_path}/nope.json: no such file or directory",
        f"{tmp_path}/loop.json: symbolic link loop",
        "/dev/null: not a regular file or directory",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    _write(tmp_path, {"secret.yaml": as_yaml(pod())})
    (tmp_path / "secret.yaml").chmod(0)
    try:
        snapshot = load_files([str(tmp_path)])
    finally:
        (tmp_path / "secret.yaml").chmod(0o600)
    assert [str(p) for p in snapshot.problems] == [f"{tmp_path}/secret.yaml: cannot read: Permission denied"]


def test_unreadable_file_as_root_is_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores chmod 000; an OSError from open() must still be one line."""
    _write(tmp_path, {"secret.yaml": as_yaml(pod())})
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    snapshot = load_files([str(tmp_path)])
    assert [str(p) for p in snapshot.problems] == [f"{tmp_path}/secret.yaml: cannot read: Permission denied"]


# ------------------------------------------------------------------ other encodings


def test_powershell_utf16_and_utf8_bom_load(tmp_path: Path) -> None:
    (tmp_path / "ps.json").write_bytes(b"\xff\xfe" + as_json(pod("a")).decode().encode("utf-16-le"))
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + as_yaml(pod("b")))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + as_json(pod("c")))
    snapshot = load_files([str(tmp_path)])
    assert snapshot.problems == ()
    assert sorted(p.name for p in snapshot.pods) == ["a", "b", "c"]


def test_concatenated_json_documents(tmp_path: Path) -> None:
    """`kubectl get pod a -o json >> pods.json`, twice: two documents in one file."""
    (tmp_path / "pods.json").write_bytes(as_json(pod("a")) + b"\n" + as_json(pod("b")) + b"\n{oops")
    snapshot = load_files([str(tmp_path)])
    assert sorted(p.name for p in snapshot.pods) == ["a", "b"]
    assert [str(p) for p in snapshot.problems] == [
        f"{tmp_path}/pods.json (document 3, line 3): JSON syntax error at line 3, column 2: "
        "Expecting property name enclosed in double quotes"]


def test_yaml_file_starting_with_a_flow_mapping(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_bytes(b"{apiVersion: v1, kind: Namespace, metadata: {name: flow}}\n")
    snapshot = load_files([str(tmp_path)])
    assert [n.name for n in snapshot.namespaces] == ["flow"] and snapshot.problems == ()


# ---------------------------------------------------------------------------- stdin


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, as_yaml(pod("a")) + b"---\n" + as_yaml(pod("b")))
    snapshot = load_files(["-"])
    assert sorted(p.name for p in snapshot.pods) == ["a", "b"]
    assert {p.origin.path for p in snapshot.pods} == {"<stdin>"}


def test_bad_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b'{"kind": ')
    with pytest.raises(SourceError) as info:
        load_files(["-"])
    assert [str(p) for p in info.value.problems] == [
        "<stdin>: JSON syntax error at line 1, column 10: unexpected end of data"]


def test_stdin_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b"")))
    with pytest.raises(SourceError) as info:
        load_files(["-"])
    assert "stdin is a terminal" in str(info.value.problems[0])


# ----------------------------------------------------------------- nothing usable


def test_nothing_usable_is_a_source_error_with_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"{")
    (tmp_path / "b.yaml").write_bytes(b"")
    with pytest.raises(SourceError) as info:
        load_snapshot(SourceOptions(files=(str(tmp_path),)))
    assert info.value.message == f"nothing usable was loaded from {tmp_path}"
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/a.json: JSON syntax error at line 1, column 2: unexpected end of data",
        f"{tmp_path}/b.yaml: empty file",
    ]


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no .yaml, .yml or .json files found"):
        load_files([str(tmp_path)])


def test_an_empty_list_of_a_known_kind_is_an_answer(tmp_path: Path) -> None:
    """No NetworkPolicies in the cluster is information, not 'nothing usable'."""
    (tmp_path / "np.json").write_bytes(as_json({"apiVersion": "v1", "kind": "NetworkPolicyList", "items": []}))
    snapshot = load_files([str(tmp_path)])
    assert snapshot.policies == () and snapshot.problems == ()


def _args(*argv: str):
    return build_parser().parse_args(list(argv))


def test_load_or_report_prints_problems_and_keeps_going(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    _write(tmp_path, {"bad.json": b"[1]"})
    snapshot = load_or_report(_args("--files", str(tmp_path)))
    assert snapshot is not None and [n.name for n in snapshot.namespaces] == ["good"]
    assert capsys.readouterr().err == f"warning: {tmp_path}/bad.json (item 0): expected an object, found a number\n"


def test_load_or_report_returns_none_when_nothing_usable(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "bad.json").write_bytes(b"\x00garbage")
    assert load_or_report(_args("--files", str(tmp_path))) is None
    err = capsys.readouterr().err
    assert err.splitlines() == [f"netpol-tui: nothing usable was loaded from {tmp_path}",
                                f"  {tmp_path}/bad.json: binary content (NUL bytes), not YAML or JSON"]
    assert "Traceback" not in err


@pytest.mark.parametrize("make", [
    lambda folder: folder / "missing",
    lambda folder: folder,
], ids=["missing-path", "empty-directory"])
def test_load_or_report_never_raises(make: Callable[[Path], Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture) -> None:
    assert load_or_report(_args("--files", str(make(tmp_path)))) is None
    assert capsys.readouterr().err.startswith("netpol-tui: nothing usable was loaded from ")


def test_every_corpus_file_through_the_cli_source_path(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """All bad files at once through the same call the commands make: one line each, no traceback."""
    for case in CASES:
        _write(tmp_path / case.id, case.files)
    snapshot = load_or_report(_args("--files", str(tmp_path)))
    assert snapshot is not None
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # MAX_PROBLEM_LINES lines, the "... and N more problems" line, and one line per kind not read:
    # the corpus's only NetworkPolicy is broken, so policies count as not read, not as none.
    assert [part.kind for part in snapshot.unknown] == [Kind.NETWORK_POLICY]
    assert err.count("\n") == 21 + len(snapshot.unknown)


def test_cluster_option_picks_one_of_several(tmp_path: Path) -> None:
    _write(tmp_path, {"clusters.json": as_json(CLUSTERS)})
    staging = load_files([str(tmp_path)], cluster="staging")
    assert staging.cluster.name == "staging" and staging.problems == ()
    missing = load_files([str(tmp_path)], cluster="dev")
    assert missing.cluster is None
    assert [str(p) for p in missing.problems] == [
        f"{tmp_path}/clusters.json (item 0): no GKE cluster named 'dev' in the input (found: prod, staging); "
        "cluster information not used"]
