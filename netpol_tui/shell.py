"""The one place where commands become shell text: argv in, paste-ready POSIX shell out.

Names in a snapshot are untrusted: a files source is not validated by an API server, so a
namespace can be `pay;touch x` and a pool `$(reboot)`. Every command netpol-tui prints or
copies is therefore built as an argv (plus an optional manifest for stdin) and rendered here,
with every word quoted by `quote`. Tests compare the argv a shell actually parses from the
rendered text with the argv that was meant.

A manifest goes to stdin as a quoted heredoc (no expansion inside), whose terminator is
chosen so that no line of the manifest equals it. The heredoc body and terminator are never
indented, so the block runs exactly as pasted.
"""

from __future__ import annotations

import shlex
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HEREDOC_DELIMITER = "EOF"
#: Put above a command whose words hold characters no terminal shows or pastes as they are.
NOT_EXACT_WARNING = ("# WARNING: a name below holds control or invisible characters, which are not shown as "
                     "they are: check the object's real name before running this")


def quote(value: str) -> str:
    """POSIX shell quoting of one word (as `shlex.quote`: plain words stay readable)."""
    return shlex.quote(value)


def join(argv: Iterable[str]) -> str:
    """argv as one shell command line (a quoted newline inside a word continues the line)."""
    return " ".join(quote(word) for word in argv)


def option_words(flag: str, value: str) -> list[str]:
    """A long option and its value as argv words: `--from`, `VALUE`, or one `--from=VALUE` word
    when the value starts with `-`, which the parser would otherwise take for another option
    (a files source can hold a namespace `-x`)."""
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def _visible(line: str) -> str:
    return "".join(char for char in line if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")).strip()


def heredoc_delimiter(body: str) -> str:
    """`EOF`, or `EOF_2`, `EOF_3`, ... when a line of the body is that word. A line counts when
    it is the word once invisible characters and surrounding blanks are gone, so no display
    sanitising or paste can turn a body line into the terminator."""
    lines = {_visible(line) for line in body.split("\n")}
    delimiter, number = HEREDOC_DELIMITER, 1
    while delimiter in lines:
        number += 1
        delimiter = f"{HEREDOC_DELIMITER}_{number}"
    return delimiter


def exact_text(word: str) -> bool:
    """Whether the word survives display and paste unchanged: no control, format (bidi,
    zero-width) or line-separator characters besides newline. Tabs fail too: terminals and
    the sanitiser expand them, and an interactive shell may complete on them."""
    return not any(char != "\n" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in word)


@dataclass(frozen=True, slots=True)
class ScriptLine:
    """One line of a rendered command. `indentable`: leading spaces would not change what runs
    (the line starts a command); False for a quoted word's continuation and heredoc lines."""

    text: str
    indentable: bool


def script_lines(argv: Sequence[str], stdin: str | None = None) -> list[ScriptLine]:
    """The command's lines; with stdin, `<<'DELIM'`, the body and the terminator."""
    command = join(argv)
    if stdin is not None:
        delimiter = heredoc_delimiter(stdin)
        command += f" <<'{delimiter}'"  # quoted: the body is taken literally, nothing is expanded
    first, *rest = command.split("\n")
    out = [] if all(exact_text(word) for word in argv) else [ScriptLine(NOT_EXACT_WARNING, True)]
    out += [ScriptLine(first, True), *(ScriptLine(line, False) for line in rest)]
    if stdin:
        # A heredoc always ends in a newline; manifests do too.
        body = stdin[:-1] if stdin.endswith("\n") else stdin
        out += [ScriptLine(line, False) for line in body.split("\n")]
    if stdin is not None:
        out.append(ScriptLine(delimiter, False))
    return out


def script(argv: Sequence[str], stdin: str | None = None) -> str:
    """The paste-ready text of one command (no trailing newline: the user presses Enter)."""
    return "\n".join(line.text for line in script_lines(argv, stdin))


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """A command as argv, the manifest it reads on stdin, and placeholders left in its words."""

    argv: tuple[str, ...]
    stdin: str | None = None
    placeholders: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.argv, str) or not all(isinstance(word, str) for word in self.argv):
            raise TypeError(f"a command is a tuple of words, not {self.argv!r}: build it with netpol_tui.shell")

    @property
    def text(self) -> str:
        """The command line alone (without the heredoc)."""
        return join(self.argv)

    @property
    def script(self) -> str:
        """The whole runnable block, heredoc included."""
        return script(self.argv, self.stdin)


# ------------------------------------------------------------------ builders


def objects(kind: str, *names: str) -> tuple[str, ...]:
    """kubectl's resource arguments: `kind a b`, or `kind/a kind/b` when a name starts with `-`
    (a bare word starting with `-` would be read as a flag)."""
    if any(name.startswith("-") for name in names):
        return tuple(f"{kind}/{name}" for name in names)
    return (kind, *names)


def kubectl(*args: str, namespace: str | None = None, stdin: str | None = None,
            placeholders: tuple[str, ...] = ()) -> ShellCommand:
    """`kubectl [-n NAMESPACE] ARGS...` (pflag takes the word after `-n` as its value, even `-x`)."""
    head = ("kubectl", "-n", namespace) if namespace is not None else ("kubectl",)
    return ShellCommand((*head, *args), stdin, placeholders)


def apply(manifest: str) -> ShellCommand:
    """`kubectl apply -f -` with the manifest on stdin."""
    return kubectl("apply", "-f", "-", stdin=manifest)


def gcloud(words: Sequence[str], name: str, options: Sequence[str] = (),
           placeholders: tuple[str, ...] = ()) -> ShellCommand:
    """`gcloud WORDS NAME OPTIONS...`; a name starting with `-` goes last, after `--`, so it is
    never read as a flag. Option values belong in `--flag=value` words."""
    if name.startswith("-"):
        argv = ("gcloud", *words, *options, "--", name)
    else:
        argv = ("gcloud", *words, name, *options)
    return ShellCommand(argv, None, placeholders)


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
