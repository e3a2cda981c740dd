"""The matrix and the diff as one self-contained HTML page (`matrix` / `diff --format html`).

For the same readers as `check --format html`: someone deciding on a change ticket, or reading
an incident, who never opens a terminal. The page is built only from `netpol_tui.html` (one
inline style and script allowed by hash, nothing loaded, every string cleaned and escaped
there); namespace, workload and policy names are untrusted text like everywhere else.

Every flow comes with the `netpol-tui explain` command that asks the same question of the same
source (the representative pods the verdict was computed on), quoted by the one shell quoting
module (netpol_tui/shell.py), in a block with a Copy button: what is pasted runs exactly that. A
name with characters no page shows as they are (controls, bidi) gets shell.py's warning line
above its command instead of a command that would silently run something else.

In a diff the verdict a change leads to reads `deny (changed)` / `allow (changed)`: the mark is
text, not only the cell's colour. Letters, legend and summary sentences: wording.py, shared
with the text renderer (render.py), so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netpol_tui.html import Blocks, Markup, Td, esc_line, link, page, styled, table
from netpol_tui.shell import script
from netpol_tui.text import plural
from netpol_tui.whatif.diff import Change, Diff
from netpol_tui.whatif.matrix import Flow, Matrix, explain_words, verdict_word
from netpol_tui.whatif.wording import (
    LEGEND_ITEMS,
    LETTERS,
    MIGRATION_CHECKS,
    changed_verdict,
    diff_counts,
    pair_counts,
    thousands,
)

if TYPE_CHECKING:
    from netpol_tui.checks.model import Report

#: Flows listed one by one with their explain command; past this a matrix page keeps the grid and
#: the counts (a 100,000-pod cluster has millions of flows) and points to `--format csv`, and a
#: diff page lists the first ones.
MAX_FLOWS = 3000
#: Deciding rules shown per flow (as the text formats: two for a matrix flow, three for a change).
MATRIX_DECIDING, DIFF_DECIDING = 2, 3
VERDICT_CLASS = {True: "allow", False: "deny", None: "unknown"}


@dataclass(frozen=True, slots=True)
class PageSource:
    """Where the data came from, as the page says it, and the source options that make a copied
    explain command read the same snapshot (`--demo calico`, `--files DIR`, `--context X`)."""

    description: str = ""
    cluster: str = ""
    words: tuple[str, ...] = ()


def explain_argv(source: PageSource, words: Sequence[str], dataplane: str | None = None) -> list[str]:
    """`netpol-tui explain SOURCE --from .. --to .. --port .. --protocol ..` as argv."""
    argv = ["netpol-tui", "explain", *source.words, *words]
    if dataplane and dataplane != "auto":
        argv += ["--dataplane", dataplane]
    return argv


def explain_command(source: PageSource, words: Sequence[str], dataplane: str | None = None) -> str:
    """The explain command as paste-ready shell (shell.script: quoted, warned when not exact)."""
    return script(explain_argv(source, words, dataplane))


def _verdict(allowed: bool | None) -> Markup:
    return styled(verdict_word(allowed), VERDICT_CLASS[allowed])


def _changed(allowed: bool | None) -> Markup:
    return styled(changed_verdict(allowed), f"{VERDICT_CLASS[allowed]} changed")


def _rules(rules: Iterable[str], limit: int) -> Markup:
    items = list(rules)[:limit]
    if not items:
        return Markup('<span class="muted">-</span>')
    return Markup("<ul>" + "".join(f"<li>{esc_line(rule)}</li>" for rule in items) + "</ul>")


def _meta(source: PageSource, dataplane: str | None = None) -> str:
    parts = [f"<span>source: {esc_line(source.description)}</span>"] if source.description else []
    if dataplane:
        parts.append(f"<span>dataplane: {esc_line(dataplane)}</span>")
    return f'<p class="meta">{"".join(parts)}</p>' if parts else ""


def _unknown_banner(header: str, reasons: Iterable[str]) -> str:
    return (f'<div class="banner unknown"><strong>{esc_line(header)}</strong><ul>'
            + "".join(f"<li>{esc_line(reason)}</li>" for reason in reasons) + "</ul></div>")


# ---------------------------------------------------------------------------- matrix


def _grid(matrix: Matrix, anchors: dict[tuple[str, str], str]) -> str:
    namespaces = matrix.namespaces()
    cells = matrix.cells()
    rows = []
    for src in namespaces:
        row: list[object] = [Td(src, "from", header=True)]
        for dst in namespaces:
            cell = cells.get((src, dst))
            if cell is None or not cell.total:
                row.append(Td(".", "cell-empty"))
                continue
            label = f"{LETTERS[cell.state]} {thousands(cell.allowed)}/{thousands(cell.total)}"
            anchor = anchors.get((src, dst))
            row.append(Td(link(label, anchor) if anchor else label, f"cell-{cell.state}"))
        rows.append(row)
    return table([Markup("from \\ to"), *namespaces], rows, "grid")


def _flow_rows(flows: Sequence[Flow], source: PageSource, dataplane: str, blocks: Blocks) -> list[list[object]]:
    return [[flow.src.label, flow.dst.label, str(flow.port), _verdict(flow.allowed), _rules(flow.deciding, MATRIX_DECIDING),
             blocks.copyable(explain_command(source, flow.explain_words(), dataplane))] for flow in flows]


def matrix_html(matrix: Matrix, source: PageSource = PageSource(), dataplane: str = "auto") -> str:
    """The page: counts, the namespace grid (each cell links to its flows), then every flow with
    its verdict, deciding rules and explain command. `dataplane`: the model asked for (auto: the
    cluster's), repeated in the explain commands."""
    blocks = Blocks()
    counts = matrix.counts()
    title = f"Connectivity matrix: {source.cluster}" if source.cluster else "Connectivity matrix"
    out = [f"<h1>{esc_line(title)}</h1>", _meta(source, matrix.dataplane),
           table(("workloads", "flows", "allowed", "denied", "unknown"),
                 [tuple(thousands(value) for value in (len(matrix.classes), counts["flows"], counts["allowed"],
                                                    counts["denied"], counts["unknown"]))],
                 "counts")]
    if counts["unknown"]:
        reasons = dict.fromkeys(reason for flow in matrix.flows if flow.allowed is None for reason in flow.deciding)
        out.append(_unknown_banner(f"UNKNOWN: {plural(counts['unknown'], 'flow')} depend on data that was not read",
                                   reasons))
    pairs: dict[tuple[str, str], list[Flow]] = {}
    for flow in matrix.flows:
        pairs.setdefault((flow.src.namespace, flow.dst.namespace), []).append(flow)
    listed = len(matrix.flows) <= MAX_FLOWS
    anchors = {pair: f"pair-{index}" for index, pair in enumerate(sorted(pairs), 1)} if listed else {}
    out += ["<h2>Namespace to namespace</h2>",
            "<p>Rows: from namespace; columns: to namespace. Each cell: the letter, then how many of its flows "
            "are allowed" + (" (it links to them)." if listed else ".") + "</p>",
            '<p class="legend">' + "".join(f'<span class="cell-{state}">{esc_line(text)}</span>'
                                           for state, text in LEGEND_ITEMS) + "</p>",
            _grid(matrix, anchors)]
    out.append("<h2>Flows</h2>")
    if not listed:
        out.append(f"<p>{plural(len(matrix.flows), 'flow')}: too many to list here (more than {MAX_FLOWS:,}); "
                   "--format csv writes one row per flow, with its verdict and deciding rules.</p>")
    for pair, flows in sorted(pairs.items()) if listed else ():
        allowed = sum(1 for flow in flows if flow.allowed)
        denied = sum(1 for flow in flows if flow.allowed is False)
        unknown = len(flows) - allowed - denied
        summary = f"{pair[0]} → {pair[1]}: {pair_counts(allowed, denied, unknown)}"
        out += [f'<h3 id="{anchors[pair]}">{esc_line(summary)}</h3>',
                table(("from", "to", "port", "verdict", "deciding", "explain it"),
                      _flow_rows(flows, source, dataplane, blocks), "flows")]
    if not matrix.flows:
        out.append("<p>No flows: no workload with a pod was loaded.</p>")
    out += [f'<p class="muted">Note: {esc_line(note)}</p>' for note in matrix.notes]
    return page(f"netpol-tui matrix: {source.cluster or matrix.dataplane}", "\n".join(out))


# ---------------------------------------------------------------------------- diff


def _change_commands(change: Change, source: PageSource, models: tuple[str, str] | None, blocks: Blocks) -> str:
    words = explain_words(change.src, change.dst, change.port)
    if models is None:  # a proposed change: explain can only ask the snapshot as it is
        return blocks.copyable(explain_command(source, words), "explain it now (before the change)")
    before, after = models
    return (blocks.copyable(explain_command(source, words, before), f"explain it before ({before})")
            + blocks.copyable(explain_command(source, words, after), f"explain it after ({after})"))


def _flow_title(change: Change) -> str:
    return f"{change.src.label} → {change.dst.label} {change.port}"


def _changes_table(changes: Sequence[tuple[int, Change]]) -> str:
    """One row per changed flow; each links to its details below."""
    rows = [[change.src.label, change.dst.label, str(change.port), _verdict(change.before), _changed(change.after),
             Td(link("why", f"change-{number}"))] for number, change in changes]
    return table(("from", "to", "port", "before", "after", "details"), rows, "flows")


def _change_detail(number: int, change: Change, labels: tuple[str, str], source: PageSource,
                   models: tuple[str, str] | None, blocks: Blocks) -> list[str]:
    """A changed flow: both verdicts and both deciding rules side by side, then the commands."""
    return [f'<h3 id="change-{number}">{esc_line(_flow_title(change))}</h3>',
            table(("", f"before: {labels[0]}", f"after: {labels[1]}"),
                  [(Td("verdict", header=True), _verdict(change.before), _changed(change.after)),
                   (Td("deciding", header=True), _rules(change.before_deciding, DIFF_DECIDING),
                    _rules(change.after_deciding, DIFF_DECIDING))], "flows"),
            _change_commands(change, source, models, blocks)]


def diff_html(diff: Diff, source: PageSource = PageSource(), models: tuple[str, str] | None = None,
              checks: Report | None = None) -> str:
    """The page: what is compared, the counts and a line per namespace, then the changed flows
    (newly denied first: what breaks) with both verdicts, both deciding rules and the explain
    commands. `models`: (before, after) dataplane models of a model diff, None for a proposed
    change; `checks`: the migration checks' Report, shown under the diff."""
    blocks = Blocks()
    numbered = list(enumerate(diff.changes, 1))[:MAX_FLOWS]
    denied = [(number, change) for number, change in numbered if change.after is False]
    allowed = [(number, change) for number, change in numbered if change.after]
    meta = [f"<span>cluster: {esc_line(source.cluster)}</span>"] if source.cluster else []
    meta += [f"<span>source: {esc_line(source.description)}</span>"] if source.description else []
    out = [f"<h1>{esc_line(f'What changes: {diff.before} → {diff.after}')}</h1>",
           f'<p class="meta">{"".join(meta)}</p>' if meta else "",
           table(("flows compared", "change", "newly denied", "newly allowed", "unknown (not compared)"),
                 [tuple(thousands(value) for value in (
                     diff.compared, len(diff.changes), sum(1 for change in diff.changes if change.after is False),
                     sum(1 for change in diff.changes if change.after), diff.unknown))], "counts"),
           f"<p>{esc_line(diff_counts(len(diff.changes), diff.compared))}"
           + (f", {thousands(diff.unknown)} unknown (not compared)" if diff.unknown else "") + ".</p>"]
    if len(diff.changes) > MAX_FLOWS:
        out.append(f"<p>Only the first {MAX_FLOWS:,} of {len(diff.changes):,} changed flows are listed here; "
                   "--format json lists them all.</p>")
    summary = diff.summary()
    if summary:
        out.append("<ul>" + "".join(f"<li>{esc_line(line)}</li>" for line in summary) + "</ul>")
    if diff.unknown_because:
        out.append(_unknown_banner(f"UNKNOWN: {plural(diff.unknown, 'flow')} not compared: they depend on data "
                                   "that was not read", diff.unknown_because))
    for heading, css, changes in (("Newly denied", "deny", denied), ("Newly allowed", "allow", allowed)):
        if changes:
            out += [f'<h2 class="{css}">{heading} ({thousands(len(changes))})</h2>', _changes_table(changes)]
    if diff.changes:
        out.append("<h2>Why each flow changes</h2>")
        if models is None:
            out.append('<p class="muted">The explain commands ask the snapshot as it is now; the "after" '
                       "verdicts are what the proposed change would make of it.</p>")
        labels = (diff.before, diff.after)
        for number, change in (*denied, *allowed):
            out += _change_detail(number, change, labels, source, models, blocks)
    if not diff.changes:
        out.append("<p>No flow changes.</p>")
    out += [f'<p class="muted">Note: {esc_line(note)}</p>' for note in diff.notes]
    if checks is not None:
        from netpol_tui.checks.render_html import report_sections

        out.append(f"<h2>Checks that block or change on migration ({', '.join(MIGRATION_CHECKS)})</h2>")
        out += report_sections(checks, blocks)
    return page(f"netpol-tui diff: {diff.before} → {diff.after} ({plural(len(diff.changes), 'flow')} change)",
                "\n".join(out))
