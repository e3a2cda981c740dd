"""`netpol-tui explain` through netpol_tui.cli.main: exit codes, text, JSON, batch."""

from __future__ import annotations

import json

import pytest

from netpol_tui.cli import main

OBJECTS = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "shop"}}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.0.1"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "store-0", "namespace": "shop", "labels": {"app": "store"}},
     "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]},
     "status": {"phase": "Running", "podIP": "10.0.0.2"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "store-1", "namespace": "shop", "labels": {"app": "store"}},
     "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8081}]}]},
     "status": {"phase": "Running", "podIP": "10.0.0.3"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": "web", "labels": {"app": "client"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.1.1"}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "store", "namespace": "shop"},
     "spec": {"selector": {"app": "store"}, "ports": [{"port": 80, "targetPort": "http"}]}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "store", "namespace": "shop"},
     "spec": {"podSelector": {"matchLabels": {"app": "store"}},
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080}]},
                          {"from": [{"ipBlock": {"cidr": "10.0.1.0/24"}}]}]}},
]}
CLUSTER_V2 = {"name": "c1", "currentMasterVersion": "1.29.1-gke.100",
              "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"}}


@pytest.fixture
def dump(tmp_path):
    (tmp_path / "objects.json").write_text(json.dumps(OBJECTS))
    return tmp_path


@pytest.fixture
def dump_v2(dump):
    (dump / "cluster.json").write_text(json.dumps(CLUSTER_V2))
    return dump


def run(capsys, *argv):
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_allowed_text_exit_0(dump, capsys):
    code, out, err = run(capsys, "--files", str(dump), "--from", "shop/web-0", "--to", "shop/store-0", "--port", "8080")
    assert code == 0, err
    assert "is ALLOWED" in out and "ingress rule 0 of policy shop/store" in out


def test_denied_json_exit_1(dump, capsys):
    code, out, _ = run(capsys, "--files", str(dump), "--from", "web-0", "--namespace", "shop",
                       "--to", "shop/store-0", "--port", "9090", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "deny" and data["dataplane"] == "kubernetes"
    for side in ("egress", "ingress"):
        assert {"isolated", "verdict", "allowed_by", "denied_because"} <= set(data[side])
    assert data["ingress"]["isolated"] is True and data["ingress"]["denied_because"]
    assert isinstance(data["notes"], list) and data["notes"]


def test_dataplane_from_cluster_and_override(dump_v2, capsys):
    args = ["--files", str(dump_v2), "--from", "web/client", "--to", "shop/store-0", "--port", "1"]
    code, out, _ = run(capsys, *args, "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["dataplane"] == "dataplane-v2"
    assert any("does not apply to pod traffic" in r for r in data["ingress"]["denied_because"])
    code, out, _ = run(capsys, *args, "--dataplane", "calico", "--format", "json")
    assert code == 0 and json.loads(out)["dataplane"] == "calico"


def test_external_address_and_pod_ip(dump, capsys):
    code, out, _ = run(capsys, "--files", str(dump), "--from", "203.0.113.9", "--to", "10.0.0.2", "--port", "8080",
                       "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["from"]["kind"] == "address" and data["to"]["name"] == "store-0"
    assert data["egress"]["applies"] is False


def test_service_one_result_per_pod(dump, capsys):
    code, out, _ = run(capsys, "--files", str(dump), "--from", "shop/web-0", "--to", "shop/svc/store", "--port", "80",
                       "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "deny"
    assert [(r["to"]["name"], r["port"], r["verdict"]) for r in data["results"]] == [
        ("store-0", 8080, "allow"), ("store-1", 8081, "deny")]
    code, out, _ = run(capsys, "--files", str(dump), "--from", "shop/web-0", "--to", "shop/svc/store", "--port", "80")
    assert out.count("Traffic from") == 2 and "Summary: 1 of 2 connections allowed" in out


def test_unknown_pod_suggests_and_exit_2(dump, capsys):
    code, out, err = run(capsys, "--files", str(dump), "--from", "shop/web-O", "--to", "shop/store-0", "--port", "80")
    assert code == 2 and out == ""
    assert "shop/web-0" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["--from", "shop/web-0", "--to", "shop/store-0"],
    ["--from", "shop/web-0", "--to", "shop/store-0", "--port", "70000"],
    ["--from", "shop/web-0", "--to", "shop/store-0", "--port", "http"],
    ["--from", "shop/web-0", "--to", "shop/svc/nope", "--port", "80"],
    ["--from", "shop/web-0", "--to", "10.0.0.0/8", "--port", "80"],
])
def test_bad_input_exit_2(dump, capsys, argv):
    code, _, err = run(capsys, "--files", str(dump), *argv)
    assert code == 2 and err.startswith("netpol-tui") and "Traceback" not in err


def test_batch_with_bad_entry(dump, tmp_path, capsys):
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "- {id: ok, from: shop/web-0, to: shop/store-0, port: 8080, note: ignored}\n"
        "- {id: typo, from: shop/web-9, to: shop/store-0, port: 8080}\n"
        "- {id: denied, from: shop/web-0, to: shop/store-0, port: 22}\n"
        "- {id: udp, from: web/client, to: shop/store-0, port: '53', protocol: udp}\n"
        "- {id: noport, from: shop/web-0, to: shop/store-0}\n"
        "- just a string\n"
        "- {id: svc, from: shop/web-0, to: shop/svc/store, port: 80}\n")
    code, out, err = run(capsys, "--files", str(dump), "--batch", str(batch))
    data = json.loads(out)
    results = data["results"]
    assert [r.get("id") for r in results] == ["ok", "typo", "denied", "udp", "noport", 5, "svc"]
    assert [r["verdict"] for r in results] == ["allow", "error", "deny", "allow", "error", "error", "deny"]
    assert "shop/web-0" in results[1]["message"] and "port" in results[4]["message"]
    assert results[3]["protocol"] == "UDP"
    assert len(results[6]["results"]) == 2
    assert code == 2 and "3 of 7" in err


def test_batch_json_all_allowed_exit_0(dump, tmp_path, capsys):
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([{"id": 1, "from": "shop/web-0", "to": "shop/store-0", "port": 8080},
                                 {"id": 2, "from": "shop/store-0", "to": "203.0.113.1", "port": 443}]))
    code, out, _ = run(capsys, "--files", str(dump), "--batch", str(batch))
    assert code == 0 and [r["verdict"] for r in json.loads(out)["results"]] == ["allow", "allow"]
    batch.write_text(json.dumps([{"id": 1, "from": "shop/web-0", "to": "shop/store-0", "port": 22}]))
    code, out, _ = run(capsys, "--files", str(dump), "--batch", str(batch))
    assert code == 1


@pytest.mark.parametrize("content", ["{not: [valid", "just text", ""])
def test_batch_unreadable_exit_2(dump, tmp_path, capsys, content):
    batch = tmp_path / "batch.yaml"
    batch.write_text(content)
    code, out, err = run(capsys, "--files", str(dump), "--batch", str(batch))
    assert code == 2 and out == "" and "batch file" in err


def test_batch_missing_file_exit_2(dump, tmp_path, capsys):
    code, _, err = run(capsys, "--files", str(dump), "--batch", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot read batch file" in err


def _demo_pod(demo, namespace, app):
    from netpol_tui.sources.demo import load_demo

    pods = [p for p in load_demo(demo).pods if p.namespace == namespace and p.labels.get("app") == app]
    if not pods:
        pytest.skip(f"demo {demo} has no {namespace} pod with app={app}")
    return f"{namespace}/{pods[0].name}"


def test_demo_typo_policy_is_pointed_out(capsys):
    code, out, _ = run(capsys, "--demo", "calico", "--from", _demo_pod("calico", "shop", "web"),
                       "--to", _demo_pod("calico", "shop", "store"), "--port", "8080")
    # the demo's allow-store-from-web policy selects app=stor: the store pod stays default-denied
    assert code == 1 and "is DENIED" in out
    assert "would allow this" in out and "one character away from 'stor'" in out


def test_demo_dataplane_v2_metadata_note(capsys):
    code, out, _ = run(capsys, "--demo", "dataplane-v2", "--from", _demo_pod("dataplane-v2", "web", "storefront"),
                       "--to", "169.254.169.254", "--port", "80", "--format", "json")
    data = json.loads(out)
    # storefront's egress is not isolated in the demo: allowed, with the metadata rewrite caveat
    assert code == 0 and data["verdict"] == "allow"
    assert data["dataplane"] == "dataplane-v2" and any("rewritten" in n for n in data["notes"])
