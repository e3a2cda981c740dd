"""Warm the console before the user asks: once the first report is shown, the mode screens a user
reaches with 1-5 are composed and mounted hidden, one at a time (their rows build in slices as on
a visit), and the modules a first go-to or detail view imports lazily are imported, so that a
first visit or a first `g` costs what a later one does (issue 12: <= 100 ms keystroke to frame on
100,000 pods; benchmarks/console.md).

Matrix and Flows are not warmed: showing them starts a whole-cluster computation in a thread, which
would hold the GIL the keys need; they compute when visited, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any
from weakref import WeakSet

from netpol_tui.gcpause import freeze_long_lived
from netpol_tui.textual_compat import mount_mode_screen

#: The screens mounted ahead, in order: Policies first, its 100,000-pod rows take longest to build.
WARM_MODES = ("policies", "nodes", "issues", "runbooks", "status")
#: Imported ahead: what the first Nodes refresh, go-to, finding or YAML dialog would import on the UI thread.
WARM_IMPORTS = ("netpol_tui.runbooks", "netpol_tui.screens.navigation", "netpol_tui.screens.policy_views",
                "netpol_tui.screens.related", "netpol_tui.screens.finding_rows", "netpol_tui.dialogs.finding",
                "netpol_tui.dialogs.yaml_view", "netpol_tui.widgets.describe", "netpol_tui.widgets.kind_describe")
#: Seconds after the first report before warming starts, and between two screens (each mount takes
#: ~25 ms of the UI thread; the gap leaves keys and the rows it starts their turns).
WARM_DELAY: float | None = 0.3
WARM_GAP = 0.25
#: ... and before the mounted screens' rows are frozen out of the collector (their builds done).
FREEZE_AFTER = 3.0

_warmed: WeakSet[Any] = WeakSet()


def warm_ahead(app: Any) -> None:
    """Start warming `app`, once per app (`WARM_DELAY = None` turns it off, e.g. in a test)."""
    delay = WARM_DELAY
    if delay is None or app in _warmed:
        return
    _warmed.add(app)
    # (seconds before the step, step)
    steps: list[tuple[float, Callable[[], object]]] = [(0.01, partial(import_module, name)) for name in WARM_IMPORTS]
    steps += [(WARM_GAP, partial(mount_mode_screen, app, mode)) for mode in WARM_MODES]
    # what the mounted screens and their rows allocated lives until the next load: out of the
    # collector's young generations, which a first visit otherwise walks (10-15 ms on 100,000 pods)
    steps.append((FREEZE_AFTER, freeze_long_lived))

    def step() -> None:
        if not app.is_running or not steps:
            return
        steps.pop(0)[1]()
        if steps:
            app.set_timer(steps[0][0], step)

    app.set_timer(delay, step)
