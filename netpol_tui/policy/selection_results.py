"""Why a podSelector does not select a pod: each selector term checked against the pod's labels
(`TermResult`) and the near misses of a policy (`SelectionMiss`).

Split from `results.py` (re-exported there): these explain selection, not traffic, and only
the selector and explanation code builds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netpol_tui.model.policy import NetworkPolicy


@dataclass(frozen=True, slots=True)
class TermResult:
    """One term of a label selector checked against a label set.

    `text` is the term as kubectl prints it (`app=store`, `env in (a,b)`, `tier`, `!debug`);
    `actual` what the labels hold for that key (`app=stor`, `no label app`); `hint` a
    near-miss remark when the term fails (one-character typo, key with another value).
    """

    text: str
    matched: bool
    key: str
    operator: str
    actual: str
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.text, "matched": self.matched, "key": self.key, "operator": self.operator,
                "actual": self.actual, "hint": self.hint}


@dataclass(frozen=True, slots=True, eq=False)
class SelectionMiss:
    """A policy of the pod's namespace whose podSelector does not select the pod."""

    policy: NetworkPolicy
    terms: tuple[TermResult, ...]

    @property
    def failing(self) -> tuple[TermResult, ...]:
        return tuple(term for term in self.terms if not term.matched)

    @property
    def hints(self) -> tuple[str, ...]:
        return tuple(term.hint for term in self.failing if term.hint)

    @property
    def near_miss(self) -> bool:
        """Exactly one term fails, or some failing term has a near-miss hint."""
        failing = self.failing
        return len(failing) == 1 or any(term.hint for term in failing)

    def __str__(self) -> str:
        failing = self.failing
        text = (f"policy {self.policy.namespace}/{self.policy.name} needs "
                f"{', '.join(t.text for t in failing)}; pod has {', '.join(t.actual for t in failing)}")
        hints = self.hints
        if hints:
            text += f" ({'; '.join(hints)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"policy": f"{self.policy.namespace}/{self.policy.name}",
                "terms": [term.to_dict() for term in self.terms],
                "failing": [term.text for term in self.failing], "hints": list(self.hints),
                "text": str(self)}
