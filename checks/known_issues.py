"""Known GKE / Calico issues: KI001-KI003 (gke-facts 3 and 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from netpol_tui.checks.context import CheckUnknown, Context, Hit, commands
from netpol_tui.checks.gke_common import need_enforcement
from netpol_tui.checks.manifests import json_pointer_escape
from netpol_tui.checks.model import Evidence, Subject
from netpol_tui.model.objects import CALICO_READY_LABEL, MASQ_READY_LABEL, Node, Origin, Pod, Workload
from netpol_tui.model.snapshot import Kind
from netpol_tui.shell import ShellCommand, gcloud, kubectl, objects
from netpol_tui.text import listed, plural
from netpol_tui.versions import GkeVersion, in_range

#: (minor, last affected version or None for the whole minor, first fixed version) - gke-facts 10.
STATEFULSET_TERMINATION_RANGES = (
    ((1, 18), None, "1.19.16-gke.100"),
    ((1, 19), "1.19.16-gke.99", "1.19.16-gke.100"),
    ((1, 20), "1.20.11-gke.1299", "1.20.11-gke.1300"),
    ((1, 21), "1.21.4-gke.1499", "1.21.4-gke.1500"),
)
IPAM_EVENT_TEXT = "ipAddrs is not compatible with configured IPAM"
IPADDRS_ANNOTATION = "cni.projectcalico.org/ipAddrs"
ADDON_MANAGER_LABEL = "addonmanager.kubernetes.io/mode"
#: Manually deployed agent -> the node label its DaemonSet waits for.
MANUAL_AGENTS = {"ip-masq-agent": MASQ_READY_LABEL, "calico-node": CALICO_READY_LABEL}


def affected_statefulset_fix(version: GkeVersion) -> str | None:
    """The first fixed version when `version` has the StatefulSet termination bug, else None."""
    for minor, last, fixed in STATEFULSET_TERMINATION_RANGES:
        if version.minor_version == minor and (last is None or in_range(version, None, last)):
            return fixed
    return None


def check_calico_statefulset_termination(ctx: Context) -> Iterator[Hit]:
    """StatefulSet pods may lose their connections while terminating (Calico issue 4710).

    With Calico enforcement on affected GKE versions, when a StatefulSet pod is deleted, a
    late CNI delete for the old pod clears the `cni.projectcalico.org/podIP` annotation of its
    successor with the same name, and clients holding connections to the terminating pod are
    cut off during its termination grace period. Fixed in 1.19.16-gke.100, 1.20.11-gke.1300
    and 1.21.4-gke.1500.
    """
    cluster = need_enforcement(ctx)
    if not cluster.calico_enforcement:
        return
    version = ctx.need_version()
    fixed = affected_statefulset_fix(version)
    if fixed is None:
        return
    ctx.need(Kind.POD)
    owners: dict[tuple[str, str], list[Pod]] = {}
    for pod in ctx.live_pods:
        if pod.owner_kind == "StatefulSet" and pod.owner_name:
            owners.setdefault((pod.namespace, pod.owner_name), []).append(pod)
    if not owners:
        return
    identity = ctx.identity
    cmds, placeholders = commands(
        (gcloud(("container", "clusters", "upgrade"), identity.name,
                ("--master", f"--cluster-version={fixed}", *identity.flag_args), identity.placeholders),
         f"upgrade the control plane to {fixed}, the first fixed version for {version.major}.{version.minor} "
         "(or any later version)"))
    statefulsets = [f"{ns}/{name} ({plural(len(pods), 'pod')})" for (ns, name), pods in sorted(owners.items())]
    yield Hit(Subject("Cluster", None, identity.name),
              f"Cluster {identity.name} runs GKE {version} with Calico enforcement, which cuts connections to "
              f"terminating StatefulSet pods; upgrade the control plane to {fixed} or later.",
              (Evidence("cluster.currentMasterVersion", str(version), f"{fixed} or later"),
               Evidence("cluster.networkPolicy.enabled", "true (Calico)"),
               Evidence("StatefulSets with live pods", f"{len(statefulsets)}: {listed(statefulsets)}")),
              cmds, placeholders=placeholders, origin=cluster.origin)


def _owner(ctx: Context, pod: Pod) -> tuple[str, str] | None:
    """The workload that owns a pod: a ReplicaSet's Deployment when it has one."""
    if not pod.owner_kind or not pod.owner_name:
        return None
    if pod.owner_kind == "ReplicaSet":
        template_hash = pod.labels.get("pod-template-hash")
        if template_hash and pod.owner_name.endswith("-" + template_hash):
            deployment = pod.owner_name[: -len(template_hash) - 1]
            known = {(w.kind, w.namespace, w.name) for w in ctx.snapshot.workloads}
            if ("Deployment", pod.namespace, deployment) in known or not ctx.snapshot.has(Kind.WORKLOAD):
                return ("Deployment", deployment)
    return (pod.owner_kind, pod.owner_name)


def _remove_annotation_command(kind: str, namespace: str, name: str) -> ShellCommand:
    if kind == "Pod":
        return kubectl("annotate", *objects("pod", name), f"{IPADDRS_ANNOTATION}-", namespace=namespace)
    base = "/spec/jobTemplate/spec/template" if kind == "CronJob" else "/spec/template"
    patch = json.dumps([{"op": "remove",
                         "path": f"{base}/metadata/annotations/{json_pointer_escape(IPADDRS_ANNOTATION)}"}],
                       separators=(",", ":"))
    return kubectl("patch", *objects(kind.lower(), name), "--type=json", "-p", patch, namespace=namespace)


def check_calico_ipam_host_local(ctx: Context) -> Iterator[Hit]:
    """Pods request fixed IPs with `cni.projectcalico.org/ipAddrs`, which GKE's Calico IPAM cannot honour.

    GKE's Calico uses host-local IPAM; the `cni.projectcalico.org/ipAddrs` annotation needs
    calico-ipam, so pods carrying it stay in ContainerCreating with the event `plugin
    type="calico" failed (add): ipAddrs is not compatible with configured IPAM: host-local`.
    Remove the annotation from the pod template.
    """
    cluster = need_enforcement(ctx)
    if cluster.is_dataplane_v2 or not (cluster.calico_enforcement or cluster.addon_enabled):
        return
    ctx.need(Kind.POD)
    found: dict[tuple[str, str, str], list[Evidence]] = {}
    origins: dict[tuple[str, str, str], Origin | None] = {}

    def add(kind: str, namespace: str, name: str, evidence: Evidence, origin: Origin | None) -> None:
        found.setdefault((kind, namespace, name), []).append(evidence)
        origins.setdefault((kind, namespace, name), origin)

    if ctx.kind_missing(Kind.EVENT) is None:
        events = [event for event in ctx.snapshot.events
                  if IPAM_EVENT_TEXT in event.message and event.involved_kind in ("Pod", "")]
        pods = {pod.key: pod for pod in ctx.snapshot.pods} if events else {}
        for event in events:
            pod = pods.get((event.involved_namespace, event.involved_name))
            owner = _owner(ctx, pod) if pod is not None else None
            kind, name = owner if owner else ("Pod", event.involved_name)
            add(kind, event.involved_namespace, name,
                Evidence(f"Event {event.namespace}/{event.name} on pod {event.involved_name}",
                         f"{event.reason}: {event.message}".strip(": "), "no IPAM error"), event.origin)
    else:
        ctx.partial(ctx.kind_missing(Kind.EVENT) or "events were not loaded")
    for pod in ctx.live_pods:
        if IPADDRS_ANNOTATION in pod.annotations:
            owner = _owner(ctx, pod)
            kind, name = owner if owner else ("Pod", pod.name)
            add(kind, pod.namespace, name,
                Evidence(f"Pod {pod.namespace}/{pod.name} metadata.annotations[{IPADDRS_ANNOTATION}]",
                         f"{pod.annotations[IPADDRS_ANNOTATION]} ({pod.phase}"
                         + (f", {', '.join(pod.waiting_reasons)})" if pod.waiting_reasons else ")"), "absent"),
                pod.origin)
    for workload in ctx.snapshot.workloads:
        if IPADDRS_ANNOTATION in workload.template_annotations and workload.kind != "ReplicaSet":
            add(workload.kind, workload.namespace, workload.name,
                Evidence(f"{workload.kind} {workload.namespace}/{workload.name} "
                         f"spec.template.metadata.annotations[{IPADDRS_ANNOTATION}]",
                         workload.template_annotations[IPADDRS_ANNOTATION], "absent"), workload.origin)
    for (kind, namespace, name), evidence in sorted(found.items()):
        cmds, placeholders = commands(
            (_remove_annotation_command(kind, namespace, name),
             "remove the annotation (GKE's Calico uses host-local IPAM)"
             + ("; the pods are recreated without it" if kind != "Pod" else "; then delete the pod so it is recreated")))
        yield Hit(Subject(kind, namespace, name),
                  f"{kind} {namespace}/{name} asks Calico for fixed pod IPs ({IPADDRS_ANNOTATION}), which GKE's "
                  "host-local IPAM cannot honour: its pods get stuck in ContainerCreating.",
                  tuple(evidence[:20]), cmds, placeholders=placeholders, origin=origins.get((kind, namespace, name)))


def _agent(labels: dict[str, str], name: str) -> str | None:
    for agent in MANUAL_AGENTS:
        if labels.get("k8s-app") == agent or name == agent:
            return agent
    return None


def _eligible(node: Node, node_selector: dict[str, str], label: str) -> bool:
    """The node matches the DaemonSet's nodeSelector apart from the readiness label."""
    return all(node.labels.get(k) == v for k, v in node_selector.items() if k != label)


def check_manual_daemonset_unscheduled(ctx: Context) -> Iterator[Hit]:
    """A manually deployed ip-masq-agent or calico-node cannot schedule onto nodes not yet recreated.

    Once enforcement is enabled on the control plane, self-managed ip-masq-agent and
    calico-node DaemonSets only run on nodes labelled `node.kubernetes.io/masq-agent-ds-ready=true`
    / `projectcalico.org/ds-ready=true`, which nodes get when they are recreated. Labelling the
    remaining nodes by hand shortens the gap.
    """
    ctx.need(Kind.NODE)
    if ctx.kind_missing(Kind.WORKLOAD) and ctx.kind_missing(Kind.POD):
        raise CheckUnknown(ctx.kind_missing(Kind.WORKLOAD) or "")
    pods_by_owner: dict[tuple[str, str], list[Pod]] = {}
    for pod in ctx.live_pods:
        if pod.owner_kind == "DaemonSet" and pod.owner_name:
            pods_by_owner.setdefault((pod.namespace, pod.owner_name), []).append(pod)
    daemonsets: list[Workload] = [w for w in ctx.snapshot.workloads if w.kind == "DaemonSet"]
    known = {(w.namespace, w.name) for w in daemonsets}
    candidates: list[tuple[str, Workload | None, list[Pod]]] = []
    for daemonset in daemonsets:
        agent = _agent({**daemonset.labels, **daemonset.template_labels}, daemonset.name)
        if agent and ADDON_MANAGER_LABEL not in daemonset.labels:
            candidates.append((agent, daemonset, pods_by_owner.get(daemonset.key, [])))
    loose: dict[tuple[str, str], list[Pod]] = {}
    for pod in ctx.live_pods:
        agent = _agent(pod.labels, pod.owner_name or "")
        if not agent or ADDON_MANAGER_LABEL in pod.labels:
            continue
        owner = (pod.namespace, pod.owner_name or pod.name)
        if owner in known:
            continue
        loose.setdefault(owner, []).append(pod)
    for pods in loose.values():
        candidates.append((_agent(pods[0].labels, pods[0].owner_name or "") or "", None, pods))
    for agent, workload, pods in sorted(candidates, key=lambda c: (c[2][0].key if c[2] else ("", ""),
                                                                   c[1].key if c[1] else ("", ""))):
        label = MANUAL_AGENTS[agent]
        node_selector = workload.template_node_selector if workload else {}
        missing = sorted(n.name for n in ctx.snapshot.nodes
                         if n.labels.get(label) != "true" and _eligible(n, node_selector, label))
        if not missing:
            continue
        unscheduled = [p for p in pods if not p.node_name and p.phase == "Pending"]
        eligible = sum(1 for n in ctx.snapshot.nodes if _eligible(n, node_selector, label))
        short = (workload is not None and workload.desired_scheduled is not None
                 and workload.desired_scheduled < eligible)
        if not (unscheduled or short or label in node_selector):
            continue
        evidence = []
        if workload is not None:
            subject = Subject("DaemonSet", workload.namespace, workload.name)
            evidence.append(Evidence(f"DaemonSet {workload.namespace}/{workload.name} status.desiredNumberScheduled",
                                     str(workload.desired_scheduled), f"{eligible} (eligible nodes)"))
            if label in node_selector:
                evidence.append(Evidence("spec.template.spec.nodeSelector", f"{label}={node_selector[label]}"))
            origin = workload.origin
        else:
            first = unscheduled[0] if unscheduled else pods[0]
            subject = Subject("Pod", first.namespace, first.name)
            origin = first.origin
        if unscheduled:
            names = sorted(f"{p.namespace}/{p.name}" for p in unscheduled)
            evidence.append(Evidence("unscheduled pods", f"{len(names)}: {listed(names)}", "scheduled"))
        evidence.append(Evidence(f"Nodes without {label}=true", f"{len(missing)}: {listed(missing)}"))
        cmds, placeholders = commands(
            (kubectl("label", *objects("nodes", *missing), f"{label}=true"),
             f"label exactly the nodes {agent} is waiting for, so it schedules before they are recreated"))
        yield Hit(subject, f"Manually deployed {agent} cannot run on {plural(len(missing), 'node')} that "
                           f"{'lacks' if len(missing) == 1 else 'lack'} {label}=true until "
                           f"{'it is' if len(missing) == 1 else 'they are'} recreated or labelled by hand.",
                  tuple(evidence), cmds, placeholders=placeholders, origin=origin)
