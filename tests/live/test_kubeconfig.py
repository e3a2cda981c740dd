"""Kubeconfig merging, contexts, exec credential plugins and in-cluster config."""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netpol_tui.sources import SourceError, SourceOptions, kube
from netpol_tui.sources.gke import identify, parse_context_name
from netpol_tui.sources.live import load_live
from tests.live import data
from tests.live.conftest import TOKEN, write_kubeconfig
from tests.live.standin import KubeAPI, kubeconfig


def _plugin(tmp_path: Path, body: str, name: str = "fake-auth-plugin") -> Path:
    """An executable credential plugin written in Python; `body` runs with `log` and `count` set."""
    path = tmp_path / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"#!{sys.executable}\n"
                    "import json, os, sys\n"
                    f"log = {str(tmp_path / 'plugin.log')!r}\n"
                    "count = sum(1 for _ in open(log)) if os.path.exists(log) else 0\n"
                    "with open(log, 'a') as handle:\n"
                    "    handle.write(json.dumps({'info': os.environ.get('KUBERNETES_EXEC_INFO'),\n"
                    "                             'tty': sys.stdin is not None and sys.stdin.isatty(),\n"
                    "                             'extra': os.environ.get('PLUGIN_EXTRA')}) + '\\n')\n"
                    + body)
    path.chmod(0o755)
    return path


def _credential(token: str, expiry: str | None = None) -> str:
    status = {"token": token, **({"expirationTimestamp": expiry} if expiry else {})}
    return ("print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', 'kind': 'ExecCredential', "
            f"'status': {status!r}}}))\n")


def _exec_user(command: str, **extra: object) -> dict:
    return {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": command,
                     "args": ["--flag"], "env": [{"name": "PLUGIN_EXTRA", "value": "yes"}],
                     "interactiveMode": "IfAvailable", "provideClusterInfo": True, **extra}}


# --------------------------------------------------------------------------- merging


def test_kubeconfig_files_merge_like_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = kubeconfig("https://first.example:443", "shared", token="a", current="shared")
    first["clusters"][0]["cluster"]["certificate-authority"] = "certs/ca.crt"
    second = kubeconfig("https://second.example:443", "shared", token="b", current="other",
                        extra_contexts={"other": "https://other.example"})
    one = write_kubeconfig(tmp_path / "one.yaml", first)
    (tmp_path / "sub").mkdir()
    two = write_kubeconfig(tmp_path / "sub" / "two.yaml", second)
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([one, str(tmp_path / "missing.yaml"), two]))
    config = kube.read_kubeconfig()
    assert config.paths == (one, two)
    assert config.current_context == "shared"  # the first file that sets it wins (kubectl's rule)
    assert config.clusters["shared"]["server"] == "https://first.example:443"
    assert config.clusters["shared"]["certificate-authority"] == str(tmp_path / "certs" / "ca.crt")
    assert config.context_names == ["shared", "other"]
    assert kube.list_contexts() == (["shared", "other"], "shared")


def test_explicit_kubeconfig_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        kube.read_kubeconfig(str(tmp_path / "nope"))
    assert "not found" in caught.value.message


def test_unknown_context_lists_the_available_ones(kubeconfig_path: str) -> None:
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=kubeconfig_path, context="prod"))
    assert "context 'prod' not found" in caught.value.message
    assert data.CONTEXT in caught.value.hint and "--context" in caught.value.hint


def test_no_current_context(tmp_path: Path, kube_api: KubeAPI) -> None:
    document = kubeconfig(kube_api.url, "dev", token=TOKEN)
    document["current-context"] = ""
    path = write_kubeconfig(tmp_path / "kc", document)
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path))
    assert "no current context" in caught.value.message and "dev" in caught.value.hint
    assert len(load_live(SourceOptions(kubeconfig=path, context="dev", timeout=2)).pods) == 5


def test_broken_kubeconfig_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kc"
    path.write_text("clusters: [unclosed")
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=str(path)))
    assert "not valid YAML" in caught.value.message


def test_removed_gcp_auth_provider_points_to_the_plugin(tmp_path: Path, kube_api: KubeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "old", user={"auth-provider": {"name": "gcp"}}))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path))
    assert "removed gcp auth-provider" in caught.value.message and "gke-gcloud-auth-plugin" in caught.value.hint


# --------------------------------------------------------------------------- exec plugins


def test_exec_plugin_token_is_used_without_the_terminal(tmp_path: Path, kube_api: KubeAPI) -> None:
    plugin = _plugin(tmp_path, _credential(TOKEN))
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user(str(plugin))))
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert len(snapshot.pods) == 5
    runs = [json.loads(line) for line in (tmp_path / "plugin.log").read_text().splitlines()]
    assert len(runs) == 1, "one plugin run serves every request"
    info = json.loads(runs[0]["info"])
    assert info["spec"]["interactive"] is False and runs[0]["tty"] is False and runs[0]["extra"] == "yes"
    assert info["spec"]["cluster"]["server"] == kube_api.url


def test_exec_plugin_found_on_path_and_rerun_after_401(tmp_path: Path, kube_api: KubeAPI,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The first token is stale (401): the plugin runs again once and the load succeeds."""
    _plugin(tmp_path, "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', 'kind': "
                      "'ExecCredential', 'status': {'token': 'stale' if count == 0 else " + repr(TOKEN) + "}}))\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user("fake-auth-plugin")))
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert len(snapshot.pods) == 5 and snapshot.unknown[0].kind == "Cluster"
    assert (tmp_path / "plugin.log").read_text().count("\n") >= 2


def test_expired_exec_token_is_refreshed(tmp_path: Path, kube_api: KubeAPI) -> None:
    plugin = _plugin(tmp_path, "expiry = '2000-01-01T00:00:00Z' if count == 0 else '2999-01-01T00:00:00Z'\n"
                               "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', "
                               "'kind': 'ExecCredential', 'status': {'token': " + repr(TOKEN) +
                               ", 'expirationTimestamp': expiry}}))\n")
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user(str(plugin))))
    assert len(load_live(SourceOptions(kubeconfig=path, timeout=5)).pods) == 5
    assert (tmp_path / "plugin.log").read_text().count("\n") == 2


def test_missing_gke_plugin_says_how_to_install_it(tmp_path: Path, kube_api: KubeAPI,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, data.CONTEXT,
                                                       user=_exec_user("gke-gcloud-auth-plugin")))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path))
    assert "`gke-gcloud-auth-plugin`, which is not installed or not on PATH" in caught.value.message
    assert "gcloud components install gke-gcloud-auth-plugin" in caught.value.hint
    assert kube_api.requests == []


def test_failing_plugin_shows_its_error(tmp_path: Path, kube_api: KubeAPI) -> None:
    plugin = _plugin(tmp_path, "sys.stderr.write('ERROR: gcloud credentials expired\\n'); sys.exit(1)\n",
                     name="gke-gcloud-auth-plugin")
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user(str(plugin))))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert "failed (exit 1): ERROR: gcloud credentials expired" in caught.value.message
    assert "gcloud auth login" in caught.value.hint


def test_hanging_plugin_is_cut_at_the_timeout(tmp_path: Path, kube_api: KubeAPI) -> None:
    plugin = _plugin(tmp_path, "import time; time.sleep(30)\n")
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user(str(plugin))))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=0.5))
    assert time.monotonic() - started < 3
    assert "did not answer within 0.5 s" in caught.value.message


def test_plugin_printing_garbage(tmp_path: Path, kube_api: KubeAPI) -> None:
    plugin = _plugin(tmp_path, "print('hello')\n")
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", user=_exec_user(str(plugin))))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert "not an ExecCredential" in caught.value.message


def test_user_without_credentials_gets_a_401_hint(tmp_path: Path, kube_api: KubeAPI) -> None:
    path = write_kubeconfig(tmp_path / "kc", kubeconfig(kube_api.url, "dev", token=None))
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert "401" in caught.value.message and "has no credentials" in caught.value.hint


# --------------------------------------------------------------------------- in-cluster


def test_in_cluster_config_is_used_without_a_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config import incluster_config

    token, ca = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text("sa-token")
    ca.write_text("not checked before a request")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(ca))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    client = kube.connect(SourceOptions())
    try:
        assert client.target.auth == "in-cluster" and client.target.server == "https://10.96.0.1:443"
        assert client.api.configuration.api_key["BearerToken"].endswith("sa-token")
    finally:
        client.close()


# --------------------------------------------------------------------------- GKE identity


def test_gke_context_names_parse_exactly() -> None:
    identity = parse_context_name("gke_acme-prod_europe-west1-b_shop-eu")
    assert (identity.project, identity.location, identity.cluster) == ("acme-prod", "europe-west1-b", "shop-eu")
    assert identity.name == "projects/acme-prod/locations/europe-west1-b/clusters/shop-eu"
    for other in ("minikube", "gke_only_three", "gke__l_c", "eks_a_b_c", None):
        assert parse_context_name(other) is None


def test_identity_flags_override_the_context_name() -> None:
    options = SourceOptions(project="other-project")
    identity, reason = identify(options, "gke_acme-prod_europe-west1_shop")
    assert reason == "" and (identity.project, identity.cluster) == ("other-project", "shop")
    identity, reason = identify(SourceOptions(), "renamed", "gke_acme-prod_us-east1_api")
    assert identity.cluster == "api", "the kubeconfig cluster entry name is the fallback"
    identity, reason = identify(SourceOptions(cluster="shop"), "prod")
    assert identity is None and "pass --project, --location" in reason


# --------------------------------------------------------------------------- TLS


@pytest.fixture
def https_api(tmp_path: Path) -> Iterator[tuple[KubeAPI, bytes]]:
    from tests.live.standin import self_signed

    context, cert = self_signed(tmp_path)
    server = KubeAPI(data.cluster_objects(), token=TOKEN).start(tls=context)
    try:
        yield server, cert
    finally:
        server.stop()
    assert server.violations == []


def _tls_kubeconfig(tmp_path: Path, url: str, **cluster: object) -> str:
    document = kubeconfig(url, "dev", token=TOKEN)
    document["clusters"][0]["cluster"].update(cluster)
    return write_kubeconfig(tmp_path / "kc", document)


def test_https_with_the_clusters_ca(tmp_path: Path, https_api: tuple[KubeAPI, bytes]) -> None:
    server, cert = https_api
    path = _tls_kubeconfig(tmp_path, server.url, **{"certificate-authority-data": base64.b64encode(cert).decode()})
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert len(snapshot.pods) == 5 and not any("TLS" in str(p) for p in snapshot.problems)


def test_https_with_a_wrong_ca_is_a_tls_error(tmp_path: Path, https_api: tuple[KubeAPI, bytes]) -> None:
    from tests.live.standin import self_signed

    server, _ = https_api
    (tmp_path / "other").mkdir()
    _, other = self_signed(tmp_path / "other", "other")
    path = _tls_kubeconfig(tmp_path, server.url, **{"certificate-authority-data": base64.b64encode(other).decode()})
    with pytest.raises(SourceError) as caught:
        load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert caught.value.message.startswith("TLS with the API server 127.0.0.1")
    assert "certificate-authority" in caught.value.hint


def test_insecure_skip_tls_verify_works_and_is_noted(tmp_path: Path, https_api: tuple[KubeAPI, bytes],
                                                      recwarn: pytest.WarningsRecorder) -> None:
    server, _ = https_api
    path = _tls_kubeconfig(tmp_path, server.url, **{"insecure-skip-tls-verify": True})
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=5))
    assert len(snapshot.pods) == 5
    assert any("TLS verification of the API server is off" in str(p) for p in snapshot.problems)
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)], "no warning may reach the terminal"


def test_first_import_from_many_threads_at_once(tmp_path: Path) -> None:
    """Fleet checks connect from several threads before anything imported the client libraries."""
    import subprocess

    path = write_kubeconfig(tmp_path / "kc", kubeconfig("http://127.0.0.1:9", "dev", token=TOKEN))
    code = (
        "import sys, threading\n"
        "from netpol_tui.sources import SourceOptions, kube, gke\n"
        "errors = []\n"
        "def work(index):\n"
        "    try:\n"
        "        if index % 2:\n"
        "            gke.import_google()\n"
        "        kube.connect(SourceOptions(kubeconfig=sys.argv[1])).close()\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert not errors, errors\n"
    )
    subprocess.run([sys.executable, "-c", code, path], check=True, timeout=60,
                   env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


def test_slow_headers_over_tls_end_within_the_timeout(tmp_path: Path, https_api: tuple[KubeAPI, bytes]) -> None:
    """The deadline cuts a TLS socket mid-read as it cuts a plain one."""
    import time

    from netpol_tui.model.snapshot import Kind

    server, cert = https_api
    path = _tls_kubeconfig(tmp_path, server.url, **{"certificate-authority-data": base64.b64encode(cert).decode()})
    load_live(SourceOptions(kubeconfig=path, timeout=5))  # the client libraries imported first
    server.fault("/api/v1/pods", trickle=0.5, times=None)
    started = time.monotonic()
    snapshot = load_live(SourceOptions(kubeconfig=path, timeout=1.5))
    assert time.monotonic() - started < 1.5 + 2.0
    assert "did not answer within 1.5 s" in snapshot.unknown_reason(Kind.POD)
    assert len(snapshot.nodes) == 3
