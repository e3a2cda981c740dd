"""`check --watch` and `check --until-clean`: the checks re-run on every batch the follower delivers.

--watch prints the findings open at the start, then one line per finding that appears,
resolves or changes (and per check that turns unknown or decides again), as text lines or
JSON lines, until ctrl+c, `--wait` or a source that cannot change (the demo, stdin: printed
once). It exits as `check` would on the last state.

--until-clean waits until the selected checks are clean: no finding at all from them (any
severity: --fail-on does not apply) and none unknown. Exit 0 then; 3 at once when nothing but
unknown checks stands in the way (a kind not read stays not read: waiting does not help);
1 when `--wait` runs out or the source cannot change, printing what is still open.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from netpol_tui.text import clean, plural

if TYPE_CHECKING:
    from netpol_tui.checks import Finding, Report
    from netpol_tui.sources.follow import FollowUpdate

EXIT_CLEAN, EXIT_OPEN, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3
DEFAULT_WAIT = "30m"
_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$")


def parse_duration(text: str) -> float:
    """`30m`, `90s`, `1h30m`, `45` (seconds) as seconds; ValueError for anything else."""
    match = _DURATION.match(text or "")
    if not match or not any(match.groups()):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 30m, 1h30m)")
    hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def duration_type(text: str) -> str:
    """argparse type: the duration as written (kept for messages), refused at parse time when bad."""
    try:
        parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _identity(finding: Finding) -> tuple:
    subject = finding.subject
    return (finding.id, subject.kind, subject.namespace, subject.name)


class Printer:
    """Lines for changes between two reports, as text or JSON lines, flushed at once (pipes, tail -f)."""

    def __init__(self, fmt: str) -> None:
        self.json = fmt == "json"
        self.findings: dict[tuple, Finding] = {}
        self.unknown: dict[str, str] = {}

    def _emit(self, event: str, text: str, payload: dict[str, Any]) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        if self.json:
            line = orjson.dumps({"time": now.isoformat().replace("+00:00", "Z"), "event": event, **payload}).decode()
        else:
            line = f"{now.strftime('%H:%M:%S')} {event:<8} {clean(text, 2000, single_line=True)}"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def _finding(self, event: str, finding: Finding) -> None:
        self._emit(event, f"{finding.id} {finding.severity} {finding.subject}: {finding.message}",
                   {"finding": finding.to_dict()})

    def update(self, report: Report, *, initial: bool = False) -> int:
        """Print what changed since the last report; returns how many lines."""
        lines = 0
        current = {_identity(finding): finding for finding in report.findings}
        for key, finding in current.items():
            old = self.findings.get(key)
            if old is None:
                self._finding("open" if initial else "new", finding)
                lines += 1
            elif old.message != finding.message or old.severity != finding.severity:
                self._finding("changed", finding)
                lines += 1
        for key, finding in self.findings.items():
            if key not in current:
                self._finding("resolved", finding)
                lines += 1
        unknown = {item.id: item.reason for item in report.unknown}
        for check_id, reason in unknown.items():
            if self.unknown.get(check_id) != reason:
                self._emit("unknown", f"{check_id}: {reason}", {"check": check_id, "reason": reason})
                lines += 1
        for check_id in self.unknown:
            if check_id not in unknown:
                self._emit("decided", f"{check_id} decides again", {"check": check_id})
                lines += 1
        self.findings, self.unknown = current, unknown
        return lines

    def restate(self, report: Report) -> None:
        """Every finding and unknown check still open, one line each (the end of a text --until-clean)."""
        for finding in report.findings:
            self._finding("open", finding)
        for item in report.unknown:
            self._emit("unknown", f"{item.id}: {item.reason}", {"check": item.id, "reason": item.reason})

    def outcome(self, event: str, text: str, report: Report) -> None:
        """The closing line of --until-clean: clean, unknown or timeout (with what is still open)."""
        self._emit(event, text, {"open": [finding.to_dict() for finding in report.findings],
                                 "unknown": [item.to_dict() for item in report.unknown]})


def _states_note(update: FollowUpdate, shown: dict[str, str]) -> None:
    """Source state changes on stderr (reconnecting, polling, not read), each once."""
    for status in update.states:
        text = str(status)
        if shown.get(status.name) == text:
            continue
        first = status.name not in shown
        shown[status.name] = text
        if str(status.state) in ("fixed", "not installed") or (first and str(status.state) == "following"):
            continue
        print(f"netpol-tui: {clean(text, 300, single_line=True)}", file=sys.stderr)


def run_follow(args: argparse.Namespace) -> int:
    """--watch or --until-clean; the caller checked --select/--ignore already."""
    from netpol_tui.checks import run_checks
    from netpol_tui.commands.check_exit import EXIT_OK, exit_status
    from netpol_tui.commands.common import print_problems, report_source_error
    from netpol_tui.options import options_from_args
    from netpol_tui.sources import NO_SOURCE_HINT, SourceError, kubeconfig_available
    from netpol_tui.sources.follow import Follower

    if args.format not in ("text", "json"):
        print("netpol-tui: --watch and --until-clean print text or JSON lines: use --format text or json",
              file=sys.stderr)
        return EXIT_USAGE
    options = options_from_args(args)
    if options.kind == "live" and not kubeconfig_available(options):
        report_source_error(SourceError("no source chosen", hint=NO_SOURCE_HINT))
        return EXIT_USAGE
    until_clean = bool(args.until_clean)
    wait_text = args.wait or (DEFAULT_WAIT if until_clean else None)
    wait = parse_duration(wait_text) if wait_text else None
    follower = Follower(options)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        follower.stop()

    timer = threading.Timer(wait, expire) if wait is not None else None
    if timer is not None:
        timer.daemon = True
    printer = Printer(args.format)
    shown: dict[str, str] = {}
    started = time.monotonic()
    report: Report | None = None
    fixed = False
    try:
        for update in follower:
            if update.initial:
                print_problems(update.snapshot)
                if timer is not None:
                    timer.start()
            _states_note(update, shown)
            fixed = any(str(status.state) == "fixed" for status in update.states)
            report = run_checks(update.snapshot, select=args.select, ignore=args.ignore)
            printer.update(report, initial=update.initial)
            if until_clean:
                if not report.findings and not report.unknown:
                    printer.outcome("clean", f"the selected checks are clean after {_took(started)}", report)
                    return EXIT_CLEAN
                if not report.findings:
                    printer.outcome("unknown", "no finding left, but some selected check is unknown "
                                               "(waiting does not read what could not be read)", report)
                    return EXIT_UNKNOWN
            if fixed:
                print("netpol-tui: the source cannot change (the bundled demo, standard input): "
                      "printed its state once", file=sys.stderr)
                break
    except SourceError as exc:
        report_source_error(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        if until_clean or report is None:
            raise
    finally:
        follower.stop()
        if timer is not None:
            timer.cancel()
    if report is None:
        return EXIT_USAGE
    if until_clean:
        why = "the source cannot change" if fixed else f"the wait of {wait_text} ran out" if expired.is_set() \
            else "the source could not be followed (see above)"
        open_count = len(report.findings)
        printer.outcome("timeout", f"still open ({why}): {plural(open_count, 'finding')}, "
                                   f"{len(report.unknown)} unknown", report)
        if not printer.json:  # JSON lines carry them in the outcome line
            printer.restate(report)
        return EXIT_OPEN
    return exit_status(report, args.fail_on) if report is not None else EXIT_OK


def _took(started: float) -> str:
    seconds = time.monotonic() - started
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


__all__ = ["DEFAULT_WAIT", "Printer", "duration_type", "parse_duration", "run_follow"]
