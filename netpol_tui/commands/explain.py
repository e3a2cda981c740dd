"""`netpol-tui explain`: explain why traffic between two endpoints is allowed or denied.

Exit status: 0 allowed, 1 denied (any result denied), 2 bad input (unknown pod, bad port,
unreadable batch file; in a batch, any entry in error).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from netpol_tui.gcpause import gc_paused

NAME = "explain"
HELP = "explain why traffic between two endpoints is allowed or denied"
EXIT_ALLOW, EXIT_DENY, EXIT_BAD_INPUT = 0, 1, 2
DATAPLANES = ("auto", "kubernetes", "calico", "dataplane-v2", "none")
ENDPOINT_HELP = ("NAMESPACE/POD, POD (with --namespace), an IP address (a pod's IP means that pod) "
                 "or NAMESPACE/svc/NAME (every pod behind the Service)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="src", metavar="ENDPOINT", help=f"source: {ENDPOINT_HELP}")
    parser.add_argument("--to", dest="dst", metavar="ENDPOINT", help=f"destination: {ENDPOINT_HELP}")
    parser.add_argument("--port", metavar="N",
                        help="destination port (for NAMESPACE/svc/NAME, the Service port; it is translated to "
                             "each pod's targetPort)")
    parser.add_argument("--protocol", default="TCP", type=str.upper, choices=("TCP", "UDP", "SCTP"),
                        help="TCP (default), UDP or SCTP")
    parser.add_argument("--dataplane", default="auto", choices=DATAPLANES,
                        help="enforcement model: auto (from the GKE cluster info; default), kubernetes, calico, "
                             "dataplane-v2, none")
    parser.add_argument("--format", dest="output_format", default="text", choices=("text", "json"),
                        help="text (sentences for a ticket; default) or json")
    parser.add_argument("--batch", metavar="FILE",
                        help="YAML or JSON list of {id, from, to, port, protocol}; prints JSON "
                             '{"results": [...]} in input order ("-" reads stdin)')


def _fail(message: str) -> int:
    print(f"netpol-tui explain: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


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


def _pairs(engine: Any, src_text: str, dst_text: str, namespace: str | None) -> list[tuple[Any, Any]]:
    sources = engine.resolve(src_text, namespace)
    destinations = engine.resolve(dst_text, namespace)
    return [(src, dst) for src in sources for dst in destinations]


def _group_dict(verdicts: list[Any], engine: Any, src: str, dst: str, port: int, protocol: str) -> dict[str, Any]:
    """One verdict as its dict; several (a Service) as a summary holding them."""
    if len(verdicts) == 1:
        return verdicts[0].to_dict()
    return {"verdict": "allow" if all(v.allowed for v in verdicts) else "deny",
            "dataplane": str(engine.dataplane), "from": src, "to": dst, "port": port, "protocol": protocol,
            "allowed": sum(1 for v in verdicts if v.allowed), "denied": sum(1 for v in verdicts if not v.allowed),
            "results": [v.to_dict() for v in verdicts], "notes": list(engine.notes)}


def _entry_text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"missing {key!r}")
    if isinstance(value, dict | list | bool):
        raise ValueError(f"{key!r} must be an endpoint string, got {type(value).__name__}")
    return str(value).strip()


def _run_entry(engine: Any, entry: Any, index: int, namespace: str | None) -> tuple[dict[str, Any], int]:
    from netpol_tui.policy import check_port, check_protocol

    if not isinstance(entry, dict):
        return {"id": index, "verdict": "error",
                "message": f"entry {index} must be a mapping with from, to and port"}, EXIT_BAD_INPUT
    ident = entry.get("id", index)
    try:
        src, dst = _entry_text(entry, "from"), _entry_text(entry, "to")
        if entry.get("port") is None:
            raise ValueError("missing 'port'")
        port = check_port(entry["port"])
        protocol = check_protocol(entry.get("protocol") or "TCP")
        verdicts = [engine.evaluate(a, b, port, protocol) for a, b in _pairs(engine, src, dst, namespace)]
    except ValueError as exc:  # EndpointError is a ValueError
        return {"id": ident, "verdict": "error", "message": str(exc)}, EXIT_BAD_INPUT
    result = {"id": ident, **_group_dict(verdicts, engine, src, dst, port, protocol)}
    return result, EXIT_ALLOW if result["verdict"] == "allow" else EXIT_DENY


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


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def run(args: argparse.Namespace) -> int:
    from netpol_tui.commands.common import load_or_report
    from netpol_tui.policy import EndpointError, PolicyEngine, check_port

    batch = None
    if args.batch:
        if args.src or args.dst or args.port:
            return _fail("use either --batch or --from/--to/--port, not both")
        try:
            batch = _read_batch(args.batch)
        except ValueError as exc:
            return _fail(str(exc))
    else:
        missing = [flag for flag, value in (("--from", args.src), ("--to", args.dst), ("--port", args.port))
                   if not value]
        if missing:
            return _fail(f"missing {', '.join(missing)} (or give --batch FILE)")
        try:
            port = check_port(args.port)
        except EndpointError as exc:
            return _fail(str(exc))
    snapshot = load_or_report(args)
    if snapshot is None:
        return EXIT_BAD_INPUT
    try:
        engine = PolicyEngine(snapshot, args.dataplane)
    except ValueError as exc:
        return _fail(str(exc))
    import gc

    gc.freeze()  # the snapshot and the index live as long as this command: keep them out of GC passes
    namespace = getattr(args, "namespace", None)
    if batch is not None:
        results, codes = evaluate_batch(engine, batch, namespace)
        _print_json({"dataplane": str(engine.dataplane), "results": results})
        errors = codes.count(EXIT_BAD_INPUT)
        if errors:
            print(f"netpol-tui explain: {errors} of {len(codes)} batch entries could not be evaluated",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        return EXIT_DENY if EXIT_DENY in codes else EXIT_ALLOW
    try:
        verdicts = [engine.evaluate(a, b, port, args.protocol)
                    for a, b in _pairs(engine, args.src, args.dst, namespace)]
    except EndpointError as exc:
        return _fail(str(exc))
    if args.output_format == "json":
        _print_json(_group_dict(verdicts, engine, args.src, args.dst, port, args.protocol))
    else:
        blocks = ["\n".join(verdict.sentences()) for verdict in verdicts]
        print("\n\n".join(blocks))
        if len(verdicts) > 1:
            allowed = sum(1 for v in verdicts if v.allowed)
            print(f"\nSummary: {allowed} of {len(verdicts)} connections allowed, "
                  f"{len(verdicts) - allowed} denied.")
    return EXIT_ALLOW if all(v.allowed for v in verdicts) else EXIT_DENY
