"""The layer contracts in pyproject.toml hold (import-linter), cover every module, and would fail
on a forbidden import."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tools.lint_imports import LAYOUT, ROOT, installed_layout, lint


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout")
    installed_layout(folder)
    return folder


def test_every_contract_is_kept(layout: Path):
    done = lint(layout, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout
    assert f"Contracts: {len(_contracts())} kept" in done.stdout


def test_the_layers_name_every_module_of_the_package():
    (layers,) = [contract["layers"] for contract in _contracts() if contract["type"] == "layers"]
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    package = ROOT / "netpol_tui"
    present = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    present |= {path.parent.name for path in package.glob("*/__init__.py")}
    present |= {folder for folder in LAYOUT if folder != "netpol_tui"}
    assert present - named == set(), "put each new module in a layer of [tool.importlinter] in pyproject.toml"
    assert named - present == set()


@pytest.mark.parametrize(("module", "statement", "contract"), [
    ("model/_probe.py", "from netpol_tui.policy import PolicyEngine", "The model imports nothing above it"),
    ("checks/_probe.py", "import textual.app", "Core packages never import Textual or the console"),
    ("widgets/_probe.py", "from netpol_tui.sources import load_snapshot", "Widgets only show what they are given"),
    ("options.py", "from netpol_tui import cli", "Layers: each imports only the layers below it"),
    ("policy/_probe.py", "from netpol_tui.sources import load_snapshot", "Layers: each imports only the layers below"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, module: str, statement: str, contract: str):
    installed_layout(tmp_path)
    probe = tmp_path / "netpol_tui" / module
    if probe.is_symlink():  # a real module: append to a copy, never to the checkout's file
        text = probe.read_text(encoding="utf-8")
        probe.unlink()
        probe.write_text(text + "\n" + statement + "\n", encoding="utf-8")
    else:
        probe.write_text(statement + "\n", encoding="utf-8")
    done = lint(tmp_path, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout
    broken = done.stdout[done.stdout.index("Broken contracts"):]
    assert contract in broken, broken
