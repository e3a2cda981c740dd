"""Command line: `netpol-tui` opens the console; subcommands answer headless."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from netpol_tui import __version__
from netpol_tui.commands import COMMANDS, command_module
from netpol_tui.sources import SourceOptions

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
DEMO_NAMES = ("calico", "dataplane-v2")


def add_source_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Source options, accepted before and after the subcommand (defaults set once, on the top parser)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("source (pick one; default: the current kubeconfig context)")
    group.add_argument("--demo", nargs="?", const="calico", default=default(None), metavar="NAME",
                       help=f"open a bundled demo cluster: {', '.join(DEMO_NAMES)} (default: calico)")
    group.add_argument("--files", action="append", default=default(None), metavar="PATH",
                       help="read kubectl/gcloud output: a file, a directory (recursively) or - for stdin; "
                            "repeatable")
    group.add_argument("--context", default=default(None), help="kubeconfig context to use")
    group.add_argument("--kubeconfig", default=default(None), metavar="PATH", help="kubeconfig file")
    group.add_argument("--project", default=default(None), help="Google Cloud project of the GKE cluster")
    group.add_argument("--location", default=default(None), help="GKE cluster location (region or zone)")
    group.add_argument("--cluster", default=default(None), help="GKE cluster name")
    group.add_argument("--namespace", "-n", default=default(None), help="namespace for pod names and listings")
    group.add_argument("--timeout", type=float, default=default(10.0), metavar="SECONDS",
                       help="total time each API request may take, connect to last byte (default: 10)")
    group.add_argument("--load-timeout", type=float, default=default(None), metavar="SECONDS",
                       help="total time a whole live load may take (default: 30 x --timeout)")
    group.add_argument("--max-response-mb", type=float, default=default(1024.0), metavar="MB",
                       help="largest API response accepted, after decompression (default: 1024)")
    group.add_argument("--gke-endpoint", default=default(None), metavar="URL",
                       help="GKE API endpoint, e.g. https://container.googleapis.com or a PSC endpoint")


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


def options_from_args(args: argparse.Namespace) -> SourceOptions:
    return SourceOptions(
        demo=args.demo, files=tuple(args.files or ()), context=args.context, kubeconfig=args.kubeconfig,
        project=args.project, location=args.location, cluster=args.cluster, namespace=args.namespace,
        timeout=args.timeout, gke_endpoint=args.gke_endpoint,
        load_timeout=getattr(args, "load_timeout", None), max_response_mb=getattr(args, "max_response_mb", 1024.0),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_normalise_argv(sys.argv[1:] if argv is None else argv))
    if args.demo is not None and args.demo not in DEMO_NAMES:
        parser.error(f"unknown demo {args.demo!r}; choose from {', '.join(DEMO_NAMES)}")
    if args.demo and args.files:
        parser.error("choose one source: --demo or --files, not both")
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
