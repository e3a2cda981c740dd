"""The Dataplane V2 policy kinds read live, with the real kubernetes client against the loopback
stand-in: CRDs absent (404: loaded as none, silently), forbidden (403: not read, verdicts for
pods they could select unknown with the permission, the rest definite) and present (read and
enforced)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from netpol_tui.cli import main
from netpol_tui.model.snapshot import Kind
from netpol_tui.sources import SourceOptions
from netpol_tui.sources.live import load_live
from tests.live import data
from tests.live.conftest import TOKEN, write_kubeconfig
from tests.live.harness import serving
from tests.live.standin import GkeAPI, KubeAPI, kubeconfig

FQDN_PATH = "/apis/networking.gke.io/v1alpha1/fqdnnetworkpolicies"
CNP_PATH = "/apis/cilium.io/v2/ciliumnetworkpolicies"
CCNP_PATH = "/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies"
WEB = "shop/web-7d9f-abcde"


def dv2_cluster() -> dict:
    cluster = copy.deepcopy(data.gke_cluster())
    cluster["networkConfig"] = {"datapathProvider": "ADVANCED_DATAPATH", "enableFqdnNetworkPolicy": True,
                                "dnsConfig": {"clusterDns": "CLOUD_DNS"}}
    cluster.pop("networkPolicy", None)
    cluster["addonsConfig"] = {"dnsCacheConfig": {"enabled": True}}
    return cluster


@pytest.fixture
def gke_v2() -> Iterator[GkeAPI]:
    with serving(GkeAPI({(data.PROJECT, data.LOCATION, data.CLUSTER): dv2_cluster()},
                        {(data.PROJECT, data.LOCATION): data.gke_operations()})) as server:
        yield server


@pytest.fixture
def kube_crds() -> Iterator[KubeAPI]:
    with serving(KubeAPI(data.cluster_objects(), token=TOKEN, crds=True)) as server:
        yield _with_kinds(server)


def _with_kinds(server: KubeAPI) -> KubeAPI:
    server.add("fqdnnetworkpolicies", {
        "metadata": {"name": "allow-payments-api", "namespace": "shop", "resourceVersion": "7"},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}},
                 "egress": [{"matches": [{"name": "api.payments.example"}], "ports": [{"protocol": "TCP",
                                                                                         "port": 443}]}]}})
    server.add("ciliumclusterwidenetworkpolicies", {
        "metadata": {"name": "lockdown", "resourceVersion": "8"},
        "spec": {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "shop"}},
                 "enableDefaultDeny": {"egress": False, "ingress": False},
                 "egressDeny": [{"toCIDRSet": [{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}],
                                 "toPorts": [{"ports": [{"port": "8000", "endPort": 8100, "protocol": "TCP"}]}]}]}})
    return server


def _kubeconfig(tmp_path: Path, server: KubeAPI) -> str:
    return write_kubeconfig(tmp_path / "kubeconfig", kubeconfig(server.url, data.CONTEXT, token=TOKEN))


def explain(capsys, path: str, gke: GkeAPI, *argv: str) -> tuple[int, str]:
    code = main(["explain", "--kubeconfig", path, "--gke-endpoint", gke.url, "--timeout", "2", *argv])
    out, err = capsys.readouterr()
    return code, out + err


def test_crds_absent_load_as_none_silently(capsys, tmp_path: Path, kube_api: KubeAPI, gke_v2: GkeAPI):
    path = _kubeconfig(tmp_path, kube_api)
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2.0, gke_endpoint=gke_v2.url))
    assert kube_api.paths(FQDN_PATH) and kube_api.paths(CNP_PATH) and kube_api.paths(CCNP_PATH), "asked, got 404"
    assert snapshot.has(Kind.FQDN_POLICY) and snapshot.has(Kind.CILIUM_POLICY)
    assert snapshot.fqdn_policies == () and snapshot.cilium_policies == ()
    assert snapshot.unknown_reason(Kind.FQDN_POLICY) is None and snapshot.unknown_reason(Kind.CILIUM_POLICY) is None
    assert not [p for p in snapshot.problems if "cilium" in p.message or "fqdn" in p.message.lower()]
    code, out = explain(capsys, path, gke_v2, "--from", WEB, "--to", "shop/db-0", "--port", "5432")
    assert code == 1 and "is DENIED (Dataplane V2)" in out and "not read" not in out


def test_crds_forbidden_are_not_read_and_verdicts_they_decide_unknown(capsys, tmp_path: Path, kube_api: KubeAPI,
                                                                       gke_v2: GkeAPI):
    kube_api.fault("/fqdnnetworkpolicies", status=403, times=None,
                   message='fqdnnetworkpolicies.networking.gke.io is forbidden: User "alice@example.com" cannot list '
                           'resource "fqdnnetworkpolicies"')
    path = _kubeconfig(tmp_path, kube_api)
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2.0, gke_endpoint=gke_v2.url))
    reason = snapshot.unknown_reason(Kind.FQDN_POLICY)
    assert reason and "forbidden for alice@example.com" in reason and not snapshot.has(Kind.FQDN_POLICY)
    assert snapshot.has(Kind.CILIUM_POLICY) and snapshot.has(Kind.POD) and len(snapshot.pods) == 5
    # egress of a pod an FQDN policy could select: unknown, naming the permission
    code, out = explain(capsys, path, gke_v2, "--from", WEB, "--to", "shop/db-0", "--port", "5432")
    assert code == 3 and "is UNKNOWN" in out
    assert "FQDNNetworkPolicy objects were not read" in out
    assert "kubectl auth can-i list fqdnnetworkpolicies.networking.gke.io -A" in out
    code = main(["explain", "--kubeconfig", path, "--gke-endpoint", gke_v2.url, "--from", WEB, "--to",
                 "example.com:443", "--format", "json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 3 and answer["verdict"] == "unknown" and answer["to"] == {"kind": "name", "name": "example.com"}
    assert any("fqdnnetworkpolicies.networking.gke.io" in reason for reason in answer["unknown_because"])
    # ingress is not theirs to decide: from outside to db stays a definite answer
    code, out = explain(capsys, path, gke_v2, "--from", "203.0.113.9", "--to", "shop/db-0", "--port", "5432")
    assert code == 1 and "is DENIED" in out


def test_clusterwide_forbidden_names_that_list(capsys, tmp_path: Path, kube_api: KubeAPI, gke_v2: GkeAPI):
    kube_api.fault("/ciliumclusterwidenetworkpolicies", status=403, times=None)
    path = _kubeconfig(tmp_path, kube_api)
    code, out = explain(capsys, path, gke_v2, "--from", "203.0.113.9", "--to", "shop/db-0", "--port", "5432")
    assert code == 3 and "CiliumPolicy objects were not read" in out
    assert "kubectl auth can-i list ciliumclusterwidenetworkpolicies.cilium.io" in out
    # on Calico these kinds are not enforced: unread or not, the answer stands
    code, out = explain(capsys, path, gke_v2, "--from", "203.0.113.9", "--to", "shop/db-0", "--port", "5432",
                        "--dataplane", "calico")
    assert code == 1


def test_crds_present_are_read_and_enforced(capsys, tmp_path: Path, kube_crds: KubeAPI, gke_v2: GkeAPI):
    path = _kubeconfig(tmp_path, kube_crds)
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2.0, gke_endpoint=gke_v2.url))
    assert [p.label for p in snapshot.fqdn_policies] == ["FQDNNetworkPolicy shop/allow-payments-api"]
    assert [p.label for p in snapshot.cilium_policies] == ["CCNP lockdown"]
    assert snapshot.counts()["fqdnnetworkpolicies"] == 1 and snapshot.problems == ()
    code, out = explain(capsys, path, gke_v2, "--from", WEB, "--to", "api.payments.example:443")
    assert code == 0 and "allowed by egress[0] of FQDNNetworkPolicy shop/allow-payments-api" in out
    # web-egress allows 0.0.0.0/0 except the pod range on 8000 (endPort ignored on Dataplane V2); the CCNP deny takes precedence
    code, out = explain(capsys, path, gke_v2, "--from", WEB, "--to", "203.0.113.7", "--port", "8000")
    assert code == 1 and "denied by egressDeny[0] of CCNP lockdown" in out
    code, out = explain(capsys, path, gke_v2, "--from", WEB, "--to", "10.200.0.7", "--port", "8000")
    assert code == 0, out  # in the deny's except, still allowed by the NetworkPolicy
    # snapshot save keeps them
    code = main(["snapshot", "save", str(tmp_path / "dump"), "--kubeconfig", path, "--gke-endpoint", gke_v2.url])
    capsys.readouterr()
    assert code == 0
    saved = json.loads((tmp_path / "dump" / "ciliumpolicies.json").read_text())
    assert saved["items"][0]["kind"] == "CiliumClusterwideNetworkPolicy"
