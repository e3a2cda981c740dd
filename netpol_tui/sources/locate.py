"""The line an object starts on in the file it was read from, found only when an output asks.

Loading records where each document starts and, for List items, the item's index
(`Origin.item`); finding every item's own line while loading would tokenise 100,000 pods a
second time for nothing. SARIF needs the line of the few objects that have findings, so the
file is read again here, once per document, and the starts of all its items are kept.

Everything here is best effort: a file that is gone, changed, unreadable or not what it was
gives None, and the caller falls back to `Origin.line`. Nothing here raises.
"""

from __future__ import annotations

import os
import re
import stat
from collections import OrderedDict

import orjson
import yaml

from netpol_tui.model.objects import Origin
from netpol_tui.sources.files import _DOCUMENT_START, _Loader, _normalise_encoding

#: The next token after blanks and colons: a JSON string (escapes included, so `"a\"]"` is one
#: token), a structural character, or a scalar (ignored). No match means it is not JSON.
_JSON_TOKEN = re.compile(rb'[\s:]*+(?:("[^"\\]*+(?:\\.[^"\\]*+)*+")|([\[\]{},])|[^\s"\[\]{},:]++)', re.DOTALL)
#: Everything up to the next bracket outside strings (possessive: no backtracking on bad input).
_JSON_BRACKET = re.compile(rb'(?:"[^"\\]*+(?:\\.[^"\\]*+)*+"|[^"\[\]{}]++)*+([\[\]{}])', re.DOTALL)
_JSON_ITEMS_KEY = re.compile(rb'\s*:\s*\[')
_SPACE = re.compile(rb"\s*")
_YAML_SUFFIXES = (".yaml", ".yml")
#: Files whose item lines are kept; a report names objects from a handful of files.
_CACHE_SIZE = 32

#: (path, mtime_ns, size) -> {document start line: item start lines, or None when not found}
_cache: OrderedDict[tuple[str, int, int], dict[int, tuple[int, ...] | None]] = OrderedDict()


def object_line(origin: Origin | None) -> int | None:
    """The 1-based line the object of `origin` starts on, or None when it cannot be told.

    Objects that are not List items have no line of their own beyond their document's, which
    is `origin.line` already, so only items are looked up.
    """
    try:
        if origin is None or origin.item is None or origin.item < 0 or not origin.path:
            return None
        lines = _item_lines(origin.path, origin.line or 1)
        if lines is None or origin.item >= len(lines) or lines[origin.item] < 1:
            return None
        return lines[origin.item]
    except Exception:  # an output must never fail over a line number
        return None


def clear_cache() -> None:
    """Forget what was read (tests; a long-running console after files were rewritten)."""
    _cache.clear()


def _item_lines(path: str, line: int) -> tuple[int, ...] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    # A FIFO (`--files <(kubectl ...)`) or a device was consumed by the load: reading it again
    # would block or give other data.
    if not stat.S_ISREG(info.st_mode):
        return None
    key = (path, info.st_mtime_ns, info.st_size)
    documents = _cache.get(key)
    if documents is None:
        documents = _cache[key] = {}
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    if line not in documents:
        documents[line] = _scan(path, line)
    return documents[line]


def _scan(path: str, line: int) -> tuple[int, ...] | None:
    try:
        with open(path, "rb") as handle:
            data = _normalise_encoding(handle.read())
    except Exception:  # unreadable now, or no longer text: remembered as "no line" for this version
        return None
    if _is_json(path, data):
        return json_item_lines(data, line)
    return yaml_item_lines(data, line)


def _is_json(path: str, data: bytes) -> bool:
    """The same choice the files source made: JSON unless a .yaml file is not valid JSON."""
    start = _SPACE.match(data, 0, 4096).end()  # type: ignore[union-attr]  # _SPACE always matches
    if data[start:start + 1] not in (b"[", b"{"):
        return False
    if not path.lower().endswith(_YAML_SUFFIXES):
        return True
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return str(exc).startswith(("unexpected content after document", "trailing characters"))
    return True


def _line_offset(data: bytes, line: int) -> int | None:
    """Offset of the first byte of 1-based `line`, None past the end."""
    offset = 0
    for _ in range(line - 1):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return None
    return offset


def json_item_lines(data: bytes, line: int = 1) -> tuple[int, ...] | None:
    """Start lines of the elements of the JSON value starting on `line`: its `items` array when it
    is an object, itself when it is an array. None when there is no such array or the value is not
    complete (the file changed or was never this JSON)."""
    start = _line_offset(data, line)
    if start is None:
        return None
    newline = data.find(b"\n", start)
    if newline < 0 or _SPACE.match(data, newline).end() == len(data):  # type: ignore[union-attr]  # always matches
        return None  # compact output on one line: every item is on the document's line anyway
    starts: list[int] | None = None
    depth = 0
    collecting = False  # inside the wanted array, directly (its own depth) or deeper
    target = 0  # the depth of the wanted array's elements' separators
    items_next = False  # the `[` about to come is the value of the top-level object's "items"
    position = start
    while True:
        # Inside an item only brackets matter: one C-level match skips its strings and scalars.
        if depth > 1 and not (collecting and depth == target):
            match = _JSON_BRACKET.match(data, position)
            if match is None:
                return None  # cut short or not JSON
            first = match.group(1)[0]
        else:
            match = _JSON_TOKEN.match(data, position)
            if match is None:
                return None  # not JSON (or the end of the data)
            string, structure = match.groups()
            if structure is not None:
                first = structure[0]
            else:  # a string, or a number, true, false or null
                if depth == 0:
                    return None  # a string document: no items
                # A later duplicate "items" key wins, as in the decoder.
                if depth == 1 and string == b'"items"' and _JSON_ITEMS_KEY.match(data, match.end()):
                    items_next = True
                position = match.end()
                continue
        position = match.end()
        if first == 0x5B or first == 0x7B:  # '[' '{'
            depth += 1
            if first == 0x5B and (items_next or depth == 1):
                items_next, collecting, target, starts = False, True, depth, []
                _element_start(data, position, starts)
            continue
        if first == 0x2C:  # ','
            if collecting and depth == target:
                assert starts is not None  # set when collecting began
                _element_start(data, position, starts)
            continue
        if collecting and depth == target:  # ']' closing the wanted array
            collecting = False
        depth -= 1  # ']' '}'
        if depth <= 0:
            break
    if depth < 0 or starts is None:
        return None
    return _to_lines(data, start, line, starts)


def _element_start(data: bytes, after: int, starts: list[int]) -> None:
    position = _SPACE.match(data, after).end()  # type: ignore[union-attr]  # _SPACE always matches
    if data[position:position + 1] != b"]":
        starts.append(position)


def _to_lines(data: bytes, offset: int, line: int, starts: list[int]) -> tuple[int, ...]:
    lines = []
    for position in starts:
        line += data.count(b"\n", offset, position)
        offset = position
        # A List item is an object; anything else means the file is not the one that was loaded
        # (-1: no line).
        lines.append(line if data[position:position + 1] == b"{" else -1)
    return tuple(lines)


def yaml_item_lines(data: bytes, line: int = 1) -> tuple[int, ...] | None:
    """Start lines of the entries of the YAML document starting on `line`: its `items` sequence
    when it is a mapping, itself when it is a sequence. None when there is none.

    Parser events, not `yaml.compose`: the events carry the same marks and libyaml emits them
    about eight times faster than nodes are composed from them.
    """
    begin = _line_offset(data, line)
    if begin is None:
        return None
    # The files source splits streams at `---` lines the same way (see files._yaml_chunks).
    following = _DOCUMENT_START.search(data, begin + 1)
    chunk = data[begin:following.start() if following else len(data)]
    lines: list[int] | None = None
    depth = 0
    target = 0  # depth of the wanted sequence's entries while inside it
    root_mapping = False
    is_key = True  # at the top of a mapping document: the next node is a key
    items_next = False
    try:
        for event in yaml.parse(chunk, Loader=_Loader):
            if isinstance(event, yaml.NodeEvent):
                if target and depth == target:
                    wanted = isinstance(event, yaml.MappingStartEvent | yaml.AliasEvent)
                    # `lines` is a list while `target` is set; the parser's events always carry marks
                    lines.append(line + event.start_mark.line if wanted else -1)  # type: ignore[union-attr]
                if depth == 0:
                    if isinstance(event, yaml.SequenceStartEvent):
                        target, lines = 1, []
                    elif isinstance(event, yaml.MappingStartEvent):
                        root_mapping = True
                    else:
                        return None
                elif depth == 1 and root_mapping:
                    if is_key:
                        items_next = isinstance(event, yaml.ScalarEvent) and event.value == "items"
                    elif items_next:  # a later duplicate "items" key wins, as in the loader
                        target, lines = (2, []) if isinstance(event, yaml.SequenceStartEvent) else (0, None)
                    is_key = not is_key
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                if depth == target:
                    target = 0
                depth -= 1
            elif isinstance(event, yaml.DocumentEndEvent):
                break
    except (yaml.YAMLError, RecursionError):
        return None
    return tuple(lines) if lines is not None else None
