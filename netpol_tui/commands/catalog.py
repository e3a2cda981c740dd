"""`netpol-tui checks`: list the checks in the catalog (id, symbol, severity, title)."""

from __future__ import annotations

import argparse
import sys

NAME = "checks"
HELP = "list the checks in the catalog"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-o", choices=("text", "json", "markdown"), default="text",
                        help="text (default), json or markdown")
    parser.add_argument("--show", metavar="ID", help="one check in full: description, GKE facts, fix")


def run(args: argparse.Namespace) -> int:
    from netpol_tui.checks.render import render_catalog

    if args.show:
        from netpol_tui.commands.help import print_check

        return print_check(args.show)
    sys.stdout.write(render_catalog(args.format))
    return 0
