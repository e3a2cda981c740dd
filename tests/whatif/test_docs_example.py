"""docs/whatif.md's worked example is the commands' real output: every `console` block is run
and its output compared, line for line, so the documented migration report cannot drift.

After a deliberate change of the output, rewrite the blocks with
`python -m tests.whatif.test_docs_example` and read the diff before committing it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from netpol_tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "whatif.md"
#: A block opened by four tildes and `console`: `$ command` on its first line, the output below.
BLOCK = re.compile(r"^~~~~console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)^~~~~$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    return [(match["command"], match["output"]) for match in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_doc_has_the_migration_report() -> None:
    commands = [command for command, _ in _blocks()]
    assert "netpol-tui diff --demo calico --model calico --vs dataplane-v2 --format markdown" in commands
    assert len(commands) >= 2


@pytest.mark.parametrize("command, output", _blocks(), ids=[command for command, _ in _blocks()])
def test_documented_output_is_the_real_output(command: str, output: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = shlex.split(command)
    assert argv[0] == "netpol-tui"
    code = main(argv[1:])
    real = capsys.readouterr().out
    assert code in (0, 1), f"{command} exited {code}"
    assert real.splitlines() == output.splitlines(), f"docs/whatif.md is out of date for: {command}"


def test_readme_links_to_the_doc() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/whatif\.md)(?:#[^)]*)?\)", readme)
    assert links and all((ROOT / link).is_file() for link in links)


def _rewrite() -> None:
    """Put each block's real output into the doc (the only way the doc's blocks change)."""
    import contextlib
    import io

    def real(match: re.Match[str]) -> str:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            main(shlex.split(match["command"])[1:])
        return f"~~~~console\n$ {match['command']}\n{buffer.getvalue()}~~~~"

    DOC.write_text(BLOCK.sub(real, DOC.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    _rewrite()
