"""`netpol-tui check --all-contexts` / `--contexts A,B`: the checks across many clusters at once.

Each context is loaded from the live APIs and checked in its own daemon thread, so one slow or
broken cluster neither stops nor delays the others more than its own load budget; its row says
what went wrong (a context still loading after the budget is reported as not answering). Output: one summary table (or, with `--format json`, one JSON document holding the
summary and every cluster's report). The `check` command owns the arguments and calls
`run_fleet(args)`.
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import orjson

from netpol_tui.checks.model import Severity
from netpol_tui.options import options_from_args
from netpol_tui.text import clean, markdown_inline

if TYPE_CHECKING:
    from netpol_tui.checks.model import Report
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.sources import SourceOptions

    #: What the command passes in to check one snapshot (`checks.run_checks` with its selection).
    RunChecks = Callable[[Snapshot], Report]

#: Clusters loaded at the same time (each load itself runs ~11 requests in parallel).
MAX_PARALLEL = 6
EXIT_OK, EXIT_FINDINGS, EXIT_FAILED, EXIT_UNKNOWN = 0, 1, 2, 3
OUTPUTS = ("text", "json", "markdown")


@dataclass
class FleetRow:
    """One context's outcome: a Report, or the reason there is none."""

    context: str
    cluster: str | None = None
    dataplane: str | None = None
    enforcement: str | None = None
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    unknown: int = 0
    error: str | None = None
    report: Report | None = None
    not_read: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "context": self.context, "cluster": self.cluster, "dataplane": self.dataplane,
            "enforcement": self.enforcement, "status": "ok" if self.ok else "failed", "error": self.error,
            "errors": self.errors if self.ok else None, "warnings": self.warnings if self.ok else None,
            "info": self.infos if self.ok else None, "unknown": self.unknown if self.ok else None,
            "notRead": [{"kind": kind, "reason": reason} for kind, reason in self.not_read],
        }
        if self.report is not None:
            out["report"] = self.report.to_dict()
        return out


def _contexts(args: argparse.Namespace) -> tuple[list[str], str | None]:
    """The contexts to check, or ([], error message)."""
    from netpol_tui.sources.kube import KubeConfigError, list_contexts

    wanted = getattr(args, "contexts", None)
    if wanted:
        names: list[str] = []
        for part in (wanted if isinstance(wanted, list) else [wanted]):
            for name in str(part).split(","):
                name = name.strip()
                if name and name not in names:
                    names.append(name)
        return (names, None) if names else ([], "--contexts names no context")
    try:
        names, _current = list_contexts(getattr(args, "kubeconfig", None))
    except KubeConfigError as exc:
        return [], " ".join(exc.lines())
    if not names:
        return [], "the kubeconfig has no contexts"
    return names, None


def enforcement_text(snapshot: Snapshot) -> str:
    """One phrase for the summary table: is NetworkPolicy enforced, and is recreation under way."""
    try:
        from netpol_tui.checks.enforcement import EnforcementState, Mode
    except ImportError:
        return "?"
    try:
        state = EnforcementState.from_snapshot(snapshot)
    except Exception:  # a check-side bug must not hide the rest of the row
        return "?"
    labelled = sum(pool.labelled for pool in state.pools)
    total = sum(pool.total for pool in state.pools)
    if state.mode in (Mode.AUTOPILOT, Mode.DATAPLANE_V2):
        return "on (Dataplane V2)"
    if state.mode is Mode.CALICO:
        if not state.nodes_known:
            return "on (Calico), nodes not read"
        if state.recreation.pending:
            return f"on (Calico), recreating: {labelled}/{total} nodes enforce"
        return "on (Calico)"
    if state.mode is Mode.NONE:
        if state.recreation.pending:
            return f"off, disabling: {labelled}/{total} nodes still enforce"
        return "addon on, nodes off" if state.addon_enabled else "off"
    return "unknown (no GKE data)" if snapshot.cluster is None else "unknown"


def check_context(context: str, base: SourceOptions, run_checks: RunChecks,
                  on_loaded: Callable[[], None] | None = None) -> FleetRow:
    """Load one context and run the checks; never raises. `on_loaded()` runs once the load is done."""
    from netpol_tui.sources import SourceError
    from netpol_tui.sources.live import load_live

    row = FleetRow(context)
    options = replace(base, context=context, project=None, location=None, cluster=None)
    try:
        snapshot = load_live(options)
    except SourceError as exc:
        row.error = clean(exc.message + (f" ({exc.hint})" if exc.hint else ""), 400, single_line=True)
        return row
    except Exception as exc:  # one broken context must not stop the others
        row.error = clean(f"internal error: {type(exc).__name__}: {exc}", 400, single_line=True)
        return row
    if on_loaded is not None:
        on_loaded()
    source = snapshot.source
    if snapshot.cluster is not None:
        cluster = snapshot.cluster
        row.cluster = "/".join(part or "?" for part in (cluster.project or source.project,
                                                         cluster.location or source.location, cluster.name))
    elif source.cluster:
        row.cluster = f"{source.project or '?'}/{source.location or '?'}/{source.cluster}"
    row.not_read = tuple((str(part.kind), part.reason) for part in snapshot.unknown)
    row.enforcement = enforcement_text(snapshot)
    try:
        report = run_checks(snapshot)
    except Exception as exc:
        row.error = clean(f"checks failed: {type(exc).__name__}: {exc}", 400, single_line=True)
        return row
    row.report = report
    row.dataplane = str(report.dataplane)
    for finding in report.findings:
        severity = str(getattr(finding.severity, "value", finding.severity))
        if severity == "error":
            row.errors += 1
        elif severity == "warning":
            row.warnings += 1
        else:
            row.infos += 1
    row.unknown = len(report.unknown)
    return row


def context_budget(base: SourceOptions) -> float:
    """Seconds one context may take to load before its row says it did not answer.

    The load enforces its own budget; the fleet adds a grace period for the credential plugin
    and the load's own clean-up, so a context stuck past every deadline still cannot hold the
    others' output.
    """
    timeout = float(getattr(base, "timeout", 10.0) or 10.0)
    budget = getattr(base, "load_budget", None)
    return float(budget if budget is not None else 30 * timeout) + timeout + 2.0


def check_contexts(contexts: list[str], base: SourceOptions, run_checks: RunChecks, *, parallel: int = MAX_PARALLEL,
                   budget: float | None = None) -> list[FleetRow]:
    """Check every context concurrently; rows in the order the contexts were given.

    Each context runs in a daemon thread (at most `parallel` at a time). One that has not
    finished loading `budget` seconds after it started gets a failed row saying so, and its
    slot goes to the next context; its thread is left behind and never delays the exit.
    """
    budget = context_budget(base) if budget is None else budget
    rows: dict[int, FleetRow] = {}
    started: dict[int, float] = {}
    loaded: set[int] = set()
    lock = threading.Condition()
    waiting = list(range(len(contexts)))

    def run(index: int) -> None:
        def mark_loaded() -> None:
            with lock:
                loaded.add(index)

        try:
            row = check_context(contexts[index], base, run_checks, on_loaded=mark_loaded)
        except BaseException as exc:  # check_context never raises; the last guard
            row = FleetRow(contexts[index], error=f"internal error: {type(exc).__name__}")
        with lock:
            rows.setdefault(index, row)
            lock.notify_all()

    def start_more() -> None:
        running = sum(1 for i in started if i not in rows)
        while waiting and running < max(1, parallel):
            index = waiting.pop(0)
            started[index] = time.monotonic()
            threading.Thread(target=run, args=(index,), name="netpol-fleet", daemon=True).start()
            running += 1

    with lock:
        start_more()
        while len(rows) < len(contexts):
            now = time.monotonic()
            for index, began in list(started.items()):
                if index not in rows and index not in loaded and now - began > budget:
                    rows[index] = FleetRow(contexts[index], error=(
                        f"no answer: the context did not finish loading within {budget:g} s (slow or "
                        "unreachable API server or credential plugin); the other contexts were checked"))
            start_more()
            if len(rows) < len(contexts):
                lock.wait(0.2)
    return [rows[index] for index in range(len(contexts))]


def _cell(value: object) -> str:
    return "-" if value is None else clean(str(value), 60, single_line=True)


def render_table(rows: list[FleetRow]) -> str:
    headers = ("CONTEXT", "CLUSTER", "DATAPLANE", "ENFORCEMENT", "ERRORS", "WARNINGS", "UNKNOWN")
    table = []
    for row in rows:
        counts = (row.errors, row.warnings, row.unknown) if row.ok else (None, None, None)
        table.append((_cell(row.context), _cell(row.cluster), _cell(row.dataplane), _cell(row.enforcement),
                      *(_cell(value) for value in counts)))
    widths = [max(len(headers[i]), *(len(line[i]) for line in table)) for i in range(len(headers))]
    lines = ["  ".join(text.ljust(widths[i]) for i, text in enumerate(headers)).rstrip()]
    for row, line in zip(rows, table, strict=True):
        text = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip()
        if not row.ok:
            text += f"  failed: {row.error}"
        lines.append(text)
    return "\n".join(lines)


def render_findings(rows: list[FleetRow]) -> str:
    """Per-cluster findings under the table, most severe first."""
    out = []
    for row in rows:
        if row.report is None:
            continue
        findings = sorted(row.report.findings, key=lambda f: getattr(f, "sort_key", (0,)))
        parts = [f"\n{clean(row.context, 120)}: {len(findings)} finding(s)"]
        for kind, reason in row.not_read:
            parts.append(f"  not read: {kind}: {clean(reason, 200, single_line=True)}")
        for finding in findings:
            severity = str(getattr(finding.severity, "value", finding.severity))
            parts.append(f"  {severity:<7} {finding.id:<6} {clean(str(finding.subject), 80, single_line=True)}: "
                         f"{clean(finding.message, 200, single_line=True)}")
        out.append("\n".join(parts))
    return "\n".join(out)


def _md(text: object) -> str:
    """Cluster text as one Markdown table cell: links, images and HTML show as typed."""
    return "-" if text is None else markdown_inline(str(text), 200)


def render_markdown(rows: list[FleetRow]) -> str:
    """The summary as a Markdown table plus each cluster's findings, for incident notes."""
    lines = ["| context | cluster | dataplane | enforcement | errors | warnings | unknown |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        if row.ok:
            lines.append(f"| {_md(row.context)} | {_md(row.cluster)} | {_md(row.dataplane)} | {_md(row.enforcement)} "
                         f"| {row.errors} | {row.warnings} | {row.unknown} |")
        else:
            lines.append(f"| {_md(row.context)} | failed: {_md(row.error)} | | | | | |")
    for row in rows:
        if row.report is None or not row.report.findings:
            continue
        lines.append(f"\n### {_md(row.context)}\n")
        for finding in sorted(row.report.findings, key=lambda f: getattr(f, "sort_key", (0,))):
            severity = str(getattr(finding.severity, "value", finding.severity))
            lines.append(f"- **{severity}** {_md(finding.id)} {_md(finding.subject)}: {_md(finding.message)}")
    return "\n".join(lines)


def render_json(rows: list[FleetRow]) -> str:
    summary = {
        "contexts": len(rows), "failed": sum(1 for row in rows if not row.ok),
        "errors": sum(row.errors for row in rows), "warnings": sum(row.warnings for row in rows),
        "unknown": sum(row.unknown for row in rows),
    }
    document = {"summary": summary, "clusters": [row.to_dict() for row in rows]}
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()


def exit_code(rows: list[FleetRow], fail_on: object) -> int:
    """2 when a context could not be checked; 1 when a finding reaches --fail-on; 3 when some
    check is unknown in some cluster; else 0 (as `check` for one cluster)."""
    if any(not row.ok for row in rows):
        return EXIT_FAILED
    threshold = str(getattr(fail_on, "value", fail_on) or "error").lower()
    if threshold not in {str(severity) for severity in Severity}:
        return EXIT_OK  # --fail-on never
    gate = Severity(threshold)
    reports = [row.report for row in rows if row.report is not None]  # every row is ok: each has one
    for report in reports:
        for finding in report.findings:
            if Severity(str(getattr(finding.severity, "value", finding.severity))) >= gate:
                return EXIT_FINDINGS
    return EXIT_UNKNOWN if any(report.unknown for report in reports) else EXIT_OK


def run_fleet(args: argparse.Namespace) -> int:
    """Entry point for `check --all-contexts` / `check --contexts A,B`."""
    base = options_from_args(args)
    if base.demo or base.files:
        print("netpol-tui: --all-contexts and --contexts check live clusters; leave out --demo and --files",
              file=sys.stderr)
        return EXIT_FAILED
    output = getattr(args, "format", "text") or "text"
    if output not in OUTPUTS:
        print(f"netpol-tui: with several clusters the output is {', '.join(OUTPUTS)}; not {output}",
              file=sys.stderr)
        return EXIT_FAILED
    try:
        from netpol_tui.checks import SelectionError, run_checks, select_checks
    except ImportError as exc:
        print(f"netpol-tui: the checks are not available in this build ({exc})", file=sys.stderr)
        return EXIT_FAILED
    select, ignore = getattr(args, "select", None), getattr(args, "ignore", None)
    try:
        select_checks(select, ignore)
    except SelectionError as exc:
        print(f"netpol-tui: {exc}", file=sys.stderr)
        return EXIT_FAILED
    contexts, problem = _contexts(args)
    if problem:
        print(f"netpol-tui: {problem}", file=sys.stderr)
        return EXIT_FAILED
    if base.project or base.location or base.cluster:
        print("warning: --project, --location and --cluster are ignored with several contexts; each cluster is "
              "identified from its context name (gke_PROJECT_LOCATION_CLUSTER)", file=sys.stderr)
    if sys.stderr.isatty():
        print(f"checking {len(contexts)} context(s)…", file=sys.stderr)
    rows = check_contexts(contexts, base, functools.partial(run_checks, select=select, ignore=ignore))
    if output == "json":
        print(render_json(rows))
    elif output == "markdown":
        print(render_markdown(rows))
    else:
        print(render_table(rows))
        findings = render_findings(rows)
        if findings:
            print(findings)
    return exit_code(rows, getattr(args, "fail_on", None))


__all__ = ["FleetRow", "check_context", "check_contexts", "enforcement_text", "exit_code", "render_json",
           "render_markdown", "render_table", "run_fleet"]
