"""`netpol-tui explain` on snapshots with a kind not read: UNKNOWN and exit 3, the batch exit rule,
and output sanitised of the control sequences cluster text may carry."""

from __future__ import annotations

import json

import pytest

from netpol_tui.cli import main

NAMESPACES = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "shop"}}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": {"team": "web"}}},
]
PODS = [
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.0.1"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db-0", "namespace": "shop", "labels": {"app": "db"}},
     "spec": {"containers": [{"name": "c", "ports": [{"name": "pg", "containerPort": 5432}]}]},
     "status": {"phase": "Running", "podIP": "10.0.0.2"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "namespace": "web", "labels": {"app": "client"}},
     "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Running", "podIP": "10.0.1.1"}},
]
POLICIES = [
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "db", "namespace": "shop"},
     "spec": {"podSelector": {"matchLabels": {"app": "db"}},
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                                    {"namespaceSelector": {"matchLabels": {"team": "web"}}}],
                           "ports": [{"port": 5432}]}]}},
]
SERVICES = [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "shop"},
     "spec": {"selector": {"app": "db"}, "ports": [{"port": 5432}]}},
]
KINDS = {"NetworkPolicy": POLICIES, "Namespace": NAMESPACES, "Pod": PODS, "Service": SERVICES}
PERMISSIONS = {"NetworkPolicy": "kubectl auth can-i list networkpolicies -A",
               "Namespace": "kubectl auth can-i list namespaces", "Pod": "kubectl auth can-i list pods -A",
               "Service": "kubectl auth can-i list services -A"}


def dump(tmp_path, forbidden=(), extra=()):
    """A saved snapshot whose `forbidden` kinds were refused (403) when it was captured."""
    for kind, items in KINDS.items():
        if kind not in forbidden:
            (tmp_path / f"{kind.lower()}s.json").write_text(json.dumps(
                {"apiVersion": "v1", "kind": "List", "items": items + [i for i in extra if i["kind"] == kind]}))
    manifest = {"apiVersion": "netpol-tui/v1", "kind": "NetpolTuiSnapshot", "capturedAt": "2026-01-02T03:04:05+00:00",
                "unknown": [{"kind": kind, "reason": f"forbidden: list {kind.lower()}s at cluster scope"}
                            for kind in forbidden]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return str(tmp_path)


def run(capsys, *argv):
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# (forbidden kind, from, to, port, the answer with everything read)
CASES = [
    ("NetworkPolicy", "shop/web-0", "shop/db-0", "5432", 0),
    ("NetworkPolicy", "web/client", "shop/db-0", "22", 1),
    ("Namespace", "web/client", "shop/db-0", "5432", 0),
    ("Pod", "10.0.1.1", "10.0.0.2", "5432", 0),
    ("Pod", "web/client", "shop/db-0", "5432", 0),
    ("Service", "web/client", "shop/svc/db", "5432", 0),
]


@pytest.mark.parametrize("kind, src, dst, port, full", CASES)
def test_forbidden_kind_makes_explain_unknown_exit_3(tmp_path, capsys, kind, src, dst, port, full):
    (tmp_path / "full").mkdir()
    (tmp_path / "part").mkdir()
    code, out, err = run(capsys, "--files", dump(tmp_path / "full"), "--from", src, "--to", dst, "--port", port)
    assert code == full, out + err
    code, out, err = run(capsys, "--files", dump(tmp_path / "part", [kind]), "--from", src, "--to", dst,
                         "--port", port)
    assert code == 3, out + err
    assert "UNKNOWN" in out and "ALLOWED" not in out and "DENIED" not in out
    assert f"{kind} objects were not read" in out and PERMISSIONS[kind] in out
    code, out, _ = run(capsys, "--files", str(tmp_path / "part"), "--from", src, "--to", dst, "--port", port,
                       "--format", "json")
    data = json.loads(out)
    assert code == 3 and data["verdict"] == "unknown"
    assert data["unknown_because"] and any(PERMISSIONS[kind] in reason for reason in data["unknown_because"])


def test_namespaces_forbidden_same_namespace_rule_stays_definite(tmp_path, capsys):
    code, out, _ = run(capsys, "--files", dump(tmp_path, ["Namespace"]), "--from", "shop/web-0", "--to", "shop/db-0",
                       "--port", "5432")
    assert code == 0 and "is ALLOWED" in out and "does not depend on them" in out


def test_batch_results_and_the_aggregate_exit(tmp_path, capsys):
    path = dump(tmp_path, ["Namespace"])
    entries = {"allowed": {"from": "shop/web-0", "to": "shop/db-0", "port": 5432},
               "unknown": {"from": "web/client", "to": "shop/db-0", "port": 5432},
               "denied": {"from": "web/client", "to": "shop/db-0", "port": 22},
               "error": {"from": "web/nope", "to": "shop/db-0", "port": 22}}

    def batch(*names):
        (tmp_path / "batch.json").write_text(json.dumps([{"id": name, **entries[name]} for name in names]))
        code, out, err = run(capsys, "--files", path, "--batch", str(tmp_path / "batch.json"))
        return code, json.loads(out)["results"], err

    code, results, err = batch("allowed", "unknown")
    assert code == 3 and [r["verdict"] for r in results] == ["allow", "unknown"]
    assert results[1]["unknown_because"] and "1 of 2 batch entries are unknown" in err
    assert batch("allowed")[0] == 0
    assert batch("unknown", "denied")[0] == 1
    assert batch("unknown", "error")[0] == 2


def test_batch_pods_forbidden_entry_is_unknown_not_error(tmp_path, capsys):
    path = dump(tmp_path, ["Pod"])
    (tmp_path / "batch.yaml").write_text("- {id: a, from: web/client, to: shop/db-0, port: 5432}\n")
    code = main(["explain", "--files", path, "--batch", str(tmp_path / "batch.yaml")])
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert code == 3 and result["verdict"] == "unknown" and "kubectl auth can-i list pods -A" in result["unknown_because"][0]


HOSTILE = "x\x1b]52;c;SGVsbG8=\x07\x1b[2J\x1b]0;pwned\x07\x00\u202e\u009b31m"


def test_explain_output_never_carries_control_sequences(tmp_path, capsys):
    hostile_policy = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                      "metadata": {"name": f"deny{HOSTILE}", "namespace": "shop"},
                      "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                               "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": HOSTILE}}}]}]}}
    hostile_ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": {"team": "y" + HOSTILE}}}
    path = dump(tmp_path, extra=[hostile_policy])
    for args in ((), ("--format", "json")):
        code, out, _ = run(capsys, "--files", path, "--from", "web/client", "--to", "shop/db-0", "--port", "22", *args)
        assert code == 1 and "shop/denyx" in out  # the hostile policy is shown, cleaned
        for bad in ("\x1b", "\x07", "\x00", "\u202e", "\u009b"):
            assert bad not in out, (args, repr(bad))
        if args:  # JSON escapes (\u202e) must not decode back into the raw characters either
            decoded = json.dumps(json.loads(out), ensure_ascii=False)
            for bad in ("\x1b", "\x07", "\x00", "\u202e", "\u009b"):
                assert bad not in decoded, repr(bad)
    # the namespace label too, through a denial that quotes it
    (tmp_path / "ns").mkdir()
    path = dump(tmp_path / "ns", extra=[hostile_policy])
    items = json.loads((tmp_path / "ns" / "namespaces.json").read_text())
    items["items"][1] = hostile_ns
    (tmp_path / "ns" / "namespaces.json").write_text(json.dumps(items))
    code, out, _ = run(capsys, "--files", path, "--from", "web/client", "--to", "shop/db-0", "--port", "22")
    assert code == 1 and "namespace web has team=yx" in out
    assert not any(bad in out for bad in ("\x1b", "\x07", "\x00", "\u202e", "\u009b"))
