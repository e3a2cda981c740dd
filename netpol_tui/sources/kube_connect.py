"""A KubeClient for a kubeconfig context (or the pod's service account).

The kubeconfig is merged and exec plugins are run here (with a timeout, without the terminal,
with errors we can explain; the client's loader would log plugin failures and carry on
unauthenticated), and the result is handed to the client's own `KubeConfigLoader` for TLS,
certificates, tokens and proxies. The kubernetes package is imported inside functions only:
importing it costs about half a second.
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any

from netpol_tui.sources.deadline import track_pool_manager
from netpol_tui.sources.errors import KubeConfigError
from netpol_tui.sources.exec_plugin import GKE_PLUGIN_INSTALL, ExecCredential, run_exec_plugin
from netpol_tui.sources.kube_client import USER_AGENT, KubeClient, KubeTarget
from netpol_tui.sources.kubeconfig import (
    _CLUSTER_FILES,
    _USER_FILES,
    inline_credential_files,
    kubeconfig_paths,
    read_kubeconfig,
    resolve_context,
)
from netpol_tui.sources.limits import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_RESPONSE_MB,
    MIB,
    ReadLimits,
)

#: Held while the client libraries are first imported. Their packages import each other in a
#: cycle; two threads importing them at once (fleet checks, the console's load and its follower)
#: can see a half-initialised module ("cannot import name 'ApiClient'").
IMPORT_LOCK = threading.RLock()


def import_kubernetes() -> None:
    """Import everything this module later takes from kubernetes/urllib3, once, under the lock."""
    with IMPORT_LOCK:
        import kubernetes.client
        import kubernetes.client.exceptions
        import kubernetes.config.config_exception
        import kubernetes.config.incluster_config
        import kubernetes.config.kube_config  # noqa: F401
        import urllib3.exceptions  # noqa: F401




def _auth_kind(user: dict[str, Any]) -> str:
    if "exec" in user:
        return "exec"
    provider = user.get("auth-provider")
    if isinstance(provider, dict) and provider.get("name") == "oidc":
        return "oidc"
    if user.get("token") or user.get("tokenFile"):
        return "token"
    if user.get("client-certificate") or user.get("client-certificate-data"):
        return "client-certificate"
    if user.get("username"):
        return "basic"
    return "none"




def connect(options: Any) -> KubeClient:
    """A KubeClient for --kubeconfig/--context (or in-cluster config); raises KubeConfigError."""
    import_kubernetes()
    from kubernetes.client import ApiClient, Configuration

    timeout = float(options.timeout or 10.0)
    limits: ReadLimits = getattr(options, "limits", DEFAULT_LIMITS)
    paths = kubeconfig_paths(options.kubeconfig)
    configuration = Configuration()
    configuration.retries = False
    refresh: Callable[[], bool] | None = None
    if not paths and not options.kubeconfig and os.environ.get("KUBERNETES_SERVICE_HOST"):
        if options.context:
            raise KubeConfigError(f"context {options.context!r} asked for, but there is no kubeconfig "
                                  "(running in a pod: only the in-cluster service account is available)")
        from kubernetes.config.config_exception import ConfigException
        from kubernetes.config.incluster_config import load_incluster_config

        try:
            load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise KubeConfigError(f"in-cluster configuration failed: {exc}",
                                  hint="Mount a service account token, or pass --kubeconfig.") from None
        target = KubeTarget(context=None, server=configuration.host, auth="in-cluster")
    else:
        config = read_kubeconfig(options.kubeconfig, limits)
        if not config.paths:
            raise KubeConfigError("no kubeconfig found ($KUBECONFIG, ~/.kube/config)",
                                  hint="Run `gcloud container clusters get-credentials CLUSTER --location=LOCATION "
                                       "--project=PROJECT_ID`, or pass --kubeconfig PATH.")
        name, context, cluster, user_name, user = resolve_context(config, options.context)
        target = KubeTarget(context=name, server=str(cluster["server"]).rstrip("/"),
                            cluster_entry=context.get("cluster"), user_entry=user_name,
                            default_namespace=context.get("namespace"), auth=_auth_kind(user))
        provider = user.get("auth-provider")
        if isinstance(provider, dict) and provider.get("name") in ("gcp", "azure"):
            raise KubeConfigError(
                f"the kubeconfig user {user_name!r} uses the removed {provider.get('name')} auth-provider",
                hint=("Switch to gke-gcloud-auth-plugin: " + GKE_PLUGIN_INSTALL + "."
                      if provider.get("name") == "gcp" else "Switch to kubelogin (an exec credential plugin)."))
        if cluster.get("insecure-skip-tls-verify") and (cluster.get("certificate-authority")
                                                        or cluster.get("certificate-authority-data")):
            # kubectl refuses this too: which one did the user mean? Never send credentials on a guess.
            raise KubeConfigError(
                f"context {name!r}: specifying a root certificates file with the insecure flag is not allowed "
                f"(cluster {target.cluster_entry!r} has both insecure-skip-tls-verify and a certificate-authority)",
                hint="Remove insecure-skip-tls-verify or the certificate-authority from that cluster entry, "
                     "as kubectl requires.")
        cluster = inline_credential_files(cluster, _CLUSTER_FILES, limits)
        user = inline_credential_files(user, _USER_FILES, limits)
        loader_user = dict(user)
        exec_config = user.get("exec") if isinstance(user.get("exec"), dict) else None
        if exec_config is not None:
            target.exec_command = str(exec_config.get("command") or "")
            credential = run_exec_plugin(exec_config, cluster, timeout, user=user_name or "?",
                                         max_output=limits.max_plugin_output)
            loader_user = _user_with_credential(user, credential)
        configuration = _configure(name, context, cluster, user_name, loader_user, configuration)
        if exec_config is not None:
            refresh = _exec_refresher(configuration, exec_config, cluster, timeout, user_name or "?", credential)
        if cluster.get("insecure-skip-tls-verify"):
            import warnings

            import urllib3

            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            target.notes.append("TLS verification of the API server is off (insecure-skip-tls-verify)")
    configuration.retries = False
    # Every list runs in its own thread; a full pool would make urllib3 log (to the terminal).
    configuration.connection_pool_maxsize = max(32, configuration.connection_pool_maxsize or 0)
    quiet_client_logs()
    api_client = ApiClient(configuration)
    api_client.user_agent = USER_AGENT
    if not track_pool_manager(api_client.rest_client.pool_manager):
        target.notes.append("requests through a SOCKS proxy are bounded per socket operation only, not in total")
    max_response = getattr(options, "max_response_bytes", None) or int(DEFAULT_MAX_RESPONSE_MB * MIB)
    return KubeClient(api_client, target, timeout, refresh, limits=limits, max_response=max_response)


def quiet_client_logs() -> None:
    """Keep the client libraries' log records off the terminal the console draws on.

    Without a handler anywhere, Python prints WARNING records to stderr (logging.lastResort);
    a NullHandler on their loggers stops that, while an application that configures logging
    still receives the records through propagation.
    """
    import logging
    import warnings

    for name in ("kubernetes", "urllib3", "google", "google_auth_httplib2", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
            logger.addHandler(logging.NullHandler())
    warnings.filterwarnings("ignore", message="Your application has authenticated using end user credentials")


def _user_with_credential(user: dict[str, Any], credential: ExecCredential) -> dict[str, Any]:
    """The user entry as the client's loader understands it, with the plugin's output in place of exec."""
    out = {k: v for k, v in user.items() if k not in ("exec", "token", "tokenFile")}
    if credential.token:
        out["token"] = credential.token
    else:
        out["client-certificate-data"] = base64.b64encode(str(credential.client_certificate_data).encode()).decode()
        out["client-key-data"] = base64.b64encode(str(credential.client_key_data).encode()).decode()
        out.pop("client-certificate", None)
        out.pop("client-key", None)
    return out


def _configure(name: str, context: dict[str, Any], cluster: dict[str, Any], user_name: str | None,
               user: dict[str, Any],
               configuration: Any) -> Any:
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader

    user_ref = user_name or "netpol-tui-anonymous"
    document = {
        "current-context": name,
        "contexts": [{"name": name, "context": {**context, "user": user_ref}}],
        "clusters": [{"name": context.get("cluster"), "cluster": cluster}],
        "users": [{"name": user_ref, "user": user}],
    }
    try:
        KubeConfigLoader(config_dict=document, active_context=name).load_and_set(configuration)
    except ConfigException as exc:
        raise KubeConfigError(f"context {name!r}: {exc}") from None
    except (OSError, ValueError) as exc:
        raise KubeConfigError(f"context {name!r}: cannot use the kubeconfig entry: {exc}") from None
    return configuration


def _exec_refresher(configuration: Any, exec_config: dict[str, Any], cluster: dict[str, Any], timeout: float,
                    user_name: str, credential: ExecCredential) -> Callable[[], bool]:
    """Hooks that keep an exec plugin token fresh: before expiry, and once after a 401."""
    state: dict[str, ExecCredential | None] = {"credential": credential}

    def apply(credential: ExecCredential) -> None:
        state["credential"] = credential
        if credential.token:
            configuration.api_key["BearerToken"] = f"Bearer {credential.token}"

    def hook(_configuration: Any) -> None:
        current = state["credential"]
        if current is None or current.expires_soon():
            # On failure the request goes out with the old token; a 401 then explains it.
            with contextlib.suppress(KubeConfigError):
                apply(run_exec_plugin(exec_config, cluster, timeout, user=user_name))

    def refresh() -> bool:
        apply(run_exec_plugin(exec_config, cluster, timeout, user=user_name, refresh=True))
        return True

    configuration.refresh_api_key_hook = hook
    return refresh


__all__ = ["IMPORT_LOCK", "connect", "import_kubernetes", "quiet_client_logs"]
