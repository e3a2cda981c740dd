"""`netpol-tui checks`: list the checks in the catalog."""

from __future__ import annotations

import argparse
import sys

NAME = "checks"
HELP = "list the checks in the catalog"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print(f"netpol-tui {NAME}: not available yet in this build", file=sys.stderr)
    return 2
