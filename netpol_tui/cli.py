"""Command line: `netpol-tui` (and `kubectl netpol`) opens the console; subcommands answer headless.

This module is only the entry point: the parser is assembled here from the source options
(`options`), the command modules (`commands`), their examples (`helptext`) and the user's
defaults (`config`); everything a command needs comes from those modules, never from here.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence

from netpol_tui import __version__
from netpol_tui.commands import COMMANDS, HIDDEN_COMMANDS, command_module
from netpol_tui.config import THEMES, Config, ConfigError, apply_after_parse, apply_defaults, load_config
from netpol_tui.deeplink import StartError, add_start_options, start_from_args
from netpol_tui.helptext import epilog
from netpol_tui.options import add_source_options, check_source_choice, options_from_args

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: 70 (EX_SOFTWARE), as the console uses on a crash: 3 already means "unknown: data not read".
EXIT_INTERNAL = 70
PROG = "netpol-tui"
KUBECTL_PROG = "kubectl netpol"
DESCRIPTION = ("Troubleshoot Kubernetes NetworkPolicy on GKE: enforcement state, node recreation, "
               "policy verdicts and known issues. Read-only: it never changes the cluster.")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The whole command line, without any user configuration applied."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, epilog=epilog(None, prog),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"netpol-tui {__version__}")
    parser.add_argument("--theme", choices=THEMES, default="dark", help="console colours (default: dark)")
    parser.add_argument("--flows", dest="console_flows", action="append", metavar="PATH",
                        help="console: flow records for the Flows screen (7), a policy-action log export or "
                             "`hubble observe -o json` output; repeatable (with --demo: the demo's own)")
    add_source_options(parser)
    add_start_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = command_module(name)
        visible = {} if name in HIDDEN_COMMANDS else {"help": module.HELP}
        sub = subparsers.add_parser(name, description=module.HELP,
                                    formatter_class=argparse.RawDescriptionHelpFormatter, **visible)
        add_source_options(sub, suppress=True)
        module.add_arguments(sub)
        # a command's own epilog (prose) comes first, wrapped; the examples and exit codes end it
        own = textwrap.fill(sub.epilog, 80) if sub.epilog else None
        sub.epilog = "\n\n".join(filter(None, (own, epilog(name, prog))))
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


def _run(argv: Sequence[str] | None, prog: str) -> int:
    tokens = _normalise_argv(sys.argv[1:] if argv is None else argv)
    parser = build_parser(prog)
    try:
        config: Config | None = load_config()
        config_error: ConfigError | None = None
    except ConfigError as exc:
        config, config_error = None, exc
    if config is not None:
        try:
            apply_defaults(parser, config)
        except ConfigError as exc:
            config, config_error = None, exc
    args = parser.parse_args(tokens)
    args.root_parser = parser
    args.config_error = config_error
    if config_error is not None and args.command != "config":
        print(f"{prog.split()[0]}: {config_error}", file=sys.stderr)
        return EXIT_USAGE
    check_source_choice(parser, args)
    if config is not None:
        problem = apply_after_parse(args, config)
        if problem:
            parser.error(problem)
    try:
        start = start_from_args(args)
    except StartError as exc:  # one line and exit 2, before anything goes full screen
        print(f"{prog.split()[0]}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "run", None) is None:
        from netpol_tui.app import run_console  # textual loads only for the console

        return run_console(options_from_args(args), theme=f"textual-{args.theme}",
                           flow_paths=tuple(getattr(args, "console_flows", None) or ()), start=start)
    return int(args.run(args))


def _guarded(argv: Sequence[str] | None, prog: str) -> int:
    try:
        return _run(argv, prog)
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
        return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """`netpol-tui ...`"""
    return _guarded(argv, PROG)


def kubectl_main(argv: Sequence[str] | None = None) -> int:
    """`kubectl netpol ...`: kubectl runs the `kubectl-netpol` executable with the words after `netpol`.

    kubectl passes its own flags through untouched (it refuses them before the plugin name),
    and the source options already use kubectl's spellings, so only the name in usage differs.
    """
    return _guarded(argv, KUBECTL_PROG)


if __name__ == "__main__":
    raise SystemExit(main())
