"""The Dataplane V2 policy kinds on the Policies screen: their rows, their details and the pod
view's section naming the ones that select a pod.

FQDNNetworkPolicy (`fqdn` rows) and CiliumNetworkPolicy (`cnp`) sit in their namespace beside
the NetworkPolicies (`pol`); CiliumClusterwideNetworkPolicy (`ccnp`) is cluster-scoped, so its
rows come after the namespaces with `(cluster)` in the NAMESPACE column. Details run in the
details worker (they ask the engine which pods a policy selects); the describe text is
`widgets/kind_describe.py`. Whether the dataplane enforces these kinds is said, never assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from rich.console import Group
from rich.text import Text

from netpol_tui.screens.views import cell, plural
from netpol_tui.widgets.describe import selector
from netpol_tui.widgets.kind_describe import describe_kind
from netpol_tui.widgets.virtual_list import Row

if TYPE_CHECKING:
    from netpol_tui.model.gke_policy import CiliumPolicy, FqdnNetworkPolicy

KindCode = Literal["fqdn", "cnp", "ccnp"]
#: The key of a Dataplane V2 kind's row in the Policies list: its code and the policy.
KindKey: TypeAlias = "tuple[KindCode, FqdnNetworkPolicy | CiliumPolicy]"

#: Row kind codes of the policy kinds, as the KIND column shows them.
KIND_CODES: tuple[KindCode, ...] = ("fqdn", "cnp", "ccnp")
#: The NAMESPACE cell of a cluster-scoped policy.
CLUSTER_CELL = "(cluster)"
#: kubectl resource names (with the API group: never confused with another CRD of that name).
RESOURCES = {"fqdn": "fqdnnetworkpolicies.networking.gke.io", "cnp": "ciliumnetworkpolicies.cilium.io",
             "ccnp": "ciliumclusterwidenetworkpolicies.cilium.io"}
_STYLES = {"fqdn": ("bright_cyan", None, "bright_cyan", "dim"), "cnp": ("bright_magenta", None, "bright_magenta", "dim"),
           "ccnp": ("bold bright_magenta", "dim", "bright_magenta", "dim")}
MAX_PODS_LISTED = 60
DV2_ONLY = "Enforced only by GKE Dataplane V2"


def kind_code(policy: Any) -> KindCode:
    """`fqdn`, `cnp` or `ccnp`."""
    if not hasattr(policy, "rules"):
        return "fqdn"
    return "ccnp" if policy.namespace is None else "cnp"


def _safe(text: str, limit: int) -> str:
    return text if len(text) <= limit and text.isascii() and text.isprintable() else cell(text, limit)


def _summary(policy: Any) -> str:
    """The LABELS / SELECTOR cell: the selector, then what the rules are about."""
    if kind_code(policy) == "fqdn":
        targets = [name for rule in policy.egress for name in (*rule.names, *rule.patterns)]
        shown = ", ".join(targets[:3]) + (f" +{len(targets) - 3}" if len(targets) > 3 else "")
        return f"{_safe(selector(policy.pod_selector), 200)}  egress to {_safe(shown or '<no name>', 200)}"
    selectors = []
    sections: list[str] = []
    for rule_set in policy.rules:
        chosen = rule_set.endpoint_selector if rule_set.endpoint_selector is not None else rule_set.node_selector
        selectors.append(("node " if rule_set.endpoint_selector is None else "") + selector(chosen))
        for name, rules in (("ingress", rule_set.ingress), ("ingressDeny", rule_set.ingress_deny),
                            ("egress", rule_set.egress), ("egressDeny", rule_set.egress_deny)):
            if rules and name not in sections:
                sections.append(name)
    extra = "  not evaluated: " + str(len(policy.unsupported)) if policy.unsupported else ""
    return f"{_safe(' | '.join(selectors) or '<no rule set>', 200)}  {'/'.join(sections) or 'no rules'}{extra}"


def _row(policy: FqdnNetworkPolicy | CiliumPolicy, ns_cell: str) -> Row[KindKey]:
    code = kind_code(policy)
    name = _safe(policy.name, 300)
    info = _summary(policy)
    return Row((code, ns_cell, name, info), (code, policy), f"{code} {ns_cell} {name} {info}".lower(), _STYLES[code])


def namespaced_by_ns(snapshot: Any) -> dict[str, list[Any]]:
    """FQDN policies and CNPs by namespace, each namespace's sorted by kind then name."""
    out: dict[str, list[Any]] = {}
    for policy in (*snapshot.fqdn_policies, *snapshot.cilium_policies):
        if policy.namespace is not None:
            out.setdefault(policy.namespace, []).append(policy)
    for policies in out.values():
        policies.sort(key=lambda p: (kind_code(p), p.name))
    return out


def namespace_rows(policies: list[Any], ns_cell: str) -> Iterator[Row[KindKey]]:
    for policy in policies:
        yield _row(policy, ns_cell)


def cluster_rows(snapshot: Any) -> Iterator[Row[KindKey]]:
    """The CiliumClusterwideNetworkPolicies, by name, after every namespace."""
    for policy in sorted((p for p in snapshot.cilium_policies if p.namespace is None), key=lambda p: p.name):
        yield _row(policy, CLUSTER_CELL)


def _enforcement(engine: Any) -> Text | None:
    """A line when the engine's dataplane does not enforce these kinds."""
    dataplane = str(getattr(engine, "dataplane", ""))
    if dataplane == "dataplane-v2":
        return None
    title = engine.dataplane.title if engine is not None else "this cluster"
    return Text(f"{DV2_ONLY}; verdicts under {title} ignore it.", style="yellow")


def kind_policy_details(engine: Any, policy: Any) -> Group:
    """The describe text, whether the dataplane enforces it, and the pods it selects (or may)."""
    parts: list[Any] = [describe_kind(policy)]
    if engine is None:
        parts.append(Text("Indexing policies…", style="dim"))
        return Group(*parts)
    warning = _enforcement(engine)
    if warning is not None:
        parts.append(warning)
    selected = engine.pods_selected_by_kind(policy)
    live = sum(1 for pod, _ in selected if pod.is_live)
    maybe = sum(1 for pod, state in selected if state is None and pod.is_live)
    parts.append(Text(f"Selects {plural(live, 'live pod')}" + (f" ({maybe} maybe)" if maybe else ""),
                      style="bold underline"))
    if not selected:
        parts.append(Text("  no pod: its selector matches no pod of the snapshot.", style="yellow"))
    scoped = kind_code(policy) == "ccnp"
    for pod, state in selected[:MAX_PODS_LISTED]:
        name = f"{pod.namespace}/{pod.name}" if scoped else pod.name
        parts.append(Text.assemble("  ", (cell(name, 160), "bold"),
                                   ("  maybe (a label netpol-tui does not know)" if state is None else "", "yellow"),
                                   ("" if pod.is_live else "  (finished)", "dim")))
    if len(selected) > MAX_PODS_LISTED:
        parts.append(Text(f"  … {len(selected) - MAX_PODS_LISTED} more", style="dim"))
    return Group(*parts)


def pod_kind_lines(engine: Any, pod: Any) -> list[Text]:
    """The pod view's section: the FQDN and Cilium policies selecting the pod (none: nothing)."""
    found = engine.kind_policies_selecting(pod) if engine is not None else ()
    if not found:
        return []
    lines = [Text(f"\nOther policy kinds selecting this pod ({len(found)})", style="bold underline")]
    warning = _enforcement(engine)
    if warning is not None:
        lines.append(Text.assemble("  ", warning))
    for selection in found:
        policy = selection.policy
        where = f"  {selection.where}" if selection.where != "spec" else ""
        lines.append(Text.assemble(f"  {'?' if selection.selected is None else '✓'} ",
                                   (cell(policy.label, 200), "bold bright_magenta" if kind_code(policy) != "fqdn"
                                    else "bold bright_cyan"),
                                   (f"{where}   {'/'.join(selection.sections) or 'no rules'}", "dim"),
                                   (" · may select it (a label netpol-tui does not know)"
                                    if selection.selected is None else "", "yellow")))
    return lines
