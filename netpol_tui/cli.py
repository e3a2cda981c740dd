"""Command line: `netpol-tui` opens the console; subcommands answer headless."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from netpol_tui import __version__
from netpol_tui.commands import COMMANDS, command_module
from netpol_tui.options import add_source_options, check_source_choice, options_from_args

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netpol-tui",
        description="Troubleshoot Kubernetes NetworkPolicy on GKE: enforcement state, node recreation, "
                    "policy verdicts and known issues. Read-only: it never changes the cluster.",
        epilog="With no command, opens the console. Examples: netpol-tui --demo; "
               "netpol-tui check --files ./dump; netpol-tui explain --demo --from shop/svc/web --to shop/svc/store --port 80",
    )
    parser.add_argument("--version", action="version", version=f"netpol-tui {__version__}")
    add_source_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = command_module(name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        add_source_options(sub, suppress=True)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def _normalise_argv(argv: Sequence[str]) -> list[str]:
    """`--demo COMMAND` means the default demo followed by a command, not a demo called COMMAND."""
    out = list(argv)
    for index, token in enumerate(out[:-1]):
        if token == "--demo" and out[index + 1] in COMMANDS:
            out.insert(index + 1, "calico")
            break
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_normalise_argv(sys.argv[1:] if argv is None else argv))
    check_source_choice(parser, args)
    try:
        if getattr(args, "run", None) is None:
            from netpol_tui.app import run_console

            return run_console(options_from_args(args))
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback
        if os.environ.get("NETPOL_TUI_DEBUG"):
            raise
        print(f"netpol-tui: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Set NETPOL_TUI_DEBUG=1 to see the traceback, and please report it.", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
