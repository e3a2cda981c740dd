"""load_live against the stand-ins: the happy path, then every fault the issue lists."""

from __future__ import annotations

import dataclasses
import socket
import time
from pathlib import Path

import pytest

from netpol_tui.model.snapshot import Kind
from netpol_tui.sources import SourceError, SourceOptions, kube, load_snapshot
from netpol_tui.sources.live import load_live
from tests.live import data
from tests.live.conftest import TOKEN, write_kubeconfig
from tests.live.standin import GkeAPI, KubeAPI, gke_error, kubeconfig

ALL_KINDS = {Kind.NAMESPACE, Kind.NODE, Kind.POD, Kind.NETWORK_POLICY, Kind.SERVICE, Kind.INGRESS, Kind.EVENT,
             Kind.WORKLOAD, Kind.CLUSTER, Kind.OPERATION, Kind.NETWORK_LOGGING,
             # the stand-in serves no FQDN/Cilium CRDs: their 404s read as "none", so loaded (empty)
             Kind.FQDN_POLICY, Kind.CILIUM_POLICY}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- happy path


def test_loads_every_kind_with_gke_data(options: SourceOptions, kube_api: KubeAPI) -> None:
    seen: list[tuple[str, int, int]] = []
    snapshot = load_live(options, lambda what, done, total: seen.append((what, done, total)))
    assert snapshot.counts() == {"namespaces": 3, "pods": 5, "nodes": 3, "networkpolicies": 3, "services": 3,
                                 "ingresses": 1, "workloads": 3, "events": 1, "clusters": 1, "operations": 2}
    assert snapshot.loaded_kinds == ALL_KINDS
    assert snapshot.problems == () and snapshot.unknown == ()
    assert [w.kind for w in snapshot.workloads] == ["Deployment", "StatefulSet", "DaemonSet"]
    cluster = snapshot.cluster
    assert (cluster.name, cluster.project, cluster.calico_enforcement, cluster.addon_enabled) == \
        ("shop", "demo-project", True, True)
    assert cluster.maintenance_policy.exclusions[0].scope == "NO_UPGRADES"
    # Only this cluster's operations, running or recent; metrics arrive as numbers.
    assert [op.name for op in snapshot.operations] == ["operation-1", "operation-0"]
    assert snapshot.operations[0].metric("NODES_DONE") == 1
    source = snapshot.source
    assert (source.kind, source.context, source.project, source.location, source.cluster) == \
        ("live", data.CONTEXT, data.PROJECT, data.LOCATION, data.CLUSTER)
    assert ("pods", 5, 5) in seen and ("GKE cluster", 1, 1) in seen and seen[-1] == ("", 1, 1)
    first = kube_api.requests[0]
    assert first.headers["authorization"] == f"Bearer {TOKEN}" and first.query["limit"] == ["500"]


def test_load_snapshot_dispatches_to_live(options: SourceOptions) -> None:
    assert load_snapshot(options).source.kind == "live"


def test_pages_through_long_lists(options: SourceOptions, kube_api: KubeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = [data.pod(f"w-{i}", "shop", {"app": "w"}, ip=f"10.64.2.{i}") for i in range(1, 24)]
    kube_api.add("pods", *extra)
    monkeypatch.setattr(kube, "PAGE_SIZE", 5)
    totals: list[tuple[int, int]] = []
    snapshot = load_live(options, lambda what, done, total: totals.append((done, total)) if what == "pods" else None)
    assert len(snapshot.pods) == 28 and len({p.key for p in snapshot.pods}) == 28
    pod_requests = [r for r in kube_api.requests if r.path == "/api/v1/pods"]
    assert len(pod_requests) == 6 and all(r.query["limit"] == ["5"] for r in pod_requests)
    assert "continue" not in pod_requests[0].query and all("continue" in r.query for r in pod_requests[1:])
    assert totals[0] == (5, 28) and totals[-1] == (28, 28)


def test_namespace_narrows_namespaced_lists(kubeconfig_path: str, gke_api: GkeAPI, kube_api: KubeAPI) -> None:
    options = SourceOptions(kubeconfig=kubeconfig_path, namespace="shop", timeout=2, gke_endpoint=gke_api.url)
    snapshot = load_live(options)
    assert {p.namespace for p in snapshot.pods} == {"shop"} and len(snapshot.namespaces) == 3
    assert {w.namespace for w in snapshot.workloads} == {"shop"} and len(snapshot.nodes) == 3
    paths = set(kube_api.paths())
    assert "/api/v1/namespaces/shop/pods" in paths and "/apis/apps/v1/namespaces/shop/daemonsets" in paths
    assert "/api/v1/namespaces" in paths and "/api/v1/nodes" in paths and "/api/v1/pods" not in paths
    assert snapshot.source.namespace == "shop"


def test_stand_in_honours_label_selectors(options: SourceOptions, kube_api: KubeAPI) -> None:
    client = kube.connect(options)
    try:
        document = client.get_json("/api/v1/pods", [("labelSelector", "app=db")])
        assert [i["metadata"]["name"] for i in document["items"]] == ["db-0"]
        document = client.get_json("/api/v1/pods", [("labelSelector", "k8s-app,app!=x")])
        assert {i["metadata"]["name"] for i in document["items"]} == {"kube-dns-abc", "calico-node-x1"}
    finally:
        client.close()


def test_stand_ins_flag_any_request_that_is_not_a_get(kube_api: KubeAPI) -> None:
    """The read-only guard itself works (the fixtures fail a test on any violation)."""
    import urllib.request

    request = urllib.request.Request(f"{kube_api.url}/api/v1/namespaces", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=2)
    assert kube_api.violations == ["POST /api/v1/namespaces"]
    kube_api.violations.clear()


# --------------------------------------------------------------------------- credentials / connection


def test_401_says_credentials_were_refused_and_how_to_fix(tmp_path: Path, kube_api: KubeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, data.CONTEXT, token="expired"))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=2))
    assert time.monotonic() - started < 3
    assert "401" in caught.value.message and "rejected the credentials" in caught.value.message
    assert "expired" in (caught.value.hint or "")


def test_connection_refused_is_one_clear_error(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(f"http://127.0.0.1:{_free_port()}", "dev"))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=2))
    assert time.monotonic() - started < 3
    assert "connection refused" in caught.value.message and "context dev" in caught.value.message
    assert caught.value.hint and "bastion" in caught.value.hint


def test_dns_failure_names_the_host(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig("http://api.cluster.nonexistent.invalid:6443", "dev"))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=2))
    assert "cannot resolve" in caught.value.message and "nonexistent.invalid" in caught.value.message


def test_everything_timing_out_fails_within_the_timeout(tmp_path: Path, kube_api: KubeAPI) -> None:
    kube_api.fault("/", delay=5, times=None)
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=TOKEN))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=0.5))
    assert time.monotonic() - started < 2.5
    assert "did not answer within 0.5 s" in caught.value.message


def test_no_rights_at_all_is_a_source_error_listing_each_kind(tmp_path: Path, kube_api: KubeAPI) -> None:
    kube_api.fault("/", status=403, times=None)
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=TOKEN))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=2))
    assert "forbidden" in caught.value.message
    assert len(caught.value.problems) == len(kube.RESOURCES)
    assert any("networkpolicies.networking.k8s.io" in str(p) for p in caught.value.problems)


# --------------------------------------------------------------------------- per-kind faults


def test_403_on_events_keeps_the_rest_and_names_the_permission(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/events", status=403, times=None,
                   message='events is forbidden: User "alice@example.com" cannot list resource "events" in API '
                           'group "" at the cluster scope')
    snapshot = load_live(options)
    reason = snapshot.unknown_reason(Kind.EVENT)
    assert reason == ("forbidden for alice@example.com: list events at cluster scope; "
                      "grant get/list/watch on events")
    assert Kind.EVENT not in snapshot.loaded_kinds and snapshot.events == ()
    assert snapshot.loaded_kinds == ALL_KINDS - {Kind.EVENT} and len(snapshot.pods) == 5


def test_403_in_a_namespace_names_the_namespace(kubeconfig_path: str, kube_api: KubeAPI, gke_api: GkeAPI) -> None:
    kube_api.fault("/networkpolicies", status=403, times=None)
    snapshot = load_live(SourceOptions(kubeconfig=kubeconfig_path, namespace="shop", timeout=2,
                                       gke_endpoint=gke_api.url))
    assert snapshot.unknown_reason(Kind.NETWORK_POLICY) == (
        "forbidden: list networkpolicies.networking.k8s.io in namespace shop; "
        "grant get/list/watch on networkpolicies.networking.k8s.io")


def test_403_on_one_workload_list_makes_workloads_unknown(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/daemonsets", status=403, times=None)
    snapshot = load_live(options)
    assert snapshot.unknown_reason(Kind.WORKLOAD).startswith("daemonsets: forbidden: list daemonsets.apps")
    assert Kind.WORKLOAD not in snapshot.loaded_kinds
    assert [w.kind for w in snapshot.workloads] == ["Deployment", "StatefulSet"]


def test_404_resource_not_served(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/ingresses", status=404, times=None)
    snapshot = load_live(options)
    assert snapshot.unknown_reason(Kind.INGRESS) == "the API server does not serve networking.k8s.io/v1 ingresses (404)"


def test_429_retries_honouring_retry_after(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/pods", status=429, retry_after="0.2", times=2)
    started = time.monotonic()
    snapshot = load_live(options)
    assert time.monotonic() - started >= 0.4
    assert len(snapshot.pods) == 5 and Kind.POD in snapshot.loaded_kinds
    assert len(kube_api.paths("/api/v1/pods")) == 3


def test_429_asking_for_too_long_gives_up_at_once(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/pods", status=429, retry_after="120", times=None)
    started = time.monotonic()
    snapshot = load_live(options)
    assert time.monotonic() - started < 1.5
    reason = snapshot.unknown_reason(Kind.POD)
    assert "429" in reason and "the server sent Retry-After: 120" in reason
    assert len(kube_api.paths("/api/v1/pods")) == 1


def test_5xx_is_retried_then_reported(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/nodes", status=503, times=1)
    kube_api.fault("/api/v1/services", status=500, times=None, message="etcdserver: request timed out")
    snapshot = load_live(options)
    assert len(snapshot.nodes) == 3 and Kind.NODE in snapshot.loaded_kinds
    reason = snapshot.unknown_reason(Kind.SERVICE)
    assert "failed (500)" in reason and "etcdserver: request timed out" in reason and "after 4 attempts" in reason
    assert len(kube_api.paths("/api/v1/services")) == kube.RETRY.attempts


def test_one_slow_list_times_out_alone(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/events", delay=4, times=None)
    slow = dataclasses.replace(options, timeout=0.5)
    started = time.monotonic()
    snapshot = load_live(slow)
    assert time.monotonic() - started < 2.5
    assert "did not answer within 0.5 s" in snapshot.unknown_reason(Kind.EVENT)
    assert len(snapshot.pods) == 5


def test_connection_dropped_mid_body_is_retried(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/pods", drop=True, times=1)
    kube_api.fault("/apis/networking.k8s.io/v1/networkpolicies", drop=True, times=None)
    snapshot = load_live(options)
    assert len(snapshot.pods) == 5 and len(kube_api.paths("/api/v1/pods")) == 2
    assert "dropped mid-response" in snapshot.unknown_reason(Kind.NETWORK_POLICY)


def test_malformed_object_is_skipped_and_reported(options: SourceOptions, kube_api: KubeAPI) -> None:
    bad = data.pod("broken-0", "shop", {"app": "x"}, ip="10.64.0.99")
    bad["spec"]["containers"][0]["ports"][0]["containerPort"] = "not-a-port"
    kube_api.add("pods", bad, "not even an object")
    snapshot = load_live(options)
    assert len(snapshot.pods) == 5 and Kind.POD in snapshot.loaded_kinds
    messages = [str(p) for p in snapshot.problems]
    assert any("shop/broken-0" in m and "containerPort" in m for m in messages)
    assert any("not an object" in m for m in messages)


def test_malformed_json_page_marks_the_kind_unknown(options: SourceOptions, kube_api: KubeAPI) -> None:
    kube_api.fault("/api/v1/services", body=b'{"items": [', times=None)
    snapshot = load_live(options)
    assert "invalid JSON" in snapshot.unknown_reason(Kind.SERVICE)


def test_expired_continue_token_continues_with_the_servers_token(options: SourceOptions, kube_api: KubeAPI,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kube, "PAGE_SIZE", 2)
    from tests.live.standin import _encode_token

    kube_api.fault("/api/v1/pods", status=410, continue_token=_encode_token(4, 1001),
                   when=lambda query: query.get("continue") is not None)
    snapshot = load_live(options)
    # Page 1 (2 pods), the 410, then the server's token resumes at item 4: pods 3-4 of the old list are lost
    # exactly as they would be with a real API server, and the user is told.
    assert len(snapshot.pods) == 3
    assert any("newer state of the cluster" in str(p) for p in snapshot.problems)


def test_expired_continue_without_token_restarts_without_duplicates(options: SourceOptions, kube_api: KubeAPI,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kube, "PAGE_SIZE", 2)
    kube_api.fault("/api/v1/pods", status=410, when=lambda query: query.get("continue") is not None)
    snapshot = load_live(options)
    assert len(snapshot.pods) == 5 and not any("duplicate" in str(p) for p in snapshot.problems)
    assert any("restarted" in str(p) for p in snapshot.problems)


# --------------------------------------------------------------------------- GKE


def test_non_gke_context_runs_kubernetes_only(tmp_path: Path, kube_api: KubeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "minikube", token=TOKEN))
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2))
    reason = snapshot.unknown_reason(Kind.CLUSTER)
    assert "context 'minikube' is not named gke_PROJECT_LOCATION_CLUSTER" in reason
    assert "--project, --location, --cluster" in reason and snapshot.unknown_reason(Kind.OPERATION) == reason
    assert snapshot.cluster is None and len(snapshot.pods) == 5


def test_flags_identify_the_cluster(tmp_path: Path, kube_api: KubeAPI, gke_api: GkeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "prod-shop", token=TOKEN))
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2, gke_endpoint=gke_api.url,
                                       project=data.PROJECT, location=data.LOCATION, cluster=data.CLUSTER))
    assert snapshot.cluster is not None and snapshot.cluster.name == "shop"
    assert gke_api.paths() == [f"/v1/projects/{data.PROJECT}/locations/{data.LOCATION}/clusters/shop",
                               f"/v1/projects/{data.PROJECT}/locations/{data.LOCATION}/operations"]


def test_gke_403_names_the_iam_role(options: SourceOptions, gke_api: GkeAPI) -> None:
    gke_api.fault("/clusters/", status=403, body=gke_error(403, "PERMISSION_DENIED", "Required "
                                                             "'container.clusters.get' permission"), times=None)
    snapshot = load_live(options)
    reason = snapshot.unknown_reason(Kind.CLUSTER)
    assert "(403)" in reason and "roles/container.clusterViewer" in reason and "demo-project" in reason
    assert snapshot.unknown_reason(Kind.OPERATION).startswith("not read: GKE API denied")
    assert len(snapshot.pods) == 5 and Kind.CLUSTER not in snapshot.loaded_kinds


def test_gke_api_disabled_says_how_to_enable(options: SourceOptions, gke_api: GkeAPI) -> None:
    gke_api.fault("/clusters/", status=403, times=None, body=gke_error(
        403, "PERMISSION_DENIED", "Kubernetes Engine API has not been used in project 123 before or it is disabled."))
    snapshot = load_live(options)
    assert "gcloud services enable container.googleapis.com" in snapshot.unknown_reason(Kind.CLUSTER)


def test_gke_404_says_cluster_not_found(tmp_path: Path, kube_api: KubeAPI, gke_api: GkeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "gke_demo-project_europe-west1_gone",
                                                       token=TOKEN))
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=2, gke_endpoint=gke_api.url))
    assert "projects/demo-project/locations/europe-west1/clusters/gone not found (404)" in \
        snapshot.unknown_reason(Kind.CLUSTER)


def test_gke_without_credentials_runs_kubernetes_only(kubeconfig_path: str) -> None:
    """Default endpoint, no Application Default Credentials: no network call, a banner reason."""
    snapshot = load_live(SourceOptions(kubeconfig=kubeconfig_path, timeout=2))
    reason = snapshot.unknown_reason(Kind.CLUSTER)
    assert "no Google Cloud credentials" in reason and "gcloud auth application-default login" in reason
    assert len(snapshot.pods) == 5


def test_gke_503_is_retried(options: SourceOptions, gke_api: GkeAPI) -> None:
    gke_api.fault("/clusters/", status=503, body=gke_error(503, "UNAVAILABLE", "try later"), times=1)
    snapshot = load_live(options)
    assert snapshot.cluster is not None and len(gke_api.paths("/clusters/")) == 2


def test_gke_operations_forbidden_alone(options: SourceOptions, gke_api: GkeAPI) -> None:
    gke_api.fault("/operations", status=403, body=gke_error(403, "PERMISSION_DENIED", "no"), times=None)
    snapshot = load_live(options)
    assert snapshot.cluster is not None and Kind.CLUSTER in snapshot.loaded_kinds
    reason = snapshot.unknown_reason(Kind.OPERATION)
    assert "denied reading the operations of" in reason and "container.operations.list" in reason


def test_gke_unreachable_and_slow(kubeconfig_path: str, gke_api: GkeAPI) -> None:
    refused = load_live(SourceOptions(kubeconfig=kubeconfig_path, timeout=2,
                                      gke_endpoint=f"http://127.0.0.1:{_free_port()}"))
    assert "cannot reach the GKE API" in refused.unknown_reason(Kind.CLUSTER)
    gke_api.fault("/clusters/", delay=3, times=None)
    started = time.monotonic()
    slow = load_live(SourceOptions(kubeconfig=kubeconfig_path, timeout=0.5, gke_endpoint=gke_api.url))
    assert time.monotonic() - started < 2.5
    assert "did not answer within 0.5 s" in slow.unknown_reason(Kind.CLUSTER)


# --------------------------------------------------------------------------- process hygiene


def test_importing_the_live_modules_stays_light() -> None:
    """The console draws its first frame before the kubernetes/google clients (~0.7 s) are imported."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import netpol_tui.sources, netpol_tui.sources.live, netpol_tui.sources.kube, netpol_tui.sources.gke\n"
            "import netpol_tui.sources.save, netpol_tui.model.serialize\n"
            "import netpol_tui.fleet, netpol_tui.commands.snapshot\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'kubernetes', 'google', 'grpc', 'urllib3',\n"
            "                                                          'requests', 'textual'})\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_garbage_collection_is_restored_after_a_load(options: SourceOptions, tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    load_live(options)
    assert gc.isenabled()
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(f"http://127.0.0.1:{_free_port()}", "dev"))
    with pytest.raises(SourceError):
        load_live(SourceOptions(kubeconfig=path, timeout=1))
    assert gc.isenabled()


def test_faults_never_write_to_the_terminal(options: SourceOptions, kube_api: KubeAPI, gke_api: GkeAPI,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    """The console owns the terminal: client libraries must not log or warn onto it."""
    kube_api.fault("/api/v1/pods", drop=True, times=1)
    kube_api.fault("/api/v1/events", status=429, retry_after="0", times=2)
    kube_api.fault("/api/v1/services", status=503, times=None)
    gke_api.fault("/operations", status=500, body=gke_error(500, "INTERNAL", "boom"), times=None)
    snapshot = load_live(options)
    assert len(snapshot.pods) == 5 and snapshot.unknown_reason(Kind.SERVICE)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_no_adc_off_google_cloud_skips_the_metadata_probe(kubeconfig_path: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A laptop without ADC gets the banner at once instead of ~9 s of metadata-server probing."""
    from netpol_tui.sources import gke

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    monkeypatch.delenv("NO_GCE_CHECK")
    monkeypatch.setattr(gke, "GCE_PRODUCT_FILE", str(tmp_path / "product_name"))
    (tmp_path / "product_name").write_text("Standard PC (Q35 + ICH9, 2009)\n")
    assert not gke.adc_may_exist()
    started = time.monotonic()
    snapshot = load_live(SourceOptions(kubeconfig=kubeconfig_path, timeout=2))
    assert time.monotonic() - started < 2
    assert "no Google Cloud credentials" in snapshot.unknown_reason(Kind.CLUSTER)
    (tmp_path / "product_name").write_text("Google Compute Engine\n")
    assert gke.adc_may_exist()


def test_a_fatal_failure_mid_load_keeps_what_was_read(options: SourceOptions, kube_api: KubeAPI,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials revoked while loading: lists already read stay, the rest say why they stopped."""
    monkeypatch.setattr(kube, "PAGE_SIZE", 1)
    kube_api.fault("/api/v1/pods", status=401, times=None, delay=0.3)
    kube_api.fault("/api/v1/events", delay=0.6, times=None)
    second = data.events()[0]
    second["metadata"]["name"] = "cart-0.17b"
    kube_api.add("events", second)
    snapshot = load_live(options)
    assert len(snapshot.namespaces) == 3 and Kind.NAMESPACE in snapshot.loaded_kinds
    assert snapshot.unknown_reason(Kind.POD).startswith("the API server") and "401" in snapshot.unknown_reason(Kind.POD)
    stopped = snapshot.unknown_reason(Kind.EVENT)
    assert stopped.startswith("not read: loading stopped after the API server") and "401" in stopped


def test_interrupted_load_returns_at_once(options: SourceOptions, kube_api: KubeAPI) -> None:
    """Ctrl-C (here: a progress callback raising) does not wait for slow lists to finish."""
    import gc

    kube_api.fault("/api/v1/events", delay=1.5, times=None)

    def progress(what: str, done: int, total: int) -> None:
        if what == "pods":
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        load_live(options, progress)
    assert time.monotonic() - started < 1.0 and gc.isenabled()
