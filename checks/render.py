"""A Report as text (terminal and tickets), JSON, Markdown (incident notes) and SARIF 2.1.0.

Everything that came from the cluster goes through `netpol_tui.text.clean` first: object names,
label values and event messages are untrusted and may carry terminal escapes. No Rich markup
is produced, so the text reads the same in a terminal, a pager and a ticket. Markdown adds
`markdown_inline` (no link, image or HTML from cluster text renders); JSON and SARIF clean
every string and key of the finished document, so no field can be missed.

A report with unknown checks says so first: the text and Markdown headers and the JSON
document's first keys give the unknown count and why (kinds not read, with the permission to
check); SARIF sets `executionSuccessful: false` and adds a notification per kind not read and
per unknown check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netpol_tui import __version__
from netpol_tui.checks.grouping import FindingGroup, group_findings
from netpol_tui.checks.model import SEVERITY_ORDER, Command, Finding, NotRead, Report, Severity
from netpol_tui.checks.registry import CATALOG
from netpol_tui.checks.render_grouped import group_lines
from netpol_tui.shell import ScriptLine, script_lines
from netpol_tui.sources.locate import object_line
from netpol_tui.text import clean, code_span, markdown_fence, markdown_inline, plural

FORMATS = ("text", "json", "markdown", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
HEADINGS = {Severity.ERROR: "ERRORS", Severity.WARNING: "WARNINGS", Severity.INFO: "INFO"}


def _one(text: object) -> str:
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
    text = f"{part.kind} not read: {_one(part.reason)}"
    if part.permission:
        text += f"; check the permission: {'; '.join(_one(item) for item in part.permission)}"
    return text


def unknown_groups(report: Report) -> list[tuple[list[str], str]]:
    """Unknown checks grouped by reason, in report order: ([ids], reason)."""
    groups: dict[str, list[str]] = {}
    for item in report.unknown:
        ids = groups.setdefault(_one(item.reason), [])
        if item.id not in ids:
            ids.append(item.id)
    return [(ids, reason) for reason, ids in groups.items()]


def unknown_because(report: Report) -> list[str]:
    """Why checks are unknown, one line each: kinds not read first, then reasons with their checks."""
    lines = [not_read_text(part) for part in report.not_read]
    lines += [f"{', '.join(ids)}: {reason}" for ids, reason in unknown_groups(report)]
    return lines


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


def _cleaned(value: Any) -> Any:
    """Every string of a JSON document, keys included, through `clean`."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(key) if isinstance(key, str) else key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------- SARIF


def _artifact_uri(path: str) -> str | None:
    if not path or path.startswith("<"):
        return None
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return candidate.as_uri()
    return candidate.as_posix()


def _sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    subject = finding.subject
    qualified = _one("/".join(part for part in (subject.kind, subject.namespace, subject.name) if part))
    result: dict[str, Any] = {
        "ruleId": finding.id, "ruleIndex": rule_index, "level": SARIF_LEVELS[finding.severity],
        "message": {"text": finding.message},
        # one line: a fingerprint is compared as a string by code-scanning services
        "partialFingerprints": {"subject/v1": f"{_one(finding.id)}:{qualified}"},
    }
    location: dict[str, Any] = {"logicalLocations": [{"name": _one(subject.name), "kind": _one(subject.kind),
                                                      "fullyQualifiedName": qualified}]}
    origin = finding.origin
    uri = _artifact_uri(origin.path) if origin is not None else None
    if uri and origin is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        # A List item's own line is found only now, from the file (None when it cannot be).
        line = object_line(origin) or origin.line
        if line:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    result["locations"] = [location]
    properties: dict[str, Any] = {"subject": subject.to_dict(), "evidence": [e.to_dict() for e in finding.evidence]}
    if finding.remediation.commands or finding.remediation.manifest:
        properties["remediation"] = finding.remediation.to_dict()
    result["properties"] = properties
    return result


#: The two kinds of tool notification (`tool.driver.notifications`), referenced by index.
NOTIFICATIONS = (
    {"id": "not-read", "name": "kind-not-read",
     "shortDescription": {"text": "A kind could not be read; checks that need it are unknown"}},
    {"id": "check-unknown", "name": "check-unknown",
     "shortDescription": {"text": "A check could not decide (data missing or the check failed)"}},
)


def _notifications(report: Report, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    """One notification per kind not read (with the permission to check), then one per unknown check."""
    out: list[dict[str, Any]] = []
    for part in report.not_read:
        out.append({
            "level": "note" if report.complete else "error",
            "descriptor": {"id": "not-read", "index": 0},
            "message": {"text": not_read_text(part)},
            "properties": part.to_dict(),
        })
    for item in report.unknown:
        notification: dict[str, Any] = {"level": "warning", "descriptor": {"id": "check-unknown", "index": 1},
                                        "message": {"text": f"{item.id} unknown: {item.reason}"}}
        if item.id in rule_index:
            notification["associatedRule"] = {"id": item.id, "index": rule_index[item.id]}
        out.append(notification)
    return out


def render_sarif(report: Report) -> str:
    """SARIF 2.1.0; `executionSuccessful` is false when any selected check is unknown."""
    rules = []
    for spec in CATALOG:
        rules.append({
            "id": spec.id, "name": spec.symbol,
            "shortDescription": {"text": spec.title}, "fullDescription": {"text": spec.summary},
            "help": {"text": spec.doc},
            "defaultConfiguration": {"level": SARIF_LEVELS[spec.severity]},
        })
    index = {spec.id: i for i, spec in enumerate(CATALOG)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "netpol-tui", "version": __version__,
                            "informationUri": "https://github.com/netpol-tui/netpol-tui", "rules": rules,
                            "notifications": list(NOTIFICATIONS)}},
        "results": [_sarif_result(finding, index[finding.id]) for finding in report.findings],
        "invocations": [{
            "executionSuccessful": report.complete,
            "toolExecutionNotifications": _notifications(report, index),
        }],
        "properties": {"cluster": report.cluster, "dataplane": report.dataplane, "source": report.source,
                       "summary": report.summary(), "unknownBecause": unknown_because(report)},
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(_cleaned(document), indent=2, ensure_ascii=False) + "\n"


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
