"""The fast path for JSON lines of Cloud Logging policy-action LogEntry objects (the export shape).

A million records are read in blocks of complete lines; msgspec decodes each block into typed
structs holding only the fields the comparison reads (the rest of each ~1 KB entry is skipped,
never built into dicts), and the records fold straight into their connections, keyed by the
decoded fields as they stand (`_raw_key`). A key seen for the first time is turned into the
`FlowKey` `parse_policy_action` would give (`flow_key`, checked against it by a property test),
or left to it when the fields are unusual; keys spelled differently that mean the same
connection (`tcp`/`TCP`, an IP written two ways) fold into the same connection.

Anything else goes the per-record way (`FlowReader`'s line reader), from the record where the
fast path stops: a block that does not decode into these structs (another shape, bad JSON, a
blank line, non-ASCII bytes, whose UTF-8 orjson checks and msgspec does not when it skips a
field), or a record whose count, time, node or log name the per-record path would treat
differently. Connections then come out in the order the per-record path makes them (a
connection's first record decides its place, its `where`, and which raw key founds it).
"""

from __future__ import annotations

from typing import Any

import msgspec

from netpol_tui.flows.gke_log import (
    _FAST_DIRECTIONS,
    _FAST_DISPOSITIONS,
    _FAST_PROTOCOLS,
    _IP_CACHE,
    _policies,
    check_ip,
)
from netpol_tui.flows.groups import Connection
from netpol_tui.flows.records import GKE_LOG, FlowKey, Peer, RecordError

#: Bytes read at a time; a block is cut after its last newline.
BLOCK = 1 << 20


# gc=False: strings, numbers and other structs only, no cycles; the collector need not track the
# 10^5-10^6 of them the raw keys keep
class _Conn(msgspec.Struct, frozen=True, gc=False):
    # frozen: hashable, part of the raw key (src_port, which differs per record, is not decoded)
    src_ip: str
    dest_ip: str
    dest_port: int
    protocol: str
    direction: str


class _Peer(msgspec.Struct, frozen=True, gc=False):
    pod_name: str | None = None
    pod_namespace: str | None = None
    namespace: str | None = None
    workload_name: str | None = None
    workload_kind: str | None = None


class _Policy(msgspec.Struct, frozen=True, gc=False):
    name: str | None = None
    namespace: str | None = None
    kind: str | None = None


_NULL = msgspec.Raw(b"null")


class _Payload(msgspec.Struct, gc=False):
    connection: _Conn
    disposition: str
    # kept as their JSON text: one bytes object hashes and compares for less than five strings; decoded
    # (`_PEER`, `_POLICIES`) once per raw key
    src: msgspec.Raw = _NULL
    dest: msgspec.Raw = _NULL
    policies: msgspec.Raw = _NULL
    count: int = 1
    timestamp: str | None = None
    node_name: str | None = None


class _Entry(msgspec.Struct, gc=False):
    jsonPayload: _Payload
    logName: str | None = None
    timestamp: str | None = None
    #: present only on an API response holding entries: the per-record path reads those instead
    entries: Any = msgspec.UNSET


_DECODER = msgspec.json.Decoder(_Entry)
_PEER = msgspec.json.Decoder(_Peer | None)
_POLICIES = msgspec.json.Decoder(tuple[_Policy, ...] | None)


def decode_block(block: bytes) -> list[_Entry] | None:
    """The entries of a block of complete lines, or None when the block is not one entry a line."""
    if not block.isascii():
        return None
    try:
        entries = _DECODER.decode_lines(block)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    # decode_lines skips blank lines; the per-record path numbers every line, so it takes those
    return entries if len(entries) == block.count(b"\n") else None


_INVALID: Any = object()


def _peer(text: bytes, raw_ip: str) -> Peer | None:
    """`_fast_peer`'s Peer for a peer's JSON text and the connection's IP; None when the per-record
    path must say what is wrong, or could answer either way (an empty field, see `KeyMaker`)."""
    try:
        peer = _PEER.decode(text)
        ip = _IP_CACHE.get(raw_ip) or check_ip(raw_ip, "ip")
    except (msgspec.DecodeError, msgspec.ValidationError, RecordError):
        return None
    if peer is None:
        return Peer(None, None, ip)
    pod, namespace, kind, name = peer.pod_name, peer.pod_namespace or peer.namespace, peer.workload_kind, \
        peer.workload_name
    if pod == "" or peer.pod_namespace == "" or peer.namespace == "" or kind == "" or name == "":
        return None
    return Peer(namespace, pod, ip, kind, name)


def _policy_names(text: bytes) -> Any:
    try:
        policies = _POLICIES.decode(text)
        if policies:
            return _policies([{"name": p.name, "namespace": p.namespace, "kind": p.kind} for p in policies])
    except (msgspec.DecodeError, msgspec.ValidationError, RecordError):
        return _INVALID
    return None if policies is None else ()


def _words(protocol: str, direction: str, disposition: str) -> tuple[str, str, str] | None:
    words = (_FAST_PROTOCOLS.get(protocol), _FAST_DIRECTIONS.get(direction), _FAST_DISPOSITIONS.get(disposition))
    return None if None in words else words  # type: ignore[return-value]


class KeyMaker:
    """The FlowKey `parse_policy_action` gives a record of these raw fields (`flow_key`); None when it
    would refuse or skip it, or take a way this does not repeat (an unusual spelling: it then says
    what is wrong). Each part is worked out once per distinct raw text: one Peer object per peer.

    An empty peer field is left to the per-record path: its looked-up way keeps "", its checking way
    makes it None, and which one runs depends on the IPs seen before. Otherwise both ways agree;
    `tests/flows/test_fastlines.py` checks the two paths against each other on generated records.
    """

    def __init__(self) -> None:
        self._peers: dict[tuple[bytes, str], Peer | None] = {}
        self._policies: dict[bytes, Any] = {}
        self._words: dict[tuple[str, str, str], tuple[str, str, str] | None] = {}

    def flow_key(self, raw: tuple) -> FlowKey | None:
        conn, disposition, src_text, dest_text, policies_text = raw
        peers = self._peers
        src = peers.get((src_text, conn.src_ip), _INVALID)
        if src is _INVALID:
            src = peers[(src_text, conn.src_ip)] = _peer(src_text, conn.src_ip)
        dst = peers.get((dest_text, conn.dest_ip), _INVALID)
        if dst is _INVALID:
            dst = peers[(dest_text, conn.dest_ip)] = _peer(dest_text, conn.dest_ip)
        policies = self._policies.get(policies_text, _INVALID)
        if policies is _INVALID and policies_text not in self._policies:
            policies = self._policies[policies_text] = _policy_names(policies_text)
        words_key = (conn.protocol, conn.direction, disposition)
        words = self._words.get(words_key, _INVALID)
        if words is _INVALID:
            words = self._words[words_key] = _words(*words_key)
        port = conn.dest_port
        if src is None or dst is None or policies is _INVALID or words is None or not 0 < port < 65536:
            return None
        # tuple.__new__: the NamedTuple's own __new__ is a Python function (10^5 calls)
        return tuple.__new__(FlowKey, (GKE_LOG, src, dst, port, words[0], words[1], words[2], policies, False))


def flow_key(raw: tuple) -> FlowKey | None:
    """`KeyMaker.flow_key` without caches kept between calls."""
    return KeyMaker().flow_key(raw)


class Folder:
    """Connections folded from decoded entries; shares its `connections` dict with `aggregate`."""

    def __init__(self, connections: dict[FlowKey, Connection]) -> None:
        self.connections = connections
        #: raw key -> its connection (several raw keys may share one)
        self._raw: dict[tuple, Connection] = {}
        self._keys = KeyMaker()
        #: log name accepted last (as the per-record path remembers it)
        self.log_name: str | None = None

    def fold(self, entries: list[_Entry], start: int, name: str, first_line: int) -> int:
        """Fold entries[start:]; the index of the first one left to the per-record path (len when none).

        `first_line` is the line number of entries[0].
        """
        raw_get, connections, log_name = self._raw.get, self.connections, self.log_name
        join, unset, raw_keys = b"\0".join, msgspec.UNSET, self._raw
        index = start
        try:
            for index in range(start, len(entries)):
                entry = entries[index]
                payload = entry.jsonPayload
                if entry.logName is not None and entry.logName != log_name:
                    if not entry.logName.endswith(("/policy-action", "%2Fpolicy-action")):
                        return index
                    log_name = entry.logName
                stamp = payload.timestamp or entry.timestamp
                node = payload.node_name
                count = payload.count
                if stamp is None or len(stamp) < 20 or stamp[-1] != "Z" or stamp[10] != "T" or not node \
                        or count < 1 or entry.entries is not unset:
                    return index
                when = stamp[:-1]
                # the three JSON texts as one bytes object (NUL never occurs in JSON text, so the joint
                # is unambiguous): one copy, one hash and one compare instead of three each
                raw = (payload.connection, payload.disposition, join((payload.src, payload.dest, payload.policies)))
                conn = raw_get(raw)
                if conn is None:
                    key = self._keys.flow_key((payload.connection, payload.disposition, bytes(payload.src),
                                               bytes(payload.dest), bytes(payload.policies)))
                    if key is None:
                        return index
                    conn = connections.get(key)
                    if conn is None:
                        connections[key] = conn = Connection(key, count, when, when, {node},
                                                             (name, first_line + index, None))
                        raw_keys[raw] = conn
                        continue
                    raw_keys[raw] = conn
                conn.count += count
                if conn.first is None or when < conn.first:
                    conn.first = when
                if conn.last is None or when > conn.last:
                    conn.last = when
                conn.nodes.add(node)
            return len(entries)
        finally:
            self.log_name = log_name
