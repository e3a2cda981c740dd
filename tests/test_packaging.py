"""Packaging and architecture rules that keep the project installable and layered."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NO_TEXTUAL = ("netpol_tui/model", "netpol_tui/sources", "netpol_tui/policy", "checks")


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    mapping = config["tool"]["setuptools"]["package-dir"]
    found = set()
    for init in ROOT.glob("**/__init__.py"):
        folder = init.parent.relative_to(ROOT).as_posix()
        if folder.startswith(("tests", "benchmarks", "build", ".")) or "/." in folder:
            continue
        name = next((pkg for pkg, path in mapping.items() if path == folder), None)
        if name is None:
            top = folder.split("/")[0]
            base = next((pkg for pkg, path in mapping.items() if path == top), top)
            name = ".".join([base, *folder.split("/")[1:]])
        found.add(name)
    assert found == listed, f"pyproject packages differ: missing {found - listed}, extra {listed - found}"


def test_screens_and_checks_install_under_netpol_tui() -> None:
    import netpol_tui.checks
    import netpol_tui.screens

    assert Path(netpol_tui.checks.__file__).parent.name == "checks"
    assert Path(netpol_tui.screens.__file__).parent.name == "screens"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_layers_never_import_textual() -> None:
    offenders = []
    for folder in NO_TEXTUAL:
        for path in (ROOT / folder).rglob("*.py"):
            if any(name == "textual" or name.startswith("textual.") for name in _imports(path)):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_core_layers_do_not_import_textual_at_runtime() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import netpol_tui.model, netpol_tui.sources, netpol_tui.sources.files, netpol_tui.checks\n"
        "import netpol_tui.policy\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
