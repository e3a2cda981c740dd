"""Shell commands the flows report prints for copying.

Every word is quoted by `netpol_tui.shell`, the project's one quoting function.
"""

from __future__ import annotations

from collections.abc import Sequence

from netpol_tui.shell import join


def command(words: Sequence[object]) -> str:
    """Words (ports may be ints) as one quoted command line."""
    return join(str(word) for word in words)


def source_words(demo: str | None = None, files: Sequence[str] = (), context: str | None = None,
                 kubeconfig: str | None = None, project: str | None = None, location: str | None = None,
                 cluster: str | None = None) -> list[str]:
    """The source options that load the same snapshot again (stdin cannot be read twice: `-` is kept)."""
    words: list[str] = []
    if demo:
        words += ["--demo", demo]
    for path in files:
        words += ["--files", path]
    for flag, value in (("--context", context), ("--kubeconfig", kubeconfig), ("--project", project),
                        ("--location", location), ("--cluster", cluster)):
        if value:
            words += [flag, value]
    return words


def explain_command(source: Sequence[str], src: str, dst: str, port: int, protocol: str,
                    dataplane: str | None = None) -> str:
    words: list[object] = ["netpol-tui", "explain", *source, "--from", src, "--to", dst, "--port", port,
                           "--protocol", protocol]
    if dataplane and dataplane != "auto":
        words += ["--dataplane", dataplane]
    return command(words)
