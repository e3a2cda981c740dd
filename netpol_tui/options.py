"""The source options every command shares, and the SourceOptions built from them.

They live here, below `cli` and `commands`, so that commands and the fleet check import them
without reaching up into the entry point (which imports the commands).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from netpol_tui.demo import DEFAULT_DEMO, DEMOS
from netpol_tui.sources import SourceOptions

DEMO_NAMES = tuple(DEMOS)
DEFAULT_TIMEOUT = 10.0
SOURCE_GROUP_TITLE = "source (pick one; default: the current kubeconfig context)"


def add_source_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Source options, accepted before and after the subcommand (defaults set once, on the top parser).

    The spellings are kubectl's (`--context`, `--kubeconfig`, `-n/--namespace`, also as
    `--context=X`), so `kubectl netpol ...` reads like any other kubectl command.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group(SOURCE_GROUP_TITLE)
    group.add_argument("--demo", nargs="?", const=DEFAULT_DEMO, default=default(None), metavar="NAME",
                       help=f"open a bundled demo cluster: {', '.join(DEMO_NAMES)} (default: {DEFAULT_DEMO})")
    group.add_argument("--files", action="append", default=default(None), metavar="PATH",
                       help="read kubectl/gcloud output: a file, a directory (recursively) or - for stdin; "
                            "repeatable")
    group.add_argument("--context", default=default(None), help="kubeconfig context to use")
    group.add_argument("--kubeconfig", default=default(None), metavar="PATH", help="kubeconfig file")
    group.add_argument("--project", default=default(None), help="Google Cloud project of the GKE cluster")
    group.add_argument("--location", default=default(None), help="GKE cluster location (region or zone)")
    group.add_argument("--cluster", default=default(None), help="GKE cluster name")
    group.add_argument("--namespace", "-n", default=default(None), help="namespace for pod names and listings")
    group.add_argument("--timeout", type=float, default=default(DEFAULT_TIMEOUT), metavar="SECONDS",
                       help=f"total time each API request may take, connect to last byte (default: {DEFAULT_TIMEOUT:g})")
    group.add_argument("--load-timeout", type=float, default=default(None), metavar="SECONDS",
                       help="total time a whole live load may take (default: 30 x --timeout)")
    group.add_argument("--max-response-mb", type=float, default=default(1024.0), metavar="MB",
                       help="largest API response accepted, after decompression (default: 1024)")
    group.add_argument("--gke-endpoint", default=default(None), metavar="URL",
                       help="GKE API endpoint, e.g. https://container.googleapis.com or a PSC endpoint")


def options_from_args(args: argparse.Namespace) -> SourceOptions:
    """The SourceOptions of parsed arguments (any command's namespace)."""
    return SourceOptions(
        demo=args.demo, files=tuple(args.files or ()), context=args.context, kubeconfig=args.kubeconfig,
        project=args.project, location=args.location, cluster=args.cluster, namespace=args.namespace,
        timeout=args.timeout, gke_endpoint=args.gke_endpoint,
        load_timeout=getattr(args, "load_timeout", None), max_response_mb=getattr(args, "max_response_mb", 1024.0),
    )


def check_source_choice(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a usage error (2) for an unknown demo or two sources at once."""
    if args.demo is not None and args.demo not in DEMO_NAMES:
        parser.error(f"unknown demo {args.demo!r}; choose from {', '.join(DEMO_NAMES)}")
    if args.demo and args.files:
        parser.error("choose one source: --demo or --files, not both")


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser's subcommands by name (empty when it has none)."""
    for action in parser._actions:  # argparse has no public accessor for its subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def walk_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subcommand's parser, depth first."""
    yield parser
    for sub in dict.fromkeys(subcommands(parser).values()):
        yield from walk_parsers(sub)


def parser_actions(parser: argparse.ArgumentParser) -> Iterator[tuple[argparse.ArgumentParser, argparse.Action]]:
    """(owning parser, action) for every option and positional of the parser and its subcommands."""
    for owner in walk_parsers(parser):
        for action in owner._actions:  # argparse has no public list of a parser's actions
            yield owner, action
