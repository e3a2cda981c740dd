"""The lists the live source reads, and paging through them with bounds on pages, objects and continue tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netpol_tui.model.snapshot import Kind
from netpol_tui.sources.kube_errors import GoneError, KubeFailure, KubeRequestError
from netpol_tui.sources.limits import (
    DEFAULT_LIMITS,
    ReadLimits,
)

if TYPE_CHECKING:
    from netpol_tui.sources.kube_client import KubeClient


PAGE_SIZE = 500


# ------------------------------------------------------------------------ resources


@dataclass(frozen=True)
class Resource:
    """One list the live source reads; `kind` is the Snapshot kind it feeds."""

    kind: Kind
    k8s_kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    #: A CRD that many clusters lack: 404 (not served) means the kind is read and empty. Such a
    #: list alone never counts as "the cluster could be read".
    optional: bool = False

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def rbac_name(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None) -> str:
        prefix = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{prefix}/namespaces/{namespace}/{self.plural}"
        return f"{prefix}/{self.plural}"


RESOURCES: tuple[Resource, ...] = (
    Resource(Kind.NAMESPACE, "Namespace", "", "v1", "namespaces", False),
    Resource(Kind.NODE, "Node", "", "v1", "nodes", False),
    Resource(Kind.POD, "Pod", "", "v1", "pods", True),
    Resource(Kind.NETWORK_POLICY, "NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True),
    Resource(Kind.SERVICE, "Service", "", "v1", "services", True),
    Resource(Kind.INGRESS, "Ingress", "networking.k8s.io", "v1", "ingresses", True),
    Resource(Kind.EVENT, "Event", "", "v1", "events", True),
    Resource(Kind.WORKLOAD, "Deployment", "apps", "v1", "deployments", True),
    Resource(Kind.WORKLOAD, "StatefulSet", "apps", "v1", "statefulsets", True),
    Resource(Kind.WORKLOAD, "DaemonSet", "apps", "v1", "daemonsets", True),
    # Network policy logging configuration (GKE Dataplane V2): one cluster-scoped object, `default`.
    Resource(Kind.NETWORK_LOGGING, "NetworkLogging", "networking.gke.io", "v1alpha1", "networkloggings", False,
             optional=True),
    # GKE Dataplane V2 policy kinds, served only where their CRDs are installed.
    Resource(Kind.FQDN_POLICY, "FQDNNetworkPolicy", "networking.gke.io", "v1alpha1", "fqdnnetworkpolicies", True,
             optional=True),
    Resource(Kind.CILIUM_POLICY, "CiliumNetworkPolicy", "cilium.io", "v2", "ciliumnetworkpolicies", True,
             optional=True),
    Resource(Kind.CILIUM_POLICY, "CiliumClusterwideNetworkPolicy", "cilium.io", "v2",
             "ciliumclusterwidenetworkpolicies", False, optional=True),
)
NODES = RESOURCES[1]


@dataclass
class Page:
    items: list[Any]
    #: Items delivered so far (this page included) and the total when the server said.
    done: int
    total: int
    note: str | None = None
    #: metadata.resourceVersion of the list (where a watch can start).
    resource_version: str | None = None
    #: No more pages follow.
    last: bool = False


def list_pages(client: KubeClient, resource: Resource, namespace: str | None = None, *,
               cancelled: Callable[[], bool] = lambda: False, page_size: int | None = None) -> Iterator[Page]:
    """Paginated raw list items of one resource; raises KubeRequestError.

    An expired continue token (410) continues from the token the server hands back (the rest
    then comes from a newer state of the cluster, which is said in `Page.note`) or, without
    one, starts over and skips the objects already delivered.
    """
    path = resource.path(namespace)
    page_size = page_size or PAGE_SIZE
    limits: ReadLimits = getattr(client, "limits", DEFAULT_LIMITS)
    token: str | None = None
    seen: set[tuple[Any, Any]] = set()
    tokens: set[str] = set()
    done = 0
    pages = 0
    restarted = False
    note = None
    while not cancelled():
        pages += 1
        if pages > limits.max_pages:
            raise KubeRequestError(KubeFailure(
                "too-large", f"the list of {resource.plural} did not end after {limits.max_pages} pages "
                             f"({done} objects); stopped", "narrow the listing with --namespace"))
        query: list[tuple[str, Any]] = [("limit", page_size)]
        if token:
            query.append(("continue", token))
        try:
            document = client.get_json(path, query, resource=resource, namespace=namespace)
        except GoneError as exc:
            if not token or restarted:
                raise
            restarted = True
            tokens.clear()
            if exc.token:
                token = exc.token
                note = f"the list of {resource.plural} took longer than its continue token lived; the rest " \
                       "was read from a newer state of the cluster"
            else:
                token = None
                note = f"the list of {resource.plural} was restarted after its continue token expired"
            continue
        items = document.get("items")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise KubeRequestError(KubeFailure("invalid", f"GET {path}: 'items' is not a list"))
        fresh = []
        new = 0
        for item in items:
            meta = item.get("metadata") if isinstance(item, dict) else None
            key = (meta.get("namespace"), meta.get("name")) if isinstance(meta, dict) else (None, id(item))
            if not isinstance(key[0], str | None) or not isinstance(key[1], str | None):
                key = (None, id(item))  # a list or mapping as a name: the parser reports that object alone
            if key in seen:
                if restarted:
                    continue
            else:
                new += 1
            seen.add(key)
            fresh.append(item)
        done += len(fresh)
        if done > limits.max_objects:
            raise KubeRequestError(KubeFailure(
                "too-large", f"the list of {resource.plural} has more than {limits.max_objects} objects; stopped",
                "narrow the listing with --namespace"))
        meta = document.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        token = _next_token(meta.get("continue"), tokens, resource, new > 0 or not items or restarted)
        remaining = meta.get("remainingItemCount")
        total = done + remaining if isinstance(remaining, int) and token else (done if not token else 0)
        version = meta.get("resourceVersion") if isinstance(meta.get("resourceVersion"), str) else None
        yield Page(fresh, done, total, note, version, last=not token)
        note = None
        if not token:
            return


def _next_token(value: Any, tokens: set[str], resource: Resource, progressed: bool) -> str | None:
    """The continue token of a page, or KubeRequestError when following it would loop.

    The API server hands out each token once and only as a string; a token seen before (or a
    page with items but none new) would read the same objects forever.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} carries a continue token that is not a string "
                       f"({type(value).__name__}); stopped"))
    if value in tokens:
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} handed back a continue token it had already given; "
                       "stopped (the pages would repeat forever)"))
    if not progressed:
        raise KubeRequestError(KubeFailure(
            "invalid", f"the list of {resource.plural} keeps returning objects already read under new continue "
                       "tokens; stopped"))
    tokens.add(value)
    return value


__all__ = ["NODES", "PAGE_SIZE", "Page", "RESOURCES", "Resource", "list_pages"]
