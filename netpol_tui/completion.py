"""Shell completion scripts for bash, zsh and fish, generated from the parser by shtab.

(shtab is imported inside the functions that use it: it costs ~150 ms, and the command
modules read SHELLS from here while every command line is parsed.)

Options with a fixed set of values (`--dataplane`, `--format`, ...) complete from their
argparse choices; check ids are written into the script from the catalog; kubeconfig contexts
change all the time, so the script asks `netpol-tui __complete contexts` each time (honouring
`--kubeconfig` on the line being completed in bash, and $KUBECONFIG everywhere).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from netpol_tui.modes import MODE_NAMES
from netpol_tui.options import DEMO_NAMES, parser_actions

SHELLS = ("bash", "zsh", "fish")
PROG = "netpol-tui"
HELPER = "__complete"
CONTEXTS_FUNCTION = "_netpol_tui_contexts"
CHECKS_FUNCTION = "_netpol_tui_check_ids"
DEMOS_FUNCTION = "_netpol_tui_demos"
SCREENS_FUNCTION = "_netpol_tui_screens"

#: The bash helper finds --kubeconfig PATH / --kubeconfig=PATH among the words typed so far.
BASH_CONTEXTS = f"""
{CONTEXTS_FUNCTION}() {{
  local i word kubeconfig=()
  for ((i = 1; i < ${{#COMP_WORDS[@]}}; i++)); do
    word="${{COMP_WORDS[i]}}"
    case "$word" in
      --kubeconfig) kubeconfig=(--kubeconfig "${{COMP_WORDS[i+1]}}") ;;
      --kubeconfig=*) kubeconfig=(--kubeconfig "${{word#--kubeconfig=}}") ;;
    esac
  done
  local IFS=$'\\n'
  compgen -W "$({PROG} {HELPER} contexts "${{kubeconfig[@]}}" 2>/dev/null)" -- "$1"
}}
"""


def _words_function(name: str, words: Iterable[str]) -> str:
    return f'\n{name}() {{\n  compgen -W "{" ".join(words)}" -- "$1"\n}}\n'


def contexts_completer() -> dict[str, object]:
    command = f"{PROG} {HELPER} contexts 2>/dev/null"
    return {"bash": CONTEXTS_FUNCTION, "zsh": f"($({command}))", "fish": f"({command})",
            "preamble": {"bash": BASH_CONTEXTS}}


def words_completer(function: str, words: tuple[str, ...]) -> dict[str, object]:
    """A fixed word list for every shell (check ids, demo names)."""
    return {"bash": function, "zsh": f"({' '.join(words)})", "fish": " ".join(words),
            "preamble": {"bash": _words_function(function, words)}}


def check_words() -> tuple[str, ...]:
    from netpol_tui.checks.registry import CATALOG  # the catalog is only needed when a script is written

    return tuple(spec.id for spec in CATALOG)


def attach_completers(parser: argparse.ArgumentParser) -> None:
    """Mark the actions whose values shtab cannot know from argparse alone."""
    import shtab  # 150 ms of imports: only when a script is written, never at start-up

    checks = words_completer(CHECKS_FUNCTION, check_words())
    by_dest: dict[str, object] = {
        "context": contexts_completer(), "contexts": contexts_completer(),
        "demo": words_completer(DEMOS_FUNCTION, DEMO_NAMES),
        "start_screen": words_completer(SCREENS_FUNCTION, MODE_NAMES),
        "select": checks, "ignore": checks, "show": checks, "check_id": checks,
        "kubeconfig": shtab.FILE, "files": shtab.FILE, "batch": shtab.FILE, "directory": shtab.DIRECTORY,
    }
    for _owner, action in parser_actions(parser):
        completer = by_dest.get(action.dest)
        if completer is not None:
            action.complete = completer  # type: ignore[attr-defined]  # shtab's documented hook


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell`, for the `netpol-tui` executable."""
    if shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}; choose from {', '.join(SHELLS)}")
    parser.prog = PROG  # `kubectl netpol completion` still completes the netpol-tui executable
    import shtab  # see attach_completers

    attach_completers(parser)
    script = shtab.complete(parser, shell=shell)
    return script if script.endswith("\n") else script + "\n"
