"""How much the live source reads at most, and the readers that hold to it.

Everything a cluster, a credential plugin or a local credential file hands us is bounded:
decompressed response bodies (`--max-response-mb`), pages and objects per list, the size and
type of token/certificate files and kubeconfigs, and plugin output. The limits travel in
`SourceOptions.limits` so tests (and unusual clusters) can change them.
"""

from __future__ import annotations

import os
import stat
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """Caps on what one load reads; the defaults fit a 100,000-pod cluster with room to spare."""

    #: Pages per list (500 objects each): 4,000 pages is 2 million objects.
    max_pages: int = 4000
    #: Objects per list (one resource, e.g. pods).
    max_objects: int = 2_000_000
    #: Token, CA, client certificate and key files.
    max_credential_file: int = MIB
    max_kubeconfig: int = 64 * MIB
    #: What a credential plugin may print on stdout (stderr keeps its first 64 KiB).
    max_plugin_output: int = 16 * MIB
    #: A whole load ends within this many times --timeout unless --load-timeout says otherwise.
    load_budget_factor: float = 30.0


DEFAULT_LIMITS = ReadLimits()
DEFAULT_MAX_RESPONSE_MB = 1024.0


class TooLarge(Exception):
    """A body, file or output went over its cap; the message names the cap and how to raise it."""


def mib(size: float) -> str:
    return f"{size / MIB:g} MiB"


# --------------------------------------------------------------------------- response bodies


class MemoryBudget:
    """Bytes all bodies being read at once may hold together (the lists of a load run in parallel:
    ten hostile answers must not cost ten times the cap)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.held + size > self.limit:
                return False
            self.held += size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.held = max(0, self.held - size)


class BodyDecoder:
    """Decompresses a response body chunk by chunk, never holding more than `limit` bytes.

    urllib3 would decompress a whole read at once (a 1 MiB read of a gzip bomb is 1 GiB); here
    zlib is asked for at most 4 MiB at a time and never past the cap, and the pieces are kept
    in a list (a growing buffer would over-allocate and copy), so a hostile body costs the cap
    and no more.
    """

    PIECE = 4 * MIB

    def __init__(self, encoding: str | None, limit: int, what: str, budget: MemoryBudget | None = None) -> None:
        self.budget = budget
        encoding = (encoding or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise TooLarge(f"{what}: the server sent an unsupported Content-Encoding {encoding[:40]!r}")
        self._wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15}.get(encoding, 0)  # 0: not compressed
        self._inflate = zlib.decompressobj(self._wbits) if self._wbits else None
        self.limit = limit
        self.what = what
        self.size = 0
        self._pieces: list[bytes] = []

    def _over(self, together: bool = False) -> TooLarge:
        self.release()
        if together:
            return TooLarge(f"{self.what}: the responses being read at once are larger than "
                            f"{mib(self.budget.limit if self.budget else self.limit)} together "
                            "(raise --max-response-mb, or narrow the listing with --namespace)")
        return TooLarge(f"{self.what}: the response is larger than {mib(self.limit)} "
                        "(raise --max-response-mb, or narrow the listing with --namespace)")

    def _keep(self, piece: bytes) -> None:
        if self.size + len(piece) > self.limit:
            raise self._over()
        if self.budget is not None and not self.budget.take(len(piece)):
            raise self._over(together=True)
        self.size += len(piece)
        if piece:
            self._pieces.append(piece)

    def release(self) -> None:
        """Drop what is held and hand it back to the shared budget."""
        self._pieces.clear()
        if self.budget is not None:
            self.budget.give(self.size)
        self.size = 0

    def feed(self, data: bytes) -> None:
        if self._inflate is None:
            self._keep(data)
            return
        while data:
            try:
                piece = self._inflate.decompress(data, min(self.PIECE, self.limit - self.size + 1))
            except zlib.error as exc:
                raise TooLarge(f"{self.what}: the compressed response is corrupt ({exc})") from None
            self._keep(piece)
            data = self._inflate.unconsumed_tail
            if self._inflate.eof:
                rest = self._inflate.unused_data
                self._inflate = zlib.decompressobj(self._wbits)  # a gzip stream may hold several members
                if not rest:
                    break
                data = rest + data

    def finish(self) -> bytes:
        if self._inflate is not None:
            self._keep(self._inflate.flush())
        pieces = self._pieces
        body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self.release()
        return body


def read_body(read: Callable[[int], bytes], encoding: str | None, limit: int, what: str,
              chunk: int = 1 << 16) -> bytes:
    """Read a raw (still compressed) body with `read(n)` until it ends, under the cap."""
    decoder = BodyDecoder(encoding, limit, what)
    while True:
        data = read(chunk)
        if not data:
            return decoder.finish()
        decoder.feed(data)


# --------------------------------------------------------------------------- local files


def read_small_file(path: str, limit: int, what: str) -> bytes:
    """Read a regular file of at most `limit` bytes; raises OSError or TooLarge (with the reason).

    Opened non-blocking so a FIFO cannot hang the open, then checked with fstat on the open
    descriptor (no race with a rename), and read with a cap in case the file grows meanwhile.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a named pipe" if stat.S_ISFIFO(info.st_mode) else "a device" if stat.S_ISCHR(info.st_mode)
                    or stat.S_ISBLK(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
                    else "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file")
            raise TooLarge(f"{what} {path} is {kind}, not a regular file")
        if info.st_size > limit:
            raise TooLarge(f"{what} {path} is {mib(info.st_size)}, more than the {mib(limit)} allowed")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        parts: list[bytes] = []
        size = 0
        while True:
            data = os.read(fd, min(MIB, limit + 1 - size))
            if not data:
                break
            parts.append(data)
            size += len(data)
            if size > limit:
                raise TooLarge(f"{what} {path} is more than the {mib(limit)} allowed")
        return b"".join(parts)
    finally:
        os.close(fd)


__all__ = ["DEFAULT_LIMITS", "DEFAULT_MAX_RESPONSE_MB", "MIB", "BodyDecoder", "MemoryBudget", "ReadLimits", "TooLarge",
           "read_body", "read_small_file"]
