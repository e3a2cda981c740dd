"""Make cluster-supplied text safe to show: it is untrusted.

Object names, labels, annotations and event messages can carry terminal escape sequences
(an OSC 52 sequence could write the user's clipboard), Rich markup, or bidirectional
overrides that make text read differently from what it is. `clean` removes the sequences and
controls; markup is never interpreted because the console shows such text as Rich `Text`
objects, not as markup strings.
"""

from __future__ import annotations

import re

_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (or unterminated)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS/PM/APC/SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
#: C0/C1 controls except tab and newline, DEL, and bidi embedding/override/isolate marks.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
ELLIPSIS = "…"


def clean(text: object, max_length: int | None = None, *, single_line: bool = False) -> str:
    """Strip escape sequences and control characters; optionally fold to one line and shorten."""
    value = "" if text is None else str(text)
    value = _ESCAPE_SEQUENCES.sub("", value)
    value = _CONTROLS.sub("", value)
    if single_line:
        value = " ".join(value.split())
    else:
        value = value.replace("\t", "    ")
    if max_length is not None and len(value) > max_length:
        value = value[: max(0, max_length - 1)] + ELLIPSIS
    return value
