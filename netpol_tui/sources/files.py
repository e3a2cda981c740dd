"""The files source: what users already have from kubectl and gcloud.

Reads `kubectl get ... -o yaml|json` (single objects, Lists, multi-document YAML),
`kubectl get events -A -o json`, `gcloud container clusters describe --format=json` and
`gcloud container operations list --format=json`, from files, directories (recursively)
or stdin. A bad file or object costs one problem line, never the whole load.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

from netpol_tui.model.objects import Origin
from netpol_tui.model.snapshot import Snapshot, SourceInfo
from netpol_tui.sources.builder import SnapshotBuilder
from netpol_tui.sources.errors import SourceError

SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
#: YAML anchors/aliases can multiply a small file into gigabytes; real kubectl output has none.
MAX_YAML_ALIASES = 100
_DOCUMENT_START = re.compile(rb"^---(?=[ \t\r]|$)", re.MULTILINE)

Progress = Callable[[str, int, int], None]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML without the timestamp resolver: timestamps stay strings as in JSON."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _BadFile(Exception):
    """A whole file that cannot be read; the message is the problem line."""


def expand_paths(paths: Iterable[str], builder: SnapshotBuilder) -> list[str]:
    """Files to read, in a stable order; directories recursively, symlink loops cut."""
    found: list[str] = []
    seen_dirs: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        path = Path(raw).expanduser()
        if not os.path.lexists(path):
            builder.problem(str(raw), "no such file or directory")
            continue
        if path.is_dir():
            found.extend(_walk(path, builder, seen_dirs))
        elif path.is_file():
            found.append(str(path))
        elif path.is_symlink():
            builder.problem(str(raw), "broken or looping symbolic link")
        else:
            builder.problem(str(raw), "not a regular file or directory")
    return found


def _walk(root: Path, builder: SnapshotBuilder, seen_dirs: set[str]) -> Iterator[str]:
    try:
        real = os.path.realpath(root)
    except OSError as exc:
        builder.problem(str(root), f"cannot resolve path: {exc.strerror or exc}")
        return
    if real in seen_dirs:
        builder.problem(str(root), "directory already read (symbolic link loop); skipped")
        return
    seen_dirs.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as exc:
        builder.problem(str(root), f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        entry_path = Path(entry.path)
        try:
            if entry.is_dir():
                yield from _walk(entry_path, builder, seen_dirs)
            elif entry.is_file():
                if entry.name.lower().endswith(SUFFIXES) and not entry.name.startswith("."):
                    yield entry.path
            elif entry.is_symlink() and entry.name.lower().endswith(SUFFIXES):
                builder.problem(entry.path, "broken or looping symbolic link")
        except OSError as exc:
            builder.problem(entry.path, f"cannot read: {exc.strerror or exc}")


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        if stream is None:
            return sys.stdin.read().encode()
        return stream.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise _BadFile("is a directory") from None
    except OSError as exc:
        raise _BadFile(f"cannot read: {exc.strerror or exc}") from None


def _check_text(data: bytes) -> None:
    if b"\x00" in data[:65536]:
        raise _BadFile("binary content (NUL bytes), not YAML or JSON")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadFile(f"not UTF-8 text (invalid byte at offset {exc.start}); not YAML or JSON") from None


def _first_char(data: bytes) -> int:
    for byte in data[:4096]:
        if byte not in b" \t\r\n\xef\xbb\xbf":
            return byte
    return 0


def _json_documents(path: str, data: bytes) -> Iterator[tuple[Any, str | None, Origin]]:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = data.count(b"\n", 0, exc.pos) + 1 if exc.pos is not None else None
        message = str(exc).split(":", 1)[0]
        raise _BadFile(f"JSON syntax error at line {line}: {message}") from None
    yield document, None, Origin(path, line=1)


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
        location = f"document {index + 1}, line {line}" if len(chunks) > 1 else f"line {line}"
        if chunk.count(b"*") > MAX_YAML_ALIASES and _alias_count(chunk) > MAX_YAML_ALIASES:
            yield _Problem(f"refused: more than {MAX_YAML_ALIASES} YAML aliases (possible alias bomb)"), \
                location, Origin(path, line)
            continue
        try:
            document = yaml.load(chunk, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"line {line + mark.line}" if mark is not None else f"line {line}"
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            yield _Problem(f"YAML syntax error at {at}: {problem}"), location, Origin(path, line)
            continue
        except RecursionError:
            yield _Problem("YAML nested too deeply"), location, Origin(path, line)
            continue
        yield document, location, Origin(path, line)


def _alias_count(chunk: bytes) -> int:
    try:
        return sum(1 for event in yaml.parse(chunk, Loader=_Loader) if isinstance(event, yaml.AliasEvent))
    except yaml.YAMLError:
        return 0


class _Problem:
    """A document that failed to decode, passed along to be reported in order."""

    def __init__(self, message: str) -> None:
        self.message = message


def read_file(path: str, builder: SnapshotBuilder) -> None:
    """Decode one file and add its documents to the builder."""
    name = "<stdin>" if path == STDIN else path
    try:
        data = _read_bytes(path)
        if not data.strip():
            builder.problem(name, "empty file")
            return
        _check_text(data)
        documents = _json_documents(name, data) if _first_char(data) in b"[{" else _yaml_documents(name, data)
        for document, location, origin in documents:
            if isinstance(document, _Problem):
                builder.problem(name, document.message, location)
            else:
                builder.add_document(document, name, location, origin)
    except _BadFile as exc:
        builder.problem(name, str(exc))
    except RecursionError:
        builder.problem(name, "document nested too deeply")
    except MemoryError:
        builder.problem(name, "too large to load into memory")


def load_files(paths: Iterable[str], *, cluster: str | None = None, progress: Progress | None = None,
               description: str | None = None) -> Snapshot:
    """Load a Snapshot from kubectl/gcloud output files; raises SourceError when nothing is usable."""
    paths = list(paths)
    builder = SnapshotBuilder(wanted_cluster=cluster)
    files = expand_paths(paths, builder)
    for index, path in enumerate(files):
        if progress:
            progress(path, index, len(files))
        read_file(path, builder)
    if progress:
        progress("", len(files), len(files))
    label = description or "files: " + ", ".join(paths)
    snapshot = builder.build(SourceInfo(kind="files", description=label, paths=tuple(paths), cluster=cluster))
    if builder.object_count == 0:
        raise SourceError(f"nothing usable was loaded from {', '.join(paths) or 'no paths'}",
                          problems=snapshot.problems)
    return snapshot
