"""Which enforcement model a snapshot's cluster follows (gke-facts sections 1 and 7)."""

from __future__ import annotations

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.policy.results import Dataplane

DATAPLANE_CHOICES = ("auto", "kubernetes", "calico", "dataplane-v2", "none")


def cluster_dataplane(snapshot: Snapshot) -> Dataplane | None:
    """The model the GKE cluster info implies; None without cluster info."""
    cluster = snapshot.cluster
    if cluster is None:
        return None
    if cluster.is_dataplane_v2:
        return Dataplane.DATAPLANE_V2
    if cluster.is_standard_legacy and cluster.network_policy_enabled is not None:
        return Dataplane.CALICO if cluster.network_policy_enabled else Dataplane.NONE
    return None  # an unknown datapath, or a trimmed description without the node setting


def _policy_count(snapshot: Snapshot) -> str:
    count = len(snapshot.policies)
    return f"{count} NetworkPolic{'y exists' if count == 1 else 'ies exist'}"


def resolve_dataplane(snapshot: Snapshot, requested: str | Dataplane = "auto") -> tuple[Dataplane, tuple[str, ...]]:
    """The model to evaluate with and the notes explaining the choice.

    auto: Dataplane V2 (ADVANCED_DATAPATH or Autopilot) -> dataplane-v2; Standard legacy with
    networkPolicy.enabled -> calico; Standard legacy with enforcement off -> none (everything
    allowed); no cluster info -> kubernetes. ValueError for an unknown name.
    """
    text = str(requested or "auto").strip().lower()
    if text not in DATAPLANE_CHOICES:
        raise ValueError(f"unknown dataplane {requested!r}; choose from {', '.join(DATAPLANE_CHOICES)}")
    implied = cluster_dataplane(snapshot)
    cluster = snapshot.cluster
    notes: list[str] = []
    if text == "auto":
        if cluster is None:
            notes.append("No GKE cluster information: verdicts follow the Kubernetes API semantics "
                         "(ipBlock also matches pod IPs, endPort ranges are honoured); pass --dataplane "
                         "calico or dataplane-v2 to use a GKE model.")
            return Dataplane.KUBERNETES, tuple(notes)
        if implied is None:
            notes.append(f"Cluster {cluster.name}: {cluster.enforcement_unknown_reason or 'enforcement unknown'}; "
                         "verdicts follow the Kubernetes API semantics.")
            return Dataplane.KUBERNETES, tuple(notes)
        chosen = implied
    else:
        chosen = Dataplane(text)
        if implied is not None and implied is not chosen:
            notes.append(f"Evaluated as {chosen.title} as requested, but cluster {cluster.name} "
                         f"uses {implied.title}." if cluster is not None else "")
    if chosen is Dataplane.NONE:
        where = f"cluster {cluster.name}" if cluster is not None else "this cluster"
        notes.append(f"NetworkPolicy enforcement is off on {where}: {_policy_count(snapshot)} but "
                     "none is enforced, so all traffic is allowed.")
    return chosen, tuple(note for note in notes if note)
