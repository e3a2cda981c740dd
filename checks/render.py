"""A Report as text (terminal and tickets), JSON, Markdown (incident notes) and SARIF 2.1.0.

Everything that came from the cluster goes through `netpol_tui.text.clean` first: object names,
label values and event messages are untrusted and may carry terminal escapes. No Rich markup
is produced, so the text reads the same in a terminal, a pager and a ticket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netpol_tui import __version__
from netpol_tui.checks.model import Command, Finding, Report, Severity
from netpol_tui.checks.registry import CATALOG, CHECKS_BY_ID
from netpol_tui.checks.shell import ScriptLine, script_lines
from netpol_tui.sources.locate import object_line
from netpol_tui.text import clean

FORMATS = ("text", "json", "markdown", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
HEADINGS = {Severity.ERROR: "ERRORS", Severity.WARNING: "WARNINGS", Severity.INFO: "INFO"}


def _one(text: object) -> str:
    return clean(text, single_line=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    counts = report.summary()
    return (f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, {counts['info']} info, "
            f"{counts['unknown']} unknown ({_plural(counts['checks'], 'check')} run)")


def command_script_lines(command: Command) -> list[ScriptLine]:
    """The paste-ready lines of one command (its description as a comment first), from
    `checks.shell`; a command reading a manifest carries it as a heredoc."""
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


# ------------------------------------------------------------------------ text


def render_text(report: Report) -> str:
    cluster = _one(report.cluster) if report.cluster else "(no GKE cluster information)"
    out = [f"netpol-tui check: cluster {cluster}, dataplane {report.dataplane}, source {_one(report.source)}",
           summary_line(report)]
    for note in report.notes:
        out.append(f"note: {_one(note)}")
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        findings = [f for f in report.findings if f.severity is severity]
        if not findings:
            continue
        out += ["", f"{HEADINGS[severity]} ({len(findings)})"]
        for finding in findings:
            out += [""] + _finding_text(finding)
    if report.unknown:
        out += ["", f"UNKNOWN ({len(report.unknown)}): these checks could not decide"]
        for item in report.unknown:
            symbol = CHECKS_BY_ID[item.id].symbol if item.id in CHECKS_BY_ID else ""
            out.append(f"  {item.id} {symbol}: {_one(item.reason)}")
    if not report.findings and not report.unknown:
        out += ["", "No problems found."]
    return "\n".join(out) + "\n"


def _finding_text(finding: Finding) -> list[str]:
    out = [f"{finding.id} {finding.symbol}  {_one(finding.subject)}", f"  {_one(finding.message)}"]
    if finding.evidence:
        out.append("  Evidence:")
        for item in finding.evidence:
            line = f"    - {_one(item.path)}: {_one(item.observed)}"
            if item.expected:
                line += f" (expected: {_one(item.expected)})"
            out.append(line)
    for note in finding.notes:
        out.append(f"  Note: {_one(note)}")
    remediation = finding.remediation
    if remediation.commands:
        out.append("  Fix:")
        for command in remediation.commands:
            out.extend(_indented(command_script_lines(command), "    "))
    if remediation.manifest and not _manifest_in_commands(finding):
        out.append("  Manifest (kubectl apply -f -):")
        out.extend(f"    {line}" for line in clean(remediation.manifest).rstrip("\n").splitlines())
    if remediation.placeholders:
        out.append(f"  Replace before running: {', '.join(remediation.placeholders)} (not in the snapshot)")
    return out


# ------------------------------------------------------------------------ JSON


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document of `check --format json`, with cluster text cleaned."""
    return _cleaned(report.to_dict())


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


# -------------------------------------------------------------------- Markdown


def _md(text: object) -> str:
    """Cluster text inside Markdown prose/table cells: one line, no table breaks, no raw HTML."""
    return (_one(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "'"))


def render_markdown(report: Report) -> str:
    cluster = _md(report.cluster) if report.cluster else "(no GKE cluster information)"
    out = [f"# NetworkPolicy check: {cluster}", "",
           f"- Source: {_md(report.source)}", f"- Dataplane: {report.dataplane}",
           f"- Result: {summary_line(report)}"]
    out += [f"- Note: {_md(note)}" for note in report.notes]
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        findings = [f for f in report.findings if f.severity is severity]
        if not findings:
            continue
        out += ["", f"## {HEADINGS[severity].capitalize()} ({len(findings)})"]
        for finding in findings:
            out += [""] + _finding_markdown(finding)
    if report.unknown:
        out += ["", f"## Unknown ({len(report.unknown)})", ""]
        out += [f"- **{item.id}**: {_md(item.reason)}" for item in report.unknown]
    if not report.findings and not report.unknown:
        out += ["", "No problems found."]
    return "\n".join(out) + "\n"


def _fence(lines: list[str], language: str) -> list[str]:
    """A backtick fence longer than any backtick run that starts a line inside (CommonMark
    closes a fence only with a run at least as long)."""
    longest = max((len(line.lstrip()) - len(line.lstrip().lstrip("`")) for line in lines), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


def _finding_markdown(finding: Finding) -> list[str]:
    out = [f"### {finding.id} {finding.symbol}: {_md(finding.subject)}", "", _md(finding.message), ""]
    if finding.evidence:
        out += ["| Evidence | Observed | Expected |", "|---|---|---|"]
        out += [f"| {_md(e.path)} | {_md(e.observed)} | {_md(e.expected or '')} |" for e in finding.evidence]
        out.append("")
    if finding.notes:
        out += [*(f"> Note: {_md(note)}" for note in finding.notes), ""]
    remediation = finding.remediation
    if remediation.commands:
        lines: list[str] = []
        for command in remediation.commands:
            lines.extend(command_lines(command))
        out += ["**Fix**", "", *_fence(lines, "sh"), ""]
    if remediation.manifest and not _manifest_in_commands(finding):
        out += ["**Manifest** (`kubectl apply -f -`)", "",
                *_fence(clean(remediation.manifest).rstrip("\n").splitlines(), "yaml"), ""]
    if remediation.placeholders:
        out += [f"Replace before running: {', '.join(f'`{p}`' for p in remediation.placeholders)} "
                "(not in the snapshot).", ""]
    parts = finding.explanation.split("\n\n", 1)
    why = (parts[1] if len(parts) > 1 else parts[0]).replace("\n", " ").strip()
    if why:
        out.append(f"*Why it matters:* {why}")
    return out


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
    qualified = "/".join(part for part in (subject.kind, subject.namespace, subject.name) if part)
    result: dict[str, Any] = {
        "ruleId": finding.id, "ruleIndex": rule_index, "level": SARIF_LEVELS[finding.severity],
        "message": {"text": clean(finding.message)},
        "partialFingerprints": {"subject/v1": f"{finding.id}:{qualified}"},
    }
    location: dict[str, Any] = {"logicalLocations": [{"name": clean(subject.name), "kind": subject.kind,
                                                      "fullyQualifiedName": clean(qualified)}]}
    origin = finding.origin
    uri = _artifact_uri(origin.path) if origin is not None else None
    if uri:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        # A List item's own line is found only now, from the file (None when it cannot be).
        line = object_line(origin) or origin.line
        if line:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    result["locations"] = [location]
    properties: dict[str, Any] = {"subject": _cleaned(subject.to_dict()),
                                  "evidence": [_cleaned(e.to_dict()) for e in finding.evidence]}
    if finding.remediation.commands or finding.remediation.manifest:
        properties["remediation"] = _cleaned(finding.remediation.to_dict())
    result["properties"] = properties
    return result


def render_sarif(report: Report) -> str:
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
                            "informationUri": "https://github.com/netpol-tui/netpol-tui", "rules": rules}},
        "results": [_sarif_result(finding, index[finding.id]) for finding in report.findings],
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "note", "descriptor": {"id": item.id}, "message": {"text": clean(item.reason)}}
                for item in report.unknown],
        }],
        "properties": {"cluster": clean(report.cluster) if report.cluster else None,
                       "dataplane": report.dataplane, "source": clean(report.source)},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2,
                      ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "sarif": render_sarif}


def render(report: Report, fmt: str = "text") -> str:
    return RENDERERS[fmt](report)


def render_catalog(fmt: str = "text") -> str:
    """`netpol-tui checks`: id, symbol, severity, title (text or JSON)."""
    if fmt == "json":
        return json.dumps([{"id": s.id, "symbol": s.symbol, "severity": str(s.severity), "title": s.title,
                            "description": s.summary} for s in CATALOG], indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| id | symbol | severity | title |", "|---|---|---|---|"]
        lines += [f"| {s.id} | {s.symbol} | {s.severity} | {s.title} |" for s in CATALOG]
        return "\n".join(lines) + "\n"
    width = max(len(s.symbol) for s in CATALOG)
    lines = [f"{'ID':<7} {'SYMBOL':<{width}}  {'SEVERITY':<8}  TITLE"]
    lines += [f"{s.id:<7} {s.symbol:<{width}}  {s.severity!s:<8}  {s.title}" for s in CATALOG]
    return "\n".join(lines) + "\n"
