"""Write man/netpol-tui.1 from the command-line parser (run after changing an option or an example).

    python tools/build_manpage.py            # rewrite man/netpol-tui.1
    python tools/build_manpage.py --check    # exit 1 when the committed page is stale (CI)

argparse-manpage renders the parser, its subcommands and their epilogs (the examples and exit
codes), so the page says exactly what `--help` says. The sdist ships the result (MANIFEST.in).
"""

from __future__ import annotations

import sys
from pathlib import Path

from argparse_manpage.manpage import Manpage

from netpol_tui import __version__
from netpol_tui.cli import build_parser
from netpol_tui.commands import COMMANDS, HIDDEN_COMMANDS
from netpol_tui.helptext import EXIT_CODES, examples

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "man" / "netpol-tui.1"
#: A fixed date keeps the page byte-identical between builds (argparse-manpage puts it in .TH).
DATE = "2026-12-07"


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def _examples_section() -> str:
    """Every command's examples and exit codes, as in its --help (argparse-manpage prints only the top epilog)."""
    out = []
    for command in (None, *(name for name in COMMANDS if name not in HIDDEN_COMMANDS)):
        out.append(f".SS {_roff('netpol-tui' + (' ' + command if command else ''))}")
        for example in examples(command):
            out += [".TP", f".B {_roff(example.line)}", _roff(example.what)]
        codes = EXIT_CODES.get(command, ())
        if codes:
            out += [".PP", "Exit codes:", ".RS", *(line for code in codes for line in (_roff(code), ".br")), ".RE"]
    return "\n".join(out) + "\n"


def render() -> str:
    parser = build_parser()
    page = Manpage(parser, _data={
        "project_name": "netpol-tui", "version": __version__, "date": DATE,
        "manual_title": "netpol-tui manual", "manual_section": 1,
        "description": "Read-only terminal console and CLI for Kubernetes NetworkPolicy on GKE.",
    })
    page.add_section("examples and exit codes", "=", _examples_section())
    text = str(page)
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python tools/build_manpage.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
