"""docs/k9s.md: the plugins.yaml snippet parses, and each command line is one netpol-tui accepts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from netpol_tui.cli import build_parser
from netpol_tui.options import options_from_args

DOC = Path(__file__).resolve().parents[2] / "docs" / "k9s.md"
#: What k9s puts in a plugin's environment for the selected row (names as k9s spells them).
K9S_ENV = {"CONTEXT": "gke_acme_europe-west1_prod", "CLUSTER": "gke_acme_europe-west1_prod", "NAMESPACE": "shop",
           "NAME": "web-7d4b9c-x2x1", "USER": "admin"}
VARIABLE = re.compile(r"\$(!?)([\w\-]+)|\$\{(!?)([\w\-%/: ]+)\}")  # k9s's own pattern for $X and ${X}


def substitute(arg: str, env: dict[str, str]) -> str:
    """k9s's substitution: every $NAME / ${NAME} in an argument replaced by its value (no shell)."""
    def value(match: re.Match[str]) -> str:
        key = (match.group(2) or match.group(4)).upper()
        assert key in env, f"k9s has no variable {key}"
        return env[key]

    return VARIABLE.sub(value, arg)


def plugins() -> dict[str, dict]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) == 1
    return yaml.safe_load(blocks[0])["plugins"]


def test_snippet_is_a_k9s_plugins_file() -> None:
    entries = plugins()
    assert {scope for entry in entries.values() for scope in entry["scopes"]} == \
        {"pods", "networkpolicies", "namespaces"}
    for entry in entries.values():
        assert set(entry) <= {"shortCut", "description", "scopes", "command", "background", "args", "confirm"}
        assert entry["command"] == "netpol-tui" and entry["background"] is False
        assert all(isinstance(arg, str) for arg in entry["args"])


def test_each_command_line_opens_the_console_in_that_context_and_namespace() -> None:
    for name, entry in plugins().items():
        args = build_parser().parse_args([substitute(arg, K9S_ENV) for arg in entry["args"]])
        assert getattr(args, "run", None) is None, f"{name} does not open the console"
        options = options_from_args(args)
        expected_namespace = K9S_ENV["NAME"] if entry["scopes"] == ["namespaces"] else K9S_ENV["NAMESPACE"]
        assert (options.context, options.namespace) == (K9S_ENV["CONTEXT"], expected_namespace), name
        assert options.kind == "live"
