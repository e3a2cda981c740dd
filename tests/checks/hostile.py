"""Hostile versions of the per-check firing fixtures, and bash with recording stubs.

`hostile_case(check_id)` takes the check's `fires` fixture (tests/checks/make_fixtures.py) and
renames every namespace, object, node, pool, cluster, project and location to a name carrying
shell syntax: `;`, `$()`, backticks, quotes, newlines, a line `EOF`, globs, a leading `-`. A file
source is not validated by an API server, so such names do reach the checks. Renaming replaces
each name wherever it occurs as a whole string (label values, owner references, selectors), so
the cluster means the same and the check still fires.

`run_block(text)` runs one printed or copied block in bash with `kubectl`, `gcloud` and
`netpol-tui` replaced by stubs that record their argv and stdin; it returns the invocations
and whether anything else ran (a canary file that every payload here would create).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from netpol_tui.model.snapshot import Snapshot
from tests.checks.helpers import snapshot
from tests.checks.make_fixtures import fixtures

CANARY = "pwned"
#: Each one runs `touch pwned` if it reaches the shell unquoted (or, for `-`, is read as a flag).
PREFIXES = (
    "-x;touch pwned;",
    "$(touch pwned)",
    "`touch pwned`",
    "'\"$(touch pwned)\"'",
    "a\nEOF\ntouch pwned\n",
    "x && touch pwned #",
    "--all ",
    "'; touch pwned; echo '",
    "\"; touch pwned; \"",
    "x\\\n$(touch pwned)",
    "~*{a,b}!! $HOME ",
    "ünï code ",
    "\n````\n",
)
#: Names whose meaning is their value (system namespaces and agents the checks look for).
KEEP = frozenset({"kube-system", "kube-dns", "ip-masq-agent", "calico-node", "default", "gmp-system"})
HOSTILE_PROJECT = "acme$(touch pwned)"
HOSTILE_LOCATION = "europe-west1;touch pwned"


def _names(cluster_doc: dict, documents: list[dict]) -> list[str]:
    names = [cluster_doc["name"], *(pool["name"] for pool in cluster_doc.get("nodePools", []))]

    def visit(obj: Any) -> None:
        if isinstance(obj, dict):
            meta = obj.get("metadata")
            if isinstance(meta, dict):
                names.extend(value for key in ("name", "namespace") if isinstance(value := meta.get(key), str))
                pool = (meta.get("labels") or {}).get("cloud.google.com/gke-nodepool")
                if pool:
                    names.append(pool)
            for value in obj.values():
                visit(value)
        elif isinstance(obj, list):
            for value in obj:
                visit(value)

    for document in documents:
        visit(document)
    return sorted({name for name in names if name not in KEEP})


def _rename(obj: Any, mapping: dict[str, str]) -> Any:
    if isinstance(obj, str):
        return mapping.get(obj, obj)
    if isinstance(obj, dict):
        return {key: _rename(value, mapping) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_rename(value, mapping) for value in obj]
    return obj


def hostile_mapping(check_id: str) -> dict[str, str]:
    cluster_doc, documents = fixtures()[check_id]["fires"]
    return {name: hostile_name(index, name) for index, name in enumerate(_names(cluster_doc, documents))}


def hostile_name(index: int, name: str) -> str:
    """Every pattern in every name (so each command word meets all of them), starting with a
    different one per name (so `-` and the others also come first)."""
    return PREFIXES[index % len(PREFIXES)] + "".join(PREFIXES) + name


def hostile_case(check_id: str) -> Snapshot:
    """The check's firing fixture with every name made hostile (KeyError for a check without one)."""
    cluster_doc, documents = fixtures()[check_id]["fires"]
    mapping = hostile_mapping(check_id)
    renamed = _rename(cluster_doc, mapping)
    renamed["location"] = HOSTILE_LOCATION
    renamed["selfLink"] = (f"https://container.googleapis.com/v1/projects/{HOSTILE_PROJECT}/locations/"
                           f"{HOSTILE_LOCATION}/clusters/{renamed['name']}")
    return snapshot(renamed, *_rename(documents, mapping))


def is_hostile(word: str) -> bool:
    return any(prefix in word for prefix in PREFIXES) or HOSTILE_PROJECT in word or HOSTILE_LOCATION in word


_STUB = """#!/bin/bash
# Records one invocation, with builtins only: argv (NUL-separated, program name first) and stdin
# (not read from a terminal: an interactive paste leaves commands without a heredoc on the tty).
n=0
[ -f "$STUB_LOG/count" ] && read -r n < "$STUB_LOG/count"
n=$((n + 1))
echo "$n" > "$STUB_LOG/count"
printf '%s\\0' "${0##*/}" "$@" > "$STUB_LOG/$n.argv"
input=""
[ -t 0 ] || IFS= read -r -d '' input
printf '%s' "$input" > "$STUB_LOG/$n.stdin"
"""

def make_stubs(folder: Path) -> Path:
    stubs = folder / "stubs"
    stubs.mkdir(parents=True, exist_ok=True)
    for program in ("kubectl", "gcloud", "netpol-tui"):
        path = stubs / program
        path.write_text(_STUB)
        path.chmod(0o755)
    return stubs


def _recorded(log: Path) -> list[tuple[tuple[str, ...], str]]:
    count = int((log / "count").read_text()) if (log / "count").exists() else 0
    calls = []
    for number in range(1, count + 1):
        words = (log / f"{number}.argv").read_bytes().decode("utf-8").split("\0")[:-1]
        calls.append((tuple(words), (log / f"{number}.stdin").read_text(encoding="utf-8")))
    return calls


def _workspace(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    stubs = make_stubs(folder)
    work = folder / f"run-{len(list(folder.glob('run-*')))}"
    log = work / "log"
    log.mkdir(parents=True)
    env = {"PATH": f"{stubs}{os.pathsep}/usr/bin{os.pathsep}/bin", "STUB_LOG": str(log), "HOME": str(work),
           "LC_ALL": "C.UTF-8", "TERM": "dumb", "PS1": "$ ", "PS2": "> "}
    return work, log, env


def run_pasted(text: str, folder: Path, timeout: float = 20.0) -> tuple[list[tuple[tuple[str, ...], str]], bool]:
    """Paste `text` and Enter into an interactive bash on a terminal (readline, history
    expansion and PS2 continuation as a user has them), then `exit`: (invocations, canary)."""
    import pty
    import select
    import time

    work, log, env = _workspace(folder)
    pid, fd = pty.fork()
    if pid == 0:  # the child only execs bash
        os.chdir(work)
        os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], env)
    pending = (text + "\nexit\n").encode("utf-8")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([fd], [fd] if pending else [], [], 0.2)
            if readable:
                try:
                    if not os.read(fd, 65536):
                        break
                except OSError:  # the terminal closed: bash has exited
                    break
            if writable and pending:
                written = os.write(fd, pending[:256])
                pending = pending[written:]
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished:
                pid = 0
                break
    finally:
        os.close(fd)
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    return _recorded(log), (work / CANARY).exists()


def run_block(text: str, folder: Path) -> tuple[list[tuple[tuple[str, ...], str]], bool, str]:
    """Run `text` as pasted (plus the Enter that ends it) in a fresh bash in a fresh directory:
    (invocations as (argv, stdin), canary created, stderr)."""
    work, log, env = _workspace(folder)
    script = work / "block.sh"
    script.write_text(text + "\n")
    done = subprocess.run(["bash", "--noprofile", "--norc", str(script)], cwd=work, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    calls = _recorded(log)
    return calls, (work / CANARY).exists(), done.stderr
