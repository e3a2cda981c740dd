"""docs/k9s.md: the plugins.yaml snippet parses, each command line is one netpol-tui accepts, and
run headless on the demo it opens the console on the object k9s had selected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from netpol_tui import app as app_module
from netpol_tui.app import NetpolApp
from netpol_tui.cli import build_parser, main
from netpol_tui.deeplink import start_from_args
from netpol_tui.options import options_from_args
from netpol_tui.widgets.virtual_list import VirtualList
from tests.console.helpers import record_notifications, settle, sync

DOC = Path(__file__).resolve().parents[2] / "docs" / "k9s.md"
CONTEXT = "gke_acme_europe-west1_prod"
#: What k9s puts in a plugin's environment for the selected row (names as k9s spells them), per
#: scope: objects of the bundled demo, so the command lines can run against it.
K9S_ENV = {
    "pods": {"NAMESPACE": "shop", "NAME": "web-s4hnjkv8d5-ddrwj"},
    "networkpolicies": {"NAMESPACE": "data", "NAME": "allow-postgres-from-apps"},
    "namespaces": {"NAMESPACE": "", "NAME": "payments"},
}
COMMON_ENV = {"CONTEXT": CONTEXT, "CLUSTER": CONTEXT, "USER": "admin"}
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


def command_line(entry: dict, **overrides: str) -> list[str]:
    [scope] = entry["scopes"]
    env = {**COMMON_ENV, **K9S_ENV[scope], **overrides}
    return [substitute(arg, env) for arg in entry["args"]]


def entry_for(scope: str) -> dict:
    return next(entry for entry in plugins().values() if entry["scopes"] == [scope])


def test_snippet_is_a_k9s_plugins_file() -> None:
    entries = plugins()
    assert {scope for entry in entries.values() for scope in entry["scopes"]} == set(K9S_ENV)
    for entry in entries.values():
        assert set(entry) <= {"shortCut", "description", "scopes", "command", "background", "args", "confirm"}
        assert entry["command"] == "netpol-tui" and entry["background"] is False
        assert all(isinstance(arg, str) for arg in entry["args"])


def test_each_command_line_opens_the_console_in_that_context_on_that_object() -> None:
    expected = {"pods": ("policies", ("Pod", "shop", "web-s4hnjkv8d5-ddrwj"), None),
                "networkpolicies": ("policies", ("NetworkPolicy", "data", "allow-postgres-from-apps"), None),
                "namespaces": ("policies", None, "payments")}
    for scope, (screen, select, namespace) in expected.items():
        args = build_parser().parse_args(command_line(entry_for(scope)))
        assert getattr(args, "run", None) is None, f"{scope}: does not open the console"
        options = options_from_args(args)
        assert (options.kind, options.context, options.namespace) == ("live", CONTEXT, namespace), scope
        start = start_from_args(args)
        assert (start.screen, start.select, start.explain) == (screen, select, None), scope


async def _run_on_demo(monkeypatch: pytest.MonkeyPatch, argv: list[str]):
    """`netpol-tui ARGV --demo` as main() hands it to the console, run headless until loaded."""
    handed: dict[str, object] = {}
    monkeypatch.setattr(app_module, "run_console",
                        lambda options, theme="textual-dark", flow_paths=(), start=None: handed.update(options=options,
                                                                                         start=start) or 0)
    assert main([*argv, "--demo"]) == 0
    app = NetpolApp(handed["options"], start=handed["start"])
    notices = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        row = app.screen.query_one("#objects", VirtualList).highlighted_row if app.current_mode == "policies" \
            else None
        return app.current_mode, row.key if row is not None else None, [notice.message for notice in notices]


@sync
async def test_pod_and_policy_shortcuts_select_the_object_in_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    mode, (kind, pod), notices = await _run_on_demo(monkeypatch, command_line(entry_for("pods")))
    assert (mode, kind, pod.namespace, pod.name, notices) == ("policies", "pod", "shop", "web-s4hnjkv8d5-ddrwj", [])
    mode, (kind, policy), notices = await _run_on_demo(monkeypatch, command_line(entry_for("networkpolicies")))
    assert (mode, kind, policy.namespace, policy.name, notices) == \
        ("policies", "pol", "data", "allow-postgres-from-apps", [])


@sync
async def test_a_pod_recreated_since_k9s_showed_it_opens_with_the_closest_names(
        monkeypatch: pytest.MonkeyPatch) -> None:
    argv = command_line(entry_for("pods"), NAME="web-s4hnjkv8d5-zzzzz")
    mode, _, notices = await _run_on_demo(monkeypatch, argv)
    assert mode == "policies"
    [notice] = notices
    assert notice.startswith("pod shop/web-s4hnjkv8d5-zzzzz is not in the snapshot. Did you mean ")
    assert "shop/web-s4hnjkv8d5-ddrwj" in notice


@sync
async def test_namespace_shortcut_opens_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    mode, key, notices = await _run_on_demo(monkeypatch, command_line(entry_for("namespaces")))
    assert (mode, notices) == ("policies", []) and key is not None
