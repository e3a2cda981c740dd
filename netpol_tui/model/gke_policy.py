"""The other policy kinds GKE Dataplane V2 enforces besides networking.k8s.io/v1 NetworkPolicy.

- `FQDNNetworkPolicy` (networking.gke.io/v1alpha1, namespaced): pods it selects are isolated
  for egress; its rules allow egress to DNS names (`matches: name:` exact, `pattern:` wildcard)
  on given ports (gke-facts section 13).
- `CiliumNetworkPolicy` (namespaced) and `CiliumClusterwideNetworkPolicy` (cluster-scoped),
  cilium.io/v2: the L3/L4 subset — endpoint selectors, endpoints / entities / CIDR peers,
  ports with ranges, and deny rules, which take precedence over every allow of any kind.

Fields outside what netpol-tui evaluates are kept by name in `unsupported`: a verdict they
could touch is *unknown*, never decided as if they were absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netpol_tui.model.objects import Origin
from netpol_tui.model.policy import LabelSelector


@dataclass(frozen=True, slots=True)
class FqdnRule:
    names: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    #: (protocol, port or None for every port of the protocol); empty: every port.
    ports: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class FqdnNetworkPolicy:
    name: str
    namespace: str
    pod_selector: LabelSelector
    egress: tuple[FqdnRule, ...] = ()
    origin: Origin | None = None
    #: The object as read: `snapshot save` writes it back, the YAML view shows it.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    @property
    def label(self) -> str:
        return f"FQDNNetworkPolicy {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class CiliumPort:
    #: TCP, UDP, SCTP or ANY.
    protocol: str
    #: None: every port; a str names a container port.
    port: int | str | None = None
    end_port: int | None = None


@dataclass(frozen=True, slots=True)
class CiliumPeerRule:
    """One ingress/egress (or deny) rule: peers (any L3 entry matches) and ports.

    No L3 entry at all with ports: every peer on those ports. No L3 and no ports (`{}`): nothing
    (the Cilium way of writing default deny).
    """

    endpoints: tuple[LabelSelector, ...] = ()
    entities: tuple[str, ...] = ()
    #: (cidr, excepts)
    cidrs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ports: tuple[CiliumPort, ...] = ()
    #: The rule had an L3 field (even an empty list): without one, ports alone decide.
    has_l3: bool = False
    #: Fields of this rule netpol-tui does not evaluate (`toFQDNs`, `toPorts[0].rules`, ...).
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CiliumRuleSet:
    """One `spec` (or one entry of `specs`)."""

    endpoint_selector: LabelSelector | None
    node_selector: LabelSelector | None = None
    ingress: tuple[CiliumPeerRule, ...] = ()
    ingress_deny: tuple[CiliumPeerRule, ...] = ()
    egress: tuple[CiliumPeerRule, ...] = ()
    egress_deny: tuple[CiliumPeerRule, ...] = ()
    #: spec.enableDefaultDeny.{ingress,egress}; None: default (on for a direction that has rules).
    default_deny_ingress: bool | None = None
    default_deny_egress: bool | None = None
    section: str = "spec"
    #: Fields of this spec netpol-tui does not evaluate: every verdict of a pod it selects is unknown.
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CiliumPolicy:
    kind: str
    name: str
    #: None for a CiliumClusterwideNetworkPolicy.
    namespace: str | None
    rules: tuple[CiliumRuleSet, ...] = ()
    unsupported: tuple[str, ...] = ()
    origin: Origin | None = None
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace or "", self.name)

    @property
    def short_kind(self) -> str:
        return "CCNP" if self.namespace is None else "CNP"

    @property
    def label(self) -> str:
        return f"{self.short_kind} {self.name}" if self.namespace is None else \
            f"{self.short_kind} {self.namespace}/{self.name}"
