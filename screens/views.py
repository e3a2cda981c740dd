"""Display helpers the screens share: rows for lists and rich blocks built from cleaned text.

No decisions are made here (those live in the engine, the checks and `runbooks`); this only
turns their results into rows and renderables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.text import Text

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.text import clean, plural
from netpol_tui.widgets.fit_table import FitTable
from netpol_tui.widgets.rows import Column
from netpol_tui.widgets.virtual_list import Row

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan", "unknown": "dim"}
MAX_VERIFY_LINES = 6
BAR_WIDTH = 24


def cell(value: object, limit: int = 200) -> str:
    """A list cell: one line, no control sequences; ASCII printable text skips the regexes."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable() and len(text) <= limit:
        return text
    return clean(text, limit, single_line=True)


def plain(value: object, limit: int = 200) -> Text:
    """A cell for a Rich Table or Group: one cleaned line as `Text`, so Rich never parses it as
    markup (a str cell or caption is markup to Rich)."""
    return Text(cell(value, limit))


#: The findings filter matches severity, check id and subject (kind/namespace/name), not the message.
FINDING_SEARCH = (0, 1, 2)


def finding_rows(report: Any) -> list[Row]:
    """Findings most severe first, then the checks that could not decide."""
    rows = []
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        severity = str(finding.severity)
        rows.append(Row.make((severity, finding.id, cell(str(finding.subject), 300), cell(finding.message, 400)),
                             finding, (SEVERITY_STYLES.get(severity), "bold", None, None), finding.symbol,
                             search_cells=FINDING_SEARCH))
    for unknown in report.unknown:
        rows.append(Row.make(("unknown", unknown.id, "—", cell(unknown.reason, 400)), unknown,
                             ("dim", "dim", "dim", "dim"), search_cells=FINDING_SEARCH))
    return rows


def first_copyable(finding: Any) -> tuple[str, str] | None:
    """The first remediation command of a finding as a runnable block (the manifest as an apply
    block when there is no command), with a label."""
    remediation = finding.remediation
    if remediation.commands:
        # The whole block: an apply command with its manifest as a heredoc runs as pasted.
        return remediation.commands[0].script, f"{finding.id} command"
    if remediation.manifest:
        from netpol_tui.shell import apply

        return apply(remediation.manifest).script, f"{finding.id} apply command"
    return None


def on_off(value: bool | None, what: str) -> Text:
    if value is None:
        return Text(f"unknown ({what})", style="yellow")
    return Text.assemble(("ON " if value else "OFF", "bold green" if value else "bold red"), f"  {what}")


def bar(done: int, total: int, width: int = BAR_WIDTH, style: str = "green") -> Text:
    """A text progress bar: deterministic, no animation (snapshot tests stay stable)."""
    fraction = done / total if total else 0.0
    filled = round(fraction * width)
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"),
                         f" {done}/{total}" + (f" {fraction:4.0%}" if total else ""))


def pools_table(snapshot: Snapshot, enforcement: Any) -> Group:
    """Pools: machine type, nodes, Calico-labelled nodes, version; a pool not RUNNING says so.

    Versions are never shortened: names give way (in the middle), then the row wraps."""
    table = FitTable([Column("POOL", min_width=8, max_width=40), Column("MACHINE", min_width=8, max_width=30),
                      Column("NODES", shorten="never"), Column("LABELLED", shorten="never"),
                      Column("VERSION", shorten="never")])
    configured = {pool.name: pool for pool in snapshot.cluster.node_pools} if snapshot.cluster else {}

    def name(pool_name: str) -> Text:
        config = configured.get(pool_name)
        status = config.status if config is not None and config.status not in (None, "RUNNING") else None
        return Text.assemble(cell(pool_name, 40), ("*" if status else "", "yellow"))

    if enforcement is not None and enforcement.pools:
        for pool in enforcement.pools:
            style = "green" if pool.complete else "yellow"
            table.add_row(name(pool.label), plain(pool.machine_type or "?", 30), Text(str(pool.total)),
                          Text(f"{pool.labelled}/{pool.total}", style=style)
                          if enforcement.is_standard_legacy else Text("n/a", style="dim"),
                          plain(pool.version or "?", 60))
    else:
        for pool in configured.values():
            table.add_row(name(pool.name), plain(pool.machine_type or "?", 30),
                          plain(pool.initial_node_count or "?"), Text("?"), plain(pool.version or "?", 60))
    if not table.rows:
        table.add_row(Text("none known"), Text(""), Text(""), Text(""), Text(""))
    busy = [f"{cell(p.name, 40)} {cell(p.status, 20)}" for p in configured.values()
            if p.status not in (None, "RUNNING")]
    if busy:
        # Text, never a str: a str would be parsed as markup by Rich (a pool named `hp[/oops]` crashed here).
        return Group(table, Text("* " + ", ".join(busy), style="yellow"))
    return Group(table)


def verify_block(verify: Sequence[Any]) -> Group:
    """The verify commands of gke-facts section 1 and what they would print now."""
    parts: list[Any] = [Text("Verify (what these commands would print now)", style="bold underline")]
    for item in verify:
        parts.append(Text.assemble(("$ ", "dim"), (cell(item.command, 200), "bold")))
        if item.output is None:
            parts.append(Text("  unknown: the snapshot lacks this data", style="yellow"))
        else:
            lines = clean(item.output).splitlines()
            shown = lines[:MAX_VERIFY_LINES]
            body = Text("\n".join("  " + line for line in shown), style="cyan")
            if len(lines) > MAX_VERIFY_LINES:
                body.append(f"\n  … {plural(len(lines) - MAX_VERIFY_LINES, 'more line')}", style="dim")
            parts.append(body)
        parts.append(Text("  " + cell(item.meaning, 300), style="dim italic"))
    return Group(*parts)


