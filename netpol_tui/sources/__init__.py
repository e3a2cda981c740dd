"""Sources: the only code that does I/O. Each yields one immutable Snapshot."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.limits import DEFAULT_LIMITS, DEFAULT_MAX_RESPONSE_MB, ReadLimits

if TYPE_CHECKING:
    from netpol_tui.sources.file_cache import FileCache

#: progress(what is being read, done, total); total 0 when unknown.
Progress = Callable[[str, int, int], None]

NO_SOURCE_HINT = (
    "No cluster to look at: no --demo, no --files and no kubeconfig was found.\n"
    "  Try the bundled demo:        netpol-tui --demo\n"
    "  Read kubectl/gcloud output:  netpol-tui --files DIR_OR_FILE\n"
    "  Use a cluster:               netpol-tui --kubeconfig PATH --context NAME"
)


@dataclass(frozen=True)
class SourceOptions:
    """What the user chose on the command line; shared by every command."""

    demo: str | None = None
    files: tuple[str, ...] = ()
    context: str | None = None
    kubeconfig: str | None = None
    project: str | None = None
    location: str | None = None
    cluster: str | None = None
    namespace: str | None = None
    timeout: float = 10.0
    gke_endpoint: str | None = None
    #: Cap on one decompressed response body.
    max_response_mb: float = DEFAULT_MAX_RESPONSE_MB
    #: The whole live load's budget in seconds (None: ReadLimits.load_budget_factor x timeout).
    load_timeout: float | None = None
    limits: ReadLimits = DEFAULT_LIMITS
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def load_budget(self) -> float:
        """Seconds a whole live load may take (credential plugin, every list, the GKE calls)."""
        if self.load_timeout:
            return float(self.load_timeout)
        return self.limits.load_budget_factor * float(self.timeout or 10.0)

    @property
    def max_response_bytes(self) -> int:
        return max(1, int(float(self.max_response_mb) * (1 << 20)))

    @property
    def kind(self) -> str:
        if self.demo:
            return "demo"
        if self.files:
            return "files"
        return "live"


def kubeconfig_available(options: SourceOptions) -> bool:
    """A kubeconfig the live source could use: --kubeconfig, $KUBECONFIG, ~/.kube/config, in-cluster."""
    if options.kubeconfig or options.context:
        return True
    env = os.environ.get("KUBECONFIG")
    if env and any(Path(part).expanduser().is_file() for part in env.split(os.pathsep) if part):
        return True
    if (Path.home() / ".kube" / "config").is_file():
        return True
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


def load_snapshot(options: SourceOptions, progress: Progress | None = None, file_cache: FileCache | None = None) -> Snapshot:
    """Load from the source the options name; raises SourceError with a user-facing message.
    `file_cache` (files only): a `FileCache` the read fills, for a follower to start from."""
    if options.demo:
        from netpol_tui.sources.demo import load_demo

        return load_demo(options.demo, progress=progress)
    if options.files:
        from netpol_tui.sources.files import load_files

        return load_files(options.files, cluster=options.cluster, progress=progress, cache=file_cache)
    if not kubeconfig_available(options):
        raise SourceError("no source chosen", hint=NO_SOURCE_HINT)
    from netpol_tui.sources.live import load_live

    return load_live(options, progress=progress)


__all__ = ["NO_SOURCE_HINT", "Progress", "SourceError", "SourceOptions", "kubeconfig_available", "load_snapshot"]
