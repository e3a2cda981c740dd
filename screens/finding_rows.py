"""Rows of the Status findings list: findings of one check grouped (`checks.grouping`).

A group row says how many and where (`▸ 1,544 NetworkPolicies in 312 namespaces`); Enter opens
it one level (its findings, or per namespace when it is large), Enter again closes it. Unknown
checks follow, as before. The same grouping is the `check` text output's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netpol_tui.screens.views import SEVERITY_STYLES, cell
from netpol_tui.widgets.virtual_list import Row

INDENT = "  "


def grouped_rows(report: Any, opened: frozenset) -> Iterator[Row | None]:
    """Top-level entries, and the inside of each opened group; None is a checkpoint."""
    from netpol_tui.checks.grouping import FindingGroup, expand, group_findings

    yield None
    for count, (depth, entry) in enumerate(expand(group_findings(report.findings), set(opened))):
        severity = str(entry.severity)
        indent = INDENT * depth
        styles = (SEVERITY_STYLES.get(severity), "bold", None, None)
        if isinstance(entry, FindingGroup):
            marker = "▾" if entry.key in opened else "▸"
            shared = entry.shared_message
            message = shared if shared is not None else f"{entry.title} (messages differ)"
            yield Row.make((severity, entry.id, f"{indent}{marker} {cell(entry.describe(), 120)}", cell(message, 400)),
                           entry, (*styles[:2], "bold", None), f"{entry.symbol} {' '.join(entry.namespaces[:50])}")
        else:
            yield Row.make((severity, entry.id, indent + cell(str(entry.subject), 120), cell(entry.message, 400)),
                           entry, styles, entry.symbol)
        if not count & 1023:
            yield None
    for unknown in report.unknown:
        yield Row.make(("unknown", unknown.id, "—", cell(unknown.reason, 400)), unknown, ("dim", "dim", "dim", "dim"))
