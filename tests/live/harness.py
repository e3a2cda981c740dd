"""What every test against a loopback stand-in needs: an environment with no real credentials,
proxies or kubeconfigs, fast retries, and servers that are stopped and checked read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from netpol_tui.sources import exec_plugin
from netpol_tui.sources import kube as kube_module

_Server = TypeVar("_Server")


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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


def check_read_only(*servers: object) -> None:
    for server in servers:
        assert server.violations == [], f"non-GET requests reached the stand-in: {server.violations}"


@contextmanager
def serving(server: _Server, after: Callable[[_Server], None] = check_read_only) -> Iterator[_Server]:
    """The started server; stopped at the end, then `after` checks what it was asked."""
    started = server.start()  # type: ignore[attr-defined]
    try:
        yield started
    finally:
        server.stop()  # type: ignore[attr-defined]
    after(started)
