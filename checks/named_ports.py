"""NP005: a rule names a port that no destination pod declares (gke-facts 4): split from
policies.py, whose subject and section helpers it uses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from netpol_tui.checks.context import (
    Context,
    Hit,
    commands,
)
from netpol_tui.checks.manifests import dump, policy_dict
from netpol_tui.checks.model import Evidence
from netpol_tui.checks.policies import _enforced_sections, _name, _subject
from netpol_tui.model.policy import NetworkPolicy, PolicyPort, PolicyRule
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import ShellCommand, apply, kubectl
from netpol_tui.text import listed, plural

if TYPE_CHECKING:
    from netpol_tui.policy import PolicyEngine

# ------------------------------------------------------------------ NP005


def check_named_port_unresolved(ctx: Context) -> Iterator[Hit]:
    """A rule names a port that no destination pod declares, so the rule matches no traffic.

    Named ports resolve on the destination pod: the pods the policy selects for ingress, the
    pods a rule's peers match for egress. If none of them has a container port with that name
    and protocol, the port entry allows nothing.
    """
    from netpol_tui.policy import one_edit_apart

    ctx.need(Kind.NETWORK_POLICY, Kind.POD)
    engine = ctx.need_engine()
    for policy in sorted(ctx.snapshot.policies, key=lambda p: p.key):
        evidence: list[Evidence] = []
        sections = {"Ingress": list(policy.ingress), "Egress": list(policy.egress)}
        fixed = 0
        for direction, field, _key, rules in _enforced_sections(policy):
            for i, rule in enumerate(rules):
                named = [(k, port) for k, port in enumerate(rule.ports) if isinstance(port.port, str)]
                if not named:
                    continue
                destinations, declared = _destinations(ctx, engine, policy, direction, rule)
                if destinations == 0:
                    continue
                ports = list(rule.ports)
                corrected = False
                for k, port in named:
                    if (port.port, port.protocol) in declared:
                        continue
                    whose = "any live pod" if destinations is None else (
                        f"the {plural(destinations, 'destination pod')}")
                    other_protocol = sorted(protocol for name, protocol in declared if name == port.port)
                    close = sorted({name for name, protocol in declared
                                    if protocol == port.protocol and one_edit_apart(name, str(port.port))})
                    observed = f"{port.protocol} port named {port.port!r}, declared by none of {whose}"
                    if other_protocol:
                        observed += f" (declared as {', '.join(other_protocol)})"
                    if close:
                        observed += f" (near miss: {', '.join(close)})"
                    names = sorted({name for name, protocol in declared if protocol == port.protocol})
                    evidence.append(Evidence(f"spec.{field}[{i}].ports[{k}]", observed,
                                             f"one of: {listed(names, 8)}" if names else "a declared port name"))
                    if len(close) == 1:
                        ports[k] = PolicyPort(port.protocol, close[0], port.end_port)
                        corrected = True
                if corrected:
                    sections[direction][i] = replace(rule, ports=tuple(ports))
                    fixed += 1
        if not evidence:
            continue
        manifest = dump([policy_dict(policy, ingress=sections["Ingress"], egress=sections["Egress"])]) if fixed \
            else None
        jsonpath = ('jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}: '
                    '{.spec.containers[*].ports}{"\\n"}{end}')
        items: list[tuple[ShellCommand, str]] = []
        if manifest:
            items.append((apply(manifest), "the same policy with the near-miss port names corrected"))
        items.append((kubectl("get", "pods", "-A", "-o", jsonpath), "list the port names the pods declare"))
        cmds, placeholders = commands(*items)
        yield Hit(_subject(policy),
                  f"Policy {_name(policy)} names {plural(len(evidence), 'port')} that no destination pod declares, "
                  "so those port entries allow nothing.",
                  tuple(evidence), cmds, manifest, placeholders, origin=policy.origin)


def _destinations(ctx: Context, engine: PolicyEngine, policy: NetworkPolicy, direction: str,
                  rule: PolicyRule) -> tuple[int | None, set[tuple[str, str]]]:
    """(count of destination pods or None for "any pod", their named ports) of a rule."""
    if direction == "Ingress":
        return ctx.declared_ports(policy.namespace, policy.pod_selector)
    if not rule.peers:
        declared = ctx.cache.get("declared-anywhere")
        if declared is None:
            declared = ctx.cache["declared-anywhere"] = {
                (port.name, port.protocol) for pod in ctx.live_pods for port in pod.ports if port.name}
        return None, declared
    count, names = 0, set[tuple[str, str]]()
    for peer in rule.peers:
        if peer.ip_block is not None:
            pods = [pod for pod in engine.peer_matches(policy, peer) if pod.is_live]
            count += len(pods)
            names.update((port.name, port.protocol) for pod in pods for port in pod.ports if port.name)
            continue
        targets = (ctx.namespaces_matching(peer.namespace_selector) if peer.namespace_selector is not None
                   else (policy.namespace,))
        for namespace in targets:
            found, declared = ctx.declared_ports(namespace, peer.pod_selector, host_network=False)
            count += found
            names |= declared
    return count, names
