"""client-go credential plugins (gke-gcloud-auth-plugin, kubelogin, ...), run bounded.

A plugin runs without the terminal (the console owns it), in its own process group so the
whole group is killed at the deadline, and with its output capped: a plugin that hangs or
prints gigabytes costs at most `--timeout` and 16 MiB. Credentials are cached per plugin
invocation until shortly before they expire; plugins of different users run in parallel.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.limits import DEFAULT_LIMITS, mib
from netpol_tui.text import clean
from netpol_tui.timestamps import parse_timestamp

GKE_PLUGIN = "gke-gcloud-auth-plugin"
GKE_PLUGIN_INSTALL = ("install it with `gcloud components install gke-gcloud-auth-plugin` (or the "
                      "google-cloud-cli-gke-gcloud-auth-plugin package), then run `gcloud container clusters "
                      "get-credentials CLUSTER --location=LOCATION --project=PROJECT_ID`")
MAX_STDERR = 64 * 1024


@dataclass(frozen=True)
class ExecCredential:
    token: str | None = None
    client_certificate_data: str | None = None
    client_key_data: str | None = None
    expiry: datetime | None = None

    def expires_soon(self) -> bool:
        return self.expiry is not None and self.expiry - timedelta(seconds=60) <= datetime.now(UTC)


_exec_cache: dict[str, ExecCredential] = {}
_key_locks: dict[str, threading.Lock] = {}
_exec_lock = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _exec_lock:
        return _key_locks.setdefault(key, threading.Lock())


def exec_plugin_hint(command: str, install_hint: Any = None) -> str:
    if Path(command).name == GKE_PLUGIN:
        return GKE_PLUGIN_INSTALL[0].upper() + GKE_PLUGIN_INSTALL[1:] + "."
    if isinstance(install_hint, str) and install_hint.strip():
        return clean(install_hint.strip(), 300)
    return f"Install {command} or fix the user's exec section in the kubeconfig."


class _PluginTimeout(Exception):
    pass


class _PluginTooChatty(Exception):
    pass


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()


def run_bounded(argv: list[str], env: dict[str, str], timeout: float, max_stdout: int) -> tuple[int, bytes, bytes]:
    """(exit status, stdout, first 64 KiB of stderr); raises _PluginTimeout / _PluginTooChatty.

    The process group is killed at the deadline or when stdout passes the cap; the pipes are
    read as the output arrives, so a full pipe never blocks the plugin.
    """
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, start_new_session=True)
    deadline = time.monotonic() + timeout
    out, err = bytearray(), bytearray()
    try:
        with selectors.DefaultSelector() as selector:
            assert process.stdout is not None and process.stderr is not None
            selector.register(process.stdout, selectors.EVENT_READ, out)
            selector.register(process.stderr, selectors.EVENT_READ, err)
            open_pipes = 2
            while open_pipes:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _PluginTimeout()
                for key, _ in selector.select(min(left, 0.5)):
                    data = os.read(key.fd, 1 << 16)
                    if not data:
                        selector.unregister(key.fileobj)
                        open_pipes -= 1
                        continue
                    buffer = key.data
                    if buffer is out:
                        buffer += data
                        if len(buffer) > max_stdout:
                            raise _PluginTooChatty()
                    elif len(buffer) < MAX_STDERR:
                        buffer += data[: MAX_STDERR - len(buffer)]
        left = deadline - time.monotonic()
        try:
            code = process.wait(max(0.0, left))
        except subprocess.TimeoutExpired:
            raise _PluginTimeout() from None
        return code, bytes(out), bytes(err)
    except BaseException:
        _kill(process)
        with contextlib.suppress(Exception):
            process.wait(1.0)
        raise
    finally:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                with contextlib.suppress(Exception):
                    pipe.close()


def run_exec_plugin(exec_config: dict[str, Any], cluster: dict[str, Any], timeout: float, *,
                    user: str = "?", refresh: bool = False, max_output: int | None = None) -> ExecCredential:
    """Run a client-go credential plugin (never interactively: the console owns the terminal)."""
    command = exec_config.get("command")
    if not isinstance(command, str) or not command:
        raise KubeConfigError(f"kubeconfig user {user!r}: exec section without a command")
    args = [str(arg) for arg in exec_config.get("args") or []]
    extra_env = {str(item.get("name")): str(item.get("value", ""))
                 for item in exec_config.get("env") or [] if isinstance(item, dict) and item.get("name")}
    api_version = str(exec_config.get("apiVersion") or "client.authentication.k8s.io/v1beta1")
    key = orjson.dumps([command, args, sorted(extra_env.items()),
                        cluster.get("server") if exec_config.get("provideClusterInfo") else None]).decode()
    max_output = max_output or DEFAULT_LIMITS.max_plugin_output
    with _lock_for(key):
        cached = _exec_cache.get(key)
        if cached and not refresh and not cached.expires_soon():
            return cached
        resolved = shutil.which(command)
        if resolved is None:
            raise KubeConfigError(
                f"the kubeconfig user {user!r} gets its credentials from `{command}`, which is not installed "
                "or not on PATH", hint=exec_plugin_hint(command, exec_config.get("installHint")))
        if exec_config.get("interactiveMode") == "Always":
            raise KubeConfigError(
                f"the credential plugin `{command}` of user {user!r} needs an interactive terminal",
                hint="Run any kubectl command once in a shell to log in, then start netpol-tui again.")
        spec: dict[str, Any] = {"interactive": False}
        if exec_config.get("provideClusterInfo"):
            spec["cluster"] = {k: v for k, v in {
                "server": cluster.get("server"), "tls-server-name": cluster.get("tls-server-name"),
                "insecure-skip-tls-verify": cluster.get("insecure-skip-tls-verify"),
                "certificate-authority-data": cluster.get("certificate-authority-data"),
                "proxy-url": cluster.get("proxy-url")}.items() if v is not None}
        env = {**os.environ, **extra_env,
               "KUBERNETES_EXEC_INFO": orjson.dumps({"apiVersion": api_version, "kind": "ExecCredential",
                                                     "spec": spec}).decode()}
        try:
            code, stdout, stderr_bytes = run_bounded([resolved, *args], env, timeout, max_output)
        except _PluginTimeout:
            raise KubeConfigError(f"the credential plugin `{command}` did not answer within {timeout:g} s "
                                  "(stopped)", hint="Check your network and gcloud login, or raise --timeout.") from None
        except _PluginTooChatty:
            raise KubeConfigError(f"the credential plugin `{command}` printed more than {mib(max_output)} "
                                  "(stopped); an ExecCredential is a few kilobytes",
                                  hint="Fix the user's exec section in the kubeconfig.") from None
        except OSError as exc:
            raise KubeConfigError(f"cannot run the credential plugin `{command}`: {exc.strerror or exc}",
                                  hint=exec_plugin_hint(command, exec_config.get("installHint"))) from None
        if code != 0:
            stderr = clean(stderr_bytes.decode("utf-8", "replace").strip(), 400, single_line=True)
            hint = ("Run `gcloud auth login` (and check `gcloud config list`), then try again."
                    if Path(command).name == GKE_PLUGIN else "Fix the plugin's login, then try again.")
            raise KubeConfigError(f"the credential plugin `{command}` failed (exit {code})"
                                  + (f": {stderr}" if stderr else ""), hint=hint)
        try:
            status = orjson.loads(stdout).get("status") or {}
        except (orjson.JSONDecodeError, AttributeError):
            raise KubeConfigError(f"the credential plugin `{command}` printed something that is not an "
                                  "ExecCredential") from None
        if not isinstance(status, dict):
            raise KubeConfigError(f"the credential plugin `{command}` printed an ExecCredential without a status")
        credential = ExecCredential(
            token=status.get("token") if isinstance(status.get("token"), str) else None,
            client_certificate_data=status.get("clientCertificateData"),
            client_key_data=status.get("clientKeyData"),
            expiry=parse_timestamp(status.get("expirationTimestamp")),
        )
        if not credential.token and not (credential.client_certificate_data and credential.client_key_data):
            raise KubeConfigError(f"the credential plugin `{command}` returned neither a token nor a client "
                                  "certificate")
        _exec_cache[key] = credential
        return credential


__all__ = ["GKE_PLUGIN", "GKE_PLUGIN_INSTALL", "ExecCredential", "exec_plugin_hint", "run_bounded",
           "run_exec_plugin"]
