"""The objects a Policies detail names, as a list to go to: a pod's policies, a policy's pods.

Computed in the details worker beside the detail text (the engine answers are the same), so
the list and the text never disagree. Each entry is (label, ObjectRef); labels are cleaned
plain text.
"""

from __future__ import annotations

from typing import Any

from netpol_tui.refs import policy_ref
from netpol_tui.screens.navigation import ObjectRef
from netpol_tui.screens.views import cell

MAX_RELATED = 200


def _pod(pod: Any, why: str = "") -> tuple[str, ObjectRef]:
    return f"pod {cell(pod.name, 120)}{why}", ObjectRef("Pod", pod.namespace, pod.name)


def _policy(policy: Any, why: str) -> tuple[str, ObjectRef]:
    return f"policy {cell(policy.name, 120)}{why}", ObjectRef("NetworkPolicy", policy.namespace, policy.name)


def _kind_policy(policy: Any, why: str) -> tuple[str, ObjectRef]:
    return f"{cell(policy.label, 160)}{why}", policy_ref(policy)


def _namespace(name: str) -> tuple[str, ObjectRef]:
    return f"namespace {cell(name, 120)}", ObjectRef("Namespace", name, name)


def service_pods(snapshot: Any, service: Any) -> list[Any]:
    """The pods a Service's selector picks in its namespace (none without a selector)."""
    selector = service.selector
    if not selector:
        return []
    return [pod for pod in snapshot.pods if pod.namespace == service.namespace
            and all(pod.labels.get(key) == value for key, value in selector.items())]


def related_objects(engine: Any, snapshot: Any, kind: str, obj: Any) -> list[tuple[str, ObjectRef]]:
    """What the detail of (kind, obj) names, in the order the detail shows it."""
    out: list[tuple[str, ObjectRef]] = []
    if kind == "pod":
        if engine is not None:
            out += [_policy(policy, "  (selects this pod)") for policy in engine.policies_selecting(obj)]
            out += [_kind_policy(selection.policy, "  (selects this pod)" if selection.selected else "  (may select it)")
                    for selection in engine.kind_policies_selecting(obj)]
            misses = sorted(engine.non_selecting_policies(obj), key=lambda miss: not miss.near_miss)
            out += [_policy(miss.policy, "  (near miss)" if miss.near_miss else "  (does not select it)")
                    for miss in misses]
        out += [(f"svc {cell(service.name, 120)}  (sends to this pod)", ObjectRef("Service", service.namespace,
                                                                                   service.name))
                for service in snapshot.services if service.namespace == obj.namespace and service.selector
                and all(obj.labels.get(key) == value for key, value in service.selector.items())]
        if obj.node_name:
            out.append((f"node {cell(obj.node_name, 120)}", ObjectRef("Node", None, obj.node_name)))
        out.append(_namespace(obj.namespace))
    elif kind == "pol":
        if engine is not None:
            out += [_pod(pod, "" if pod.is_live else "  (finished)") for pod in engine.pods_selected_by(obj)]
        out.append(_namespace(obj.namespace))
    elif kind in ("fqdn", "cnp", "ccnp"):
        if engine is not None:
            out += [(f"pod {cell(f'{pod.namespace}/{pod.name}', 200)}" + ("  (maybe)" if state is None else ""),
                     ObjectRef("Pod", pod.namespace, pod.name))
                    for pod, state in engine.pods_selected_by_kind(obj)[:MAX_RELATED]]
        if obj.namespace is not None:
            out.append(_namespace(obj.namespace))
    elif kind == "svc":
        out += [_pod(pod) for pod in service_pods(snapshot, obj)]
        out.append(_namespace(obj.namespace))
    else:
        out += [_policy(policy, "") for policy in snapshot.policies if policy.namespace == obj]
        out += [_kind_policy(policy, "") for policy in (*snapshot.fqdn_policies, *snapshot.cilium_policies)
                if policy.namespace == obj]
        out += [(f"svc {cell(service.name, 120)}", ObjectRef("Service", service.namespace, service.name))
                for service in snapshot.services if service.namespace == obj]
    return out[:MAX_RELATED]
