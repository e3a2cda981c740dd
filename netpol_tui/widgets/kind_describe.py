"""FQDNNetworkPolicy and Cilium policies described the way `describe_policy` shows a NetworkPolicy.

Only the model is read (no engine): selectors, each rule's peers (endpoints, entities, CIDRs
with their exceptions, DNS names and patterns) and ports, and every field netpol-tui does not
evaluate named as `not evaluated: <field>`, so nobody mistakes an ignored field for an absent
one. Every value from the cluster is cleaned; the result is a rich Text, never a markup string.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.text import Text

from netpol_tui.text import clean
from netpol_tui.widgets.describe import selector

#: Section -> (title, peer word): how each Cilium rule section is introduced.
_SECTIONS = (("ingress", "Allowing ingress traffic", "From"), ("ingressDeny", "Denying ingress traffic", "From"),
             ("egress", "Allowing egress traffic", "To"), ("egressDeny", "Denying egress traffic", "To"))
_FIELDS = {"ingress": "ingress", "ingressDeny": "ingress_deny", "egress": "egress", "egressDeny": "egress_deny"}


def _safe(value: Any, limit: int = 300) -> str:
    return clean(str(value), limit, single_line=True)


def _field(text: Text, name: str, value: str) -> None:
    text.append(f"{name + ':':<14}", style="bold")
    text.append(value + "\n")


def _header(text: Text, kind: str, policy: Any) -> None:
    _field(text, "Kind", kind)
    _field(text, "Name", _safe(policy.name, 200))
    _field(text, "Namespace", _safe(policy.namespace, 200) if policy.namespace else "(cluster-wide)")


def _not_evaluated(text: Text, fields: Collection[str], indent: str) -> None:
    for name in fields:
        text.append(f"{indent}not evaluated: {_safe(name, 300)}\n", style="bold yellow")


def describe_fqdn(policy: Any, highlight: Collection[int] = ()) -> Text:
    """An FQDNNetworkPolicy: its podSelector and each egress rule's names, patterns and ports;
    rules listed in `highlight` are emphasised."""
    text = Text()
    _header(text, "FQDNNetworkPolicy (networking.gke.io/v1alpha1)", policy)
    text.append("Spec:\n", style="bold")
    pod_selector = selector(policy.pod_selector)
    if pod_selector == "<none>":
        pod_selector = "<none> (every pod in this namespace)"
    text.append(f"  PodSelector:     {pod_selector}\n")
    text.append("  Selected pods are isolated for egress; allowing egress traffic to names:\n")
    if not policy.egress:
        text.append("    <none> (Selected pods may reach no name outside the cluster)\n")
    for index, rule in enumerate(policy.egress):
        style = "bold green" if index in highlight else ""
        text.append(f"    egress[{index}]\n", style=style or "dim")
        for name in rule.names:
            text.append(f"    To name:    {_safe(name)}\n", style=style)
        for pattern in rule.patterns:
            text.append(f"    To pattern: {_safe(pattern)}\n", style=style)
        if not (rule.names or rule.patterns):
            text.append("    To: <no name> (matches nothing)\n", style=style)
        if not rule.ports:
            text.append("    To Port: <any> (every port)\n", style=style)
        for protocol, port in rule.ports:
            text.append(f"    To Port: {'<any>' if port is None else port}/{_safe(protocol, 10)}\n", style=style)
    return text


def _cilium_port(port: Any) -> str:
    if port.port is None:
        return f"<any>/{port.protocol}"
    value = _safe(port.port, 60)
    if port.end_port is not None:
        value += f"-{port.end_port}"
    return f"{value}/{port.protocol}"


def _peer_rule(text: Text, rule: Any, word: str, style: str) -> None:
    indent = "    "
    if not rule.has_l3:
        if rule.ports:
            text.append(f"{indent}{word}: <any> (no L3 peer: every peer on these ports)\n", style=style)
        else:
            text.append(f"{indent}{word}: <nothing> (an empty rule matches no traffic)\n", style=style)
    for endpoint in rule.endpoints:
        text.append(f"{indent}{word} endpoints: {selector(endpoint) if not endpoint.is_empty else '<all endpoints>'}\n",
                    style=style)
    if rule.entities:
        text.append(f"{indent}{word} entities:  {_safe(', '.join(rule.entities))}\n", style=style)
    for cidr, excepts in rule.cidrs:
        line = f"{indent}{word} CIDR:      {_safe(cidr, 60)}"
        if excepts:
            line += f" except {_safe(', '.join(excepts), 300)}"
        text.append(line + "\n", style=style)
    if rule.has_l3 and not (rule.endpoints or rule.entities or rule.cidrs):
        text.append(f"{indent}{word}: <nothing> (an empty peer list matches no traffic)\n", style=style)
    if rule.ports:
        text.append(f"{indent}To Ports:  {_safe(', '.join(_cilium_port(port) for port in rule.ports), 400)}\n",
                    style=style)
    elif rule.has_l3:
        text.append(f"{indent}To Ports:  <any> (every port)\n", style=style)
    _not_evaluated(text, rule.unsupported, indent)


def describe_cilium(policy: Any, highlight: Collection[tuple[str, int]] = ()) -> Text:
    """A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: per rule set (`spec`, `specs[i]`)
    its endpointSelector / nodeSelector and the ingress, ingressDeny, egress and egressDeny rules
    with peers and ports; (section, index) pairs in `highlight` are emphasised."""
    text = Text()
    _header(text, f"{_safe(policy.kind, 60)} (cilium.io/v2)", policy)
    labels = ", ".join(f"{key}={value}" for key, value in policy.labels.items())
    _field(text, "Labels", _safe(labels, 400) if labels else "<none>")
    if not policy.rules:
        text.append("  <no rule set>\n", style="dim")
    for rule_set in policy.rules:
        text.append(f"{_safe(rule_set.section, 40)}:\n", style="bold")
        if rule_set.endpoint_selector is not None:
            shown = selector(rule_set.endpoint_selector)
            if shown == "<none>":
                shown = "<none> (every endpoint" + (" in this namespace)" if policy.namespace else " in the cluster)")
            text.append(f"  EndpointSelector: {shown}\n")
        if rule_set.node_selector is not None:
            text.append(f"  NodeSelector:     {selector(rule_set.node_selector)} (a host policy: selects nodes, "
                        "not pods)\n")
        for attribute, value in (("ingress", rule_set.default_deny_ingress), ("egress", rule_set.default_deny_egress)):
            if value is not None:
                text.append(f"  enableDefaultDeny.{attribute}: {str(value).lower()}\n")
        _not_evaluated(text, rule_set.unsupported, "  ")
        any_rule = False
        for section, title, word in _SECTIONS:
            rules = getattr(rule_set, _FIELDS[section])
            if not rules:
                continue
            any_rule = True
            text.append(f"  {title} ({section}):\n", style="bold red" if section.endswith("Deny") else "")
            for index, rule in enumerate(rules):
                style = "bold green" if (section, index) in highlight else ""
                text.append(f"    {section}[{index}]\n", style=style or "dim")
                _peer_rule(text, rule, word, style)
        if not any_rule:
            text.append("  <no rules>\n", style="dim")
    return text


def describe_kind(policy: Any) -> Text:
    """The describe text of an FQDN or Cilium policy, by its type."""
    return describe_cilium(policy) if hasattr(policy, "rules") else describe_fqdn(policy)
