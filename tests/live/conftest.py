"""Fixtures for the live-source tests: stand-in servers, generated kubeconfigs, fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from netpol_tui.sources import SourceOptions
from tests.live import data
from tests.live.harness import isolate, serving
from tests.live.standin import GkeAPI, KubeAPI, kubeconfig

TOKEN = "t0ken"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


@pytest.fixture
def kube_api() -> Iterator[KubeAPI]:
    with serving(KubeAPI(data.cluster_objects(), token=TOKEN)) as server:
        yield server


@pytest.fixture
def gke_api() -> Iterator[GkeAPI]:
    with serving(GkeAPI({(data.PROJECT, data.LOCATION, data.CLUSTER): data.gke_cluster()},
                        {(data.PROJECT, data.LOCATION): data.gke_operations()})) as server:
        yield server


def write_kubeconfig(path: Path, document: dict) -> str:
    path.write_text(yaml.safe_dump(document))
    return str(path)


@pytest.fixture
def kubeconfig_path(tmp_path: Path, kube_api: KubeAPI) -> str:
    return write_kubeconfig(tmp_path / "kubeconfig", kubeconfig(kube_api.url, data.CONTEXT, token=TOKEN))


@pytest.fixture
def options(kubeconfig_path: str, gke_api: GkeAPI) -> SourceOptions:
    return SourceOptions(kubeconfig=kubeconfig_path, timeout=2.0, gke_endpoint=gke_api.url)
