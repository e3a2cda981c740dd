"""What the console knows right now, shared by every screen.

The app replaces one immutable `ConsoleState` whenever a worker reports (attributes down:
screens watch `app.state`). Also here: what the banner says about it, and turning a worker's
exception into one line a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from netpol_tui.finding_history import FindingHistory
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.sources import SourceError, SourceOptions
from netpol_tui.text import plural
from netpol_tui.widgets.banner import BannerLine

if TYPE_CHECKING:
    # Annotations only: the engine and the checks load when their workers first run, not at start-up.
    from netpol_tui.checks.enforcement import EnforcementState
    from netpol_tui.checks.model import Report
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.sources.follow_state import KindStatus

#: Worker name -> what keeps working when it fails (shown in the error banner).
STILL_WORKS = {
    "load": "Nothing was loaded. Press r to retry, or start again with --demo or --files PATH.",
    "reload": "Still showing the previous snapshot. Press r to retry.",
    "engine": "Policy matching and Explain are unavailable; Status, Nodes and Runbooks still work.",
    "enforcement": "The enforcement summary is unavailable; Nodes, Policies and findings still work.",
    "checks": "Findings, Known issues and runbook states are unavailable; Status, Nodes and Policies still work.",
    "details": "The details pane could not be computed; the lists and the other screens still work.",
    "rows": "That list could not be built; the other screens still work.",
    "runbooks": "Runbook states are unavailable; Status, Nodes, Policies and Known issues still work.",
    "explain": "This question could not be answered; try another, or `netpol-tui explain` in a shell.",
}
PART_TITLES = {
    "load": "Loading failed", "reload": "Reloading failed", "engine": "The verdict engine failed",
    "enforcement": "Reading the enforcement state failed", "checks": "The checks failed",
    "details": "Computing the details failed",
    "rows": "Building a list failed", "runbooks": "Computing the runbooks failed", "explain": "Explain failed",
}


@dataclass(frozen=True, slots=True)
class LoadStatus:
    what: str = ""
    done: int = 0
    total: int = 0


@dataclass(frozen=True, eq=False)
class ConsoleState:
    """Everything screens display. `eq=False`: a new state object always means "changed"
    (comparing 100,000 pods field by field on every update would be slow)."""

    options: SourceOptions
    snapshot: Snapshot | None = None
    #: Bumped on every new snapshot so screens can tell a new load from a partial update.
    generation: int = 0
    loading: LoadStatus | None = None
    engine: PolicyEngine | None = None
    enforcement: EnforcementState | None = None
    report: Report | None = None
    #: The generation whose snapshot `report` was computed for: while the console follows, a new
    #: snapshot is shown before its checks finish, with the findings of an earlier one.
    report_generation: int = 0
    #: Checks are running or waiting for the shown snapshot (then `report` is an earlier one's or None).
    checks_running: bool = False
    #: Worker name -> one-line reason, for the error banner.
    errors: dict[str, str] = field(default_factory=dict)
    #: The follower's state of each followed list (KindStatus), when the console follows the source.
    follow: tuple[KindStatus, ...] = ()
    #: The snapshot continues the previous one (a followed update), rather than a new load.
    followed: bool = False
    #: Findings resolved and new this session (netpol_tui/finding_history.py), kept across reloads
    #: of the same source; a new ConsoleState (another context) starts a fresh one.
    history: FindingHistory = field(default_factory=FindingHistory)

    @property
    def report_stale(self) -> bool:
        """A report is shown, but of an earlier snapshot than the one shown (its checks still run)."""
        return self.report is not None and self.report_generation != self.generation

    def with_error(self, part: str, reason: str) -> ConsoleState:
        return replace(self, errors={**self.errors, part: reason})

    def without_errors(self, *parts: str) -> ConsoleState:
        return replace(self, errors={k: v for k, v in self.errors.items() if k not in parts})


#: Lines of one error the banner shows; the errors dialog (`y` while nothing is loaded, `:errors`) shows all.
MAX_ERROR_LINES = 4


def describe_error(error: BaseException | None) -> str:
    """The error for the banner and the errors dialog, one cause per line; never a traceback."""
    if error is None:
        return "unknown error"
    if isinstance(error, SourceError):
        return "\n".join(line.strip() for line in error.lines() if line.strip())
    if isinstance(error, ModuleNotFoundError):
        return f"{error.name or 'a module'} is not available in this build"
    if isinstance(error, ImportError):
        return f"not available in this build ({error})"
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text}" if not isinstance(error, OSError) else text


def kubernetes_only_reason(snapshot: Snapshot) -> str | None:
    """Why there is no GKE cluster information, or None when there is."""
    if snapshot.cluster is not None:
        return None
    reason = snapshot.unknown_reason(Kind.CLUSTER)
    if reason:
        return reason
    return "the input holds no GKE cluster description (gcloud container clusters describe --format=json)"


def banner_lines(state: ConsoleState) -> list[BannerLine]:
    """The notices for the banner, from the state alone."""
    lines: list[BannerLine] = []
    for failed, error in state.errors.items():
        title = PART_TITLES.get(failed, f"{failed} failed")
        first, *rest = error.splitlines() or [""]
        lines.append(BannerLine("error", f"{title}: {first}", STILL_WORKS.get(failed, "")))
        lines.extend(BannerLine("error", "  " + line) for line in rest[:MAX_ERROR_LINES])
        if len(rest) > MAX_ERROR_LINES:
            lines.append(BannerLine("error", f"  … {len(rest) - MAX_ERROR_LINES} more lines: :errors shows them all"))
    if state.loading is not None:
        loading = state.loading
        where = f" {loading.what}" if loading.what else ""
        counted = f" ({loading.done}/{loading.total})" if loading.total else ""
        verb = "Reloading" if state.snapshot is not None else "Loading"
        lines.append(BannerLine("progress", f"{verb} {source_label(state.options)}:{where}{counted}"))
    snapshot = state.snapshot
    if snapshot is None:
        return lines
    reason = kubernetes_only_reason(snapshot)
    if reason:
        lines.append(BannerLine("warning", f"Kubernetes-only mode: {reason}.",
                                "Dataplane, enforcement switches, node pools and version-based known issues "
                                "are unknown; verdicts follow Kubernetes API semantics."))
    for part in snapshot.unknown:
        if part.kind != Kind.CLUSTER:
            lines.append(BannerLine("warning", f"{part.kind} not read: {part.reason}",
                                    "Checks that need it report unknown."))
    for status in state.follow:
        if str(status.state) in ("reconnecting", "polling") and status.note and not status.name.startswith("GKE"):
            lines.append(BannerLine("warning" if str(status.state) == "reconnecting" else "info",
                                    f"{status.name} {status.state}: {status.note}"))
    if snapshot.problems:
        count = len(snapshot.problems)
        lines.append(BannerLine("info", f"{plural(count, 'load problem')}: {snapshot.problems[0]}",
                                "All are listed on the Status screen." if count > 1 else ""))
    if state.engine is None and "engine" not in state.errors and state.loading is None:
        lines.append(BannerLine("progress", "Indexing policies…"))
    elif state.checks_running and state.report is None:
        # (with an earlier snapshot's report shown, the Status screen's findings title says
        # "checking…": a banner line coming and going with every followed update moved the screen)
        lines.append(BannerLine("progress", "Running checks…"))
    return lines


def source_label(options: SourceOptions) -> str:
    if options.demo:
        return f"demo {options.demo}"
    if options.files:
        return ", ".join(options.files)
    return f"context {options.context}" if options.context else "the current kubeconfig context"


def unloaded_text(state: ConsoleState) -> str:
    """What every screen says while no snapshot is shown: loading, or why loading failed."""
    error = state.errors.get("load")
    if error is not None:
        first = error.splitlines()[0] if error else "unknown error"
        return (f"Nothing loaded: {first}. Press r to retry, y for the whole error, :ctx to pick another "
                "kubeconfig context.")
    return f"Loading {source_label(state.options)}…"
