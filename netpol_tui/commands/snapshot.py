"""`netpol-tui snapshot save DIR`: save what a source reads as files a colleague opens with --files DIR."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from netpol_tui.options import options_from_args
from netpol_tui.shell import quote

NAME = "snapshot"
HELP = "save what a live source reads as files (snapshot save DIR)"
EXIT_OK, EXIT_FAILED = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["save"], help="save: write the snapshot into DIR")
    parser.add_argument("directory", metavar="DIR",
                        help="new or empty directory (no dot-files either) for kubectl/gcloud-shaped JSON "
                             "files and manifest.json, written owner-only")
    parser.add_argument("--force", action="store_true",
                        help="write into a directory that holds an earlier save (its files are replaced)")
    parser.epilog = ("Reads the current kubeconfig context (or --context, --demo, --files) once and writes "
                     "namespaces, nodes, pods, policies, services, ingresses, workloads, events, the GKE cluster "
                     "and its operations. Open the result with: netpol-tui --files DIR")


def _progress_printer() -> Callable[[str, int, int], None] | None:
    """A one-line progress display on a terminal; nothing when stderr is redirected."""
    if not sys.stderr.isatty():
        return None

    def progress(what: str, done: int, total: int) -> None:
        if not what:
            sys.stderr.write("\r\x1b[K")
        else:
            count = f"{done}/{total}" if total else str(done)
            sys.stderr.write(f"\r\x1b[Kreading {what}: {count}")
        sys.stderr.flush()

    return progress


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import print_problems, report_source_error
    from netpol_tui.sources import SourceError, load_snapshot
    from netpol_tui.sources.save import SaveError, save_snapshot
    from netpol_tui.text import clean

    try:
        snapshot = load_snapshot(options_from_args(args), progress=_progress_printer())
    except SourceError as exc:
        report_source_error(exc)
        return EXIT_FAILED
    print_problems(snapshot)
    try:
        result = save_snapshot(snapshot, args.directory, force=args.force)
    except SaveError as exc:
        print(f"netpol-tui: {exc}", file=sys.stderr)
        return EXIT_FAILED
    counts = ", ".join(f"{count} {name}" for name, count in result.counts.items() if count)
    print(f"Saved {counts or 'an empty snapshot'} from {clean(snapshot.source.description, 200)} to {result.directory}")
    if snapshot.unknown:
        print(f"Not read: {', '.join(str(part.kind) for part in snapshot.unknown)} (see manifest.json)")
    print(f"Open it with: netpol-tui --files {quote(str(result.directory))}")
    return EXIT_OK
