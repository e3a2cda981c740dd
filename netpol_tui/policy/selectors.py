"""Label selectors: fast matching, per-term explanation and near-miss hints."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from netpol_tui.model.policy import LabelSelector, SelectorOperator
from netpol_tui.model.selector_text import selector_text as selector_text  # re-exported for netpol_tui.policy
from netpol_tui.model.selector_text import term_text
from netpol_tui.policy.results import TermResult

_IN, _NOT_IN, _EXISTS, _DOES_NOT_EXIST = 0, 1, 2, 3
_OPS = {SelectorOperator.IN: _IN, SelectorOperator.NOT_IN: _NOT_IN,
        SelectorOperator.EXISTS: _EXISTS, SelectorOperator.DOES_NOT_EXIST: _DOES_NOT_EXIST}


class CompiledSelector:
    """A LabelSelector reduced to tuples and frozensets for quick repeated matching."""

    __slots__ = ("equals", "expressions", "is_empty", "keys", "selector")

    def __init__(self, selector: LabelSelector) -> None:
        self.selector = selector
        self.equals: tuple[tuple[str, str], ...] = tuple(selector.match_labels.items())
        self.expressions: tuple[tuple[int, str, frozenset[str]], ...] = tuple(
            (_OPS[SelectorOperator(req.operator)], req.key, frozenset(req.values))
            for req in selector.match_expressions
        )
        self.is_empty = not self.equals and not self.expressions
        self.keys: tuple[str, ...] = tuple(dict.fromkeys(
            [key for key, _ in self.equals] + [key for _, key, _ in self.expressions]))

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.equals:
            if labels.get(key) != value:
                return False
        for op, key, values in self.expressions:
            if op == _IN:
                if labels.get(key) not in values:
                    return False
            elif op == _NOT_IN:
                current = labels.get(key)
                if current is not None and current in values:
                    return False
            elif op == _EXISTS:
                if key not in labels:
                    return False
            elif key in labels:
                return False
        return True

    def candidate_pairs(self) -> list[tuple[str, str]] | None:
        """(key, value) pairs of which a matching label set must hold at least one, or None.

        Used to narrow candidates with an inverted index: the matchLabels pairs each alone
        suffice; else the values of the first In expression.
        """
        if self.equals:
            return [self.equals[0]]
        for op, key, values in self.expressions:
            if op == _IN:
                return [(key, value) for value in sorted(values)]
        return None


def match_selector(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    return CompiledSelector(selector).matches(labels)


# --------------------------------------------------------------------- explanation


@lru_cache(maxsize=1 << 16)
def one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion, substitution or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    if la > lb:
        a, b = b, a
    # a is shorter by one: deleting one character of b gives a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


def _actual(key: str, labels: Mapping[str, str]) -> str:
    if key in labels:
        return f"{key}={labels[key]}"
    return f"no label {key}"


def _key_hint(key: str, wanted_values: tuple[str, ...], labels: Mapping[str, str]) -> str | None:
    """The key is absent: a key one character away, ideally holding a wanted value."""
    close = sorted((other for other in labels if one_edit_apart(other, key)),
                   key=lambda other: (labels[other] not in wanted_values, other))
    if close:
        other = close[0]
        return f"has {other}={labels[other]}: label key {other!r} is one character away from {key!r}"
    for other in sorted(labels):
        if other.lower() == key.lower():
            return f"has {other}={labels[other]}: label key {other!r} differs from {key!r} only in case"
    return None


def _value_hint(key: str, wanted: tuple[str, ...], current: str) -> str:
    for value in wanted:
        if one_edit_apart(current, value):
            return f"value {current!r} of {key} is one character away from {value!r}"
        if current.lower() == value.lower():
            return f"value {current!r} of {key} differs from {value!r} only in case"
    shown = " or ".join(repr(v) for v in wanted)
    return f"key {key} is present with value {current!r}, not {shown}"


def explain_terms(selector: LabelSelector, labels: Mapping[str, str]) -> tuple[TermResult, ...]:
    """Every term of the selector checked against the labels, in written order.

    An empty selector has no terms (it matches everything).
    """
    results: list[TermResult] = []
    for key, value in selector.match_labels.items():
        current = labels.get(key)
        matched = current == value
        hint = None
        if not matched:
            hint = _key_hint(key, (value,), labels) if current is None else _value_hint(key, (value,), current)
        results.append(TermResult(f"{key}={value}", matched, key, "=", _actual(key, labels), hint))
    for req in selector.match_expressions:
        op = SelectorOperator(req.operator)
        current = labels.get(req.key)
        text = term_text(op, req.key, req.values)
        hint = None
        if op is SelectorOperator.IN:
            matched = current is not None and current in req.values
            if not matched:
                hint = (_key_hint(req.key, req.values, labels) if current is None
                        else _value_hint(req.key, req.values, current))
        elif op is SelectorOperator.NOT_IN:
            matched = current is None or current not in req.values
            if not matched:
                hint = f"{req.key}={current} is one of the excluded values"
        elif op is SelectorOperator.EXISTS:
            matched = current is not None
            if not matched:
                hint = _key_hint(req.key, (), labels)
        else:
            matched = current is None
            if not matched:
                hint = f"label {req.key} must be absent"
        results.append(TermResult(text, matched, req.key, str(op), _actual(req.key, labels), hint))
    return tuple(results)


def failure_text(terms: tuple[TermResult, ...], whose: str) -> str:
    """`needs app=store, source has app=stor (value 'stor' of app is one character away ...)`."""
    failing = [term for term in terms if not term.matched]
    needs = ", ".join(term.text for term in failing)
    has = ", ".join(term.actual for term in failing)
    text = f"needs {needs}, {whose} has {has}"
    hints = [term.hint for term in failing if term.hint and ("one character" in term.hint or "only in case" in term.hint)]
    if hints:
        text += f" ({'; '.join(hints)})"
    return text
