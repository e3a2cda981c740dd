"""`netpol-tui explain`: explain why traffic between two endpoints is allowed or denied.

Exit status: 0 allowed, 1 denied, 2 bad input (unknown pod, bad port, unreadable batch file),
3 unknown (the answer depends on data that was not read: NetworkPolicies, Namespaces, Pods or
Services forbidden or not supplied). Several answers (a Service's pods, a batch) combine by one
rule: 2 when any entry is in error, else 1 when any is denied, else 3 when any is unknown, else 0.
Everything printed from the cluster is sanitised (no control characters or escape sequences).

A destination that is no snapshot endpoint but a DNS name (`--to example.com:443`, the port in
the name or in `--port`) is answered by name: FQDNNetworkPolicy rules on Dataplane V2, address
rules only where they cover every outside address, else unknown with the `nslookup` to run. A
Service's DNS name is evaluated as the Service's pods, saying why no FQDN rule can allow it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netpol_tui.commands.common import fail, print_json
from netpol_tui.gcpause import freeze_long_lived, gc_paused
from netpol_tui.policy.dataplane import DATAPLANE_CHOICES as DATAPLANES
from netpol_tui.text import clean

NAME = "explain"
HELP = "explain why traffic between two endpoints is allowed or denied"
EXIT_ALLOW, EXIT_DENY, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 1, 2, 3
EXIT_CODES = {"allow": EXIT_ALLOW, "deny": EXIT_DENY, "unknown": EXIT_UNKNOWN}
EXIT_HELP = ("exit status: 0 allowed, 1 denied, 2 bad input, 3 unknown (the answer depends on data that "
             "was not read, e.g. NetworkPolicies forbidden). Several answers (a Service's pods, --batch): 2 "
             "if any entry is in error, else 1 if any is denied, else 3 if any is unknown, else 0.")
ENDPOINT_HELP = ("NAMESPACE/POD, POD (with --namespace), an IP address (a pod's IP means that pod) "
                 "or NAMESPACE/svc/NAME (every pod behind the Service)")
DESTINATION_HELP = (f"destination: {ENDPOINT_HELP}, or a DNS name outside the cluster, optionally with its port "
                    "(example.com:443: egress by name, as FQDNNetworkPolicy decides it on Dataplane V2)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXIT_HELP
    parser.add_argument("--from", dest="src", metavar="ENDPOINT", help=f"source: {ENDPOINT_HELP}")
    parser.add_argument("--to", dest="dst", metavar="ENDPOINT", help=DESTINATION_HELP)
    parser.add_argument("--port", metavar="N",
                        help="destination port (for NAMESPACE/svc/NAME, the Service port; it is translated to "
                             "each pod's targetPort); optional when --to is NAME:PORT")
    parser.add_argument("--protocol", default="TCP", type=str.upper, choices=("TCP", "UDP", "SCTP"),
                        help="TCP (default), UDP or SCTP")
    parser.add_argument("--dataplane", default="auto", choices=DATAPLANES,
                        help="enforcement model: auto (from the GKE cluster info; default), kubernetes, calico, "
                             "dataplane-v2, none")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json", "yaml"),
                        help="text (sentences for a ticket; default), json, or yaml (with --suggest: the proposed "
                             "manifest only)")
    parser.add_argument("--suggest", action="store_true",
                        help="for a denied connection, propose the smallest NetworkPolicy that allows exactly it, "
                             "checked by applying it to the snapshot, with every other flow it would also open")
    parser.add_argument("--batch", metavar="FILE",
                        help="YAML or JSON list of {id, from, to, port, protocol}; prints JSON "
                             '{"results": [...]} in input order ("-" reads stdin); each result\'s verdict is '
                             "allow, deny, unknown (with unknown_because) or error")


def _fail(message: str) -> int:
    return fail(NAME, message, single_line=False)


def aggregate_exit(codes: list[int]) -> int:
    """The documented rule: error beats denied beats unknown beats allowed."""
    for code in (EXIT_BAD_INPUT, EXIT_DENY, EXIT_UNKNOWN):
        if code in codes:
            return code
    return EXIT_ALLOW


def unknown_dict(exc: Any, src: str, dst: str, port: int, protocol: str) -> dict[str, Any]:
    """An answer that is unknown before any verdict: an endpoint the unread data would have named."""
    return {"verdict": "unknown", "from": src, "to": dst, "port": port, "protocol": protocol,
            "message": exc.message, "unknown_because": list(exc.unknown_because)}


def _read_batch(path: str) -> list[Any]:
    """The list of queries; ValueError with a user-facing message."""
    from pathlib import Path

    import yaml

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read batch file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"batch file {path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ValueError(f"batch file {path} is neither YAML nor JSON{where}") from None
    if isinstance(data, dict):
        lists = [value for key, value in data.items() if key in ("queries", "items", "batch")]
        data = lists[0] if lists else data
    if not isinstance(data, list):
        raise ValueError(f"batch file {path} must hold a list of {{id, from, to, port, protocol}} entries")
    return data


def _answers(engine: Any, src_text: str, dst_text: str, port: int, protocol: str,
             namespace: str | None) -> list[Any]:
    """The verdicts of one query (`policy.questions.answer`, which the console's Explain shares)."""
    from netpol_tui.policy.questions import answer

    return answer(engine, src_text, dst_text, port, protocol, namespace)


def name_port(dst_text: str, port_text: Any) -> Any:
    """The port of a query: `--port`, or the `:PORT` of a DNS-name destination (`example.com:443`).
    ValueError when both are given and differ."""
    from netpol_tui.policy.names import split_name

    parsed = split_name(dst_text) if dst_text else None
    suffix = parsed[1] if parsed else None
    if port_text in (None, ""):
        return suffix
    if suffix is not None and str(port_text).strip() != str(suffix):
        raise ValueError(f"the destination {dst_text} names port {suffix}, --port says {port_text}")
    return port_text


def _group_dict(verdicts: list[Any], engine: Any, src: str, dst: str, port: int, protocol: str) -> dict[str, Any]:
    """One verdict as its dict; several (a Service) as a summary holding them."""
    from netpol_tui.policy.results import combine, verdict_word

    if len(verdicts) == 1:
        return verdicts[0].to_dict()
    data = {"verdict": verdict_word(combine([v.allowed for v in verdicts])),
            "dataplane": str(engine.dataplane), "from": src, "to": dst, "port": port, "protocol": protocol,
            "allowed": sum(1 for v in verdicts if v.allowed is True),
            "denied": sum(1 for v in verdicts if v.allowed is False),
            "unknown": sum(1 for v in verdicts if v.allowed is None)}
    if data["verdict"] == "unknown":
        data["unknown_because"] = list(dict.fromkeys(r for v in verdicts for r in v.unknown_because))
    data["results"] = [v.to_dict() for v in verdicts]
    data["notes"] = list(engine.notes)
    return data


def _entry_text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"missing {key!r}")
    if isinstance(value, dict | list | bool):
        raise ValueError(f"{key!r} must be an endpoint string, got {type(value).__name__}")
    return str(value).strip()


def _run_entry(engine: Any, entry: Any, index: int, namespace: str | None) -> tuple[dict[str, Any], int]:
    from netpol_tui.policy import EndpointUnknown, check_port, check_protocol

    if not isinstance(entry, dict):
        return {"id": index, "verdict": "error",
                "message": f"entry {index} must be a mapping with from, to and port"}, EXIT_BAD_INPUT
    ident = entry.get("id", index)
    try:
        src, dst = _entry_text(entry, "from"), _entry_text(entry, "to")
        port_value = name_port(dst, entry.get("port"))
        if port_value is None:
            raise ValueError("missing 'port'")
        port = check_port(port_value)
        protocol = check_protocol(entry.get("protocol") or "TCP")
        verdicts = _answers(engine, src, dst, port, protocol, namespace)
    except EndpointUnknown as exc:
        return {"id": ident, **unknown_dict(exc, src, dst, port, protocol)}, EXIT_UNKNOWN
    except ValueError as exc:  # EndpointError is a ValueError
        return {"id": ident, "verdict": "error", "message": str(exc)}, EXIT_BAD_INPUT
    result = {"id": ident, **_group_dict(verdicts, engine, src, dst, port, protocol)}
    return result, EXIT_CODES[result["verdict"]]


def evaluate_batch(engine: Any, entries: list[Any], namespace: str | None = None) -> tuple[list[dict], list[int]]:
    """Evaluate `--batch` entries in order: (results, exit code per entry).

    The cyclic garbage collector is paused meanwhile: a batch allocates many small, acyclic
    objects, and each full collection would walk the whole snapshot (millions of objects).
    """
    results, codes = [], []
    with gc_paused():
        for index, entry in enumerate(entries):
            result, code = _run_entry(engine, entry, index, namespace)
            results.append(result)
            codes.append(code)
    return results, codes


def _print_text(text: str) -> None:
    print(clean(text))


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import load_or_report
    from netpol_tui.policy import EndpointError, EndpointUnknown, PolicyEngine, check_port

    batch = None
    if args.batch:
        if args.src or args.dst or args.port:
            return _fail("use either --batch or --from/--to/--port, not both")
        if args.suggest or args.output_format == "yaml":
            return _fail("--suggest and --format yaml answer one query, not a --batch")
        try:
            batch = _read_batch(args.batch)
        except ValueError as exc:
            return _fail(str(exc))
    else:
        try:
            port_value = name_port(args.dst, args.port)
        except ValueError as exc:
            return _fail(str(exc))
        missing = [flag for flag, value in (("--from", args.src), ("--to", args.dst), ("--port", port_value))
                   if not value]
        if missing:
            return _fail(f"missing {', '.join(missing)} (or give --batch FILE)")
        try:
            port = check_port(port_value)
        except EndpointError as exc:
            return _fail(str(exc))
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_BAD_INPUT
    try:
        engine = PolicyEngine(snapshot, args.dataplane)
    except ValueError as exc:
        return _fail(str(exc))
    freeze_long_lived()  # the snapshot and the index live as long as this command: keep them out of GC passes
    namespace = getattr(args, "namespace", None)
    if batch is not None:
        results, codes = evaluate_batch(engine, batch, namespace)
        print_json({"dataplane": str(engine.dataplane), "results": results})
        errors = codes.count(EXIT_BAD_INPUT)
        if errors:
            print(f"netpol-tui explain: {errors} of {len(codes)} batch entries could not be evaluated",
                  file=sys.stderr)
        unknown = codes.count(EXIT_UNKNOWN)
        if unknown:
            print(f"netpol-tui explain: {unknown} of {len(codes)} batch entries are unknown (data not read)",
                  file=sys.stderr)
        return aggregate_exit(codes)
    try:
        verdicts = _answers(engine, args.src, args.dst, port, args.protocol, namespace)
    except EndpointUnknown as exc:
        if args.output_format == "json":
            print_json({"dataplane": str(engine.dataplane),
                         **unknown_dict(exc, args.src, args.dst, port, args.protocol)})
        else:
            _print_text("\n".join([f"Traffic from {args.src} to {args.dst} on {args.protocol} port {port} is "
                                    f"UNKNOWN: {exc.message}.", "It depends on data that was not read:",
                                    *(f"  ? {reason}" for reason in exc.unknown_because)]))
        return EXIT_UNKNOWN
    except EndpointError as exc:
        return _fail(str(exc))
    if args.suggest:
        from netpol_tui.commands.explain_suggest import print_suggestions
        from netpol_tui.policy.names import NameVerdict

        if any(isinstance(verdict, NameVerdict) for verdict in verdicts):
            return _fail("--suggest proposes a NetworkPolicy for a pod or address destination; egress to a DNS "
                         "name is allowed by an FQDNNetworkPolicy (Dataplane V2)")

        return print_suggestions(engine, verdicts, args.output_format,
                                 _group_dict(verdicts, engine, args.src, args.dst, port, args.protocol))
    if args.output_format == "yaml":
        return _fail("--format yaml prints a suggested manifest: add --suggest")
    if args.output_format == "json":
        print_json(_group_dict(verdicts, engine, args.src, args.dst, port, args.protocol))
    else:
        blocks = ["\n".join(verdict.sentences()) for verdict in verdicts]
        _print_text("\n\n".join(blocks))
        if len(verdicts) > 1:
            allowed = sum(1 for v in verdicts if v.allowed is True)
            unknown = sum(1 for v in verdicts if v.allowed is None)
            print(f"\nSummary: {allowed} of {len(verdicts)} connections allowed, "
                  f"{len(verdicts) - allowed - unknown} denied, {unknown} unknown.")
    return aggregate_exit([EXIT_CODES[v.verdict] for v in verdicts])
