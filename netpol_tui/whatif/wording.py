"""The words and numbers every format of the matrix and the diff shares (text, Markdown, HTML).

One module below both renderers (render.py, render_html.py), so that a cell's letter, the
legend, the summary sentences and the "changed" mark read the same in a terminal, a change
ticket and a browser, and neither renderer imports the other. Counts in sentences get
thousands separators (`1,620 denied`); JSON and CSV keep plain numbers for programs.
"""

from __future__ import annotations

from netpol_tui.text import plural
from netpol_tui.whatif.matrix import verdict_word

#: A cell's state as a letter, so the grid reads without colour.
LETTERS = {"all": "A", "some": "S", "none": "N", "unknown": "?", "empty": "."}
LEGEND = "A all allowed, S some allowed, N none allowed, ? unknown (data not read), . no flow"
#: The legend one entry per state (the HTML page styles each one as its cells).
LEGEND_ITEMS = (("all", "A all allowed"), ("some", "S some allowed"), ("none", "N none allowed"),
                ("unknown", "? unknown: some flow depends on data not read"), ("empty", ". no flow"))
MATRIX_FORMATS = ("text", "json", "markdown", "csv", "dot", "html")
DIFF_FORMATS = ("text", "json", "markdown", "html")
#: The checks whose findings block or change on a dataplane migration (gke-facts: ipBlock and
#: unsupported features differ between Calico and Dataplane V2).
MIGRATION_CHECKS = ("GKE010", "GKE011", "GKE012")
#: Put after the verdict a change turns a flow into, so a changed cell says so in words and not
#: only by its colour (a printout, a screen reader, colour blindness).
CHANGED = "(changed)"


def thousands(count: int) -> str:
    """A count for a sentence or a summary cell: `1,620`."""
    return f"{count:,}"


def changed_verdict(allowed: bool | None) -> str:
    """The verdict after a change, marked as changed: `deny (changed)`."""
    return f"{verdict_word(allowed)} {CHANGED}"


def matrix_counts(counts: dict[str, int]) -> str:
    """`2,439 flows: 819 allowed, 1,620 denied, 0 unknown` (the counts of `Matrix.counts`)."""
    return (f"{plural(counts['flows'], 'flow')}: {thousands(counts['allowed'])} allowed, "
            f"{thousands(counts['denied'])} denied, {thousands(counts['unknown'])} unknown")


def pair_counts(allowed: int, denied: int, unknown: int) -> str:
    """One namespace pair's flows: `12 allowed, 1,300 denied` (`, 2 unknown` when any is)."""
    return f"{thousands(allowed)} allowed, {thousands(denied)} denied" + (f", {thousands(unknown)} unknown" if unknown else "")


def diff_counts(changed: int, compared: int) -> str:
    """`27 flows change of 2,439 compared`."""
    return f"{plural(changed, 'flow')} change of {thousands(compared)} compared"
