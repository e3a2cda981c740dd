"""Kubernetes API access for the live source, as one import: `from netpol_tui.sources import kube`.

The code lives in rooms of its own; this module re-exports what the live source, the node
watch, the GKE side, the fleet and the tests use:

- `kubeconfig`: merging kubeconfig files as kubectl does, credential files (bounded);
- `exec_plugin`: client-go credential plugins, run bounded;
- `kube_client`: read-only retrying GET requests under a total deadline and a size cap;
- `kube_connect`: building a client for a context (or the pod's service account);
- `kube_resources`: the lists read and paging through them;
- `kube_errors`: failures in words for the user.

Settings that tests (and benchmarks) change, such as `kube.RETRY` or `kube.PAGE_SIZE`, are
forwarded to the module that reads them, so setting them here still takes effect.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from netpol_tui.sources import exec_plugin, kube_client, kube_resources
from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.exec_plugin import GKE_PLUGIN, GKE_PLUGIN_INSTALL, ExecCredential, run_exec_plugin
from netpol_tui.sources.kube_client import (
    READ_CHUNK,
    RETRY,
    RETRY_STATUSES,
    USER_AGENT,
    KubeClient,
    KubeTarget,
    RetryPolicy,
    retry_after_seconds,
)
from netpol_tui.sources.kube_connect import IMPORT_LOCK, connect, import_kubernetes, quiet_client_logs
from netpol_tui.sources.kube_errors import (
    GoneError,
    KubeFailure,
    KubeRequestError,
    auth_hint,
    status_failure,
    transport_failure,
)
from netpol_tui.sources.kube_resources import NODES, PAGE_SIZE, RESOURCES, Page, Resource, list_pages
from netpol_tui.sources.kubeconfig import (
    KubeConfig,
    inline_credential_files,
    kubeconfig_paths,
    list_contexts,
    read_kubeconfig,
    resolve_context,
)

#: name -> the module whose code reads it.
_FORWARDED = {"RETRY": kube_client, "READ_CHUNK": kube_client, "PAGE_SIZE": kube_resources,
              "_exec_cache": exec_plugin}


class _Facade(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        owner = _FORWARDED.get(name)
        if owner is not None:
            setattr(owner, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Facade

__all__ = [
    "GKE_PLUGIN", "GKE_PLUGIN_INSTALL", "IMPORT_LOCK", "NODES", "PAGE_SIZE", "READ_CHUNK", "RESOURCES", "RETRY",
    "RETRY_STATUSES", "USER_AGENT", "ExecCredential", "GoneError", "KubeClient", "KubeConfig", "KubeConfigError",
    "KubeFailure", "KubeRequestError", "KubeTarget", "Page", "Resource", "RetryPolicy", "auth_hint", "connect",
    "import_kubernetes", "inline_credential_files", "kubeconfig_paths", "list_contexts", "list_pages",
    "quiet_client_logs", "read_kubeconfig", "resolve_context", "retry_after_seconds", "run_exec_plugin",
    "status_failure", "transport_failure",
]
