"""What the egress reachability checks share: the pods of a namespace denied egress, and the fix.

GKE008, GKE015 and NP004 all ask the verdict engine whether the egress-isolated pods of each
namespace may reach one target, collect the denied pods with the reasons and the isolating
policies (`_Blocked`), and propose a policy that allows the target for exactly those pods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from netpol_tui.checks.context import Context
from netpol_tui.checks.manifests import allow_policies, isolating_selectors
from netpol_tui.checks.model import Evidence
from netpol_tui.model.objects import Pod
from netpol_tui.model.policy import NetworkPolicy
from netpol_tui.text import listed, plural


@dataclass
class _Blocked:
    pods: list[Pod]
    reasons: list[str]
    notes: list[str]
    policies: list[NetworkPolicy]


def _pod_names(pods: Sequence[Pod]) -> list[str]:
    return sorted(f"{pod.namespace}/{pod.name}" for pod in pods)


def _egress_blocked_to_address(ctx: Context, namespace: str, address: str, port: int,
                               protocol: str = "TCP") -> _Blocked:
    """Egress-isolated live pods of the namespace whose egress to address:port is denied."""
    from netpol_tui.policy import Endpoint

    engine = ctx.need_engine()
    target = Endpoint.for_address(address)
    blocked = _Blocked([], [], [], [])
    for pod, members, policies in ctx.egress_groups(namespace):
        verdict = engine.evaluate(Endpoint.for_pod(pod), target, port, protocol)
        if verdict.egress.allowed is None:
            # not a pass and not a finding: the check is unknown for these pods
            ctx.partial(f"{plural(len(members), 'pod')} in namespace {namespace}: egress to {address}:{port} is "
                        f"unknown ({'; '.join(verdict.egress.unknown_because)})")
            continue
        if verdict.egress.allowed:
            continue
        blocked.pods.extend(members)
        blocked.reasons.extend(r for r in verdict.egress.denied_because if r not in blocked.reasons)
        blocked.notes.extend(n for n in verdict.notes if n not in blocked.notes and n not in engine.notes
                             and f"{pod.namespace}/{pod.name}" not in n)
        blocked.policies.extend(p for p in policies if p not in blocked.policies)
    return blocked


def _pods_evidence(blocked: _Blocked, expected: str) -> list[Evidence]:
    names = _pod_names(blocked.pods)
    policies = ", ".join(f"{p.namespace}/{p.name}" for p in blocked.policies)
    evidence = [Evidence("Pods (egress-isolated, denied)", f"{len(names)}: {listed(names)}", expected),
                Evidence("isolating policies", policies)]
    evidence += [Evidence("why denied", reason) for reason in blocked.reasons[:5]]
    return evidence


def _egress_manifest(name: str, namespace: str, blocked: _Blocked, peers: list[dict[str, Any]],
                     ports: list[dict[str, Any]]) -> str:
    return allow_policies(name, namespace, isolating_selectors(blocked.policies), "Egress", peers, ports)
