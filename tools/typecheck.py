"""Type-check the package with mypy ([tool.mypy] in pyproject.toml), as CI does.

    python tools/typecheck.py                  # the packages [tool.mypy] lists (CI): exit 0 when no error
    python tools/typecheck.py -p netpol_tui    # the whole package; any argument goes to mypy

`screens/` and `checks/` are installed as `netpol_tui.screens` and `netpol_tui.checks`
(pyproject's package-dir) and every module imports them by those names, which mypy cannot map to
the checkout's folders: run on the folders, `netpol_tui.checks` would be unresolved and every
type imported from it silently `Any`. So, like tools/lint_imports.py, this links the source files
into the installed layout (in a fixed folder under the user's cache, so mypy's incremental cache
stays valid between runs and nothing is written into the checkout), runs mypy there and prints
each path back as the checkout's path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_imports import LAYOUT, ROOT, installed_layout


def cache_folder() -> Path:
    """Where the layout and mypy's cache live: outside the checkout, kept between runs."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # One folder per checkout: two worktrees never share (and invalidate) one cache.
    return base / "netpol-tui-typecheck" / re.sub(r"[^A-Za-z0-9]+", "_", str(ROOT)).strip("_")


def checkout_path(line: str) -> str:
    """`netpol_tui/checks/x.py:3: error` -> `checks/x.py:3: error` (the file a developer opens)."""
    for folder, package in LAYOUT.items():
        if folder != package and line.startswith(package + "/"):
            return folder + line[len(package):]
    return line


def main(argv: list[str] | None = None) -> int:
    folder = cache_folder()
    layout = folder / "layout"
    # Rebuilt each run: a file added, moved or deleted in the checkout is seen as such.
    shutil.rmtree(layout, ignore_errors=True)
    installed_layout(layout)
    program = shutil.which("mypy", path=os.pathsep.join((str(Path(sys.executable).parent),
                                                         os.environ.get("PATH", ""))))
    if program is None:
        raise SystemExit("mypy is not installed: pip install -e '.[test]'")
    command = [program, "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(folder / "cache"),
               *(argv if argv is not None else sys.argv[1:])]
    done = subprocess.run(command, cwd=layout, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        print(checkout_path(line))
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
