"""The kubeconfig, merged as kubectl merges it, and the credential files it names.

Several `KUBECONFIG` files merge with kubectl's rules (the first file that names a context,
cluster, user or current-context wins; the client library lets the last current-context win).
Files are bounded: kubeconfigs regular and under 64 MiB (parsed with libyaml), token and
certificate files regular and under 1 MiB, read here and handed to the client as data.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    TooLarge,
    read_small_file,
)

#: Path-valued kubeconfig fields that kubectl resolves relative to the file that holds them.
_CLUSTER_PATHS = ("certificate-authority",)
_USER_PATHS = ("client-certificate", "client-key", "tokenFile")


# ------------------------------------------------------------------------ kubeconfig


@dataclass(frozen=True)
class KubeConfig:
    """The merged kubeconfig: named entries as plain dicts, file paths already absolute."""

    paths: tuple[str, ...]
    contexts: dict[str, dict[str, Any]]
    clusters: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    current_context: str | None

    @property
    def context_names(self) -> list[str]:
        return list(self.contexts)


def kubeconfig_paths(kubeconfig: str | None) -> list[str]:
    """The files kubectl would read: --kubeconfig, else every existing $KUBECONFIG entry, else ~/.kube/config."""
    if kubeconfig:
        return [str(Path(kubeconfig).expanduser())]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [str(Path(part).expanduser()) for part in env.split(os.pathsep)
                if part and Path(part).expanduser().is_file()]
    default = Path.home() / ".kube" / "config"
    return [str(default)] if default.is_file() else []


def _absolute(base: Path, value: Any) -> Any:
    if isinstance(value, str) and value and not os.path.isabs(value):
        return str(base / Path(value).expanduser())
    return value


def _named(entries: Any, field_name: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if entries is None:
        return
    if not isinstance(entries, list):
        raise KubeConfigError(f"kubeconfig {path}: '{field_name}' must be a list")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise KubeConfigError(f"kubeconfig {path}: every entry of '{field_name}' needs a name")
        body = entry.get(field_name[:-1])
        yield entry["name"], dict(body) if isinstance(body, dict) else {}


def _load_yaml(data: bytes) -> Any:
    """JSON (a YAML subset) with orjson, else libyaml when PyYAML has it: the pure-Python
    parser is ~6x slower (minutes on a 24 MB kubeconfig)."""
    if data.lstrip()[:1] == b"{":
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # YAML flow style that is not JSON
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(data, Loader=loader)


def _read_document(path: str, limit: int) -> Any:
    try:
        data = read_small_file(path, limit, "kubeconfig")
    except TooLarge as exc:
        raise KubeConfigError(str(exc), hint="Point --kubeconfig or $KUBECONFIG at a kubeconfig file.") from None
    except OSError as exc:
        raise KubeConfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}") from None
    try:
        return _load_yaml(data)
    except yaml.YAMLError as exc:
        raise KubeConfigError(f"kubeconfig {path} is not valid YAML: {str(exc).splitlines()[0]}") from None


#: (path, inode, size, mtime) of each file, then the size limit they were read with -> what they held.
_Signature = tuple[tuple[str, int, int, int] | int, ...]
_config_cache: dict[_Signature, KubeConfig] = {}
_config_lock = threading.Lock()


def _signature(paths: list[str]) -> _Signature | None:
    try:
        return tuple((p, st.st_ino, st.st_size, st.st_mtime_ns) for p in paths for st in [os.stat(p)])
    except OSError:
        return None


def read_kubeconfig(kubeconfig: str | None = None, limits: ReadLimits = DEFAULT_LIMITS) -> KubeConfig:
    """Merge the kubeconfig files with kubectl's rules; raises KubeConfigError with a fix.

    Parsed files are remembered while they stay unchanged (`check --all-contexts` reads the
    kubeconfig once per context); callers must not change the returned dicts.
    """
    paths = kubeconfig_paths(kubeconfig)
    if kubeconfig and not Path(paths[0]).is_file():
        if Path(paths[0]).exists():
            raise KubeConfigError(f"kubeconfig {kubeconfig} is not a regular file",
                                  hint="Pass a kubeconfig file with --kubeconfig.")
        raise KubeConfigError(f"kubeconfig {kubeconfig} not found",
                              hint="Pass an existing file with --kubeconfig, or leave it out to use $KUBECONFIG "
                                   "or ~/.kube/config.")
    signature = _signature(paths)
    if signature is not None:
        signature += (limits.max_kubeconfig,)
    if signature is not None:
        with _config_lock:
            cached = _config_cache.get(signature)
        if cached is not None:
            return cached
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    current: str | None = None
    for path in paths:
        document = _read_document(path, limits.max_kubeconfig)
        if document is None:
            continue
        if not isinstance(document, dict):
            raise KubeConfigError(f"kubeconfig {path} is not a kubeconfig (expected a mapping)")
        base = Path(path).resolve().parent
        for name, body in _named(document.get("clusters"), "clusters", path):
            if name not in clusters:
                clusters[name] = {k: _absolute(base, v) if k in _CLUSTER_PATHS else v for k, v in body.items()}
        for name, body in _named(document.get("users"), "users", path):
            if name not in users:
                user = {k: _absolute(base, v) if k in _USER_PATHS else v for k, v in body.items()}
                exec_config = user.get("exec")
                if isinstance(exec_config, dict) and os.sep in str(exec_config.get("command", "")):
                    user["exec"] = {**exec_config, "command": _absolute(base, exec_config["command"])}
                users[name] = user
        for name, body in _named(document.get("contexts"), "contexts", path):
            contexts.setdefault(name, body)
        if current is None and isinstance(document.get("current-context"), str) and document["current-context"]:
            current = document["current-context"]
    config = KubeConfig(tuple(paths), contexts, clusters, users, current)
    if signature is not None:
        with _config_lock:
            _config_cache.clear()
            _config_cache[signature] = config
    return config


def list_contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """Context names in kubeconfig order and the current one (for `check --all-contexts`)."""
    config = read_kubeconfig(kubeconfig)
    return config.context_names, config.current_context




def _context_hint(config: KubeConfig) -> str:
    names = config.context_names
    shown = ", ".join(names[:10]) + (f" (+{len(names) - 10} more)" if len(names) > 10 else "")
    return f"Contexts in the kubeconfig: {shown}. Choose one with --context NAME." if names \
        else "The kubeconfig names no contexts; run `gcloud container clusters get-credentials CLUSTER`."


def resolve_context(config: KubeConfig, wanted: str | None
                    ) -> tuple[str, dict[str, Any], dict[str, Any], str | None, dict[str, Any]]:
    """(context name, context, cluster, user name, user) for --context or the current context."""
    name = wanted or config.current_context
    if not name:
        raise KubeConfigError("the kubeconfig has no current context", hint=_context_hint(config))
    context = config.contexts.get(name)
    if context is None:
        raise KubeConfigError(f"context {name!r} not found in the kubeconfig "
                              f"({', '.join(config.paths) or 'no files'})", hint=_context_hint(config))
    cluster_name = context.get("cluster")
    cluster = config.clusters.get(cluster_name) if isinstance(cluster_name, str) else None
    if cluster is None or not cluster.get("server"):
        raise KubeConfigError(f"context {name!r} names cluster {cluster_name!r}, which has no server in the "
                              "kubeconfig", hint="Fetch a fresh entry: gcloud container clusters get-credentials "
                                                 "CLUSTER --location=LOCATION --project=PROJECT_ID")
    user_name = context.get("user") if isinstance(context.get("user"), str) else None
    user = config.users.get(user_name, {}) if user_name else {}
    return name, context, cluster, user_name, user




_CLUSTER_FILES = (("certificate-authority", "certificate-authority-data", "certificate-authority file"),)
_USER_FILES = (("client-certificate", "client-certificate-data", "client-certificate file"),
               ("client-key", "client-key-data", "client-key file"),
               ("tokenFile", "token", "tokenFile"))


def inline_credential_files(entry: dict[str, Any], fields: tuple[tuple[str, str, str], ...], limits: ReadLimits) -> dict[str, Any]:
    """The entry with each credential file replaced by its content (never read by the client).

    The files must be regular files under `limits.max_credential_file`: `tokenFile: /dev/zero`
    or a FIFO is refused instead of reading forever. As client-go does, inline data wins over a
    certificate file, and a tokenFile wins over a token.
    """
    out = dict(entry)
    for file_key, data_key, what in fields:
        path = out.get(file_key)
        if not path:
            out.pop(file_key, None)
            continue
        if data_key != "token" and out.get(data_key):
            out.pop(file_key)
            continue
        try:
            content = read_small_file(str(path), limits.max_credential_file, what)
        except TooLarge as exc:
            raise KubeConfigError(str(exc), hint="Fix the path in the kubeconfig; credential files are small "
                                                 "regular files.") from None
        except OSError as exc:
            raise KubeConfigError(f"cannot read the {what} {path}: {exc.strerror or exc}",
                                  hint="Fix the path in the kubeconfig, or fetch a fresh kubeconfig.") from None
        out.pop(file_key)
        if data_key == "token":
            token = content.decode("utf-8", "replace").strip()
            if token:
                out["token"] = token
        else:
            out[data_key] = base64.b64encode(content).decode()
    return out


__all__ = ["KubeConfig", "inline_credential_files", "kubeconfig_paths", "list_contexts", "read_kubeconfig", "resolve_context"]
