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

from netpol_tui.model.objects import Origin

#: The one object GKE reads; others of the kind are ignored by the dataplane.
NETWORK_LOGGING_NAME = "default"
NETWORK_LOGGING_API_VERSION = "networking.gke.io/v1alpha1"


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
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return ("", self.name)

    @property
    def label(self) -> str:
        return f"NetworkLogging {self.name}"


__all__ = ["NETWORK_LOGGING_API_VERSION", "NETWORK_LOGGING_NAME", "LogAction", "NetworkLogging"]
