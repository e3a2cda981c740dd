"""`explain --suggest`: the proposed policy for each denied answer, checked, as text, JSON or YAML.

Several answers (a Service's pods) that need the same policy get it once.
"""

from __future__ import annotations

import sys
from typing import Any

from netpol_tui.commands.common import print_json
from netpol_tui.shell import apply
from netpol_tui.text import clean, plural

EXIT_ALLOW, EXIT_DENY, EXIT_UNKNOWN = 0, 1, 3


def _suggestions(engine: Any, verdicts: list[Any]) -> tuple[list[Any], list[str]]:
    from netpol_tui.whatif.suggest import NoSuggestion, suggest

    found: dict[str, Any] = {}
    reasons: list[str] = []
    for verdict in verdicts:
        if verdict.allowed is not False:
            continue
        try:
            item = suggest(engine, verdict.src, verdict.dst, verdict.requested_port or verdict.port, verdict.protocol)
        except NoSuggestion as exc:
            reasons.append(f"{verdict.src.name} -> {verdict.dst.name}: {exc}")
            continue
        found.setdefault(item.manifest, item)
    return list(found.values()), reasons


def _text(item: Any, dataplane: str) -> list[str]:
    lines = [f"Suggested fix (checked: with it this traffic is ALLOWED under {dataplane}):",
             apply(item.manifest).script]
    if item.also_allows:
        lines.append(f"It also allows {plural(len(item.also_allows), 'other flow')}:")
        lines += [f"  {c.src.label} -> {c.dst.label} {c.port}" for c in item.also_allows[:20]]
        if len(item.also_allows) > 20:
            lines.append(f"  ... and {len(item.also_allows) - 20} more (--format json lists all)")
    if item.also_denies:
        lines.append(f"WARNING: it also denies {plural(len(item.also_denies), 'flow')} that are allowed now (its "
                     "podSelector isolates pods no policy isolated before):")
        lines += [f"  {c.src.label} -> {c.dst.label} {c.port}" for c in item.also_denies[:20]]
        if len(item.also_denies) > 20:
            lines.append(f"  ... and {len(item.also_denies) - 20} more (--format json lists all)")
    if not item.also_allows and not item.also_denies:
        lines.append("It opens nothing else: no other flow of the snapshot changes.")
    return lines


def print_suggestions(engine: Any, verdicts: list[Any], output_format: str, answer: dict[str, Any]) -> int:
    """Print the answer and the suggestions; the exit status is the answer's (0/1/3)."""
    items, reasons = _suggestions(engine, verdicts)
    denied = any(v.allowed is False for v in verdicts)
    code = EXIT_DENY if denied else (EXIT_UNKNOWN if any(v.allowed is None for v in verdicts) else EXIT_ALLOW)
    if output_format == "yaml":
        if not items:
            why = "; ".join(reasons) or ("nothing is denied: there is nothing to suggest" if not denied else "")
            print(f"netpol-tui explain: no suggestion: {clean(why, single_line=True)}", file=sys.stderr)
            return code
        sys.stdout.write("---\n".join(clean(item.manifest) for item in items))
        return code
    if output_format == "json":
        print_json({**answer, "suggestions": [item.to_dict() for item in items], "no_suggestion": reasons})
        return code
    out = ["\n".join(v.sentences()) for v in verdicts]
    for item in items:
        out.append("\n".join(_text(item, engine.dataplane.title)))
    if reasons:
        out.append("\n".join(f"No suggestion for {reason}" for reason in reasons))
    if not denied:
        out.append("Nothing is denied: there is nothing to suggest.")
    print(clean("\n\n".join(out)))
    return code
