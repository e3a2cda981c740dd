"""`netpol-tui diff`: what a change would change, before it is applied.

Change diff: `--with FILE...` (proposed NetworkPolicy manifests, applied as `kubectl apply`
would) and `--without NS/NAME...` (policies removed). Model diff: `--model calico --vs
dataplane-v2` (a migration), `--vs none` (enforcement turned off), `--model none --vs calico`
(turned on). `--batch FILE` (the `explain --batch` format) compares only those flows.

Exit status: 0 no flow changes, 1 some flow changes, 2 bad input, 3 no change but some flow
unknown (data not read).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netpol_tui.commands.matrix import DATAPLANES, add_common, page_source, parse_ports

NAME = "diff"
HELP = "what a change would change: proposed manifests, removed policies, or another dataplane model"
EXIT_SAME, EXIT_CHANGES, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from netpol_tui.whatif.render import DIFF_FORMATS

    add_common(parser)
    parser.add_argument("--with", dest="with_files", action="append", metavar="FILE",
                        help="proposed NetworkPolicy manifests (YAML or JSON, files or directories); repeatable")
    parser.add_argument("--without", action="append", metavar="NS/NAME",
                        help="a NetworkPolicy removed; repeatable")
    parser.add_argument("--model", default="auto", choices=DATAPLANES,
                        help="dataplane model before (default auto: from the GKE cluster info)")
    parser.add_argument("--vs", choices=DATAPLANES, metavar="MODEL",
                        help="dataplane model after: kubernetes, calico, dataplane-v2, none (a model diff)")
    parser.add_argument("--batch", metavar="FILE", help="compare only these flows (the explain --batch format)")
    parser.add_argument("--format", "-o", dest="output_format", default="text", choices=DIFF_FORMATS,
                        help="text (default), json, markdown (a change ticket) or html (one self-contained page: "
                             "the changed flows with both verdicts and explain commands to copy)")


def _removed(items: list[str] | None) -> list[tuple[str, str]]:
    removed = []
    for item in items or ():
        namespace, _, name = item.partition("/")
        if not namespace or not name or "/" in name:
            raise ValueError(f"--without {item!r}: give NAMESPACE/NAME")
        removed.append((namespace, name))
    return removed


def _proposed(paths: list[str]) -> list:
    from netpol_tui.commands.common import print_problems
    from netpol_tui.sources.errors import SourceError
    from netpol_tui.sources.files import load_files

    try:
        proposed = load_files(paths, description="proposed: " + ", ".join(paths))
    except SourceError as exc:
        raise ValueError(f"--with: {exc.message}") from None
    print_problems(proposed)
    if not proposed.policies:
        raise ValueError(f"--with {', '.join(paths)}: no NetworkPolicy found")
    return list(proposed.policies)


def _batch_changes(before: Any, after: Any, entries: list[Any], namespace: str | None) -> tuple[list[dict], int, bool]:
    """Each entry asked of both engines: (changes, unknown count, any entry in error)."""
    from netpol_tui.commands.explain import _run_entry

    changes, unknown, errors = [], 0, False
    for index, entry in enumerate(entries):
        old, _ = _run_entry(before, entry, index, namespace)
        new, _ = _run_entry(after, entry, index, namespace)
        if "error" in (old["verdict"], new["verdict"]):
            errors = True
            print(f"netpol-tui diff: batch entry {old.get('id', index)}: {old.get('message') or new.get('message')}",
                  file=sys.stderr)
            continue
        if "unknown" in (old["verdict"], new["verdict"]):
            unknown += 1
            continue
        if old["verdict"] != new["verdict"]:
            changes.append({"id": old.get("id", index), "from": entry.get("from"), "to": entry.get("to"),
                            "port": old.get("port"), "protocol": old.get("protocol"), "before": old["verdict"],
                            "after": new["verdict"], "before_deciding": _rules(old), "after_deciding": _rules(new)})
    return changes, unknown, errors


def _rules(result: dict) -> list[str]:
    sides = [result.get("egress") or {}, result.get("ingress") or {}]
    found = [ref.get("text", "") for side in sides for ref in side.get("allowed_by", [])]
    found += [f"{side.get('direction')} isolated by {p}" for side in sides if side.get("verdict") == "deny"
              for p in side.get("isolating_policies", [])]
    return found


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import fail, load_or_report
    from netpol_tui.policy import PolicyEngine
    from netpol_tui.text import clean
    from netpol_tui.whatif.diff import ChangeError, apply_change, diff_engines
    from netpol_tui.whatif.render import json_document, render_diff

    changing = bool(args.with_files or args.without)
    if not changing and args.vs is None:
        return fail(NAME, "say what to compare: --with FILE, --without NS/NAME, or --model A --vs B")
    if changing and args.vs is not None:
        return fail(NAME, "compare either a change (--with/--without) or two models (--model/--vs), not both")
    if args.batch and args.output_format == "html":
        return fail(NAME, "--batch prints text or json, not html")
    try:
        ports = parse_ports(args.ports)
        removed = _removed(args.without)
        proposed = _proposed(args.with_files) if args.with_files else []
        batch = None
        if args.batch:
            from netpol_tui.commands.explain import _read_batch

            batch = _read_batch(args.batch)
    except ValueError as exc:
        return fail(NAME, str(exc))
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_BAD_INPUT
    before = PolicyEngine(snapshot, args.model)
    if changing:
        try:
            # derived from `before`: only the changed policies' namespaces are indexed again
            after = before.derive(apply_change(snapshot, proposed, removed), args.model)
        except ChangeError as exc:
            return fail(NAME, str(exc))
        labels = ("the snapshot", "with the change: " + ", ".join(
            [f"+{p.namespace}/{p.name}" for p in proposed] + [f"-{ns}/{name}" for ns, name in removed]))
    else:
        after = before.derive(snapshot, args.vs)  # the same index, another model
        labels = (str(before.dataplane), str(after.dataplane))
    namespace = getattr(args, "namespace", None)
    if batch is not None:
        changes, unknown, errors = _batch_changes(before, after, batch, namespace)
        document: dict[str, Any] = {"before": labels[0], "after": labels[1], "compared": len(batch), "unknown": unknown,
                    "changes": changes, "summary": [f"{len(changes)} of {len(batch)} batch flows change"]}
        if args.output_format == "json":
            sys.stdout.write(json_document(document))
        else:
            for change in changes:
                print(clean(f"{change['id']}: {change['from']} -> {change['to']} {change['port']}/"
                            f"{change['protocol']}: {change['before']} -> {change['after']}", single_line=True))
            print(document["summary"][0] + (f", {unknown} unknown" if unknown else ""))
        if errors:
            return EXIT_BAD_INPUT
        return EXIT_CHANGES if changes else (EXIT_UNKNOWN if unknown else EXIT_SAME)
    diff = diff_engines(before, after, *labels, namespace=namespace, extra_ports=ports)
    if args.output_format == "markdown" and not changing:
        from netpol_tui.checks import run_checks
        from netpol_tui.whatif.render import MIGRATION_CHECKS, migration_markdown

        sys.stdout.write(migration_markdown(diff, run_checks(snapshot, select=",".join(MIGRATION_CHECKS))))
    elif args.output_format == "html":
        from netpol_tui.checks import run_checks
        from netpol_tui.whatif.render import MIGRATION_CHECKS
        from netpol_tui.whatif.render_html import diff_html

        checks = None if changing else run_checks(snapshot, select=",".join(MIGRATION_CHECKS))
        models = None if changing else (args.model, args.vs)
        sys.stdout.write(diff_html(diff, page_source(args, snapshot), models, checks))
    else:
        sys.stdout.write(render_diff(diff, args.output_format))
    sys.stdout.flush()
    if diff.changes:
        return EXIT_CHANGES
    return EXIT_UNKNOWN if diff.unknown else EXIT_SAME
