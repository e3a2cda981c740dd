"""What each file gave when it was last read, so that following `--files` re-reads only the
files that changed.

A scripted `kubectl get pods -A -o json > pods.json` every minute next to nine files that never
change should cost one file's decode and parse, not ten. Reading a file into a `FileRecord`
keeps every outcome (objects, problems, rejections, lists seen) in order; replaying the records
of all files into a fresh builder, in the files' order, gives the same Snapshot, duplicates and
problem lines as reading them all again. Parsed objects are immutable, so an unchanged file's
objects are shared by the old and the new snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from netpol_tui.sources.documents import DocumentReader

#: (modification time in ns, size, inode): a file rewritten in place or replaced by a rename.
Stamp = tuple[int, int, int]


def file_stamp(path: str) -> Stamp:
    """The stamp a follower compares; OSError when the file cannot be stat'ed."""
    info = os.stat(path)
    return info.st_mtime_ns, info.st_size, info.st_ino


class FileRecord(DocumentReader):
    """A reader that stores each outcome of reading one file instead of acting on it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def problem(self, *args: Any) -> None:
        self.calls.append(("problem", args))

    def reject(self, *args: Any) -> None:
        self.calls.append(("reject", args))

    def mark_loaded(self, *args: Any) -> None:
        self.calls.append(("mark_loaded", args))

    def skip(self, *args: Any) -> None:
        self.calls.append(("skip", args))

    def put_object(self, *args: Any) -> None:
        self.calls.append(("put_object", args))

    def put_cluster(self, *args: Any) -> None:
        self.calls.append(("put_cluster", args))

    def put_operation(self, *args: Any) -> None:
        self.calls.append(("put_operation", args))

    def put_manifest(self, *args: Any) -> None:
        self.calls.append(("put_manifest", args))

    def replay(self, reader: DocumentReader) -> None:
        for method, args in self.calls:
            getattr(reader, method)(*args)


class FileCache:
    """Records by path, each with the stamp the file had before it was read (a write during the
    read changes the stamp, so the next read sees it)."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[Stamp, FileRecord]] = {}
        #: Files decoded and parsed, and files replayed, over the cache's life (for tests and the note).
        self.read_count = 0
        self.replayed_count = 0

    def read(self, path: str, reader: DocumentReader, read_file: Callable[[str, DocumentReader], None]) -> None:
        """Add the file's outcomes to `reader`: replayed when its stamp is unchanged, else read."""
        try:
            stamp = file_stamp(path)
        except OSError:
            self._records.pop(path, None)
            read_file(path, reader)  # reports why it cannot be read
            return
        cached = self._records.get(path)
        if cached is not None and cached[0] == stamp:
            self.replayed_count += 1
        else:
            record = FileRecord()
            read_file(path, record)
            self.read_count += 1
            cached = (stamp, record)
            self._records[path] = cached
        cached[1].replay(reader)

    def keep_only(self, paths: Iterable[str]) -> None:
        """Forget the files no longer named (deleted, or out of a walked directory)."""
        wanted = set(paths)
        for path in [path for path in self._records if path not in wanted]:
            del self._records[path]
