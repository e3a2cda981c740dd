"""Reading back what `check --format html` wrote: its elements, attributes and copy blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from netpol_tui.checks.model import (
    Command,
    Evidence,
    Finding,
    Remediation,
    Report,
    Severity,
    Subject,
    UnknownCheck,
)

#: Markup the page is made of; anything else means cluster text became markup.
TAGS = frozenset({"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "span", "div", "table",
                  "thead", "tbody", "tr", "th", "td", "pre", "button", "em", "strong", "ul", "li", "script"})
ATTRIBUTES = frozenset({"lang", "charset", "http-equiv", "content", "name", "class", "id", "type", "data-target"})
#: Text that would be markup, a request or an escape if it were not escaped.
HOSTILE = ('<script>alert(1)</script>', '<img src="https://evil.example/x.png" onerror="alert(2)">',
           '</pre><a href="https://evil.example">x</a>', "\x1b]52;c;cHduZWQ=\x07", "\u202ereversed", '"quoted\'')


@dataclass
class Page(HTMLParser):
    """The elements of a page, and the text of each `<pre>` by id."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    blocks: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    _pre: str | None = None

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "pre":
            self._pre = values.get("id") or ""
            self.blocks[self._pre] = ""
        if tag == "button":
            self.buttons.append(values.get("data-target") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._pre is not None:
            self.blocks[self._pre] += data


def read_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def hostile_report() -> Report:
    """A report whose every cluster-derived string is hostile markup or escapes."""
    joined = " ".join(HOSTILE)
    finding = Finding(
        id="NP001", symbol="policy-selects-nothing", severity=Severity.WARNING, title="Policy selects no pod",
        subject=Subject("NetworkPolicy", HOSTILE[0], HOSTILE[1]), message=f"message {joined}",
        evidence=(Evidence(f"path {HOSTILE[2]}", f"observed {joined}", f"expected {HOSTILE[3]}"),),
        remediation=Remediation(commands=(Command(("kubectl", "get", "pods", "-n", HOSTILE[0]),
                                                  f"describe {HOSTILE[1]}"),),
                                manifest=f"kind: NetworkPolicy\nmetadata:\n  name: '{HOSTILE[2]}'\n"),
        explanation="Summary.\n\nWhy it matters.", notes=(f"note {HOSTILE[4]}",))
    unknown = UnknownCheck("GKE003", f"because {HOSTILE[0]}")
    return Report(findings=(finding,), unknown=(unknown,), dataplane=f"calico {HOSTILE[5]}",
                  cluster=f"cluster {HOSTILE[1]}", source=f"files {HOSTILE[2]}", checked=("NP001", "GKE003"),
                  notes=(f"engine note {HOSTILE[0]}",))
