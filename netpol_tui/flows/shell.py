"""Shell commands the flows report prints for copying.

Every word is quoted by `netpol_tui.shell`, the project's one quoting function.
"""

from __future__ import annotations

from collections.abc import Sequence

from netpol_tui.shell import join, option_words, source_words  # noqa: F401 (source_words re-exported)


def command(words: Sequence[object]) -> str:
    """Words (ports may be ints) as one quoted command line."""
    return join(str(word) for word in words)


def explain_command(source: Sequence[str], src: str, dst: str, port: int, protocol: str,
                    dataplane: str | None = None) -> str:
    words: list[object] = ["netpol-tui", "explain", *source, *option_words("--from", src),
                           *option_words("--to", dst), "--port", port, "--protocol", protocol]
    if dataplane and dataplane != "auto":
        words += ["--dataplane", dataplane]
    return command(words)
