"""Textual messages of the console.

Workers end by posting a past-tense message (`SnapshotLoaded`, `ChecksFinished`, ...) that the
screen or app which started them receives on the UI thread; widgets ask for things with
imperative messages (`CopyCommand`, `ShowFinding`, ...) that bubble up to a screen or the app.
Payloads are plain objects: a message never carries a widget.

The payloads' types are imported for the type checker only: at run time this module loads
Textual alone (the app imports it at start-up, before any snapshot, engine or check exists).
All but two come from layers below this one; `Row` (widgets) and `ExplainRequest` (dialogs) are
annotation-only references upward, which the layer contract allows (`exclude_type_checking_imports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from rich.console import RenderableType

    from netpol_tui.checks.enforcement import EnforcementState
    from netpol_tui.checks.incremental import IncrementalRun
    from netpol_tui.checks.model import Finding, Report
    from netpol_tui.dialogs.explain_answer import ExplainRequest
    from netpol_tui.finding_history import FindingHistory
    from netpol_tui.flows.report import FlowReport
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.refs import ObjectRef
    from netpol_tui.runbooks.steps import Runbook
    from netpol_tui.sources.follow_state import Change, KindStatus
    from netpol_tui.whatif.diff import Diff
    from netpol_tui.whatif.matrix import Matrix
    from netpol_tui.widgets.rows import Row

# ---------------------------------------------------------------------------- worker results


class LoadProgress(Message):
    """The source reported progress: `what` is being read, `done` of `total` (0 when unknown)."""

    def __init__(self, what: str, done: int, total: int) -> None:
        super().__init__()
        self.what = what
        self.done = done
        self.total = total


class SnapshotLoaded(Message):
    """A source produced a snapshot; `seconds` is how long the load took."""

    def __init__(self, snapshot: Snapshot, seconds: float = 0.0) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.seconds = seconds


class SnapshotFollowed(Message):
    """The follower delivered a newer snapshot (`changes` since the last one) and every followed
    list's state; `token` names the follower, so a stopped one's late message is ignored."""

    def __init__(self, token: int, snapshot: Snapshot, changes: Sequence[Change],
                 states: Sequence[KindStatus]) -> None:
        super().__init__()
        self.token = token
        self.snapshot = snapshot
        self.changes = changes
        self.states = states


class FollowRefreshed(Message):
    """The engine and enforcement state of a followed snapshot are ready (or `error`); its checks
    follow in `FollowChecked`."""

    def __init__(self, token: int, snapshot: Snapshot, engine: PolicyEngine | None = None,
                 enforcement: EnforcementState | None = None, error: BaseException | None = None) -> None:
        super().__init__()
        self.token = token
        self.snapshot = snapshot
        self.engine = engine
        self.enforcement = enforcement
        self.error = error


class FollowChecked(Message):
    """The checks of a followed snapshot ran: `generation` is the state generation that showed it,
    so a report older than the one shown is dropped (or `error` says why they failed)."""

    def __init__(self, token: int, generation: int, snapshot: Snapshot, report: Report | None = None,
                 error: BaseException | None = None,
                 history: tuple[FindingHistory, FindingHistory] | None = None, run: IncrementalRun | None = None) -> None:
        super().__init__()
        self.token = token
        self.generation = generation
        self.snapshot = snapshot
        self.report = report
        self.error = error
        #: (the history the worker started from, the history after `report`): the finding history
        #: advanced off the UI thread (100,000 findings take ~80 ms), None when not computed.
        self.history = history
        #: The run's per-namespace results (checks.incremental.IncrementalRun), for the next run to reuse.
        self.run = run


class EngineReady(Message):
    """The verdict engine for the current snapshot is built."""

    def __init__(self, snapshot: Snapshot, engine: PolicyEngine) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.engine = engine


class EnforcementComputed(Message):
    """`EnforcementState` of the current snapshot is known."""

    def __init__(self, snapshot: Snapshot, enforcement: EnforcementState) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.enforcement = enforcement


class ChecksFinished(Message):
    """The checks ran on a loaded snapshot; `report` is their `Report`. `generation` and `token`
    (the follower's) of the state they were asked for: a followed snapshot shown meanwhile keeps
    the report unless a newer one is shown already."""

    def __init__(self, snapshot: Snapshot, report: Report, seconds: float = 0.0, generation: int = 0,
                 token: int = 0) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.report = report
        self.seconds = seconds
        self.generation = generation
        self.token = token


class RowsPrepared(Message):
    """A screen's list rows were built off the UI thread; `target` names the list."""

    def __init__(self, target: str, rows: Sequence[Row[object]], widths: Sequence[int],
                 generation: object = None) -> None:
        super().__init__()
        self.target = target
        self.rows = rows
        self.widths = widths
        self.generation = generation


class DetailsComputed(Message):
    """The detail view of the selected object is ready (`key` says which object)."""

    def __init__(self, key: object, renderable: RenderableType, obj: object = None,
                 related: Sequence[tuple[str, ObjectRef]] = ()) -> None:
        super().__init__()
        self.key = key
        self.renderable = renderable
        self.obj = obj
        #: (label, ObjectRef) the detail names, for the go-to list.
        self.related = related


class VerdictComputed(Message):
    """The Explain form's question was answered (or `error` says why it could not be)."""

    def __init__(self, request: ExplainRequest, result: dict[str, Any] | None = None, error: str | None = None,
                 suggestions: tuple[str, ...] = (), side: str | None = None) -> None:
        super().__init__()
        self.request = request
        self.result = result
        self.error = error
        #: "Did you mean" endpoints for an error naming an unknown pod or Service.
        self.suggestions = suggestions
        #: Which endpoint the suggestions fix: "from" or "to".
        self.side = side


class RunbooksComputed(Message):
    """Runbook step states were computed from the snapshot, enforcement state and report."""

    def __init__(self, runbooks: tuple[Runbook, ...]) -> None:
        super().__init__()
        self.runbooks = runbooks


class ContextsListed(Message):
    """The kubeconfig's contexts were read (for the `:ctx` picker); `error` when they could not be."""

    def __init__(self, contexts: Sequence[str], current: str | None, error: str | None) -> None:
        super().__init__()
        self.contexts = contexts
        self.current = current
        self.error = error


# ---------------------------------------------------------------------------- requests


class CopyCommand(Message):
    """Copy `text` to the clipboard; `label` names it in the confirmation."""

    def __init__(self, text: str, label: str = "command") -> None:
        super().__init__()
        self.text = text
        self.label = label


class ShowFinding(Message):
    """Open the finding detail dialog."""

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding


class ShowYaml(Message):
    """Open the YAML view of a model object."""

    def __init__(self, title: str, obj: object) -> None:
        super().__init__()
        self.title = title
        self.obj = obj


class GoTo(Message):
    """Open `ref` (a `refs.ObjectRef`) on its screen. `finding`: the finding dialog it was asked
    from (Esc reopens it)."""

    def __init__(self, ref: ObjectRef, finding: Finding | None = None) -> None:
        super().__init__()
        self.ref = ref
        self.finding = finding


class SwitchMode(Message):
    """Switch to the named mode (status, nodes, policies, issues, runbooks)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode


class LocalCopyFinished(Message):
    """The best-effort pyperclip copy finished (`ok` False when no local clipboard worked)."""

    def __init__(self, text: str, label: str, ok: bool, osc52_trusted: bool, reason: str | None) -> None:
        super().__init__()
        self.text = text
        self.label = label
        self.ok = ok
        self.osc52_trusted = osc52_trusted
        self.reason = reason


class WorkerFailed(Message):
    """A worker raised: `name` says which part (load, engine, checks, ...), `error` what."""

    def __init__(self, name: str, error: BaseException | None) -> None:
        super().__init__()
        self.name = name
        self.error = error


class FlowsCompared(Message):
    """Observed flows read, joined, grouped and compared by one engine (`generation`), so an older
    answer never replaces a newer one; `report` is a `netpol_tui.flows.FlowReport`."""

    def __init__(self, generation: object, report: FlowReport) -> None:
        super().__init__()
        self.generation = generation
        self.report = report


class MatrixComputed(Message):
    """The connectivity matrix (and, with "what if", the model diff) of one engine's snapshot;
    `generation` is that engine, so an older answer never replaces a newer one."""

    def __init__(self, generation: object, matrix: Matrix, diff: Diff | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.matrix = matrix
        self.diff = diff
