"""A Report as text (terminal and tickets), JSON, Markdown (incident notes) and SARIF 2.1.0.

Everything that came from the cluster goes through `netpol_tui.text.clean` first: object names,
label values and event messages are untrusted and may carry terminal escapes. No Rich markup
is produced, so the text reads the same in a terminal, a pager and a ticket. Markdown adds
`markdown_inline` (no link, image or HTML from cluster text renders); JSON and SARIF clean
every string and key of the finished document, so no field can be missed.

SARIF is built in `render_sarif.py` and what all formats say alike in `render_parts.py` (both
re-exported here). A report with unknown checks says so first: the text and Markdown headers and the JSON
document's first keys give the unknown count and why (kinds not read, with the permission to
check); SARIF sets `executionSuccessful: false` and adds a notification per kind not read and
per unknown check.
"""

from __future__ import annotations

import json
from typing import Any

from netpol_tui.checks.grouping import FindingGroup, group_findings
from netpol_tui.checks.model import SEVERITY_ORDER, Command, Finding, NotRead, Report, Severity
from netpol_tui.checks.registry import CATALOG
from netpol_tui.checks.render_grouped import group_lines
from netpol_tui.checks.render_parts import cleaned as _cleaned
from netpol_tui.checks.render_parts import not_read_text as not_read_text
from netpol_tui.checks.render_parts import one_line as _one
from netpol_tui.checks.render_parts import summary_line as summary_line
from netpol_tui.checks.render_parts import unknown_because as unknown_because
from netpol_tui.checks.render_parts import unknown_groups as unknown_groups
from netpol_tui.checks.render_parts import unknown_header as unknown_header
from netpol_tui.checks.render_sarif import NOTIFICATIONS as NOTIFICATIONS
from netpol_tui.checks.render_sarif import SARIF_LEVELS as SARIF_LEVELS
from netpol_tui.checks.render_sarif import SARIF_SCHEMA as SARIF_SCHEMA
from netpol_tui.checks.render_sarif import render_sarif as render_sarif
from netpol_tui.shell import ScriptLine, script_lines
from netpol_tui.text import clean, code_span, markdown_fence, markdown_inline

FORMATS = ("text", "json", "markdown", "sarif")
HEADINGS = {Severity.ERROR: "ERRORS", Severity.WARNING: "WARNINGS", Severity.INFO: "INFO"}


def command_script_lines(command: Command) -> list[ScriptLine]:
    """The paste-ready lines of one command (its description as a comment first), from
    `netpol_tui.shell`; a command reading a manifest carries it as a heredoc."""
    lines = [ScriptLine(f"# {_one(command.description)}", True)] if command.description else []
    lines += [ScriptLine(clean(line.text), line.indentable) for line in script_lines(command.argv, command.stdin)]
    return lines


def command_lines(command: Command) -> list[str]:
    return [line.text for line in command_script_lines(command)]


def _indented(lines: list[ScriptLine], indent: str) -> list[str]:
    """Indent only the lines that start a command: a heredoc's body and terminator, and the rest
    of a quoted word spanning lines, must stay exactly as they are to run as pasted."""
    return [f"{indent}{line.text}" if line.indentable and line.text else line.text for line in lines]


def _manifest_in_commands(finding: Finding) -> bool:
    manifest = finding.remediation.manifest
    return any(command.stdin is not None and command.stdin == manifest for command in finding.remediation.commands)


# ----------------------------------------------------------- text and Markdown
#
# One walk over the report (`_render_document`, `_finding_lines`) decides what is said and in
# which order; a style says how each piece looks in its format.


class _TextStyle:
    """Plain text for terminals and tickets: no markup, cluster text on one line each; findings of
    one check grouped as the console's Status list groups them."""

    inline = staticmethod(_one)
    grouped = True

    def head(self, report: Report) -> list[str]:
        cluster = _one(report.cluster) if report.cluster else "(no GKE cluster information)"
        return [f"netpol-tui check: cluster {cluster}, dataplane {_one(report.dataplane)}, "
                f"source {_one(report.source)}", summary_line(report)]

    def unknown(self, header: str, items: list[str]) -> list[str]:
        return [f"{header}:", *(f"  - {item}" for item in items)]

    def not_read(self, part: NotRead) -> str:
        return not_read_text(part)

    def unknown_group(self, ids: list[str], reason: str) -> str:
        return f"{', '.join(ids)}: {reason}"

    def note(self, text: str) -> str:
        return f"note: {text}"

    def section(self, severity: Severity, count: int) -> str:
        return f"{HEADINGS[severity]} ({count})"

    def title(self, finding: Finding) -> list[str]:
        return [f"{_one(finding.id)} {_one(finding.symbol)}  {_one(finding.subject)}", f"  {_one(finding.message)}"]

    def evidence(self, finding: Finding) -> list[str]:
        out = ["  Evidence:"]
        for item in finding.evidence:
            line = f"    - {_one(item.path)}: {_one(item.observed)}"
            if item.expected:
                line += f" (expected: {_one(item.expected)})"
            out.append(line)
        return out

    def notes(self, notes: tuple[str, ...]) -> list[str]:
        return [f"  Note: {_one(note)}" for note in notes]

    def fix(self, lines: list[ScriptLine]) -> list[str]:
        return ["  Fix:", *_indented(lines, "    ")]

    def manifest(self, lines: list[str]) -> list[str]:
        return ["  Manifest (kubectl apply -f -):", *(f"    {line}" for line in lines)]

    def placeholders(self, names: tuple[str, ...]) -> list[str]:
        return [f"  Replace before running: {', '.join(map(_one, names))} (not in the snapshot)"]

    def why(self, text: str) -> list[str]:
        return []  # the text format stays short; `netpol-tui checks` and the console explain


class _MarkdownStyle:
    """Markdown for incident notes: cluster text through `markdown_inline`, commands fenced; every
    finding in full (a note keeps the whole record)."""

    inline = staticmethod(markdown_inline)
    grouped = False

    def head(self, report: Report) -> list[str]:
        cluster = _md(report.cluster) if report.cluster else "(no GKE cluster information)"
        return [f"# NetworkPolicy check: {cluster}", "", f"- Source: {_md(report.source)}",
                f"- Dataplane: {_md(report.dataplane)}", f"- Result: {summary_line(report)}"]

    def unknown(self, header: str, items: list[str]) -> list[str]:
        return [f"- **{header}:**", *(f"  - {item}" for item in items)]

    def not_read(self, part: NotRead) -> str:
        text = f"{_md(part.kind)} not read: {_md(part.reason)}"
        if part.permission:
            text += f"; check the permission: {'; '.join(code_span(_one(item)) for item in part.permission)}"
        return text

    def unknown_group(self, ids: list[str], reason: str) -> str:
        return f"{', '.join(f'**{_md(check_id)}**' for check_id in ids)}: {_md(reason)}"

    def note(self, text: str) -> str:
        return f"- Note: {text}"

    def section(self, severity: Severity, count: int) -> str:
        return f"## {HEADINGS[severity].capitalize()} ({count})"

    def title(self, finding: Finding) -> list[str]:
        return [f"### {_md(finding.id)} {_md(finding.symbol)}: {_md(finding.subject)}", "", _md(finding.message), ""]

    def evidence(self, finding: Finding) -> list[str]:
        return ["| Evidence | Observed | Expected |", "|---|---|---|",
                *(f"| {_md(e.path)} | {_md(e.observed)} | {_md(e.expected or '')} |" for e in finding.evidence), ""]

    def notes(self, notes: tuple[str, ...]) -> list[str]:
        return [*(f"> Note: {_md(note)}" for note in notes), ""]

    def fix(self, lines: list[ScriptLine]) -> list[str]:
        return ["**Fix**", "", *markdown_fence([line.text for line in lines], "sh"), ""]

    def manifest(self, lines: list[str]) -> list[str]:
        return ["**Manifest** (`kubectl apply -f -`)", "", *markdown_fence(lines, "yaml"), ""]

    def placeholders(self, names: tuple[str, ...]) -> list[str]:
        return [f"Replace before running: {', '.join(code_span(_one(p)) for p in names)} (not in the snapshot).", ""]

    def why(self, text: str) -> list[str]:
        return [f"*Why it matters:* {_md(text)}"]


_Style = _TextStyle | _MarkdownStyle


def _md(text: object) -> str:
    """Cluster text inside Markdown prose/table cells: renders literally (see `markdown_inline`)."""
    return markdown_inline(text)


def _render_document(report: Report, style: _Style) -> str:
    out = style.head(report)
    if report.unknown:
        items = [style.not_read(part) for part in report.not_read]
        items += [style.unknown_group(ids, reason) for ids, reason in unknown_groups(report)]
        out += style.unknown(unknown_header(report), items)
    else:
        out += [style.note(style.not_read(part)) for part in report.not_read]
    out += [style.note(style.inline(note)) for note in report.notes]
    for severity in SEVERITY_ORDER:
        findings = [f for f in report.findings if f.severity is severity]
        if not findings:
            continue
        out += ["", style.section(severity, len(findings))]
        for entry in group_findings(findings) if style.grouped else findings:
            if isinstance(entry, FindingGroup):
                out += ["", *group_lines(entry, lambda finding: _finding_lines(finding, style))]
            else:
                out += ["", *_finding_lines(entry, style)]
    if not report.findings and not report.unknown:
        out += ["", "No problems found."]
    # A last pass over the whole document: nothing can slip through a field that was missed.
    return clean("\n".join(out), keep_tabs=True) + "\n"


def _finding_lines(finding: Finding, style: _Style) -> list[str]:
    out = style.title(finding)
    if finding.evidence:
        out += style.evidence(finding)
    if finding.notes:
        out += style.notes(finding.notes)
    remediation = finding.remediation
    if remediation.commands:
        lines: list[ScriptLine] = []
        for command in remediation.commands:
            lines.extend(command_script_lines(command))
        out += style.fix(lines)
    if remediation.manifest and not _manifest_in_commands(finding):
        out += style.manifest(clean(remediation.manifest).rstrip("\n").splitlines())
    if remediation.placeholders:
        out += style.placeholders(remediation.placeholders)
    parts = finding.explanation.split("\n\n", 1)
    why = (parts[1] if len(parts) > 1 else parts[0]).replace("\n", " ").strip()
    if why:
        out += style.why(why)
    return out


def render_text(report: Report) -> str:
    return _render_document(report, _TextStyle())


def render_markdown(report: Report) -> str:
    return _render_document(report, _MarkdownStyle())


# ------------------------------------------------------------------------ JSON


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document of `check --format json`, every string cleaned; the summary, whether it is
    complete and why checks are unknown come first."""
    document = report.to_dict()
    head = {key: document.pop(key) for key in ("summary", "complete")}
    cleaned: dict[str, Any] = _cleaned({**head, "unknown_because": unknown_because(report), **document})
    return cleaned


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "sarif": render_sarif}


def render(report: Report, fmt: str = "text") -> str:
    return RENDERERS[fmt](report)


def render_catalog(fmt: str = "text") -> str:
    """`netpol-tui checks`: id, symbol, severity, title (text, JSON or Markdown), cleaned like
    cluster text: a check's metadata may come from a plugin."""
    if fmt == "json":
        entries = [{"id": s.id, "symbol": s.symbol, "severity": str(s.severity), "title": s.title,
                    "description": s.summary} for s in CATALOG]
        return json.dumps(_cleaned(entries), indent=2, ensure_ascii=False) + "\n"
    rows = [(_one(s.id), _one(s.symbol), _one(s.severity), _one(s.title)) for s in CATALOG]
    if fmt == "markdown":
        lines = ["| id | symbol | severity | title |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(markdown_inline(cell) for cell in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    id_width = max(8, *(len(row[0]) + 2 for row in rows))
    width = max(len("SYMBOL"), *(len(row[1]) for row in rows))
    lines = [f"{'ID':<{id_width}}{'SYMBOL':<{width}}  {'SEVERITY':<8}  TITLE"]
    lines += [f"{row[0]:<{id_width}}{row[1]:<{width}}  {row[2]:<8}  {row[3]}" for row in rows]
    return "\n".join(lines) + "\n"
