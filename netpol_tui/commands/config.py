"""`netpol-tui config path|show`: where the defaults file is, and what it sets."""

from __future__ import annotations

import argparse
import sys

from netpol_tui.config import config_path, load_config

NAME = "config"
HELP = "where the config file is (config path) and what it sets (config show)"
EXIT_OK, EXIT_BAD_FILE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("path", "show"),
                        help="path: the file read ($XDG_CONFIG_HOME/netpol-tui/config.toml); "
                             "show: the settings in effect, as TOML")


def run(args: argparse.Namespace) -> int:
    path = config_path()
    if args.action == "path":
        print(path)
        return EXIT_OK
    error = getattr(args, "config_error", None)
    if error is not None:
        print(f"netpol-tui: {error}", file=sys.stderr)
        return EXIT_BAD_FILE
    config = load_config(path)
    if not path.exists():
        print(f"# {path} does not exist: built-in defaults apply", file=sys.stderr)
    sys.stdout.write(config.as_toml())
    return EXIT_OK
