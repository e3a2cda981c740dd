"""`netpol-tui __complete contexts`: the values completion scripts ask for at completion time.

Hidden from help and from completion itself. It never fails loudly: a broken kubeconfig just
completes nothing, since the user is in the middle of typing.
"""

from __future__ import annotations

import argparse

NAME = "__complete"
HELP = "values for shell completion (used by the completion scripts)"
KINDS = ("contexts", "checks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS)


def values(kind: str, kubeconfig: str | None) -> list[str]:
    if kind == "checks":
        from netpol_tui.checks.registry import CATALOG  # the catalog loads only when asked for

        return [spec.id for spec in CATALOG]
    from netpol_tui.sources.kube import KubeConfigError, list_contexts

    try:
        names, _current = list_contexts(kubeconfig)
    except (KubeConfigError, OSError, ValueError):
        return []
    return names


def run(args: argparse.Namespace) -> int:
    for value in values(args.kind, getattr(args, "kubeconfig", None)):
        if value and "\n" not in value:
            print(value)
    return 0
