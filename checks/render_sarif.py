"""A Report as SARIF 2.1.0 (code-scanning services): one result per finding with its file and
line where known, one rule per check of the catalog, and a tool notification per kind not read
and per unknown check; `executionSuccessful` is false when any selected check is unknown. Every
string and key of the finished document is cleaned (`render_parts.cleaned`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netpol_tui import __version__
from netpol_tui.checks.model import Finding, Report, Severity
from netpol_tui.checks.registry import CATALOG
from netpol_tui.checks.render_parts import cleaned, not_read_text, unknown_because
from netpol_tui.checks.render_parts import one_line as _one
from netpol_tui.sources.locate import object_line

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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
    return json.dumps(cleaned(document), indent=2, ensure_ascii=False) + "\n"
