"""`netpol-tui help [COMMAND | checks ID]`: the help of a command, or one check explained in full."""

from __future__ import annotations

import argparse
import sys

from netpol_tui.options import subcommands

NAME = "help"
HELP = "help on a command, or on a check: help checks ID"
EXIT_OK, EXIT_UNKNOWN = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", nargs="?", metavar="COMMAND",
                        help="a command (check, explain, ...), or checks followed by a check id")
    parser.add_argument("check_id", nargs="?", metavar="ID",
                        help="with checks: a check id or symbol, e.g. NP004 or dns-egress-blocked")


def print_check(check_id: str) -> int:
    """Print one check's description, GKE facts and fix; 2 with a hint when no check has that id."""
    from netpol_tui.checkhelp import render_check_help  # loads the check catalog, only when asked

    text = render_check_help(check_id)
    if text is None:
        print(f"netpol-tui: no check {check_id!r}; netpol-tui checks lists them", file=sys.stderr)
        return EXIT_UNKNOWN
    sys.stdout.write(text)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    root: argparse.ArgumentParser = args.root_parser
    if args.topic is None:
        root.print_help()
        return EXIT_OK
    if args.topic == "checks" and args.check_id:
        return print_check(args.check_id)
    from netpol_tui.commands import HIDDEN_COMMANDS

    commands = {name: sub for name, sub in subcommands(root).items() if name not in HIDDEN_COMMANDS}
    sub = commands.get(args.topic)
    if sub is None or args.check_id:
        print(f"netpol-tui: no help on {' '.join(filter(None, (args.topic, args.check_id)))!r}; "
              f"commands: {', '.join(commands)}", file=sys.stderr)
        return EXIT_UNKNOWN
    sub.print_help()
    return EXIT_OK
