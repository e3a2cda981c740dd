"""Renderings for the Policies screen and the Explain form, built from engine answers.

Run in worker threads: they call the engine (which may take a moment on a big cluster) and
return rich renderables made of cleaned text. No policy logic here, only presentation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from rich.console import Group
from rich.text import Text

from netpol_tui.screens import kind_views
from netpol_tui.screens.views import cell, plural
from netpol_tui.text import clean
from netpol_tui.widgets.describe import describe_policy, selector
from netpol_tui.widgets.verdicts import (
    VERDICT_BADGES,
    VERDICT_STYLES,
    VERDICT_WORDS,
    explain_block,
    explain_text,
    unknown_lines,
    verdict_block,
)
from netpol_tui.widgets.virtual_list import Row

if TYPE_CHECKING:
    from netpol_tui.model.objects import Pod, Service
    from netpol_tui.model.policy import NetworkPolicy
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.screens.kind_views import KindKey

#: What a row of the Policies list holds: its kind code and the object (a namespace by its name).
#: `key[0] == "pod"` narrows the key to a pod's (unpacking `kind, obj = key` would not).
PolicyRowKey: TypeAlias = ("tuple[Literal['ns'], str] | tuple[Literal['pol'], NetworkPolicy] | "
                           "tuple[Literal['svc'], Service] | tuple[Literal['pod'], Pod] | KindKey")

MAX_PODS_LISTED = 60
MAX_POLICIES_LISTED = 100
TICK, CROSS = "✓", "✗"


_NS_STYLES = ("bold", "bold", None, "dim")
_POLICY_STYLES = ("cyan", None, "cyan", "dim")
_POD_STYLES = (None, None, None, "dim")
_SERVICE_STYLES = ("magenta", None, "magenta", "dim")
_PENDING_POD_STYLES = (None, None, None, "yellow")


def _safe(text: str, limit: int) -> str:
    """`cell` with the common case inlined: this runs for every pod of a 100,000-pod cluster."""
    return text if len(text) <= limit and text.isascii() and text.isprintable() else cell(text, limit)


def object_rows(snapshot: Snapshot, previous: dict[int, Row[PolicyRowKey]] | None = None,
                fresh: dict[int, Row[PolicyRowKey]] | None = None) -> Iterator[Row[PolicyRowKey] | None]:
    """Namespaces, then each namespace's policies and pods: one filterable list. Generated, so the
    screen can build it in slices between keystrokes; None is a checkpoint without a row.

    While the console follows a cluster, each snapshot shares every unchanged pod, policy and
    Service object with the one before: `previous` (id of the object -> its row, from the last
    build) lets those rows be reused instead of formatted again, and `fresh` is filled the same
    way for the next build. A row is reused only when its key holds the very same object, so an
    id that Python gave to another object since is never taken for it.
    """
    reuse = previous or {}
    keep: dict[int, Row[PolicyRowKey]] = fresh if fresh is not None else {}
    pods_by_ns: dict[str, list[Any]] = {}
    for index, pod in enumerate(snapshot.pods):
        pods_by_ns.setdefault(pod.namespace, []).append(pod)
        if not index & 4095:
            yield None
    policies_by_ns: dict[str, list[Any]] = {}
    for policy in snapshot.policies:
        policies_by_ns.setdefault(policy.namespace, []).append(policy)
    services_by_ns: dict[str, list[Any]] = {}
    for service in snapshot.services:
        services_by_ns.setdefault(service.namespace, []).append(service)
    kinds_by_ns = kind_views.namespaced_by_ns(snapshot)
    yield None
    names = sorted({ns.name for ns in snapshot.namespaces} | set(pods_by_ns) | set(policies_by_ns) | set(kinds_by_ns))
    join_pair = "=".join
    ns_labels = {ns.name: ",".join(map(join_pair, ns.labels.items())).lower() for ns in snapshot.namespaces}
    for name in names:
        pods = sorted(pods_by_ns.get(name, ()), key=lambda p: p.name)
        policies = sorted(policies_by_ns.get(name, ()), key=lambda p: p.name)
        kinds = kinds_by_ns.get(name, [])
        ns_cell = _safe(name, 120)
        summary = f"{plural(len(pods), 'pod')}, {plural(len(policies) + len(kinds), 'policy')}"
        # The filter matches kind, namespace, name and labels: never the "8 pods" summary.
        yield Row(("ns", ns_cell, "", summary), ("ns", name), f"ns {ns_cell.lower()}  {ns_labels.get(name, '')}",
                  _NS_STYLES)
        for policy in policies:
            row = reuse.get(id(policy))
            if row is None or row.key[1] is not policy:
                info = f"{_safe(selector(policy.pod_selector), 200)}  {'/'.join(policy.policy_types)}"
                policy_name = _safe(policy.name, 300)
                row = Row(("pol", ns_cell, policy_name, info), ("pol", policy),
                          f"pol {ns_cell} {policy_name} {info}".lower(), _POLICY_STYLES)
            keep[id(policy)] = row
            yield row
        yield from kind_views.namespace_rows(kinds, ns_cell)
        for service in sorted(services_by_ns.get(name, ()), key=lambda s: s.name):
            row = reuse.get(id(service))
            if row is None or row.key[1] is not service:
                info = f"{_safe(service.type, 20)}  selector {_safe(','.join(map(join_pair, (service.selector or {}).items())) or '<none>', 200)}"
                service_name = _safe(service.name, 120)
                row = Row(("svc", ns_cell, service_name, info), ("svc", service),
                          f"svc {ns_cell} {service_name} {info}".lower(), _SERVICE_STYLES)
            keep[id(service)] = row
            yield row
        for pod in pods:
            row = reuse.get(id(pod))
            if row is None or row.key[1] is not pod:
                labels = _safe(",".join(map(join_pair, pod.labels.items())), 300)
                if pod.phase != "Running":
                    labels = f"[{_safe(pod.phase, 20)}] {labels}"
                    styles = _PENDING_POD_STYLES
                else:
                    styles = _POD_STYLES
                pod_name = _safe(pod.name, 300)
                row = Row(("pod", ns_cell, pod_name, labels), ("pod", pod),
                          f"pod {ns_cell} {pod_name} {labels}".lower(), styles)
            keep[id(pod)] = row
            yield row
    yield from kind_views.cluster_rows(snapshot)


def _labels(labels: dict[str, str]) -> Text:
    if not labels:
        return Text("<none>", style="dim")
    text = Text()
    for key, value in labels.items():
        text.append(cell(f"{key}={value}", 200), style="cyan")
        text.append("  ")
    return text


def _terms_line(terms: Any, indent: str = "      ") -> Text:
    text = Text(indent)
    if not terms:
        text.append(f"{TICK} <all pods> (empty podSelector)", style="green")
        return text
    for term in terms:
        text.append(f"{TICK if term.matched else CROSS} {cell(term.text, 200)}",
                    style="green" if term.matched else "bold red")
        text.append("   ")
    return text


def pod_details(engine: Any, pod: Any) -> Group:
    """Labels, isolation, the policies selecting the pod (terms matched) and the near misses."""
    parts: list[Any] = [
        Text.assemble(("Pod ", "bold"), (cell(f"{pod.namespace}/{pod.name}", 200), "bold"), "   ",
                      (cell(pod.phase, 30), "green" if pod.phase == "Running" else "yellow"),
                      f"   IP {cell(pod.ip or 'none', 45)}   node {cell(pod.node_name or '-', 100)}"),
        Text.assemble(("Labels  ", "bold"), _labels(pod.labels)),
    ]
    if pod.host_network:
        parts.append(Text("hostNetwork pod: NetworkPolicy does not apply to it.", style="yellow"))
    if engine is None:
        parts.append(Text("Indexing policies…", style="dim"))
        return Group(*parts)
    missing = _policies_missing(engine)
    if missing is not None:
        parts.append(Text.assemble(("Isolation  ", "bold"), ("unknown", VERDICT_STYLES[None])))
        parts.append(Text("  " + clean(missing, 600)))
        parts.append(Text("\ne explains a connection to or from this pod", style="dim"))
        return Group(*parts)
    isolation = []
    for direction in ("Ingress", "Egress"):
        isolated = engine.is_isolated(pod, direction)
        isolation.append(Text(f"{direction.lower()} {'isolated' if isolated else 'not isolated'}",
                              style="yellow" if isolated else "dim"))
    parts.append(Text.assemble(("Isolation  ", "bold"), isolation[0], " · ", isolation[1],
                               (f"   ({engine.dataplane.title})", "dim")))
    kind_lines = kind_views.pod_kind_lines(engine, pod)
    if kind_lines:
        parts[-1].append("   (NetworkPolicy only: the policy kinds below may isolate it too)", style="dim")
    selecting = engine.policies_selecting(pod)
    parts.append(Text(f"\nPolicies selecting this pod ({len(selecting)})", style="bold underline"))
    if not selecting:
        parts.append(Text("  none: no NetworkPolicy selects this pod." if kind_lines else
                          "  none: no policy selects this pod, so all its traffic is allowed.", style="dim"))
    for policy in selecting[:MAX_POLICIES_LISTED]:
        parts.append(Text.assemble(f"  {TICK} ", (cell(policy.name, 120), "bold green"),
                                   (f"   {'/'.join(policy.policy_types)}", "dim")))
        parts.append(_terms_line(engine.explain_selector(policy.pod_selector, pod.labels)))
    parts.extend(kind_lines)
    misses = engine.non_selecting_policies(pod)
    parts.append(Text(f"\nPolicies in {cell(pod.namespace, 80)} that do not select it ({len(misses)})",
                      style="bold underline"))
    if not misses:
        parts.append(Text("  none", style="dim"))
    for miss in sorted(misses, key=lambda m: not m.near_miss)[:MAX_POLICIES_LISTED]:
        parts.append(Text.assemble(f"  {CROSS} ", (cell(miss.policy.name, 120), "bold"),
                                   ("   near miss" if miss.near_miss else "", "bold yellow")))
        parts.append(_terms_line(miss.terms))
        for term in miss.failing:
            parts.append(Text(f"      needs {cell(term.text, 200)}, pod has {cell(term.actual, 200)}", style="red"))
            if term.hint:
                parts.append(Text(f"      hint: {cell(term.hint, 300)}", style="bold yellow"))
    parts.append(Text("\ne explains a connection to or from this pod", style="dim"))
    return Group(*parts)


def _policies_missing(engine: Any) -> str | None:
    """Why isolation cannot be shown (NetworkPolicies not read), or None."""
    from netpol_tui.model.snapshot import Kind

    unread = getattr(engine, "unread", None)
    if unread is not None and Kind.NETWORK_POLICY in unread:
        return unread.sentence(Kind.NETWORK_POLICY)
    return None


def policy_details(engine: Any, policy: Any) -> Group:
    parts: list[Any] = [describe_policy(policy)]
    if engine is None:
        parts.append(Text("Indexing policies…", style="dim"))
        return Group(*parts)
    pods = engine.pods_selected_by(policy)
    live = [pod for pod in pods if pod.is_live]
    parts.append(Text(f"Selects {plural(len(live), 'live pod')}"
                      + (f" ({len(pods) - len(live)} finished)" if len(pods) != len(live) else ""),
                      style="bold underline"))
    if not pods:
        parts.append(Text("  no pod: the podSelector matches nothing in this namespace (see NP001).", style="yellow"))
    for pod in pods[:MAX_PODS_LISTED]:
        parts.append(Text.assemble("  ", (cell(pod.name, 120), "bold"), "  ", _labels(pod.labels)))
    if len(pods) > MAX_PODS_LISTED:
        parts.append(Text(f"  … {len(pods) - MAX_PODS_LISTED} more", style="dim"))
    return Group(*parts)


def service_details(engine: Any, snapshot: Any, service: Any) -> Group:
    """Type, addresses, ports, selector and the pods it sends to (policy applies to those pods)."""
    from netpol_tui.screens.related import service_pods

    ports = ", ".join(f"{port.port}/{port.protocol}" + (f"->{port.target_port}" if port.target_port else "")
                      for port in service.ports) or "none"
    parts: list[Any] = [
        Text.assemble(("Service ", "bold"), (cell(f"{service.namespace}/{service.name}", 200), "bold"),
                      f"   {cell(service.type, 30)}   IP {cell(', '.join(service.cluster_ips) or 'none', 100)}"),
        Text.assemble(("Ports  ", "bold"), cell(ports, 300)),
        Text.assemble(("Selector  ", "bold"), _labels(service.selector) if service.selector is not None
                      else Text("none (endpoints managed by hand)", style="yellow")),
    ]
    pods = service_pods(snapshot, service)
    parts.append(Text(f"\nSends to {plural(len(pods), 'pod')}", style="bold underline"))
    for pod in pods[:MAX_PODS_LISTED]:
        parts.append(Text.assemble("  ", (cell(pod.name, 120), "bold"), "  ", _labels(pod.labels)))
    if len(pods) > MAX_PODS_LISTED:
        parts.append(Text(f"  … {len(pods) - MAX_PODS_LISTED} more", style="dim"))
    parts.append(Text("\ne explains a connection to this Service", style="dim"))
    return Group(*parts)


def namespace_details(engine: Any, snapshot: Any, name: str) -> Group:
    labels = snapshot.namespace_labels(name)
    pods = [pod for pod in snapshot.pods if pod.namespace == name]
    policies = [policy for policy in snapshot.policies if policy.namespace == name]
    kinds = kind_views.namespaced_by_ns(snapshot).get(name, [])
    parts: list[Any] = [Text.assemble(("Namespace ", "bold"), (cell(name, 120), "bold")),
                        Text.assemble(("Labels  ", "bold"), _labels(labels)),
                        Text(f"{plural(len(pods), 'pod')} · {plural(len(policies), 'policy')}"
                             + (f" · {len(kinds)} of other kinds (FQDN, Cilium)" if kinds else ""))]
    missing = _policies_missing(engine) if engine is not None else None
    if missing is not None:
        parts.append(Text("Which pods policies isolate is unknown: " + clean(missing, 600)))
    elif engine is not None and pods:
        unselected = [pod for pod in pods if pod.is_live and not engine.policies_selecting(pod)
                      and not engine.kind_policies_selecting(pod)]
        if unselected:
            many = len(unselected) != 1
            parts.append(Text(f"{len(unselected)} live pod{'s are' if many else ' is'} selected by no policy "
                              "(all traffic to and from it is allowed)", style="yellow"))
    for policy in policies[:MAX_POLICIES_LISTED]:
        parts.append(Text.assemble("  ", (cell(policy.name, 120), "cyan"), "  PodSelector ",
                                   selector(policy.pod_selector), f"  {'/'.join(policy.policy_types)}"))
    for policy in kinds[:MAX_POLICIES_LISTED]:
        parts.append(Text.assemble("  ", (cell(policy.label, 160), "bright_magenta")))
    return Group(*parts)


# The explain renderings live in netpol_tui/widgets/verdicts.py (the Explain dialog uses them too,
# and dialogs do not import screens); re-exported for the screens and tests that use them here.
__all__ = ["VERDICT_BADGES", "VERDICT_STYLES", "VERDICT_WORDS", "explain_block", "explain_text", "namespace_details",
           "object_rows", "pod_details", "policy_details", "service_details", "unknown_lines", "verdict_block"]
