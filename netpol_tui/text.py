"""Make cluster-supplied text safe to show: it is untrusted.

Object names, labels, annotations and event messages (tenants write events) can carry terminal
escape sequences (OSC 52 writes the user's clipboard, CSI 2J clears the screen, OSC 0 retitles
the window), bidirectional overrides that make text read differently from what it is (U+202E),
or Markdown that turns an incident note into a link farm. Every output channel passes cluster
text through `clean`; Markdown adds `markdown_inline` on top.

The policy, one for every channel (text, JSON string values, Markdown, SARIF, console):

- **Escape sequences are removed whole**: ESC-introduced sequences (CSI, OSC, DCS/PM/APC/SOS
  strings, two-byte escapes). They are instructions to the terminal, never text, and their
  parameters (a base64 clipboard payload) mean nothing to a reader.
- **Every other invisible or control character is shown as a visible `\\uXXXX` escape**
  (lower-case hex): C0 controls except tab and newline (so NUL is `\\u0000`, a lone carriage
  return `\\u000d`), DEL, C1 controls (U+009B, the 8-bit CSI, is `\\u009b`: once the
  introducer is visible text, what follows it is plain text too), bidi embeddings, overrides,
  isolates and marks (U+202E is `\\u202e`), zero-width spaces, word joiner, byte-order mark and
  the Unicode line/paragraph separators. Showing them instead of dropping them keeps the
  tampering visible: `db\\u202egnp.exe` reads as suspicious, `dbgnp.exe` would not.
- Line ends: CRLF becomes LF. Tabs become four spaces (a terminal's tab stops would misalign
  columns), unless `keep_tabs` (a final pass over a whole document that may hold a `<<-`
  heredoc). `single_line` folds every run of whitespace to one space.
- The result holds no character below U+0020 except newline (and tab with `keep_tabs`), so it
  is safe in a terminal, a JSON string, a SARIF log and a ticket. `clean` is idempotent.

Markup is never interpreted: the console shows cluster text as Rich `Text` objects, not markup
strings, and `markdown_inline` escapes everything Markdown would render (see its docstring).

The module also holds the counted-word helpers every layer shares (`plural`, `listed`), so a
count reads the same in a check message, a screen and a runbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL/ST (or unterminated)
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS/PM/APC/SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
)
#: C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates/marks,
#: the zero-width space, word joiner and invisible operators, the BOM, and the Unicode line separators.
_INVISIBLE = (r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064"
              r"\u2066-\u2069\ufeff")
_CONTROLS = re.compile(f"[{_INVISIBLE}]")
#: Whitespace that breaks or moves the line; folded to a space in single-line text.
_LINE_BREAKING = re.compile(r"[\t\r\n\x0b\x0c]")
ELLIPSIS = "…"


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def clean(text: object, max_length: int | None = None, *, single_line: bool = False,
          keep_tabs: bool = False) -> str:
    """Remove escape sequences, show other controls as `\\uXXXX`; optionally one line and shorter."""
    value = "" if text is None else str(text)
    value = _ESCAPE_SEQUENCES.sub("", value).replace("\r\n", "\n")
    if single_line:
        value = " ".join(_CONTROLS.sub(_visible, _LINE_BREAKING.sub(" ", value)).split())
    elif keep_tabs:
        value = _CONTROLS.sub(_visible, value)
    else:
        value = _CONTROLS.sub(_visible, value.replace("\t", "    "))
    if max_length is not None and len(value) > max_length:
        value = value[: max(0, max_length - 1)] + ELLIPSIS
    return value


# -------------------------------------------------------------------- Markdown

#: Characters that can start Markdown inline syntax: links and images (`[`, `]`, `!`), raw HTML
#: and autolinks (`<`, `>`), entities (`&`), emphasis/strike (`*`, `_`, `~`), code (backtick),
#: table cells (`|`), headings (`#`) and the escape itself.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>!|&~#])")
#: Block syntax only at the start of a line: lists, quotes, setext/thematic breaks, ordered lists.
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d{1,9}(?=[.)]))")
#: What a renderer may link without any brackets: URLs, `www.` hosts, e-mail addresses, and
#: (renderers with fuzzy linking) anything shaped like a host name, `cni.projectcalico.org/x`.
_LINK_CHAR = r"[^\s|<>`\[\]()'\"]"
_BARE_LINK = re.compile(f"{_LINK_CHAR}*(?:://|\\w\\.\\w|\\w@\\w){_LINK_CHAR}*")


def markdown_inline(text: object, max_length: int | None = None) -> str:
    """Cluster text for one line of Markdown prose, a heading or a table cell: renders literally.

    After `clean(single_line=True)`, every character that can start inline Markdown is
    backslash-escaped, so `[text](url)`, `![img](url)`, `<https://...>` and raw HTML show as
    typed and never become a link, an image or markup. Anything a renderer could link without
    brackets (URLs, `www.` hosts, e-mail addresses, and dotted names like `example.com/x`, which
    fuzzy linkifiers take for hosts) is put in a code span, where nothing is linked. A leading list/quote/heading marker is escaped so the text cannot start a block.
    """
    value = clean(text, max_length, single_line=True)
    out: list[str] = []
    position = 0
    for match in _BARE_LINK.finditer(value):
        link = _trim_link(match.group())
        out.append(_escape_inline(value[position:match.start()]))
        out.append(code_span(link))
        position = match.start() + len(link)
    out.append(_escape_inline(value[position:]))
    result = "".join(out)
    return _MD_LINE_START.sub(_escape_line_start, result, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    space, marker = match.group(1), match.group(2)
    # "1." / "1)" start an ordered list: escape the punctuation after the digits.
    return f"{space}{marker}\\" if marker[0].isdigit() else f"{space}\\{marker}"


def _trim_link(link: str) -> str:
    """Trailing punctuation and unbalanced closing brackets are prose, not link (as GFM decides)."""
    while link and (link[-1] in ".,:;!?'\"*_~" or (link[-1] in ")]}" and link.count(link[-1]) >
                                                     link.count({")": "(", "]": "[", "}": "{"}[link[-1]]))):
        link = link[:-1]
    return link


def _escape_inline(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", text)


def code_span(text: str) -> str:
    """`text` as a Markdown code span: delimited by more backticks than any run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or longest else text
    return f"{fence}{padded}{fence}"


def markdown_fence(lines: list[str], language: str = "") -> list[str]:
    """A fenced code block whose fence no line inside it can close (longer than any backtick run)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *lines, fence]


# --------------------------------------------------------------- counted words

#: How many items `listed` names before it says "and N more".
MAX_LISTED = 20


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 policy`, `3 policies`, `2 errors`, `0 addresses`, `12,000 pods`; `many` for irregular
    plurals. The one pluralising helper: counts in sentences go through it."""
    if count == 1:
        return f"1 {word}"
    if many is None:
        if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
            many = word[:-1] + "ies"
        elif word.endswith(("s", "x", "z", "ch", "sh")):
            many = word + "es"
        else:
            many = word + "s"
    return f"{count:,} {many}"


def listed(items: Iterable[str], limit: int = MAX_LISTED) -> str:
    """`a, b, c`, or `a, b, ... and 12 more` beyond `limit` items."""
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... and {len(items) - limit} more"


def sanitised(data: Any) -> Any:
    """JSON-ready data with every string (keys too) `clean`ed: what every --format json prints."""
    if isinstance(data, str):
        return clean(data)
    if isinstance(data, dict):
        return {sanitised(key) if isinstance(key, str) else key: sanitised(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [sanitised(item) for item in data]
    return data
