"""GKE NetworkPolicy troubleshooting checks (installed as `netpol_tui.checks`; no textual).

    from netpol_tui.checks import CATALOG, run_checks, Severity, Finding, Report
    report = run_checks(snapshot)                      # engine built with dataplane "auto"
    report = run_checks(snapshot, engine, select="GKE", ignore=["NP003"])

- `CATALOG`: tuple of `CheckSpec(id, symbol, title, severity, doc, function)` in id order;
  the registry is this one explicit tuple (importing registers nothing).
- `run_checks(snapshot, engine=None, select=None, ignore=None) -> Report(findings, unknown,
  dataplane, cluster, source, checked, notes, not_read)`; select/ignore take ids, symbols or id
  prefixes; `SelectionError` for a name that matches no check.
- `Finding(id, symbol, severity, title, subject: Subject(kind, namespace, name), message,
  evidence: tuple[Evidence(path, observed, expected)], remediation: Remediation(commands:
  tuple[Command(argv, description, stdin)], manifest, placeholders), explanation, origin, notes)`;
  a Command's shell text (`.text`, `.script` with the manifest as a heredoc) comes only from
  `netpol_tui.shell`, which quotes every word.
- `checks.enforcement`: `EnforcementState.from_snapshot`, `gcloud_flags`, `cluster_name` (see
  its docstring); `checks.render`: text, JSON, Markdown and SARIF output of a Report.
"""

from netpol_tui.checks.model import (
    Command,
    Evidence,
    Finding,
    NotRead,
    Remediation,
    Report,
    Severity,
    Subject,
    UnknownCheck,
)
from netpol_tui.checks.registry import (
    CATALOG,
    CHECKS_BY_ID,
    CheckSpec,
    SelectionError,
    run_checks,
    select_checks,
)

__all__ = [
    "CATALOG", "CHECKS_BY_ID", "CheckSpec", "Command", "Evidence", "Finding", "NotRead", "Remediation", "Report",
    "SelectionError", "Severity", "Subject", "UnknownCheck", "run_checks", "select_checks",
]
