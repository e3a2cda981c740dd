"""GKE network policy logging configuration: the cluster-scoped `NetworkLogging` object.

On Dataplane V2 GKE creates one object, named `default` (networking.gke.io/v1alpha1), that says
which connections the dataplane writes to the `policy-action` log (gke-facts section 14):
`spec.cluster.allow.{log,delegate}` for allowed connections and `spec.cluster.deny.{log,delegate}`
for denied ones. Both default to off. With `delegate: true` (valid only with `log: true`), the
decision moves to annotations: on network policies for allowed connections, on the pod's
namespace for denied ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netpol_tui.model.objects import Origin

#: The one object GKE reads; others of the kind are ignored by the dataplane.
NETWORK_LOGGING_NAME = "default"
NETWORK_LOGGING_API_VERSION = "networking.gke.io/v1alpha1"
#: Why a cluster without Dataplane V2 has no flow records to read.
NO_POLICY_LOGS = ("the cluster uses the legacy datapath (Calico for network policy): GKE writes no network policy "
                  "logs and Hubble is not available; only Dataplane V2 clusters (created with "
                  "--enable-dataplane-v2) record policy verdicts")
#: How to turn deny logging on (the apply block the check GKE017 prints, in words).
TURN_ON_LOGGING = ("turn deny logging on with `kubectl apply` of NetworkLogging `default` with "
                   "spec.cluster.deny.log: true (see `netpol-tui check --select GKE017` for the block to paste), "
                   "then export the policy-action log: gcloud logging read 'logName=\"projects/PROJECT/logs/"
                   "policy-action\"' --format=json > policy-action.json")


@dataclass(frozen=True, slots=True)
class LogAction:
    """One of `spec.cluster.allow` / `spec.cluster.deny`."""

    log: bool = False
    delegate: bool = False

    @property
    def describe(self) -> str:
        if not self.log:
            return "off"
        return "delegated to annotations" if self.delegate else "on"


@dataclass(frozen=True, slots=True)
class NetworkLogging:
    name: str
    allow: LogAction = LogAction()
    deny: LogAction = LogAction()
    origin: Origin | None = None
    #: The object as read: `snapshot save` writes it back, the YAML view shows it.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return ("", self.name)

    @property
    def label(self) -> str:
        return f"NetworkLogging {self.name}"


__all__ = ["NETWORK_LOGGING_API_VERSION", "NETWORK_LOGGING_NAME", "NO_POLICY_LOGS", "TURN_ON_LOGGING", "LogAction",
           "NetworkLogging"]
