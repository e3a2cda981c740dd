"""What a check produces: findings with evidence and a remediation, unknowns, and the report.

Everything is frozen so a Report can be shared between the console, the CLI renderers and
tests without anybody changing it underneath the others. `to_dict()` gives the JSON shapes of
`netpol-tui check --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from netpol_tui import shell
from netpol_tui.model.objects import Origin
from netpol_tui.model.snapshot import Kind, Snapshot


class Severity(StrEnum):
    """Ordered: INFO < WARNING < ERROR, so `severity >= Severity.WARNING` reads naturally."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


#: Most severe first: the one order for sections, sorting and `--fail-on` thresholds.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_RANK = {severity: len(SEVERITY_ORDER) - index for index, severity in enumerate(SEVERITY_ORDER)}


@dataclass(frozen=True, slots=True)
class Subject:
    """What a finding is about; namespace None for cluster-scoped kinds (checks-spec "Subjects")."""

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        if self.namespace and not (self.kind == "Namespace" and self.namespace == self.name):
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A fact behind a finding: where it was read (field path or object), what it is, what it should be."""

    path: str
    observed: str
    expected: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "observed": self.observed, "expected": self.expected}


@dataclass(frozen=True, slots=True)
class Command:
    """A command as argv (and the manifest it reads on stdin); `description` says why to run it.

    Shell text is only ever made from it by `netpol_tui.shell`, which quotes every word.
    """

    argv: tuple[str, ...]
    description: str = ""
    stdin: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.argv, str):
            raise TypeError(f"a command is a tuple of words, not the string {self.argv!r}: build it with netpol_tui.shell")

    @property
    def text(self) -> str:
        """The command line alone (`kubectl apply -f -` without its heredoc)."""
        return shell.join(self.argv)

    @property
    def script(self) -> str:
        """The runnable block to print or copy: the command line and its heredoc, if any."""
        return shell.script(self.argv, self.stdin)


@dataclass(frozen=True, slots=True)
class Remediation:
    commands: tuple[Command, ...] = ()
    #: Complete YAML for `kubectl apply -f -`, or None.
    manifest: str | None = None
    #: Placeholders (CLUSTER_NAME style) left in the commands or manifest because the snapshot lacks them.
    placeholders: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.commands and not self.manifest

    def to_dict(self) -> dict[str, Any]:
        return {"commands": [command.text for command in self.commands], "manifest": self.manifest}


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    symbol: str
    severity: Severity
    title: str
    subject: Subject
    message: str
    evidence: tuple[Evidence, ...] = ()
    remediation: Remediation = field(default_factory=Remediation)
    #: The check's docstring: why this matters.
    explanation: str = ""
    #: Where the subject was read from (a file and line), for SARIF; None otherwise.
    origin: Origin | None = None
    notes: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (-self.severity.rank, self.id, self.subject.namespace or "", self.subject.name, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "symbol": self.symbol, "severity": str(self.severity), "title": self.title,
            "subject": self.subject.to_dict(), "message": self.message,
            "evidence": [item.to_dict() for item in self.evidence],
            "remediation": self.remediation.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class UnknownCheck:
    """A check that could not decide: the data it needs is missing, or it failed."""

    id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason}


#: The RBAC resources behind each Kubernetes kind (`kubectl auth can-i list RESOURCE`), and
#: whether they are namespaced (then `-A`, or `-n NS` for a load narrowed to one namespace).
_RBAC: dict[Kind, tuple[tuple[str, ...], bool]] = {
    Kind.NAMESPACE: (("namespaces",), False),
    Kind.NODE: (("nodes",), False),
    Kind.POD: (("pods",), True),
    Kind.NETWORK_POLICY: (("networkpolicies.networking.k8s.io",), True),
    Kind.SERVICE: (("services",), True),
    Kind.INGRESS: (("ingresses.networking.k8s.io",), True),
    Kind.EVENT: (("events",), True),
    Kind.WORKLOAD: (("deployments.apps", "statefulsets.apps", "daemonsets.apps"), True),
}
#: The GKE API permissions (IAM, not RBAC) behind the two GKE kinds.
_IAM = {
    Kind.CLUSTER: "IAM permission container.clusters.get (e.g. roles/container.clusterViewer)",
    Kind.OPERATION: "IAM permission container.operations.list (e.g. roles/container.viewer)",
}


def permission_checks(kind: Kind, namespace: str | None = None) -> tuple[str, ...]:
    """What to run (Kubernetes) or ask for (GKE IAM) to learn whether a kind may be read."""
    if kind in _IAM:
        return (_IAM[kind],)
    resources, namespaced = _RBAC.get(kind, ((), False))
    scope = (("-n", namespace) if namespace else ("-A",)) if namespaced else ()
    return tuple(shell.join(("kubectl", "auth", "can-i", "list", resource, *scope)) for resource in resources)


@dataclass(frozen=True, slots=True)
class NotRead:
    """A kind the source tried and failed to read (403, 404, timeout...): checks needing it are
    unknown. `permission` is what to run or ask for to see whether the reader may read it."""

    kind: str
    reason: str
    permission: tuple[str, ...] = ()

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> tuple[NotRead, ...]:
        return tuple(cls(str(part.kind), part.reason, permission_checks(part.kind, snapshot.source.namespace))
                     for part in snapshot.unknown)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason, "permission": list(self.permission)}


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    unknown: tuple[UnknownCheck, ...]
    #: calico / dataplane-v2 / kubernetes (no cluster info) / none (Calico enforcement off).
    dataplane: str
    cluster: str | None
    source: str = ""
    #: Ids of the checks that ran (after --select / --ignore), in catalog order.
    checked: tuple[str, ...] = ()
    #: The verdict engine's notes (dataplane choice and the like).
    notes: tuple[str, ...] = ()
    #: Kinds the source could not read, with why and the permission to check.
    not_read: tuple[NotRead, ...] = ()

    @property
    def complete(self) -> bool:
        """Every selected check came to a definite result (none unknown, not even partly)."""
        return not self.unknown

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    def at_or_above(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity >= severity)

    def summary(self) -> dict[str, int]:
        return {"error": self.count(Severity.ERROR), "warning": self.count(Severity.WARNING),
                "info": self.count(Severity.INFO), "unknown": len(self.unknown),
                "findings": len(self.findings), "checks": len(self.checked)}

    def to_dict(self) -> dict[str, Any]:
        """Summary first: a reader of the first lines learns how many checks are unknown and why."""
        return {
            "summary": self.summary(), "complete": self.complete,
            "not_read": [part.to_dict() for part in self.not_read],
            "unknown": [item.to_dict() for item in self.unknown],
            "source": self.source, "cluster": self.cluster, "dataplane": self.dataplane,
            "findings": [finding.to_dict() for finding in self.findings],
        }
