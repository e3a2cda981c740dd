"""An object by kind and name (`ObjectRef`), the screen that shows each kind, the object a
finding's evidence line names, and finding it in a snapshot.

Plain Python below the dialogs and widgets: a finding dialog, a "related objects" list and the
screens all name objects with it, and post `messages.GoTo` to open one (screens/navigation.py
and screens/navigator.py do the going).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.model.snapshot import Snapshot

if TYPE_CHECKING:
    # Annotations only: the console loads the checks and the engine when their workers run.
    from netpol_tui.checks.model import Evidence, Finding
    from netpol_tui.finding_history import ResolvedFinding
    from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy
    from netpol_tui.model.policy import NetworkPolicy
    from netpol_tui.policy.rule_refs import RuleRef


class Named(Protocol):
    """An object by kind, namespace and name: a finding's `Subject`, or an `ObjectRef`."""

    @property
    def kind(self) -> str: ...
    @property
    def namespace(self) -> str | None: ...
    @property
    def name(self) -> str: ...


#: The Dataplane V2 policy kinds the Policies screen lists beside NetworkPolicies -> their short label.
GKE_POLICY_KINDS = {"FQDNNetworkPolicy": "fqdn", "CiliumNetworkPolicy": "cnp", "CiliumClusterwideNetworkPolicy": "ccnp"}
POLICIES_KINDS = ("Namespace", "Pod", "NetworkPolicy", "Service", "Ingress", *GKE_POLICY_KINDS, *WORKLOAD_KINDS)
#: A policy of any of the four kinds, named without its kind (`--policy shop/allow-web`, or
#: `--policy lockdown` for any namespace and cluster-scoped ones): `policy_candidates` resolves it.
ANY_POLICY = "Policy"
MODE_OF_KIND = {**{kind: "policies" for kind in (*POLICIES_KINDS, ANY_POLICY)}, "Node": "nodes", "NodePool": "nodes",
                "Cluster": "status"}
#: The kind word that starts a `--policy` value (`fqdn/shop/x`, `ccnp/lockdown`) -> the kind; the
#: first word of each kind is the one messages suggest (the Policies screen's KIND column codes,
#: `netpol` as kubectl's short name for NetworkPolicy).
LINK_KINDS = {"netpol": "NetworkPolicy", "np": "NetworkPolicy", "pol": "NetworkPolicy",
              "networkpolicy": "NetworkPolicy",
              "fqdn": "FQDNNetworkPolicy", "fqdnnetworkpolicy": "FQDNNetworkPolicy",
              "cnp": "CiliumNetworkPolicy", "ciliumnetworkpolicy": "CiliumNetworkPolicy",
              "ccnp": "CiliumClusterwideNetworkPolicy",
              "ciliumclusterwidenetworkpolicy": "CiliumClusterwideNetworkPolicy"}
#: Words that start an evidence path naming an object (`Pod shop/web-1 metadata...`).
_KIND_WORDS = {"pod": "Pod", "node": "Node", "networkpolicy": "NetworkPolicy", "service": "Service",
               "namespace": "Namespace", "ingress": "Ingress", "nodepool": "NodePool",
               "fqdnnetworkpolicy": "FQDNNetworkPolicy", "ciliumnetworkpolicy": "CiliumNetworkPolicy",
               "ciliumclusterwidenetworkpolicy": "CiliumClusterwideNetworkPolicy",
               **{kind.lower(): kind for kind in WORKLOAD_KINDS}}
_NAME = r"[A-Za-z0-9][-A-Za-z0-9_.]*"
_KIND_PATH = re.compile(rf"^\s*([A-Za-z]+)\s+(?:({_NAME})/)?({_NAME})(?:\s|$|\.|\[|:|,)")
_EVENT_PATH = re.compile(rf"^\s*Event\s+({_NAME})/{_NAME}\s+on\s+pod\s+({_NAME})")
_POOL_PATH = re.compile(rf"^\s*nodePools\[({_NAME})\]")
_IN_NAMESPACE = re.compile(rf"\bin (?:namespace )?({_NAME})\s*$")


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """An object by kind and name (namespace None for cluster-scoped kinds)."""

    kind: str
    namespace: str | None
    name: str

    @property
    def mode(self) -> str | None:
        return MODE_OF_KIND.get(self.kind)

    @property
    def label(self) -> str:
        """`pod shop/web-1` (plain text; displayed through `Text`, never markup)."""
        kind = {"NetworkPolicy": "policy", "Service": "svc", "Namespace": "ns",
                **GKE_POLICY_KINDS}.get(self.kind, self.kind.lower())
        if self.kind == "Cluster":
            return "cluster"
        where = f"{self.namespace}/{self.name}" if self.namespace and self.kind != "Namespace" else self.name
        return f"{kind} {where}"

    @classmethod
    def of(cls, subject: Named) -> ObjectRef:
        """From a finding's `Subject` (same fields)."""
        return cls(subject.kind, subject.namespace, subject.name)


def evidence_ref(finding: Finding | ResolvedFinding, evidence: Evidence) -> ObjectRef:
    """The object an evidence line is about: the one its path names (`Node X ...`, `Pod ns/x ...`,
    `Event ns/e on pod P`, `nodePools[P]...`, `... in namespace NS`), else the finding's subject
    (field paths like `spec.podSelector` are the subject's own)."""
    subject = ObjectRef.of(finding.subject)
    path = str(getattr(evidence, "path", "") or "")
    event = _EVENT_PATH.match(path)
    if event:
        return ObjectRef("Pod", event.group(1), event.group(2))
    pool = _POOL_PATH.match(path)
    if pool:
        return ObjectRef("NodePool", None, pool.group(1))
    if path.startswith("cluster."):
        return ObjectRef("Cluster", None, subject.name if subject.kind == "Cluster" else "cluster")
    match = _KIND_PATH.match(path)
    if match:
        kind = _KIND_WORDS.get(match.group(1).lower())
        namespace, name = match.group(2), match.group(3)
        if kind is not None:
            if kind in ("Node", "NodePool", "Namespace", "CiliumClusterwideNetworkPolicy"):
                return ObjectRef(kind, None if kind != "Namespace" else name, name)
            if namespace is None and subject.namespace:
                namespace = subject.namespace
            if namespace is not None:
                return ObjectRef(kind, namespace, name)
    scope = _IN_NAMESPACE.search(path)
    if scope and not path.startswith(("spec.", "metadata.")):
        return ObjectRef("Namespace", scope.group(1), scope.group(1))
    return subject


def find_object(snapshot: Snapshot | None, ref: ObjectRef) -> object | None:
    """The snapshot object `ref` names, or None (a linear scan: 100,000 pods take ~10 ms)."""
    return find_subject(snapshot, ref)


_SUBJECT_FIELDS = {"Pod": "pods", "Node": "nodes", "NetworkPolicy": "policies", "Service": "services",
                   "Namespace": "namespaces", "Ingress": "ingresses"}


def find_subject(snapshot: Snapshot | None, subject: Named) -> object | None:
    """The snapshot object a finding is about, or None."""
    if snapshot is None:
        return None
    kind, namespace, name = subject.kind, subject.namespace, subject.name
    if kind == "Cluster":
        return snapshot.cluster
    if kind == "NodePool" and snapshot.cluster is not None:
        return next((pool for pool in snapshot.cluster.node_pools if pool.name == name), None)
    if kind == "FQDNNetworkPolicy":
        return next((p for p in snapshot.fqdn_policies if p.name == name and p.namespace == namespace), None)
    if kind in ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"):
        scope = None if kind == "CiliumClusterwideNetworkPolicy" else namespace
        return next((p for p in snapshot.cilium_policies if p.name == name and p.namespace == scope), None)
    field = _SUBJECT_FIELDS.get(kind)
    if field is not None:
        for obj in getattr(snapshot, field):
            if obj.name == name and getattr(obj, "namespace", None) in (namespace, None):
                return obj
        return None
    return next((w for w in snapshot.workloads if w.kind == kind and w.name == name and w.namespace == namespace),
                None)


def policy_ref(policy: NetworkPolicy | FqdnNetworkPolicy | CiliumPolicy) -> ObjectRef:
    """The ObjectRef of an FQDNNetworkPolicy or Cilium policy (a CCNP has no namespace)."""
    if getattr(policy, "short_kind", None) == "CCNP":
        return ObjectRef("CiliumClusterwideNetworkPolicy", None, policy.name)
    if getattr(policy, "short_kind", None) == "CNP":
        return ObjectRef("CiliumNetworkPolicy", policy.namespace, policy.name)
    if hasattr(policy, "pod_selector") and hasattr(policy, "policy_types"):
        return ObjectRef("NetworkPolicy", policy.namespace, policy.name)
    return ObjectRef("FQDNNetworkPolicy", policy.namespace, policy.name)


def rule_object_ref(ref: RuleRef) -> ObjectRef:
    """The object holding a verdict's deciding rule (a `RuleRef` or `KindRuleRef`), by its kind."""
    kind = getattr(ref, "kind", "")
    if kind == "CCNP":
        return ObjectRef("CiliumClusterwideNetworkPolicy", None, ref.name)
    if kind == "CNP":
        return ObjectRef("CiliumNetworkPolicy", ref.namespace, ref.name)
    if kind == "FQDNNetworkPolicy":
        return ObjectRef("FQDNNetworkPolicy", ref.namespace, ref.name)
    return ObjectRef("NetworkPolicy", ref.namespace, ref.name)


def policy_link(ref: ObjectRef) -> str:
    """The `--policy` value naming exactly this policy: `netpol/shop/x`, `fqdn/shop/x`, `ccnp/x`."""
    word = next(word for word, kind in LINK_KINDS.items() if kind == ref.kind)
    return f"{word}/{ref.namespace}/{ref.name}" if ref.namespace else f"{word}/{ref.name}"


def policy_candidates(snapshot: Snapshot | None, ref: ObjectRef) -> list[ObjectRef]:
    """The policies an `ANY_POLICY` ref may name, of every kind, in the snapshot's order per kind:
    with a namespace the NetworkPolicy, FQDNNetworkPolicy and CiliumNetworkPolicy of that
    namespace and name; without one, the CiliumClusterwideNetworkPolicy of that name and the
    policies of every kind and namespace with that name."""
    if snapshot is None:
        return []
    name, namespace = ref.name, ref.namespace
    found: list[ObjectRef] = []
    if namespace is None:
        found += [policy_ref(p) for p in snapshot.cilium_policies if p.namespace is None and p.name == name]
    policies: tuple[NetworkPolicy | FqdnNetworkPolicy | CiliumPolicy, ...] = (
        *snapshot.policies, *snapshot.fqdn_policies, *snapshot.cilium_policies)
    for policy in policies:
        if policy.name == name and policy.namespace is not None and namespace in (None, policy.namespace):
            found.append(policy_ref(policy))
    return found
