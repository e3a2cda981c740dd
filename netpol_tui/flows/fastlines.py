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


class _Conn(msgspec.Struct, frozen=True):
    # frozen: hashable, part of the raw key (src_port, which differs per record, is not decoded)
    src_ip: str
    dest_ip: str
    dest_port: int
    protocol: str
    direction: str


class _Peer(msgspec.Struct, frozen=True):
    pod_name: str | None = None
    pod_namespace: str | None = None
    namespace: str | None = None
    workload_name: str | None = None
    workload_kind: str | None = None


class _Policy(msgspec.Struct, frozen=True):
    name: str | None = None
    namespace: str | None = None
    kind: str | None = None


class _Payload(msgspec.Struct):
    connection: _Conn
    disposition: str
    src: _Peer | None = None
    dest: _Peer | None = None
    policies: tuple[_Policy, ...] | None = None
    count: int = 1
    timestamp: str | None = None
    node_name: str | None = None


class _Entry(msgspec.Struct):
    jsonPayload: _Payload
    logName: str | None = None
    timestamp: str | None = None
    #: present only on an API response holding entries: the per-record path reads those instead
    entries: Any = msgspec.UNSET


_DECODER = msgspec.json.Decoder(_Entry)


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


def _peer(peer: _Peer | None, ip: str, interned: dict[tuple, Peer]) -> Peer | None:
    """`_fast_peer`'s Peer (one object per distinct peer); None when a field is empty (see `flow_key`)."""
    if peer is None:
        return Peer(None, None, ip)
    pod, namespace, kind, name = peer.pod_name, peer.pod_namespace or peer.namespace, peer.workload_kind, \
        peer.workload_name
    if pod == "" or peer.pod_namespace == "" or peer.namespace == "" or kind == "" or name == "":
        return None
    key = (pod, namespace, ip, kind, name)
    out = interned.get(key)
    if out is None:
        out = interned[key] = Peer(namespace, pod, ip, kind, name)
    return out


def flow_key(raw: tuple, interned: dict[tuple, Peer] | None = None) -> FlowKey | None:
    """The FlowKey `parse_policy_action` gives a record of these fields; None when it would refuse or
    skip it, or take a way this does not repeat (an unusual spelling: it then says what is wrong).

    An empty peer field is left to it too: its looked-up way keeps "", its checking way makes it
    None, and which one runs depends on the IPs seen before. Otherwise both ways agree, and
    `tests/flows/test_fastlines.py` checks this against it on generated records.
    """
    conn, disposition, src, dest, policies = raw
    try:
        src_ip = _IP_CACHE.get(conn.src_ip) or check_ip(conn.src_ip, "connection.src_ip")
        dst_ip = _IP_CACHE.get(conn.dest_ip) or check_ip(conn.dest_ip, "connection.dest_ip")
        if policies:
            policies = _policies([{"name": p.name, "namespace": p.namespace, "kind": p.kind} for p in policies])
        elif policies is not None:
            policies = ()
    except RecordError:
        return None
    port = conn.dest_port
    protocol = _FAST_PROTOCOLS.get(conn.protocol)
    direction = _FAST_DIRECTIONS.get(conn.direction)
    disposition = _FAST_DISPOSITIONS.get(disposition)
    if not 0 < port < 65536 or protocol is None or direction is None or disposition is None:
        return None
    interned = {} if interned is None else interned
    src_peer, dst_peer = _peer(src, src_ip, interned), _peer(dest, dst_ip, interned)
    if src_peer is None or dst_peer is None:
        return None
    return FlowKey(GKE_LOG, src_peer, dst_peer, port, protocol, direction, disposition, policies)


class Folder:
    """Connections folded from decoded entries; shares its `connections` dict with `aggregate`."""

    def __init__(self, connections: dict[FlowKey, Connection]) -> None:
        self.connections = connections
        #: raw key -> its connection (several raw keys may share one)
        self._raw: dict[tuple, Connection] = {}
        self._peers: dict[tuple, Peer] = {}
        #: log name accepted last (as the per-record path remembers it)
        self.log_name: str | None = None

    def fold(self, entries: list[_Entry], start: int, name: str, first_line: int) -> int:
        """Fold entries[start:]; the index of the first one left to the per-record path (len when none).

        `first_line` is the line number of entries[0].
        """
        raw_get, connections, log_name = self._raw.get, self.connections, self.log_name
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
                        or count < 1 or entry.entries is not msgspec.UNSET:
                    return index
                when = stamp[:-1]
                raw = (payload.connection, payload.disposition, payload.src, payload.dest, payload.policies)
                conn = raw_get(raw)
                if conn is None:
                    key = flow_key(raw, self._peers)
                    if key is None:
                        return index
                    conn = connections.get(key)
                    if conn is None:
                        connections[key] = conn = Connection(key, count, when, when, {node},
                                                             (name, first_line + index, None))
                        self._raw[raw] = conn
                        continue
                    self._raw[raw] = conn
                conn.count += count
                if conn.first is None or when < conn.first:
                    conn.first = when
                if conn.last is None or when > conn.last:
                    conn.last = when
                conn.nodes.add(node)
            return len(entries)
        finally:
            self.log_name = log_name
