"""Value types of the verdict engine: endpoints, rule references and verdicts.

Everything here is immutable and JSON-ready through `to_dict()`; nothing does I/O.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from netpol_tui.model.objects import Pod, Service
from netpol_tui.model.policy import NetworkPolicy


class Dataplane(StrEnum):
    """Which enforcement semantics a verdict follows."""

    KUBERNETES = "kubernetes"
    CALICO = "calico"
    DATAPLANE_V2 = "dataplane-v2"
    NONE = "none"

    @property
    def title(self) -> str:
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


class EndpointError(ValueError):
    """A query the engine cannot answer: unknown pod, bad address, bad port.

    `suggestions` holds the closest known names (may be empty).
    """

    def __init__(self, message: str, suggestions: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        if self.suggestions:
            return f"{self.message} (did you mean: {', '.join(self.suggestions)}?)"
        return self.message


class EndpointUnknown(EndpointError):
    """The endpoint cannot be resolved because the data naming it was not read (pods or Services
    forbidden): the answer is unknown, not a bad question. `unknown_because` says what is missing."""

    def __init__(self, message: str, unknown_because: tuple[str, ...] | list[str]) -> None:
        super().__init__(message)
        self.unknown_because = tuple(unknown_because)


def normalise_address(text: str) -> str:
    """The canonical text of an IP address; EndpointError when it is not one.

    `[2001:db8::1]` (URL style) is accepted; a zone id (`fe80::1%eth0`) is refused: it names a
    link-local address of one host, never a pod or a routable peer that policy could match.
    """
    raw = str(text).strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1].strip()
    if "%" in raw:
        raise EndpointError(f"IPv6 zone ids are not supported ({text!r}): a zone-scoped address is "
                            "link-local to one host; give the pod's or peer's routable address")
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise EndpointError(f"not an IP address: {text!r}") from None


class Endpoint:
    """One end of a connection: a pod (optionally reached through a Service) or an address.

    Immutable. `address` is the IP the traffic uses: for a pod, one of its IPs (the primary
    by default, None when the pod has none yet); for an external endpoint, the address.
    """

    __slots__ = ("_address", "_pod", "_service")

    def __init__(self, pod: Pod | None = None, address: str | None = None,
                 service: Service | None = None) -> None:
        if pod is None and address is None:
            raise EndpointError("an endpoint needs a pod or an address")
        if address is not None:
            address = normalise_address(address)
        elif pod is not None and pod.ip:
            # the API server writes pod IPs in canonical form; the engine parses them when needed
            address = pod.ip
        object.__setattr__(self, "_pod", pod)
        object.__setattr__(self, "_address", address)
        object.__setattr__(self, "_service", service)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Endpoint is immutable")

    @classmethod
    def for_pod(cls, pod: Pod, address: str | None = None, service: Service | None = None) -> Endpoint:
        return cls(pod=pod, address=address, service=service)

    @classmethod
    def for_address(cls, address: str) -> Endpoint:
        return cls(address=address)

    @property
    def pod(self) -> Pod | None:
        return self._pod

    @property
    def address(self) -> str | None:
        return self._address

    @property
    def service(self) -> Service | None:
        return self._service

    @property
    def is_pod(self) -> bool:
        return self._pod is not None

    @property
    def is_external(self) -> bool:
        return self._pod is None

    @property
    def kind(self) -> str:
        return "pod" if self._pod is not None else "address"

    @property
    def namespace(self) -> str | None:
        return self._pod.namespace if self._pod is not None else None

    @property
    def name(self) -> str:
        """`namespace/pod` for a pod, the address otherwise."""
        if self._pod is not None:
            return f"{self._pod.namespace}/{self._pod.name}"
        return self._address or "?"

    @property
    def labels(self) -> dict[str, str]:
        return self._pod.labels if self._pod is not None else {}

    def describe(self) -> str:
        """`shop/web-0 (10.4.0.5)`, `shop/db-0 (10.4.1.3, via Service shop/db)`, `203.0.113.5`."""
        if self._pod is None:
            return self._address or "?"
        extra = [self._address or "no IP"]
        if self._pod.host_network:
            extra.append("hostNetwork")
        if self._service is not None:
            extra.append(f"via Service {self._service.namespace}/{self._service.name}")
        return f"{self.name} ({', '.join(extra)})"

    def to_dict(self) -> dict[str, Any]:
        if self._pod is None:
            return {"kind": "address", "ip": self._address}
        data: dict[str, Any] = {"kind": "pod", "namespace": self._pod.namespace, "name": self._pod.name,
                                "ip": self._address}
        if self._pod.host_network:
            data["hostNetwork"] = True
        if self._service is not None:
            data["service"] = f"{self._service.namespace}/{self._service.name}"
        return data

    def _identity(self) -> tuple:
        pod = self._pod.key if self._pod is not None else None
        service = self._service.key if self._service is not None else None
        return (pod, self._address, service)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Endpoint):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return f"Endpoint({self.describe()})"


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


@dataclass(frozen=True, slots=True)
class DirectionResult:
    """One side of a connection: the source's egress or the destination's ingress.

    `applies` is False when that side is not a pod subject to policy (an external address,
    or a hostNetwork pod); it then lets everything through. `allowed` None: unknown, the answer
    depends on data that was not read (`unknown_because` says which). `isolated` None: whether
    policy isolates the side is itself unknown (NetworkPolicies not read).
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


@dataclass(frozen=True, slots=True)
class TermResult:
    """One term of a label selector checked against a label set.

    `text` is the term as kubectl prints it (`app=store`, `env in (a,b)`, `tier`, `!debug`);
    `actual` what the labels hold for that key (`app=stor`, `no label app`); `hint` a
    near-miss remark when the term fails (one-character typo, key with another value).
    """

    text: str
    matched: bool
    key: str
    operator: str
    actual: str
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.text, "matched": self.matched, "key": self.key, "operator": self.operator,
                "actual": self.actual, "hint": self.hint}


@dataclass(frozen=True, slots=True, eq=False)
class SelectionMiss:
    """A policy of the pod's namespace whose podSelector does not select the pod."""

    policy: NetworkPolicy
    terms: tuple[TermResult, ...]

    @property
    def failing(self) -> tuple[TermResult, ...]:
        return tuple(term for term in self.terms if not term.matched)

    @property
    def hints(self) -> tuple[str, ...]:
        return tuple(term.hint for term in self.failing if term.hint)

    @property
    def near_miss(self) -> bool:
        """Exactly one term fails, or some failing term has a near-miss hint."""
        failing = self.failing
        return len(failing) == 1 or any(term.hint for term in failing)

    def __str__(self) -> str:
        failing = self.failing
        text = (f"policy {self.policy.namespace}/{self.policy.name} needs "
                f"{', '.join(t.text for t in failing)}; pod has {', '.join(t.actual for t in failing)}")
        hints = self.hints
        if hints:
            text += f" ({'; '.join(hints)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"policy": f"{self.policy.namespace}/{self.policy.name}",
                "terms": [term.to_dict() for term in self.terms],
                "failing": [term.text for term in self.failing], "hints": list(self.hints),
                "text": str(self)}
