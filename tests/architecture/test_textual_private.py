"""Textual internals are used in one module only (netpol_tui/textual_compat.py, whose own test
fails loudly on an upgrade): no other module, test included, imports `textual._*` or touches the
internals the console and its tests once reached for."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIM = ROOT / "netpol_tui" / "textual_compat.py"
#: The internals netpol_tui/textual_compat.py still uses (its docstring says why each has no public
#: replacement on the installed Textual); exactly these, so the set shrinks when the shim does.
SHIM_INTERNALS = {"_css_update_count", "_handle_exception", "_modes", "_screen_stacks", "_get_screen",
                  "_load_screen_css"}
#: Internals once used elsewhere (issue 11), replaced by public API: run_test/pilot, App.notify,
#: snapshots.
FORMER_INTERNALS = {"_compositor", "_background_screens", "_driver", "_notifications", "active_app"}
INTERNALS = SHIM_INTERNALS | FORMER_INTERNALS
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
        elif isinstance(node, ast.ClassDef):  # a method overriding one
            found += [(item.lineno, f"def {item.name}") for item in node.body
                      if isinstance(item, ast.FunctionDef) and item.name in INTERNALS]
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
    in_shim = {what.split()[-1].lstrip(".") for _, what in _uses(ast.parse(SHIM.read_text(encoding="utf-8")))}
    assert in_shim == SHIM_INTERNALS, f"update SHIM_INTERNALS to what textual_compat.py uses: {sorted(in_shim)}"
