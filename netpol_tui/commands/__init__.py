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
    "flows": "netpol_tui.commands.flows",
}


def command_module(name: str) -> ModuleType:
    return import_module(COMMANDS[name])
