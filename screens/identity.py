"""What the header says, from the console state alone: cluster or context, source, dataplane,
and how fresh the data is (capture time, or the time of the last live read)."""

from __future__ import annotations

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.screens.state import ConsoleState
from netpol_tui.sources import SourceOptions
from netpol_tui.widgets.header import HeaderInfo, HeaderPart

DATAPLANES = {"autopilot": "Autopilot (Dataplane V2)", "dataplane-v2": "Dataplane V2",
              "calico": "Calico", "none": "Calico off", "unknown": "dataplane unknown"}
AS_OF = {"captured": "captured", "read": "read", "loaded": "files read"}
NOTES = {"loaded": "capture time unknown"}
#: How list ages (AGE columns) are counted, for the titles above them.
AGE_BASES = {"captured": "capture time", "read": "time of the read", "loaded": "time the files were read"}


def age_basis(snapshot: Snapshot | None) -> str:
    """`AGE as of 2026-11-20 12:00 UTC (capture time)`: what an AGE column counts from."""
    if snapshot is None:
        return ""
    from netpol_tui.widgets.header import absolute

    return f"AGE as of {absolute(snapshot.captured_at)} ({AGE_BASES.get(getattr(snapshot.source, 'capture', 'read'), '')})"


def _wanted(options: SourceOptions) -> str:
    if options.demo:
        return f"demo {options.demo}"
    if options.files:
        return "files " + ", ".join(options.files)
    return f"context {options.context}" if options.context else "current kubeconfig context"


def header_info(state: ConsoleState) -> HeaderInfo:
    """The header for `state`; while nothing is loaded it names what is being read (or failed)."""
    options, snapshot = state.options, state.snapshot
    failed = "load" in state.errors or "reload" in state.errors
    busy = "loading…" if state.loading is not None and snapshot is None else \
        "reloading…" if state.loading is not None else ""
    problem = "load failed: see the banner (y shows the errors)" if failed else ""
    if snapshot is None:
        return HeaderInfo(target=_wanted(options), source=options.kind, state=problem or busy,
                          state_style="bold red" if problem else "italic")
    source, cluster = snapshot.source, snapshot.cluster
    if cluster is not None:
        path = "/".join(part for part in (cluster.project, cluster.location, cluster.name) if part)
        target = f"cluster {path}"
        default_context = f"gke_{cluster.project}_{cluster.location}_{cluster.name}"
        if source.context and source.context != default_context:
            target = f"context {source.context} ({path})"
        if cluster.current_master_version:
            target += f" {cluster.current_master_version}"
    elif source.context:
        target = f"context {source.context}"
    else:
        target = "Kubernetes only"
    kind = source.kind
    where = kind if kind == "live" else f"{kind} {', '.join(source.paths) or source.description}" \
        if kind == "files" else source.description.replace(": ", " ", 1)
    enforcement = state.enforcement
    dataplane = DATAPLANES.get(str(enforcement.mode), str(enforcement.mode)) if enforcement is not None else \
        ("dataplane unknown" if "enforcement" in state.errors else "dataplane …")
    capture = getattr(source, "capture", "read")
    extra = {"follow": follow_part(state.follow)} if state.follow else {}
    return HeaderInfo(target=target, source=where, dataplane=dataplane, as_of=snapshot.captured_at,
                      as_of_label=AS_OF.get(capture, "as of"), note=NOTES.get(capture, ""),
                      state=problem or busy, state_style="bold red" if problem else "italic", extra=extra)


def follow_part(states: tuple) -> HeaderPart:
    """`following`, `following (polling: pods)` or `reconnecting: pods, nodes`: the follower in a few words
    (the banner has each list's note)."""
    by_state: dict[str, list[str]] = {}
    for status in states:
        by_state.setdefault(str(status.state), []).append(status.name)
    if "reconnecting" in by_state:
        return HeaderPart(f"reconnecting: {', '.join(by_state['reconnecting'])}", "bold yellow")
    polling = [name for name in by_state.get("polling", []) if not name.startswith("GKE")]
    if "following" in by_state:
        return HeaderPart("following" + (f" (polling: {', '.join(polling)})" if polling else ""), "green")
    if polling:
        return HeaderPart(f"polling: {', '.join(polling)}", "yellow")
    return HeaderPart("")
