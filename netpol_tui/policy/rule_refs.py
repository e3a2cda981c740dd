"""Words of the verdict engine: the dataplane models, the two directions, rule references and
the three-valued answer (`allow`, `deny`, `unknown`).

Split from `results.py` (re-exported there) so that the small vocabulary every engine module
and the rule references share sits apart from the endpoints and the verdicts built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Dataplane(StrEnum):
    """Which enforcement semantics a verdict follows."""

    KUBERNETES = "kubernetes"
    CALICO = "calico"
    DATAPLANE_V2 = "dataplane-v2"
    NONE = "none"

    # Shadows str.title() on purpose (`Dataplane.CALICO.title` reads as the display name), which
    # the type checker reports as an incompatible override of the str method.
    @property
    def title(self) -> str:  # type: ignore[override]
        return _DATAPLANE_TITLES[self]


_DATAPLANE_TITLES = {
    Dataplane.KUBERNETES: "Kubernetes API semantics",
    Dataplane.CALICO: "Calico",
    Dataplane.DATAPLANE_V2: "Dataplane V2",
    Dataplane.NONE: "no enforcement",
}


class Direction(StrEnum):
    INGRESS = "Ingress"
    EGRESS = "Egress"

    @property
    def word(self) -> str:
        return self.value.lower()


def verdict_word(allowed: bool | None) -> str:
    """`allow`, `deny` or `unknown` (the verdict depends on data that was not read)."""
    return "unknown" if allowed is None else "allow" if allowed else "deny"


def combine(values: list[bool | None] | tuple[bool | None, ...]) -> bool | None:
    """Every connection of a question allowed: False when any is denied, None when some is unknown
    and none denied (a definite denial is the stronger answer), True when all are allowed."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result



@dataclass(frozen=True, slots=True)
class RuleRef:
    """A rule (and the peer / port entry inside it) of a policy.

    `peer_index` None means the rule has no from/to list (every peer); `port_index` None means
    the rule has no ports list (every port).
    """

    namespace: str
    name: str
    direction: Direction
    rule_index: int
    peer_index: int | None = None
    port_index: int | None = None

    @property
    def policy(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def policy_key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def __str__(self) -> str:
        peer = "every peer" if self.peer_index is None else f"peer {self.peer_index}"
        port = "every port" if self.port_index is None else f"port entry {self.port_index}"
        return f"{self.direction.word} rule {self.rule_index} of policy {self.policy} ({peer}, {port})"

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "namespace": self.namespace, "name": self.name,
                "direction": str(self.direction), "rule": self.rule_index, "peer": self.peer_index,
                "port": self.port_index, "text": str(self)}

