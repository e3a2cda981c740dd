"""Headless subcommands, one module each.

A command module provides `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`.
Modules import heavy dependencies inside `run`, so `--help` and the console start fast.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

#: Subcommand name -> module (explicit, no discovery).
COMMANDS = {
    "explain": "netpol_tui.commands.explain",
    "check": "netpol_tui.commands.check",
    "checks": "netpol_tui.commands.catalog",
    "snapshot": "netpol_tui.commands.snapshot",
    "help": "netpol_tui.commands.help",
    "config": "netpol_tui.commands.config",
    "completion": "netpol_tui.commands.completion",
    "__complete": "netpol_tui.commands.complete",
    "flows": "netpol_tui.commands.flows",
    "matrix": "netpol_tui.commands.matrix",
    "diff": "netpol_tui.commands.diff",
}

#: Commands left out of `--help` and of completion: the helper the completion scripts call.
HIDDEN_COMMANDS = frozenset({"__complete"})


def command_module(name: str) -> ModuleType:
    return import_module(COMMANDS[name])
