"""Check the layer contracts in pyproject.toml ([tool.importlinter]) with import-linter.

    python tools/lint_imports.py      # exit 0 when every contract holds (CI and tests/architecture)

`screens/` and `checks/` are installed as `netpol_tui.screens` and `netpol_tui.checks`
(pyproject's package-dir) but live beside `netpol_tui/` in the checkout, and import-linter finds
a package's modules by walking its folder. So this links every source file into the installed
layout in a temporary folder, puts it first on the path and runs `lint-imports` there, without
a cache (nothing is written into the checkout).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Folder in the checkout -> package path in the installed layout.
LAYOUT = {"netpol_tui": "netpol_tui", "screens": "netpol_tui/screens", "checks": "netpol_tui/checks"}


def installed_layout(target: Path) -> None:
    """Symlink each .py file under `target` where the wheel would put it."""
    for folder, package in LAYOUT.items():
        for source in (ROOT / folder).rglob("*.py"):
            if "__pycache__" in source.parts:
                continue
            link = target / package / source.relative_to(ROOT / folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source)


def lint(folder: Path, argv: list[str] = (), **run_options: object) -> subprocess.CompletedProcess:
    """lint-imports on an installed layout in `folder` (tests add a probe module to it first)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(folder), os.environ.get("PYTHONPATH"))))}
    # The venv's own lint-imports, even when its bin folder is not on PATH (tests run sys.executable).
    program = shutil.which("lint-imports", path=os.pathsep.join((str(Path(sys.executable).parent),
                                                                 os.environ.get("PATH", ""))))
    if program is None:
        raise SystemExit("lint-imports is not installed: pip install -e '.[test]'")
    command = [program, "--config", str(ROOT / "pyproject.toml"), "--no-cache", *argv]
    return subprocess.run(command, cwd=folder, env=env, check=False, **run_options)


def main(argv: list[str] | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="netpol-lint-imports-") as folder:
        installed_layout(Path(folder))
        return lint(Path(folder), argv if argv is not None else sys.argv[1:]).returncode


if __name__ == "__main__":
    sys.exit(main())
