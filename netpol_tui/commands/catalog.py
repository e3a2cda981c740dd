"""`netpol-tui checks`: list the checks in the catalog (id, symbol, severity, title)."""

from __future__ import annotations

import argparse
import sys

NAME = "checks"
HELP = "list the checks in the catalog"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-o", choices=("text", "json", "markdown"), default="text",
                        help="text (default), json or markdown")


def run(args: argparse.Namespace) -> int:
    from netpol_tui.checks.render import render_catalog

    sys.stdout.write(render_catalog(args.format))
    return 0
