"""One quoting function: only netpol_tui/shell.py may call shlex's quoting, and the hints built
elsewhere from untrusted values (namespaces, contexts, projects) run in bash exactly as meant."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pytest

from netpol_tui.flows.shell import explain_command
from netpol_tui.model.snapshot import Kind, SourceInfo
from netpol_tui.policy.unread import Unread
from netpol_tui.sources.gke import GkeIdentity, failure_reason
from tests.checks.hostile import CANARY, run_block
from tests.policy.builders import snapshot

ROOT = Path(__file__).resolve().parents[2]
#: Every folder of shipped or tool code (screens/ and checks/ install as netpol_tui.screens / .checks).
CODE = ("netpol_tui", "screens", "checks", "tools")
CANONICAL = ROOT / "netpol_tui" / "shell.py"
HOSTILE_NAMESPACE = f"pay;touch {CANARY}"
HOSTILE_CONTEXT = f"gke_$(touch {CANARY})_x"
HOSTILE_PROJECT = f"acme$(touch {CANARY})"


def _shlex_quoting(tree: ast.AST) -> list[int]:
    """Lines that call or import shlex.quote / shlex.join (join quotes each word)."""
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("quote", "join")
                and isinstance(node.value, ast.Name) and node.value.id == "shlex"):
            lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "shlex" and any(
                alias.name in ("quote", "join", "*") for alias in node.names):
            lines.append(node.lineno)
    return lines


def test_only_netpol_tui_shell_quotes_with_shlex():
    offenders = []
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == CANONICAL:
                continue
            for line in _shlex_quoting(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, ("quote shell words with netpol_tui.shell (quote, join, kubectl, gcloud), not shlex: "
                           + ", ".join(offenders))
    assert _shlex_quoting(ast.parse(CANONICAL.read_text(encoding="utf-8"))), "the scan no longer sees shlex.quote"


def test_the_scan_sees_each_spelling():
    for source in ("import shlex\nshlex.quote(x)", "from shlex import quote", "import shlex\nshlex.join(a)"):
        assert _shlex_quoting(ast.parse(source)), source
    assert not _shlex_quoting(ast.parse("import shlex\nshlex.split(x)"))


def _backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]*)`", text)


def _assert_runs(command: str, argv: tuple[str, ...], folder: Path) -> None:
    calls, canary, stderr = run_block(command, folder)
    assert not canary, f"something besides the stub ran:\n{command}\n{stderr}"
    assert calls == [(argv, "")], f"{command}\n{stderr}"


def _unread(**source: str) -> Unread:
    snap = snapshot(unread=[(Kind.NETWORK_POLICY, "forbidden")])
    return Unread(replace(snap, source=SourceInfo(kind="live", description="test", **source)))


def test_unread_permission_hint_quotes_namespace_and_context(tmp_path: Path):
    unread = _unread(namespace=HOSTILE_NAMESPACE, context=HOSTILE_CONTEXT)
    command = unread.command(Kind.NETWORK_POLICY)
    assert f"'{HOSTILE_NAMESPACE}'" in command
    _assert_runs(command, ("kubectl", "auth", "can-i", "list", "networkpolicies", "-n", HOSTILE_NAMESPACE,
                           "--context", HOSTILE_CONTEXT), tmp_path)
    # The sentence a verdict shows carries the same command between backticks.
    assert _backticked(unread.sentence(Kind.NETWORK_POLICY)) == [command]


def test_unread_missing_namespace_hint_runs_as_meant(tmp_path: Path):
    unread = _unread(context=HOSTILE_CONTEXT)
    for name, word in ((HOSTILE_NAMESPACE, "namespace"), ("-x", "namespace/-x")):
        (command,) = _backticked(unread.missing_namespace(name, "peer"))
        expected = ("kubectl", "get", word, *((name,) if word == "namespace" else ()), "--context",
                    HOSTILE_CONTEXT, "-o", "json")
        _assert_runs(command, expected, tmp_path)


def test_gke_api_disabled_hint_quotes_the_project(tmp_path: Path):
    from google.api_core import exceptions as gexc

    identity = GkeIdentity(HOSTILE_PROJECT, "europe-west1", "shop")
    reason = failure_reason(gexc.Forbidden("Kubernetes Engine API has not been used in project"), identity,
                            None, 10.0)
    (command,) = _backticked(reason)
    _assert_runs(command, ("gcloud", "services", "enable", "container.googleapis.com",
                           f"--project={HOSTILE_PROJECT}"), tmp_path)


@pytest.mark.parametrize("name", [HOSTILE_NAMESPACE + "/web-0", "-n"])
def test_flows_explain_command_runs_as_meant(name: str, tmp_path: Path):
    command = explain_command(["--context", HOSTILE_CONTEXT], name, "shop/db-0", 5432, "TCP", "calico")
    from_words = ("--from", name) if not name.startswith("-") else (f"--from={name}",)
    _assert_runs(command, ("netpol-tui", "explain", "--context", HOSTILE_CONTEXT, *from_words, "--to",
                           "shop/db-0", "--port", "5432", "--protocol", "TCP", "--dataplane", "calico"), tmp_path)
