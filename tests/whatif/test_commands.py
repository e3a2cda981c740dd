"""`netpol-tui matrix` and `netpol-tui diff` on the demos and on hostile files: formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from netpol_tui.cli import main
from netpol_tui.policy import PolicyEngine
from netpol_tui.policy.results import Endpoint
from netpol_tui.sources.demo import load_demo

ALLOW_SHOP_STORE = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-everything-into-store
  namespace: shop
spec:
  podSelector: {}
  ingress:
  - {}
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_matrix_text_grid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "matrix", "--demo")
    assert code == 0
    assert out.startswith("netpol-tui matrix (calico): ")
    assert "A all allowed, S some allowed, N none allowed" in out
    _, document, _ = _run(capsys, "matrix", "--demo", "--format", "json")
    cells = {(c["from"], c["to"]): c["state"] for c in json.loads(document)["cells"]}
    namespaces = json.loads(document)["namespaces"]
    letters = {"all": "A", "some": "S", "none": "N", "unknown": "?"}
    grid = {line.split()[0]: line.split()[1:-1] for line in out.splitlines()[4:4 + len(namespaces)]}
    assert sorted(grid) == namespaces
    for src in namespaces:
        assert grid[src] == [letters[cells[(src, dst)]] if (src, dst) in cells else "." for dst in namespaces]
    assert {"A", "S", "N"} <= {letter for row in grid.values() for letter in row}


def test_matrix_json_cells_match_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "matrix", "--demo", "dataplane-v2", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["counts"]["flows"] == len(document["flows"]) > 0
    engine = PolicyEngine(load_demo("dataplane-v2"))
    workloads = {f"{w['namespace']}/{w['workload']}": w for w in document["workloads"]}
    for flow in document["flows"][:40]:
        src, dst = workloads[flow["from"]], workloads[flow["to"]]
        src_pod = engine.pod(src["namespace"], src["pods"][0])
        dst_pod = engine.pod(dst["namespace"], dst["pods"][1 if src is dst and len(dst["pods"]) > 1 else 0])
        verdict = engine.evaluate(Endpoint.for_pod(src_pod), Endpoint.for_pod(dst_pod), flow["port"], flow["protocol"])
        assert verdict.verdict.lower().startswith(flow["verdict"][:4]) or \
            {"allow": True, "deny": False, "unknown": None}[flow["verdict"]] is verdict.allowed


@pytest.mark.parametrize("fmt", ["markdown", "csv", "dot"])
def test_matrix_other_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "matrix", "--demo", "--format", fmt, "--namespace", "shop")
    assert code == 0
    if fmt == "markdown":
        assert out.startswith("# Connectivity matrix") and "| from \\ to |" in out
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all("shop" in (row["from_namespace"], row["to_namespace"]) for row in rows)
        assert {row["verdict"] for row in rows} <= {"allow", "deny", "unknown"}
    else:
        assert out.startswith("digraph netpol {") and out.rstrip().endswith("}")


def test_matrix_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "matrix", "--demo", "--ports", "http")[0] == 2
    code, _, err = _run(capsys, "matrix", "--demo", "--namespace", "nope")
    assert code == 2 and "namespace nope is not in the snapshot" in err


def test_model_diff_calico_to_dataplane_v2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "diff", "--demo", "--model", "calico", "--vs", "dataplane-v2", "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["changes"] and document["summary"]
    change = document["changes"][0]
    assert set(change) >= {"from", "to", "port", "protocol", "before", "after", "before_deciding", "after_deciding"}
    assert all(c["before"] != c["after"] and "unknown" not in (c["before"], c["after"]) for c in document["changes"])
    # ipBlock over pod IPs stops matching on Dataplane V2: the demo's prometheus egress loses kube-system.
    assert any(c["from"]["workload"] == "prometheus" and c["after"] == "deny" for c in document["changes"])


def test_change_diff_with_a_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = tmp_path / "allow.yaml"
    manifest.write_text(ALLOW_SHOP_STORE)
    code, out, _ = _run(capsys, "diff", "--demo", "--with", str(manifest))
    assert code == 1
    assert "newly allowed" in out and "newly denied" not in out
    assert out.splitlines()[1].startswith("  shop: ")


def test_removing_a_default_deny_and_nothing_to_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "diff", "--demo", "--without", "batch/default-deny-ingress")
    assert code == 1 and "batch: " in out
    code, out, _ = _run(capsys, "diff", "--demo", "--model", "calico", "--vs", "calico")
    assert code == 0 and "No flow changes." in out
    code, _, err = _run(capsys, "diff", "--demo", "--without", "shop/not-there")
    assert code == 2 and "no NetworkPolicy shop/not-there" in err
    assert _run(capsys, "diff", "--demo")[0] == 2


def test_batch_diff_echoes_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(yaml.safe_dump([
        {"id": "prom", "from": "monitoring/prometheus-0", "to": "kube-system/konnectivity-agent-jldskgfq2p-djzcj", "port": 8080},
        {"id": "same", "from": "shop/svc/web", "to": "shop/svc/cart", "port": 80}]))
    code, out, _ = _run(capsys, "diff", "--demo", "--model", "calico", "--vs", "dataplane-v2", "--batch", str(batch),
                        "--format", "json")
    document = json.loads(out)
    assert [c["id"] for c in document["changes"]] == ["prom"] and code == 1


def test_unknown_when_policies_were_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pods = tmp_path / "pods.json"
    pods.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "a", "labels": {"app": "x"}},
         "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
         "status": {"phase": "Running", "podIP": f"10.0.0.{i + 1}"}} for i in range(2)]}))
    code, out, _ = _run(capsys, "matrix", "--files", str(pods))
    assert code == 3 and "Unknown because:" in out
    code, out, _ = _run(capsys, "diff", "--files", str(pods), "--model", "calico", "--vs", "none")
    assert code == 3 and "unknown (not compared)" in out


def test_hostile_names_stay_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "=cmd|' /C calc'!A0"
    pods = tmp_path / "pods.json"
    pods.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "a",
                                                         "ownerReferences": [{"kind": "DaemonSet", "name": name}]},
         "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
         "status": {"phase": "Running", "podIP": f"10.0.0.{i + 1}"}} for i in range(2)]}))
    policies = tmp_path / "np.json"
    policies.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}))
    _, out, _ = _run(capsys, "matrix", "--files", str(pods), "--files", str(policies), "--format", "csv")
    assert "'=cmd" in out and "\n=cmd" not in out and ",=cmd" not in out
    _, out, _ = _run(capsys, "matrix", "--files", str(pods), "--files", str(policies), "--format", "dot")
    assert '"a"' in out


def _fenced(text: str) -> list[str]:
    blocks, current = [], None
    for line in text.split("\n"):
        if current is None and line.startswith("```"):
            current = []
        elif current is not None and line.startswith("```"):
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_migration_report_holds_the_diff_and_the_checks_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = _run(capsys, "diff", "--demo", "--model", "calico", "--vs", "dataplane-v2", "--format", "markdown")
    assert code == 1
    assert report.startswith("# Migration report: calico -\\> dataplane-v2")
    assert "## Checks that block or change on migration (GKE010, GKE011, GKE012)" in report
    assert "#### GKE010 ipblock-matches-pods" in report
    _, checks, _ = _run(capsys, "check", "--demo", "--select", "GKE010,GKE011,GKE012", "--format", "markdown")
    assert _fenced(checks) and _fenced(report)[-len(_fenced(checks)):] == _fenced(checks)
