"""The verify commands of gke-facts section 1, with what each would print for this Snapshot.

Part of the enforcement state (`checks/enforcement.py` re-exports every name). The console and
the runbooks show the commands a user runs to confirm enforcement next to kubectl's own output
for the snapshot (nodes labelled for Calico, calico-node or anetd pods), so the user can
compare; the output is None when the snapshot lacks the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from netpol_tui.checks.enforcement_commands import (
    CALICO_LABEL_SELECTOR,
    NO_KUBE_SYSTEM_PODS_OUTPUT,
    NO_NODES_OUTPUT,
    VERIFY_CALICO_PODS,
    VERIFY_CALICO_PODS_COMMAND,
    VERIFY_CILIUM,
    VERIFY_CILIUM_COMMAND,
    VERIFY_NODES,
    VERIFY_NODES_COMMAND,
)
from netpol_tui.checks.enforcement_mode import Mode
from netpol_tui.model.objects import Node, Pod
from netpol_tui.model.snapshot import Kind, Snapshot
from netpol_tui.timestamps import kubectl_age


@dataclass(frozen=True, slots=True)
class VerifyCommand:
    command: str
    #: What the command would print now; None when the snapshot lacks the data.
    output: str | None
    meaning: str
    #: The command as argv (`command` is its shell text).
    argv: tuple[str, ...] = ()


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def _nodes_output(nodes: list[Node], now: datetime) -> str:
    if not nodes:
        return NO_NODES_OUTPUT
    rows = [("NAME", "STATUS", "ROLES", "AGE", "VERSION")]
    rows += [(node.name, node.status_text, "<none>", kubectl_age(node.creation_timestamp, now),
              node.kubelet_version or "<unknown>") for node in sorted(nodes, key=lambda n: n.name)]
    return _table(rows)


def _pods_output(pods: list[Pod], now: datetime) -> str:
    if not pods:
        return NO_KUBE_SYSTEM_PODS_OUTPUT
    rows = [("NAME", "STATUS", "AGE")]
    rows += [(pod.name, pod.phase, kubectl_age(pod.creation_timestamp, now)) for pod in sorted(pods, key=lambda p: p.name)]
    return _table(rows)


def _verify(snapshot: Snapshot, mode: Mode, nodes_known: bool) -> tuple[VerifyCommand, ...]:
    now = snapshot.captured_at if snapshot.captured_at.tzinfo else snapshot.captured_at.replace(tzinfo=UTC)
    pods_known = snapshot.has(Kind.POD) or bool(snapshot.pods)
    out = []
    if mode in (Mode.AUTOPILOT, Mode.DATAPLANE_V2, Mode.UNKNOWN):
        cilium = [pod for pod in snapshot.pods if pod.namespace == "kube-system"
                  and pod.labels.get("k8s-app") == "cilium"]
        out.append(VerifyCommand(VERIFY_CILIUM_COMMAND, _pods_output(cilium, now) if pods_known else None,
                                 "Dataplane V2 agent (anetd) pods; empty output means policies are not enforced",
                                 VERIFY_CILIUM.argv))
    if mode in (Mode.CALICO, Mode.NONE, Mode.UNKNOWN):
        labelled = [node for node in snapshot.nodes if node.calico_ready]
        out.append(VerifyCommand(VERIFY_NODES_COMMAND, _nodes_output(labelled, now) if nodes_known else None,
                                 "nodes where Calico enforces policy; empty output means not enforced",
                                 VERIFY_NODES.argv))
        calico = [pod for pod in snapshot.pods if pod.namespace == "kube-system"
                  and pod.labels.get("k8s-app") == "calico-node"]
        out.append(VerifyCommand(VERIFY_CALICO_PODS_COMMAND, _pods_output(calico, now) if pods_known else None,
                                 "calico-node runs only on nodes labelled " + CALICO_LABEL_SELECTOR,
                                 VERIFY_CALICO_PODS.argv))
    return tuple(out)
