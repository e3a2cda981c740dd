"""The closed loop of a followed console: which findings resolved and which are new this session.

While the console follows a cluster (or files), every update brings a new check report. An
engineer who just pasted a fix wants to *see* it work: the finding that disappears stays listed,
greyed and marked `resolved` with the time it went away and its last evidence; a finding that
appears after the first report is marked `new` until it is opened (Enter) once. A finding that
comes back after resolving is open again (and new). A check that turns unknown (data not read)
resolves nothing: its findings are not known to be gone, so they are kept aside, neither open nor
resolved, until the check decides again (never confidently wrong).

Plain immutable values, no Textual: `FindingHistory.advance(report, ...)` returns the next
history, the app keeps it in `ConsoleState.history`, and the screens only read it. A new source
(another context, other files) starts a fresh history: what resolved on one cluster says nothing
about another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Annotations only (this helper sits below the checks): the finding and report types.
    from netpol_tui.checks.model import Finding, Report, Severity, Subject
    from netpol_tui.sources import SourceOptions

#: (check id, subject kind, subject namespace, subject name): the same key `check --watch` and the
#: "Findings changed" notice use. The message is left out on purpose: "3 of 4 nodes" becoming
#: "2 of 4 nodes" is the same finding progressing, not one resolved and another new.
FindingKey = tuple[str, str, str | None, str]
#: What `source_identity` makes of the options: the fields that name the source, then the files.
SourceIdentity = tuple[object, ...]

#: Text markers of the Status and Known issues rows (the words, not only the grey, carry the meaning).
NEW_MARK = "new"
RESOLVED_MARK = "resolved"


def finding_key(finding: Finding | ResolvedFinding) -> FindingKey:
    subject = finding.subject
    return (finding.id, subject.kind, subject.namespace, subject.name)


def wall_clock() -> datetime:
    """Now, in local time: when an update resolved a finding or turned a verdict (tests fix it)."""
    return datetime.now().astimezone()


def clock_text(at: datetime) -> str:
    """HH:MM:SS in local time (what the engineer's other terminal shows)."""
    return at.astimezone().strftime("%H:%M:%S") if at.tzinfo else at.strftime("%H:%M:%S")


@dataclass(frozen=True, slots=True, eq=False)
class ResolvedFinding:
    """A finding that was open and is no longer reported: the last finding seen, and when it went.

    Equal by key (and hash), so a list rebuilt after an update keeps its cursor on the same
    resolved row."""

    finding: Finding
    at: datetime

    @property
    def key(self) -> FindingKey:
        return finding_key(self.finding)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResolvedFinding) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("resolved", self.key))

    # What the rows and screens read of a finding, so a resolved one can stand where a finding does.
    @property
    def id(self) -> str:
        return self.finding.id

    @property
    def subject(self) -> Subject:
        return self.finding.subject

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def symbol(self) -> str:
        return self.finding.symbol

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return self.finding.sort_key

    @property
    def clock(self) -> str:
        return clock_text(self.at)

    @property
    def note(self) -> str:
        return (f"RESOLVED at {self.clock}: no longer reported since that update. The message, evidence "
                "and remediation shown are the last ones seen.")

    def to_dict(self) -> dict[str, Any]:
        """The last finding's JSON, with when it resolved (what `y` shows when its object is gone)."""
        return {"resolved_at": self.at.isoformat(), **self.finding.to_dict()}

    def as_finding(self) -> Finding:
        """The last finding with the resolved note first: what the finding dialog shows."""
        return replace(self.finding, notes=(self.note, *self.finding.notes))


@dataclass(frozen=True, slots=True)
class FindingHistory:
    """What changed in the findings since the first report of this source, this session."""

    #: Identity of the source the history belongs to (`source_identity`); another one resets it.
    source: SourceIdentity | None = None
    #: Key -> finding as last seen, of the last report's findings and of those kept aside because
    #: their check is now unknown; None before the first report.
    known: Mapping[FindingKey, Finding] | None = None
    #: Keys that appeared after the first report and were not opened since.
    new: frozenset[FindingKey] = frozenset()
    #: Key -> the finding as last seen and when it resolved (read-only mapping).
    resolved: Mapping[FindingKey, ResolvedFinding] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def started(self) -> bool:
        return self.known is not None

    def advance(self, report: Report, at: datetime, source: SourceIdentity | None = None) -> FindingHistory:
        """The history after `report` (checked at `at`). A different `source` (or the first report)
        starts over with `report` as the first report: nothing new, nothing resolved."""
        current = {finding_key(finding): finding for finding in report.findings}
        if self.known is None or source != self.source:
            return FindingHistory(source=source, known=MappingProxyType(current))
        undecided = {item.id for item in report.unknown}
        checked = set(report.checked)
        known: dict[FindingKey, Finding] = dict(current)
        resolved = dict(self.resolved)
        for key, finding in self.known.items():
            if key in current:
                continue
            check = key[0]
            if check in undecided or (checked and check not in checked):
                known[key] = finding  # kept aside: not known to be gone while the check cannot decide
            else:
                resolved[key] = ResolvedFinding(finding, at)
        appeared = {key for key in current if key not in self.known}
        for key in current:
            resolved.pop(key, None)  # back again: an open finding (new, as it appeared again)
        new = (self.new & current.keys()) | appeared
        return FindingHistory(source=self.source, known=MappingProxyType(known), new=frozenset(new),
                              resolved=MappingProxyType(resolved))

    def seen(self, findings: Iterable[Finding | ResolvedFinding]) -> FindingHistory:
        """The history after the user opened `findings`: they are no longer new."""
        keys = {finding_key(finding) for finding in findings}
        if not keys & self.new:
            return self
        return replace(self, new=self.new - keys)

    def seen_keys(self, keys: frozenset[FindingKey] | set[FindingKey]) -> FindingHistory:
        """`seen` by key: findings opened while this history was computed elsewhere."""
        return replace(self, new=self.new - keys) if keys & self.new else self

    def is_new(self, finding: Finding | ResolvedFinding) -> bool:
        return bool(self.new) and finding_key(finding) in self.new

    def new_count(self, findings: Iterable[Finding | ResolvedFinding]) -> int:
        if not self.new:
            return 0
        return sum(1 for finding in findings if finding_key(finding) in self.new)

    def resolved_findings(self, check: str | None = None) -> tuple[ResolvedFinding, ...]:
        """Resolved findings (of one check, when given), most severe first as the open ones."""
        items = (item for item in self.resolved.values() if check is None or item.id == check)
        return tuple(sorted(items, key=lambda item: item.sort_key))

    @property
    def marked(self) -> bool:
        """Whether any row shows a marker (else the lists look exactly as without following)."""
        return bool(self.new or self.resolved)


def source_identity(options: SourceOptions | None) -> SourceIdentity:
    """What makes two loads "the same source": a reload (`r`) of it keeps the history; another
    context, kubeconfig, cluster, namespace, files or demo starts a new one."""
    names = ("kind", "kubeconfig", "context", "project", "location", "cluster", "namespace", "demo")
    return (*(getattr(options, name, None) for name in names), tuple(getattr(options, "files", ()) or ()))


__all__ = ["NEW_MARK", "RESOLVED_MARK", "FindingHistory", "FindingKey", "ResolvedFinding", "clock_text",
           "finding_key", "source_identity", "wall_clock"]
