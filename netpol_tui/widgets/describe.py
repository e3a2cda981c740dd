"""A NetworkPolicy rendered the way `kubectl describe networkpolicy` prints it.

Users compare what they see with kubectl, so the wording follows kubectl's describer
(`Allowing ingress traffic:`, `To Port: <any> (traffic allowed to all ports)`, ...). Every
value from the cluster is cleaned; the result is a rich Text, never a markup string.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule
from netpol_tui.model.selector_text import selector_text
from netpol_tui.text import clean


def selector(sel: LabelSelector | None) -> str:
    """`selector_text` (kubectl's form, `<none>` when empty) made safe to show."""
    return clean(selector_text(sel), 500, single_line=True)


def port_text(port: PolicyPort) -> str:
    if port.port is None:
        return f"<any> (all {port.protocol} ports)"
    value = clean(str(port.port), 60, single_line=True)
    if port.end_port is not None:
        value += f"-{port.end_port}"
    return f"{value}/{port.protocol}"


def _peer_lines(peer: PolicyPeer, indent: str) -> list[str]:
    lines = []
    if peer.pod_selector is not None and peer.namespace_selector is not None:
        lines.append(f"{indent}  NamespaceSelector: {selector(peer.namespace_selector)}")
        lines.append(f"{indent}  PodSelector: {selector(peer.pod_selector)}")
    elif peer.pod_selector is not None:
        lines.append(f"{indent}  PodSelector: {selector(peer.pod_selector)}")
    elif peer.namespace_selector is not None:
        lines.append(f"{indent}  NamespaceSelector: {selector(peer.namespace_selector)}")
    elif peer.ip_block is not None:
        lines.append(f"{indent}  IPBlock:")
        lines.append(f"{indent}    CIDR: {clean(peer.ip_block.cidr, 60, single_line=True)}")
        lines.append(f"{indent}    Except: {clean(', '.join(peer.ip_block.excepts), 400, single_line=True)}")
    return lines


def rule_lines(rule: PolicyRule, ingress: bool, indent: str = "    ") -> list[str]:
    """One rule: its ports, then its peers (From: for ingress, To: for egress)."""
    lines = []
    if not rule.ports:
        lines.append(f"{indent}To Port: <any> (traffic allowed to all ports)")
    for port in rule.ports:
        lines.append(f"{indent}To Port: {port_text(port)}")
    word = "From" if ingress else "To"
    if not rule.peers:
        target = "source" if ingress else "destination"
        lines.append(f"{indent}{word}: <any> (traffic not restricted by {target})")
    for peer in rule.peers:
        lines.append(f"{indent}{word}:")
        lines.extend(_peer_lines(peer, indent))
    return lines


def _section(rules: Sequence[PolicyRule], ingress: bool, highlight: set[int], text: Text) -> None:
    direction = "ingress" if ingress else "egress"
    if not rules:
        text.append(f"    <none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    for index, rule in enumerate(rules):
        style = "bold green" if index in highlight else ""
        for line in rule_lines(rule, ingress):
            text.append(line + "\n", style=style)
        if index != len(rules) - 1:
            text.append("    ----------\n", style="dim")


def describe_policy(policy: NetworkPolicy, highlight_ingress: Sequence[int] = (),
                    highlight_egress: Sequence[int] = ()) -> Text:
    """`kubectl describe networkpolicy` text; rules listed in `highlight_*` are emphasised."""
    text = Text()

    def field(name: str, value: str) -> None:
        text.append(f"{name + ':':<14}", style="bold")
        text.append(value + "\n")

    field("Name", clean(policy.name, 200, single_line=True))
    field("Namespace", clean(policy.namespace, 200, single_line=True))
    field("Created on", clean(policy.creation_timestamp or "<unknown>", 60, single_line=True))
    labels = ", ".join(f"{k}={v}" for k, v in policy.labels.items())
    field("Labels", clean(labels, 400, single_line=True) if labels else "<none>")
    field("Annotations", f"{len(policy.annotations)} (y shows them)" if policy.annotations else "<none>")
    text.append("Spec:\n", style="bold")
    pod_selector = selector(policy.pod_selector)
    if pod_selector == "<none>":
        pod_selector = "<none> (Allowing the specific traffic to all pods in this namespace)"
    text.append(f"  PodSelector:     {pod_selector}\n")
    if policy.affects_ingress:
        text.append("  Allowing ingress traffic:\n")
        _section(policy.ingress, True, set(highlight_ingress), text)
    else:
        text.append("  Not affecting ingress traffic\n")
    if policy.affects_egress:
        text.append("  Allowing egress traffic:\n")
        _section(policy.egress, False, set(highlight_egress), text)
    else:
        text.append("  Not affecting egress traffic\n")
    text.append(f"  Policy Types: {', '.join(policy.policy_types)}\n")
    ignored = [name for name, present, on in (("ingress", policy.ingress, policy.affects_ingress),
                                              ("egress", policy.egress, policy.affects_egress)) if present and not on]
    if ignored:
        text.append(f"  ({' and '.join(ignored)} rules are written but ignored: not in policyTypes)\n", style="yellow")
    return text
