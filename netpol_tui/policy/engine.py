"""The NetworkPolicy verdict engine: an index over a Snapshot and networking.k8s.io/v1 evaluation.

A small facade: the index (index.py), endpoints (endpoints.py), three-valued evaluation
(evaluation.py), explanations (explanation.py) and CIDR sweeps (cidr.py) make one PolicyEngine.

    engine = PolicyEngine(snapshot, dataplane="auto")
    verdict = engine.evaluate(engine.resolve("shop/web-0")[0], engine.resolve("shop/db-0")[0], 5432)
    later = engine.derive(next_snapshot)  # == PolicyEngine(next_snapshot, "auto"), built from engine's index
"""

from __future__ import annotations

from netpol_tui.policy.cidr import CidrMixin
from netpol_tui.policy.common import (
    METADATA_ADDRESS,
    NAMESPACE_NAME_LABEL,
    PROTOCOLS,
    check_direction,
    check_port,
    check_protocol,
    policy_name,
)
from netpol_tui.policy.derive import DeriveMixin
from netpol_tui.policy.endpoints import EndpointsMixin
from netpol_tui.policy.evaluation import EvaluationMixin
from netpol_tui.policy.explanation import ExplanationMixin
from netpol_tui.policy.gke_kinds import GkeKindsMixin
from netpol_tui.policy.index import PolicyIndex
from netpol_tui.policy.names import NamesMixin

__all__ = ["METADATA_ADDRESS", "NAMESPACE_NAME_LABEL", "PROTOCOLS", "PolicyEngine", "check_direction", "check_port",
           "check_protocol", "policy_name"]


class PolicyEngine(NamesMixin, GkeKindsMixin, CidrMixin, EvaluationMixin, ExplanationMixin, EndpointsMixin, DeriveMixin,
                   PolicyIndex):
    """Answers NetworkPolicy questions about one Snapshot under one dataplane model.

    `engine.derive(snapshot)` is the engine of a snapshot sharing most objects with this one's
    (a followed snapshot, a proposed change applied): the same answers, re-indexing only what
    differs (derive.py)."""
