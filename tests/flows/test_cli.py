"""`netpol-tui flows` on the Dataplane V2 demo: output formats, --only, stdin and exit codes."""

from __future__ import annotations

import io
import json
import shlex
import sys

import pytest

from netpol_tui.cli import main
from tests.flows.records import gke_payload, hubble_flow, log_entry, write_array, write_lines

WHEN = "2024-11-18T15:10:00Z"  # after the demo pods started, before its snapshot
STOREFRONT = ("web", "storefront-n44mssgcw7-fdf5n")
API = ("api", "api-lrvgkshcpn-jcz8c")
INVOICER = ("billing", "invoicer-g4f8hjnn2t-nb59c")
AGREE = gke_payload("10.52.2.3", "10.52.2.5", 9000, "deny", "egress", STOREFRONT, INVOICER, timestamp=WHEN,
                    node="gk3-web-autopilot-nap-e2-standard-4-e8432e21-fpsr")
# allow-internal allows 10.0.0.0/8, an ipBlock that Dataplane V2 never matches for pod traffic
DISAGREE = gke_payload("10.52.2.3", "10.52.3.4", 8080, "allow", "ingress", STOREFRONT, API, timestamp=WHEN,
                       node="gk3-web-autopilot-nap-e2-standard-4-a3ab5570-dm6p")
UNKNOWN = gke_payload("10.52.2.99", "10.52.3.4", 8080, "deny", "ingress", ("web", "ghost-1"), API, timestamp=WHEN)


def flows(tmp_path, capsys, records, *extra, writer=write_lines):
    path = writer(tmp_path / "flows.json", records)
    code = main(["flows", "--demo", "dataplane-v2", "--flows", str(path), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_all_agree_exits_0(tmp_path, capsys):
    code, out, _ = flows(tmp_path, capsys, [log_entry(AGREE)], writer=write_array)
    assert code == 0
    assert "[AGREES] observed deny" in out and "netpol-tui explain --demo dataplane-v2" in out


def test_disagreement_exits_1_with_json_shape(tmp_path, capsys):
    code, out, _ = flows(tmp_path, capsys, [AGREE, DISAGREE], "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) >= {"groups", "problems"}
    statuses = {(g["observed"], g["status"]) for g in data["groups"]}
    assert statuses == {("deny", "agrees"), ("allow", "disagrees")}
    disagreeing = next(g for g in data["groups"] if g["status"] == "disagrees")
    assert disagreeing["src"]["namespace"] == "web" and disagreeing["src"]["pod"] == STOREFRONT[1]
    assert disagreeing["dst"]["workload"] == "Deployment/api" and disagreeing["dst"]["ip"] == "10.52.3.4"
    assert disagreeing["predicted"] == "deny"
    assert any(d["kind"] == "dataplane-semantics" and "ipBlock" in d["text"] for d in disagreeing["diagnosis"])
    words = shlex.split(disagreeing["explain_command"])
    assert words[:4] == ["netpol-tui", "explain", "--demo", "dataplane-v2"]


def test_only_filters_groups(tmp_path, capsys):
    _, out, _ = flows(tmp_path, capsys, [AGREE, DISAGREE], "--format", "json", "--only", "disagree")
    assert [g["status"] for g in json.loads(out)["groups"]] == ["disagrees"]
    _, out, _ = flows(tmp_path, capsys, [AGREE, DISAGREE], "--format", "json", "--only", "deny")
    assert [g["observed"] for g in json.loads(out)["groups"]] == ["deny"]


def test_unknown_exits_3(tmp_path, capsys):
    code, out, _ = flows(tmp_path, capsys, [AGREE, UNKNOWN])
    assert code == 3 and "[UNKNOWN]" in out and "ghost-1 is not in the snapshot" in out


def test_markdown(tmp_path, capsys):
    code, out, _ = flows(tmp_path, capsys, [DISAGREE], "--format", "markdown")
    assert code == 1
    assert "| status | observed | engine |" in out and "```sh\nnetpol-tui explain" in out


def test_problems_are_reported_and_counted(tmp_path, capsys):
    bad = json.loads(json.dumps(AGREE))
    bad["connection"]["dest_port"] = "x"
    code, out, err = flows(tmp_path, capsys, [AGREE, bad], "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["problems"] == [{"file": str(tmp_path / "flows.json"), "line": 2, "index": None,
                                 "field": "connection.dest_port", "message": "not a port number: 'x'"}]
    assert "connection.dest_port" in err


def test_bad_input_exits_2(tmp_path, capsys):
    from netpol_tui.sources.demo import demo_path

    assert main(["flows", "--files", str(demo_path("dataplane-v2"))]) == 2  # no flow source at all
    assert "--flows" in capsys.readouterr().err
    assert main(["flows", "--demo", "dataplane-v2", "--flows", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    junk = tmp_path / "junk.json"
    junk.write_text("{broken\n")
    assert main(["flows", "--demo", "dataplane-v2", "--flows", str(junk)]) == 2
    assert main(["flows", "--demo", "dataplane-v2", "--flows", "-", "--flows", "-"]) == 2


def test_hubble_from_stdin(monkeypatch, capsys):
    lines = [hubble_flow("10.52.2.3", "10.52.2.5", 9000, "DROPPED", "EGRESS", STOREFRONT, INVOICER,
                         drop_reason="POLICY_DENIED", time=WHEN),
             hubble_flow("10.52.2.3", "10.52.2.5", 9000, "DROPPED", "EGRESS", STOREFRONT, INVOICER,
                         drop_reason="CT_MAP_INSERTION_FAILED", time=WHEN)]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert main(["flows", "--demo", "dataplane-v2", "--flows", "-"]) == 0
    out = capsys.readouterr().out
    assert "Counted apart: 1 dropped for a reason other than policy: CT_MAP_INSERTION_FAILED" in out


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_demo_calico_without_records_is_bad_input(tmp_path, capsys, fmt):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert main(["flows", "--demo", "calico", "--flows", str(empty), "--format", fmt]) == 2
