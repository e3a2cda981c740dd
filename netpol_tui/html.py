"""One self-contained HTML page for reports read outside a terminal (incident tickets, browsers).

Why a page of its own: the people who read an incident ticket may never open a terminal, and
the report must be safe to open from an attachment. So the page loads nothing: its only style
and script are inline, and a Content-Security-Policy allows exactly those two (by hash) and
nothing else — no request leaves the page, and even markup that slipped through escaping could
not run a script or fetch an image. Every string from the cluster is cleaned (`text.clean`:
controls and bidi overrides shown visibly) and HTML-escaped here, in one place: renderers pass
plain text and get markup back.

Copy buttons copy the text of the `<pre>` they belong to, which is exactly the runnable block
the text format prints.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass

from netpol_tui import __version__
from netpol_tui.text import clean

STYLE = """
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de;
  --code: #f6f8fa; --error: #cf222e; --warning: #9a6700; --info: #0969da; --unknown: #6e7781; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0;
  --line: #30363d; --code: #161b22; --error: #ff7b72; --warning: #d29922; --info: #58a6ff; } }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
  max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; overflow-wrap: anywhere; }
/* A long name (a cluster's, unbroken) wraps rather than widening the page past the screen. */
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.meta, .muted { color: var(--muted); } .meta span { margin-right: 1.2rem; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; } td, th { border: 1px solid var(--line);
  padding: .2rem .5rem; text-align: left; vertical-align: top; } th { background: var(--code); }
.counts td { font-weight: 600; } .sev { font-weight: 700; text-transform: uppercase; font-size: .8rem; }
.error { color: var(--error); } .warning { color: var(--warning); } .info { color: var(--info); }
.unknown { color: var(--unknown); }
.finding { border-left: 4px solid var(--line); padding: .1rem 0 .4rem .8rem; margin: .8rem 0; }
.finding.error { border-color: var(--error); } .finding.warning { border-color: var(--warning); }
.finding.info { border-color: var(--info); } .finding > * { color: var(--fg); }
.block { position: relative; margin: .3rem 0 .6rem; }
pre { background: var(--code); border: 1px solid var(--line); padding: .5rem 4.5rem .5rem .7rem; overflow-x: auto;
  white-space: pre; margin: 0; font: 13px/1.4 ui-monospace, monospace; }
button.copy { position: absolute; top: .3rem; right: .3rem; font-size: .75rem; cursor: pointer; }
.banner { border: 1px solid var(--unknown); padding: .4rem .8rem; margin: .8rem 0; }
.allow { color: #1a7f37; font-weight: 600; } .deny { color: var(--error); font-weight: 600; }
table.grid td, table.grid th { text-align: center; font: 13px/1.3 ui-monospace, monospace; }
table.grid td { white-space: nowrap; } table.grid th { min-width: 4rem; max-width: 16rem; }
table.grid th.from { text-align: right; }
.cell-all { background: #dafbe1; } .cell-some { background: #fff8c5; } .cell-none { background: #ffebe9; }
.cell-unknown { background: #eaeef2; } .cell-empty { color: var(--muted); }
@media (prefers-color-scheme: dark) { .allow { color: #3fb950; } .cell-all { background: #12361f; }
  .cell-some { background: #3b2e0a; } .cell-none { background: #42171a; } .cell-unknown { background: #262c36; } }
table.grid a { color: inherit; }
table.flows td .block { margin: 0 0 .3rem; } table.flows td ul { margin: 0; padding-left: 1.1rem; }
table.flows td pre { font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; min-width: 16rem; }
.legend span { display: inline-block; padding: 0 .4rem; margin-right: .4rem; border: 1px solid var(--line); }
"""

SCRIPT = """
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.copy");
  if (!button) { return; }
  var text = document.getElementById(button.dataset.target).textContent;
  function done(label) { button.textContent = label; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
  function fallback() {
    var area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    var ok = false; try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove(); done(ok ? "Copied" : "Select and copy");
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
  } else { fallback(); }
});
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
                           "img-src 'none'; form-action 'none'; base-uri 'none'")


def esc(text: object) -> str:
    """Cluster (or any) text as HTML text: cleaned of controls, then escaped, quotes included."""
    return html.escape(clean("" if text is None else text), quote=True)


def esc_line(text: object) -> str:
    """As `esc`, on one line."""
    return html.escape(clean("" if text is None else text, single_line=True), quote=True)


class Blocks:
    """Numbers the copyable blocks of one page, so each button names its own `<pre>`."""

    def __init__(self) -> None:
        self.count = 0

    def copyable(self, text: str, label: str = "") -> Markup:
        """A `<pre>` holding `text` exactly (cleaned, escaped) with a Copy button for it."""
        self.count += 1
        block_id = f"block-{self.count}"
        caption = f'<div class="muted">{esc_line(label)}</div>' if label else ""
        return Markup(f'{caption}<div class="block"><pre id="{block_id}">{esc(text)}</pre>'
                      f'<button type="button" class="copy" data-target="{block_id}">Copy</button></div>')


class Markup(str):
    """Markup these helpers built (every cluster string in it already escaped): `table` puts it into
    a cell as it is. Renderers never wrap cluster text in it themselves."""


@dataclass(frozen=True, slots=True)
class Td:
    """A cell with a class of ours (never cluster text): plain text is escaped, Markup kept."""

    content: object
    css_class: str = ""
    header: bool = False


def styled(text: object, css_class: str) -> Markup:
    """`text` (escaped) in a span of one of the page's classes."""
    return Markup(f'<span class="{css_class}">{esc_line(text)}</span>')


def link(text: object, anchor: str) -> Markup:
    """A link to an element of this same page (`#anchor`: our own ids, never cluster text): no
    request can leave the page through it."""
    return Markup(f'<a href="#{html.escape(anchor, quote=True)}">{esc_line(text)}</a>')


def _cell(value: object) -> str:
    if isinstance(value, Td):
        tag = "th" if value.header else "td"
        attribute = f' class="{value.css_class}"' if value.css_class else ""
        return f"<{tag}{attribute}>{_content(value.content)}</{tag}>"
    return f"<td>{_content(value)}</td>"


def _content(value: object) -> str:
    return value if isinstance(value, Markup) else esc_line(value)


def table(headers: Iterable[object], rows: Iterable[Iterable[object]], css_class: str = "") -> str:
    """A table: plain-text cells are escaped; `Td` gives a cell a class, `Markup` (from these helpers)
    is kept as it is."""
    head = "".join(f"<th>{_content(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    """The whole document: `body` is markup built with the helpers above."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{esc_line(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n"
            f'<p class="muted">Written by netpol-tui {esc_line(__version__)}; read-only: nothing here was run '
            f"against the cluster.</p>\n<script>{SCRIPT}</script>\n</body></html>\n")
