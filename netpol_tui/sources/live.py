"""Live source: the Kubernetes and GKE APIs, read-only, into one Snapshot.

Every list (namespaces, nodes, pods, policies, services, ingresses, events, deployments,
statefulsets, daemonsets, and the CRD policy kinds of Dataplane V2: FQDN and Cilium network
policies) and the GKE calls run at once in a thread pool; the calling thread
alone feeds the SnapshotBuilder and reports progress, so parsing overlaps the downloads without
sharing the builder between threads. A kind that cannot be read (403, 404, the server giving
up) becomes an UnknownPart naming the fix while the rest loads (a 404 for a CRD kind means the
CRD is not installed: loaded as none, silently); only when nothing at all could
be read is it a SourceError. Heavy modules are imported here, never by `netpol_tui.sources`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.objects import WORKLOAD_KINDS
from netpol_tui.model.snapshot import Kind, Snapshot, SourceInfo
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.errors import SourceError

if TYPE_CHECKING:
    from netpol_tui.sources import Progress, SourceOptions
    from netpol_tui.sources.gke import GkeReader, GkeResult
    from netpol_tui.sources.kube import KubeClient, KubeFailure, Resource

GKE_SOURCE = "GKE API"
#: What a reader thread hands the loop: ("page", resource, ListPage), ("end", resource, the
#: KubeFailure or None) or ("gke", None, GkeResult | None).
_Message = tuple[str, Any, Any]
#: Pages waiting to be parsed; bounds memory when parsing falls behind the downloads.
QUEUE_PAGES = 16


def load_live(options: SourceOptions, progress: Progress | None = None, *,
              versions: dict[str, str] | None = None, gke_reader: GkeReader | None = None) -> Snapshot:
    """Read the cluster the kubeconfig context (and GKE identity) names; raises SourceError.

    The whole load (credential plugin included) ends within `options.load_budget` seconds:
    lists still running then are cut and marked not read, the GKE data likewise. `versions`,
    when given, receives each completely read list's resourceVersion by plural (where the
    follower's watches start). `gke_reader`, when given, reads the GKE API with its client (the
    follower's, kept for its polls); otherwise the load makes a client of its own and closes it.
    """
    from netpol_tui.sources import gke, kube

    deadline = time.monotonic() + options.load_budget
    client = kube.connect(options)
    try:
        with gc_paused():
            return _load(client, options, progress, kube, gke, deadline, versions, gke_reader)
    finally:
        client.close()


def _start(target: Any, *args: Any) -> threading.Thread:
    # Daemon threads: a read stuck past every deadline must never hold up the program's exit
    # (a ThreadPoolExecutor's threads are joined at exit).
    thread = threading.Thread(target=target, args=args, name="netpol-live", daemon=True)
    thread.start()
    return thread


def _load(client: KubeClient, options: SourceOptions, progress: Progress | None, kube: Any, gke: Any,
          deadline: float, versions: dict[str, str] | None = None, gke_reader: GkeReader | None = None
          ) -> Snapshot:
    target = client.target
    identity, identity_reason = gke.identify(options, target.context, target.cluster_entry)
    namespace = options.namespace
    resources = kube.RESOURCES
    captured_at = datetime.now(UTC)
    builder = SnapshotBuilder()
    for note in target.notes:
        builder.problem("kubeconfig", note)

    messages: queue.Queue[_Message] = queue.Queue(maxsize=QUEUE_PAGES)
    cancel = threading.Event()
    abandon = threading.Event()

    def put(message: _Message) -> None:
        while not abandon.is_set():
            try:
                messages.put(message, timeout=0.1)
                return
            except queue.Full:
                continue

    def list_worker(resource: Resource) -> None:
        failure = None
        complete = False
        try:
            for page in kube.list_pages(client, resource, namespace, cancelled=cancel.is_set):
                put(("page", resource, page))
                complete = page.last
            if not complete:
                failure = kube.KubeFailure("cancelled", "not read: loading stopped early")
        except kube.KubeRequestError as exc:
            failure = exc.failure
            if resource.optional and failure.category == "not-found":
                failure = None  # the CRD is not installed: the cluster holds none of the kind
        except Exception as exc:  # a bug or an unexpected client error must not hang the load
            failure = kube.KubeFailure("error", f"unexpected error while listing {resource.plural}: "
                                                f"{type(exc).__name__}: {exc}")
        finally:
            put(("end", resource, failure))

    def gke_worker() -> None:
        result = None
        try:
            if gke_reader is not None:
                result = gke_reader.fetch(identity, client.timeout)
            else:
                result = gke.fetch_gke(identity, options.gke_endpoint, client.timeout, options.max_response_bytes)
        except Exception as exc:  # fetch_gke reports its own failures; this is the last guard
            result = gke.GkeResult(cluster_reason=f"GKE API request failed: {type(exc).__name__}: {exc}")
        finally:
            put(("gke", None, result))

    outcomes: dict[Resource, KubeFailure | None] = {}
    gke_result: GkeResult | None = None
    pending = len(resources) + (1 if identity else 0)
    over_budget = False
    try:
        threads = [_start(list_worker, resource) for resource in resources]
        if identity:
            threads.append(_start(gke_worker))
            _report(progress, "GKE cluster", 0, 1)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                over_budget = True
                break
            try:
                kind, resource, payload = messages.get(timeout=min(0.5, left))
            except queue.Empty:
                if not any(thread.is_alive() for thread in threads) and messages.empty():
                    break
                continue
            if kind == "page":
                _add_page(builder, resource, namespace, payload)
                if versions is not None and payload.last and payload.resource_version:
                    versions[resource.plural] = payload.resource_version
                _report(progress, resource.plural, payload.done, payload.total)
            elif kind == "end":
                pending -= 1
                outcomes[resource] = payload
                if payload is not None and payload.fatal:
                    cancel.set()
            else:
                pending -= 1
                gke_result = payload
                _report(progress, "GKE cluster", 1, 1)
    except BaseException:
        # Ctrl-C, a cancelled console or a failing progress callback: return at once; the
        # requests in flight are cut and the daemon threads end on their own.
        abandon.set()
        cancel.set()
        client.abort()
        raise
    abandon.set()
    cancel.set()
    if over_budget:
        client.abort()
        budget = f"the load did not finish within its budget of {options.load_budget:g} s (--load-timeout)"
        for resource in resources:
            if resource not in outcomes:
                outcomes[resource] = kube.KubeFailure("timeout", f"not read: {budget}",
                                                      "raise --load-timeout, or narrow the listing with --namespace")
        if identity and gke_result is None:
            reason = f"GKE API not read: {budget}"
            gke_result = gke.GkeResult(cluster_reason=reason, operations_reason=reason)

    fatal = next((f for f in outcomes.values() if f is not None and f.fatal), None)
    _settle_kinds(builder, resources, outcomes, fatal)
    if identity is None:
        builder.mark_unknown(Kind.CLUSTER, identity_reason)
        builder.mark_unknown(Kind.OPERATION, identity_reason)
    else:
        _add_gke(builder, gke_result)
    _report(progress, "", 1, 1)

    info = SourceInfo(
        kind="live", description=_description(target, identity), context=target.context,
        project=identity.project if identity else options.project,
        location=identity.location if identity else options.location,
        cluster=identity.cluster if identity else options.cluster, namespace=namespace,
    )
    succeeded = [resource for resource in resources
                 if outcomes.get(resource, _MISSING) is None and not resource.optional]
    snapshot = builder.build(info, captured_at=captured_at)
    if not succeeded:
        raise _nothing_read(outcomes, resources, target)
    return _finish(snapshot)


_MISSING: Any = object()


def _report(progress: Progress | None, what: str, done: int, total: int) -> None:
    if progress is not None:
        progress(what, done, total)


def _add_page(builder: SnapshotBuilder, resource: Resource, namespace: str | None, page: Any) -> None:
    source = resource.path(namespace)
    if page.note:
        builder.problem(source, page.note)
    add = builder.add_object
    k8s_kind = resource.k8s_kind
    first = page.done - len(page.items)
    for index, item in enumerate(page.items):
        if isinstance(item, dict):
            # The item's place in the list names an object whose name is the broken field.
            add(k8s_kind, item, source, item=first + index)
        else:
            builder.reject(resource.kind, source, f"{k8s_kind}: a list item is not an object "
                           f"({type(item).__name__}); skipped", f"item {first + index}")


def _settle_kinds(builder: SnapshotBuilder, resources: tuple[Resource, ...],
                  outcomes: dict[Resource, KubeFailure | None], fatal: KubeFailure | None = None) -> None:
    """Mark each Snapshot kind loaded when all its lists were read, else unknown with the reasons.

    Lists stopped because another one hit a connection or credential failure say which.
    """
    by_kind: dict[Kind, list[Resource]] = {}
    for resource in resources:
        by_kind.setdefault(resource.kind, []).append(resource)
    for kind, group in by_kind.items():
        reasons = []
        for resource in group:
            failure = outcomes.get(resource, _MISSING)
            if failure is _MISSING:
                reasons.append(f"{resource.plural}: not read (loading stopped)")
            elif failure is not None:
                text = failure.text()
                if failure.category == "cancelled" and fatal is not None:
                    text = f"not read: loading stopped after {fatal.text()}"
                reasons.append(text if len(group) == 1 else f"{resource.plural}: {text}")
        if reasons:
            builder.mark_unknown(kind, "; ".join(reasons))
        else:
            builder.mark_loaded(kind)


def _add_gke(builder: SnapshotBuilder, result: GkeResult | None) -> None:
    if result is None:
        reason = "GKE API request did not finish"
        builder.mark_unknown(Kind.CLUSTER, reason)
        builder.mark_unknown(Kind.OPERATION, reason)
        return
    for note in result.notes:
        builder.problem(GKE_SOURCE, note)
    if result.cluster is not None:
        builder.add_document({"clusters": [result.cluster]}, GKE_SOURCE)
    else:
        builder.mark_unknown(Kind.CLUSTER, result.cluster_reason or "GKE cluster not read")
    if result.operations is not None:
        builder.add_document({"operations": result.operations}, GKE_SOURCE)
    else:
        builder.mark_unknown(Kind.OPERATION, result.operations_reason or "GKE operations not read")


def _description(target: Any, identity: Any) -> str:
    where = f"context {target.context}" if target.context else "in-cluster service account"
    text = f"live: {where} ({target.server})"
    if identity is not None:
        text += f", GKE {identity.project}/{identity.location}/{identity.cluster}"
    return text


def _nothing_read(outcomes: dict[Resource, KubeFailure | None], resources: tuple[Resource, ...],
                  target: Any) -> SourceError:
    from netpol_tui.model.snapshot import LoadProblem

    failures = [failure for failure in (outcomes.get(r, _MISSING) for r in resources)
                if failure is not _MISSING and failure is not None and failure.category != "cancelled"]
    if not failures:
        return SourceError(f"nothing could be read from {target.server}")
    primary = next((failure for failure in failures if failure.fatal), None)
    if primary is None:
        common = Counter(failure.category for failure in failures).most_common(1)[0][0]
        primary = next(failure for failure in failures if failure.category == common)
    problems = []
    if not primary.fatal:
        problems = [LoadProblem(resource.plural, failure.text()) for resource in resources
                    if (failure := outcomes.get(resource, _MISSING)) not in (None, _MISSING)]
    hint = primary.hint[0].upper() + primary.hint[1:] + "." if primary.hint else None
    return SourceError(primary.message, problems=problems, hint=hint)


def _finish(snapshot: Snapshot) -> Snapshot:
    """Kinds read only in part are unknown, not loaded; workloads in a stable kind order."""
    unknown = {part.kind for part in snapshot.unknown}
    order = {kind: index for index, kind in enumerate(WORKLOAD_KINDS)}
    workloads = tuple(sorted(snapshot.workloads, key=lambda w: order.get(w.kind, len(order))))
    return replace(snapshot, loaded_kinds=snapshot.loaded_kinds - unknown, workloads=workloads)


__all__ = ["load_live"]
