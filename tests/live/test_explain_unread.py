"""`explain` against the loopback API server with the real kubernetes client: a forbidden list
makes the verdicts that depend on it UNKNOWN (exit 3), naming the permission to ask for."""

from __future__ import annotations

import json

import pytest

from netpol_tui.cli import main
from tests.live.standin import GkeAPI, KubeAPI


def explain(capsys, kubeconfig_path: str, gke_api: GkeAPI, *argv: str) -> tuple[int, str, str]:
    code = main(["explain", "--kubeconfig", kubeconfig_path, "--gke-endpoint", gke_api.url, "--timeout", "2", *argv])
    out, err = capsys.readouterr()
    return code, out, err


DB = ("--to", "shop/db-0", "--port", "5432")


def test_full_read_gives_the_definite_answers(capsys, kubeconfig_path, kube_api: KubeAPI, gke_api: GkeAPI):
    code, out, _ = explain(capsys, kubeconfig_path, gke_api, "--from", "kube-system/kube-dns-abc", *DB)
    assert code == 1 and "is DENIED" in out
    code, out, _ = explain(capsys, kubeconfig_path, gke_api, "--from", "shop/web-7d9f-abcde", *DB)
    assert code == 1 and "is DENIED" in out  # web's egress policies allow no 5432 inside the pod range


def test_networkpolicies_forbidden_is_unknown(capsys, kubeconfig_path, kube_api: KubeAPI, gke_api: GkeAPI):
    kube_api.fault("/networkpolicies", status=403, times=None)
    code, out, err = explain(capsys, kubeconfig_path, gke_api, "--from", "kube-system/kube-dns-abc", *DB)
    assert code == 3, err
    assert "is UNKNOWN" in out and "NetworkPolicy objects were not read" in out
    assert "kubectl auth can-i list networkpolicies -A" in out
    code, out, _ = explain(capsys, kubeconfig_path, gke_api, "--from", "kube-system/kube-dns-abc", *DB,
                           "--format", "json")
    data = json.loads(out)
    assert code == 3 and data["verdict"] == "unknown"
    assert any("networkpolicies" in reason for reason in data["unknown_because"])


def test_namespaces_forbidden_unknown_only_where_a_namespace_selector_decides(
        capsys, kubeconfig_path, kube_api: KubeAPI, gke_api: GkeAPI):
    kube_api.fault("/api/v1/namespaces", status=403, times=None)
    code, out, err = explain(capsys, kubeconfig_path, gke_api, "--from", "kube-system/kube-dns-abc", *DB)
    assert code == 3, out + err
    assert "is UNKNOWN" in out and "labels of namespace kube-system" in out
    assert "kubectl auth can-i list namespaces" in out
    # web's egress denies 5432 by rules that involve no namespace: still a definite DENIED
    code, out, _ = explain(capsys, kubeconfig_path, gke_api, "--from", "shop/web-7d9f-abcde", *DB)
    assert code == 1 and "is DENIED" in out and "does not depend on them" in out


@pytest.mark.parametrize("target", ["10.64.1.12", "shop/db-0"])
def test_pods_forbidden_is_unknown(capsys, kubeconfig_path, kube_api: KubeAPI, gke_api: GkeAPI, target):
    kube_api.fault("/api/v1/pods", status=403, times=None)
    code, out, err = explain(capsys, kubeconfig_path, gke_api, "--from", "10.64.0.11", "--to", target,
                             "--port", "5432")
    assert code == 3, out + err
    assert "UNKNOWN" in out and "kubectl auth can-i list pods -A" in out
