"""The files source: what users already have from kubectl and gcloud.

Reads `kubectl get ... -o yaml|json` (single objects, Lists, multi-document YAML),
`kubectl get events -A -o json`, `gcloud container clusters describe --format=json` and
`gcloud container operations list --format=json`, from files, directories (recursively)
or stdin. A bad file or object costs one problem line, never the whole load.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson
import yaml

from netpol_tui.gcpause import gc_paused
from netpol_tui.model.objects import Origin
from netpol_tui.model.pod_structs import PodStruct, decode_pod_structs
from netpol_tui.model.snapshot import Snapshot, SourceInfo
from netpol_tui.model.typed_decode import TYPED_KINDS, decode_list, guess_item_kind
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.documents import DocumentReader
from netpol_tui.sources.errors import SourceError
from netpol_tui.sources.file_cache import FileCache
from netpol_tui.sources.paths import STDIN as STDIN
from netpol_tui.sources.paths import SUFFIXES as SUFFIXES
from netpol_tui.sources.paths import expand_paths as expand_paths
from netpol_tui.sources.paths import os_reason

STDIN_NAME = "<stdin>"
#: YAML anchors/aliases can multiply a small file into gigabytes; real kubectl output has none.
MAX_YAML_ALIASES = 100
_DOCUMENT_START = re.compile(rb"^---(?=[ \t\r]|$)", re.MULTILINE)
_UTF8_BOM = codecs.BOM_UTF8
#: Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

Progress = Callable[[str, int, int], None]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without the timestamp resolver: timestamps stay strings as in JSON."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_int(loader: Any, node: Any) -> int | float:
    """An int too long for Python's text conversion limit (4300 digits) becomes infinity, as
    orjson reads big integers as floats: the one object holding it is rejected, not the file."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return float("-inf") if str(node.value).lstrip().startswith("-") else float("inf")


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _UnusableKey:
    """A list or mapping used as a mapping key: YAML allows it, JSON and Kubernetes do not.

    Kept as a marker (PyYAML would refuse the whole document) so that only the object holding
    it is rejected, and only if it is in a field netpol-tui reads.
    """

    __slots__ = ("type_name",)

    def __init__(self, what: str) -> None:
        self.type_name = f"{what} used as a key"

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
    if not isinstance(node, yaml.MappingNode):
        return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.SequenceNode | yaml.MappingNode):
            key: Any = _UnusableKey("a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping")
        else:
            key = loader.construct_object(key_node, deep=deep)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_Loader.construct_mapping = _construct_mapping


def _json_int(text: str) -> int | float:
    """Python's json refuses integers over 4300 digits; read them as orjson does, as floats."""
    return int(text) if len(text) <= 4000 else float(text)


class _BadFile(Exception):
    """A whole file that cannot be read; the message is the problem line."""


class _PodStructs:
    """A JSON List of pods decoded into Structs (model.pod_structs), for DocumentReader.add_pod_structs."""

    __slots__ = ("items", "kind")

    def __init__(self, kind: str, items: list[PodStruct]) -> None:
        self.kind, self.items = kind, items


#: Pod Lists decoded into Structs and built by the fast pod parser (False: the trimmed-dict decode
#: and parse_pod for every pod, as before; the equivalence tests and bench_load switch it).
FAST_PODS = True


class _Problem:
    """A document that failed to decode, passed along to be reported in order."""

    def __init__(self, message: str) -> None:
        self.message = message


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        try:
            if sys.stdin is None or sys.stdin.isatty():
                raise _BadFile("stdin is a terminal; pipe kubectl or gcloud output in, e.g. "
                               "kubectl get pods -A -o json | netpol-tui --files -")
        except (ValueError, AttributeError):
            raise _BadFile("stdin is closed") from None
        try:
            return stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
        except (OSError, ValueError) as exc:
            raise _BadFile(f"cannot read stdin: {os_reason(exc)}") from None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise _BadFile("is a directory") from None
    except MemoryError:
        raise _BadFile("too large to load into memory") from None
    except OSError as exc:
        raise _BadFile(f"cannot read: {os_reason(exc)}") from None


def _normalise_encoding(data: bytes) -> bytes:
    """UTF-8 without BOM. PowerShell's `>` writes UTF-16 with a BOM, so that is read too."""
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM):]
    for bom, codec in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).encode("utf-8")
            except (UnicodeDecodeError, UnicodeEncodeError) as exc:
                raise _BadFile(f"not valid {codec.upper()} text (bad data at byte {exc.start})") from None
    return data


def _check_text(data: bytes) -> None:
    if b"\x00" in data[:65536]:
        raise _BadFile("binary content (NUL bytes), not YAML or JSON")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _BadFile(f"not UTF-8 text (invalid byte at line {line}, offset {exc.start}); not YAML or JSON") \
            from None


def _first_char(data: bytes) -> int:
    for byte in data[:4096]:
        if byte not in b" \t\r\n":
            return byte
    return 0


# -------------------------------------------------------------------------- JSON


def _json_documents(path: str, data: bytes) -> Iterator[tuple[Any, str | None, Origin]]:
    kind = guess_item_kind(data)
    if kind == "Pod" and FAST_PODS and kind in TYPED_KINDS:
        # Structs and the fast pod parser; refused bytes are refused by decode_list too.
        decoded = decode_pod_structs(data)
        if decoded is not None:
            yield _PodStructs(*decoded), None, Origin(path, line=1)
            return
    elif kind in TYPED_KINDS:
        # A List of a large kind: only the fields the model keeps are decoded. Anything the
        # typed decode refuses is decoded below as before, with the same messages.
        trimmed = decode_list(data, kind)
        if trimmed is not None:
            yield trimmed, None, Origin(path, line=1)
            return
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if message.startswith(("unexpected content after document", "trailing characters")):
            # Concatenated documents, e.g. `kubectl get pod a -o json >> pods.json` run twice.
            yield from _json_stream(path, data)
            return
        if "recursion" in message.lower() or "depth" in message.lower():
            raise _BadFile("JSON nested too deeply (more than 1024 levels)") from None
        if "infinity" in message.lower():
            # A number beyond a double's range in one object: read the file with the slower
            # decoder, which takes it as infinity, so only that object is rejected.
            yield from _json_stream(path, data)
            return
        _check_text(data)
        where = _json_position(data, exc.pos)
        raise _BadFile(f"JSON syntax error at {where}: {message.split(':', 1)[0]}") from None
    yield document, None, Origin(path, line=1)


def _json_position(data: bytes, pos: int | None) -> str:
    if pos is None:
        return "unknown position"
    pos = min(max(pos, 0), len(data))
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _json_stream(path: str, data: bytes) -> Iterator[tuple[Any, str | None, Origin]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _check_text(data)
        raise
    decoder = json.JSONDecoder(parse_int=_json_int)
    index, count = 0, 0
    whitespace = re.compile(r"\s*")
    while True:
        index = whitespace.match(text, index).end()  # type: ignore[union-attr]  # \s* always matches
        if index >= len(text):
            return
        count += 1
        line = text.count("\n", 0, index) + 1
        try:
            document, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            yield _Problem(f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"), \
                f"document {count}, line {line}", Origin(path, line)
            return
        except RecursionError:
            yield _Problem("JSON nested too deeply"), f"document {count}, line {line}", Origin(path, line)
            return
        except ValueError as exc:  # a number the decoder cannot convert
            yield _Problem(f"JSON value cannot be read: {str(exc)[:100]}"), f"document {count}, line {line}", \
                Origin(path, line)
            return
        yield document, f"document {count}, line {line}", Origin(path, line)


# -------------------------------------------------------------------------- YAML


def _yaml_chunks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Split a YAML stream at `---` lines, keeping each document's first line number."""
    starts = [match.start() for match in _DOCUMENT_START.finditer(data)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(data))
    for begin, end in zip(starts, starts[1:], strict=False):
        chunk = data[begin:end]
        line = data.count(b"\n", 0, begin) + 1
        yield line, chunk


def _yaml_documents(path: str, data: bytes) -> Iterator[tuple[Any, str | None, Origin]]:
    chunks = list(_yaml_chunks(data))
    for index, (line, chunk) in enumerate(chunks):
        location = f"document {index + 1}, line {line}" if len(chunks) > 1 else None
        origin = Origin(path, line)
        if b"*" in chunk and b"&" in chunk and _alias_count(chunk) > MAX_YAML_ALIASES:
            yield _Problem(f"refused: more than {MAX_YAML_ALIASES} YAML aliases (possible alias bomb); "
                           "kubectl output uses none"), location, origin
            continue
        try:
            document = yaml.load(chunk, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"line {line + mark.line}, column {mark.column + 1}" if mark is not None else f"line {line}"
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            what = "YAML syntax error" if isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError) \
                else "unsupported YAML"
            yield _Problem(f"{what} at {at}: {problem[:200]}"), location, origin
            continue
        except RecursionError:
            yield _Problem("YAML nested too deeply"), location, origin
            continue
        yield document, location, origin


def _alias_count(chunk: bytes) -> int:
    count = 0
    try:
        for event in yaml.parse(chunk, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_YAML_ALIASES:
                    break
    except yaml.YAMLError:
        return 0  # yaml.load reports the syntax error with its position
    return count


# -------------------------------------------------------------------------- files


def _decode(name: str, data: bytes) -> Iterator[tuple[Any, str | None, Origin]]:
    data = _normalise_encoding(data)
    if _first_char(data) == 0 and not data.strip():  # strip() copies: only when the start is blank
        raise _BadFile("empty file")
    if b"\x00" in data[:65536]:
        raise _BadFile("binary content (NUL bytes), not YAML or JSON")
    if _first_char(data) in b"[{":
        try:
            yield from _json_documents(name, data)
            return
        except _BadFile:
            if not name.lower().endswith((".yaml", ".yml")):
                raise
        # A .yaml file starting with a flow collection is YAML, not broken JSON.
    _check_text(data)
    yield from _yaml_documents(name, data)


def read_file(path: str, builder: DocumentReader) -> None:
    """Decode one file and add its documents to the builder."""
    name = STDIN_NAME if path == STDIN else path
    try:
        data = _read_bytes(path)
        for document, location, origin in _decode(name, data):
            if isinstance(document, _Problem):
                builder.problem(name, document.message, location)
            elif type(document) is _PodStructs:
                builder.add_pod_structs(document.kind, document.items, name, location, origin)
            else:
                builder.add_document(document, name, location, origin)
    except _BadFile as exc:
        builder.problem(name, str(exc))
    except RecursionError:
        builder.problem(name, "document nested too deeply")
    except MemoryError:
        builder.problem(name, "too large to load into memory")
    except Exception as exc:  # the last line of defence: one problem line, never a traceback
        builder.problem(name, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})")


def load_files(paths: Iterable[str], *, cluster: str | None = None, progress: Progress | None = None,
               description: str | None = None, cache: FileCache | None = None) -> Snapshot:
    """Load a Snapshot from kubectl/gcloud output files; raises SourceError when nothing is usable.

    With a `cache` (a follower's), files unchanged since the cache last read them are not decoded
    again: their recorded outcomes are replayed."""
    paths = [str(path) for path in paths]
    builder = SnapshotBuilder(wanted_cluster=cluster)
    with gc_paused():
        files = expand_paths(paths, builder)
        for index, path in enumerate(files):
            if progress:
                progress(STDIN_NAME if path == STDIN else path, index, len(files))
            if cache is None or path == STDIN:
                read_file(path, builder)
            else:
                cache.read(path, builder, read_file)
        if cache is not None:
            cache.keep_only(files)
        if progress:
            progress("", len(files), len(files))
        label = description or "files: " + ", ".join(paths)
        snapshot = builder.build(SourceInfo(kind="files", description=label, paths=tuple(paths), cluster=cluster))
    if not builder.usable:
        what = ", ".join(paths) or "no paths"
        if not files and not snapshot.problems:
            raise SourceError(f"nothing usable was loaded from {what}: no .yaml, .yml or .json files found",
                              hint="Pass files or directories holding kubectl/gcloud output (-o json or -o yaml).")
        raise SourceError(f"nothing usable was loaded from {what}", problems=snapshot.problems)
    return snapshot
