"""The files source's paths: files and directories (walked recursively, in a stable order,
symbolic-link loops cut) into the list of files to read; each path that cannot be used costs one
problem line naming why."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from netpol_tui.sources.builder import SnapshotBuilder

SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"


def expand_paths(paths: Iterable[str], builder: SnapshotBuilder) -> list[str]:
    """Files to read, in a stable order; directories recursively, symlink loops cut."""
    found: list[str] = []
    seen_dirs: set[str] = set()
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        try:
            path = Path(raw).expanduser()
            if not os.path.lexists(path):
                builder.problem(str(raw), "no such file or directory")
                continue
            if path.is_dir():
                found.extend(_walk(path, builder, seen_dirs))
            elif path.is_file():
                found.append(str(path))
            elif path.is_symlink():
                builder.problem(str(raw), _link_problem(path))
            else:
                builder.problem(str(raw), "not a regular file or directory")
        except (OSError, ValueError) as exc:  # ValueError: embedded NUL in the path
            builder.problem(str(raw), f"cannot open: {os_reason(exc)}")
        except RecursionError:
            builder.problem(str(raw), "directory tree too deep; stopped reading it")
    return found


def os_reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _link_problem(path: Path) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        try:
            return f"broken symbolic link (target {os.readlink(path)!r} does not exist)"
        except OSError:
            return f"cannot open: {os_reason(exc)}"
    return "not a regular file or directory"


def _walk(root: Path, builder: SnapshotBuilder, seen_dirs: set[str]) -> Iterator[str]:
    try:
        real = os.path.realpath(root)
    except (OSError, RuntimeError) as exc:
        builder.problem(str(root), f"cannot resolve path: {os_reason(exc)}")
        return
    if real in seen_dirs:
        builder.problem(str(root), "directory already read (symbolic link loop); skipped")
        return
    seen_dirs.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as exc:
        builder.problem(str(root), f"cannot list directory: {os_reason(exc)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .git, editor swap files, macOS resource forks
        try:
            if entry.is_dir():
                yield from _walk(Path(entry.path), builder, seen_dirs)
            elif entry.is_file():
                if entry.name.lower().endswith(SUFFIXES):
                    yield entry.path
            elif entry.is_symlink() and entry.name.lower().endswith(SUFFIXES):
                builder.problem(entry.path, _link_problem(Path(entry.path)))
        except OSError as exc:
            if not entry.is_symlink():
                builder.problem(entry.path, f"cannot read: {os_reason(exc)}")
            elif entry.name.lower().endswith(SUFFIXES):
                builder.problem(entry.path, _link_problem(Path(entry.path)))


# ------------------------------------------------------------------------- bytes
