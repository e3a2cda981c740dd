"""The matrix and the diff as text, JSON, Markdown, CSV and Graphviz dot (HTML: render_html.py).

The letters, legend and summary sentences come from wording.py, which render_html.py shares:
neither renderer imports the other. Counts in sentences have thousands separators; JSON and
CSV numbers stay plain.

Cluster text (namespace, workload and pod names, deciding rules) is untrusted: `clean` for text
and CSV, `markdown_inline` for Markdown, every JSON string cleaned, and dot identifiers quoted
with `"` and `\\` escaped. A cell's state is a letter as well as a word, so the matrix reads
without colour: A all allowed, S some, N none, ? unknown (some flow depends on data not read).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from netpol_tui.checks.model import Report
from netpol_tui.checks.render import render_markdown
from netpol_tui.text import clean, markdown_inline, plural, sanitised
from netpol_tui.whatif.diff import Diff
from netpol_tui.whatif.matrix import Matrix
from netpol_tui.whatif.wording import (
    DIFF_FORMATS,
    LEGEND,
    LETTERS,
    MATRIX_FORMATS,
    MIGRATION_CHECKS,
    diff_counts,
    matrix_counts,
    thousands,
)

__all__ = ["DIFF_FORMATS", "LETTERS", "MATRIX_FORMATS", "MIGRATION_CHECKS", "diff_markdown", "diff_text",
           "json_document", "matrix_csv", "matrix_dict", "matrix_dot", "matrix_markdown", "matrix_text",
           "migration_markdown", "render_diff", "render_matrix"]


def _one(text: object) -> str:
    return clean(text, single_line=True)


def json_document(document: dict[str, Any]) -> str:
    return json.dumps(sanitised(document), indent=2, ensure_ascii=False) + "\n"


def _grid(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    namespaces = list(matrix.namespaces())
    cells = matrix.cells()
    rows = []
    for src in namespaces:
        rows.append([LETTERS[cells[(src, dst)].state] if (src, dst) in cells else "." for dst in namespaces])
    return namespaces, rows


def matrix_text(matrix: Matrix, detail: bool = False) -> str:
    counts = matrix.counts()
    out = [f"netpol-tui matrix ({_one(matrix.dataplane)}): {plural(len(matrix.classes), 'workload')}, "
           f"{matrix_counts(counts)}", f"rows: from namespace; columns: to namespace ({LEGEND})", ""]
    namespaces, rows = _grid(matrix)
    names = [_one(ns) for ns in namespaces]
    width = max((len(n) for n in names), default=4)
    out.append(" " * (width + 2) + " ".join(f"{i + 1:>2}" for i in range(len(names))))
    for index, (name, row) in enumerate(zip(names, rows, strict=True)):
        out.append(f"{name:<{width}}  " + " ".join(f"{cell:>2}" for cell in row) + f"   {index + 1:>2}")
    out.append("")
    out += [f"{i + 1:>3} {name}" for i, name in enumerate(names)]
    if matrix.counts()["unknown"]:
        reasons = dict.fromkeys(r for f in matrix.flows if f.allowed is None for r in f.deciding)
        out += ["", "Unknown because:", *(f"  - {_one(r)}" for r in reasons)]
    if detail:
        out += ["", "Flows (from -> to port: verdict, deciding):"]
        for flow in matrix.flows:
            out.append(f"  {_one(flow.src.label)} -> {_one(flow.dst.label)} {flow.port}: {flow.verdict}"
                       + (f"  ({'; '.join(_one(d) for d in flow.deciding[:2])})" if flow.deciding else ""))
    out += [f"note: {_one(note)}" for note in matrix.notes]
    return "\n".join(out) + "\n"


def matrix_dict(matrix: Matrix) -> dict[str, Any]:
    cells = matrix.cells()
    return {"dataplane": matrix.dataplane, "counts": matrix.counts(), "namespaces": list(matrix.namespaces()),
            "cells": [{"from": src, "to": dst, "state": cell.state, "allowed": cell.allowed, "denied": cell.denied,
                       "unknown": cell.unknown} for (src, dst), cell in sorted(cells.items())],
            "workloads": [c.to_dict() for c in matrix.classes],
            "flows": [{"from": f.src.label, "to": f.dst.label, "port": f.port.port, "protocol": f.port.protocol,
                       "verdict": f.verdict, "deciding": list(f.deciding)} for f in matrix.flows],
            "notes": list(matrix.notes)}


def matrix_markdown(matrix: Matrix) -> str:
    namespaces, rows = _grid(matrix)
    counts = matrix.counts()
    out = [f"# Connectivity matrix ({markdown_inline(matrix.dataplane)})", "",
           f"{matrix_counts(counts)}. Rows: from; columns: to. {LEGEND}.", "",
           "| from \\ to | " + " | ".join(markdown_inline(ns) for ns in namespaces) + " |",
           "|---|" + "---|" * len(namespaces)]
    for name, row in zip(namespaces, rows, strict=True):
        out.append(f"| **{markdown_inline(name)}** | " + " | ".join(cell.replace("?", "\\?") for cell in row) + " |")
    return "\n".join(out) + "\n"


def matrix_csv(matrix: Matrix) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["from_namespace", "from_workload", "to_namespace", "to_workload", "port", "protocol",
                     "verdict", "deciding"])
    for f in matrix.flows:
        row = [f.src.namespace, f.src.workload, f.dst.namespace, f.dst.workload, f.port.port, f.port.protocol,
               f.verdict, "; ".join(f.deciding)]
        # A spreadsheet runs a cell starting with = + - @ as a formula: quote it as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@\t\r" else c
                         for c in (_one(c) if isinstance(c, str) else c for c in row)])
    return buffer.getvalue()


def _dot_id(text: str) -> str:
    return '"' + _one(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def matrix_dot(matrix: Matrix) -> str:
    """Namespaces as nodes, an edge where some flow is allowed (dashed: only some; grey: unknown)."""
    out = ["digraph netpol {", "  rankdir=LR;", "  node [shape=box];"]
    out += [f"  {_dot_id(ns)};" for ns in matrix.namespaces()]
    for (src, dst), cell in sorted(matrix.cells().items()):
        if cell.state in ("none", "empty"):
            continue
        style = {"all": "solid", "some": "dashed", "unknown": "dotted"}[cell.state]
        out.append(f"  {_dot_id(src)} -> {_dot_id(dst)} [style={style}, label=\"{cell.allowed}/{cell.total}\"];")
    out.append("}")
    return "\n".join(out) + "\n"


def render_matrix(matrix: Matrix, fmt: str, detail: bool = False) -> str:
    if fmt == "json":
        return json_document(matrix_dict(matrix))
    if fmt == "markdown":
        return matrix_markdown(matrix)
    if fmt == "csv":
        return matrix_csv(matrix)
    if fmt == "dot":
        return matrix_dot(matrix)
    if fmt == "text":
        return matrix_text(matrix, detail)
    # html needs the page's source (its explain commands read it again): render_html.matrix_html.
    raise ValueError(f"render_matrix: no format {fmt!r} here (html: render_html.matrix_html)")


def diff_text(diff: Diff) -> str:
    out = [f"netpol-tui diff: {_one(diff.before)} -> {_one(diff.after)}: {diff_counts(len(diff.changes), diff.compared)}"
           + (f", {thousands(diff.unknown)} unknown (not compared)" if diff.unknown else "")]
    out += [f"  {_one(line)}" for line in diff.summary()]
    if diff.unknown_because:
        out += ["Unknown because:", *(f"  - {_one(r)}" for r in diff.unknown_because)]
    for change in diff.changes:
        word = "newly allowed" if change.after else "newly denied"
        out += ["", f"{_one(change.src.label)} -> {_one(change.dst.label)} {change.port}: {word}"]
        out += [f"  before ({'allow' if change.before else 'deny'}): {_one(d)}" for d in change.before_deciding[:3]]
        out += [f"  after ({'allow' if change.after else 'deny'}): {_one(d)}" for d in change.after_deciding[:3]]
    if not diff.changes:
        out.append("No flow changes.")
    out += [f"note: {_one(note)}" for note in diff.notes]
    return "\n".join(out) + "\n"


def diff_markdown(diff: Diff, title: str | None = None) -> str:
    out = [f"# {markdown_inline(title or f'What changes: {diff.before} -> {diff.after}')}", "",
           f"- {thousands(len(diff.changes))} of {thousands(diff.compared)} flows change"
           + (f"; {thousands(diff.unknown)} unknown (data not read), not compared" if diff.unknown else "")]
    out += [f"- {markdown_inline(line)}" for line in diff.summary()]
    out += [f"- Unknown because: {markdown_inline(r)}" for r in diff.unknown_because]
    if diff.changes:
        out += ["", "| from | to | port | before | after | deciding after |", "|---|---|---|---|---|---|"]
        for c in diff.changes:
            out.append(f"| {markdown_inline(c.src.label)} | {markdown_inline(c.dst.label)} | {c.port} | "
                       f"{'allow' if c.before else 'deny'} | {'allow' if c.after else 'deny'} | "
                       f"{markdown_inline('; '.join(c.after_deciding[:2]))} |")
    else:
        out += ["", "No flow changes."]
    out += [f"\n> Note: {markdown_inline(note)}" for note in diff.notes]
    return "\n".join(out) + "\n"


def render_diff(diff: Diff, fmt: str) -> str:
    if fmt == "json":
        return json_document(diff.to_dict())
    if fmt == "markdown":
        return diff_markdown(diff)
    if fmt == "text":
        return diff_text(diff)
    raise ValueError(f"render_diff: no format {fmt!r} here (html: render_html.diff_html)")


def migration_markdown(diff: Diff, checks: Report) -> str:
    """The model diff and the migration checks as one Markdown document for a change ticket."""
    body = diff_markdown(diff, f"Migration report: {diff.before} -> {diff.after}")
    demoted, fence = [], ""
    for line in render_markdown(checks).split("\n")[1:]:
        # The check report's headings go one level down, under this document's own section;
        # lines inside a fenced block (a `# comment` in a command) stay exactly as they are.
        marker = line.lstrip(" ")[:3]
        if fence and line.strip().startswith(fence) and not line.strip().strip("`~"):
            fence = ""
        elif not fence and marker in ("```", "~~~"):
            fence = line.strip()[: len(line.strip()) - len(line.strip().lstrip(marker[0]))]
        elif not fence and line.startswith("#"):
            line = f"#{line}"
        demoted.append(line)
    return (body + "\n## Checks that block or change on migration (" + ", ".join(MIGRATION_CHECKS) + ")\n"
            + "\n".join(demoted).rstrip("\n") + "\n")
