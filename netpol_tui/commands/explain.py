"""`netpol-tui explain`: explain why traffic between two endpoints is allowed or denied."""

from __future__ import annotations

import argparse
import sys

NAME = "explain"
HELP = "explain why traffic between two endpoints is allowed or denied"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    print(f"netpol-tui {NAME}: not available yet in this build", file=sys.stderr)
    return 2
