"""Stream flow records from files or stdin: JSON arrays, JSON lines, or concatenated JSON objects.

Nothing is loaded whole. A JSON array (what `gcloud logging read --format=json` prints) and
pretty-printed objects are walked item by item with ijson; JSON lines (`hubble observe -o json`,
Cloud Logging exports) are read line by line with orjson. A malformed record becomes a
`Problem` naming the file, the line or record index and the field; reading goes on with the next.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

import ijson
import orjson

from netpol_tui.flows.fastlines import BLOCK, Folder, decode_block
from netpol_tui.flows.gke_log import SkipRecord, parse_policy_action
from netpol_tui.flows.groups import Connection
from netpol_tui.flows.hubble import is_hubble, parse_hubble
from netpol_tui.flows.records import FlowKey, Problem, RecordError

#: Problems kept in full; beyond it they are only counted (a broken file can hold millions).
MAX_PROBLEMS = 1000
#: Keys of objects `hubble observe` prints beside flows.
HUBBLE_OTHER = ("node_status", "lost_events", "agent_event", "debug_event")

Parsed = tuple[FlowKey, int, str | None, str | None]


class FlowReader:
    """Reads paths one after the other; `problems`, `skipped` and `records` fill as it goes."""

    def __init__(self, stdin: IO[bytes] | None = None, connections: dict[FlowKey, Connection] | None = None) -> None:
        """`connections` (the dict `groups.aggregate` fills from what this reader yields) turns on the
        fast path for JSON lines: records it can take fold straight into it and are not yielded."""
        self.problems: list[Problem] = []
        self.problem_count = 0
        #: reason -> records counted apart (reply packets, non-policy drops, ICMP, ...)
        self.skipped: Counter[str] = Counter()
        self.records = 0
        self.files_unreadable = 0
        #: Records, skipped records and problems that came through read_entries.
        self.from_entries = 0
        self._file: str = ""
        self._line: int | None = None
        self._index: int | None = None
        self._log_name: str | None = None
        self._stdin = stdin
        self._folder = Folder(connections) if connections is not None else None

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def read(self, paths: Iterable[str]) -> Iterator[Parsed]:
        for path in paths:
            yield from self.read_one(path)

    def read_one(self, path: str) -> Iterator[Parsed]:
        name = "<stdin>" if path == "-" else path
        try:
            stream = self._open(path)
        except OSError as exc:
            self.files_unreadable += 1
            self.problem(Problem(name, f"cannot read: {exc.strerror or exc}"))
            return
        try:
            before = self.records + sum(self.skipped.values()) + self.problem_count
            yield from self._records(stream, name)
            if self.records + sum(self.skipped.values()) + self.problem_count == before:
                self.problem(Problem(name, "holds no flow records"))
        except OSError as exc:
            self.problem(Problem(name, f"read failed: {exc.strerror or exc}"))
        finally:
            if path != "-":
                stream.close()

    def read_entries(self, name: str, entries: Iterable[Any]) -> Iterator[Parsed]:
        """Records already decoded (LogEntry dicts from the Cloud Logging API): parsed like file records,
        each numbered by its place in the stream; `name` stands for the file in problems."""
        before = self.records + sum(self.skipped.values()) + self.problem_count
        record, problem = self._record, self.problem
        for index, entry in enumerate(entries):
            if type(entry) is not dict:
                problem(Problem(name, f"expected a JSON object, got {type(entry).__name__}", None, index))
                continue
            parsed = record(entry, name, None, index)
            if parsed is not None:
                yield parsed
        self.from_entries += self.records + sum(self.skipped.values()) + self.problem_count - before

    def _open(self, path: str) -> IO[bytes]:
        if path == "-":
            raw = self._stdin if self._stdin is not None else sys.stdin.buffer
            return raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
        if path.endswith(".gz"):
            return io.BufferedReader(gzip.open(path, "rb"))
        return open(path, "rb")

    def _records(self, stream: IO[bytes], name: str) -> Iterator[Parsed]:
        head = _peek_nonspace(stream)
        if head == b"":
            return
        if head == b"[":
            yield from self._items(stream, name, "item")
            return
        if head != b"{":
            self.problem(Problem(name, "not JSON: expected a JSON array, JSON lines or JSON objects", line=1))
            return
        first = stream.readline()
        try:
            value = orjson.loads(first)
        except orjson.JSONDecodeError:
            if not first.endswith(b"\n"):
                self.problem(Problem(name, "truncated record: the file ends inside it", line=1))
                return
            # a pretty-printed object (or several): walk them as a stream of values
            yield from self._items(_Prefixed(first, stream), name, "", multiple=True)  # type: ignore[arg-type]
            return
        yield from self._lines(first, value, stream, name)

    def _lines(self, first: bytes, value: Any, stream: IO[bytes], name: str) -> Iterator[Parsed]:
        yield from self._values(value, name, 1, None)
        if self._folder is not None:
            yield from self._blocks(stream, name)
            return
        line_number = 1
        for line in stream:
            line_number += 1
            yield from self._one_line(line, line_number, name)

    def _one_line(self, line: bytes, line_number: int, name: str) -> Iterator[Parsed]:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if not line.strip():
                return
            if not line.endswith(b"\n"):
                self.problem(Problem(name, "truncated record: the file ends inside it", line=line_number))
            else:
                self.problem(Problem(name, f"not JSON: {exc}", line=line_number))
            return
        if type(value) is dict and "entries" not in value:
            parsed = self._record(value, name, line_number, None)
            if parsed is not None:
                yield parsed
        else:
            yield from self._values(value, name, line_number, None)

    def _blocks(self, stream: IO[bytes], name: str) -> Iterator[Parsed]:
        """The lines after the first, a block at a time: folded by `fastlines` where it can, the rest
        line by line exactly as `_one_line` reads them (the same records, problems and line numbers)."""
        folder = self._folder
        assert folder is not None
        line_number = 1  # the last line read
        tail = b""
        while True:
            chunk = stream.read(BLOCK)
            if not chunk:
                break
            data = tail + chunk if tail else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                tail = data
                continue
            block, tail = (data, b"") if cut == len(data) else (data[:cut], data[cut:])
            start = line_number + 1
            entries = decode_block(block)
            lines: list[bytes] | None = None
            count = block.count(b"\n")
            index = 0
            while index < count:
                if entries is not None:
                    done = folder.fold(entries, index, name, start)
                    if done > index:
                        self.records += done - index
                        self._file, self._line, self._index = name, start + done - 1, None
                        index = done
                    if index >= count:
                        break
                if lines is None:
                    lines = block.split(b"\n")
                yield from self._one_line(lines[index] + b"\n", start + index, name)
                index += 1
            line_number += count
        if tail:
            yield from self._one_line(tail, line_number + 1, name)

    def _items(self, stream: IO[bytes], name: str, prefix: str, multiple: bool = False) -> Iterator[Parsed]:
        index = -1
        try:
            for value in ijson.items(stream, prefix, multiple_values=multiple, use_float=True):
                index += 1
                yield from self._values(value, name, None, index)
        except ijson.IncompleteJSONError as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else "incomplete JSON"
            truncated = "premature EOF" in text or "incomplete" in text.lower()
            message = ("truncated: the file ends inside a record" if truncated else f"invalid JSON: {text}")
            self.problem(Problem(name, f"{message} (after {index + 1} records; the rest is not read)",
                                 index=index + 1))
        except ijson.JSONError as exc:
            self.problem(Problem(name, f"invalid JSON after {index + 1} records: {exc}", index=index + 1))

    def _values(self, value: Any, name: str, line: int | None, index: int | None) -> Iterator[Parsed]:
        """The records of one JSON value: a record, or an API response holding `entries`."""
        if not isinstance(value, dict):
            self.problem(Problem(name, f"expected a JSON object, got {type(value).__name__}", line, index))
            return
        entries = value.get("entries")
        if isinstance(entries, list) and "connection" not in value:
            for number, entry in enumerate(entries):
                if isinstance(entry, dict):
                    parsed = self._record(entry, name, line, number if line is not None else index)
                    if parsed is not None:
                        yield parsed
                else:
                    self.problem(Problem(name, f"expected a JSON object, got {type(entry).__name__}", line, number))
            return
        parsed = self._record(value, name, line, index)
        if parsed is not None:
            yield parsed

    def _record(self, value: dict, name: str, line: int | None, index: int | None) -> Parsed | None:
        log_name = value.get("logName")
        if log_name is not None and log_name != self._log_name:
            if not isinstance(log_name, str) or not log_name.endswith(("/policy-action", "%2Fpolicy-action")):
                self.skipped["log entries of other logs (not policy-action)"] += 1
                return None
            self._log_name = log_name
        try:
            if "jsonPayload" in value or "connection" in value or "disposition" in value:
                parsed = parse_policy_action(value)
            elif is_hubble(value):
                parsed = parse_hubble(value)
            elif any(key in value for key in HUBBLE_OTHER):
                self.skipped[f"Hubble {next(k for k in HUBBLE_OTHER if k in value)} events (not flows)"] += 1
                return None
            else:
                raise RecordError(None, "neither a GKE policy-action record (connection, disposition) nor a "
                                        "Hubble flow (verdict, IP, l4)")
        except RecordError as exc:
            self.problem(Problem(name, exc.message, line, index, exc.field))
            return None
        except SkipRecord as skip:
            self.skipped[skip.reason] += 1
            return None
        self.records += 1
        self._file, self._line, self._index = name, line, index
        return parsed

    @property
    def where(self) -> tuple[str, int | None, int | None]:
        """(file, line, index) of the last record read: where the first record of each connection was."""
        return (self._file, self._line, self._index)


class _Prefixed:
    """A stream that first returns bytes already read, then the rest of another stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                data, self._head = self._head, b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def _peek_nonspace(stream: IO[bytes]) -> bytes:
    """The first byte that is not white space (consumed white space only), b'' at the end."""
    while True:
        peek = getattr(stream, "peek", None)
        chunk = peek(64) if peek is not None else b""
        if not chunk:
            return b""
        stripped = chunk.lstrip()
        if stripped:
            stream.read(len(chunk) - len(stripped))
            return stripped[:1]
        stream.read(len(chunk))
