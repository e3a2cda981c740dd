"""The bundled demo clusters, stored as kubectl/gcloud-shaped files and read by the files source."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.files import Progress, load_files

DEMOS = {
    "calico": "Standard cluster with Calico enforcement, mid node recreation, with planted problems",
    "dataplane-v2": "Autopilot (GKE Dataplane V2) cluster with Dataplane V2 pitfalls",
}
DEFAULT_DEMO = "calico"


def demo_path(name: str) -> Path:
    if name not in DEMOS:
        raise SourceError(f"unknown demo {name!r}", hint="Demos: " + ", ".join(DEMOS))
    return Path(str(resources.files("netpol_tui.demo").joinpath(name)))


def load_demo(name: str = DEFAULT_DEMO, progress: Progress | None = None) -> Snapshot:
    path = demo_path(name)
    snapshot = load_files([str(path)], progress=progress, description=f"demo: {name}")
    from dataclasses import replace

    return replace(snapshot, source=replace(snapshot.source, kind="demo", paths=(str(path),)))
