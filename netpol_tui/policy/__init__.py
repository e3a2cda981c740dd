"""NetworkPolicy verdict engine: pure, no I/O, no textual.

    engine = PolicyEngine(snapshot, dataplane="auto")
    verdict = engine.evaluate(engine.resolve("shop/web-0")[0], engine.resolve("shop/db-0")[0], 5432)
"""

from netpol_tui.policy.addresses import Address, ParsedBlock, parse_address, parse_block
from netpol_tui.policy.dataplane import DATAPLANE_CHOICES, cluster_dataplane, resolve_dataplane
from netpol_tui.policy.engine import PROTOCOLS, PolicyEngine, check_port, check_protocol, policy_name
from netpol_tui.policy.results import (
    CidrVerdict,
    Dataplane,
    Direction,
    DirectionResult,
    Endpoint,
    EndpointError,
    EndpointUnknown,
    RuleRef,
    SelectionMiss,
    TermResult,
    Verdict,
    combine,
    verdict_word,
)
from netpol_tui.policy.selectors import (
    CompiledSelector,
    explain_terms,
    match_selector,
    one_edit_apart,
    selector_text,
)

__all__ = [
    "DATAPLANE_CHOICES", "PROTOCOLS", "Address", "CidrVerdict", "CompiledSelector", "Dataplane", "Direction",
    "DirectionResult", "Endpoint", "EndpointError", "EndpointUnknown", "ParsedBlock", "PolicyEngine", "RuleRef", "SelectionMiss",
    "TermResult", "Verdict", "check_port", "check_protocol", "cluster_dataplane", "explain_terms",
    "match_selector", "one_edit_apart", "parse_address", "parse_block", "policy_name", "resolve_dataplane",
    "selector_text", "combine", "verdict_word",
]
