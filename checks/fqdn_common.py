"""What the FQDNNetworkPolicy checks (GKE018-GKE024) share: the policies, or unknown, and how to name them.

`need_fqdn_policies` makes every FQDN check unknown when the FQDNNetworkPolicy objects could
not be listed (an absent CRD means none exist), and the evidence and the `kubectl get`
command that list the policies read the same in every finding.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.checks.context import Context
from netpol_tui.checks.gke_common import need_listed
from netpol_tui.model.gke_policy import FqdnNetworkPolicy
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import kubectl
from netpol_tui.text import listed, plural

#: The FQDNNetworkPolicy resource as kubectl names it unambiguously.
FQDN_RESOURCE = "fqdnnetworkpolicies.networking.gke.io"


def need_fqdn_policies(ctx: Context) -> tuple[FqdnNetworkPolicy, ...]:
    """The FQDN policies; unknown when listing them failed (403, timeout). An absent CRD is none."""
    need_listed(ctx, Kind.FQDN_POLICY, "FQDNNetworkPolicy objects", FQDN_RESOURCE, "-A")
    return ctx.snapshot.fqdn_policies


def _policy_names(policies: tuple[FqdnNetworkPolicy, ...]) -> str:
    return f"{len(policies)}: {listed(sorted(f'{p.namespace}/{p.name}' for p in policies))}"


def _counted(policies: tuple[FqdnNetworkPolicy, ...]) -> str:
    """`1 FQDNNetworkPolicy exists` / `3 FQDNNetworkPolicies exist`."""
    return plural(len(policies), "FQDNNetworkPolicy", "FQDNNetworkPolicies") + (" exists" if len(policies) == 1
                                                                                  else " exist")


def _list_command() -> tuple[Any, str]:
    return (kubectl("get", FQDN_RESOURCE, "-A"), "list the FQDN policies that depend on it")
