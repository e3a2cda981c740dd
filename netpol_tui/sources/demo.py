"""The bundled demo clusters, stored as kubectl/gcloud-shaped files and read by the files source.

Going through the files source (rather than building objects in code) keeps the demo honest:
what the demo shows is exactly what a user would get from the same dump of a real cluster.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

from netpol_tui.demo import DEFAULT_DEMO as DEFAULT_DEMO
from netpol_tui.demo import DEMOS as DEMOS
from netpol_tui.model.gke_logging import NO_POLICY_LOGS
from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.files import Progress, load_files

#: Flow records each demo ships (in demo/flows/NAME/, beside the cluster files, which the files
#: source reads as objects): the policy-action log as `gcloud logging read --format=json` prints it
#: and `hubble observe -o json` lines. Calico has none: its datapath writes no policy logs.
DEMO_FLOWS: dict[str, tuple[str, ...]] = {"dataplane-v2": ("policy-action.json", "hubble.jsonl")}
NO_DEMO_FLOWS = {"calico": NO_POLICY_LOGS}


def demo_path(name: str) -> Path:
    """The folder holding a demo's files; SourceError for an unknown name."""
    if name not in DEMOS:
        raise SourceError(f"unknown demo {name!r}", hint="Demos: " + ", ".join(DEMOS))
    return Path(str(resources.files("netpol_tui.demo").joinpath(name)))


def demo_flow_paths(name: str) -> tuple[str, ...]:
    """The demo's flow record files (none for a demo without them); SourceError for an unknown name."""
    demo_path(name)
    folder = Path(str(resources.files("netpol_tui.demo").joinpath("flows", name)))
    return tuple(str(folder / file) for file in DEMO_FLOWS.get(name, ()))


def load_demo(name: str = DEFAULT_DEMO, progress: Progress | None = None) -> Snapshot:
    """Load a bundled demo; the snapshot's source says `demo` so screens can label it."""
    path = demo_path(name)
    if not path.is_dir():
        raise SourceError(f"demo {name!r} is missing from the installation ({path})",
                          hint="Reinstall netpol-tui: the demo files are package data.")
    snapshot = load_files([str(path)], progress=progress, description=f"demo: {name}")
    return replace(snapshot, source=replace(snapshot.source, kind="demo", paths=(str(path),)))
