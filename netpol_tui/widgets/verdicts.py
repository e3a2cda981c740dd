"""Explain answers as rich renderables: the verdict badge, both sides, the rules that decided, and
a multi-pair answer (a Service gives one verdict per pod pair) summed up and grouped by reason.

Pure presentation of engine results (no Textual): the Explain dialog, the Policies screen and
the copy action all render through here. Two verdicts have the same reason when everything but
the endpoints' own names and addresses is the same: the answer, each side's verdict, the rules
that allowed it, the policies that isolate it and why it was denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from netpol_tui.text import clean, plural
from netpol_tui.widgets.describe import describe_policy
from netpol_tui.widgets.kind_describe import describe_cilium, describe_fqdn

#: The answer's word and colours: allowed green, denied red, unknown neutral (not a pass, not a failure).
VERDICT_WORDS = {True: "ALLOWED", False: "DENIED", None: "UNKNOWN"}
VERDICT_BADGES = {True: "bold reverse green", False: "bold reverse red", None: "bold reverse blue"}
VERDICT_STYLES = {True: "green", False: "red", None: "blue"}


def unknown_lines(reasons: Any, indent: str = "    ") -> list[Text]:
    """Why an answer is unknown, one line per missing piece of data."""
    return [Text(f"{indent}? " + clean(reason, 800)) for reason in reasons]


def verdict_block(verdict: Any, policies: dict[tuple[str, str], Any]) -> Group:
    """One verdict: the answer, both sides, the deciding rules shown as kubectl describes them."""
    parts: list[Any] = [Text.assemble((f" {VERDICT_WORDS[verdict.allowed]} ", VERDICT_BADGES[verdict.allowed]),
                                      "  ", clean(verdict.sentences()[0], 600))]
    if verdict.allowed is None:
        parts.append(Text("  It depends on data that was not read:", style="bold"))
        parts.extend(unknown_lines(verdict.unknown_because))
    ingress_side = getattr(verdict, "ingress", None)  # an answer for a DNS name has only egress
    for side in (verdict.egress,) if ingress_side is None else (verdict.egress, ingress_side):
        style = VERDICT_STYLES[side.allowed]
        parts.append(Text.assemble((f"{side.direction} ", "bold"), (side.verdict, style), "  ",
                                   clean(side.summary, 800)))
        for reason in side.denied_because:
            parts.append(Text("    - " + clean(reason, 800), style="red"))
        shown: set[tuple[str, ...]] = set()
        for word, refs, colour in (("denied by", side.denied_by, "red"), ("allowed by", side.allowed_by, "green")):
            for ref in refs:
                parts.append(Text(f"    {word} " + clean(str(ref), 400), style=colour))
                policy = policies.get(ref.policy_key)
                if policy is not None and ref.policy_key not in shown:
                    shown.add(ref.policy_key)
                    parts.append(Padding(_described(policy, ref), (0, 0, 0, 6)))
        for name in side.isolating_policies[:20]:
            parts.append(Text("    isolated by " + clean(name, 300), style="dim"))
    for note in verdict.notes:
        parts.append(Text("Note: " + clean(note, 800), style="yellow"))
    return Group(*parts)


def _described(policy: Any, ref: Any) -> Text:
    """The policy holding a deciding rule, described with that rule emphasised (any kind)."""
    if hasattr(policy, "rules"):
        return describe_cilium(policy, highlight={(ref.section, ref.rule_index)})
    if not hasattr(policy, "policy_types"):
        return describe_fqdn(policy, highlight={ref.rule_index})
    ingress = str(ref.direction) == "Ingress"
    return describe_policy(policy, highlight_ingress=(ref.rule_index,) if ingress else (),
                           highlight_egress=(ref.rule_index,) if not ingress else ())


def explain_block(result: Any) -> Group:
    """Every verdict of the question (a Service gives one per pod) and the dataplane comparison."""
    verdicts, comparison, policies = result["verdicts"], result["comparison"], result["policies"]
    parts: list[Any] = []
    unknown = result.get("unknown")
    if unknown:
        parts.append(Text.assemble((" UNKNOWN ", VERDICT_BADGES[None]), "  ",
                                   clean(f"{unknown['question']}: {unknown['message']}.", 600)))
        parts.append(Text("  It depends on data that was not read:", style="bold"))
        parts.extend(unknown_lines(unknown["unknown_because"]))
    if len(verdicts) > 1:  # a Service: one verdict per pod pair, summed up and grouped by reason
        parts.append(grouped_block(verdicts, policies, result.get("pairs")))
        parts.append(Text(""))
    for verdict in verdicts[:1] if len(verdicts) == 1 else ():
        parts.append(verdict_block(verdict, policies))
        parts.append(Text(""))
    if comparison:
        parts.append(Text("Calico and Dataplane V2 disagree on this traffic:", style="bold yellow underline"))
        for name, verdict in comparison:
            parts.append(Text.assemble((f"  {name:14}", "bold"),
                                       (VERDICT_WORDS[verdict.allowed], VERDICT_STYLES[verdict.allowed])))
            for side in (verdict.egress, verdict.ingress):
                for reason in side.denied_because[:3]:
                    parts.append(Text("      " + clean(reason, 600), style="dim"))
            for note in verdict.notes[:3]:
                parts.append(Text("      " + clean(note, 600), style="dim"))
    return Group(*parts)


def explain_text(result: Any) -> str:
    """Plain sentences for a ticket (what `c` copies)."""
    lines = []
    if len(result["verdicts"]) > 1:
        lines.append(summary_line(result["verdicts"], result.get("pairs")))
    unknown = result.get("unknown")
    if unknown:
        lines.append(f"{unknown['question']} is UNKNOWN: {unknown['message']}.")
        lines.extend(f"  ? {reason}" for reason in unknown["unknown_because"])
    for verdict in result["verdicts"]:
        lines.extend(verdict.sentences())
    for name, verdict in result["comparison"]:
        lines.append(f"{name}: {VERDICT_WORDS[verdict.allowed]}")
    return clean("\n".join(lines))


# ---------------------------------------------------------------------------- many pairs


MAX_PAIRS_LISTED = 8


def _generic(text: str, verdict: Any) -> str:
    """`text` with the two endpoints' names and addresses replaced (what differs per pair)."""
    for endpoint, placeholder in ((verdict.src, "<from>"), (getattr(verdict, "dst", verdict.src), "<to>")):
        for value in (endpoint.describe(), endpoint.name, endpoint.address):
            if value and len(value) > 2:
                text = text.replace(value, placeholder)
    return text


def reason_key(verdict: Any) -> tuple:
    """What makes two verdicts the same answer for the same reason."""
    sides = []
    for side in (verdict.egress, getattr(verdict, "ingress", verdict.egress)):
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
                    f"{clean(getattr(verdict, 'host', None) or verdict.dst.name, 200, single_line=True)}\n", style="dim")
    if len(verdicts) > MAX_PAIRS_LISTED:
        text.append(f"    … and {len(verdicts) - MAX_PAIRS_LISTED} more\n", style="dim")
    return text


def grouped_block(verdicts: Sequence[Any], policies: dict, total: int | None = None) -> Group:
    """The summary line, then per reason: its pairs and the first pair's full explanation."""
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
