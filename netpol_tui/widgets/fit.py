"""Fitting a cell into its column without cutting a value silently.

Names are shortened in the middle (`catalog-api-…4kt7x`) so the unique suffix Kubernetes
appends to pods and nodes stays visible; versions and addresses are never shortened (their
column is sized to them instead). Pure text: no textual, usable by any row builder.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

ELLIPSIS = "…"


def fit_middle(text: str, width: int) -> str:
    """`text` in at most `width` cells; when too long, its head and tail around one `…`.

    The tail keeps at least half of the room: the end of a generated name is what tells rows apart.
    """
    if width <= 0:
        return ""
    if (len(text) <= width and text.isascii()) or cell_len(text) <= width:
        return text
    if width == 1:
        return ELLIPSIS
    room = width - 1
    tail_room = (room + 1) // 2
    head_room = room - tail_room
    if text.isascii():
        return text[:head_room] + ELLIPSIS + text[len(text) - tail_room:]
    head = set_cell_size(text, head_room).rstrip() if head_room else ""
    tail_chars: list[str] = []
    used = 0
    for char in reversed(text):
        size = cell_len(char)
        if used + size > tail_room:
            break
        tail_chars.append(char)
        used += size
    tail = "".join(reversed(tail_chars))
    return set_cell_size(head, width - 1 - cell_len(tail)) + ELLIPSIS + tail


def fit_end(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut at the end with a visible `…`."""
    if width <= 0:
        return ""
    if (len(text) <= width and text.isascii()) or cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + ELLIPSIS


def fit(text: str, width: int, how: str = "middle") -> str:
    """Fit by the column's rule: `middle`, `end`, or `never` (returned whole; the caller sized for it)."""
    if how == "never":
        return text
    return fit_end(text, width) if how == "end" else fit_middle(text, width)
