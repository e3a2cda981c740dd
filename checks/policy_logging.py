"""GKE017: whether the dataplane records the connections network policies deny.

Network policy logging exists on Dataplane V2 only, configured by the cluster-scoped
`NetworkLogging` object `default` (gke-facts section 14). Without deny logging, a drop leaves no
record in Cloud Logging, and `netpol-tui flows` has nothing to compare with the policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
from netpol_tui.checks.gke_common import need_datapath
from netpol_tui.checks.manifests import dump
from netpol_tui.checks.model import Evidence, Severity, Subject
from netpol_tui.checks.shell import apply, kubectl
from netpol_tui.model.gke_logging import NETWORK_LOGGING_API_VERSION, NETWORK_LOGGING_NAME, LogAction
from netpol_tui.model.snapshot import Kind

#: What the live source needs to read the object; named whenever the check cannot decide.
CAN_I = "kubectl auth can-i list networkloggings.networking.gke.io"
ALLOW_COST_NOTE = ("Allow logging is left as it is: it records every allowed connection, which can cost a lot "
                   "in Cloud Logging; turn it on only briefly or for chosen policies (delegate: true).")
LOG_NAME = "policy-action"



def logging_manifest(allow: LogAction) -> str:
    """The `default` object with deny logging on for every namespace; allow logging kept as read."""
    return dump([{
        "apiVersion": NETWORK_LOGGING_API_VERSION, "kind": "NetworkLogging",
        "metadata": {"name": NETWORK_LOGGING_NAME},
        "spec": {"cluster": {"allow": {"log": allow.log, "delegate": allow.delegate},
                             "deny": {"log": True, "delegate": False}}},
    }])


def check_deny_logging_off(ctx: Context) -> Iterator[Hit]:
    """Connections that network policies deny are not logged, so a drop leaves no trace to investigate.

    On Dataplane V2, GKE writes allowed and denied connections to Cloud Logging (log
    policy-action) only as the cluster's NetworkLogging object `default` asks, and both are off
    by default. Without deny logging an engineer cannot see which policy dropped a connection,
    and `netpol-tui flows` has no records to compare with the policies. Denied connections are
    few and cheap to log; allow logging records every allowed connection and can cost a lot.
    Calico clusters (legacy datapath) have no network policy logs and no Hubble at all, so
    there is nothing to turn on and the check stays silent there.
    """
    cluster = need_datapath(ctx)
    subject = Subject("Cluster", None, cluster.name)
    if not cluster.is_dataplane_v2:
        # Nothing to turn on: the legacy datapath has no policy logs (NO_POLICY_LOGS); a finding on
        # every Calico cluster would be noise the user cannot act on. Flows say it instead.
        return
    reason = ctx.kind_missing(Kind.NETWORK_LOGGING)
    if reason:
        raise CheckUnknown(f"{reason}; to read it live, `{CAN_I}` must answer yes")
    config = ctx.snapshot.logging_config
    show = kubectl("get", "networklogging", NETWORK_LOGGING_NAME, "-o", "yaml")
    if config is None:
        allow = LogAction()
        message = (f"Cluster {cluster.name} has no NetworkLogging object {NETWORK_LOGGING_NAME!r}: connections "
                   "that network policies deny are not logged.")
        evidence: tuple[Evidence, ...] = (Evidence(f"NetworkLogging {NETWORK_LOGGING_NAME}", "absent",
                                                   "spec.cluster.deny.log: true"),)
        severity = None
        origin = None
    elif not config.deny.log:
        allow = config.allow
        message = (f"Cluster {cluster.name} does not log connections that network policies deny "
                   f"(NetworkLogging {config.name}: spec.cluster.deny.log is false).")
        evidence = (Evidence(f"NetworkLogging {config.name} spec.cluster.deny.log", "false", "true"),
                    Evidence(f"NetworkLogging {config.name} spec.cluster.allow", config.allow.describe))
        severity = None
        origin = config.origin
    elif config.deny.delegate:
        allow = config.allow
        message = (f"Cluster {cluster.name} logs denied connections only for namespaces that opt in by "
                   f"annotation (NetworkLogging {config.name}: spec.cluster.deny.delegate is true): drops in the "
                   "other namespaces leave no record.")
        evidence = (Evidence(f"NetworkLogging {config.name} spec.cluster.deny.delegate", "true",
                             "false (every namespace)"),)
        severity = Severity.INFO
        origin = config.origin
    else:
        return
    manifest = logging_manifest(allow)
    cmds, placeholders = commands(
        (show, "see the current logging settings"),
        (apply(manifest), "log every denied connection (allow logging unchanged)"))
    yield Hit(subject, message, evidence, cmds, manifest, placeholders, severity=severity, origin=origin,
              notes=(ALLOW_COST_NOTE, f"Records then appear in Cloud Logging, log {LOG_NAME} (resource type "
                                      "k8s_node); read them with `netpol-tui flows --flows FILE`."))


__all__ = ["check_deny_logging_off", "logging_manifest"]
