"""The console's screens by name, and the words that name them (`:pods`, `--screen netpol`).

Kept apart from the screens (screens/base.py builds the mode bar and keys from it) because the
command line checks `--screen` and completes screen names before textual is imported: this
module imports nothing and sits in the lowest layer, beside shell and text.
"""

from __future__ import annotations

MODES: tuple[tuple[str, str], ...] = (
    ("status", "Status"), ("nodes", "Nodes"), ("policies", "Policies"), ("issues", "Known issues"),
    ("runbooks", "Runbooks"), ("matrix", "Matrix"), ("flows", "Flows"),
)
MODE_NAMES = tuple(name for name, _ in MODES)
MODE_TITLES = dict(MODES)

#: Every word for a screen (the `:` command line and `--screen`); kubectl short names where they exist.
SCREEN_ALIASES: dict[str, str] = {
    **{alias: "status" for alias in ("status", "st", "cluster", "overview", "findings")},
    **{alias: "nodes" for alias in ("nodes", "node", "no", "pools", "ops")},
    **{alias: "policies" for alias in ("policies", "policy", "pol", "netpol", "netpols", "np",
                                       "pods", "pod", "po", "ns", "namespaces")},
    **{alias: "issues" for alias in ("issues", "known", "ki", "known-issues")},
    **{alias: "runbooks" for alias in ("runbooks", "runbook", "rb", "help-me")},
    **{alias: "matrix" for alias in ("matrix", "mx", "whatif", "what-if", "connectivity")},
    **{alias: "flows" for alias in ("flows", "flow", "fl", "drops", "logs", "hubble")},
}
