"""Rows of the Status findings list: findings of one check grouped (`checks.grouping`).

A group row says how many and where (`▸ 1,544 NetworkPolicies in 312 namespaces`); Enter opens
it one level (its findings, or per namespace when it is large), Enter again closes it. Unknown
checks follow, as before. The same grouping is the `check` text output's.

While the console follows its source, a finding that appeared after the first report says
`new ·` before its subject (a group counts its new ones), and the findings that resolved follow
last, greyed, `resolved ·` before the subject and the time in the message
(netpol_tui/finding_history.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, TypeAlias

from netpol_tui.finding_history import NEW_MARK, RESOLVED_MARK, FindingHistory, ResolvedFinding
from netpol_tui.screens.views import SEVERITY_STYLES, cell
from netpol_tui.widgets.virtual_list import Row

if TYPE_CHECKING:
    from netpol_tui.checks.grouping import FindingGroup
    from netpol_tui.checks.model import Finding, Report, UnknownCheck

#: What a row of the Status findings list holds: a group, one of its findings, an unknown check,
#: a resolved finding, or the "… and N more resolved" row.
FindingRowKey: TypeAlias = "FindingGroup | Finding | UnknownCheck | ResolvedFinding | tuple[Literal['resolved-more'], int]"
#: The keys of the opened groups (`FindingGroup.key`: check id, namespace or None).
GroupKeys = frozenset[tuple[str, str | None]]

INDENT = "  "
RESOLVED_STYLES = ("dim", "dim", "dim", "dim")
#: Resolved rows listed one by one; more are counted in one last row (a default-deny can resolve thousands).
MAX_RESOLVED_ROWS = 2000


def grouped_rows(report: Report, opened: GroupKeys, history: FindingHistory | None = None
                 ) -> Iterator[Row[FindingRowKey] | None]:
    """Top-level entries, and the inside of each opened group; None is a checkpoint. Then the
    unknown checks, then the findings of `history` that resolved."""
    from netpol_tui.checks.grouping import FindingGroup, expand, group_findings

    history = history or FindingHistory()
    yield None
    for count, (depth, entry) in enumerate(expand(group_findings(report.findings), set(opened))):
        severity = str(entry.severity)
        indent = INDENT * depth
        styles = (SEVERITY_STYLES.get(severity), "bold", None, None)
        if isinstance(entry, FindingGroup):
            marker = "▾" if entry.key in opened else "▸"
            shared = entry.shared_message
            message = shared if shared is not None else f"{entry.title} (messages differ)"
            new = history.new_count(entry.findings)
            counted = f" ({new} {NEW_MARK})" if new else ""
            yield Row.make((severity, entry.id, f"{indent}{marker} {cell(entry.describe(), 120)}{counted}",
                            cell(message, 400)),
                           entry, (*styles[:2], "bold", None), f"{entry.symbol} {' '.join(entry.namespaces[:50])}")
        else:
            mark = f"{NEW_MARK} · " if history.is_new(entry) else ""
            yield Row.make((severity, entry.id, indent + mark + cell(str(entry.subject), 120), cell(entry.message, 400)),
                           entry, styles, entry.symbol)
        if not count & 1023:
            yield None
    for unknown in report.unknown:
        yield Row.make(("unknown", unknown.id, "—", cell(unknown.reason, 400)), unknown, ("dim", "dim", "dim", "dim"))
    yield from resolved_rows(history)


def resolved_rows(history: FindingHistory) -> Iterator[Row[FindingRowKey]]:
    """The resolved findings, most severe first, greyed and saying so in words."""
    resolved = history.resolved_findings()
    for item in resolved[:MAX_RESOLVED_ROWS]:
        yield Row.make((str(item.severity), item.id, f"{RESOLVED_MARK} · {cell(str(item.subject), 120)}",
                        cell(f"resolved at {item.clock} · {item.message}", 400)),
                       item, RESOLVED_STYLES, item.symbol)
    if len(resolved) > MAX_RESOLVED_ROWS:
        more = len(resolved) - MAX_RESOLVED_ROWS
        yield Row.make(("", "", f"{RESOLVED_MARK} · … and {more} more",
                        f"{more} more resolved findings, not listed one by one"), ("resolved-more", more),
                       RESOLVED_STYLES)
