"""Findings of one check grouped, so 1,544 identical warnings read as one line with a count.

The console's Status list and `netpol-tui check` text output share these groups (JSON and
SARIF keep every finding). A check with fewer than `GROUP_MIN` findings stays flat: hiding two
findings behind a group row costs a key press for nothing. An opened group of more than
`SPLIT_MIN` findings spread over several namespaces opens one level at a time, per namespace,
so even 10,000 findings of one check stay a list one can read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netpol_tui.checks.model import Finding, Severity
from netpol_tui.text import plural

GROUP_MIN = 3
SPLIT_MIN = 50
#: Namespace name used for cluster-scoped subjects (nodes, pools, the cluster) in per-namespace groups.
CLUSTER_SCOPE = ""


@dataclass(frozen=True, slots=True, eq=False)
class FindingGroup:
    """Findings of one check (`namespace` None), or of one check in one namespace."""

    id: str
    symbol: str
    severity: Severity
    title: str
    findings: tuple[Finding, ...]
    namespace: str | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        """Stable across reloads: what the console remembers as opened."""
        return (self.id, self.namespace)

    def __eq__(self, other: object) -> bool:
        """By `key`: a list rebuilt after opening a group keeps its cursor on the same group."""
        return isinstance(other, FindingGroup) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def namespaces(self) -> tuple[str, ...]:
        """Distinct namespaces of the subjects, in order of first appearance (cluster scope as "")."""
        return tuple(dict.fromkeys(finding.subject.namespace or CLUSTER_SCOPE for finding in self.findings))

    @property
    def shared_message(self) -> str | None:
        """The message when every finding says the same, else None."""
        first = self.findings[0].message
        return first if all(finding.message == first for finding in self.findings) else None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(finding.subject.kind for finding in self.findings))

    def describe(self) -> str:
        """`1,544 NetworkPolicies in 312 namespaces` (one line, plain)."""
        kinds = self.kinds
        what = plural(self.count, kinds[0]) if len(kinds) == 1 else plural(self.count, "finding")
        namespaces = [name for name in self.namespaces if name != CLUSTER_SCOPE]
        if self.namespace is not None:
            return f"{what} in {self.namespace}" if self.namespace else f"{what} (cluster-scoped)"
        if len(namespaces) > 1:
            return f"{what} in {plural(len(namespaces), 'namespace')}"
        if len(namespaces) == 1:
            return f"{what} in {namespaces[0]}"
        return what


Entry = Finding | FindingGroup


def group_findings(findings: Iterable[Finding], min_group: int = GROUP_MIN) -> list[Entry]:
    """Most severe first (the report's sort order); each check's findings one group when it has at
    least `min_group`, else the findings themselves."""
    by_check: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: f.sort_key):
        by_check.setdefault(finding.id, []).append(finding)
    entries: list[Entry] = []
    for check_findings in by_check.values():
        if len(check_findings) < min_group:
            entries.extend(check_findings)
        else:
            first = check_findings[0]
            entries.append(FindingGroup(first.id, first.symbol, first.severity, first.title, tuple(check_findings)))
    return entries


def open_group(group: FindingGroup, split_min: int = SPLIT_MIN, min_group: int = GROUP_MIN) -> list[Entry]:
    """What an opened group shows: its findings, or (a large check-wide group over several
    namespaces) one group per namespace, small ones flat."""
    if group.namespace is not None or group.count <= split_min or len(group.namespaces) < 2:
        return list(group.findings)
    by_namespace: dict[str, list[Finding]] = {}
    for finding in group.findings:
        by_namespace.setdefault(finding.subject.namespace or CLUSTER_SCOPE, []).append(finding)
    entries: list[Entry] = []
    for namespace in sorted(by_namespace):
        items = by_namespace[namespace]
        if len(items) < min_group:
            entries.extend(items)
        else:
            entries.append(FindingGroup(group.id, group.symbol, group.severity, group.title, tuple(items), namespace))
    return entries


def expand(entries: Sequence[Entry], opened: set[tuple[str, str | None]],
           depth: int = 0) -> Iterable[tuple[int, Entry]]:
    """(depth, entry) in display order, descending into the groups whose key is in `opened`."""
    for entry in entries:
        yield depth, entry
        if isinstance(entry, FindingGroup) and entry.key in opened:
            yield from expand(open_group(entry), opened, depth + 1)
