"""A label selector as kubectl prints it (`kubectl describe networkpolicy`, `kubectl get -o wide`).

One rendering for the whole tool, so the Policies screen, the Explain answer and the findings
show the same selector the same way, and the way a user sees it in kubectl: the terms sorted by
key (matchLabels and matchExpressions together), the values of `in`/`notin` sorted, `<none>`
for an empty selector (which selects every pod of the namespace).
"""

from __future__ import annotations

from collections.abc import Iterable

from netpol_tui.model.policy import LabelSelector, SelectorOperator

EMPTY_SELECTOR = "<none>"


def term_text(op: SelectorOperator | str, key: str, values: Iterable[str] = ()) -> str:
    """One requirement: `tier in (db,web)`, `tier notin (db)`, `tier`, `!tier`."""
    op = SelectorOperator(op)
    if op is SelectorOperator.IN:
        return f"{key} in ({','.join(sorted(values))})"
    if op is SelectorOperator.NOT_IN:
        return f"{key} notin ({','.join(sorted(values))})"
    if op is SelectorOperator.EXISTS:
        return key
    return f"!{key}"


def selector_text(selector: LabelSelector | None) -> str:
    """`app=store,tier in (db)`: kubectl's FormatLabelSelector; `<none>` when empty or absent."""
    if selector is None or selector.is_empty:
        return EMPTY_SELECTOR
    terms = [(key, f"{key}={value}") for key, value in selector.match_labels.items()]
    terms += [(req.key, term_text(req.operator, req.key, req.values)) for req in selector.match_expressions]
    return ",".join(text for _, text in sorted(terms, key=lambda term: term[0]))
