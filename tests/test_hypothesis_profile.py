"""Hypothesis writes nothing into the checkout: its example database is in the temp folder (or,
under CI, there is none)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parents[1]


def test_the_loaded_profile_keeps_the_database_out_of_the_checkout():
    database = settings.default.database
    if os.environ.get("CI"):
        assert database is None
        return
    assert isinstance(database, DirectoryBasedExampleDatabase)
    assert not Path(database.path).resolve().is_relative_to(ROOT)


def test_both_profiles_do():
    assert settings.get_profile("netpol-ci").database is None
    local = settings.get_profile("netpol").database
    assert isinstance(local, DirectoryBasedExampleDatabase)
    assert not Path(local.path).resolve().is_relative_to(ROOT)


def test_a_property_run_leaves_no_folder_in_the_working_directory(tmp_path: Path):
    """Hypothesis caches constants of the code under test in its home folder: the temp one."""
    import subprocess
    import sys

    script = ("import sys; sys.path.insert(0, sys.argv[1]); import tests.conftest\n"
              "from hypothesis import given, strategies as st\n"
              "from netpol_tui.text import plural\n"
              "@given(st.integers(0, 5000))\n"
              "def check(n): assert plural(n, 'pod').endswith(('pod', 'pods'))\n"
              "check()\n")
    done = subprocess.run([sys.executable, "-c", script, str(ROOT)], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "CI": ""}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".hypothesis").exists()
