"""Live source: Kubernetes and GKE APIs (read-only). Built in the live-sources issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from netpol_tui.sources.errors import SourceError

if TYPE_CHECKING:
    from netpol_tui.model.snapshot import Snapshot
    from netpol_tui.sources import Progress, SourceOptions


def load_live(options: SourceOptions, progress: Progress | None = None) -> Snapshot:
    raise SourceError("reading a live cluster is not available yet in this build",
                      hint="Use --demo, or --files with kubectl/gcloud output.")
