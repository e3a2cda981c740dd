"""Textual internals are used in one module only (netpol_tui/textual_compat.py, whose own test
fails loudly on an upgrade): no other module, test included, imports `textual._*` or touches the
internals the console and its tests once reached for."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "netpol_tui" / "textual_compat.py"
#: Internals once used (issue 11) and the public replacement: run_test/pilot, App.notify, snapshots.
INTERNALS = {"_compositor", "_background_screens", "_driver", "_notifications", "_css_update_count",
             "_handle_exception", "active_app"}
ALLOWED_TESTS = {ROOT / "tests" / "console" / "test_textual_compat.py"}  # checks the shim's names exist


def _uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual._"):
            found.append((node.lineno, f"from {node.module} import"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {alias.name}") for alias in node.names if alias.name.startswith("textual._")]
        elif isinstance(node, ast.Attribute) and node.attr in INTERNALS:
            found.append((node.lineno, f".{node.attr}"))
    return found


def test_textual_internals_stay_in_the_shim():
    offenders = []
    for folder in ("netpol_tui", "screens", "checks", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in (SHIM, *ALLOWED_TESTS, Path(__file__).resolve()):
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line} {what}"
                          for line, what in _uses(ast.parse(path.read_text(encoding="utf-8")))]
    assert not offenders, "use public Textual API or netpol_tui/textual_compat.py: " + ", ".join(offenders)
    assert _uses(ast.parse(SHIM.read_text(encoding="utf-8"))), "the scan no longer sees the shim's internals"
