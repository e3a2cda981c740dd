"""`netpol-tui completion bash|zsh|fish`: print the shell completion script."""

from __future__ import annotations

import argparse
import sys

from netpol_tui.completion import SHELLS, completion_script

NAME = "completion"
HELP = "print the shell completion script (bash, zsh or fish)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to write the script for")


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(completion_script(args.root_parser, args.shell))
    return 0
