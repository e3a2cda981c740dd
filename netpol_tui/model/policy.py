"""networking.k8s.io/v1 NetworkPolicy, with the API server's defaults already applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from netpol_tui.model.objects import Origin


class SelectorOperator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True, slots=True)
class LabelSelectorRequirement:
    key: str
    operator: SelectorOperator
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """matchLabels AND matchExpressions; an empty selector matches everything."""

    match_labels: dict[str, str] = field(default_factory=dict)
    match_expressions: tuple[LabelSelectorRequirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions


@dataclass(frozen=True, slots=True)
class IPBlock:
    """A CIDR with exceptions, kept as written (already validated, normalised by the engine)."""

    cidr: str
    excepts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyPeer:
    """One `from`/`to` entry.

    podSelector and namespaceSelector in one peer are ANDed; a podSelector alone means
    the policy's own namespace.
    """

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True, slots=True)
class PolicyPort:
    """protocol defaults to TCP; port None means every port of the protocol.

    `port` is an int, or a str naming a container port.
    """

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """Empty `peers` matches every peer, empty `ports` every port (as an absent list does)."""

    peers: tuple[PolicyPeer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    name: str
    namespace: str
    pod_selector: LabelSelector
    policy_types: tuple[str, ...]
    ingress: tuple[PolicyRule, ...] = ()
    egress: tuple[PolicyRule, ...] = ()
    #: Whether policyTypes was written or defaulted from the sections present.
    policy_types_written: bool = True
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    uid: str = ""
    creation_timestamp: str | None = None
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def affects_ingress(self) -> bool:
        return "Ingress" in self.policy_types

    @property
    def affects_egress(self) -> bool:
        return "Egress" in self.policy_types
