"""`check` text output of a group of findings (`checks.grouping`): one block per check.

A group says how many findings there are and where, lists the first subjects, and shows the
first finding in full (evidence and fix) as the pattern of the others. Every finding stays in
`--format json`, `sarif` and `markdown`; the text output says so where it leaves some out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from netpol_tui.checks.grouping import CLUSTER_SCOPE, FindingGroup
from netpol_tui.checks.model import Finding
from netpol_tui.text import clean

#: Subjects listed by name under a group's header; the rest are counted.
LISTED_SUBJECTS = 10
LISTED_NAMESPACES = 8


def _one(text: object) -> str:
    return clean(text, single_line=True)


def group_lines(group: FindingGroup, finding_lines: Callable[[Finding], list[str]]) -> list[str]:
    """The text block of one group; `finding_lines` renders the example finding in full."""
    out = [f"{_one(group.id)} {_one(group.symbol)}  {_one(group.describe())}"]
    shared = group.shared_message
    out.append(f"  {_one(shared)}" if shared is not None else f"  {_one(group.title)} (messages differ per subject)")
    counts = Counter(finding.subject.namespace or CLUSTER_SCOPE for finding in group.findings)
    named = [(name, count) for name, count in counts.most_common() if name != CLUSTER_SCOPE]
    if len(named) > 1:
        shown = ", ".join(f"{_one(name)} ({count})" for name, count in named[:LISTED_NAMESPACES])
        more = f", and {len(named) - LISTED_NAMESPACES:,} more" if len(named) > LISTED_NAMESPACES else ""
        out.append(f"  Namespaces: {shown}{more}")
    out.append("  Subjects:")
    for finding in group.findings[:LISTED_SUBJECTS]:
        line = f"    - {_one(finding.subject)}"
        if shared is None:
            line += f": {_one(finding.message)}"
        out.append(line)
    if group.count > LISTED_SUBJECTS:
        out.append(f"    … and {group.count - LISTED_SUBJECTS:,} more (--format json, sarif or markdown lists "
                   "every finding)")
    example = finding_lines(group.findings[0])
    # As the flat output prints it (not indented further): a heredoc in its fix runs as pasted.
    out += ["  The first in full (each finding has its own evidence and fix):", *example]
    return out
