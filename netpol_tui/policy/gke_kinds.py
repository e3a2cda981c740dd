"""FQDNNetworkPolicy and Cilium (cluster-wide) policies on top of a NetworkPolicy side verdict.

Only under the Dataplane V2 model: Calico does not enforce these kinds (a check says so), and
the Kubernetes model is NetworkPolicy alone. The combination follows Cilium and GKE:

- deny rules (`ingressDeny`/`egressDeny`) take precedence over every allow, NetworkPolicy
  included;
- a pod selected by any policy of any kind for a direction is isolated there (Cilium's
  `enableDefaultDeny` may turn that off per policy); FQDNNetworkPolicy isolates egress;
- isolated traffic is allowed when any rule of any kind allows it.

An FQDN rule allows names, not addresses: to an address it *may* apply (if the name resolved to
it), so the answer is unknown with the `nslookup` to run. Whatever netpol-tui does not evaluate
(L7 rules, `toFQDNs`, `toServices`, service-account selectors, ...) makes a verdict it could
touch unknown, the field named.

The code lives in four modules by what it does; this one combines the rules into a side's
verdict and is the public entry (it re-exports the names other modules import):

- `gke_rules`: what one rule matches, with no engine (selectors, ports, CIDRs, `KindRuleRef`);
- `gke_index`: which policies may apply to a pod (the index, cached per pod group);
- `cilium_match`: does a Cilium rule match one piece of traffic (three-valued);
- `gke_kinds` (here): the verdict of one side, and `cilium_deny_rules` for GKE026.
"""

from __future__ import annotations

from dataclasses import replace

from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
from netpol_tui.model.objects import Pod
from netpol_tui.model.snapshot import Kind
from netpol_tui.policy.cilium_match import CiliumMatchMixin
from netpol_tui.policy.common import WORDS, _Traffic
from netpol_tui.policy.gke_index import GkeIndex
from netpol_tui.policy.gke_rules import (
    KNOWN_ENTITIES,
    NAMESPACE_KEY,
    NAMESPACE_LABEL_PREFIX,
    POD_ENTITIES,
    UNKNOWN_KEYS,
    KindRuleRef,
    fqdn_port,
    fqdn_targets,
    lookup_hint,
    unsupported_state,
)
from netpol_tui.policy.kind_plans import KindPlansMixin
from netpol_tui.policy.results import Direction, DirectionResult, Endpoint
from netpol_tui.shell import kubectl

__all__ = ["KNOWN_ENTITIES", "NAMESPACE_KEY", "NAMESPACE_LABEL_PREFIX", "POD_ENTITIES", "UNKNOWN_KEYS", "GkeIndex",
           "GkeKindsMixin", "KindRuleRef", "unsupported_state"]


#: The command that prints the Dataplane V2 agent's image (its Cilium version).
_AGENT_IMAGE = kubectl("get", "daemonset", "anetd", "-o", "jsonpath={..image}", namespace="kube-system").text


class GkeKindsMixin(CiliumMatchMixin, KindPlansMixin):
    """Adds the Dataplane V2 policy kinds to a side verdict (see the module docstring)."""

    def cilium_deny_rules(self, policy: CiliumPolicy, subject: Pod, other: Endpoint, port: int,
                          protocol: str = "TCP", direction: Direction = Direction.INGRESS) -> tuple[KindRuleRef, ...]:
        """The deny rules of one Cilium policy that certainly drop this traffic, as references.

        `subject` is the pod the policy must select: the destination for `Direction.INGRESS`
        (its `ingressDeny` rules, `other` the source), the source for `Direction.EGRESS` (its
        `egressDeny` rules, `other` the destination). A rule counts when the policy certainly
        selects `subject` and the rule certainly matches `other` on the port; one whose answer is
        unknown (a label netpol-tui does not know, unsupported fields) does not. Each reference
        names the policy (`kind`, `namespace`, `name`), the `section` and the `rule_index` in
        that rule set's section, in the policy's order. Whether the dataplane enforces them is
        not asked here: only Dataplane V2 does (`evaluate` says so).
        """
        egress = direction is Direction.EGRESS
        section = "egressDeny" if egress else "ingressDeny"
        target = other.pod if egress else subject
        found: list[KindRuleRef] = []
        for rule_set in policy.rules:
            deny_rules = rule_set.egress_deny if egress else rule_set.ingress_deny
            if not deny_rules or self._policy_selects(policy, rule_set, subject) is not True:
                continue
            self._collect_matches(policy, enumerate(deny_rules), section, direction, other, other.address, port,
                                  protocol, target, found, [])
        return tuple(found)

    def _unread_kinds(self, egress: bool) -> tuple[str, ...]:
        """One sentence per CRD kind that was not read and can decide this direction (FQDN
        policies only egress), naming the permission to ask for."""
        if not self.snapshot.unknown:
            return ()
        kinds = (Kind.FQDN_POLICY, Kind.CILIUM_POLICY) if egress else (Kind.CILIUM_POLICY,)
        sentences = (self.unread.crd_sentence(kind) for kind in kinds)
        return tuple(f"{text}; on Dataplane V2 they can isolate, allow or deny this traffic"
                     for text in sentences if text)

    def _with_gke_kinds(self, direction: Direction, t: _Traffic, side: DirectionResult) -> DirectionResult:
        egress = direction is Direction.EGRESS
        subject, other = (t.src, t.dst) if egress else (t.dst, t.src)
        other_ip = t.dst_ip if egress else t.src_ip
        pod = subject.pod
        if pod is None or pod.host_network:
            return side
        if self.snapshot.unknown:
            missing = self._unread_kinds(egress)
            if missing:
                return replace(side, allowed=None, summary=f"{side.summary} Unknown: {'; '.join(missing)}.",
                               unknown_because=side.unknown_because + missing)
        plan = self._kind_plan(pod)
        if plan.empty:
            return side  # no policy of these kinds selects the pod's class (or may)
        entries = plan.side(egress, 0 if other.pod is not None else 1)
        fqdn = plan.fqdn if egress else ()
        if not entries and not fqdn:
            return side
        target = t.dst.pod
        deny_hits: list[KindRuleRef] = []
        deny_doubt: list[str] = []
        allows: list[KindRuleRef] = []
        allow_doubt: list[str] = []
        isolating: list[str] = []
        select_doubt: list[str] = []
        allow_key, deny_key = ("egress", "egressDeny") if egress else ("ingress", "ingressDeny")
        port, protocol = t.port, t.protocol
        for policy, rule_set, selected, allow_rules, deny_rules, isolates in entries:
            if rule_set.unsupported:
                select_doubt.append(f"{policy.label} selects {pod.namespace}/{pod.name} and has fields "
                                    f"netpol-tui does not evaluate ({', '.join(rule_set.unsupported[:3])}), "
                                    "which may decide this traffic")
            if selected is None:
                if isolates or allow_rules or deny_rules:
                    select_doubt.append(f"whether {policy.label} selects {pod.namespace}/{pod.name} (its "
                                        "endpointSelector uses a label netpol-tui does not know)")
                continue
            if isolates:
                isolating.append(isolates)
            if deny_rules:
                self._collect_matches(policy, deny_rules, deny_key, direction, other, other_ip, port, protocol,
                                      target, deny_hits, deny_doubt)
            if allow_rules:
                self._collect_matches(policy, allow_rules, allow_key, direction, other, other_ip, port, protocol,
                                      target, allows, allow_doubt)
        if fqdn:
            self._fqdn(fqdn, other, t, isolating, allows, allow_doubt)
        if not (deny_hits or deny_doubt or isolating or allows or allow_doubt or select_doubt):
            return side
        name = side.endpoint
        word = "Egress of" if egress else "Ingress to"
        names = tuple(dict.fromkeys((*side.isolating_policies, *isolating)))
        if deny_hits:
            return DirectionResult(direction, name, True, True, False, names, (), (
                f"{deny_hits[0]} denies it, and a deny rule takes precedence over every allow",), (
                f"{word} {name}: denied by {deny_hits[0]} (deny rules take precedence over every allow)."),
                denied_by=tuple(deny_hits))
        isolated = True if (isolating or side.isolated) else (None if side.isolated is None else False)
        by_rule = side.allowed is True and side.isolated is True
        if isolated is False:
            allowed: bool | None = True
        elif by_rule or allows:
            allowed = True
        elif side.allowed is None or allow_doubt or isolated is None:
            allowed = None
        else:
            allowed = False
        doubts = tuple(deny_doubt + select_doubt + ([] if allowed is True else allow_doubt))
        # A rule set whose selection or fields are unknown may isolate, allow or deny: unknown
        # either way; a deny in doubt matters only for traffic something allows.
        if select_doubt or (allowed is not False and deny_doubt):
            allowed = None
        allowed_by = side.allowed_by + tuple(allows)
        if allowed is True:
            summary = (f"{word} {name}: allowed; isolated by {', '.join(names)}; allowed by {allowed_by[0]}."
                       if allowed_by else f"{word} {name}: allowed, not isolated by any policy kind.")
            return DirectionResult(direction, name, True, isolated, True, names, allowed_by, (), summary)
        if allowed is None:
            return DirectionResult(direction, name, True, isolated, None, names, allowed_by, side.denied_because,
                                   f"{word} {name}: unknown; {'; '.join(doubts or side.unknown_because)}.",
                                   side.unknown_because + doubts)
        denied = side.denied_because if side.isolated else ()
        return DirectionResult(direction, name, True, True, False, names, (), denied + tuple(
            f"{label} isolates it and none of its rules allows {t.protocol} port {t.port}" for label in isolating
            if label not in side.isolating_policies), (
            f"{word} {name}: denied; isolated by {', '.join(names)} and no rule of any policy kind allows "
            f"{t.protocol} port {t.port}."))

    def _default_deny_notes(self, t: _Traffic, egress: DirectionResult, ingress: DirectionResult,
                            notes: list[str]) -> None:
        """A side allowed because no policy isolates it, while a Cilium rule set selecting the pod
        would isolate it but for `enableDefaultDeny: false`: say that only Cilium 1.16 and later
        honour the field (netpol-tui cannot see the agent's version), with the command to check it."""
        for side, endpoint, is_egress in ((egress, t.src, True), (ingress, t.dst, False)):
            pod = endpoint.pod
            if pod is None or pod.host_network or side.allowed is not True or side.isolated is not False:
                continue
            relaxed = self._kind_plan(pod).relaxed[is_egress]
            if not relaxed:
                continue
            labels = [policy.label for policy in relaxed[:3]]
            word = WORDS[Direction.EGRESS if is_egress else Direction.INGRESS]
            shown = ", ".join(labels[:2]) + (f" and {len(relaxed) - 2} more" if len(relaxed) > 2 else "")
            notes.append(f"{shown} {'sets' if len(relaxed) == 1 else 'set'} enableDefaultDeny.{word}: false, so "
                         f"{'it does' if len(relaxed) == 1 else 'they do'} not isolate the {word} of {endpoint.name}; "
                         "Cilium honours that field from 1.16 on: an older Dataplane V2 agent ignores it, isolates "
                         f"the pod and lets this traffic through only if an allow rule matches it (the agent's "
                         f"version: `{_AGENT_IMAGE}`).")

    def _fqdn(self, policies: tuple[FqdnNetworkPolicy, ...], other: Endpoint, t: _Traffic, isolating: list[str],
              allows: list[KindRuleRef], doubt: list[str]) -> None:
        """The FQDN policies selecting the pod isolate its egress; to an address outside the cluster a
        rule on the port *may* allow it (if a name it allows resolved to that address)."""
        for policy in policies:
            isolating.append(policy.label)
            if other.pod is not None or t.dst_ip is None:
                continue  # FQDN rules name endpoints outside the cluster; a Service VIP never matches
            for index, rule in enumerate(policy.egress):
                if fqdn_port(rule, t.port, t.protocol):
                    doubt.append(f"egress[{index}] of {policy.label} allows {fqdn_targets(rule)} on this port: "
                                 f"allowed only if {t.dst_ip} is what such a name resolved to for the pod "
                                 f"({lookup_hint(rule)})")
