"""A multi-pair Explain answer (a Service gives one verdict per pod pair) summed up and grouped.

`9 pod pairs: 0 allowed, 9 denied; same reason for all`, then one group per distinct reason
(the pairs it covers, and the first pair's full explanation). Two verdicts have the same reason
when everything but the endpoints' own names and addresses is the same: the answer, each side's
verdict, the rules that allowed it, the policies that isolate it and why it was denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.text import Text

from netpol_tui.text import clean, plural

MAX_PAIRS_LISTED = 8


def _generic(text: str, verdict: Any) -> str:
    """`text` with the two endpoints' names and addresses replaced (what differs per pair)."""
    for endpoint, placeholder in ((verdict.src, "<from>"), (verdict.dst, "<to>")):
        for value in (endpoint.describe(), endpoint.name, endpoint.address):
            if value and len(value) > 2:
                text = text.replace(value, placeholder)
    return text


def reason_key(verdict: Any) -> tuple:
    """What makes two verdicts the same answer for the same reason."""
    sides = []
    for side in (verdict.egress, verdict.ingress):
        sides.append((side.allowed, side.applies, side.isolated, tuple(side.isolating_policies),
                      tuple(str(ref) for ref in side.allowed_by),
                      tuple(_generic(reason, verdict) for reason in (*side.denied_because, *side.unknown_because))))
    return (verdict.allowed, verdict.port, tuple(sides))


def group_verdicts(verdicts: Sequence[Any]) -> list[list[Any]]:
    """Verdicts grouped by `reason_key`, groups in order of first appearance."""
    groups: dict[tuple, list[Any]] = {}
    for verdict in verdicts:
        groups.setdefault(reason_key(verdict), []).append(verdict)
    return list(groups.values())


def summary_line(verdicts: Sequence[Any], total: int | None = None) -> str:
    """`9 pod pairs: 0 allowed, 9 denied; same reason for all` (plain text)."""
    allowed = sum(1 for verdict in verdicts if verdict.allowed is True)
    denied = sum(1 for verdict in verdicts if verdict.allowed is False)
    unknown = len(verdicts) - allowed - denied
    groups = len(group_verdicts(verdicts))
    counted = f"{plural(len(verdicts), 'pod pair')}"
    if total is not None and total > len(verdicts):
        counted = f"{len(verdicts)} of {total} pod pairs (the first {len(verdicts)} evaluated)"
    line = f"{counted}: {allowed} allowed, {denied} denied"
    if unknown:
        line += f", {unknown} unknown"
    return line + ("; same reason for all" if groups == 1 else f"; {groups} different reasons")


def pairs_text(verdicts: Sequence[Any]) -> Text:
    text = Text()
    for verdict in verdicts[:MAX_PAIRS_LISTED]:
        text.append(f"    {clean(verdict.src.name, 200, single_line=True)} -> "
                    f"{clean(verdict.dst.name, 200, single_line=True)}\n", style="dim")
    if len(verdicts) > MAX_PAIRS_LISTED:
        text.append(f"    … and {len(verdicts) - MAX_PAIRS_LISTED} more\n", style="dim")
    return text


def grouped_block(verdicts: Sequence[Any], policies: dict, total: int | None = None) -> Group:
    """The summary line, then per reason: its pairs and the first pair's full explanation."""
    from netpol_tui.screens.policy_views import VERDICT_STYLES, VERDICT_WORDS, verdict_block

    parts: list[Any] = [Text(summary_line(verdicts, total), style="bold")]
    groups = group_verdicts(verdicts)
    for index, group in enumerate(groups, 1):
        word = VERDICT_WORDS[group[0].allowed]
        head = f"Reason {index} of {len(groups)}: " if len(groups) > 1 else "All pairs: "
        parts.append(Text.assemble(("\n" + head, "bold"), (word, f"bold {VERDICT_STYLES[group[0].allowed]}"),
                                   f" for {plural(len(group), 'pair')}"))
        parts.append(pairs_text(group))
        parts.append(Text("  The first of them in full:", style="italic"))
        parts.append(verdict_block(group[0], policies))
    return Group(*parts)
