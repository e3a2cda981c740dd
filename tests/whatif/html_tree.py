"""Reading a page back as a tree (html.parser), so tests assert structure, not substrings.

What a browser would build, closely enough for our own pages: void elements close themselves,
an end tag closes the elements opened after its start (as an unclosed `<li>` would be), and
the text is the decoded text a reader sees (`&lt;` comes back as `<`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        """All the text inside, as shown (no markup)."""
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self) -> Iterator[Element]:
        """This element and every element under it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, css_class: str | None = None) -> list[Element]:
        return [element for element in self.iter() if (tag is None or element.tag == tag)
                and (css_class is None or css_class in element.classes)]

    def find(self, tag: str | None = None, css_class: str | None = None) -> Element:
        found = self.find_all(tag, css_class)
        assert found, f"no <{tag or '*'}{f' class={css_class}' if css_class else ''}> in <{self.tag}>"
        return found[0]

    def by_id(self) -> dict[str, Element]:
        return {element.attrs["id"] or "": element for element in self.iter() if "id" in element.attrs}

    def children_tagged(self, tag: str) -> list[Element]:
        return [child for child in self.children if isinstance(child, Element) and child.tag == tag]


@dataclass(frozen=True, slots=True)
class Table:
    """A `<table>` as its header texts and its rows of cells (td and th elements)."""

    element: Element
    headers: list[str]
    rows: list[list[Element]]

    def texts(self) -> list[list[str]]:
        return [[cell.text() for cell in row] for row in self.rows]

    def column(self, header: str) -> int:
        return self.headers.index(header)


def read_table(element: Element) -> Table:
    assert element.tag == "table"
    head = element.find("thead")
    headers = [cell.text() for cell in head.find("tr").children_tagged("th")]
    rows = [[child for child in tr.children if isinstance(child, Element) and child.tag in ("td", "th")]
            for tr in element.find("tbody").children_tagged("tr")]
    return Table(element, headers, rows)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Element:
    """The document's root (its one child element is `<html>`)."""
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root
