"""Deep links: start options that open the console at a place, not at Status.

    netpol-tui --context CTX --pod shop/web-1         # Policies, that pod selected
    netpol-tui --context CTX --policy shop/allow-web  # Policies, that policy (of any kind) selected
    netpol-tui --context CTX --policy ccnp/lockdown   # a kind first: netpol/, fqdn/, cnp/ NS/NAME; ccnp/NAME
    netpol-tui --context CTX --screen matrix          # any screen, by name or `:` alias
    netpol-tui --context CTX --explain shop/web data/db 5432   # the Explain form, filled and run

They are what a k9s plugin (docs/k9s.md), a runbook or a chat message links to. The values are
checked here, before textual loads, so a malformed one ends with one line and exit 2 instead of
a console that opened somewhere else; whether the object *exists* is only known once the
snapshot is read, so a name that is not there opens the screen with a notice (and the closest
names) instead (screens/navigator.py, screens/navigation.py).
"""

from __future__ import annotations

import argparse
import difflib
import re
from dataclasses import dataclass

from netpol_tui.modes import MODE_NAMES, SCREEN_ALIASES
from netpol_tui.refs import ANY_POLICY, LINK_KINDS

GROUP_TITLE = "console start (deep links; the console only)"
#: Option -> argparse dest, in the order the error messages name them.
START_OPTIONS = {"--pod": "start_pod", "--policy": "start_policy", "--screen": "start_screen",
                 "--explain": "start_explain"}
#: A Kubernetes name as far as a link can tell: no spaces, slashes or control characters (the
#: snapshot decides whether it exists; files may hold names an API server would refuse).
_NAME = re.compile(r"[^\s/\x00-\x1f\x7f]{1,253}")


class StartError(ValueError):
    """A start option's value cannot be a place in the console (the message is one line)."""


@dataclass(frozen=True, slots=True)
class StartAt:
    """Where the console opens: a screen, an object to select there, an Explain question to run."""

    screen: str = "status"
    #: (kind, namespace, name) of the object to select: kind "Pod", a policy kind
    #: ("NetworkPolicy", "FQDNNetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy",
    #: namespace None for the last) or `refs.ANY_POLICY` for a policy named without its kind (namespace
    #: None: any namespace, or cluster-scoped), resolved once the snapshot is read.
    select: tuple[str, str | None, str] | None = None
    #: (from, to, port) for the Explain form, which is filled in and run once the engine is ready.
    explain: tuple[str, str, int] | None = None


def add_start_options(parser: argparse.ArgumentParser) -> None:
    """The deep-link options (top-level parser only: they mean nothing to a subcommand)."""
    group = parser.add_argument_group(GROUP_TITLE)
    group.add_argument("--pod", dest="start_pod", metavar="NS/NAME",
                       help="open Policies with this pod selected (NAME alone with --namespace)")
    group.add_argument("--policy", dest="start_policy", metavar="[KIND/]NS/NAME",
                       help="open Policies with this policy selected: NS/NAME for a NetworkPolicy, "
                            "FQDNNetworkPolicy or CiliumNetworkPolicy (KIND/NS/NAME with KIND netpol, fqdn or cnp "
                            "when names clash), ccnp/NAME for a CiliumClusterwideNetworkPolicy, NAME alone for "
                            "any policy of that name (in --namespace when given)")
    group.add_argument("--screen", dest="start_screen", metavar="NAME",
                       help=f"open this screen: {', '.join(MODE_NAMES)} (or a : command alias such as pods, netpol)")
    group.add_argument("--explain", dest="start_explain", nargs=3, metavar=("FROM", "TO", "PORT"),
                       help="open the Explain form with FROM, TO and PORT filled in and run it (FROM/TO as for "
                            "`explain --from/--to`)")


def _object_name(option: str, value: str, namespace: str | None) -> tuple[str, str]:
    """(namespace, name) of `NS/NAME`, or of `NAME` with --namespace."""
    parts = value.split("/")
    if len(parts) == 1 and namespace:
        parts = [namespace, value]
    if len(parts) != 2 or not all(_NAME.fullmatch(part) for part in parts):
        hint = "" if namespace else " (or NAME with --namespace)"
        raise StartError(f"{option} {value!r}: expected NAMESPACE/NAME{hint}")
    return parts[0], parts[1]


def _policy(value: str, namespace: str | None) -> tuple[str, str | None, str]:
    """(kind, namespace, name) of a `--policy` value: `KIND/NS/NAME` or `ccnp/NAME` (KIND one of
    `LINK_KINDS`), `NS/NAME` (a policy of any namespaced kind), or `NAME` (with --namespace: in
    that namespace; without: any policy of that name, cluster-wide ones included). The kind words
    count only in those shapes: `fqdn/x` is the policy x of a namespace called fqdn, and a
    NetworkPolicy x in a namespace called ccnp is `netpol/ccnp/x`."""
    expected = (f"--policy {value!r}: expected NAMESPACE/NAME, KIND/NAMESPACE/NAME (KIND: netpol, fqdn, cnp), "
                "ccnp/NAME or NAME")
    parts = value.split("/")
    kind = LINK_KINDS.get(parts[0].lower())
    if kind == "CiliumClusterwideNetworkPolicy" and len(parts) == 2:
        if not _NAME.fullmatch(parts[1]):
            raise StartError(expected)
        return kind, None, parts[1]
    if kind == "CiliumClusterwideNetworkPolicy" and len(parts) == 3:
        raise StartError(f"--policy {value!r}: a CiliumClusterwideNetworkPolicy has no namespace: write ccnp/NAME")
    if kind is not None and len(parts) == 3:
        parts = parts[1:]
    else:
        kind = ANY_POLICY
        if len(parts) == 1:
            parts = [namespace, value] if namespace else [value]
    if len(parts) > 2 or not all(_NAME.fullmatch(part) for part in parts):
        raise StartError(expected)
    return (kind, parts[0], parts[1]) if len(parts) == 2 else (kind, None, parts[0])


def screen_named(word: str) -> str:
    """The screen a `--screen` word names; StartError with the closest words when none does."""
    mode = SCREEN_ALIASES.get(word.strip().lower())
    shown = word
    if mode is not None:
        return mode
    word = word.strip().lower()
    close = difflib.get_close_matches(word, MODE_NAMES, n=2, cutoff=0.6) or \
        difflib.get_close_matches(word, list(SCREEN_ALIASES), n=3, cutoff=0.6)
    mean = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise StartError(f"--screen {shown!r}: no such screen{mean}; choose from {', '.join(MODE_NAMES)}")


def _explain(values: list[str]) -> tuple[str, str, int]:
    from netpol_tui.policy.common import check_port  # the engine's own rule for a port (1-65535)

    src, dst, port = (value.strip() for value in values)
    for side, value in (("FROM", src), ("TO", dst)):
        if not value or any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise StartError(f"--explain {side} {value!r}: expected NAMESPACE/POD, an IP or NAMESPACE/svc/NAME")
    try:
        return src, dst, check_port(port)
    except ValueError as exc:
        raise StartError(f"--explain PORT: {exc}") from None


def start_from_args(args: argparse.Namespace) -> StartAt | None:
    """The place the parsed start options name (None: none given); StartError for a bad value or a
    combination that names two places."""
    given = [option for option, dest in START_OPTIONS.items() if getattr(args, dest, None) is not None]
    if not given:
        return None
    if getattr(args, "command", None):
        raise StartError(f"{given[0]} opens the console; it does not go with the {args.command} command")
    if args.start_pod is not None and args.start_policy is not None:
        raise StartError("choose one object to select: --pod or --policy, not both")
    namespace = getattr(args, "namespace", None)
    select: tuple[str, str | None, str] | None = None
    if args.start_pod is not None:
        select = ("Pod", *_object_name("--pod", args.start_pod, namespace))
    elif args.start_policy is not None:
        select = _policy(args.start_policy, namespace)
    screen = screen_named(args.start_screen) if args.start_screen is not None else None
    if select is not None and screen not in (None, "policies"):
        option = "--pod" if select[0] == "Pod" else "--policy"
        raise StartError(f"{option} opens the Policies screen; it does not go with --screen {args.start_screen}")
    explain = _explain(args.start_explain) if args.start_explain is not None else None
    default = "policies" if select is not None or explain is not None else "status"
    return StartAt(screen=screen or default, select=select, explain=explain)
