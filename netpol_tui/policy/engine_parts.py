"""What the parts of PolicyEngine call on one another, declared for the type checker.

The engine is a facade over parts (endpoints.py, evaluation.py, explanation.py, cidr.py,
cilium_match.py, gke_index.py, gke_kinds.py) that subclass `PolicyIndex` and call one another's
methods through `self`. `EngineParts`, the index's base, declares those methods for mypy only:
nothing is defined at run time, and mypy checks each part's definition against the signature
here, so the declarations cannot drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netpol_tui.model.gke_policy import CiliumPolicy, CiliumRuleSet, FqdnNetworkPolicy
    from netpol_tui.model.objects import Pod, Service
    from netpol_tui.model.policy import LabelSelector, NetworkPolicy, PolicyPort
    from netpol_tui.model.snapshot import Kind
    from netpol_tui.policy.common import CompiledPolicy, Outcome, Undecided, _CRule, _Traffic
    from netpol_tui.policy.gke_index import GkeIndex, Selecting
    from netpol_tui.policy.gke_rules import CiliumSelector
    from netpol_tui.policy.results import (
        CidrVerdict,
        Dataplane,
        Direction,
        DirectionResult,
        Endpoint,
        RuleRef,
    )


class EngineParts:
    """The methods one engine part uses from another (type checking only)."""

    if TYPE_CHECKING:
        # endpoints.py
        def service_target_port(self, service: Service, pod: Pod, port: int, protocol: str = "TCP") -> int | None: ...
        def _canonical(self, endpoint: Endpoint, notes: list[str]) -> Endpoint: ...
        @staticmethod
        def _pick_ip(endpoint: Endpoint, ipv6: bool) -> str | None: ...
        def _traffic_ips(self, src: Endpoint, dst: Endpoint, notes: list[str]) -> tuple[str | None, str | None]: ...
        def _doubt(self, endpoint: Endpoint) -> tuple[Kind, ...]: ...

        # evaluation.py
        def _match_rule(self, policy: NetworkPolicy, direction: Direction, rule: _CRule, other: Endpoint,
                        other_ip: str | None, t: _Traffic, model: Dataplane) -> RuleRef | None: ...
        def _port_matches(self, port: PolicyPort, t: _Traffic, model: Dataplane) -> bool: ...

        # explanation.py
        def _undecided_reasons(self, undecided: list[Undecided], direction: Direction, other: Endpoint,
                               doubt: tuple[Kind, ...], t: _Traffic) -> list[str]: ...
        def _explain_denial(self, outcomes: list[Outcome], direction: Direction, subject: Endpoint, other: Endpoint,
                            other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]: ...
        def _would_allow(self, pod: Pod, direction: Direction, others: tuple[CompiledPolicy, ...], subject: Endpoint,
                         other: Endpoint, other_ip: str | None, t: _Traffic, model: Dataplane) -> list[str]: ...
        def _caveats(self, t: _Traffic, notes: list[str]) -> None: ...

        # cidr.py
        def evaluate_cidr(self, pod: Pod, cidr: str, port: int, protocol: str,
                          direction: Direction | str) -> CidrVerdict: ...

        # cilium_match.py
        def _policy_selects(self, policy: CiliumPolicy, rule_set: CiliumRuleSet, pod: Pod) -> bool | None: ...

        # gke_index.py
        def _build_gke_index(self) -> GkeIndex: ...
        def _fqdn_selecting(self, pod: Pod) -> list[FqdnNetworkPolicy]: ...
        def _cilium_selecting(self, pod: Pod) -> tuple[Selecting, ...]: ...
        def _identity(self, pod: Pod) -> dict[str, str]: ...
        def _cilium_selector(self, selector: LabelSelector) -> CiliumSelector: ...

        # gke_kinds.py
        def _unread_kinds(self, egress: bool) -> tuple[str, ...]: ...
        def _with_gke_kinds(self, direction: Direction, t: _Traffic, side: DirectionResult) -> DirectionResult: ...
        def _default_deny_notes(self, t: _Traffic, egress: DirectionResult, ingress: DirectionResult,
                                notes: list[str]) -> None: ...
