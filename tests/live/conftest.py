"""Fixtures for the live-source tests: stand-in servers, generated kubeconfigs, fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from netpol_tui.sources import SourceOptions, exec_plugin
from netpol_tui.sources import kube as kube_module
from tests.live import data
from tests.live.standin import GkeAPI, KubeAPI, kubeconfig

TOKEN = "t0ken"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real credentials, proxies or kubeconfigs leak in; retries are fast."""
    monkeypatch.setattr(kube_module, "RETRY", kube_module.RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05,
                                                                       budget=1.0))
    monkeypatch.setattr(exec_plugin, "_exec_cache", {})
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-such-adc.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))


def _check_read_only(*servers: object) -> None:
    for server in servers:
        assert server.violations == [], f"non-GET requests reached the stand-in: {server.violations}"


@pytest.fixture
def kube_api() -> Iterator[KubeAPI]:
    server = KubeAPI(data.cluster_objects(), token=TOKEN).start()
    try:
        yield server
    finally:
        server.stop()
    _check_read_only(server)


@pytest.fixture
def gke_api() -> Iterator[GkeAPI]:
    server = GkeAPI({(data.PROJECT, data.LOCATION, data.CLUSTER): data.gke_cluster()},
                    {(data.PROJECT, data.LOCATION): data.gke_operations()}).start()
    try:
        yield server
    finally:
        server.stop()
    _check_read_only(server)


def write_kubeconfig(path: Path, document: dict) -> str:
    path.write_text(yaml.safe_dump(document))
    return str(path)


@pytest.fixture
def kubeconfig_path(tmp_path: Path, kube_api: KubeAPI) -> str:
    return write_kubeconfig(tmp_path / "kubeconfig", kubeconfig(kube_api.url, data.CONTEXT, token=TOKEN))


@pytest.fixture
def options(kubeconfig_path: str, gke_api: GkeAPI) -> SourceOptions:
    return SourceOptions(kubeconfig=kubeconfig_path, timeout=2.0, gke_endpoint=gke_api.url)
