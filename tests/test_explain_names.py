"""`netpol-tui explain --to NAME[:PORT]`: egress to a DNS name, decided by FQDNNetworkPolicy on
Dataplane V2 (fixture tests/fixtures/gke_kinds: FQDN policy for shop/web, a CNP allowing batch
the world on 443, a CCNP denying batch a range)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from netpol_tui.cli import main

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gke_kinds"


def run(capsys, *argv: str, files: Path = FIXTURE) -> tuple[int, str, str]:
    code = main(["explain", "--files", str(files), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_exact_name_allowed_by_the_fqdn_rule(capsys):
    code, out, err = run(capsys, "--from", "shop/web-0", "--to", "api.payments.example:443")
    assert code == 0, err
    assert "to api.payments.example on TCP port 443 is ALLOWED (Dataplane V2)" in out
    assert "allowed by egress[0] of FQDNNetworkPolicy shop/allow-payments-api" in out


def test_port_in_the_name_or_in_port_flag(capsys):
    assert run(capsys, "--from", "shop/web-0", "--to", "x.cdn.example", "--port", "443")[0] == 0
    assert run(capsys, "--from", "shop/web-0", "--to", "x.cdn.example:443", "--port", "443")[0] == 0
    code, _, err = run(capsys, "--from", "shop/web-0", "--to", "x.cdn.example:443", "--port", "80")
    assert code == 2 and "names port 443, --port says 80" in err
    code, _, err = run(capsys, "--from", "shop/web-0", "--to", "x.cdn.example")
    assert code == 2 and "missing --port" in err


def test_pattern_is_one_label_and_port_must_match(capsys):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "a.b.cdn.example:443")
    assert code == 1 and "is DENIED" in out and "no FQDN rule names it" in out
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "api.payments.example:80")
    assert code == 1 and "is DENIED" in out


def test_json_names_the_deciding_rule_with_its_kind(capsys):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "api.payments.example:443", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "allow" and data["to"] == {"kind": "name", "name": "api.payments.example"}
    ref = data["egress"]["allowed_by"][0]
    assert ref["kind"] == "FQDNNetworkPolicy" and ref["section"] == "egress" and ref["rule"] == 0
    assert ref["policy"] == "shop/allow-payments-api"


def test_not_isolated_pod_reaches_any_name(capsys):
    code, out, _ = run(capsys, "--from", "shop/db-0", "--to", "example.com:443")
    assert code == 0 and "no policy isolates its egress" in out


def test_cilium_world_allow_with_a_cidr_deny_in_doubt_is_unknown_with_nslookup(capsys):
    code, out, _ = run(capsys, "--from", "batch/job-0", "--to", "example.com:443")
    assert code == 3 and "is UNKNOWN" in out
    assert "egressDeny[0] of CCNP lockdown may deny it" in out
    line = next(line for line in out.splitlines() if "nslookup" in line)
    command = line.split("`")[1]
    assert shlex.split(command) == ["nslookup", "example.com"]
    # nothing allows port 80: denied whatever the deny rule matches
    code, out, _ = run(capsys, "--from", "batch/job-0", "--to", "example.com:80")
    assert code == 1 and "isolated by CNP batch/world-https" in out


def test_ip_only_an_fqdn_rule_might_allow_is_unknown_with_the_lookup(capsys):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "203.0.113.5", "--port", "443")
    assert code == 3 and "is UNKNOWN" in out
    assert "allowed only if 203.0.113.5 is what such a name resolved to" in out
    assert "`nslookup api.payments.example`" in out
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "203.0.113.5", "--port", "80")
    assert code == 1, "no FQDN rule on port 80: definitely denied"


def test_service_name_is_evaluated_as_its_pods_and_never_by_fqdn(capsys):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "db.shop.svc.cluster.local:5432")
    assert code == 1 and "to shop/db-0 (10.64.0.11, via Service shop/db)" in out
    assert "is the DNS name of Service shop/db" in out and "never allows a ClusterIP or headless Service" in out
    assert "egress[1] of FQDNNetworkPolicy shop/allow-payments-api names db.shop.svc.cluster.local, to no effect" in out
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "db.shop:5432")
    assert code == 1 and "DNS name of Service shop/db" in out
    code, _, err = run(capsys, "--from", "shop/web-0", "--to", "nope.shop.svc.cluster.local:5432")
    assert code == 2 and "no Service 'nope'" in err


def test_name_needs_a_pod_source(capsys):
    code, _, err = run(capsys, "--from", "203.0.113.9", "--to", "example.com:443")
    assert code == 2 and "must be a pod" in err


def test_suggest_refuses_a_name(capsys):
    code, _, err = run(capsys, "--from", "shop/web-0", "--to", "a.b.cdn.example:443", "--suggest")
    assert code == 2 and "FQDNNetworkPolicy" in err


def test_batch_entries_by_name(capsys, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text(yaml.safe_dump([{"id": "a", "from": "shop/web-0", "to": "api.payments.example:443"},
                                     {"id": "b", "from": "shop/web-0", "to": "a.b.cdn.example", "port": 443}]))
    code, out, _ = run(capsys, "--batch", str(batch))
    results = {item["id"]: item["verdict"] for item in json.loads(out)["results"]}
    assert results == {"a": "allow", "b": "deny"} and code == 1


@pytest.mark.parametrize("dataplane", ["calico", "kubernetes"])
def test_other_dataplanes_ignore_fqdn_policies(capsys, dataplane):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "api.payments.example:443", "--dataplane", dataplane)
    # only the NetworkPolicy web-dns isolates (DNS only): no FQDN allow, so denied, and said why
    assert code == 1 and "is DENIED" in out
    assert "FQDN network policy is enforced only by Dataplane V2" in out


def test_fqdn_kind_unread_makes_the_name_unknown(capsys, tmp_path):
    (tmp_path / "cluster.json").write_text((FIXTURE / "cluster.json").read_text())
    documents = yaml.safe_load((FIXTURE / "objects.yaml").read_text())
    documents["items"] = [item for item in documents["items"] if item["kind"] != "FQDNNetworkPolicy"]
    (tmp_path / "objects.yaml").write_text(yaml.safe_dump(documents))
    # a rejected-only FQDN list: the kind was read but nothing of it is usable -> unknown
    (tmp_path / "fqdn.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "networking.gke.io/v1alpha1", "kind": "FQDNNetworkPolicy",
         "metadata": {"name": "broken", "namespace": "shop"}, "spec": {"podSelector": 7}}]}))
    code, out, _ = run(capsys, "--from", "shop/db-0", "--to", "example.com:443", files=tmp_path)
    assert code == 3 and "FQDNNetworkPolicy objects were not read" in out


def test_pod_dns_record_is_that_pod(capsys):
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "10-64-0-11.shop.pod.cluster.local:5432")
    assert code == 1 and "to shop/db-0 (10.64.0.11)" in out


def test_short_service_name_with_services_unread_is_unknown(capsys, tmp_path):
    (tmp_path / "cluster.json").write_text((FIXTURE / "cluster.json").read_text())
    documents = yaml.safe_load((FIXTURE / "objects.yaml").read_text())
    documents["items"] = [item for item in documents["items"] if item["kind"] != "Service"]
    (tmp_path / "objects.yaml").write_text(yaml.safe_dump(documents))
    (tmp_path / "services.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "broken", "namespace": "shop"},
         "spec": {"ports": "nope"}}]}))
    code, out, _ = run(capsys, "--from", "shop/web-0", "--to", "db.shop:5432", files=tmp_path)
    assert code == 3 and "may be the DNS name of Service shop/db" in out
