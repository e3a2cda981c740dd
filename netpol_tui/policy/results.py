"""Value types of the verdict engine: endpoints, rule references and verdicts.

Everything here is immutable and JSON-ready through `to_dict()`; nothing does I/O. This module
is the public entry that every caller imports from; the types live in four modules by what
they hold:

- `rule_refs`: the dataplane models, the directions, `RuleRef` and the three-valued words;
- `endpoint_types`: `Endpoint`, address normalisation and the errors of a bad question;
- `verdicts`: `DirectionResult`, `Verdict`, `CidrVerdict`;
- `selection_results`: `TermResult`, `SelectionMiss` (why a podSelector misses a pod).
"""

from __future__ import annotations

from netpol_tui.policy.endpoint_types import Endpoint, EndpointError, EndpointUnknown, normalise_address
from netpol_tui.policy.rule_refs import Dataplane, Direction, RuleRef, combine, verdict_word
from netpol_tui.policy.selection_results import SelectionMiss, TermResult
from netpol_tui.policy.verdicts import CidrVerdict, DirectionResult, Verdict

__all__ = ["CidrVerdict", "Dataplane", "Direction", "DirectionResult", "Endpoint", "EndpointError",
           "EndpointUnknown", "RuleRef", "SelectionMiss", "TermResult", "Verdict", "combine", "normalise_address",
           "verdict_word"]
