"""What every format of a Report says alike: the summary line, the unknown header and why checks
are unknown, and the cleaning of a finished JSON document (`render`, `render_sarif` and
`render_html` share them; kept below all three so none imports another for them)."""

from __future__ import annotations

from typing import Any

from netpol_tui.checks.model import NotRead, Report
from netpol_tui.text import clean, plural


def one_line(text: object) -> str:
    return clean(text, single_line=True)


def summary_line(report: Report) -> str:
    counts = report.summary()
    return (f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {counts['info']} info, "
            f"{counts['unknown']} unknown ({plural(counts['checks'], 'check')} run)")


def unknown_header(report: Report) -> str:
    checks = len(report.checked) or len({item.id for item in report.unknown})
    undecided = len({item.id for item in report.unknown})
    return f"UNKNOWN: {undecided} of {plural(checks, 'check')} could not decide, so this result is incomplete"


def not_read_text(part: NotRead) -> str:
    text = f"{part.kind} not read: {one_line(part.reason)}"
    if part.permission:
        text += f"; check the permission: {'; '.join(one_line(item) for item in part.permission)}"
    return text


def unknown_groups(report: Report) -> list[tuple[list[str], str]]:
    """Unknown checks grouped by reason, in report order: ([ids], reason)."""
    groups: dict[str, list[str]] = {}
    for item in report.unknown:
        ids = groups.setdefault(one_line(item.reason), [])
        if item.id not in ids:
            ids.append(item.id)
    return [(ids, reason) for reason, ids in groups.items()]


def unknown_because(report: Report) -> list[str]:
    """Why checks are unknown, one line each: kinds not read first, then reasons with their checks."""
    lines = [not_read_text(part) for part in report.not_read]
    lines += [f"{', '.join(ids)}: {reason}" for ids, reason in unknown_groups(report)]
    return lines


def cleaned(value: Any) -> Any:
    """Every string of a JSON document, keys included, through `clean`."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(key) if isinstance(key, str) else key: cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    return value
