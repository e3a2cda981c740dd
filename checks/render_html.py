"""A Report as one self-contained HTML page (`check --format html`), for incident tickets.

The same walk as the text and Markdown formats (unknown first, then findings by severity with
evidence, notes and fixes), plus the enforcement state, which a ticket reader cannot look up.
Markup comes only from `netpol_tui.html`, which cleans and escapes every string; fix blocks
hold exactly the runnable text the text format prints, each with a Copy button.
"""

from __future__ import annotations

from netpol_tui.checks.enforcement import EnforcementState
from netpol_tui.checks.model import SEVERITY_ORDER, Finding, Report, Severity
from netpol_tui.checks.render import HEADINGS, command_lines
from netpol_tui.checks.render_parts import summary_line, unknown_because, unknown_header
from netpol_tui.html import Blocks, esc, esc_line, page, table
from netpol_tui.shell import apply
from netpol_tui.text import plural

_CSS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _enforcement(state: EnforcementState, blocks: Blocks) -> list[str]:
    everywhere = state.enforced_everywhere
    rows = [("mode", str(state.mode)), ("network policy add-on", _yes_no(state.addon_enabled)),
            ("network policy on nodes", _yes_no(state.node_setting_enabled)),
            ("enforced on every node", _yes_no(everywhere)),
            ("node recreation", state.recreation.reason), ("sequence", state.step.summary),
            ("maintenance", state.maintenance.summary)]
    if state.unknown_reason:
        rows.insert(1, ("why unknown", state.unknown_reason))
    out = ["<h2>Enforcement</h2>", table(("", "state"), rows)]
    if state.pools:
        out.append(table(("node pool", "enforcing nodes", "version", "machine type"),
                         ((pool.label, f"{pool.labelled} of {pool.total}", pool.version or "-",
                           pool.machine_type or "-") for pool in state.pools)))
    out += [f"<p>{esc_line(op.text)}</p>" for op in state.operations]
    out += [f'<p class="muted">Note: {esc_line(note)}</p>' for note in state.notes]
    for command in state.step.next_commands:
        out.append(blocks.copyable(command.script, "next step"))
    return out


def _finding(finding: Finding, blocks: Blocks) -> list[str]:
    css = _CSS[finding.severity]
    out = [f'<div class="finding {css}" id="finding-{blocks.count + 1}">',
           f'<h3><span class="sev {css}">{esc_line(finding.severity)}</span> {esc_line(finding.id)} '
           f"{esc_line(finding.symbol)}: {esc_line(finding.subject)}</h3>",
           f"<p>{esc_line(finding.message)}</p>"]
    if finding.evidence:
        out.append(table(("evidence", "observed", "expected"),
                         ((item.path, item.observed, item.expected or "") for item in finding.evidence)))
    out += [f"<p><em>Note:</em> {esc_line(note)}</p>" for note in finding.notes]
    remediation = finding.remediation
    for command in remediation.commands:
        lines = command_lines(command)
        label = lines[0][2:] if command.description else "fix"
        out.append(blocks.copyable("\n".join(lines[1:] if command.description else lines), label))
    if remediation.manifest and not any(command.stdin == remediation.manifest for command in remediation.commands):
        out.append(blocks.copyable(apply(remediation.manifest).script, "apply the manifest"))
    if remediation.placeholders:
        out.append(f"<p>Replace before running: {esc_line(', '.join(remediation.placeholders))} "
                   "(not in the snapshot).</p>")
    parts = finding.explanation.split("\n\n", 1)
    why = (parts[1] if len(parts) > 1 else parts[0]).replace("\n", " ").strip()
    if why:
        out.append(f'<p class="muted"><em>Why it matters:</em> {esc_line(why)}</p>')
    out.append("</div>")
    return out


def render_html(report: Report, enforcement: EnforcementState | None = None) -> str:
    """The page: heading, counts, what could not be decided, enforcement, findings by severity."""
    cluster = report.cluster or "(no GKE cluster information)"
    out = [f"<h1>NetworkPolicy check: {esc_line(cluster)}</h1>",
           f'<p class="meta"><span>source: {esc_line(report.source)}</span>'
           f"<span>dataplane: {esc_line(report.dataplane)}</span></p>",
           *report_sections(report, Blocks(), enforcement)]
    title = f"netpol-tui check: {cluster} ({plural(len(report.findings), 'finding')})"
    return page(title, "\n".join(out))


def report_sections(report: Report, blocks: Blocks, enforcement: EnforcementState | None = None) -> list[str]:
    """Everything under the heading (counts, unknown, enforcement, findings), so that another page
    (the migration diff) can hold a check report with the same copy blocks."""
    counts = report.summary()
    out = [table(("errors", "warnings", "info", "unknown", "checks run"),
                 [(counts["error"], counts["warning"], counts["info"], counts["unknown"], counts["checks"])],
                 "counts"),
           f"<p>{esc_line(summary_line(report))}</p>"]
    reasons = unknown_because(report)
    if report.unknown:
        out.append(f'<div class="banner unknown"><strong>{esc_line(unknown_header(report))}</strong><ul>'
                   + "".join(f"<li>{esc_line(reason)}</li>" for reason in reasons) + "</ul></div>")
    else:
        out += [f'<p class="muted">Note: {esc_line(reason)}</p>' for reason in reasons]
    out += [f'<p class="muted">Note: {esc_line(note)}</p>' for note in report.notes]
    if enforcement is not None:
        out += _enforcement(enforcement, blocks)
    for severity in SEVERITY_ORDER:
        findings = sorted((f for f in report.findings if f.severity is severity), key=lambda f: f.sort_key)
        if not findings:
            continue
        out.append(f'<h2 class="{_CSS[severity]}">{HEADINGS[severity].capitalize()} ({len(findings)})</h2>')
        for finding in findings:
            out += _finding(finding, blocks)
    if not report.findings and not report.unknown:
        out.append("<p>No problems found.</p>")
    return out


__all__ = ["esc", "render_html", "report_sections"]
