"""`check` against the loopback stand-in with a kind forbidden (403): the real kubernetes client
reads everything else, the checks that need the kind are unknown, and the exit status and SARIF
say so (exit 3, `executionSuccessful: false`, a notification naming the permission)."""

from __future__ import annotations

import json

import pytest

from netpol_tui.cli import main
from tests.live import data
from tests.live.standin import GkeAPI, KubeAPI

FORBIDDEN_POLICIES = ('networkpolicies.networking.k8s.io is forbidden: User "alice@example.com" cannot list '
                      'resource "networkpolicies" in API group "networking.k8s.io" at the cluster scope')


def _check(capsys: pytest.CaptureFixture[str], kubeconfig_path: str, gke_api: GkeAPI, *argv: str) -> tuple[int, str]:
    code = main(["check", "--kubeconfig", kubeconfig_path, "--gke-endpoint", gke_api.url, "--timeout", "2", *argv])
    return code, capsys.readouterr().out


def test_policies_forbidden_exit_3_and_sarif_notification(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.fault("/networkpolicies", status=403, times=None, message=FORBIDDEN_POLICIES)
    code, out = _check(capsys, kubeconfig_path, gke_api, "--select", "NP", "--format", "sarif")
    assert code == 3
    run_ = json.loads(out)["runs"][0]
    assert run_["results"] == []
    invocation = run_["invocations"][0]
    assert invocation["executionSuccessful"] is False
    kinds = [n for n in invocation["toolExecutionNotifications"] if n["descriptor"]["id"] == "not-read"]
    assert [n["properties"]["kind"] for n in kinds] == ["NetworkPolicy"]
    assert kinds[0]["properties"]["permission"] == ["kubectl auth can-i list networkpolicies.networking.k8s.io -A"]
    assert "forbidden for alice@example.com" in kinds[0]["message"]["text"]
    # the same cluster with every kind readable: the NP checks decide, the run succeeds
    kube_api.faults.clear()
    code, out = _check(capsys, kubeconfig_path, gke_api, "--select", "NP", "--format", "sarif", "--fail-on", "never")
    assert code == 0 and json.loads(out)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_pods_forbidden_in_a_namespace_text_says_unknown_first(kubeconfig_path: str, kube_api: KubeAPI,
                                                               gke_api: GkeAPI,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.fault("/pods", status=403, times=None)
    code, out = _check(capsys, kubeconfig_path, gke_api, "--namespace", "shop", "--select", "NP001,NP004")
    assert code == 3
    lines = out.splitlines()
    assert lines[2].startswith("UNKNOWN: 2 of 2 checks could not decide")
    assert "Pod not read: forbidden" in lines[3]
    assert lines[3].endswith("check the permission: kubectl auth can-i list pods -n shop")


def test_fleet_with_a_forbidden_kind_exits_3(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    kube_api.fault("/networkpolicies", status=403, times=None, message=FORBIDDEN_POLICIES)
    code, out = _check(capsys, kubeconfig_path, gke_api, "--contexts", data.CONTEXT, "--select", "NP",
                       "--format", "json")
    assert code == 3
    cluster = json.loads(out)["clusters"][0]
    assert cluster["status"] == "ok" and cluster["unknown"] == 6
    assert cluster["report"]["complete"] is False
    assert cluster["report"]["not_read"][0]["kind"] == "NetworkPolicy"
    code, _ = _check(capsys, kubeconfig_path, gke_api, "--contexts", data.CONTEXT, "--select", "NP",
                     "--fail-on", "never")
    assert code == 0
