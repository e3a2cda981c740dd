"""tools/typecheck.py: mypy's paths come back as the checkout's, and [tool.mypy] names real packages."""

from __future__ import annotations

import tomllib

from tools.lint_imports import ROOT
from tools.typecheck import cache_folder, checkout_path


def test_installed_paths_are_printed_as_the_checkouts():
    assert checkout_path("netpol_tui/checks/context.py:3: error: x") == "checks/context.py:3: error: x"
    assert checkout_path("netpol_tui/screens/base.py:9: note: y") == "screens/base.py:9: note: y"
    assert checkout_path("netpol_tui/policy/index.py:1: error: z") == "netpol_tui/policy/index.py:1: error: z"
    assert checkout_path("Found 2 errors in 1 file") == "Found 2 errors in 1 file"


def test_the_cache_is_outside_the_checkout():
    assert ROOT not in cache_folder().parents


def test_the_checked_packages_exist():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    folders = {"netpol_tui.checks": ROOT / "checks", "netpol_tui.screens": ROOT / "screens"}
    for package in config["packages"]:
        folder = folders.get(package, ROOT.joinpath(*package.split(".")))
        assert (folder / "__init__.py").is_file(), package
