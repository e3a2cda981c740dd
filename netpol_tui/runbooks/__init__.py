"""Guided runbooks and node recreation progress: pure logic, no textual, no I/O.

Each runbook is a checklist from gke-facts (sections 1-4 and 10). Every step carries its live
state, computed from the Snapshot, `EnforcementState` and the check report, and the exact
command to run (filled with the cluster's names by the checks' command builders). The state
is `unknown` whenever the data needed to decide is missing: never a guessed "done".

- `steps`: a step, its state and commands, a runbook, and the helpers that make steps from checks;
- `recreation`: node recreation progress per pool, with a rate-based ETA and the maintenance notice;
- `observed_rate`: the recreation ETA from the rate observed while the console follows the cluster;
- `guides`: the four runbooks (enable, disable, a policy that does not work, stuck pods).

Every name stays importable from `netpol_tui.runbooks`.
"""

from __future__ import annotations

# Each submodule's public names, listed once in its own __all__.
from netpol_tui.runbooks import guides, observed_rate, recreation, steps
from netpol_tui.runbooks.guides import *  # noqa: F403
from netpol_tui.runbooks.observed_rate import *  # noqa: F403
from netpol_tui.runbooks.recreation import *  # noqa: F403
from netpol_tui.runbooks.steps import *  # noqa: F403

__all__ = [*guides.__all__, *observed_rate.__all__, *recreation.__all__, *steps.__all__]
