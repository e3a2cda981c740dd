"""Following a files source: the files' stamps (modification time, size) are polled; when one
changes the files are read again (only the changed ones decoded, `file_cache`) and the new
Snapshot shares every object that did not change. Standard input is read once.

The `Follower` (follow.py) runs this for `--files`; it stops when `stop` is set.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from netpol_tui.model.snapshot import Snapshot
from netpol_tui.sources.file_cache import FileCache, Stamp, file_stamp
from netpol_tui.sources.follow_apply import merge_changes, share_unchanged
from netpol_tui.sources.follow_state import FollowState, FollowUpdate, KindStatus
from netpol_tui.text import clean

if TYPE_CHECKING:
    from netpol_tui.sources import Progress, SourceOptions

#: The name of the one followed "list" of a files source.
FILES_STATE = "files"


def follow_files(options: SourceOptions, stop: threading.Event, *, poll_seconds: float, initial: Snapshot | None,
                 cache: FileCache, progress: Progress | None) -> Iterator[FollowUpdate]:
    """The initial update (`initial` when the files were already read, else read now), then one
    per change of the files, until `stop` is set."""
    from netpol_tui.sources import SourceError
    from netpol_tui.sources.files import STDIN, load_files

    paths = tuple(options.files)
    stamps = _stamps(paths)  # before the read: a write during it is seen by the first poll
    snapshot = initial or load_files(paths, cluster=options.cluster, progress=progress, cache=cache)
    if STDIN in paths:
        status = KindStatus(FILES_STATE, FollowState.FIXED, "standard input is read once: nothing to follow")
        yield FollowUpdate(snapshot, (), (status,), initial=True)
        return
    every = f"{poll_seconds:g} s"
    status = KindStatus(FILES_STATE, FollowState.FOLLOWING, f"read again when a file changes (checked every {every})")
    yield FollowUpdate(snapshot, (), (status,), initial=True)
    while not stop.wait(poll_seconds):
        fresh_stamps = _stamps(paths)
        if fresh_stamps == stamps:
            continue
        stamps = fresh_stamps
        try:
            fresh = load_files(paths, cluster=options.cluster, cache=cache)
        except SourceError as exc:
            failed = KindStatus(FILES_STATE, FollowState.RECONNECTING,
                                f"re-read failed: {clean(exc.message, 200, single_line=True)}; keeping the last read")
            if failed != status:
                status = failed
                yield FollowUpdate(snapshot, (), (status,))
            continue
        snapshot, changes = share_unchanged(snapshot, fresh)
        status = KindStatus(FILES_STATE, FollowState.FOLLOWING,
                            f"read again when a file changes (checked every {every})")
        yield FollowUpdate(snapshot, merge_changes(changes), (status,))


def _stamps(paths: tuple[str, ...]) -> dict[str, Stamp]:
    """The stamp of every file the paths name (directories walked as the files source does)."""
    from netpol_tui.sources.builder import SnapshotBuilder
    from netpol_tui.sources.files import expand_paths

    stamps: dict[str, tuple[int, int, int]] = {}
    for path in expand_paths(paths, SnapshotBuilder()):
        with contextlib.suppress(OSError):  # gone between the walk and the stat: the next poll sees it
            stamps[path] = file_stamp(path)
    return stamps
