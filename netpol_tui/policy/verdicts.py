"""The engine's answers: one side of a connection (`DirectionResult`), a connection (`Verdict`)
and a CIDR sweep (`CidrVerdict`), each JSON-ready through `to_dict()`.

Split from `results.py` (re-exported there) so that the answers, the part that grows with each
new policy kind, sit apart from the endpoints and words they are built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netpol_tui.policy.rule_refs import Dataplane, Direction, RuleRef, verdict_word

if TYPE_CHECKING:
    from netpol_tui.model.objects import Pod
    from netpol_tui.policy.endpoint_types import Endpoint


@dataclass(frozen=True, slots=True)
class DirectionResult:
    """One side of a connection: the source's egress or the destination's ingress.

    `applies` is False when that side is not a pod subject to policy (an external address,
    or a hostNetwork pod); it then lets everything through. `allowed` None: unknown, the answer
    depends on data that was not read (`unknown_because` says which). `isolated` None: whether
    policy isolates the side is itself unknown (NetworkPolicies not read). `denied_by` holds the
    deny rules that decided a denial (Cilium `ingressDeny`/`egressDeny`, as `KindRuleRef`s, the
    first the one `denied_because` and `summary` name): read them, never the sentences.
    """

    direction: Direction
    endpoint: str
    applies: bool
    isolated: bool | None
    allowed: bool | None
    isolating_policies: tuple[str, ...] = ()
    allowed_by: tuple[RuleRef, ...] = ()
    denied_because: tuple[str, ...] = ()
    summary: str = ""
    unknown_because: tuple[str, ...] = ()
    denied_by: tuple[RuleRef, ...] = ()

    @property
    def verdict(self) -> str:
        return verdict_word(self.allowed)

    @property
    def known(self) -> bool:
        return self.allowed is not None

    def to_dict(self) -> dict[str, Any]:
        data = {"direction": str(self.direction), "endpoint": self.endpoint, "applies": self.applies,
                "isolated": self.isolated, "verdict": self.verdict,
                "isolating_policies": list(self.isolating_policies),
                "allowed_by": [ref.to_dict() for ref in self.allowed_by],
                "denied_because": list(self.denied_because), "summary": self.summary}
        if self.denied_by:
            data["denied_by"] = [ref.to_dict() for ref in self.denied_by]
        if self.allowed is None:
            data["unknown_because"] = list(self.unknown_because)
        return data


@dataclass(frozen=True, slots=True, eq=False)
class Verdict:
    """A connection's answer. `allowed` None: unknown (some data it depends on was not read);
    a definite denial on one side decides even when the other side is unknown."""

    allowed: bool | None
    dataplane: Dataplane
    src: Endpoint
    dst: Endpoint
    #: The port on the destination pod the policy is checked against (a Service's targetPort).
    port: int
    protocol: str
    egress: DirectionResult
    ingress: DirectionResult
    notes: tuple[str, ...] = ()
    #: The port asked for when it differs from `port` (a Service port), else None.
    requested_port: int | None = None

    @property
    def verdict(self) -> str:
        return verdict_word(self.allowed)

    @property
    def known(self) -> bool:
        return self.allowed is not None

    @property
    def unknown_because(self) -> tuple[str, ...]:
        """Why the verdict is unknown (empty when it is definite)."""
        if self.allowed is not None:
            return ()
        reasons: list[str] = []
        for side in (self.egress, self.ingress):
            reasons.extend(reason for reason in side.unknown_because if reason not in reasons)
        return tuple(reasons)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict, "dataplane": str(self.dataplane),
            "from": self.src.to_dict(), "to": self.dst.to_dict(),
            "port": self.port, "protocol": self.protocol,
        }
        if self.allowed is None:
            data["unknown_because"] = list(self.unknown_because)
        if self.requested_port is not None:
            data["service_port"] = self.requested_port
        data["egress"] = self.egress.to_dict()
        data["ingress"] = self.ingress.to_dict()
        data["notes"] = list(self.notes)
        return data

    def sentences(self) -> list[str]:
        """Plain sentences an on-call engineer can paste into a ticket."""
        word = {True: "ALLOWED", False: "DENIED", None: "UNKNOWN"}[self.allowed]
        port = f"{self.protocol} port {self.port}"
        if self.requested_port is not None:
            port += f" (Service port {self.requested_port})"
        lines = [f"Traffic from {self.src.describe()} to {self.dst.describe()} on {port} is {word} "
                 f"({self.dataplane.title})."]
        if self.allowed is None:
            lines.append("It depends on data that was not read:")
            lines.extend(f"  ? {reason}" for reason in self.unknown_because)
        for side in (self.egress, self.ingress):
            lines.append(side.summary)
            lines.extend(f"  - {reason}" for reason in side.denied_because)
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.sentences())


@dataclass(frozen=True, slots=True, eq=False)
class CidrVerdict:
    """Is every address of `cidr` allowed to reach the pod (Ingress) / be reached (Egress)?

    `partially_allowed` is True when some, but not all, addresses are allowed.
    `uncovered` lists the CIDRs that are not allowed. With `unknown_because` set the answer is
    unknown (NetworkPolicies not read): neither fully nor partially allowed.
    """

    pod: Pod
    cidr: str
    port: int
    protocol: str
    direction: Direction
    dataplane: Dataplane
    fully_allowed: bool
    partially_allowed: bool
    isolated: bool | None
    allowed_by: tuple[RuleRef, ...] = ()
    uncovered: tuple[str, ...] = ()
    isolating_policies: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unknown_because: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return not self.unknown_because

    @property
    def verdict(self) -> str:
        if self.unknown_because:
            return "unknown"
        if self.fully_allowed:
            return "allow"
        return "partial" if self.partially_allowed else "deny"

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "pod": f"{self.pod.namespace}/{self.pod.name}", "cidr": self.cidr,
                "port": self.port, "protocol": self.protocol, "direction": str(self.direction),
                "dataplane": str(self.dataplane), "isolated": self.isolated,
                "fully_allowed": self.fully_allowed, "partially_allowed": self.partially_allowed,
                "allowed_by": [ref.to_dict() for ref in self.allowed_by], "uncovered": list(self.uncovered),
                "isolating_policies": list(self.isolating_policies), "notes": list(self.notes),
                **({"unknown_because": list(self.unknown_because)} if self.unknown_because else {})}

