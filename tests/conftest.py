"""Shared fixtures and the Hypothesis profile.

Property tests must not flake on a busy 2-core CI machine: no per-example deadline, no
"too slow" health check, and under CI (CI=true) a fixed example sequence so a red run can be
reproduced exactly. The example database (failing examples replayed on the next run) lives in
the system temp folder, never in the checkout, and under CI there is none: each run starts clean.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

FIXTURES = Path(__file__).parent / "fixtures"

#: Hypothesis' own folder (its example database and the constants it caches from the code under
#: test), which it would otherwise create as .hypothesis/ in the working directory.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "netpol-tui-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
HYPOTHESIS_DATABASE = HYPOTHESIS_HOME / "examples"

settings.register_profile("netpol", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          database=DirectoryBasedExampleDatabase(HYPOTHESIS_DATABASE))
settings.register_profile("netpol-ci", parent=settings.get_profile("netpol"), derandomize=True, database=None)
settings.load_profile("netpol-ci" if os.environ.get("CI") else "netpol")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's ~/.config/netpol-tui/config.toml: each sees an empty config home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
