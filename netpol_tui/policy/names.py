"""Egress of a pod to a DNS name (`explain --to example.com:443`).

A NetworkPolicy or Cilium rule matches addresses, an FQDNNetworkPolicy rule names: for a name
the engine knows what FQDN rules say, and what address rules say only when they say it for
*every* outside address (an egress rule to anywhere on the port, `0.0.0.0/0`, `toEntities:
world`). Anything that depends on which addresses the name resolves to is unknown, with the
`nslookup` to run. A Service's DNS name is not an outside name: GKE translates a ClusterIP to a
pod before policy runs (a headless Service's name resolves to pod IPs), so no FQDN rule ever
matches it; the caller evaluates it as the Service's pods, with a note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from netpol_tui.model.gke_policy import CiliumPeerRule
from netpol_tui.model.parse_gke_policy import fqdn_matches
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.gke_rules import KindRuleRef, fqdn_port, port_state, unsupported_state
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.results import (
    Dataplane,
    Direction,
    DirectionResult,
    Endpoint,
    EndpointError,
    EndpointUnknown,
    RuleRef,
)
from netpol_tui.shell import quote

_LABEL = re.compile(r"[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?")
#: Entities that hold every address outside the cluster.
_WORLD = frozenset({"world", "all"})
#: Entities that hold no outside address (pods and nodes of the cluster).
_INSIDE = frozenset({"cluster", "host", "remote-node", "init", "health", "unmanaged", "ingress"})


def split_name(text: str) -> tuple[str, int | None] | None:
    """`example.com` or `example.com:443` as (name, port); None when the text is no DNS name
    (an IP address, `ns/pod`, a single label that may be a pod name)."""
    text = str(text or "").strip()
    port: int | None = None
    host = text
    if text.count(":") == 1:
        host, _, port_text = text.partition(":")
        if not port_text.isdigit():
            return None
        port = int(port_text)
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # an IPv4 address (or a typo of one), never a top-level domain
    return host, port


def service_name(host: str) -> tuple[str, str, bool] | None:
    """(namespace, service, certain) when `host` is a Service's in-cluster DNS name:
    `svc.ns.svc.cluster.local`, `svc.ns.svc`, a headless Service's pod record
    `pod.svc.ns.svc.cluster.local` (certain), or `svc.ns` (only when that Service exists: the
    caller checks; not certain)."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[2] == "svc":
        return labels[1], labels[0], True
    if len(labels) >= 4 and labels[3] == "svc":
        return labels[2], labels[1], True
    if len(labels) == 2:
        return labels[1], labels[0], False
    return None


def pod_address(host: str) -> str | None:
    """The IP of a pod's in-cluster DNS name (`10-64-0-11.shop.pod.cluster.local`), else None."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[2] == "pod":
        address = labels[0].replace("-", ".")
        if address.count(".") == 3 and all(part.isdigit() for part in address.split(".")):
            return address
    return None


@dataclass(frozen=True, slots=True, eq=False)
class NameVerdict:
    """The answer for a pod's egress to a DNS name; only egress applies (the name is outside)."""

    allowed: bool | None
    dataplane: Dataplane
    src: Endpoint
    host: str
    port: int
    protocol: str
    egress: DirectionResult
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return "unknown" if self.allowed is None else "allow" if self.allowed else "deny"

    @property
    def unknown_because(self) -> tuple[str, ...]:
        return self.egress.unknown_because if self.allowed is None else ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"verdict": self.verdict, "dataplane": str(self.dataplane),
                                "from": self.src.to_dict(), "to": {"kind": "name", "name": self.host},
                                "port": self.port, "protocol": self.protocol}
        if self.allowed is None:
            data["unknown_because"] = list(self.unknown_because)
        data["egress"] = self.egress.to_dict()
        data["notes"] = list(self.notes)
        return data

    def sentences(self) -> list[str]:
        word = {True: "ALLOWED", False: "DENIED", None: "UNKNOWN"}[self.allowed]
        lines = [f"Traffic from {self.src.describe()} to {self.host} on {self.protocol} port {self.port} is "
                 f"{word} ({self.dataplane.title})."]
        if self.allowed is None:
            lines.append("It depends on data that was not read or on what the name resolves to:")
            lines.extend(f"  ? {reason}" for reason in self.unknown_because)
        lines.append(self.egress.summary)
        lines.extend(f"  - {reason}" for reason in self.egress.denied_because)
        lines.append(f"Ingress: not checked, {self.host} is outside the cluster.")
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.sentences())


def _name_rule_state(rule: CiliumPeerRule, port: int, protocol: str, dual_stack: bool) -> bool | None:
    """Does a Cilium egress (or egressDeny) rule match *every* outside address on the port
    (True), none (False), or some, depending on what the name resolves to (None)?"""
    if not port_state(rule.ports, port, protocol, None):
        return False
    if not rule.has_l3:
        return unsupported_state(rule, bool(rule.ports))
    state: bool | None = False
    for entity in rule.entities:
        if entity in _WORLD:
            return unsupported_state(rule, True)
        if entity not in _INSIDE:
            state = None  # world-ipv4/-ipv6 (the name's family), kube-apiserver, an unknown entity
    for cidr, excepts in rule.cidrs:
        if cidr == "0.0.0.0/0" and not excepts and not dual_stack:
            return unsupported_state(rule, True)  # an IPv4-only pod reaches the name over IPv4
        state = None
    return unsupported_state(rule, state)


class NamesMixin(PolicyIndex):
    """`evaluate_name`: a pod's egress to a DNS name, by FQDN rules and address rules that
    cover every outside address."""

    def evaluate_name(self, src: Endpoint, host: str, port: int, protocol: str = "TCP") -> NameVerdict:
        pod = src.pod
        if pod is None:
            raise EndpointError(f"the source of a query to the name {host} must be a pod (egress to a name is "
                                "decided for the pod sending it)")
        host = host.lower().rstrip(".")
        name = src.name
        notes = list(self.notes)
        lookup = f"which addresses {host} resolves to for the pod (check with `nslookup {quote(host)}`)"

        def answer(allowed: bool | None, side: DirectionResult) -> NameVerdict:
            return NameVerdict(allowed, self.dataplane, src, host, port, protocol, side, tuple(notes))

        if self.dataplane is Dataplane.NONE:
            return answer(True, DirectionResult(Direction.EGRESS, name, False, False, True, summary=(
                f"Egress of {name}: allowed, NetworkPolicy is not enforced on this cluster.")))
        if pod.host_network:
            return answer(True, DirectionResult(Direction.EGRESS, name, False, False, True, summary=(
                f"Egress of {name}: not checked, it is a hostNetwork pod.")))
        dv2 = self.dataplane is Dataplane.DATAPLANE_V2
        # NetworkPolicy: allows the name when it allows every outside address of the pod's families.
        families = ["0.0.0.0/0"] + (["::/0"] if any(":" in ip for ip in pod.pod_ips) else [])
        sweeps = [self.evaluate_cidr(pod, cidr, port, protocol, Direction.EGRESS) for cidr in families]
        unknown: list[str] = [reason for sweep in sweeps for reason in sweep.unknown_because]
        np_isolating = tuple(dict.fromkeys(label for sweep in sweeps for label in sweep.isolating_policies))
        np_refs: tuple[RuleRef, ...] = tuple(dict.fromkeys(ref for sweep in sweeps for ref in sweep.allowed_by))
        if unknown:
            np_allows: bool | None = None
        elif all(sweep.fully_allowed for sweep in sweeps):
            np_allows = bool(np_isolating)  # not isolated by NetworkPolicy: it adds no allow of its own
        elif any(sweep.partially_allowed or sweep.fully_allowed for sweep in sweeps):
            np_allows = None
            unknown.append(f"NetworkPolicy {', '.join(np_isolating)} allows some outside addresses on "
                           f"{protocol} port {port}, maybe those of {host}")
        else:
            np_allows = False
        isolating = list(np_isolating)
        allows: list[RuleRef] = list(np_refs) if np_allows else []
        denies: list[KindRuleRef] = []
        # What could still allow it (unread data, rules matching some addresses), what could deny it.
        may_allow: list[str] = list(unknown)
        may_deny: list[str] = []
        isolation_unknown = bool(unknown) and np_allows is None and not np_isolating
        resolution = bool(unknown) and not any(sweep.unknown_because for sweep in sweeps)
        fqdn = self._fqdn_selecting(pod) if self._gke_index is not None else []
        if fqdn and not dv2:
            notes.append(f"{', '.join(p.label for p in fqdn)} selects {name}, but FQDN network policy is enforced "
                         f"only by Dataplane V2, not by {self.dataplane.title}: ignored.")
        if dv2:
            unread = self._unread_kinds(True)
            may_allow += unread
            may_deny += unread
            isolation_unknown = isolation_unknown or bool(unread)
            for policy in fqdn:
                isolating.append(policy.label)
                for index, rule in enumerate(policy.egress):
                    if fqdn_port(rule, port, protocol) and fqdn_matches(rule, host):
                        allows.append(KindRuleRef(policy.namespace, policy.name, Direction.EGRESS, index,
                                                  label=policy.label, section="egress"))
            doubts = self._cilium_for_name(pod, port, protocol, isolating, allows, denies, may_allow, may_deny)
            isolation_unknown = isolation_unknown or doubts
            resolution = resolution or doubts
        labels = tuple(dict.fromkeys(isolating))
        word = f"Egress of {name} to {host}"

        def unknown_answer(reasons: list[str]) -> NameVerdict:
            reasons = list(dict.fromkeys(reasons + ([lookup] if resolution else [])))
            return answer(None, DirectionResult(Direction.EGRESS, name, True, bool(labels) or None, None, labels,
                                                tuple(allows), (), f"{word}: unknown; {'; '.join(reasons)}.",
                                                tuple(reasons)))

        def denied() -> NameVerdict:
            return answer(False, DirectionResult(Direction.EGRESS, name, True, True, False, labels, (), (
                f"isolated by {', '.join(labels)}, and no rule allows {host} on {protocol} port {port}"
                + (" (no FQDN rule names it, and no address rule allows every outside address)" if dv2 else ""),),
                f"{word}: denied; isolated by {', '.join(labels)} and no rule of any policy kind allows it."))

        if denies:
            return answer(False, DirectionResult(Direction.EGRESS, name, True, True, False, labels, (), (
                f"{denies[0]} denies every outside address on {protocol} port {port}, and a deny rule takes "
                "precedence over every allow",), f"{word}: denied by {denies[0]}.", denied_by=tuple(denies)))
        if labels and not allows and not may_allow:
            return denied()  # nothing can allow it, whatever the deny rules in doubt match
        if may_deny:
            return unknown_answer(may_deny + (may_allow if not allows else []))
        if allows:
            return answer(True, DirectionResult(Direction.EGRESS, name, True, True, True, labels, tuple(allows), (),
                                                f"{word}: allowed by {allows[0]}."))
        if not labels:
            if isolation_unknown:
                return unknown_answer(may_allow)
            return answer(True, DirectionResult(Direction.EGRESS, name, True, False, True, summary=(
                f"{word}: allowed, no policy isolates its egress.")))
        return unknown_answer(may_allow)

    def service_for_name(self, host: str) -> tuple[str, str] | None:
        """(namespace, name) of the Service `host` names in the cluster's DNS, if it is one.
        EndpointUnknown when `svc.ns` could be a Service but the Services were not read."""
        found = service_name(host.lower().rstrip("."))
        if found is None:
            return None
        namespace, name, certain = found
        if certain or (namespace, name) in self._services:
            return namespace, name
        if Kind.SERVICE in self.unread:
            raise EndpointUnknown(f"{host} may be the DNS name of Service {namespace}/{name}, and the Services "
                                  "were not read", (self.unread.because(
                                      Kind.SERVICE, f"whether {host} is a Service of the cluster or a name "
                                                    "outside it"),))
        return None

    def fqdn_rules_naming(self, pod: Any, host: str) -> tuple[KindRuleRef, ...]:
        """The FQDN rules of policies selecting `pod` that name `host` (to say they cannot work
        for a Service name)."""
        if self._gke_index is None:
            return ()
        return tuple(KindRuleRef(policy.namespace, policy.name, Direction.EGRESS, index, label=policy.label,
                                 section="egress")
                     for policy in self._fqdn_selecting(pod)
                     for index, rule in enumerate(policy.egress) if fqdn_matches(rule, host))

    def _cilium_for_name(self, pod: Any, port: int, protocol: str, isolating: list[str], allows: list[RuleRef],
                         denies: list[KindRuleRef], may_allow: list[str], may_deny: list[str]) -> bool:
        """Cilium policies selecting the pod, for egress to an outside name (see `_name_rule_state`).
        True when some rule's answer depends on what the name resolves to or on unknown fields."""
        if self.snapshot.unknown_reason(Kind.CILIUM_POLICY):
            return False  # said by `_unread_kinds`
        dual_stack = any(":" in ip for ip in pod.pod_ips) and any(":" not in ip for ip in pod.pod_ips)
        doubt = False
        for policy, rule_set, selected, _ in self._cilium_selecting(pod) if self._gke_index is not None else ():
            if rule_set.unsupported:
                text = (f"{policy.label} selects {pod.namespace}/{pod.name} and has fields netpol-tui does not "
                        f"evaluate ({', '.join(rule_set.unsupported[:3])}), which may decide this traffic")
                may_allow.append(text)
                may_deny.append(text)
                doubt = True
            if selected is None:
                if rule_set.egress or rule_set.egress_deny:
                    text = (f"whether {policy.label} selects {pod.namespace}/{pod.name} (its endpointSelector "
                            "uses a label netpol-tui does not know)")
                    may_allow.append(text)
                    may_deny.append(text)
                    doubt = True
                continue
            default = rule_set.default_deny_egress
            if default if default is not None else bool(rule_set.egress or rule_set.egress_deny):
                isolating.append(policy.label)
            for section, rules, hits, doubts in (("egressDeny", rule_set.egress_deny, denies, may_deny),
                                                 ("egress", rule_set.egress, allows, may_allow)):
                for index, rule in enumerate(rules):
                    state = _name_rule_state(rule, port, protocol, dual_stack)
                    ref = KindRuleRef(policy.namespace or "", policy.name, Direction.EGRESS, index,
                                      label=policy.label, section=section)
                    if state:
                        hits.append(ref)
                    elif state is None:
                        verb = "deny" if section == "egressDeny" else "allow"
                        why = ", ".join(rule.unsupported) or "its CIDRs or entities may hold the addresses the name resolves to"
                        doubts.append(f"{ref} may {verb} it ({why})")
                        doubt = True
        return doubt


__all__ = ["NameVerdict", "NamesMixin", "pod_address", "service_name", "split_name"]
