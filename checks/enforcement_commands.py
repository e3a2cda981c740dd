"""The gcloud and kubectl commands of the enforcement sequence, filled with the cluster's identity.

Part of the enforcement state (`checks/enforcement.py` re-exports every name): the verify
commands of gke-facts section 1, the enable and disable steps of section 3, and the cluster's
name, location and project they need, with placeholders where the snapshot does not say. The
checks, the runbooks and the console's enforcement view all print these same commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.shell import ShellCommand, gcloud, join, kubectl

CALICO_LABEL_SELECTOR = "projectcalico.org/ds-ready=true"
VERIFY_NODES = kubectl("get", "nodes", "-l", CALICO_LABEL_SELECTOR)
VERIFY_CALICO_PODS = kubectl("get", "pods", "-l", "k8s-app=calico-node", namespace="kube-system")
VERIFY_CILIUM = kubectl("get", "pods", "-l", "k8s-app=cilium", namespace="kube-system")
VERIFY_NODES_COMMAND = VERIFY_NODES.text
VERIFY_CALICO_PODS_COMMAND = VERIFY_CALICO_PODS.text
VERIFY_CILIUM_COMMAND = VERIFY_CILIUM.text
NO_NODES_OUTPUT = "No resources found"
NO_KUBE_SYSTEM_PODS_OUTPUT = "No resources found in kube-system namespace."

PLACEHOLDER_CLUSTER = "CLUSTER_NAME"
PLACEHOLDER_LOCATION = "LOCATION"
PLACEHOLDER_PROJECT = "PROJECT_ID"
PLACEHOLDER_VERSION = "MASTER_VERSION"
PLACEHOLDER_POOL = "POOL_NAME"


# ------------------------------------------------------------------------ identity


@dataclass(frozen=True, slots=True)
class ClusterIdentity:
    """Name, location and project for gcloud commands; `placeholders` lists what is unknown."""

    name: str
    location: str
    project: str
    placeholders: tuple[str, ...] = ()

    @property
    def flag_args(self) -> tuple[str, str]:
        """The `--location=` and `--project=` words of a gcloud argv."""
        return (f"--location={self.location}", f"--project={self.project}")

    @property
    def flags(self) -> str:
        """The same, as quoted shell text (for prose that quotes a command)."""
        return join(self.flag_args)


_CONTEXT = re.compile(r"^gke_([a-z][-a-z0-9.:]*)_([a-z0-9-]+)_([a-z0-9][-a-z0-9]*)$")


def cluster_identity(snapshot: Snapshot) -> ClusterIdentity:
    """From the cluster info first, then the source options, then a `gke_PROJECT_LOC_NAME` context."""
    cluster, source = snapshot.cluster, snapshot.source
    from_context: tuple[str | None, str | None, str | None] = (None, None, None)
    match = _CONTEXT.match(source.context or "")
    if match:
        from_context = (match.group(1), match.group(2), match.group(3))
    name = (cluster.name if cluster else None) or source.cluster or from_context[2]
    location = (cluster.location if cluster else None) or source.location or from_context[1]
    project = (cluster.project if cluster else None) or source.project or from_context[0]
    placeholders = []
    if not name:
        placeholders.append(PLACEHOLDER_CLUSTER)
    if not location:
        placeholders.append(PLACEHOLDER_LOCATION)
    if not project:
        placeholders.append(PLACEHOLDER_PROJECT)
    return ClusterIdentity(name or PLACEHOLDER_CLUSTER, location or PLACEHOLDER_LOCATION,
                           project or PLACEHOLDER_PROJECT, tuple(placeholders))


def cluster_name(snapshot: Snapshot) -> str:
    """The cluster's name, or `CLUSTER_NAME` when the snapshot does not say."""
    return cluster_identity(snapshot).name


def gcloud_flags(snapshot: Snapshot) -> str:
    """`--location=LOC --project=PROJ` with real values, placeholders where unknown."""
    return cluster_identity(snapshot).flags


#: A gcloud command as argv (see `netpol_tui.shell`); `.text` is its quoted shell text.
GcloudCommand = ShellCommand


def _gcloud(snapshot: Snapshot, verb: str, *args: str, extra_placeholders: tuple[str, ...] = ()) -> GcloudCommand:
    identity = cluster_identity(snapshot)
    placeholders = tuple(dict.fromkeys((*identity.placeholders, *extra_placeholders)))
    return gcloud(("container", "clusters", verb), identity.name, (*args, *identity.flag_args), placeholders)


def enable_commands(snapshot: Snapshot) -> tuple[GcloudCommand, GcloudCommand]:
    """The two enable steps for an existing Standard cluster, in order (gke-facts 3)."""
    return (_gcloud(snapshot, "update", "--update-addons=NetworkPolicy=ENABLED"),
            _gcloud(snapshot, "update", "--enable-network-policy"))


def disable_commands(snapshot: Snapshot) -> tuple[GcloudCommand, GcloudCommand]:
    """Disable steps 1 and 3; step 2 is waiting for `VERIFY_NODES_COMMAND` to print nothing."""
    return (_gcloud(snapshot, "update", "--no-enable-network-policy"), disable_addon_command(snapshot))


def disable_addon_command(snapshot: Snapshot) -> GcloudCommand:
    return _gcloud(snapshot, "update", "--update-addons=NetworkPolicy=DISABLED")


def upgrade_pool_command(snapshot: Snapshot, pool: str | None) -> GcloudCommand:
    """Recreate a pool's nodes now by upgrading it to the control plane's own version."""
    cluster = snapshot.cluster
    version = cluster.current_master_version if cluster and cluster.current_master_version else None
    extra = tuple(p for p, missing in ((PLACEHOLDER_POOL, not pool), (PLACEHOLDER_VERSION, not version)) if missing)
    return _gcloud(snapshot, "upgrade", f"--node-pool={pool or PLACEHOLDER_POOL}",
                   f"--cluster-version={version or PLACEHOLDER_VERSION}", extra_placeholders=extra)
